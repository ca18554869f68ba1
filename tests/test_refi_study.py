"""`qualkit export qdpx --study DIR`: a study folder's reviewed coding, each coding under its coder and dated
by that coder's decision, read back exactly by qualkit."""

from __future__ import annotations

import zipfile

import pytest
from click.testing import CliRunner
from lxml import etree

from qualkit.cli import main
from qualkit.refi import read_project
from qualkit.refi.schema import PROJECT_NS
from qualkit.study import StudySettings
from tests.conftest import FIXTURES

TEAM = FIXTURES / "refi" / "team"
NS = {"q": PROJECT_NS}


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    store = pytest.importorskip("qualkit.store")
    folder = tmp_path_factory.mktemp("refi-study") / "study"
    settings = StudySettings(transcripts=(str(TEAM / "transcripts"),), attributes=str(TEAM / "participants.csv"),
                             codebook=str(TEAM / "codebook.yaml"))
    with store.init_study(folder, settings) as study:
        segments = {(s["transcript_id"], s["code_id"]): s for s in study.segments()}
        accepted = study.decide(segments[("T02", "housing")]["segment_id"], "accept", coder="Ana")
        study.decide(segments[("T01", "workload")]["segment_id"], "reject", coder="Ana")
        text = study.transcript("T01")["text"]
        start = text.index("the team is small")
        manual = study.add_manual("T01", "other-staff", start, start + len("the team is small"), coder="Lei")
    return folder, accepted, manual


def test_export_of_a_study_carries_each_reviewed_coding_under_its_coder(reviewed, tmp_path):
    folder, accepted, manual = reviewed
    out = tmp_path / "reviewed.qdpx"
    result = CliRunner().invoke(main, ["export", "qdpx", "--study", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"Wrote {out}: 2 codings (Ana: 1, Lei: 1)."
    project = read_project(out)
    assert sorted((s.transcript, s.code_path, s.text, s.coder) for s in project.segments) == [
        ("T01", "Staff > Other", "the team is small", "Lei"), ("T02", "Client needs > Housing", accepted["text"], "Ana")]
    assert {t.id: t.attributes["site"] for t in project.transcripts} == {"T01": "Northfield", "T02": "Süd 🏠"}
    with zipfile.ZipFile(out) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    dates = sorted(c.get("creationDateTime") for c in root.iterfind(".//q:Coding", NS))
    assert dates == sorted([accepted["decided_at"], manual["decided_at"]])


def test_study_options_that_do_not_go_together(reviewed, tmp_path):
    folder, _, _ = reviewed
    runner = CliRunner()
    result = runner.invoke(main, ["export", "qdpx", "--study", str(folder), "--codings", "human", "--out", str(tmp_path / "x.qdpx")])
    assert result.exit_code == 2 and result.output.splitlines()[-1] == "Error: with --study, --codings is reviewed (the default) or auto"
    result = runner.invoke(main, ["export", "qdpx", "--codings", "reviewed", "--out", str(tmp_path / "x.qdpx")])
    assert result.output.splitlines()[-1] == "Error: --codings reviewed needs --study (a study folder made by qualkit study)"
    assert not (tmp_path / "x.qdpx").exists()
