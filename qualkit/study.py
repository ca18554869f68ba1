"""The main job as one library call: read a study, code it, suggest themes, compare groups."""

from __future__ import annotations

import datetime as _dt
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

import pandas as pd

from qualkit import __version__
from qualkit.attributes import join_attributes, read_attributes
from qualkit.codebook import Codebook, load_codebook
from qualkit.coding import Coder, build_pipeline, pipeline_info
from qualkit.agreement import study_agreement
from qualkit.compare import codes_by_group, cooccurrence_tables, items_by_group, pairwise_tests
from qualkit.readers import ReadOptions, read_transcripts, transcript_files
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

    def methods(self) -> dict[str, Any]:
        """Return the methods trail: versions, pipeline, codebook file and hash, settings, date."""
        return {
            "qualkit_version": __version__,
            **self.pipeline,
            "codebook_file": self.codebook.source,
            "codebook_name": self.codebook.name,
            "codebook_version": self.codebook.version,
            "codebook_sha256": self.codebook.sha256,
            "created": self.created,
            "settings": {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self.settings).items()},
        }


def load_study(settings: StudySettings) -> tuple[list[Transcript], Codebook, list[str]]:
    """Read the transcripts (with attributes joined) and the codebook; return them and any warnings."""
    codebook = load_codebook(settings.codebook)
    options = ReadOptions(interviewer_labels=settings.interviewer_labels)
    skip = {Path(settings.attributes).resolve()} if settings.attributes else set()
    files = [f for f in transcript_files(settings.transcripts) if f.resolve() not in skip]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transcripts = read_transcripts(files, options)
        if settings.attributes:
            transcripts = join_attributes(transcripts, read_attributes(settings.attributes), settings.attributes)
    return transcripts, codebook, [str(w.message) for w in caught]


def run_study(settings: StudySettings = StudySettings(), progress: Progress | None = None) -> StudyResult:
    """Run the main job: read, code, suggest themes and compare groups. Writes nothing."""
    transcripts, codebook, notes = load_study(settings)
    nlp = build_pipeline(settings.model)
    coder = Coder(codebook, nlp, unit=settings.unit)
    units: list[Unit] = []
    segments: list[CodedSegment] = []
    set_aside: list[SetAsideHit] = []
    for transcript in (progress or _identity)(transcripts):
        segments.extend(coder.code([transcript], units, set_aside))
    pool = uncoded_units(units, segments) if settings.theme_mode == "residual" else units
    themes: list[SuggestedTheme] = []
    theme_methods: dict[str, Any] = {}
    theme_curve: list[dict[str, float]] = []
    fewest = 5 if settings.n_themes == "auto" else int(settings.n_themes)
    if len(pool) >= fewest * 5:
        found = suggest_themes(pool, transcripts, n_themes=settings.n_themes, method=settings.theme_method,
                               random_state=settings.seed, lemmatise=pipeline_lemmatiser(nlp), segments=segments,
                               group_by=settings.group_by)
        themes, theme_curve = list(found.themes), [dict(row) for row in found.k_curve]
        theme_methods = {**found.methods, "mode": settings.theme_mode}
    else:
        notes.append(f"too few {'uncoded ' if settings.theme_mode == 'residual' else ''}units ({len(pool)}) "
                     f"to suggest {fewest} themes")
    comparison = codes_by_group(segments, transcripts, codebook, settings.group_by)
    theme_labels = [(f"theme-{t.number}", f"Suggested theme {t.number}: {t.label}", "Suggested themes") for t in themes]
    theme_units = [(f"theme-{a.topic}", a.document) for a in (found.assignments if themes else ())]
    theme_comparison = items_by_group(theme_units, transcripts, theme_labels, settings.group_by).to_dict("records")
    human_coding = settings.human_coding
    if human_coding is None and settings.transcripts == (SAMPLE_TRANSCRIPTS,) and Path(SAMPLE_HUMAN_CODING).is_file():
        human_coding = SAMPLE_HUMAN_CODING
    agreement = (study_agreement(human_coding, units, segments, transcripts, unit=settings.unit, codebook=codebook)
                 if human_coding else None)
    created = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    return StudyResult(settings, transcripts, codebook, segments, units, themes, comparison,
                       pipeline_info(nlp), created, notes, theme_methods=theme_methods, theme_curve=theme_curve,
                       theme_comparison=theme_comparison, group_tests=pairwise_tests(comparison),
                       cooccurrence=cooccurrence_tables(segments), agreement=agreement, set_aside=set_aside)


def _identity(items: list[T]) -> Iterator[T]:
    return iter(items)
