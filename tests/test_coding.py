"""Coding a small transcript: exact codes, offsets and matched words."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit.codebook import parse_codebook
from qualkit.coding import Coder
from qualkit.errors import CodebookError
from qualkit.readers.common import ReadOptions
from qualkit.readers.text import read_text

CODEBOOK = """
name: test
themes:
  - name: Isolation
    codes:
      - id: isolated
        name: Feeling isolated
        patterns:
          - feel isolated
          - [{LOWER: "on"}, {LOWER: "my", OP: "?"}, {LOWER: "own"}]
  - name: Work
    codes:
      - id: targets
        name: Targets
        patterns: [target]
"""

TEXT = """Interviewer: Do you feel isolated? What about targets?
P01: Yes. Felt isolated for years, on my own. Then it got better.
And I was feeling isolated again, on own.
P02: Targets, targets. I never mind them.
"""


def transcript(text: str = TEXT):
    return read_text(Path("t1.txt"), text.encode(), ReadOptions())


def coded(nlp, unit: str = "sentence"):
    coder = Coder(parse_codebook(CODEBOOK), nlp, unit=unit)
    return list(coder.code([transcript()]))


def test_lemma_phrase_and_token_pattern_code_sentences_with_exact_offsets(nlp):
    t = transcript()
    got = [(s.code_id, s.start, s.end, s.text, [(m.text, m.start, m.end, m.pattern) for m in s.matches])
           for s in coded(nlp)]
    first = t.text.index("Felt isolated for years")
    second = t.text.index("And I was feeling")
    third = t.text.index("Targets, targets.")
    assert got == [
        ("isolated", first, first + 35, "Felt isolated for years, on my own.", [
            ("Felt isolated", first, first + 13, "feel isolated"),
            ("on my own", first + 25, first + 34, "[LOWER=on] [LOWER=my]? [LOWER=own]"),
        ]),
        ("isolated", second, second + 41, "And I was feeling isolated again, on own.", [
            ("feeling isolated", second + 10, second + 26, "feel isolated"),
            ("on own", second + 34, second + 40, "[LOWER=on] [LOWER=my]? [LOWER=own]"),
        ]),
        ("targets", third, third + 17, "Targets, targets.", [
            ("Targets", third, third + 7, "target"),
            ("targets", third + 9, third + 16, "target"),
        ]),
    ]


def test_every_segment_text_is_the_transcript_at_its_offsets(nlp):
    t = transcript()
    for segment in coded(nlp):
        assert t.text[segment.start:segment.end] == segment.text
        for match in segment.matches:
            assert t.text[match.start:match.end] == match.text


def test_interviewer_speech_is_not_coded(nlp):
    assert {s.speaker for s in coded(nlp)} == {"P01", "P02"}


def test_turn_unit_codes_the_whole_turn_once(nlp):
    t = transcript()
    segments = coded(nlp, unit="turn")
    isolated = [s for s in segments if s.code_id == "isolated"]
    assert len(isolated) == 1
    assert isolated[0].text == t.turn_text(t.turns[1])
    assert len(isolated[0].matches) == 4


def test_invalid_token_pattern_names_file_code_and_pattern(nlp):
    bad = parse_codebook(CODEBOOK.replace('{LOWER: "own"}', '{LOWER: "own", OP: "!!"}'), source="cb.yaml")
    with pytest.raises(CodebookError, match=r"^cb\.yaml, line 10, column 13, code 'Feeling isolated', pattern 2: "
                       r"invalid token pattern: token 3, OP: Input should be '\+', '\*', '\?' or '!'$"):
        Coder(bad, nlp)


def test_a_transcribers_note_opens_the_next_sentence_not_the_end_of_the_last(nlp):
    text = "Interviewer: And then?\nP01: I went in expecting a telling off. [laughs] And he felt isolated too.\n"
    t = read_text(Path("t2.txt"), text.encode(), ReadOptions())
    segments = list(Coder(parse_codebook(CODEBOOK), nlp).code([t]))
    assert [s.text for s in segments] == ["[laughs] And he felt isolated too."]
