"""Transcript readers: one module per input format, each turning a file into a Transcript.

The extension chooses the reader, unless the content shows another format (WebVTT saved as ``.txt``,
a Word file without its extension): then the content wins. Utterance tables may hold several
transcripts; :func:`read_many` returns them all, :func:`read_transcript` insists on one.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

from qualkit.errors import NotTranscriptError, TranscriptError
from qualkit.readers.common import ReadOptions, load_aliases
from qualkit.readers.docx import read_docx
from qualkit.readers.folders import expand, is_run_file, transcript_files, warn_left_out
from qualkit.readers.formats import EXTENSIONS, OLD_OFFICE, RESAVE
from qualkit.readers.html import read_html
from qualkit.readers.json import read_json
from qualkit.readers.odt import read_odt
from qualkit.readers.pdf import read_pdf
from qualkit.readers.roles import (
    Speakers, StudyInterviewers, recurring_interviewers, speakers_of, study_interviewers, with_interviewers,
)
from qualkit.readers.rtf import read_rtf
from qualkit.readers.sniff import sniff
from qualkit.readers.survey import (
    SeenIds, SurveyColumns, SurveyPart, SurveyReport, is_survey_table, plan_survey, read_survey, read_survey_tables,
    survey_files, survey_sources,
)
from qualkit.readers.table import read_csv, read_table_many, read_xlsx
from qualkit.readers.text import read_text
from qualkit.readers.vocab import RECORDS, helper_kind, names_no_participant
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
    "rtf": read_rtf,
}


READERS: dict[str, Reader] = {ext: FORMAT_READERS[fmt] for ext, fmt in EXTENSIONS.items()}
TABLES = {"csv", "xlsx"}
BINARY_FORMATS = {"docx", "odt", "pdf", "xlsx"}

__all__ = [
    "SeenIds", "SurveyColumns", "SurveyPart", "SurveyReport", "is_survey_table", "plan_survey", "read_survey", "read_survey_tables",
    "survey_files", "survey_sources",
    "READERS", "ReadOptions", "ReadResult", "check_reading", "check_unique_ids", "detect_format", "expand", "is_run_file",
    "load_aliases", "read_many", "read_one", "read_transcript",
    "read_text", "read_transcripts", "recurring_interviewers", "read_transcripts_report", "transcript_files",
    "Speakers", "StudyInterviewers", "apply_interviewers", "speakers_in", "study_interviewers",
    "RECORDS", "helper_kind", "names_no_participant",
]


@dataclass(frozen=True)
class ReadResult:
    """What reading a set of files gave: the transcripts, and the files skipped with the reason."""

    transcripts: tuple[Transcript, ...]
    skipped: tuple[tuple[str, str], ...] = ()
    """Bad files left out with ``skip_bad``: (path, error)."""
    not_transcripts: tuple[tuple[str, str], ...] = ()
    """Files in the folders read that are not transcripts (notes, sheets, images): (path, reason)."""


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise TranscriptError(f"{path}: transcript file not found") from None
    except IsADirectoryError:
        raise TranscriptError(f"{path}: is a folder, not a transcript file") from None
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read: {exc.strerror}") from None




def _old_office(path: Path) -> TranscriptError:
    tool = OLD_OFFICE.get(path.suffix.lower(), "Word")
    return TranscriptError(f"{path}: an old binary {tool} file ({path.suffix or 'no extension'}), which qualkit cannot "
                           f"read: open it in {tool} or LibreOffice and save it as {RESAVE[tool]}")


def detect_format(path: Path, raw: bytes) -> str:
    """Return the format to read a file as: the content's when it shows one, else the extension's."""
    by_extension = EXTENSIONS.get(path.suffix.lower())
    if path.suffix.lower() in OLD_OFFICE or raw.startswith(OLE_MAGIC):
        raise _old_office(path)
    if by_extension is None:
        known = ", ".join(sorted(EXTENSIONS))
        raise TranscriptError(f"{path}: unknown transcript format {path.suffix or '(no extension)'!r} (known: {known})")
    if not raw.strip():
        raise TranscriptError(f"{path}: file is empty")
    sniffed = sniff(raw)
    if sniffed is None:
        if by_extension == "xlsx" and _delimited(raw):
            warnings.warn(f"{path}: content is CSV text, not an Excel workbook as the extension says; read as CSV "
                          f"(rename it to {path.stem}.csv)", stacklevel=3)
            return "csv"
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


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _delimited(raw: bytes) -> bool:
    """Return whether bytes read as delimited text (a CSV or TSV header line)."""
    try:
        first = raw[:4096].decode("utf-8-sig").splitlines()[0]
    except (UnicodeDecodeError, IndexError):
        return False
    return any(first.count(sep) >= 1 for sep in (",", "\t", ";")) and "\x00" not in first


def read_many(path: str | Path, options: ReadOptions | None = None) -> list[Transcript]:
    """Read every transcript one file holds (several for an utterance table)."""
    path = Path(path)
    raw = _read_bytes(path) if path.suffix.lower() in EXTENSIONS or path.suffix.lower() in OLD_OFFICE else b""
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


def read_transcripts_report(
    paths: Iterable[str | Path], options: ReadOptions | None = None, *, skip_bad: bool = False,
    exclude: Iterable[str | Path] = (),
) -> ReadResult:
    """Read every transcript under ``paths``; return them with the files skipped (only when ``skip_bad``).

    Without ``skip_bad``, any bad file raises one TranscriptError listing every bad file, before
    anything is returned (so nothing is written from half a study).
    """
    transcripts: list[Transcript] = []
    problems: list[tuple[str, str]] = []
    paths = list(paths)
    files, left_out = expand(paths, exclude)
    named = {Path(p) for p in paths}
    for path in files:
        transcripts.extend(read_one(path, options, path in named, problems, left_out))
    warn_left_out(left_out)
    check_reading(paths, transcripts, problems, left_out, skip_bad)
    transcripts, notes = recurring_interviewers(transcripts)
    for note in notes.values():
        warnings.warn(note, stacklevel=2)
    return ReadResult(tuple(transcripts), tuple(problems), tuple(left_out))


def speakers_in(files: Iterable[str | Path], options: ReadOptions | None = None) -> list[Speakers]:
    """Read files for who speaks in each transcript, keeping none of their text: the first pass of a corpus
    coded file by file, whose study's own interviewers ``study_interviewers`` then finds across files. The
    readers' warnings, and the errors of a file that cannot be read, are left to the second pass, which reads
    each file as it codes it."""
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in files:
            try:
                found.extend(speakers_of(transcript) for transcript in read_many(path, options))
            except TranscriptError:
                continue
    return found


def apply_interviewers(transcripts: list[Transcript], found: Mapping[str, StudyInterviewers]) -> list[Transcript]:
    """Return a file's transcripts with the study's own interviewers found across files (``study_interviewers``)
    read as the interviewer, warning of each as ``qualkit ingest`` does."""
    if not found:
        return transcripts
    out = []
    for transcript in transcripts:
        decided = found.get(transcript.id)
        if decided is not None:
            transcript = with_interviewers(transcript, decided.names)
            warnings.warn(decided.note, stacklevel=2)
        out.append(transcript)
    return out


def read_one(path: Path, options: ReadOptions | None, named: bool, problems: list[tuple[str, str]],
             left_out: list[tuple[str, str]]) -> list[Transcript]:
    """Read one file found by :func:`expand`; a bad file goes to ``problems``, and a file that is not a
    transcript to ``left_out`` when a folder held it (to ``problems`` when it was named itself)."""
    try:
        return read_many(path, options)
    except NotTranscriptError as exc:
        if named:
            problems.append((str(path), str(exc)))
        else:
            left_out.append((str(path), str(exc).removeprefix(f"{path}: ")))
    except TranscriptError as exc:
        problems.append((str(path), str(exc)))
    return []


def check_reading(paths: list[str | Path], transcripts: list[Transcript], problems: list[tuple[str, str]],
                  left_out: list[tuple[str, str]], skip_bad: bool) -> None:
    """Raise one TranscriptError for bad files (unless ``skip_bad``), for no transcript at all, or for ids
    used twice."""
    if problems and not skip_bad:
        raise TranscriptError(bad_files_message(problems))
    if not transcripts:
        raise TranscriptError(nothing_read_message(paths, problems, left_out))
    check_unique_ids(transcripts)


def nothing_read_message(paths: Iterable[str | Path], problems: list[tuple[str, str]],
                         left_out: list[tuple[str, str]]) -> str:
    """Return the error for a set of paths that gave no transcript at all, saying what each file was."""
    found = [*problems, *((p, f"{p}: {r}") for p, r in left_out)]
    listed = "; ".join(message for _, message in found[:5]) + ("; ..." if len(found) > 5 else "")
    return f"{', '.join(map(str, paths))}: no transcript read ({listed})"


def bad_files_message(problems: list[tuple[str, str]]) -> str:
    """Return the error for bad files: each with its reason, and how to read the rest."""
    if len(problems) == 1:
        return problems[0][1]
    return (f"{len(problems)} files cannot be read (nothing was written; --skip-bad reads the rest):\n"
            + "\n".join(message for _, message in problems))


def check_unique_ids(transcripts: Iterable[Transcript]) -> None:
    """Raise TranscriptError when two transcripts share an id (their codings would be mixed up)."""
    seen: dict[str, str] = {}
    for transcript in transcripts:
        if transcript.id in seen:
            raise TranscriptError(f"{transcript.source}: transcript id {transcript.id!r} is also used by {seen[transcript.id]}")
        seen[transcript.id] = transcript.source


def read_transcripts(
    paths: Iterable[str | Path], options: ReadOptions | None = None, *, skip_bad: bool = False,
    exclude: Iterable[str | Path] = (),
) -> list[Transcript]:
    """Read every transcript under ``paths``; if any is bad, raise one error listing all bad files.

    With ``skip_bad=True`` the bad files are left out and a warning names each one; use
    :func:`read_transcripts_report` to get the list of skipped files as data.
    """
    result = read_transcripts_report(paths, options, skip_bad=skip_bad, exclude=exclude)
    for _, message in result.skipped:
        warnings.warn(f"skipped {message}", stacklevel=2)
    return list(result.transcripts)
