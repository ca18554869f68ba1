"""The main job as one library call: read a study, code it, suggest themes, compare groups."""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

import pandas as pd

from qualkit import __version__
from qualkit.codebook import Codebook
from qualkit.coding import Coder, build_pipeline, pipeline_info
from qualkit.agreement import study_agreement
from qualkit.compare import codes_by_group, cooccurrence_tables, items_by_group, pairwise_tests
from qualkit.errors import CodingError, StoreError
from qualkit.inputs import StudyInput, check_group_by, load_study, read_study  # noqa: F401  (re-exported)
from qualkit.segments import CodedSegment, SetAsideHit, Unit
from qualkit.themes import SuggestedTheme, pipeline_lemmatiser, suggest_themes, uncoded_units
from qualkit.settings import (  # noqa: F401  (re-exported: the study's settings live beside it)
    SAMPLE_ATTRIBUTES, SAMPLE_CODEBOOK, SAMPLE_HUMAN_CODING, SAMPLE_TRANSCRIPTS, StudySettings,
)
from qualkit.transcript import Transcript

T = TypeVar("T")
Progress = Callable[[list[Transcript]], Iterable[Transcript]]


@dataclass
class StudyResult:
    """What a run found: the study's records, coded segments, suggested themes and comparisons."""

    settings: StudySettings
    transcripts: list[Transcript]
    codebook: Codebook
    segments: list[CodedSegment]
    units: list[Unit]
    themes: list[SuggestedTheme]
    comparison: pd.DataFrame
    pipeline: dict[str, str]
    created: str
    warnings: list[str] = field(default_factory=list)
    theme_methods: dict[str, Any] = field(default_factory=dict)
    theme_curve: list[dict[str, float]] = field(default_factory=list)
    theme_comparison: list[dict[str, Any]] = field(default_factory=list)
    group_tests: list[dict[str, Any]] = field(default_factory=list)
    cooccurrence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    agreement: dict[str, Any] | None = None
    set_aside: list[SetAsideHit] = field(default_factory=list)
    segment_ids: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    review: dict[str, Any] | None = None
    memos: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    human_coding: str | None = None

    def methods(self) -> dict[str, Any]:
        """Return the methods trail: versions, pipeline, codebook file and hash, settings, date."""
        return {
            "qualkit_version": __version__,
            **self.pipeline,
            "codebook_file": self.codebook.source,
            "codebook_name": self.codebook.name,
            "codebook_version": self.codebook.version,
            "codebook_sha256": self.codebook.sha256,
            "human_coding": self.human_coding or "none",
            "study": self.settings.study or "none",
            "coding": (self.settings.coding if self.settings.study else "automatic (this run)"),
            "skipped_files": [s["reason"] for s in self.skipped] or "none",  # each reason names its file
            **_review_trail(self.review, self.settings.coding),
            "created": self.created,
            "settings": {k: (list(v) if isinstance(v, tuple) else v)
                         for k, v in {**asdict(self.settings), "human_coding": self.human_coding}.items()},
        }


def _review_trail(review: dict[str, Any] | None, coding: str) -> dict[str, Any]:
    """The methods trail's lines on a study's review: counts by status, reviewers, per-code acceptance."""
    if not review:
        return {}
    shares = review.get("per_code_acceptance") or {}
    return {
        "review": ", ".join(f"{k} {review.get(k, 0)}" for k in
                            ("automatic", "accepted", "rejected", "recoded", "manual", "pending", "orphaned")),
        "reviewers": ", ".join(review.get("reviewers") or []) or "none",
        "coding_reported": ("every automatic coding" if coding == "auto"
                            else "accepted, recoded and manual codings (pending left out)"),
        "automatic_codings_accepted": ", ".join(f"{code}: {'—' if v is None else f'{round(100 * v)}%'}"
                                                for code, v in shares.items()) or "none decided",
    }


def run_study(settings: StudySettings = StudySettings(), progress: Progress | None = None) -> StudyResult:
    """Run the main job: read, code, suggest themes and compare groups. Writes nothing.

    With ``settings.study`` the transcripts, codebook and coding come from that study folder: its reviewed
    coding (accepted, recoded and manual codings; pending ones left out and counted) or, with
    ``settings.coding == 'auto'``, its latest automatic coding.
    """
    if settings.human_coding and not Path(settings.human_coding).is_file():
        raise CodingError(f"--human {settings.human_coding}: human coding file not found")
    if settings.coding not in ("reviewed", "auto"):
        raise StoreError(f"--coding {settings.coding!r}: choose reviewed or auto")
    review: StudyCoding | None = _study_coding(settings) if settings.study else None
    if review is not None:
        transcripts, codebook, notes, skipped = review.transcripts, review.codebook, list(review.notes), []
    else:
        found = read_study(settings)
        transcripts, codebook, notes, skipped = found.transcripts, found.codebook, found.notes, found.skipped
    nlp = build_pipeline(settings.model)
    coder = Coder(codebook, nlp, unit=settings.unit)
    units: list[Unit] = []
    segments: list[CodedSegment] = []
    set_aside: list[SetAsideHit] = []
    for transcript in (progress or _identity)(transcripts):
        segments.extend(coder.code([transcript], units, set_aside))
    if review is not None:
        segments, set_aside = review.segments, review.set_aside
    pool = uncoded_units(units, segments) if settings.theme_mode == "residual" else units
    themes: list[SuggestedTheme] = []
    theme_methods: dict[str, Any] = {}
    theme_curve: list[dict[str, float]] = []
    fewest = 5 if settings.n_themes == "auto" else int(settings.n_themes)
    if len(pool) >= fewest * 5:
        try:
            found_themes = suggest_themes(pool, transcripts, n_themes=settings.n_themes, method=settings.theme_method,
                                          random_state=settings.seed, lemmatise=pipeline_lemmatiser(nlp),
                                          segments=segments, group_by=settings.group_by)
        except ValueError as exc:  # scikit-learn on a tiny pool ("no terms remain"): a note, not the run's end
            notes.append(f"no themes suggested from {len(pool)} units: {exc}")
        else:
            themes, theme_curve = list(found_themes.themes), [dict(row) for row in found_themes.k_curve]
            theme_methods = {**found_themes.methods, "mode": settings.theme_mode}
    else:
        notes.append(f"too few {'uncoded ' if settings.theme_mode == 'residual' else ''}units ({len(pool)}) "
                     f"to suggest {fewest} theme{'' if fewest == 1 else 's'}")
    comparison = codes_by_group(segments, transcripts, codebook, settings.group_by)
    theme_labels = [(f"theme-{t.number}", f"Suggested theme {t.number}: {t.label}", "Suggested themes") for t in themes]
    speakers = {(unit.transcript, unit.start): unit.speaker for unit in pool}  # a focus group's speakers each count
    theme_units = [(f"theme-{a.topic}", a.document, speakers.get((a.document, a.start), ""))
                   for a in (found_themes.assignments if themes else ())]
    theme_comparison = items_by_group(theme_units, transcripts, theme_labels, settings.group_by).to_dict("records")
    human_coding = settings.human_coding
    if human_coding is None and settings.transcripts == (SAMPLE_TRANSCRIPTS,) and not settings.study \
            and Path(SAMPLE_HUMAN_CODING).is_file():
        human_coding = SAMPLE_HUMAN_CODING
    agreement = (study_agreement(human_coding, units, segments, transcripts, unit=settings.unit, codebook=codebook)
                 if human_coding else None)
    created = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    return StudyResult(settings, transcripts, codebook, segments, units, themes, comparison,
                       pipeline_info(nlp), created, notes, theme_methods=theme_methods, theme_curve=theme_curve,
                       theme_comparison=theme_comparison, group_tests=pairwise_tests(comparison),
                       cooccurrence=cooccurrence_tables(segments), agreement=agreement, set_aside=set_aside,
                       segment_ids=review.segment_ids if review else [], statuses=review.statuses if review else [],
                       review=review.summary if review else None, memos=review.memos if review else [],
                       skipped=skipped, human_coding=human_coding)


@dataclass
class StudyCoding:
    """A study folder's coding, as ``run_study`` uses it."""

    transcripts: list[Transcript]
    codebook: Codebook
    segments: list[CodedSegment]
    segment_ids: list[str]
    statuses: list[str]
    set_aside: list[SetAsideHit]
    summary: dict[str, Any]
    memos: list[dict[str, Any]]
    notes: list[str]


def _study_coding(settings: StudySettings) -> StudyCoding:
    from qualkit.store import open_study, reviewed_coding

    found = reviewed_coding(settings.study, coding=settings.coding)  # type: ignore[arg-type]
    notes = check_group_by(found.transcripts, settings)
    pending = int(found.summary.get("pending") or 0)
    if settings.coding == "reviewed" and pending:
        notes.append(f"{pending} automatic codings of {settings.study} are still pending review and are left out "
                     "(--coding auto reports every automatic coding)")
    statuses, summary = list(found.statuses), dict(found.summary)
    with open_study(settings.study) as study:  # type: ignore[arg-type]
        summary["reviewers"] = sorted(set(summary.get("reviewers") or []) | set(study.coders()))  # everyone who decided
        if settings.coding == "auto":  # every automatic coding, each with what reviewers decided on it so far
            decided = {s["segment_id"]: s["status"] for s in study.segments()}
            statuses = [decided.get(i, "auto") if decided.get(i) in ("accepted", "recoded", "rejected") else "auto"
                        for i in found.segment_ids]
    return StudyCoding(list(found.transcripts), found.codebook, list(found.segments), list(found.segment_ids),
                       statuses, list(found.set_aside), summary, list(found.memos), notes)


def _identity(items: list[T]) -> Iterator[T]:
    return iter(items)
