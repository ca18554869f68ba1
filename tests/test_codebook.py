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
    ("- a\n- b\n", "cb.yaml, line 1: expected a mapping with 'themes', got list"),
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
     "cb.yaml, line 5, column 9, code 'B': unknown field 'patern'"),
])
def test_malformed_codebooks_name_file_line_and_field(text, message):
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, source="cb.yaml")
    assert str(caught.value).startswith(message)
