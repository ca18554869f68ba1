"""Loading and validating YAML codebooks."""

from __future__ import annotations

import pytest

from qualkit.codebook import load_codebook, parse_codebook
from qualkit.errors import CodebookError
from tests.conftest import ROOT, STUDY


def test_hierarchy_ids_and_paths():
    book = load_codebook(STUDY / "codebook.yaml")
    assert [(c.id, c.path_label, c.parent_id) for c in book.codes] == [
        ("isolation", "Isolation > Feeling isolated", ""),
        ("targets", "Work > Targets", ""),
        ("paperwork", "Work > Targets > Paperwork", "targets"),
    ]
    assert [t.id for t in book.themes] == ["theme-isolation", "theme-work"]
    assert book.codes[0].patterns[1].kind == "token"
    assert len(book.sha256) == 64


def test_sample_codebook_is_valid_and_big_enough():
    book = load_codebook(ROOT / "codebooks" / "sample.yaml")
    assert len(book.codes) >= 15
    assert len(book.top_themes()) >= 4


@pytest.mark.parametrize("text, message", [
    ("themes: [", "cb.yaml, line 1, column 10: malformed YAML: expected the node content"),
    ("", "cb.yaml: codebook is empty"),
    ("- a\n- b\n", "cb.yaml, line 1: expected a mapping with 'themes', got list (a list or mapping of codes, as other "
                   "tools keep them, is converted once with 'qualkit codebook import cb.yaml --out FILE.yaml')"),
    ("Hours: Opening times\nFines: Charges\n", "cb.yaml, line 1: none of its fields (Hours, Fines, ...) is a codebook's "
     "(themes, codes, name, ...) (a list or mapping of codes, as other tools keep them, is converted once with 'qualkit "
     "codebook import cb.yaml --out FILE.yaml')"),
    ("name: x\n", "cb.yaml, line 1, top level: no 'themes' (or 'codes') list"),
    ("themes:\n  - name: A\n    codes:\n      - name: B\n        patterns: [42]\n",
     "cb.yaml, line 5, column 20, code 'B', pattern 1: expected a string, a list of token dicts or a mapping, got 42"),
    ("themes:\n  - name: A\n    codes:\n      - definition: no name\n",
     "cb.yaml, line 4, column 9, code under 'A': missing 'name'"),
    ("themes:\n  - name: A\n    codes:\n      - name: B\n        colour: red\n",
     "cb.yaml, line 5, column 9, code 'B': 'colour' must be a hex colour like '#1f77b4', got 'red'"),
    ("themes:\n  - name: A\n    codes:\n      - {name: B, id: x}\n      - {name: C, id: x}\n",
     "cb.yaml, line 5, column 19, code 'C': id 'x' is already used at line 4"),
    ("themes:\n  - name: A\n    codes:\n      - name: B\n        patern: [x]\n",
     "cb.yaml, line 5, column 9, code 'B': unknown field 'patern' (did you mean 'patterns'?)"),
    ("themes:\n  - name: A\n    codes:\n      - name: B\n        keywords: [x]\n",
     "cb.yaml, line 5, column 9, code 'B': unknown field 'keywords' (did you mean 'patterns'?)"),
    ("themes:\n  - name: A\n    codes:\n      - name: B\n        weight: 2\n",
     "cb.yaml, line 5, column 9, code 'B': unknown field 'weight' (fields here: codes, color, colour, definition, "
     "description, examples, exclude, id, include, name, negation, patterns, roles, speakers, unit, within)"),
    ("themes:\n  - name: A\n    codes:\n      - name: B\n        patterns:\n          - [{LOWER: on}]\n",
     "cb.yaml, line 6, column 13, code 'B', pattern 1: token 1, LOWER: YAML reads unquoted on/off/yes/no as true; "
     "put the word in quotes"),
    ("themes:\n  - name: A\n    codes:\n      - name: B\n        unit: paragraph\n",
     "cb.yaml, line 5, column 9, code 'B': 'unit' must be match, sentence, turn or turn+N, got 'paragraph'"),
    ("themes:\n  - name: A\n    codes:\n      - name: B\n        patterns: ['*a']\n",
     "cb.yaml, line 5, column 20, code 'B', pattern 1: wildcard '*a' needs at least 2 letters besides '*'"),
    ("themes:\n  - name: A\n    codes:\n      - name: B\n        patterns: [{near: [a]}]\n",
     "cb.yaml, line 5, column 21, code 'B', pattern 1: 'near' must be a list of two patterns, got ['a']"),
    ("themes:\n  - name: A\n    codes:\n      - name: B\n        patterns: [{phrase: a, exact: b}]\n",
     "cb.yaml, line 5, column 20, code 'B', pattern 1: a pattern mapping needs exactly one of phrase, exact, word, "
     "tokens, near, exclude"),
    ("themes:\n  - name: A\n    codes:\n      - name: B\n        patterns: [{exclude: a}]\n",
     "cb.yaml, line 5, column 9, code 'B': has only 'exclude' patterns: nothing can code it"),
    ("themes:\n  - name: A\n    codes:\n      - name: B\n        within: [zz]\n        patterns: [b]\n",
     "cb.yaml, line 5, column 9, code 'B': 'within' names no code of this codebook: 'zz'"),
    ("themes:\n  - name: A\n    codes:\n      - {name: B, within: c, patterns: [b]}\n"
     "      - {name: C, within: b, patterns: [c]}\n",
     "cb.yaml, line 4, column 19, code 'B': 'within' makes a cycle: the code would need itself"),
])
def test_malformed_codebooks_name_file_line_and_field(text, message):
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, source="cb.yaml")
    assert str(caught.value).startswith(message)


def test_pattern_kinds_are_read_with_their_place():
    book = parse_codebook(
        "themes:\n  - name: A\n    codes:\n      - name: B\n        unit: turn + 2\n        patterns:\n"
        "          - feel isolated\n          - {exact: On My Own}\n          - isolat*\n"
        "          - {near: [feel, lonely], within: 3, ordered: true}\n          - {exclude: exercise book}\n",
        source="cb.yaml")
    code = book.codes[0]
    assert code.unit == "turn+2"
    assert [(p.kind, p.label(), p.line, p.column, p.veto) for p in code.patterns] == [
        ("phrase", "feel isolated", 7, 13, False),
        ("exact", '"On My Own"', 8, 14, False),
        ("wildcard", "isolat*", 9, 13, False),
        ("near", "near(feel, lonely, 3, ordered)", 10, 14, False),
        ("phrase", "exclude exercise book", 11, 14, True),
    ]
