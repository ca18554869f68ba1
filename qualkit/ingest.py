"""The library side of ``qualkit ingest``: read transcripts, summarise each file, write the turns table.

:func:`ingest` reads files and folders and returns an :class:`IngestReport` with, per file, the format
detected, the speakers with their turn and word counts, and the warnings raised while reading it (so a
researcher can spot a mis-parse before coding). :func:`write_turns` writes every turn as a table.
"""

from __future__ import annotations

import contextlib
import importlib.util
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

from qualkit.errors import ReportError
from qualkit.readers import ReadOptions, check_reading, expand, read_one, recurring_interviewers
from qualkit.transcript import Transcript

TURN_COLUMNS = ["transcript", "turn", "speaker", "role", "start", "end", "timestamp", "end_timestamp", "text"]


@dataclass(frozen=True)
class SpeakerSummary:
    """One speaker of one transcript: how many turns and words."""

    speaker: str
    role: str
    turns: int
    words: int


@dataclass(frozen=True)
class FileSummary:
    """What reading one transcript gave: its format, speakers, size and warnings."""

    path: str
    transcript: str
    format: str
    speakers: tuple[SpeakerSummary, ...]
    turns: int
    words: int
    preamble_words: int
    warnings: tuple[str, ...]
    attributes: tuple[tuple[str, str], ...] = ()
    """The attributes the file itself gave (front matter or cover block)."""


@dataclass(frozen=True)
class IngestReport:
    """The transcripts read, a summary per transcript, and the files skipped with the reason."""

    transcripts: tuple[Transcript, ...]
    files: tuple[FileSummary, ...]
    skipped: tuple[tuple[str, str], ...] = ()
    not_transcripts: tuple[tuple[str, str], ...] = ()


def speaker_warnings(transcript: Transcript) -> list[str]:
    """Return warnings about speakers that look like a mis-parse (a sentence read as a label).

    Labels used once, likely typos and the interviewer's choice are warned about by the readers.
    """
    return [f"{transcript.source}: speaker label {speaker!r} is long: a sentence read as a label?"
            for speaker in transcript.speakers() if len(speaker.split()) > 5]


def summarise(transcript: Transcript, caught: Iterable[str] = ()) -> FileSummary:
    """Return the summary of one transcript."""
    turns: Counter[str] = Counter()
    words: Counter[str] = Counter()
    roles: dict[str, str] = {}
    for turn in transcript.turns:
        turns[turn.speaker] += 1
        words[turn.speaker] += len(transcript.turn_text(turn).split())
        roles.setdefault(turn.speaker, turn.role)
    speakers = tuple(SpeakerSummary(s, roles[s], turns[s], words[s]) for s in transcript.speakers())
    start, end = transcript.preamble
    return FileSummary(
        path=transcript.source,
        transcript=transcript.id,
        format=transcript.format,
        speakers=speakers,
        turns=len(transcript.turns),
        words=sum(words.values()),
        preamble_words=len(transcript.text[start:end].split()),
        warnings=tuple(dict.fromkeys([*caught, *speaker_warnings(transcript)])),
        attributes=tuple(transcript.attributes.items()),
    )


def ingest(paths: Iterable[str | Path], options: ReadOptions | None = None, *, skip_bad: bool = False) -> IngestReport:
    """Read every transcript under ``paths`` and summarise each.

    A bad file raises one TranscriptError listing every bad file (nothing is returned, so nothing is
    written); with ``skip_bad`` the bad files are left out and listed in ``skipped``.
    """
    transcripts: list[Transcript] = []
    said: list[list[str]] = []
    problems: list[tuple[str, str]] = []
    paths = list(paths)
    named = {Path(p) for p in paths}
    found_files, left_out = expand(paths)
    for path in found_files:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            found = read_one(path, options, path in named, problems, left_out)
        messages = [str(w.message) for w in caught]
        for transcript in found:
            transcripts.append(transcript)
            said.append(messages)
    check_reading(paths, transcripts, problems, left_out, skip_bad)
    transcripts, notes = recurring_interviewers(transcripts)
    files = [summarise(t, [*messages, *([notes[t.id]] if t.id in notes else [])])
             for t, messages in zip(transcripts, said)]
    return IngestReport(tuple(transcripts), tuple(files), tuple(problems), tuple(left_out))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def format_report(report: IngestReport) -> str:
    """Return the report as the lines ``qualkit ingest`` prints."""
    lines = []
    for summary in report.files:
        lines.append(f"{summary.path} [{summary.format}] {summary.transcript}: "
                     f"{_count(summary.turns, 'turn')}, {_count(summary.words, 'word')}")
        for speaker in summary.speakers:
            lines.append(f"  {speaker.speaker} ({speaker.role}): {_count(speaker.turns, 'turn')}, "
                         f"{_count(speaker.words, 'word')}")
        if summary.attributes:
            lines.append("  attributes: " + "; ".join(f"{key}: {value}" for key, value in summary.attributes))
        if summary.preamble_words:
            lines.append(f"  preamble: {summary.preamble_words} words before the first turn")
        lines.extend(f"  warning: {message}" for message in summary.warnings)
    for path, reason in report.not_transcripts:
        lines.append(f"left out {path}: {reason}")
    for path, message in report.skipped:
        lines.append(f"skipped {path}: {message.removeprefix(path + ': ').removeprefix(path)}".rstrip())
    lines.append(f"{len(report.files)} transcript(s) read"
                 + (f", {len(report.skipped)} file(s) skipped" if report.skipped else "")
                 + (f", {len(report.not_transcripts)} file(s) left out as not transcripts"
                    if report.not_transcripts else ""))
    return "\n".join(lines)


def turns_table(transcripts: Iterable[Transcript]) -> pd.DataFrame:
    """Return one row per turn: transcript, turn, speaker, role, start, end, timestamp, end_timestamp, text."""
    rows = [
        {"transcript": t.id, "turn": turn.index, "speaker": turn.speaker, "role": turn.role, "start": turn.start,
         "end": turn.end, "timestamp": turn.timestamp, "end_timestamp": turn.end_timestamp,
         "text": t.turn_text(turn)}
        for t in transcripts for turn in t.turns
    ]
    return pd.DataFrame(rows, columns=TURN_COLUMNS)


def parquet_available() -> bool:
    """Return whether pyarrow is installed, so turns can be written as .parquet."""
    return importlib.util.find_spec("pyarrow") is not None


def check_turns_path(path: str | Path) -> str:
    """Return the turns table's format (``.csv`` or ``.parquet``); raise ReportError for one qualkit cannot
    write, so that a command can say so before reading anything."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ReportError(f"{path}: unknown turns table format {suffix or '(no extension)'!r} (use .csv or .parquet)")
    if suffix == ".parquet" and not parquet_available():
        raise ReportError(f"{path}: writing .parquet needs pyarrow (pip install pyarrow), or write .csv")
    return suffix


def write_turns(transcripts: Iterable[Transcript], path: str | Path) -> Path:
    """Write the turns table to ``path`` (``.csv``, or ``.parquet`` when pyarrow is installed); return the path."""
    path = Path(path)
    suffix = check_turns_path(path)
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise ReportError(f"{path}: cannot write turns table: {blocking} is a file, not a folder")
    table = turns_table(transcripts)
    staged = path.with_name(f".{path.name}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            table.to_csv(staged, index=False, encoding="utf-8")
        else:
            table.to_parquet(staged, index=False)
        staged.replace(path)  # a previous table is replaced only by a whole new one
    except OSError as exc:
        raise ReportError(f"{path}: cannot write turns table: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            staged.unlink()
    return path
