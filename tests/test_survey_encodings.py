"""Survey tables as spreadsheets and survey tools save them: Windows-1252 and UTF-16 text, Qualtrics' extra
header rows, old Mac line endings; every reading qualkit chooses is said."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualkit.cli import main
from qualkit.errors import TranscriptError
from qualkit.readers import SurveyColumns, plan_survey, read_survey
from tests.test_survey import responses as read

SURVEY = Path(__file__).resolve().parent / "fixtures" / "survey"
COLUMNS = SurveyColumns("comment", "response_id")


def test_a_csv_excel_saved_on_windows_is_read_as_windows_1252_and_said():
    found, caught = read(SURVEY / "excel_windows.csv")
    assert [t.text for t in found] == ["The nurse’s manner was lovely – I felt listened to.",
                                       "Parking cost £4.50, which is too much for a café visit.", "Nothing to improve"]
    assert caught == [f"{SURVEY / 'excel_windows.csv'}: is not UTF-8 (line 2 holds byte 0x92); read as Windows-1252, "
                      "as Excel saves 'CSV' on Windows (if its text looks wrong, save it again as 'CSV UTF-8')"]


def test_a_utf16_table_keeps_lines_whole_where_a_character_holds_a_newline_byte():
    found, caught = read(SURVEY / "excel_unicode.tsv")
    assert [t.id for t in found] == ["F01", "F02", "F03", "F04"]
    assert found[1].text == "Parking cost £4.50, which is too much for a café visit."
    assert found[3].text == "Two lines:\nthe ward was Ċold and ਨoisy at night"
    assert dict(found[3].attributes) == {"site": "Eastbrook"}
    assert caught == [f"{SURVEY / 'excel_unicode.tsv'}: is UTF-16 text (as Excel saves 'Unicode Text'); read as UTF-16"]


@pytest.mark.parametrize("name", ["excel_unicode.tsv", "excel_windows.csv", "titled.csv", "titled.xlsx"])
def test_parts_of_a_table_read_as_the_whole(name: str):
    whole, _ = read(SURVEY / name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts = plan_survey(SURVEY / name, COLUMNS, 1)
        pieces = [t for part in parts for t in read_survey(SURVEY / name, COLUMNS, part=part)]
    assert len(whole) >= 2 and len(parts) >= 2  # the table is really read in parts, each after the header
    assert [(t.id, t.text, t.source) for t in pieces] == [(t.id, t.text, t.source) for t in whole]


def test_qualtrics_question_text_and_import_id_rows_are_left_out_and_counted():
    found, caught = read(SURVEY / "qualtrics.csv", SurveyColumns("Q2", "ResponseId"))
    assert [(t.id, t.text) for t in found] == [("R_1a", "Shorter waits for the GP."),
                                               ("R_2b", "More evening appointments.")]
    assert caught == [f"{SURVEY / 'qualtrics.csv'}: 2 rows left out: 2 with the header repeated (column names or "
                      "question text below the header, as Qualtrics exports) (rows 2, 3)"]


def test_qualtrics_header_rows_are_found_without_an_id_column():
    found, _ = read(SURVEY / "qualtrics.csv", SurveyColumns("Q2"))
    assert [t.text for t in found] == ["Shorter waits for the GP.", "More evening appointments."]


def test_a_csv_with_old_mac_line_endings_is_one_error_naming_file_and_row():
    with pytest.raises(TranscriptError) as caught:
        read(SURVEY / "mac_excel.csv")
    assert str(caught.value) == (f"{SURVEY / 'mac_excel.csv'}, row 1: its lines end in a lone carriage return (as "
                                 "Excel for Mac's older 'CSV' writes them); save it again as 'CSV UTF-8'")


def test_qualkit_code_reads_a_utf16_table_and_says_so(tmp_path: Path):
    result = CliRunner().invoke(main, ["code", str(SURVEY / "excel_unicode.tsv"), "--text-column", "comment",
                                       "--id-column", "response_id", "--codebook", str(SURVEY / "sample_codebook.yaml"),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "is UTF-16 text (as Excel saves 'Unicode Text'); read as UTF-16" in result.output
    assert (tmp_path / "out" / "coded_segments.csv").exists()


def test_text_saying_no_answer_was_given_is_left_out_and_counted_but_a_short_answer_is_kept():
    found, caught = read(SURVEY / "fft_no_answer.csv")
    assert [(t.id, t.text) for t in found] == [("F02", "Nothing."), ("F05", "👍"), ("F06", "...?"),
                                               ("F08", "The nurse was kind"), ("F09", ";)")]
    assert caught == [f"{SURVEY / 'fft_no_answer.csv'}: 5 rows left out: 5 with text saying no answer was given (Did "
                      "not answer, N/A, -) (rows 2, 4, 5, 8, 11)"]


def test_a_question_header_wrapped_onto_lines_is_found_from_its_text_on_one_line(tmp_path: Path):
    table = tmp_path / "wrapped.csv"
    table.write_text('id,"What could we\ndo  better?"\nR1,Shorter waits\n', encoding="utf-8")
    found, _ = read(table, SurveyColumns("what could we do better?", "id"))
    assert [(t.id, t.text) for t in found] == [("R1", "Shorter waits")]


@pytest.mark.parametrize("name", ["titled.csv", "titled.xlsx"])
def test_a_title_above_the_header_is_skipped_said_and_rows_numbered_as_the_spreadsheet_shows(name: str):
    found, caught = read(SURVEY / name)
    assert [(t.id, t.text, t.source) for t in found] == [
        ("F01", "The nurse was kind", f"{SURVEY / name}, row 5" if name.endswith(".csv") else f"{SURVEY / name}, row 4"),
        ("F03", "Parking was hard", f"{SURVEY / name}, row 8" if name.endswith(".csv") else f"{SURVEY / name}, row 7")]
    top, empty = (4, 7) if name.endswith(".csv") else (3, 6)
    assert caught == [f"{SURVEY / name}: the header is row {top} ('response_id', 'site', 'comment'); the rows above it (a "
                      "title or blank) are not read",
                      f"{SURVEY / name}: 1 row left out: 1 with empty text (row {empty})"]


@pytest.mark.parametrize("content, problem", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "is an old Excel .xls workbook or one protected by a password, not an .xlsx: "
                                          "save it again as .xlsx (without a password) or as CSV UTF-8"),
    (b"response_id,comment\nR1,Fine\n", "is text, not an Excel workbook: rename it to book.csv"),
])
def test_a_file_named_xlsx_that_is_not_a_workbook_says_what_it_is(tmp_path: Path, content: bytes, problem: str):
    (tmp_path / "book.xlsx").write_bytes(content)
    with pytest.raises(TranscriptError) as caught:
        read(tmp_path / "book.xlsx")
    assert str(caught.value) == f"{tmp_path / 'book.xlsx'}: {problem}"


def test_text_garbled_by_a_wrong_encoding_upstream_is_read_as_written_and_said(tmp_path: Path):
    table = tmp_path / "fft.csv"
    table.write_text("id,comment\nR1,Iâ€™ve been seen quickly\nR2,The café was shut\nR3,Cost Â£4 to park\n", encoding="utf-8")
    found, caught = read(table, SurveyColumns("comment", "id"))
    assert [t.text for t in found] == ["Iâ€™ve been seen quickly", "The café was shut", "Cost Â£4 to park"]
    assert caught == [f"{table}: 2 responses hold text garbled by a wrong encoding before it reached this file ('â€™' in "
                      "row 2, as UTF-8 read as Windows-1252 gives; rows 2, 4); read as written"]
