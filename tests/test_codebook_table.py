"""Codebooks as spreadsheets and back: the pdpilot MAXQDA sheet, round trips, the CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from qualkit.cli import main
from qualkit.codebook import load_codebook
from qualkit.codebook import read_codebook_table, write_codebook_table, write_codebook_yaml
from qualkit.errors import CodebookError
from tests.conftest import FIXTURES, ROOT, STUDY


def test_pdpilot_sheet_gives_its_hierarchy_and_descriptions(shared_data):
    book = read_codebook_table(shared_data / "pdpilot" / "codebook.csv")
    assert len(book.themes) + len(book.codes) == 91
    assert book.themes[0].name == "Explainability purposes"
    assert book.themes[0].description.startswith("Why do participants use ML explainability techniques")
    code = book.code("understanding-feature-outcome-relationships")
    assert code.path_label == "Explainability purposes > Understanding feature-outcome relationships"
    assert code.definition == "Trends between features and the model’s output. Are the feature-outcome relationships intuitive?"
    assert max(len(c.path) for c in book.codes) == 3
    assert all(c.parent_id for c in book.codes if len(c.path) == 3)


@pytest.mark.parametrize("source", [STUDY / "codebook.yaml", ROOT / "codebooks" / "sample.yaml",
                                    FIXTURES / "coding" / "codebook.yaml"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_sheet_round_trip_keeps_every_record(tmp_path, source, suffix):
    book = load_codebook(source)
    again = read_codebook_table(write_codebook_table(book, tmp_path / f"cb{suffix}"))
    assert again.themes == book.themes
    keep = ("id", "name", "path", "definition", "include", "exclude", "examples", "colour", "patterns", "parent_id")
    assert [[getattr(c, k) for k in keep] for c in again.codes] == [[getattr(c, k) for k in keep] for c in book.codes]


@pytest.mark.parametrize("source", [STUDY / "codebook.yaml", ROOT / "codebooks" / "sample.yaml",
                                    FIXTURES / "coding" / "codebook.yaml"])
def test_yaml_round_trip_gives_equal_records(tmp_path, source):
    book = load_codebook(source)
    again = load_codebook(write_codebook_yaml(book, tmp_path / "cb.yaml"))
    assert (again.codes, again.themes, again.name, again.version) == (book.codes, book.themes, book.name, book.version)


def test_sheet_with_an_orphan_row_names_file_and_row(tmp_path):
    sheet = tmp_path / "cb.csv"
    sheet.write_text("code_path,description\nA,x\nB > C,y\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"cb\.csv, row 3: parent 'B' of 'C' is not listed above it$"):
        read_codebook_table(sheet)


def test_import_and_export_commands(tmp_path):
    runner = CliRunner()
    sheet = tmp_path / "cb.xlsx"
    result = runner.invoke(main, ["codebook", "export", str(STUDY / "codebook.yaml"), "--out", str(sheet)])
    assert (result.exit_code, result.output) == (0, f"Wrote {sheet}: 2 themes, 3 codes.\n")
    back = tmp_path / "cb.yaml"
    result = runner.invoke(main, ["codebook", "import", str(sheet), "--out", str(back)])
    assert (result.exit_code, result.output) == (0, f"Wrote {back}: 2 themes, 3 codes.\n")
    assert load_codebook(back).codes == load_codebook(STUDY / "codebook.yaml").codes


def test_export_to_qdc_is_refused_with_a_pointer(tmp_path):
    result = CliRunner().invoke(main, ["codebook", "export", str(STUDY / "codebook.yaml"), "--out", str(tmp_path / "x.qdc")])
    assert result.exit_code == 2
    assert "write a .csv or .xlsx sheet (.qdc is written by the REFI-QDA export)" in result.output
