"""``qualkit codebook check``: the report pinned for a small fixture, and its structural problems."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from qualkit.coding import check_codebook, structural_problems
from qualkit.cli import main
from qualkit.codebook import load_codebook, parse_codebook
from tests.conftest import FIXTURES

CODING = FIXTURES / "coding"


def test_check_report_for_the_fixture_is_pinned():
    result = CliRunner().invoke(main, ["codebook", "check", str(CODING / "codebook.yaml"), str(CODING / "transcripts")])
    assert result.exit_code == 0, result.output
    expected = (CODING / "check_expected.txt").read_text(encoding="utf-8")
    assert result.output == expected.replace("tests/fixtures/coding/codebook.yaml", str(CODING / "codebook.yaml"))


def test_check_finds_never_matching_over_broad_and_shared(nlp):
    from qualkit.coding import Coder
    from qualkit.readers import read_transcripts

    book = load_codebook(CODING / "codebook.yaml")
    report = check_codebook(book, read_transcripts([CODING / "transcripts"]), Coder(book, nlp))
    assert [(p.code_id, p.label) for p in report.never] == [("care", "home help")]
    assert [(p.code_id, p.label, p.hits) for p in report.broad] == [("care", "care", 10)]
    assert report.shared == [("activity", "lonely", 1)]
    stats = {c.code_id: (c.hits, c.units, c.participants, c.negated, c.vetoed) for c in report.codes}
    assert stats == {"care": (10, 5, 2, 0, 0), "lonely": (2, 1, 1, 1, 0), "activity": (3, 3, 2, 1, 1)}


def test_check_without_transcripts_reports_structure_only():
    result = CliRunner().invoke(main, ["codebook", "check", str(CODING / "codebook.yaml")])
    assert result.exit_code == 0
    assert result.output.endswith("Structure:\n  - code 'activity' (line 21) has no definition\n"
                                  "  - pattern 'lonely' is in codes 'lonely' (line 15), 'activity' (line 21)\n")


def test_structural_problems_name_codes_without_patterns_and_repeats():
    book = parse_codebook("themes:\n  - name: A\n    codes:\n      - {name: B, definition: b}\n"
                          "      - {name: C, definition: c, patterns: [x, x]}\n")
    assert structural_problems(book) == [
        "code 'b' (line 4) has no patterns: it is never applied automatically",
        "code 'c' (line 5) repeats pattern 'x'",
    ]


@pytest.mark.parametrize("codebook, error", [
    ("themes:\n  - name: A\n    codes:\n      - name: B\n        unit: page\n",
     "line 5, column 9, code 'B': 'unit' must be match, sentence, turn or turn+N, got 'page'"),
    # found only by building the matchers, which check does without transcripts too
    ('themes:\n  - name: A\n    codes:\n      - name: x\n        definition: d\n'
     '        patterns: [[{"LEMMA": "wait", "OP": "?x"}]]\n',
     "line 6, column 20, code 'x', pattern 1: invalid token pattern: token 1, OP: Input should be '+', '*', '?' or '!'"),
])
def test_check_of_a_broken_codebook_is_one_clear_error(tmp_path, codebook, error):
    bad = tmp_path / "cb.yaml"
    bad.write_text(codebook)
    result = CliRunner().invoke(main, ["codebook", "check", str(bad)])
    assert result.exit_code == 1
    assert result.output == f"Error: {bad}, {error}\n"


def test_a_codebook_sheet_given_where_yaml_is_read_says_how_to_convert_it(tmp_path):
    sheet = tmp_path / "codebook.csv"
    sheet.write_text("code_path,description\nAccess,Getting to the service\n", encoding="utf-8")
    for command in (["codebook", "check", str(sheet)], ["code", str(CODING / "transcripts"), "--codebook", str(sheet),
                                                        "--out", str(tmp_path / "out")]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1
        assert result.output == (f"Error: {sheet}: is a codebook sheet, not a YAML codebook: convert it once with "
                                 f"'qualkit codebook import {sheet} --out {tmp_path / 'codebook.yaml'}', add patterns, "
                                 f"and use the YAML\n")
    assert not (tmp_path / "out").exists()
