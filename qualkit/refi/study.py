"""A study exported in one call: read it as ``qualkit run`` does, code it and/or add a human coding."""

from __future__ import annotations

import datetime as _dt
import warnings
from dataclasses import asdict
from pathlib import Path

from qualkit.errors import ExchangeError
from qualkit.refi.export import export_project
from qualkit.segments import CodedSegment
from qualkit.study import StudySettings, load_study

CODINGS = ("auto", "human", "both")


def export_study(settings: StudySettings, out: str | Path, codings: str = "auto",
                 human: str | Path | None = None) -> tuple[Path, list[CodedSegment], list[str]]:
    """Export a study as a ``.qdpx``: its transcripts, codebook, attributes and the chosen codings
    (qualkit's auto-coding, a human coding file, or both as two users). Returns the path, the codings
    written and any warnings."""
    if codings not in CODINGS:
        raise ExchangeError(f"--codings must be one of {', '.join(CODINGS)}, got {codings!r}")
    if codings in ("human", "both") and human is None:
        raise ExchangeError(f"--codings {codings} needs a human coding file (--human FILE)")
    transcripts, codebook, notes = load_study(settings)
    segments: list[CodedSegment] = []
    if codings in ("auto", "both"):
        from qualkit.coding import code_transcripts

        segments.extend(code_transcripts(transcripts, codebook, model=settings.model, unit=settings.unit))
    if codings in ("human", "both") and human is not None:
        from qualkit.agreement import read_human_coding

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            coding = read_human_coding(human, transcripts, codebook=codebook)
        notes += [str(w.message) for w in caught]
        if coding.unlocated:
            notes.append(coding.summary())
        segments.extend(coding.segments)
    settings_trail = {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(settings).items()}
    methods = {"settings": settings_trail, "codings": codings,
               "created": _dt.datetime.now().astimezone().isoformat(timespec="seconds")}
    path = export_project(out, transcripts, codebook, segments, methods)
    return path, segments, notes
