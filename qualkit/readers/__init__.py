"""Transcript readers: one module per input format, each turning a file into a Transcript.

The extension chooses the reader, unless the content shows another format (WebVTT saved as ``.txt``,
a Word file without its extension): then the content wins. Utterance tables may hold several
transcripts; :func:`read_many` returns them all, :func:`read_transcript` insists on one.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
import re
from pathlib import Path
from typing import Callable, Iterable

from qualkit.errors import TranscriptError
from qualkit.readers.common import ReadOptions, load_aliases
from qualkit.readers.docx import read_docx
from qualkit.readers.html import read_html
from qualkit.readers.json import read_json
from qualkit.readers.odt import read_odt
from qualkit.readers.pdf import read_pdf
from qualkit.readers.sniff import sniff
from qualkit.readers.table import read_csv, read_table_many, read_xlsx
from qualkit.readers.text import read_text
from qualkit.readers.vtt import read_srt, read_vtt
from qualkit.transcript import Transcript

Reader = Callable[[Path, bytes, ReadOptions], Transcript]

FORMAT_READERS: dict[str, Reader] = {
    "text": read_text,
    "vtt": read_vtt,
    "srt": read_srt,
    "docx": read_docx,
    "odt": read_odt,
    "pdf": read_pdf,
    "html": read_html,
    "json": read_json,
    "csv": read_csv,
    "xlsx": read_xlsx,
}

EXTENSIONS: dict[str, str] = {
    ".txt": "text", ".md": "text", ".markdown": "text", ".text": "text",
    ".vtt": "vtt", ".webvtt": "vtt", ".srt": "srt",
    ".docx": "docx", ".odt": "odt", ".pdf": "pdf",
    ".html": "html", ".htm": "html", ".json": "json",
    ".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
}

READERS: dict[str, Reader] = {ext: FORMAT_READERS[fmt] for ext, fmt in EXTENSIONS.items()}
TABLES = {"csv", "xlsx"}
BINARY_FORMATS = {"docx", "odt", "pdf", "xlsx"}

__all__ = [
    "READERS", "ReadOptions", "ReadResult", "detect_format", "load_aliases", "read_many", "read_transcript",
    "read_text", "read_transcripts", "read_transcripts_report", "transcript_files",
]


@dataclass(frozen=True)
class ReadResult:
    """What reading a set of files gave: the transcripts, and the files skipped with the reason."""

    transcripts: tuple[Transcript, ...]
    skipped: tuple[tuple[str, str], ...] = ()


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise TranscriptError(f"{path}: transcript file not found") from None
    except IsADirectoryError:
        raise TranscriptError(f"{path}: is a folder, not a transcript file") from None
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read: {exc.strerror}") from None


def detect_format(path: Path, raw: bytes) -> str:
    """Return the format to read a file as: the content's when it shows one, else the extension's."""
    by_extension = EXTENSIONS.get(path.suffix.lower())
    if by_extension is None:
        known = ", ".join(sorted(EXTENSIONS))
        raise TranscriptError(f"{path}: unknown transcript format {path.suffix or '(no extension)'!r} (known: {known})")
    if not raw.strip():
        raise TranscriptError(f"{path}: file is empty")
    sniffed = sniff(raw)
    if sniffed is None:
        if by_extension in BINARY_FORMATS:
            raise TranscriptError(f"{path}: corrupt {path.suffix} file (its content is not a {by_extension} file)")
        return by_extension
    if sniffed == "binary":
        raise TranscriptError(f"{path}: binary file, not a transcript")
    if sniffed == "zip":
        if by_extension in BINARY_FORMATS:
            raise TranscriptError(f"{path}: corrupt {path.suffix} file (a damaged zip archive or one without "
                                  f"the {by_extension} parts)")
        raise TranscriptError(f"{path}: a zip archive, not a transcript (nor a Word, OpenDocument or Excel file)")
    if sniffed != by_extension and sniffed in FORMAT_READERS:
        warnings.warn(f"{path}: content is {sniffed}, not {by_extension} as the extension says; read as {sniffed}",
                      stacklevel=3)
        return sniffed
    return by_extension


def read_many(path: str | Path, options: ReadOptions | None = None) -> list[Transcript]:
    """Read every transcript one file holds (several for an utterance table)."""
    path = Path(path)
    raw = _read_bytes(path) if path.suffix.lower() in EXTENSIONS else b""
    fmt = detect_format(path, raw)
    options = options or ReadOptions()
    if fmt in TABLES:
        return read_table_many(path, raw, options, fmt)
    return [FORMAT_READERS[fmt](path, raw, options)]


def read_transcript(path: str | Path, options: ReadOptions | None = None) -> Transcript:
    """Read one transcript file with the reader for its format."""
    path = Path(path)
    transcripts = read_many(path, options)
    if len(transcripts) != 1:
        raise TranscriptError(f"{path}: holds {len(transcripts)} transcripts "
                              f"({', '.join(t.id for t in transcripts[:5])}); read it with read_transcripts")
    return transcripts[0]


def transcript_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the transcript files they hold (known extensions, sorted by name)."""
    files: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            found = sorted(p for p in item.iterdir() if p.is_file() and p.suffix.lower() in READERS
                           and not p.name.startswith((".", "~$")) and not _other_sheet(p))
            if not found:
                raise TranscriptError(f"{item}: folder holds no transcript files ({', '.join(sorted(READERS))})")
            files.extend(found)
        elif not item.exists():
            raise TranscriptError(f"{item}: transcript file not found")
        else:
            files.append(item)
    return files


TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx")


def _other_sheet(path: Path) -> bool:
    """Tell a sheet in a transcripts folder that is not an utterance table (e.g. the attributes sheet).

    Only a folder's contents are screened this way; a table named on its own is always read.
    """
    if path.suffix.lower() not in TABLE_SUFFIXES:
        return False
    from qualkit.readers.table import CANDIDATES, _key

    try:
        if path.suffix.lower() == ".xlsx":
            import pandas as pd

            header = [str(c) for c in pd.read_excel(path, nrows=0).columns]
        else:
            with path.open(encoding="utf-8-sig", errors="replace") as handle:
                first = handle.readline()
            header = re.split(r"[\t,;]", first)
    except Exception:  # an unreadable sheet is left for the reader to report
        return False
    keys = {_key(column) for column in header}
    return not (keys & set(CANDIDATES["text"]) and keys & set(CANDIDATES["speaker"]))


def read_transcripts_report(
    paths: Iterable[str | Path], options: ReadOptions | None = None, *, skip_bad: bool = False
) -> ReadResult:
    """Read every transcript under ``paths``; return them with the files skipped (only when ``skip_bad``).

    Without ``skip_bad``, any bad file raises one TranscriptError listing every bad file, before
    anything is returned (so nothing is written from half a study).
    """
    transcripts: list[Transcript] = []
    problems: list[tuple[str, str]] = []
    for path in transcript_files(paths):
        try:
            transcripts.extend(read_many(path, options))
        except TranscriptError as exc:
            problems.append((str(path), str(exc)))
    if problems and not skip_bad:
        raise TranscriptError("\n".join(message for _, message in problems))
    check_unique_ids(transcripts)
    return ReadResult(tuple(transcripts), tuple(problems))


def check_unique_ids(transcripts: Iterable[Transcript]) -> None:
    """Raise TranscriptError when two transcripts share an id (their codings would be mixed up)."""
    seen: dict[str, str] = {}
    for transcript in transcripts:
        if transcript.id in seen:
            raise TranscriptError(f"{transcript.source}: transcript id {transcript.id!r} is also used by {seen[transcript.id]}")
        seen[transcript.id] = transcript.source


def read_transcripts(
    paths: Iterable[str | Path], options: ReadOptions | None = None, *, skip_bad: bool = False
) -> list[Transcript]:
    """Read every transcript under ``paths``; if any is bad, raise one error listing all bad files.

    With ``skip_bad=True`` the bad files are left out and a warning names each one; use
    :func:`read_transcripts_report` to get the list of skipped files as data.
    """
    result = read_transcripts_report(paths, options, skip_bad=skip_bad)
    for _, message in result.skipped:
        warnings.warn(f"skipped {message}", stacklevel=2)
    return list(result.transcripts)
