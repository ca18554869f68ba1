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
