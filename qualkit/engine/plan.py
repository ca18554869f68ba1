"""The plan of a distributed run: the inputs in a fixed order, split into named parts by size.

The same inputs, codebook and settings always give the same plan (and plan id), so a task Dask runs
twice writes the same part, and ``--resume`` knows which parts a folder already holds. Transcript
files keep the order ``qualkit code`` reads them in (folders sorted by name) and are grouped into
parts of about ``part_bytes``; a survey table is split into row ranges of about ``part_rows`` rows
(read once, streaming, to find row boundaries and duplicate ids).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

from qualkit.readers import (
    SeenIds, Speakers, StudyInterviewers, SurveyColumns, SurveyReport, plan_survey, study_interviewers, survey_files,
    transcript_files,
)
from qualkit.transcript import DEFAULT_INTERVIEWER_LABELS

PART_BYTES = 4_000_000  # about 700,000 words of plain-text transcripts
PART_ROWS = 50_000  # about 700,000 words of survey responses of 14 words
FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class Job:
    """What every part is coded with: the codebook's text (workers build their pipeline and matchers
    from it, once each) and the settings that decide the result."""

    codebook_text: str
    codebook_source: str
    unit: str = "sentence"
    model: str | None = None
    interviewer_labels: tuple[str, ...] = DEFAULT_INTERVIEWER_LABELS
    text_column: str | None = None
    id_column: str | None = None
    format: str = "csv"

    def key(self) -> str:
        """Return a digest of everything that decides a part's output (the worker's cache key)."""
        data = asdict(self)
        data.pop("codebook_source")
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Part:
    """One task of the plan: whole transcript files, or a slice of a survey table (see ``SurveyPart``)."""

    name: str
    files: tuple[str, ...] = ()
    survey: dict[str, Any] | None = None
    size: int = 0
    interviewers: tuple[tuple[str, StudyInterviewers], ...] = ()
    """Per transcript of the part's files: the study's own interviewers found across all the files (read as
    the interviewer, as ``qualkit code --jobs 1`` reads them) and the note saying so; told to the parts
    after the plan is made (``tell_interviewers``), so not part of the plan's id."""

    def describe(self) -> str:
        """Return what the part holds, for messages."""
        if self.survey is not None:
            rows = self.survey["first_row"]
            return f"{self.survey['path']} rows {rows}-{rows + self.size - 1}"
        return ", ".join(self.files[:3]) + (f" and {len(self.files) - 3} more" if len(self.files) > 3 else "")


@dataclass
class Plan:
    """The parts of a run in order, its id, and the rows left out while planning (duplicate ids)."""

    parts: list[Part]
    id: str
    left_out: dict[str, SurveyReport] = field(default_factory=dict)


def make_plan(paths: Sequence[str | Path], job: Job, *, part_bytes: int = PART_BYTES,
              part_rows: int = PART_ROWS) -> Plan:
    """Return the deterministic plan of coding ``paths`` with ``job``."""
    parts: list[Part] = []
    reports: dict[str, SurveyReport] = {}
    inputs: list[tuple[str, int, int]] = []
    if job.text_column:
        seen = SeenIds()
        columns = SurveyColumns(job.text_column, job.id_column)
        for path in survey_files(paths):
            own = reports[str(path)] = SurveyReport(str(path))
            inputs.append(_fingerprint(path))
            for piece in plan_survey(path, columns, part_rows, seen=seen, report=own):
                survey = {"path": piece.path, "start": piece.start, "stop": piece.stop,
                          "first_row": piece.first_row, "skip": list(piece.skip)}
                parts.append(Part(f"part-{len(parts):05d}", survey=survey, size=piece.size))
    else:
        group: list[str] = []
        size = 0
        for path in transcript_files(paths):
            group.append(str(path))
            inputs.append(_fingerprint(path))
            size += inputs[-1][1]
            if size >= part_bytes:
                parts.append(Part(f"part-{len(parts):05d}", files=tuple(group), size=size))
                group, size = [], 0
        if group:
            parts.append(Part(f"part-{len(parts):05d}", files=tuple(group), size=size))
    described = json.dumps({"job": job.key(), "inputs": inputs, "parts": [asdict(p) for p in parts]}, sort_keys=True)
    return Plan(parts, hashlib.sha256(described.encode("utf-8")).hexdigest(), reports)


def tell_interviewers(plan: Plan, speakers: Sequence[Sequence[Speakers]]) -> Plan:
    """Return the plan whose parts each hold the study's own interviewers found across all its files (from
    every part's ``part_speakers``, in plan order) for the part's own transcripts."""
    found = study_interviewers([one for part in speakers for one in part])
    return replace(plan, parts=[replace(part, interviewers=tuple(item for item in found.items()
                                                                 if item[1].source in part.files))
                                for part in plan.parts])


def _fingerprint(path: Path) -> tuple[str, int, int]:
    """An input as the plan knows it: path, size and modification time (a changed input is a new plan)."""
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns
