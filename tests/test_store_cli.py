"""``qualkit study init|code|status``: output, and one line with exit 1 and the study unchanged on bad input."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualkit.cli import main
from qualkit.store import SCHEMA_VERSION, open_study
from tests.test_store_support import CODEBOOK_V2, FIXTURE, copy_study, dump, find

INIT = ["-t", str(FIXTURE / "transcripts"), "-a", str(FIXTURE / "participants.csv"), "-c",
        str(FIXTURE / "codebook.yaml")]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "study"
    result = CliRunner().invoke(main, ["study", "init", str(folder), *INIT])
    assert result.exit_code == 0, result.output
    assert result.output == f"Made a study in {folder}: 2 transcripts, 3 codes, 7 automatic segments awaiting review.\n"
    return folder


@pytest.fixture()
def folder(template: Path, tmp_path: Path) -> Path:
    return copy_study(template, tmp_path / "study")


def test_init_refuses_a_folder_holding_a_study(folder: Path):
    before = dump(folder)
    result = CliRunner().invoke(main, ["study", "init", str(folder), *INIT])
    assert (result.exit_code, result.output) == (1, f"Error: {folder}: already holds a study (use --force to replace it)\n")
    assert dump(folder) == before


def test_init_force_replaces_the_study(folder: Path):
    with open_study(folder) as study:
        study.decide(study.segments()[0]["segment_id"], "accept", coder="RH")
    result = CliRunner().invoke(main, ["study", "init", str(folder), *INIT, "--force"])
    assert result.exit_code == 0, result.output
    with open_study(folder) as study:
        assert study.coders() == []
    assert sorted(p.name for p in folder.iterdir()) == ["study.sqlite"]


def test_code_with_a_new_codebook_prints_kept_orphaned_new(folder: Path):
    with open_study(folder) as study:
        segments = study.segments()
        study.decide(find(segments, "P01", "paperwork", "The paperwork for the new flat never stopped.")["segment_id"],
                     "accept", coder="RH")
        study.decide(find(segments, "P02", "paperwork", "The benefits forms were a nightmare.")["segment_id"],
                     "reject", coder="RH")
    result = CliRunner().invoke(main, ["study", "code", str(folder), "--codebook", str(CODEBOOK_V2)])
    assert result.exit_code == 0, result.output
    assert result.output == ("Run 2: 7 automatic segments; decisions kept 1, orphaned 1; "
                             "2 new segments await review.\n")


def test_status_json_has_totals_codes_and_coders(folder: Path):
    with open_study(folder) as study:
        study.decide(study.segments()[0]["segment_id"], "accept", coder="RH")
    result = CliRunner().invoke(main, ["study", "status", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert {k: found[k] for k in ("auto", "pending", "accepted", "orphaned")} == {
        "auto": 7, "pending": 6, "accepted": 1, "orphaned": 0}
    assert [c["code_id"] for c in found["codes"]] == ["isolation", "targets", "paperwork"]
    assert found["codes"][0]["accepted"] == 1 and found["coders"]["RH"]["accepted"] == 1


def test_status_table(folder: Path):
    result = CliRunner().invoke(main, ["study", "status", str(folder)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["code", "auto", "pending", "accepted", "rejected", "recoded", "manual", "orphaned"]
    assert lines[-1].split() == ["total", "7", "7", "0", "0", "0", "0", "0"]


def test_not_a_study_folder(tmp_path: Path):
    for command in (["status"], ["code"]):
        result = CliRunner().invoke(main, ["study", *command, str(tmp_path)])
        assert (result.exit_code, result.output) == (
            1, f"Error: {tmp_path}: not a qualkit study folder (no study.sqlite; make one with 'qualkit study init')\n")


def test_a_database_that_is_not_a_study(tmp_path: Path):
    sqlite3.connect(str(tmp_path / "study.sqlite")).execute("CREATE TABLE t (x)").connection.close()
    result = CliRunner().invoke(main, ["study", "status", str(tmp_path)])
    assert (result.exit_code, result.output) == (1, f"Error: {tmp_path / 'study.sqlite'}: not a qualkit study database\n")


def test_newer_schema_is_refused_unchanged(folder: Path):
    db = sqlite3.connect(str(folder / "study.sqlite"))
    db.execute("PRAGMA user_version = 99")
    db.close()
    before = dump(folder)
    result = CliRunner().invoke(main, ["study", "status", str(folder)])
    assert (result.exit_code, result.output) == (1, f"Error: {folder / 'study.sqlite'}: the study's schema version 99 "
                                                    f"is newer than this qualkit knows ({SCHEMA_VERSION}); upgrade qualkit to open it\n")
    assert dump(folder) == before


def test_codebook_that_fails_to_load_leaves_the_study_unchanged(folder: Path, tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("themes:\n  - name: X\n    codes:\n      - id: a\n        colour: 12\n        bogus: 1\n", encoding="utf-8")
    before = dump(folder)
    result = CliRunner().invoke(main, ["study", "code", str(folder), "--codebook", str(bad)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {bad}") and result.output.count("\n") == 1
    assert dump(folder) == before


def test_init_with_a_bad_codebook_writes_nothing(tmp_path: Path):
    result = CliRunner().invoke(main, ["study", "init", str(tmp_path / "new"), *INIT[:4], "-c", str(tmp_path / "x.yaml")])
    assert (result.exit_code, result.output) == (1, f"Error: {tmp_path / 'x.yaml'}: codebook file not found\n")
    assert not (tmp_path / "new").exists()
