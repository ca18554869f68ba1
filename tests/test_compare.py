"""Group comparison: counts and rates per 1,000 words by hand, Fisher's p against scipy, BH, co-occurrence."""

from __future__ import annotations

import pytest
from scipy.stats import false_discovery_control, fisher_exact

from qualkit.codebook import load_codebook
from qualkit.compare import codes_by_group, compare_two_groups, cooccurrence, newcombe_interval
from qualkit.readers import ReadOptions, read_transcripts, transcript_files
from qualkit.attributes import join_attributes, read_attributes
from qualkit.segments import CodedSegment
from tests.conftest import STUDY


@pytest.fixture(scope="module")
def transcripts():
    read = read_transcripts(transcript_files([STUDY / "transcripts"]), ReadOptions())
    return join_attributes(read, read_attributes(STUDY / "participants.csv"), str(STUDY / "participants.csv"))


def _segment(transcript, code_id, start, end, turn=0):
    return CodedSegment(transcript, "P", "participant", turn, code_id, code_id, start, end, "")


def test_group_table_counts_and_rates_by_hand(transcripts):
    codebook = load_codebook(STUDY / "codebook.yaml")
    segments = [_segment("A01", "targets", 0, 5), _segment("A01", "targets", 10, 15),
                _segment("B01", "targets", 0, 5), _segment("C01", "isolation", 0, 5)]
    table = codes_by_group(segments, transcripts, codebook, "group").set_index(["code_id", "group"])
    words = {t.id: t.participant_words() for t in transcripts}
    user_words = words["B01"] + words["C01"]
    assert table.loc[("targets", "worker"), ["segments", "participants", "group_size", "share"]].tolist() == [2, 1, 1, 100.0]
    assert table.loc[("targets", "user"), ["segments", "participants", "group_size", "share"]].tolist() == [1, 1, 2, 50.0]
    assert table.loc[("targets", "worker"), "per_1000_words"] == round(2000 / words["A01"], 2)
    assert table.loc[("targets", "user"), "words"] == user_words
    assert table.loc[("targets", "user"), "per_1000_words"] == round(1000 / user_words, 2)


def _table(rows):
    import pandas as pd
    return pd.DataFrame([{"code_id": c, "code": c, "group": g, "participants": n, "group_size": size}
                         for c, g, n, size in rows])


def test_two_groups_fisher_and_bh_match_scipy():
    table = _table([("a", "x", 5, 6), ("a", "y", 1, 5), ("b", "x", 3, 6), ("b", "y", 3, 5), ("c", "x", 0, 6),
                    ("c", "y", 4, 5)])
    result = compare_two_groups(table, "x", "y").set_index("code_id")
    expected = {c: fisher_exact(m)[1] for c, m in {"a": [[5, 1], [1, 4]], "b": [[3, 3], [3, 2]], "c": [[0, 6], [4, 1]]}.items()}
    for code, p in expected.items():
        assert result.loc[code, "p"] == round(p, 4)
    adjusted = false_discovery_control([expected["a"], expected["b"], expected["c"]], method="bh")
    assert result.loc["a", "p_adjusted"] == round(adjusted[0], 4)
    assert result.loc["a", "difference"] == round(100 * (5 / 6 - 1 / 5), 1)
    assert (result["note"] == "exploratory").all()


def test_codes_in_one_group_only_come_first():
    table = _table([("a", "x", 5, 6), ("a", "y", 0, 5), ("b", "x", 6, 6), ("b", "y", 0, 5), ("c", "x", 3, 6),
                    ("c", "y", 3, 5)])
    result = compare_two_groups(table, "x", "y")
    assert result["code_id"].tolist()[:2] == ["b", "a"] and result["only_in"].tolist() == ["x", "x", ""]


def test_newcombe_interval_matches_newcombe_1998_example():
    # Newcombe (1998), Statistics in Medicine 17:873, example (56/70 vs 48/80): 0.0524 to 0.3339.
    low, high = newcombe_interval(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_cooccurrence_within_units_and_turns():
    segments = [_segment("A01", "x", 0, 5, 0), _segment("A01", "y", 0, 5, 0), _segment("A01", "y", 6, 9, 0),
                _segment("A01", "x", 20, 25, 1)]
    units = cooccurrence(segments, "unit")
    assert units[["code_a", "code_b", "count", "jaccard"]].values.tolist() == [["x", "y", 1, round(1 / 3, 3)]]
    turns = cooccurrence(segments, "turn")
    assert turns[["count", "jaccard"]].values.tolist() == [[1, 0.5]]
