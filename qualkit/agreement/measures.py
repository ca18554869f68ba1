"""Agreement between codings at the unit level: precision/recall/F1, Cohen's kappa per code,
Krippendorff's alpha, and the list of disagreements for refining a codebook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from qualkit.codebook import PATH_SEPARATOR
from qualkit.segments import CodedSegment, Unit

MIN_COVER = 0.5
AGREEMENT_COLUMNS = ["code", "n_units", "n_a", "n_b", "n_both", "precision", "recall", "f1", "kappa", "alpha"]


@dataclass(frozen=True)
class Disagreement:
    """A unit one coding gave a code and the other did not."""

    transcript: str
    start: int
    end: int
    text: str
    code: str
    coded_by: str
    missed_by: str


@dataclass(frozen=True)
class Agreement:
    """Agreement of coding ``a`` with coding ``b`` (the reference) over the same units.

    ``per_code`` has the columns of ``AGREEMENT_COLUMNS``; ``overall`` holds the same figures pooled
    over every (unit, code) decision.
    """

    coder_a: str
    coder_b: str
    unit: str
    units: int
    per_code: pd.DataFrame
    overall: Mapping[str, Any]
    disagreements: tuple[Disagreement, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """Return the figures as plain data (for JSON and the report)."""
        return {
            "coder_a": self.coder_a, "coder_b": self.coder_b, "unit": self.unit, "units": self.units,
            "codes": [{k: _plain(v) for k, v in row.items()} for row in self.per_code.to_dict("records")],
            "overall": {k: _plain(v) for k, v in self.overall.items()},
            "disagreements": [vars(d) for d in self.disagreements],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else round(float(value), 4)
    return value


def code_key(segment: CodedSegment, level: int | None = None) -> str:
    """Return the code's path label, cut to its first ``level`` parts when given."""
    parts = [p.strip() for p in segment.code_path.split(PATH_SEPARATOR.strip())] if segment.code_path else [segment.code_id]
    return PATH_SEPARATOR.join(parts[:level] if level else parts)


def unit_codes(
    units: Sequence[Unit], segments: Sequence[CodedSegment], *, key: str = "path", level: int | None = None,
    min_cover: float = MIN_COVER,
) -> list[frozenset[str]]:
    """Return each unit's codes: those of segments covering at least ``min_cover`` of the unit's
    characters, or lying wholly inside it. ``key`` is ``path`` (code path) or ``id``."""
    by_transcript: dict[str, list[CodedSegment]] = {}
    for segment in segments:
        by_transcript.setdefault(segment.transcript, []).append(segment)
    result = []
    for unit in units:
        length = max(unit.end - unit.start, 1)
        codes = set()
        for s in by_transcript.get(unit.transcript, ()):
            overlap = min(unit.end, s.end) - max(unit.start, s.start)
            if overlap > 0 and (overlap >= min_cover * length or (unit.start <= s.start and s.end <= unit.end)):
                codes.add(s.code_id if key == "id" else code_key(s, level))
        result.append(frozenset(codes))
    return result


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Return Cohen's kappa of two binary ratings of the same items (nan when undefined)."""
    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    n = len(a)
    if n == 0:
        return float("nan")
    observed = np.mean(a == b)
    pa, pb = a.mean(), b.mean()
    expected = pa * pb + (1 - pa) * (1 - pb)
    return float("nan") if expected == 1 else float((observed - expected) / (1 - expected))


def krippendorff_alpha(ratings: np.ndarray) -> float:
    """Return Krippendorff's alpha (nominal) of a coders x items matrix; NaN entries are missing ratings."""
    data = np.asarray(ratings, dtype=float)
    values = np.unique(data[~np.isnan(data)])
    if len(values) < 2:
        return float("nan") if len(values) == 0 else 1.0
    coincidence = np.zeros((len(values), len(values)))
    for column in data.T:
        present = column[~np.isnan(column)]
        m = len(present)
        if m < 2:
            continue
        counts = np.array([(present == v).sum() for v in values], dtype=float)
        coincidence += (np.outer(counts, counts) - np.diag(counts)) / (m - 1)
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return float("nan")
    observed = n - np.trace(coincidence)
    expected = (n * n - (n_c ** 2).sum()) / (n - 1)
    return float("nan") if expected == 0 else float(1 - observed / expected)


def _figures(a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    n_a, n_b, both = int(a.sum()), int(b.sum()), int((a & b).sum())
    precision = both / n_a if n_a else float("nan")
    recall = both / n_b if n_b else float("nan")
    f1 = 2 * both / (n_a + n_b) if n_a + n_b else float("nan")
    return {"n_units": len(a), "n_a": n_a, "n_b": n_b, "n_both": both, "precision": precision, "recall": recall,
            "f1": f1, "kappa": cohen_kappa(a, b), "alpha": krippendorff_alpha(np.vstack([a, b]).astype(float))}


def compare_codings(
    units: Sequence[Unit], coding_a: Sequence[CodedSegment], coding_b: Sequence[CodedSegment], *,
    coder_a: str = "A", coder_b: str = "B", unit: str = "sentence", level: int | None = None,
    codes: Sequence[str] | None = None,
) -> Agreement:
    """Return the agreement of coding A with coding B (the reference) over the units, per code and pooled.

    Codes are compared by their path (cut to ``level`` parts when given); ``codes`` fixes the list
    (default: every code either coding used).
    """
    a_codes = unit_codes(units, coding_a, level=level)
    b_codes = unit_codes(units, coding_b, level=level)
    names = list(codes) if codes is not None else sorted(set().union(*a_codes, *b_codes))
    rows, stack_a, stack_b, disagreements = [], [], [], []
    for name in names:
        a = np.array([name in c for c in a_codes], dtype=bool)
        b = np.array([name in c for c in b_codes], dtype=bool)
        rows.append({"code": name, **_figures(a, b)})
        stack_a.append(a)
        stack_b.append(b)
        for i in np.flatnonzero(a ^ b):
            u = units[i]
            by, missed = (coder_a, coder_b) if a[i] else (coder_b, coder_a)
            disagreements.append(Disagreement(u.transcript, u.start, u.end, u.text, name, by, missed))
    pooled_a = np.concatenate(stack_a) if stack_a else np.zeros(0, dtype=bool)
    pooled_b = np.concatenate(stack_b) if stack_b else np.zeros(0, dtype=bool)
    overall = _figures(pooled_a, pooled_b)
    overall["n_units"] = len(units)
    overall["codes"] = len(names)
    disagreements.sort(key=lambda d: (d.transcript, d.start, d.code))
    return Agreement(coder_a, coder_b, unit, len(units), pd.DataFrame(rows, columns=AGREEMENT_COLUMNS), overall,
                     tuple(disagreements))


def alpha_across(units: Sequence[Unit], codings: Mapping[str, Sequence[CodedSegment]], *,
                 level: int | None = None) -> dict[str, float]:
    """Return Krippendorff's alpha per code across several coders, and ``(all codes)`` pooled."""
    per_coder = {name: unit_codes(units, segs, level=level) for name, segs in codings.items()}
    names = sorted(set().union(*(c for codes in per_coder.values() for c in codes)))
    result, pooled = {}, []
    for name in names:
        matrix = np.array([[float(name in c) for c in codes] for codes in per_coder.values()])
        result[name] = krippendorff_alpha(matrix)
        pooled.append(matrix)
    result["(all codes)"] = krippendorff_alpha(np.hstack(pooled)) if pooled else float("nan")
    return result


def study_agreement(
    path: str, units: Sequence[Unit], segments: Sequence[CodedSegment], transcripts: Sequence[Any], *,
    unit: str = "sentence", codebook: Any = None,
) -> dict[str, Any]:
    """Return qualkit's coding against a human coding file, over the transcripts the human coded, as plain data.

    Keys: those of ``Agreement.to_dict`` (``coder_a`` is ``auto``, ``coder_b`` the human, the reference),
    plus ``source``, ``transcripts`` (the ids compared) and ``unlocated`` (segments not found, with reasons).
    """
    from qualkit.agreement.human import read_human_coding

    human = read_human_coding(path, transcripts, codebook=codebook)
    covered = sorted({s.transcript for s in human.segments})
    shared_units = [u for u in units if u.transcript in covered]
    auto = [s for s in segments if s.transcript in covered]
    result = compare_codings(shared_units, auto, human.segments, coder_a="auto", coder_b=human.coder, unit=unit)
    return {**result.to_dict(), "source": human.source, "transcripts": covered,
            "unlocated": [vars(u) for u in human.unlocated]}
