"""Codebook errors that name a known trap and say how to fix it (issue 16): a regular expression given as
a pattern, YAML reading yes/no/on/off as true/false, a sheet listing only leaf paths, CSV saved as .xlsx."""

from __future__ import annotations

import pytest

from qualkit.codebook import load_codebook, parse_codebook, read_codebook_table
from qualkit.errors import CodebookError

CODE = "themes:\n  - name: A\n    codes:\n      - name: B\n        patterns: [{pattern}]\n"
BOOL = "YAML reads an unquoted yes/no/on/off (and true/false) as true or false; put the word in quotes, e.g. \"yes\""


@pytest.mark.parametrize("pattern, message", [
    ("'lonel(y|iness)'", "'lonel(y|iness)' looks like a regular expression, which patterns are not: write each "
                         "alternative as its own phrase pattern ('lonely', 'loneliness')"),
    ("'\\bisolat\\w*'", "'\\bisolat\\w*' looks like a regular expression, which patterns are not: use a wildcard "
                        "word ('isolat*')"),
    ("'^alone$'", "'^alone$' looks like a regular expression, which patterns are not: write the words as a phrase "
                  "('alone')"),
    ("'[Ll]onely'", "'[Ll]onely' looks like a regular expression, which patterns are not: use a phrase, a wildcard "
                    "word (word*), a list of phrases, or a token pattern ({tokens: [...]}, see codebooks/README.md)"),
    ("yes", f"expected a phrase, got true: {BOOL}"),
    ("{phrase: off}", f"'phrase' must be a phrase, got false: {BOOL}"),
])
def test_pattern_traps_are_named_with_the_fix(pattern, message):
    with pytest.raises(CodebookError) as caught:
        parse_codebook(CODE.format(pattern=pattern), source="cb.yaml")
    assert str(caught.value).split(", pattern 1: ", 1)[1] == message
    assert str(caught.value).startswith("cb.yaml, line 5, column ")


def test_ordinary_punctuation_is_not_taken_for_a_regular_expression():
    book = parse_codebook(CODE.format(pattern="\"A&E\", \"can't\", covid-19, 'nurse (district)'"), source="cb.yaml")
    assert [p.value for p in book.codes[0].patterns] == ["A&E", "can't", "covid-19", "nurse (district)"]


def test_yaml_booleans_in_examples_say_to_quote():
    with pytest.raises(CodebookError) as caught:
        parse_codebook("themes:\n  - name: A\n    codes:\n      - name: B\n        examples: [no]\n", source="cb.yaml")
    assert str(caught.value) == f"cb.yaml, line 5, column 9, code 'B': 'examples' must be a list of text, got false: {BOOL}"


def test_a_sheet_of_leaf_paths_says_to_add_the_parents(tmp_path):
    sheet = tmp_path / "codes.csv"
    sheet.write_text("code_path,description\nAccess > Travel,Getting there\nAccess > Cost,Paying\n")
    with pytest.raises(CodebookError) as caught:
        read_codebook_table(sheet)
    assert str(caught.value) == (f"{sheet}: the sheet lists only leaf codes (every path has a parent, e.g. 'Access > "
                                 "Travel') and no row for a theme; add a row for each parent path ('Access') above its codes")


def test_a_csv_saved_as_xlsx_says_to_rename_it(tmp_path):
    sheet = tmp_path / "codes.xlsx"
    sheet.write_text("code_path,description\nAccess,Getting there\n")
    with pytest.raises(CodebookError) as caught:
        read_codebook_table(sheet)
    assert str(caught.value) == f"{sheet}: is CSV text, not an Excel workbook: rename it to codes.csv"


def test_the_sample_codebook_still_loads():
    from tests.conftest import ROOT

    assert load_codebook(ROOT / "codebooks" / "sample.yaml").codes
