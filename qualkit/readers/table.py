"""Utterance tables (``.csv``, ``.tsv``, ``.xlsx``): one utterance per row, possibly many transcripts per file.

The columns holding the transcript id, the speaker, the words and (optionally) a timestamp are named in
``ReadOptions.columns`` or detected from the header. An empty speaker cell continues the speaker before
it; ``DB:`` is read as ``DB``; HTML entities in the text are decoded; a note in the timestamp column
is not taken for a time (a warning says how many rows hold one).
"""

from __future__ import annotations

import html
import io
import re
import warnings
from pathlib import Path

import pandas as pd

from qualkit.errors import TranscriptError
from qualkit.readers.common import ReadOptions, decode
from qualkit.readers.json import in_milliseconds, seconds
from qualkit.readers.labels import TIME
from qualkit.readers.layout import UNKNOWN_SPEAKER, Segment, assemble
from qualkit.transcript import Transcript

CANDIDATES: dict[str, tuple[str, ...]] = {
    "transcript": ("transcript", "transcriptid", "interview", "interviewid", "document", "documentname", "doc",
                   "file", "filename", "source", "session", "case", "caseid"),
    "speaker": ("speaker", "speakername", "name", "who", "person", "participant", "role"),
    "text": ("text", "utterance", "speech", "content", "words", "dialogue", "dialog", "line", "message", "quote",
             "segment", "transcripttext"),
    "timestamp": ("timestamp", "time", "start", "starttime", "begin", "timecode", "tc"),
    "end": ("end", "endtime", "stop", "endtimestamp"),
}
NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
IS_TIME = re.compile(rf"^\s*\[?{TIME}\]?\s*(?:-->?\s*{TIME}\s*)?$")


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def choose_columns(path: Path, header: list[str], options: ReadOptions,
                   frame: pd.DataFrame | None = None) -> dict[str, str | None]:
    """Return the column to use for each role, from the options, detected from the header, or (the words) told
    by content: the column holding the most words a row, said in a warning."""
    by_key = {_key(c): c for c in header}
    chosen: dict[str, str | None] = {}
    for role, names in CANDIDATES.items():
        named = options.columns.get(role)
        if named is not None:
            if named not in header and _key(named) not in by_key:
                raise TranscriptError(f"{path}: no {role} column {named!r} (columns: {', '.join(header)})")
            chosen[role] = named if named in header else by_key[_key(named)]
            continue
        chosen[role] = next((by_key[n] for n in names if n in by_key and by_key[n] not in chosen.values()), None)
    if chosen["text"] is None and chosen["speaker"] is not None and frame is not None:
        chosen["text"] = _wordiest(path, frame, [c for c in header if c not in chosen.values()])
    if chosen["speaker"] is None and chosen["text"] is not None and chosen["timestamp"] is not None:
        return chosen  # timed rows naming no one (whisper's .tsv: start, end, text): one unknown speaker
    for role in ("speaker", "text"):
        if chosen[role] is None:
            survey = " (a table of survey responses, one a row, is read with --text-column COLUMN)" \
                if role == "speaker" else ""
            raise TranscriptError(
                f"{path}: cannot tell which column holds the {role} (columns: {', '.join(header)}); "
                f"head that column '{role}'{survey}"
            )
    return chosen


def _wordiest(path: Path, frame: pd.DataFrame, columns: list[str]) -> str | None:
    """Return the column whose cells hold the most words on average (at least three), warning which was taken
    and which other wordy column (a translation?) was not; else None."""
    def words(column: str) -> float:
        cells = [str(v) for v in frame[column] if str(v).strip()]
        return sum(len(c.split()) for c in cells) / len(cells) if cells and any(c[:1].isalpha() for c in cells) else 0

    sizes = sorted(((words(c), c) for c in columns), reverse=True)
    if not sizes or sizes[0][0] < 3:
        return None
    others = [c for size, c in sizes[1:] if size >= 0.5 * sizes[0][0]]
    warnings.warn(f"{path}: no column is headed as the words; {sizes[0][1]!r} read as them (the most words a row)"
                  + (f"; {', '.join(map(repr, others))} also holds text and is not read" if others else ""),
                  stacklevel=4)
    return sizes[0][1]


def read_frames(path: Path, raw: bytes, fmt: str) -> dict[str, pd.DataFrame]:
    """Read the table as strings: a CSV as one frame, a workbook as one frame per sheet (by sheet name)."""
    try:
        if fmt == "xlsx":
            frames = pd.read_excel(io.BytesIO(raw), dtype=str, keep_default_na=False, sheet_name=None)
        else:
            frames = {"": pd.read_csv(io.StringIO(decode(raw, path)), dtype=str, keep_default_na=False,
                                      sep="\t" if path.suffix.lower() == ".tsv" else None, engine="python")}
    except pd.errors.EmptyDataError:
        raise TranscriptError(f"{path}: table is empty") from None
    except TranscriptError:
        raise
    except Exception as exc:  # pandas, openpyxl and csv raise many kinds for a damaged sheet
        raise TranscriptError(f"{path}: cannot read table: {exc}") from None
    for frame in frames.values():
        frame.columns = [str(c).strip() for c in frame.columns]
    return frames


def read_table_many(path: Path, raw: bytes, options: ReadOptions, fmt: str = "csv") -> list[Transcript]:
    """Read every transcript in an utterance table, in order of first appearance; in a workbook, every sheet
    of turns (a sheet without speaker and text columns is left out, and said)."""
    frames = read_frames(path, raw, fmt)
    if len(frames) == 1:
        return _frame_transcripts(path, next(iter(frames.values())), options, fmt, path.stem)
    usable: list[tuple[str, pd.DataFrame, dict[str, str | None]]] = []
    left_out: list[str] = []
    for sheet, frame in frames.items():
        if frame.empty and not len(frame.columns):
            continue
        try:
            usable.append((sheet, frame, choose_columns(path, list(frame.columns), options, frame)))
        except TranscriptError:
            left_out.append(sheet)
    if not usable:
        raise TranscriptError(f"{path}: no sheet holds speaker and text columns (sheets: {', '.join(map(repr, frames))})")
    by_sheet = [sheet for sheet, _, columns in usable if columns["transcript"] is None]
    read: list[Transcript] = []
    for sheet, frame, columns in usable:
        read.extend(_frame_transcripts(path, frame, options, fmt, sheet if len(usable) > 1 else path.stem, columns))
    if len(by_sheet) > 1:
        warnings.warn(f"{path}: {len(by_sheet)} sheets of turns, each read as a transcript named by its sheet "
                      f"({', '.join(map(repr, by_sheet[:5]))}{', ...' if len(by_sheet) > 5 else ''})", stacklevel=3)
    if left_out:
        warnings.warn(f"{path}: sheet{'s' * (len(left_out) > 1)} {', '.join(map(repr, left_out))} hold{'s' * (len(left_out) == 1)} "
                      "no speaker and text columns; not read", stacklevel=3)
    return read


def _frame_transcripts(path: Path, frame: pd.DataFrame, options: ReadOptions, fmt: str, default_id: str,
                       columns: dict[str, str | None] | None = None) -> list[Transcript]:
    """Read the transcripts of one sheet; rows without a transcript column belong to ``default_id``."""
    columns = columns or choose_columns(path, list(frame.columns), options, frame)
    rows = frame.to_dict(orient="records")
    offsets = _offsets(rows, columns)
    groups: dict[str, list[Segment]] = {}
    notes: list[str] = []
    for number, row in enumerate(rows, start=2):
        text = html.unescape(str(row[columns["text"]] or ""))
        speaker = html.unescape(str(row[columns["speaker"]] or "")).strip().rstrip(":").strip() \
            if columns["speaker"] else UNKNOWN_SPEAKER
        tid = str(row[columns["transcript"]]).strip() if columns["transcript"] else default_id
        if columns["transcript"] and not tid:
            raise TranscriptError(f"{path}, row {number}: empty {columns['transcript']!r}")
        stamp = str(row[columns["timestamp"]]).strip() if columns["timestamp"] else ""
        end = None
        if offsets is not None:
            stamp, end = offsets[number - 2]
        elif stamp and not IS_TIME.match(stamp):
            notes.append(f"row {number} {stamp!r}")
            stamp = ""
        if not text.strip() and (not speaker or not columns["speaker"]):
            continue
        groups.setdefault(tid, []).append(Segment(speaker or None, text, stamp.strip("[] ") or None, end, line=number))
    if notes:
        warnings.warn(f"{path}: the timestamp column holds notes, not times, in {len(notes)} row(s) "
                      f"(first: {notes[0]}); those are not kept", stacklevel=3)
    if not groups:
        raise TranscriptError(f"{path}: table has no utterance rows")
    if not columns["speaker"]:
        warnings.warn(f"{path}: no speaker column (columns: {', '.join(map(str, frame.columns))}); the timed rows "
                      f"read as one speaker {UNKNOWN_SPEAKER!r}", stacklevel=3)
    return [assemble(path, segments, options, fmt=fmt, meta={"id": tid}, merge=not columns["speaker"])
            for tid, segments in groups.items()]


def _offsets(rows: list[dict], columns: dict[str, str | None]) -> list[tuple[str, str | None]] | None:
    """Return each row's start and end as ``HH:MM:SS.mmm`` when the time column holds plain numbers (seconds, or
    milliseconds as whisper's .tsv writes them: whole numbers whose typical row would last minutes as seconds);
    else None."""
    if not columns["timestamp"]:
        return None
    starts = [str(row[columns["timestamp"]]).strip() for row in rows]
    ends = [str(row[columns["end"]]).strip() for row in rows] if columns["end"] else [""] * len(rows)
    if not any(starts) or not all(NUMBER.match(v) for v in starts + ends if v):
        return None
    spans = [{"start": float(a), "end": float(b)} for a, b in zip(starts, ends) if a and b]
    scale = 0.001 if in_milliseconds(spans) else 1.0
    return [(seconds(float(a), scale) or "" if a else "", seconds(float(b), scale) if b else None)
            for a, b in zip(starts, ends)]


def one(path: Path, transcripts: list[Transcript]) -> Transcript:
    """Return the only transcript of a file, or raise if it holds several."""
    if len(transcripts) != 1:
        ids = ", ".join(t.id for t in transcripts[:5])
        raise TranscriptError(f"{path}: holds {len(transcripts)} transcripts ({ids}{', ...' if len(transcripts) > 5 else ''}); "
                              "read it with read_transcripts")
    return transcripts[0]


def read_csv(path: Path, raw: bytes, options: ReadOptions) -> Transcript:
    """Read a CSV utterance table that holds one transcript."""
    return one(path, read_table_many(path, raw, options, "csv"))


def read_xlsx(path: Path, raw: bytes, options: ReadOptions) -> Transcript:
    """Read an XLSX utterance table that holds one transcript."""
    return one(path, read_table_many(path, raw, options, "xlsx"))
