"""Each pattern kind, negation, exclusion, restriction and unit: exact codes, passages and offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit.codebook import parse_codebook
from qualkit.coding import Coder
from qualkit.errors import PipelineError
from qualkit.readers.common import ReadOptions
from qualkit.readers.text import read_text

TEXT = """Interviewer: How was the winter?
P01: I never felt isolated. But the loneliness was real, on my own most days.
I did some exercise. I lost my exercise book though.
Interviewer: And your GP?
P01: My GP was kind. Feeling so isolated was hard.
"""


def transcript(text: str = TEXT):
    return read_text(Path("t1.txt"), text.encode(), ReadOptions())


def run(nlp, codes: str, text: str = TEXT, unit: str = "sentence"):
    book = parse_codebook("themes:\n  - name: T\n    codes:\n" + codes, source="cb.yaml")
    aside: list = []
    segments = list(Coder(book, nlp, unit=unit).code([transcript(text)], set_aside=aside))
    return segments, aside


def where(fragment: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(fragment)
    return start, start + len(fragment)


def spans(segments):
    return [(s.code_id, s.text, [(m.text, m.start, m.end, m.kind) for m in s.matches]) for s in segments]


def test_lemma_phrase_codes_inflected_forms(nlp):
    text = "P01: Felt isolated for years. Now I am feeling isolated less.\n"
    segments, _ = run(nlp, "      - {id: iso, name: Iso, patterns: [feel isolated]}\n", text)
    assert spans(segments) == [
        ("iso", "Felt isolated for years.", [("Felt isolated", *where("Felt isolated", text), "phrase")]),
        ("iso", "Now I am feeling isolated less.", [("feeling isolated", *where("feeling isolated", text), "phrase")]),
    ]


def test_exact_phrase_matches_lower_case_words_only(nlp):
    codes = "      - {id: own, name: Own, patterns: [{exact: on my own}, {exact: feeling}]}\n"
    segments, _ = run(nlp, codes)
    assert spans(segments) == [
        ("own", "But the loneliness was real, on my own most days.",
         [("on my own", *where("on my own"), "exact")]),
        ("own", "Feeling so isolated was hard.", [("Feeling", *where("Feeling"), "exact")]),
    ]


def test_exact_phrase_does_not_match_other_forms(nlp):
    segments, _ = run(nlp, "      - {id: f, name: F, patterns: [{exact: feel}]}\n")
    assert segments == []


def test_wildcards_match_word_beginnings_and_middles(nlp):
    segments, aside = run(nlp, "      - {id: iso, name: Iso, patterns: [isolat*, '*loneli*']}\n")
    assert spans(segments) == [
        ("iso", "But the loneliness was real, on my own most days.",
         [("loneliness", *where("loneliness"), "wildcard")]),
        ("iso", "Feeling so isolated was hard.", [("isolated", *where("isolated was")[:1],
                                                  where("isolated was")[0] + 8, "wildcard")]),
    ]
    assert [(h.text, h.status, h.reason) for h in aside] == [("isolated", "negated", "negated by 'never'")]


def test_token_pattern_with_optional_token(nlp):
    codes = "      - {id: own, name: Own, patterns: [[{LOWER: \"on\"}, {LOWER: my, OP: '?'}, {LOWER: own}]]}\n"
    segments, _ = run(nlp, codes)
    assert spans(segments) == [("own", "But the loneliness was real, on my own most days.",
                                [("on my own", *where("on my own"), "token")])]


def test_near_pattern_in_order_within_distance(nlp):
    codes = "      - {id: n, name: N, patterns: [{near: [feel, isolat*], within: 1, ordered: true}]}\n"
    segments, aside = run(nlp, codes)
    start = TEXT.index("Feeling so isolated")
    assert spans(segments) == [("n", "Feeling so isolated was hard.",
                                [("Feeling so isolated", start, start + 19, "near")])]
    assert [(h.text, h.status) for h in aside] == [("felt isolated", "negated")]


@pytest.mark.parametrize("near, found", [
    ("{near: [isolat*, feel], within: 1, ordered: true}", 0),
    ("{near: [isolat*, feel], within: 1}", 1),
    ("{near: [feel, isolat*], within: 0}", 0),
])
def test_near_pattern_order_and_distance(nlp, near, found):
    segments, _ = run(nlp, f"      - {{id: n, name: N, patterns: [{near}]}}\n")
    assert len(segments) == found


def test_exclusion_vetoes_the_code_in_its_unit_and_lists_the_hit(nlp):
    codes = "      - {id: ex, name: Exercise, patterns: [exercise, {exclude: exercise book}]}\n"
    segments, aside = run(nlp, codes)
    assert spans(segments) == [("ex", "I did some exercise.", [("exercise", *where("exercise"), "phrase")])]
    book = TEXT.index("exercise book")
    assert [(h.code_id, h.text, h.start, h.end, h.status, h.reason) for h in aside] == [
        ("ex", "exercise", book, book + 8, "excluded", "excluded by 'exercise book'"),
    ]


@pytest.mark.parametrize("sentence, negator", [
    ("I never felt isolated.", "never"),
    ("I didn't feel isolated at all.", "n't"),
    ("Honestly not isolated.", "not"),
    ("No, I was isolated.", None),
    ("I was not working and isolated.", None),
])
def test_negation_sets_hits_aside(nlp, sentence, negator):
    segments, aside = run(nlp, "      - {id: iso, name: Iso, patterns: [isolated]}\n", f"P01: {sentence}\n")
    assert [h.reason for h in aside] == ([f"negated by '{negator}'"] if negator else [])
    assert len(segments) == (0 if negator else 1)


def test_negation_can_be_switched_off_per_code(nlp):
    segments, aside = run(nlp, "      - {id: iso, name: Iso, negation: false, patterns: [isolated]}\n")
    assert [s.text for s in segments] == ["I never felt isolated.", "Feeling so isolated was hard."]
    assert aside == []


def test_within_restricts_to_passages_of_another_code(nlp):
    codes = ("      - {id: iso, name: Iso, patterns: [isolated]}\n"
             "      - {id: gp, name: GP, within: [iso], patterns: [GP]}\n")
    text = "P01: My GP was kind. I felt isolated and my GP knew.\n"
    segments, aside = run(nlp, codes, text)
    assert [(s.code_id, s.text) for s in segments] == [
        ("iso", "I felt isolated and my GP knew."), ("gp", "I felt isolated and my GP knew."),
    ]
    assert [(h.code_id, h.start, h.status, h.reason) for h in aside] == [
        ("gp", text.index("GP"), "restricted", "not inside a passage coded 'iso'"),
    ]


def test_roles_and_speakers_restrict_a_code(nlp):
    codes = ("      - {id: gp, name: GP, roles: [interviewer], patterns: [GP]}\n"
             "      - {id: kind, name: Kind, speakers: [P02], patterns: [kind]}\n")
    segments, _ = run(nlp, codes)
    assert [(s.code_id, s.speaker, s.text) for s in segments] == [("gp", "Interviewer", "And your GP?")]


@pytest.mark.parametrize("unit, texts", [
    ("match", ["on my own", "loneliness"][::-1]),
    ("sentence", ["But the loneliness was real, on my own most days."]),
    ("turn", ["I never felt isolated. But the loneliness was real, on my own most days.\n"
              "I did some exercise. I lost my exercise book though."]),
    ("turn+1", ["How was the winter?\nP01: I never felt isolated. But the loneliness was real, on my own most days.\n"
                "I did some exercise. I lost my exercise book though.\nInterviewer: And your GP?"]),
])
def test_each_unit_gives_one_segment_per_unit(nlp, unit, texts):
    codes = "      - {id: alone, name: Alone, patterns: [loneliness, {exact: on my own}]}\n"
    segments, _ = run(nlp, codes, unit=unit)
    assert [s.text for s in segments] == texts
    assert {s.unit for s in segments} == {unit}
    for segment in segments:
        assert TEXT[segment.start:segment.end] == segment.text


def test_overlapping_and_adjacent_matches_make_one_match_segment(nlp):
    codes = "      - {id: o, name: O, unit: match, patterns: [{exact: my own}, {exact: on my}, {exact: most days}]}\n"
    segments, _ = run(nlp, codes)
    assert [(s.text, len(s.matches)) for s in segments] == [("on my own most days", 3)]


def test_code_unit_overrides_the_run_default(nlp):
    codes = "      - {id: g, name: G, unit: turn, patterns: [GP]}\n"
    segments, _ = run(nlp, codes, unit="sentence")
    assert [(s.unit, s.text) for s in segments] == [("turn", "My GP was kind. Feeling so isolated was hard.")]


def test_pos_pattern_without_a_tagger_names_file_code_and_pattern(nlp):
    book = parse_codebook("themes:\n  - name: T\n    codes:\n      - name: Adj\n        patterns:\n"
                          "          - [{POS: ADJ}, {LEMMA: day}]\n", source="cb.yaml")
    with pytest.raises(PipelineError, match=r"^cb\.yaml, line 6, column 13, code 'Adj', pattern 1: token 1 uses POS, "
                       r"which the pipeline \(sentencizer, qualkit_bracket_sentences, qualkit_lemmatizer\) does not set; use a trained pipeline"):
        Coder(book, nlp)


def test_pos_pattern_with_a_pipeline_that_sets_pos():
    from qualkit.coding import build_pipeline

    nlp = build_pipeline()
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "most"}]], {"POS": "ADJ"})
    codes = "      - {id: adj, name: Adj, unit: match, patterns: [[{POS: ADJ}, {LEMMA: day}]]}\n"
    segments, _ = run(nlp, codes)
    assert [(s.text, s.start, s.matches[0].kind) for s in segments] == [("most days", TEXT.index("most days"), "token")]
