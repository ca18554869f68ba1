"""Choosing the number of themes, residual-mode context and quotes, and interview stop words."""

from __future__ import annotations

import pytest

from qualkit.themes import INTERVIEW_STOP_WORDS, ThemeSuggester
from qualkit.themes import supported_middle_k
from qualkit.segments import CodedSegment, Unit
from qualkit.themes import suggest_themes
from qualkit.themes.suggest import _joined_turns
from tests.conftest import FIXTURES
from tests.test_themes import _files

FLAT = [(5, 0.80), (6, 0.74), (7, 0.72), (8, 0.75), (9, 0.78), (10, 0.79), (11, 0.77), (12, 0.71),
        (13, 0.71), (14, 0.73), (15, 0.72)]


def test_a_flat_stability_curve_gives_the_middle_of_the_range():
    assert supported_middle_k(FLAT, 0.1) == (10, [k for k, _ in FLAT])


def test_a_clear_peak_wins_over_the_middle():
    curve = [(k, 0.9 if k == 6 else 0.6) for k in range(5, 16)]
    assert supported_middle_k(curve, 0.1) == (6, [6])


def test_zero_tolerance_takes_the_most_stable_k():
    assert supported_middle_k(FLAT, 0.0) == (5, [5])


def test_a_tie_around_the_middle_takes_the_larger_k():
    assert supported_middle_k([(5, 0.5), (6, 0.8), (7, 0.5), (8, 0.8), (9, 0.5)], 0.0) == (8, [6, 8])


def test_the_curve_marks_the_supported_k():
    found = _files(n_themes="auto")
    supported = [row["k"] for row in found.k_curve if row["supported"]]
    assert found.methods["k"] in supported
    assert "nearest the middle of the range" in found.methods["k_chosen_by"]


@pytest.mark.parametrize("word", ["tell", "ask", "come", "start", "talk", "people", "year"])
def test_generic_speech_words_are_interview_stop_words(word):
    assert word in INTERVIEW_STOP_WORDS


def test_speech_words_never_become_theme_terms():
    texts = ["I tell them the bus is late", "people tell me the bus driver waits", "I ask about the bus stop",
             "they tell me the rent is due", "people ask about rent money", "I ask the landlord for rent"]
    model = ThemeSuggester(2, min_df=1, max_df=1.0).fit(texts)
    terms = {term for theme in model.terms_ for term, _ in theme}
    assert {"bus", "rent"} <= terms and not terms & {"tell", "ask", "people"}


def test_residual_turn_context_is_only_the_uncoded_units():
    units = [Unit("A", 1, "P", 0, 10, "x"), Unit("A", 1, "P", 30, 40, "y"), Unit("A", 3, "P", 50, 60, "z")]
    assert _joined_turns(units, ["rent money", "gas bill", "garden"]) == ["rent money gas bill"] * 2 + ["garden"]


def test_residual_mode_is_detected_and_said_in_the_methods():
    found = _files(codebook=FIXTURES / "themes" / "codebook.yaml", n_themes=2)
    assert found.methods["residual"] is True
    assert "(its uncoded units only) and 0.5 x the interviewer's preceding question" in found.methods["context"]
    assert "joined across the interviewer's back-channels" in found.methods["context"]
    assert "using at least 1 of the theme's top 10 terms, one per participant" in found.methods["quotes"]


def test_full_corpus_mode_keeps_question_context_and_the_quote_rule():
    found = _files(n_themes=3)
    assert found.methods["residual"] is False
    assert "1.0 x its turn's (joined across" in found.methods["context"]
    assert ("and 2.0 x the interviewer's preceding question's (the last turn that is not a back-channel, nor by someone "
            "recording the session)") in found.methods["context"]
    assert found.methods["quotes"].startswith("whole sentences of at least 8 spoken words using at least 1 of the")


@pytest.mark.parametrize("codebook", [None, "codebook.yaml"])
def test_quotes_use_a_top_term_of_their_theme(codebook):
    found = _files(codebook=FIXTURES / "themes" / codebook if codebook else None, n_themes=2)
    assert found.themes and all(theme.quotes for theme in found.themes)
    for theme in found.themes:
        top = {term for term, _ in theme.terms}
        for quote in theme.quotes:
            words = set(quote.text.lower().replace(".", " ").replace(",", " ").split())
            assert words & top or any(term in quote.text.lower() for term in top), (theme.label, quote.text)


@pytest.mark.parametrize(("segment_start", "residual"), [(0, False), (500, True)])
def test_residual_mode_means_no_given_segment_touches_a_unit(segment_start, residual):
    texts = ["the garden soil needs compost and water daily", "the garden beans need compost and water now",
             "the bus driver never waits at the bus stop", "the bus timetable changed and the bus is late"]
    units = [Unit(f"T{i}", 0, "P", 0, len(text), text) for i, text in enumerate(texts)]
    segment = CodedSegment("T0", "P", "participant", 0, "x", "X", segment_start, segment_start + 5, "text")
    found = suggest_themes(units, n_themes=2, segments=[segment])
    assert found.methods["residual"] is residual


def test_themes_that_rise_and_fall_together_over_passages_are_merged():
    import numpy as np

    blocks = [(0, 1), (2,), (3,), (0, 1), (2,), (3,)]
    weights = np.zeros((60, 4))
    for b, themes in enumerate(blocks):
        for t in themes:
            weights[b * 10:(b + 1) * 10, t] = 1.0 + 0.1 * np.arange(10) % 3
    model = ThemeSuggester(min_themes=2, window=1, window_decay=0.5, merge_below=0.95)
    model.weights_, model.components_, model.n_themes_ = weights, np.eye(4), 4
    model._merge(np.zeros(60, dtype=int))
    assert model.merged_ == [[0, 1], [2], [3]] and model.n_themes_ == 3
    assert model.weights_.shape == (60, 3) and model.components_[0].tolist() == [1.0, 1.0, 0.0, 0.0]


def test_a_number_of_themes_given_by_the_user_is_never_merged():
    found = _files(n_themes=3)
    assert found.methods["k"] == 3 == found.methods["k_before_merging"]


def test_quotes_using_two_theme_terms_come_before_heavier_passing_mentions():
    import numpy as np

    from qualkit.themes.suggest import _quote_scores

    # Three sentences, one theme: heavy but one theme term; light but two; as light, two terms among many words.
    weights = np.array([[0.9], [0.3], [0.3]])
    shares = np.ones_like(weights)
    local = np.ones_like(weights)
    term_counts = np.array([[1], [2], [2]])
    content = np.array([3.0, 3.0, 12.0])
    scores = _quote_scores(weights, shares, local, term_counts, content)[:, 0]
    assert list(np.argsort(-scores)) == [1, 2, 0]


def test_a_sentence_moves_to_the_theme_its_words_and_context_are_nearest():
    """After the factorisation, a sentence whose strongest theme only just wins goes to the theme whose
    sentences it is most like; one the other theme has no weight in stays; no rounds, no change."""
    import numpy as np
    from scipy import sparse

    from qualkit.themes.model import _refine

    # Words: bus, stop, garden, water. Sentences 0-2 talk buses, 3-5 gardens; 6 talks buses but its weights
    # barely favour gardens; 7 talks buses with no garden weight at all; 8 has no words.
    features = sparse.csr_matrix(np.array([
        [1, 1, 0, 0], [1, 0.8, 0, 0], [0.9, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 0.7], [0, 0, 0.8, 1],
        [1, 1, 0, 0.1], [1, 1, 0, 0], [0, 0, 0, 0]], dtype=np.float32))
    weights = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1], [0.45, 0.5], [0.2, 0], [0, 0]])
    first = np.array([0, 0, 0, 1, 1, 1, 1, 0, -1])
    refined = _refine(features, weights, first, 3)
    assert refined.tolist() == [0, 0, 0, 1, 1, 1, 0, 0, -1]
    assert _refine(features, weights, first, 0).tolist() == first.tolist()
    assert ThemeSuggester(3, random_state=0).refine == 3


def test_the_methods_trail_says_how_sentences_were_given_their_theme():
    found = _files(n_themes=4)
    assert "strongest theme, then up to 3 rounds" in found.methods["assignment"]
