"""The export/import commands: a study out to .qdpx, back in as a folder that `qualkit run` accepts."""

from __future__ import annotations

import csv

from click.testing import CliRunner

from qualkit.cli import main


def test_export_import_then_run(tmp_path, study_args):
    runner = CliRunner()
    qdpx = tmp_path / "study.qdpx"
    result = runner.invoke(main, ["export", "qdpx", *study_args[:6], "--out", str(qdpx)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {qdpx}: 7 codings (qualkit (auto): 7).\n"
    out = tmp_path / "imported"
    result = runner.invoke(main, ["import", "qdpx", str(qdpx), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Imported 3 transcripts, 3 codes and 7 codings (auto: 7) from qualkit 0.1.0."
    rows = list(csv.DictReader((out / "coded_segments.csv").open(encoding="utf-8")))
    assert {r["coder"] for r in rows} == {"auto"} and len(rows) == 7
    result = runner.invoke(main, ["run", "-t", str(out / "transcripts"), "-a", str(out / "participants.csv"),
                                  "-c", str(out / "codebook.yaml"), "--themes", "1", "--out", str(tmp_path / "report")])
    assert result.exit_code == 0, result.output
    assert "Coded 3 transcripts: 7 segments" in result.output


def test_import_of_a_file_that_is_not_a_project(tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_text("hello", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "qdpx", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output == f"Error: {bad}: not a REFI-QDA project: a .qdpx is a zip archive and this file is not one\n"
    assert not (tmp_path / "out").exists()
