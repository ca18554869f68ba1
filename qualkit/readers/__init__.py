"""Transcript readers: one module per input format, each turning a file into a Transcript."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from qualkit.errors import TranscriptError
from qualkit.readers.common import ReadOptions
from qualkit.readers.text import read_text
from qualkit.transcript import Transcript

Reader = Callable[[Path, bytes, ReadOptions], Transcript]

READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_text,
    ".markdown": read_text,
    ".text": read_text,
}

__all__ = ["READERS", "ReadOptions", "read_transcript", "read_transcripts", "transcript_files"]


def read_transcript(path: str | Path, options: ReadOptions | None = None) -> Transcript:
    """Read one transcript file with the reader for its format."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise TranscriptError(f"{path}: unknown transcript format {path.suffix or '(no extension)'!r} (known: {known})")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TranscriptError(f"{path}: transcript file not found") from None
    except IsADirectoryError:
        raise TranscriptError(f"{path}: is a folder, not a transcript file") from None
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read: {exc.strerror}") from None
    return reader(path, raw, options or ReadOptions())


def transcript_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the transcript files they hold (known extensions, sorted by name)."""
    files: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            found = sorted(p for p in item.iterdir() if p.is_file() and p.suffix.lower() in READERS
                           and not p.name.startswith("."))
            if not found:
                raise TranscriptError(f"{item}: folder holds no transcript files ({', '.join(sorted(READERS))})")
            files.extend(found)
        elif not item.exists():
            raise TranscriptError(f"{item}: transcript file not found")
        else:
            files.append(item)
    return files


def read_transcripts(paths: Iterable[str | Path], options: ReadOptions | None = None) -> list[Transcript]:
    """Read every transcript under ``paths``; if any is bad, raise one error listing all bad files."""
    transcripts, problems = [], []
    for path in transcript_files(paths):
        try:
            transcripts.append(read_transcript(path, options))
        except TranscriptError as exc:
            problems.append(str(exc))
    if problems:
        raise TranscriptError("\n".join(problems))
    seen: dict[str, str] = {}
    for transcript in transcripts:
        if transcript.id in seen:
            raise TranscriptError(f"{transcript.source}: transcript id {transcript.id!r} is also used by {seen[transcript.id]}")
        seen[transcript.id] = transcript.source
    return transcripts
