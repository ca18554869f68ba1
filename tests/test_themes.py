"""Theme suggestion: the estimator, residual mode, determinism, and the themes command's JSON and CSV."""

from __future__ import annotations

import csv
import json
import re

import pytest
from click.testing import CliRunner

from qualkit.cli import main
from qualkit.themes import suggest_from_files
from qualkit.themes import ThemeSuggester
from qualkit.themes import npmi_coherence, stability, topic_diversity
from tests.conftest import FIXTURES

THEMES = FIXTURES / "themes"
TEXTS = [
    "tomato garden compost soil", "garden bean compost water", "garden soil weeding bean",
    "bus stop late driver", "bus timetable late stop", "bus driver stop shelter",
    "rent money benefit bill", "money benefit rent gas", "gas bill rent money",
]


def _files(**options):
    return suggest_from_files([THEMES / "transcripts"], interviewer_labels=["Interviewer"], **options)


def test_estimator_follows_scikit_learn_conventions():
    model = ThemeSuggester(3, min_df=1, max_df=1.0)
    assert model.fit(TEXTS) is model
    assert model.n_themes_ == 3 and model.weights_.shape == (9, 3)
    assert sorted({tuple(sorted(set(model.labels_[i:i + 3]))) for i in (0, 3, 6)}) == [(0,), (1,), (2,)]


def test_estimator_rejects_a_bad_number_of_themes():
    with pytest.raises(ValueError, match="n_themes must be a positive whole number or 'auto', got 0"):
        ThemeSuggester(0).fit(TEXTS)


def test_same_seed_gives_the_same_themes():
    first, second = _files(n_themes="auto", seed=3), _files(n_themes="auto", seed=3)
    assert [t.terms for t in first.themes] == [t.terms for t in second.themes]
    assert first.assignments == second.assignments


def test_residual_mode_never_quotes_a_coded_unit():
    found = _files(codebook=THEMES / "codebook.yaml", n_themes=2)
    quotes = [q.text for theme in found.themes for q in theme.quotes]
    assert quotes and not any(re.search(r"\bbus\b", text, re.I) for text in quotes)
    assert found.methods["mode"] == "residual (units no code touched)"


def test_full_corpus_mode_themes_every_unit():
    found = _files(n_themes=3)
    assert len(found.assignments) == 18 and sum(t.units for t in found.themes) == 18
    assert any(t.label.startswith("garden") for t in found.themes)


def test_quotes_come_from_different_participants_first():
    found = _files(n_themes=3)
    garden = next(t for t in found.themes if t.label.startswith("garden"))
    assert {q.transcript for q in garden.quotes[:2]} == {"G01", "G02"}
    assert all(len(q.text.split()) >= 8 for theme in found.themes for q in theme.quotes)


def test_auto_k_keeps_its_curve():
    found = _files(n_themes="auto")
    assert [row["k"] for row in found.k_curve] == [2]  # 18 sentences: at most one theme per ten
    assert found.methods["k"] in [row["k"] for row in found.k_curve]
    assert "stability" in found.methods["k_chosen_by"]


@pytest.mark.parametrize(("texts", "k_range"), [(5000, (10, 20)), (150, (10, 15)), (60, (6, 6)), (9, (2, 2))])
def test_auto_k_takes_10_to_20_themes_and_one_per_ten_texts_at_most(texts, k_range):
    assert ThemeSuggester()._k_range(texts) == k_range


def test_topic_diversity_and_stability():
    assert topic_diversity([["a", "b"], ["b", "c"]]) == 0.75
    import numpy as np
    first = np.array([[3.0, 2.0, 0.0, 0.0], [0.0, 0.0, 2.0, 3.0]])
    assert stability(first, first[::-1], n_terms=2) == 1.0


def test_npmi_of_terms_always_together_is_one():
    from scipy import sparse
    presence = sparse.csr_matrix([[1, 1, 0], [1, 1, 0], [0, 0, 1]])
    assert npmi_coherence([[0, 1]], presence) == [pytest.approx(1.0)]
    assert npmi_coherence([[0, 2]], presence) == [-1.0]


def test_themes_command_writes_json_and_csv(tmp_path):
    out_json, out_csv = tmp_path / "themes.json", tmp_path / "themes.csv"
    result = CliRunner().invoke(main, ["themes", str(THEMES / "transcripts"), "--interviewer", "Interviewer",
                                       "--k", "3", "--json", str(out_json), "--csv", str(out_csv)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("3 themes (nmf, k 3: set by the user; full corpus, 18 units)")
    data = json.loads(out_json.read_text())
    assert list(data) == ["method", "topics", "assignments"]
    assert list(data["topics"][0]) == ["id", "label", "terms", "quotes", "sentences", "participants", "by_group"]
    assert sum(t["sentences"] for t in data["topics"]) == len(data["assignments"])
    quote = data["topics"][0]["quotes"][0]
    text = (THEMES / "transcripts" / f"{quote['document']}.txt").read_text()
    assert text[quote["start"]:quote["end"]] == quote["text"]
    rows = list(csv.DictReader(out_csv.open()))
    assert list(rows[0]) == ["document", "start", "end", "topic", "weight"] and len(rows) == 18


def test_themes_command_rejects_a_bad_k():
    result = CliRunner().invoke(main, ["themes", str(THEMES / "transcripts"), "--k", "many"])
    assert result.exit_code == 2
    assert "expected a positive whole number or 'auto', got 'many'" in result.output


def test_a_theme_quote_is_shown_as_its_one_sentence_not_joined_to_its_neighbour():
    # A short sentence quoted for a code is widened to its neighbours; a theme quote is one whole sentence.
    import dataclasses

    from qualkit.report import report_context, study_data
    from qualkit.report.quotes import quote_span
    from qualkit.study import StudySettings, run_study
    from qualkit.themes import SuggestedTheme

    report = FIXTURES / "report"
    result = run_study(StudySettings(transcripts=(str(report / "transcripts"),), attributes=str(report / "participants.csv"),
                                     codebook=str(report / "codebook.yaml"), n_themes=1))
    texts = {t.id: t for t in result.transcripts}

    def widened(unit):
        transcript = texts[unit.transcript]
        turn = transcript.turns[unit.turn]
        return quote_span(transcript.text, (turn.start, turn.end), unit.start, unit.end) != (unit.start, unit.end)

    unit = next(u for u in result.units if widened(u))
    theme = SuggestedTheme(number=1, label="test", terms=(), quotes=(unit,), units=1, participants=(unit.transcript,))
    quote = report_context(study_data(dataclasses.replace(result, themes=[theme])))["suggested"][0]["quotes"][0]
    assert quote["full_text"] == unit.text
    assert (quote["start"], quote["end"]) == (unit.start, unit.end)
