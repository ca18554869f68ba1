"""Codebook sheets in the shapes researchers keep them: a title above the header, Theme / Category /
Low-level Category columns each with its own description, a Code column of identifiers beside a Name,
plural and camelCase column names, ``parent->child`` paths, Windows-1252 with semicolons, a Markdown table."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualkit.cli import main
from qualkit.codebook import Codebook, load_codebook, read_codebook_table
from qualkit.errors import CodebookError

SHAPES = Path(__file__).resolve().parent / "fixtures" / "codebook_shapes"


def read(name: str) -> tuple[Codebook, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        book = read_codebook_table(SHAPES / name)
    return book, [str(w.message).replace(f"{SHAPES}/", "") for w in caught]


def test_a_title_above_the_header_is_skipped_and_said():
    book, said = read("title_rows.xlsx")
    assert [c.name for c in book.codes] == ["Loneliness", "Link worker relationship"]
    lonely = book.codes[0]
    assert lonely.definition == "Feeling alone\n\nTalk of isolation or having no one to turn to"
    assert (lonely.include, lonely.exclude) == ("Participant describes being on their own", "Living alone without distress")
    assert lonely.examples == ("I'd go days without speaking to anyone",)
    assert said[0] == ("title_rows.xlsx: the header is row 3 ('Code', 'Code Type', 'Brief Definition', 'Full Definition', "
                       "'When to Use', 'When NOT to Use', 'Example Quotations'); the rows above it (a title) are not read")


def test_every_level_column_is_a_level_and_each_description_goes_to_the_column_on_its_left():
    book, _ = read("levels.xlsx")
    assert [c.path_label for c in book.codes if not any(o.parent_id == c.id for o in book.codes)] == [
        "Access > Getting there > Transport > Bus", "Access > Getting there > Transport > Lifts",
        "Access > Getting there > Cost > Fees", "Experience > Being heard > Listening > Time given"]
    by_path = {c.path_label: c.definition for c in book.codes}
    assert by_path["Access > Getting there > Transport"] == "Travel to the service"
    assert by_path["Access > Getting there > Transport > Bus"] == "Buses too rare or too dear"
    assert by_path["Access > Getting there > Cost"] == "What it costs to attend"


def test_a_code_column_of_identifiers_beside_a_name_column_gives_the_ids():
    book, said = read("name_and_id.csv")
    assert [(c.id, c.name) for c in book.codes] == [("I.E", "Trialability"), ("I.F", "Complexity")]
    assert said[0] == ("name_and_id.csv: column 'Code' holds short identifiers (I.E, I.F, ...), so codes are named "
                       "from 'Name' and 'Code' gives their ids")


def test_column_names_are_matched_whatever_their_case_plural_or_camel_case():
    book, said = read("plural_camel.csv")
    assert [(c.path_label, c.definition, c.examples) for c in book.codes] == [
        ("Barriers > Transport", "Getting there", ("The bus only comes twice a day",)),
        ("Barriers > Cost", "Money", ())]
    assert not [m for m in said if "not read" in m]


def test_arrow_paths_are_split_and_said():
    book, said = read("arrows.csv")
    assert [c.path_label for c in book.codes] == ["barriers > transport", "barriers > cost"]
    assert "arrows.csv: code paths are split at -> (as the tool that wrote the sheet writes them)" in said


def test_a_windows_sheet_separated_by_semicolons_is_read_and_both_are_said():
    book, said = read("windows_semicolon.csv")
    assert [(c.path_label, c.definition) for c in book.codes] == [
        ("Barriers > Transport", "Can’t get there – no bus"), ("Barriers > Cost", "Fees £5 a session")]
    assert said[:2] == ["windows_semicolon.csv: is not UTF-8 (line 2 holds byte 0x92); read as Windows-1252, as Excel "
                        "saves 'CSV' on Windows",
                        "windows_semicolon.csv: its header has no commas but semicolons; read as separated by semicolons"]


def test_a_markdown_table_is_read_as_a_sheet():
    book, _ = read("codebook.md")
    assert [(c.path_label, c.definition) for c in book.codes] == [
        ("Barriers > Transport", "Getting there\nby bus or car"), ("Barriers > Cost", "Fees | charges")]


def test_a_markdown_codebook_given_as_codebook_names_the_command_that_converts_it():
    with pytest.raises(CodebookError) as caught:
        load_codebook(SHAPES / "codebook.md")
    assert str(caught.value).startswith(f"{SHAPES / 'codebook.md'}: is a codebook table, not a YAML codebook: convert "
                                        f"it once with 'qualkit codebook import {SHAPES / 'codebook.md'} --out")


def test_markdown_without_a_table_is_one_line(tmp_path: Path):
    notes = tmp_path / "notes.md"
    notes.write_text("Trialability I.E - Perceived ability to pilot\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["codebook", "import", str(notes), "--out", str(tmp_path / "x.yaml")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].endswith(
        f"{notes}: holds no Markdown table ('| Code | Definition |' rows) to read codes from")
    assert not (tmp_path / "x.yaml").exists()


def test_a_sub_code_column_holds_the_codes_under_the_code_column():
    book, said = read("subcodes.csv")
    assert [(c.path_label, c.definition) for c in book.codes] == [
        ("Data collection > Personal data", "Names, addresses, voice"),
        ("Data collection > Health records", "Clinical notes and results")]
    assert [(t.name, t.description) for t in book.themes] == [("Data collection", ""),
                                                              ("Data retention", "How long data are kept")]
    assert "subcodes.csv: column 'Type' is not read (not a codebook field qualkit knows)" in said


def test_another_tools_json_codebook_is_read_as_a_table_of_its_records_and_said():
    book, said = read("tool_records.json")
    assert [(c.path_label, c.definition, c.include, c.exclude) for c in book.codes] == [
        ("Access > Opening hours", "When the library is open", "What time do you close?", "Hours of other campus services"),
        ("Access > Wayfinding", "Finding places in the building", "", "")]
    assert said[:2] == ["tool_records.json: read as a table of the 2 records of its 'codes' list, with the fields "
                        "category, code_name, definition, inclusions, exclusions, aliases",
                        "tool_records.json: column 'aliases' is not read (not a codebook field qualkit knows)"]


@pytest.mark.parametrize("name, how, codes", [
    ("name_to_definition.json", "its 2 keys as code names", [("Opening hours", "When the library is open"),
                                                            ("Fines", "Charges and payments")]),
    ("names.yaml", "its 2 items", [("opening_hours", ""), ("fines", "")]),
])
def test_a_mapping_or_list_of_code_names_is_read_as_codes(name: str, how: str, codes: list):
    book, said = read(name)
    assert [(c.name, c.definition) for c in book.codes] == codes
    assert said[0].startswith(f"{name}: read as a table of {how}, with the fields code")


@pytest.mark.parametrize("name, message", [
    ("tool_records.json", "line 4: its codes have no 'name' (their fields: category, code_name, definition, inclusions, "
                          "exclusions, aliases)"),
    ("name_to_definition.json", "line 1: none of its fields (Opening hours, Fines, ...) is a codebook's (themes, codes, "
                                "name, ...)"),
    ("names.yaml", "line 1: expected a mapping with 'themes', got list"),
])
def test_another_tools_codebook_given_as_codebook_names_the_import_that_converts_it(name: str, message: str):
    with pytest.raises(CodebookError) as caught:
        load_codebook(SHAPES / name)
    assert str(caught.value) == (f"{SHAPES / name}, {message} (a list or mapping of codes, as other tools keep them, is "
                                 f"converted once with 'qualkit codebook import {SHAPES / name} --out FILE.yaml')")


def test_several_description_columns_are_kept_each_under_its_name():
    book, _ = read("two_descriptions.csv")
    assert book.codes[0].definition == ("Description for staff: Time from arrival to being seen\n\n"
                                        "Description for patients: How long you waited")


@pytest.mark.parametrize("name, content, problem", [
    ("codebook.odt", b"PK\x03\x04", "codebook import reads a sheet (.csv, .tsv, .xlsx), a table in Word (.docx) or "
                                    "Markdown (.md), or a JSON or YAML list of codes, not a .odt file: put its codes in a "
                                    "sheet"),
    ("codebook.docx", b"PK\x03\x04", "cannot read the Word document"),
    ("codebook.xls", b"\xd0\xcf\x11\xe0", "not a .xls file: save it as .xlsx (Excel's workbook since 2007) or .csv"),
    ("codebook.csv", b"PK\x03\x04\x14\x00", "is an Excel workbook (or another binary file), not CSV text: save it as "
                                            ".xlsx, or as CSV text"),
])
def test_a_file_that_is_not_a_sheet_is_one_line_naming_it(tmp_path: Path, name: str, content: bytes, problem: str):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(CodebookError) as caught:
        read_codebook_table(tmp_path / name)
    assert str(caught.value).startswith(f"{tmp_path / name}: ") and problem in str(caught.value)


def test_a_word_table_is_read_with_merged_theme_cells_and_wrapped_names():
    book, said = read("word_table.docx")
    assert [(c.path_label, c.definition, c.examples) for c in book.codes] == [
        ("Getting to the service > Transport", "Buses too rare or too dear", ('P3: "The bus comes twice a day"',)),
        ("Getting to the service > Cost", "Fares and fees", ('P7: "It is four pounds each way"',)),
        ("Experience > Being listened to", "Feeling heard by staff", ('P2: "She actually listened"',))]
    assert said == []  # the one-row table of notes is not a table of codes


def test_a_numbered_code_system_without_a_header_is_read_as_a_hierarchy_and_said():
    book, said = read("maxqda_code_system.docx")
    assert [c.path_label for c in book.codes] == ["Access > Transport", "Access > Transport > Buses",
                                                  "Experience > Listening"]
    assert said == ["maxqda_code_system.docx: has no header row; its first column is read as a numbered code system "
                    "(1.1 under 1) and the other column is not read"]


def test_a_numbered_code_whose_parent_is_missing_is_one_line_naming_its_row(tmp_path: Path):
    sheet = tmp_path / "gap.csv"
    sheet.write_text("Code\n1 Barriers\n1.1 Transport\n2.1 Trust\n", encoding="utf-8")
    with pytest.raises(CodebookError) as caught:
        read_codebook_table(sheet)
    assert str(caught.value) == f"{sheet}, row 4: code 2.1 'Trust' is numbered under 2, which is not listed above it"


def test_codes_listed_again_are_one_warning_not_one_a_row():
    book, said = read("repeated.csv")
    assert [c.path_label for c in book.codes] == ["barriers > transport", "barriers > cost"]
    assert [m for m in said if "listed" in m] == [
        "repeated.csv: 3 rows list a code listed above (row 4 'barriers' (row 2), row 5 'barriers > transport' (row 3), "
        "row 7 'barriers > cost' (row 6)); each one's cells are added to the first row's"]


def test_a_workbook_is_read_from_its_first_sheet_naming_codes_and_the_others_are_named():
    book, said = read("several_sheets.xlsx")
    assert [(c.path_label, c.definition) for c in book.codes] == [("Access > Transport", "Getting there")]
    assert said == ["several_sheets.xlsx: the codes are read from sheet 'Codes', the first with a column naming them; "
                    "sheets 'Instructions', 'Changes' are not read"]


def test_word_tables_repeating_one_header_are_read_as_one_and_said():
    book, said = read("tables_by_heading.docx")
    assert [(c.name, c.definition) for c in book.codes] == [
        ("Transport", "Getting there"), ("Cost", "Money"), ("Listening", "Being heard")]
    assert said[0] == ("tables_by_heading.docx: the codes are read from table 1 (with 2: the same header), the first "
                       "with a column naming them; table 3 is not read")


@pytest.mark.parametrize("name, codes, note", [
    ("numbered.csv", [("Barriers > Transport", "Getting there"), ("Barriers > Cost", "Money"),
                      ("Enablers > Trust", "Being believed")],
     "the 'Code' column numbers its codes (1.1 under 1); read as a code system"),
    ("indented.csv", [("Barriers > Transport", "Getting there"), ("Barriers > Transport > Buses", "Too rare"),
                      ("Barriers > Cost", "Money"), ("Enablers > Trust", "Being believed")],
     "the 'Code' column indents its codes; read as a code system, an indented code under the one above it"),
])
def test_a_code_column_listing_a_code_system_is_read_as_a_hierarchy_and_said(name: str, codes: list[tuple[str, str]],
                                                                             note: str):
    book, said = read(name)
    assert [(c.path_label, c.definition) for c in book.codes] == codes
    assert [(t.name, t.description) for t in book.themes] == [("Barriers", "What gets in the way"),
                                                              ("Enablers", "What helps")]
    assert f"{name}: {note}" in said


@pytest.mark.parametrize("encoding, said", [
    ("cp1252", "is not UTF-8 (line 6 holds byte 0x92); read as Windows-1252, as Notepad saves 'ANSI' (save it as UTF-8 "
               "if its text looks wrong)"),
    ("utf-16", "is UTF-16 text (as Notepad saves 'Unicode'); read as UTF-16"),
])
def test_a_yaml_codebook_saved_by_notepad_in_another_encoding_is_read_and_said(tmp_path: Path, encoding: str, said: str):
    path = tmp_path / "codebook.yaml"
    path.write_bytes("themes:\n  - name: Barriers\n    codes:\n      - name: Cost\n        definition: >-\n"
                     "          The patient’s costs – fares, £ fees\n        patterns: [fare]\n".encode(encoding))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        book = load_codebook(path)
    assert book.codes[0].definition == "The patient’s costs – fares, £ fees"
    assert [str(w.message) for w in caught] == [f"{path}: {said}"]


def test_a_sheet_saved_as_excel_unicode_text_is_read_and_said(tmp_path: Path):
    sheet = tmp_path / "codebook.txt"
    sheet.write_bytes("Theme\tCode\tDefinition\r\nBarriers\tCost\tFees £5 a session\r\n".encode("utf-16"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        book = read_codebook_table(sheet)
    assert [(c.path_label, c.definition) for c in book.codes] == [("Barriers > Cost", "Fees £5 a session")]
    assert [str(w.message) for w in caught][:2] == [
        f"{sheet}: is UTF-16 text (as Excel saves 'Unicode Text'); read as UTF-16",
        f"{sheet}: its header has no commas but tabs; read as separated by tabs"]
