"""Which files of a folder are transcripts: folders are read recursively, and notes (README, SOURCE.txt,
licences), sheets that are not utterance tables (attributes, codings), images and other formats are
left out, each with the reason, so that the caller can list them."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Iterable

from qualkit.errors import TranscriptError
from qualkit.readers.formats import EXTENSIONS, IMAGES, OLD_OFFICE


def transcript_files(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> list[Path]:
    """Expand folders (recursively) into the transcript files they hold, sorted by path; warn listing the
    files left out because they are not transcripts (notes, attribute sheets, images, other formats).

    Files in ``exclude`` (e.g. the study's attributes sheet) are left out without being listed.
    """
    files, skipped = expand(paths, exclude)
    warn_left_out(skipped)
    check_unique_names(files)
    return files


def check_unique_names(files: Iterable[Path]) -> None:
    """Raise TranscriptError when two files would be one transcript (HT01.txt and HT01.docx: a transcript is
    named after its file), so that their codings are not mixed under one id."""
    seen: dict[str, Path] = {}
    for path in files:
        if path.stem in seen:
            raise TranscriptError(f"{path}: transcript id {path.stem!r} is also used by {seen[path.stem]} "
                                  "(a transcript is named after its file: keep one of them, or rename one)")
        seen[path.stem] = path


def warn_left_out(skipped: list[tuple[str, str]]) -> None:
    """Warn once, listing the files left out as not transcripts with their reasons."""
    if skipped:
        listed = "; ".join(f"{path} ({reason})" for path, reason in skipped)
        warnings.warn(f"left out {len(skipped)} file(s) that are not transcripts: {listed}", stacklevel=3)


def expand(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> tuple[list[Path], list[tuple[str, str]]]:
    """Return the transcript files under ``paths`` and the folder files left out, each with the reason.

    A file named on its own is always read; in a folder, notes (README, SOURCE.txt, ...), sheets that are
    not utterance tables, images and files of other formats are left out.
    """
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    leave = {Path(p).resolve() for p in exclude if p}
    for item in map(Path, paths):
        if item.is_dir():
            found = []
            entries = _entries(item)
            outputs = _qualkit_outputs(item, entries)
            hidden: dict[Path, int] = {}
            for path in entries:
                if not path.is_file():
                    continue
                aside = _set_aside(item, path, outputs)
                if aside is not None:
                    hidden[aside] = hidden.get(aside, 0) + 1
                    continue
                if leave and path.resolve() in leave:
                    continue
                reason = _not_transcript(path)
                if reason:
                    skipped.append((str(path), reason))
                else:
                    found.append(path)
            skipped.extend((str(path), _aside_reason(path, count, outputs)) for path, count in hidden.items())
            if not found:
                here = [(p, r) for p, r in skipped if Path(p).is_relative_to(item)]
                left = "; ".join(f"{Path(p).relative_to(item)}: {r}" for p, r in here[:5]) + ("; ..." if len(here) > 5 else "")
                raise TranscriptError(f"{item}: folder holds no transcript files ({', '.join(sorted(EXTENSIONS))})"
                                      + (f"; left out {len(here)} file(s): {left}" if here else ""))
            files.extend(found)
        elif not item.exists():
            raise TranscriptError(f"{item}: transcript file not found")
        else:
            files.append(item)
    return files, skipped


HIDDEN = (".", "~$", "__")  # hidden files and folders (.DS_Store, .git), Office lock files (~$HT01.docx), __pycache__


def _entries(folder: Path) -> list[Path]:
    """Return every file and folder under ``folder``, sorted; raise TranscriptError for a folder that cannot be
    listed (its transcripts would be missed without a word), unless it is hidden and so left out anyway."""
    def unlistable(exc: OSError) -> None:
        if not any(part.startswith(HIDDEN) for part in Path(exc.filename).relative_to(folder).parts):
            raise TranscriptError(f"{exc.filename}: cannot read the folder: {exc.strerror or exc}")

    found: list[Path] = []
    for place, folders, names in os.walk(folder, onerror=unlistable):
        found.extend(Path(place, name) for name in folders + names)
    return sorted(found)


def _qualkit_outputs(folder: Path, entries: Iterable[Path]) -> set[Path]:
    """Return the folders under ``folder`` (not itself; ``entries``: everything under it) that qualkit wrote: a
    run's report folder (its run.json) or a study folder (its study.sqlite); read as transcripts, a report's
    quotes would be coded again."""
    return {marker.parent for marker in entries if marker.parent != folder
            and (marker.name == "study.sqlite" or marker.name == "run.json" and is_run_file(marker))}


def is_run_file(path: Path) -> bool:
    """Return whether ``path`` is the run.json of a qualkit run (False when absent or unreadable)."""
    try:
        with path.open("rb") as handle:
            return b'"qualkit-run"' in handle.read(65536)
    except OSError:
        return False


def _set_aside(folder: Path, path: Path, outputs: set[Path]) -> Path | None:
    """Return the hidden file or folder, or qualkit output folder, that ``path`` lies in (None: look at it)."""
    parts = path.relative_to(folder).parts
    for depth, part in enumerate(parts, start=1):
        here = folder.joinpath(*parts[:depth])
        if part.startswith(HIDDEN) or here in outputs:
            return here
    return None


def _aside_reason(path: Path, count: int, outputs: set[Path]) -> str:
    """Say why a hidden file or folder, a lock file or a qualkit output folder was left out."""
    files = f"{count} file{'s' if count != 1 else ''}"
    if path in outputs:
        what = "a study folder" if (path / "study.sqlite").exists() else "the output folder of a qualkit run"
        return f"{what}: {files}"
    if path.name.startswith("~$"):
        return "an Office lock file (left while its document is open in Word or Excel)"
    return f"a hidden folder ({files})" if path.is_dir() else "a hidden file"


def _not_transcript(path: Path) -> str | None:
    """Return why a file found in a folder is not a transcript, or None to read it."""
    suffix = path.suffix.lower()
    if suffix in OLD_OFFICE:
        return None  # read, so that the error says how to re-save it
    if suffix in IMAGES:
        return "an image"
    if suffix not in EXTENSIONS:
        return f"not a transcript format ({suffix or 'no extension'})"
    sheet = _other_sheet(path)
    if sheet:
        return sheet
    if EXTENSIONS[suffix] in ("text", "rtf"):
        from qualkit.readers.common import decode
        from qualkit.readers.rtf import rtf_text
        from qualkit.readers.text import notes_reason

        try:
            raw = path.read_bytes()
            return notes_reason(path, rtf_text(path, raw) if EXTENSIONS[suffix] == "rtf" else decode(raw, path))
        except (OSError, TranscriptError):
            return None  # left for the reader to report
    return None


TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx")


TURNS_TABLE = {"transcript", "turn", "speaker", "role", "start", "end", "text"}  # what ingest --turns writes


CODING_COLUMNS = {"codepath", "codeid", "code", "codes", "tag", "tags", "codename"}


def _other_sheet(path: Path) -> str | None:
    """Tell why a sheet in a transcripts folder is not an utterance table (the attributes sheet, a coding).

    Only a folder's contents are screened this way; a table named on its own is always read.
    """
    if path.suffix.lower() not in TABLE_SUFFIXES:
        return None
    from qualkit.readers.table import CANDIDATES, _key

    try:
        if path.suffix.lower() == ".xlsx":
            import pandas as pd

            headers = [[str(c) for c in frame.columns]
                       for frame in pd.read_excel(path, nrows=0, sheet_name=None).values()]
        else:
            with path.open(encoding="utf-8-sig", errors="replace") as handle:
                first = handle.readline()
            headers = [re.split(r"[\t,;]", first)]
    except Exception:  # an unreadable sheet is left for the reader to report
        return None
    sheets = [{_key(column) for column in header} for header in headers]
    if any(keys >= TURNS_TABLE for keys in sheets):
        return "a turns table of transcripts read before (qualkit ingest --turns), not a transcript"
    if any(keys & CODING_COLUMNS for keys in sheets):
        return "a table of coded segments, not a transcript"
    if not any(keys & set(CANDIDATES["text"]) and keys & set(CANDIDATES["speaker"] + CANDIDATES["timestamp"])
               for keys in sheets):
        return "a sheet without speaker and text columns (attributes?)"
    return None
