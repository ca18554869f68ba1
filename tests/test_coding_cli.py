"""``qualkit code``: coding a corpus into CSV files, with one or two processes, and its errors."""

from __future__ import annotations

import csv

from click.testing import CliRunner

from qualkit.cli import main
from tests.conftest import FIXTURES

CODING = FIXTURES / "coding"


def rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_code_writes_segments_and_set_aside_hits(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["code", str(CODING / "transcripts"), "--codebook", str(CODING / "codebook.yaml"),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("Coded 2 transcripts (47 words) in ")
    assert result.output.splitlines()[0].endswith(": 9 segments, 2 negated and 1 vetoed hits.")
    segments = rows(out / "coded_segments.csv")
    assert [(r["transcript"], r["code_id"], r["text"]) for r in segments][:3] == [
        ("F01", "care", "The care was good."),
        ("F01", "care", "Care at home, care at night, care all day."),
        ("F01", "lonely", "I felt lonely on my own."),
    ]
    assert [(r["code_id"], r["text"], r["reason"]) for r in rows(out / "negated_hits.csv")] == [
        ("lonely", "lonely", "negated by 'never'"), ("activity", "lonely", "negated by 'never'"),
    ]
    assert [(r["code_id"], r["text"], r["status"], r["reason"]) for r in rows(out / "vetoed_hits.csv")] == [
        ("activity", "exercise", "excluded", "excluded by 'exercise book'"),
    ]


def test_two_jobs_write_the_same_files_as_one(tmp_path):
    args = [str(CODING / "transcripts"), "--codebook", str(CODING / "codebook.yaml")]
    for jobs in ("1", "2"):
        result = CliRunner().invoke(main, ["code", *args, "--out", str(tmp_path / jobs), "--jobs", jobs])
        assert result.exit_code == 0, result.output
    for name in ("coded_segments.csv", "negated_hits.csv", "vetoed_hits.csv"):
        assert (tmp_path / "1" / name).read_text() == (tmp_path / "2" / name).read_text()


def test_code_with_a_bad_unit_is_one_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["code", str(CODING / "transcripts"), "--codebook", str(CODING / "codebook.yaml"),
                                       "--out", str(tmp_path), "--unit", "page"])
    assert result.exit_code == 1
    assert result.output == "Error: unknown unit 'page' (choose from match, sentence, turn, turn+N)\n"


def test_code_with_a_missing_codebook_is_one_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["code", str(CODING / "transcripts"), "--codebook", str(tmp_path / "no.yaml"),
                                       "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'no.yaml'}: codebook file not found\n"


def test_code_finds_the_interviewer_named_in_every_file_as_a_whole_study_read_does(tmp_path):
    """Sarah runs all four interviews but neither a label nor her questions say so: read together, the
    files show it (she speaks in every one, each other speaker in one), and `qualkit code`, which streams
    file by file, must decide as `qualkit ingest` and `run` do, so her "felt lonely" is never coded."""
    folder = CODING / "recurring"
    args = [str(folder), "--codebook", str(CODING / "codebook.yaml")]
    outputs = {}
    for jobs in ("1", "2"):
        result = CliRunner().invoke(main, ["code", *args, "--out", str(tmp_path / jobs), "--jobs", jobs])
        assert result.exit_code == 0, result.output
        said = [line for line in result.output.splitlines() if "read as the interviewer" in line]
        assert [line.split(": ")[1] for line in said] == [str(folder / f"{n}.txt") for n in ("Amira", "Bernard", "Chloe", "Dev")]
        assert "'Sarah' speaks in 4 of 4 transcripts" in said[0]
        outputs[jobs] = (tmp_path / jobs / "coded_segments.csv").read_text(encoding="utf-8")
    segments = rows(tmp_path / "1" / "coded_segments.csv")
    assert {(r["speaker"], r["role"]) for r in segments} == {(n, "participant") for n in ("Amira", "Bernard", "Chloe", "Dev")}
    said = "After the move I felt lonely most days, with no one close by."
    assert [(r["transcript"], r["code_id"], r["text"]) for r in segments] == [
        (name, code, said) for name in ("Amira", "Bernard", "Chloe", "Dev") for code in ("lonely", "activity")]
    assert outputs["1"] == outputs["2"]
    ingest = CliRunner().invoke(main, ["ingest", str(folder)])
    assert ingest.output.count("Sarah (interviewer)") == 4
