"""A study exported in one call: read it as ``qualkit run`` does, code it and/or add a human coding."""

from __future__ import annotations

import datetime as _dt
import warnings
from dataclasses import asdict
from pathlib import Path

from qualkit.errors import ExchangeError
from qualkit.refi.export import export_project
from qualkit.refi.guids import IDS_FILE, ForeignIds, coding_key
from qualkit.segments import CodedSegment
from qualkit.inputs import load_study
from qualkit.settings import StudySettings

CODINGS = ("auto", "human", "both")


def kept_ids(settings: StudySettings, ids: str | Path | None) -> tuple[ForeignIds | None, list[str]]:
    """Return the GUIDs to keep: from ``ids``, else from a ``guids.json`` beside the codebook (a study
    ``qualkit import qdpx`` wrote), with a note saying which file was used."""
    path = Path(ids) if ids else Path(settings.codebook).parent / IDS_FILE
    if not ids and not path.is_file():
        return None, []
    found = ForeignIds.read(path)
    return found, [f"kept the GUIDs{f' of {found.origin}' if found.origin else ''} from {path} "
                   f"({len(found.codes)} codes, {len(found.sources)} sources, {len(found.codings)} codings)"]


def export_study(settings: StudySettings, out: str | Path, codings: str = "auto", human: str | Path | None = None,
                 *, positions: str = "characters", ids: str | Path | None = None,
                 ) -> tuple[Path, list[CodedSegment], list[str]]:
    """Export a study as a ``.qdpx``: its transcripts, codebook, attributes and the chosen codings
    (qualkit's auto-coding, a human coding file, or both as two users), keeping the GUIDs of an imported
    study (``ids``, or ``guids.json`` beside its codebook). Returns the path, the codings written and
    the warnings."""
    if codings not in CODINGS:
        raise ExchangeError(f"--codings must be one of {', '.join(CODINGS)}, got {codings!r}")
    if codings in ("human", "both") and human is None:
        raise ExchangeError(f"--codings {codings} needs a human coding file (--human FILE)")
    kept, notes = kept_ids(settings, ids)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transcripts, codebook, loaded = load_study(settings, grouped=False)  # an export compares no groups
        segments: list[CodedSegment] = []
        if codings in ("auto", "both"):
            from qualkit.coding import code_transcripts

            segments.extend(code_transcripts(transcripts, codebook, model=settings.model, unit=settings.unit))
        if codings in ("human", "both") and human is not None:
            from qualkit.agreement import read_human_coding

            coding = read_human_coding(human, transcripts, codebook=codebook)
            if coding.unlocated:
                notes.append(coding.summary())
            segments.extend(coding.segments)
        settings_trail = {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(settings).items()}
        methods = {"settings": settings_trail, "codings": codings,
                   "created": _dt.datetime.now().astimezone().replace(microsecond=0).isoformat()}
        path = export_project(out, transcripts, codebook, segments, methods, ids=kept, positions=positions)
    notes = loaded + notes + list(dict.fromkeys(str(w.message) for w in caught))
    return path, segments, notes


def export_reviewed(study: str | Path, out: str | Path, *, coding: str = "reviewed", positions: str = "characters",
                    ids: str | Path | None = None) -> tuple[Path, list[CodedSegment], list[str]]:
    """Export a study folder's reviewed coding (``qualkit study``): each coding under the coder who stands
    behind it, dated by that coder's latest decision (automatic codings by the export's time), with the
    study's transcripts, attributes and codebook; GUIDs kept from ``ids`` or the study's ``guids.json``.
    Returns the path, the codings written and the warnings."""
    from qualkit.store import open_study, reviewed_coding

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reviewed = reviewed_coding(study, coding=coding)
        with open_study(study) as opened:
            decided = {s["segment_id"]: (s.get("decided_by"), s.get("decided_at")) for s in opened.segments()}
        created = {}
        for segment, segment_id in zip(reviewed.segments, reviewed.segment_ids):
            who, when = decided.get(segment_id, (None, None))
            if who == segment.coder and when:
                created[coding_key(segment.transcript, segment.start, segment.end, segment.code_id, segment.coder)] = when
        beside = Path(study) / IDS_FILE
        kept, notes = kept_ids(reviewed.settings, ids or (beside if beside.is_file() else None))
        methods = {"study": str(study), "codings": coding, "review": reviewed.summary,
                   "created": _dt.datetime.now().astimezone().replace(microsecond=0).isoformat()}
        path = export_project(out, reviewed.transcripts, reviewed.codebook, reviewed.segments, methods,
                              ids=kept, created=created, positions=positions)
    return path, reviewed.segments, notes + list(dict.fromkeys(str(w.message) for w in caught))
