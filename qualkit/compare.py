"""Comparison tables as pandas DataFrames: codes (or themes) by group with rates per 1,000 words,
exploratory two-group tests, and code co-occurrence."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import false_discovery_control, fisher_exact, norm

from qualkit.codebook import Codebook
from qualkit.readers import names_no_participant
from qualkit.segments import CodedSegment
from qualkit.transcript import PARTICIPANT, Transcript

UNKNOWN_GROUP = "(no value)"
GROUP_COLUMNS = ["code_id", "code", "theme", "group", "segments", "participants", "group_size", "share", "words",
                 "per_1000_words"]
TEST_COLUMNS = ["code_id", "code", "n_a", "size_a", "share_a", "n_b", "size_b", "share_b", "difference", "ci_low",
                "ci_high", "p", "p_adjusted", "only_in", "note"]
EXPLORATORY = ("exploratory: Fisher's exact test on participants with the code, Benjamini-Hochberg across codes, "
               "difference in share with a 95% Newcombe interval; not a confirmatory test")


PARTICIPANT_MEANING = "participants: speakers other than the interviewer, per transcript"


@dataclass(frozen=True)
class Participants:
    """Who the participants of a study are: the participant speakers of each transcript (speakers whose
    role is participant, not the interviewer). A transcript with one such speaker is one participant named
    by its id, as a one-to-one interview always was; in a focus group each named speaker is one, named
    ``<id>: <speaker>`` (``FG1: Anna``), and a voice naming no participant (``All``, ``Unknown``,
    ``Transcriber``) is none.

    ``speakers`` maps each transcript id to its participant speakers in order of first turn; a transcript
    not in it (run data written before speakers were kept) is one participant.
    """

    speakers: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, transcripts: Iterable[Transcript]) -> "Participants":
        """Return the participants of the transcripts, from their turns' roles."""
        return cls({t.id: participant_speakers(t) for t in transcripts})

    def named(self, transcript: str) -> tuple[str, ...]:
        """Return the transcript's speakers who are each a participant of their own (empty: the transcript is one)."""
        return self._named.get(transcript, ())

    @cached_property
    def _named(self) -> dict[str, tuple[str, ...]]:
        found = {t: tuple(s for s in speakers if not names_no_participant(s)) for t, speakers in self.speakers.items()}
        return {t: named for t, named in found.items() if len(named) > 1}

    def person(self, transcript: str, speaker: str) -> str | None:
        """Return the participant who spoke as ``speaker`` in ``transcript``, or None for a label naming no
        participant (``All``, ``Transcriber``) or a speaker who is not a participant (the interviewer) of a focus group."""
        named = self.named(transcript)
        if not named:
            return transcript
        return f"{transcript}: {speaker}" if speaker in named else None

    def people(self, transcript: str) -> tuple[str, ...]:
        """Return the participants of one transcript (its id alone unless it has several named participant speakers)."""
        return tuple(person for person, _ in self.members(transcript))

    def members(self, transcript: str) -> tuple[tuple[str, str], ...]:
        """Return ``(participant, speaker label)`` for each participant of a transcript; a transcript that is one
        participant gives ``(id, "")``."""
        named = self.named(transcript)
        return tuple((f"{transcript}: {s}", s) for s in named) if named else ((transcript, ""),)

    def who(self, items: Iterable[tuple[str, str]]) -> set[str]:
        """Return the distinct participants who said the ``(transcript, speaker)`` items."""
        return {p for p in (self.person(t, s) for t, s in items) if p is not None}

    def count(self, items: Iterable[tuple[str, str]]) -> int:
        """Return how many distinct participants said the ``(transcript, speaker)`` items."""
        return len(self.who(items))

    def sizes(self, groups: Mapping[str, str]) -> dict[str, int]:
        """Return participants per group, groups sorted, from ``{transcript id: group}`` (a transcript's group
        is every one of its participants' group)."""
        sizes: dict[str, int] = {}
        for transcript, group in groups.items():
            sizes[group] = sizes.get(group, 0) + len(self.people(transcript))
        return dict(sorted(sizes.items()))

    def several(self) -> bool:
        """Return whether any transcript holds several participants (a focus group)."""
        return any(self.named(t) for t in self.speakers)


def share(participants: int, size: int) -> float:
    """Participants as a percentage of the group, to one decimal; a share that is not zero never shows as 0.0
    (1 of 2,311 is 0.04, not 0.0), to one significant digit when smaller than 0.05."""
    if not size:
        return 0.0
    value = 100.0 * participants / size
    return round(value, 1) if round(value, 1) or not participants else float(f"{value:.1g}")


def participant_speakers(transcript: Transcript) -> tuple[str, ...]:
    """Return the labels of a transcript's participant speakers (role participant), in order of first turn."""
    return tuple(dict.fromkeys(turn.speaker for turn in transcript.turns if turn.role == PARTICIPANT))


def participant_groups(transcripts: Iterable[Transcript], attribute: str) -> dict[str, str]:
    """Return ``{transcript id: group}`` for an attribute; transcripts without it get ``(no value)``."""
    return {t.id: (t.attributes.get(attribute) or UNKNOWN_GROUP) for t in transcripts}


def items_by_group(
    items: Iterable[tuple[str, ...]], transcripts: Sequence[Transcript], labels: Sequence[tuple[str, str, str]],
    attribute: str = "group",
) -> pd.DataFrame:
    """Return one row per label and group for ``(label id, transcript, speaker)`` items (segments, theme units, ...).

    ``labels`` are ``(id, name, theme)`` in display order. Columns: ``GROUP_COLUMNS``: segments, participants
    with the label (``Participants``: a focus group's speakers each count), group size in participants, share
    (%) of the group's participants, the words the group's participants spoke, and segments per 1,000 of those
    words. An item without a speaker (``(label id, transcript)``) counts for its transcript's one participant.
    """
    groups = participant_groups(transcripts, attribute)
    participants = Participants.of(transcripts)
    sizes = participants.sizes(groups)
    words: dict[str, int] = {}
    for t in transcripts:
        words[groups[t.id]] = words.get(groups[t.id], 0) + t.participant_words()
    rows = []
    for label, tid, *speaker in items:
        rows.append((label, groups.get(tid, UNKNOWN_GROUP), participants.person(tid, speaker[0]) if speaker else tid))
    coded = pd.DataFrame(rows, columns=["code_id", "group", "participant"])
    counts = coded.groupby(["code_id", "group"]).agg(segments=("group", "size"), participants=("participant", "nunique"))
    table = []
    for code_id, name, theme in labels:
        for group in sizes:
            seg, part = counts.loc[(code_id, group)] if (code_id, group) in counts.index else (0, 0)
            size, spoken = int(sizes[group]), words.get(group, 0)
            table.append({
                "code_id": code_id, "code": name, "theme": theme, "group": group, "segments": int(seg),
                "participants": int(part), "group_size": size,
                "share": share(int(part), size), "words": spoken,
                "per_1000_words": round(1000.0 * int(seg) / spoken, 2) if spoken else 0.0,
            })
    return pd.DataFrame(table, columns=GROUP_COLUMNS)


def codes_by_group(
    segments: Iterable[CodedSegment], transcripts: Iterable[Transcript], codebook: Codebook, attribute: str = "group"
) -> pd.DataFrame:
    """Return one row per code and group (``GROUP_COLUMNS``): segments, participants coded (each participant
    speaker of a transcript: ``Participants``), group size, share (%) of the group's participants, participant
    words and segments per 1,000 words."""
    labels = [(c.id, c.path_label, c.theme) for c in codebook.codes]
    return items_by_group(((s.code_id, s.transcript, s.speaker) for s in segments), list(transcripts), labels,
                          attribute)


def newcombe_interval(x1: int, n1: int, x2: int, n2: int, confidence: float = 0.95) -> tuple[float, float]:
    """Return the Newcombe (hybrid Wilson score) interval for p1 - p2, as proportions."""
    z = float(norm.ppf(0.5 + confidence / 2))

    def wilson(x: int, n: int) -> tuple[float, float]:
        if n == 0:
            return 0.0, 1.0
        p = x / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return float(centre - half), float(centre + half)

    p1, p2 = (x1 / n1 if n1 else 0.0), (x2 / n2 if n2 else 0.0)
    l1, u1 = wilson(x1, n1)
    l2, u2 = wilson(x2, n2)
    d = p1 - p2
    return (float(d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)), float(d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)))


def compare_two_groups(table: pd.DataFrame, group_a: str, group_b: str) -> pd.DataFrame:
    """Return per code the difference in the share of participants between two groups (``TEST_COLUMNS``).

    From a ``codes_by_group`` table: Fisher's exact p, Benjamini-Hochberg adjusted p across codes, the
    difference in percentage points with a 95% Newcombe interval. Codes found in one group only come
    first, then by adjusted p. Every figure is exploratory (see ``EXPLORATORY``).
    """
    rows = []
    for code_id, part in table.groupby("code_id", sort=False):
        a = part[part["group"] == group_a]
        b = part[part["group"] == group_b]
        if a.empty or b.empty:
            continue
        na, sa, nb, sb = int(a["participants"].iloc[0]), int(a["group_size"].iloc[0]), int(b["participants"].iloc[0]), int(b["group_size"].iloc[0])
        if na == 0 and nb == 0:
            continue
        p = float(fisher_exact([[na, sa - na], [nb, sb - nb]])[1])
        low, high = newcombe_interval(na, sa, nb, sb)
        only = group_a if nb == 0 else group_b if na == 0 else ""
        rows.append({
            "code_id": code_id, "code": a["code"].iloc[0], "n_a": na, "size_a": sa,
            "share_a": share(na, sa), "n_b": nb, "size_b": sb, "share_b": share(nb, sb),
            "difference": round(100.0 * (na / sa - nb / sb), 1) if sa and sb else 0.0,
            "ci_low": round(100.0 * low, 1), "ci_high": round(100.0 * high, 1), "p": p, "only_in": only,
            "note": "exploratory",
        })
    result = pd.DataFrame(rows, columns=[c for c in TEST_COLUMNS if c != "p_adjusted"])
    result.insert(result.columns.get_loc("p") + 1, "p_adjusted",
                  false_discovery_control(result["p"].to_numpy(), method="bh") if len(result) else [])
    result["p"] = result["p"].round(4)
    result["p_adjusted"] = result["p_adjusted"].astype(float).round(4)
    order = result.assign(_one=(result["only_in"] == "").astype(int)).sort_values(["_one", "p_adjusted", "code"], kind="stable")
    return order.drop(columns="_one").reset_index(drop=True)


def cooccurrence(segments: Iterable[CodedSegment], within: str = "unit") -> pd.DataFrame:
    """Return how often pairs of codes share a unit (same start/end) or a turn: count and Jaccard.

    Jaccard is the count over the units (or turns) holding either code. Pairs that never meet are left out.
    """
    if within not in ("unit", "turn"):
        raise ValueError(f"within must be 'unit' or 'turn', got {within!r}")
    places: dict[str, set[tuple[str, int, int]]] = {}
    names: dict[str, str] = {}
    for s in segments:
        key = (s.transcript, s.start, s.end) if within == "unit" else (s.transcript, s.turn, -1)
        places.setdefault(s.code_id, set()).add(key)
        names[s.code_id] = s.code_path
    codes = sorted(places)
    rows = []
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            both = len(places[a] & places[b])
            if both:
                either = len(places[a] | places[b])
                rows.append({"code_a": names[a], "code_b": names[b], "within": within, "count": both,
                             "jaccard": round(both / either, 3)})
    table = pd.DataFrame(rows, columns=["code_a", "code_b", "within", "count", "jaccard"])
    return table.sort_values(["count", "jaccard", "code_a", "code_b"], ascending=[False, False, True, True]).reset_index(drop=True)


def _records(table: pd.DataFrame) -> list[dict[str, object]]:
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in table.to_dict("records")]


def pairwise_tests(table: pd.DataFrame) -> list[dict[str, object]]:
    """Return the two-group comparison for every pair of groups in a ``codes_by_group`` table, as plain data."""
    groups = sorted(set(table["group"])) if not table.empty else []
    sizes = {g: int(table.loc[table["group"] == g, "group_size"].iloc[0]) for g in groups}
    return [{
        "group_a": a, "group_b": b, "size_a": sizes[a], "size_b": sizes[b], "note": EXPLORATORY,
        "rows": _records(compare_two_groups(table, a, b)),
    } for i, a in enumerate(groups) for b in groups[i + 1:]]


def cooccurrence_tables(segments: Sequence[CodedSegment]) -> dict[str, list[dict[str, object]]]:
    """Return code co-occurrence within units and within turns, as plain rows."""
    return {within: _records(cooccurrence(segments, within)) for within in ("unit", "turn")}
