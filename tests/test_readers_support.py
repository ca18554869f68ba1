"""Helpers shared by the reader tests (no tests here): fixture paths and the offset and nothing-lost checks."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from qualkit.readers import ReadOptions, read_transcript
from qualkit.transcript import Transcript

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "transcripts"
ROBUST = Path(__file__).resolve().parent / "fixtures" / "readers"
LABELISH = re.compile(r"^[\[\(]?[\d:.,]*[\]\)]?[:\-–—]?$|^-->$|^WEBVTT$")


def check_offsets(transcript: Transcript) -> None:
    """Turns lie in order inside the text, do not overlap, carry no outer whitespace; preamble comes first."""
    previous = transcript.preamble[1]
    assert transcript.preamble[0] == 0 and previous <= len(transcript.text)
    for number, turn in enumerate(transcript.turns):
        assert turn.index == number
        assert previous <= turn.start < turn.end <= len(transcript.text), (turn, previous)
        words = transcript.text[turn.start : turn.end]
        assert words == words.strip() and words
        previous = turn.end


def unaccounted(source: str, transcript: Transcript, extra_labels: tuple[str, ...] = ()) -> list[str]:
    """Return the source's words that are neither in a turn or the preamble (in order) nor part of a
    speaker label or a time; an invented word is returned as ``+word``."""
    start, end = transcript.preamble
    got = transcript.text[start:end].split() + [w for t in transcript.turns for w in transcript.turn_text(t).split()]
    labels = {w.strip(":()[]").casefold() for s in (*transcript.speakers(), *extra_labels) for w in s.split()}
    missing: list[str] = []
    position = 0
    for word in source.split():
        if position < len(got) and word == got[position]:
            position += 1
        elif not (LABELISH.match(word) or word.strip(":()[]-").casefold() in labels):
            missing.append(word)
    missing.extend("+" + w for w in got[position:])
    return missing


def read_warned(path: Path, options: ReadOptions | None = None) -> tuple[Transcript, list[str]]:
    """Read one transcript (its offsets checked) and return it with the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transcript = read_transcript(path, options)
    check_offsets(transcript)
    return transcript, [str(w.message) for w in caught]


def read_said(path: Path) -> tuple[Transcript, list[str]]:
    """Read one transcript (its offsets checked) and return it with the warnings, without the file's name."""
    transcript, said = read_warned(path)
    return transcript, [message.removeprefix(f"{path}").lstrip(":, ") for message in said]
