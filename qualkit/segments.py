"""CodedSegment records: a unit of a transcript coded with a code, with the words that made it so."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Match:
    """The words a pattern matched: ``text[start:end]`` of the transcript."""

    start: int
    end: int
    text: str
    pattern: str


@dataclass(frozen=True)
class CodedSegment:
    """A unit (sentence, turn, ...) of a transcript coded with one code.

    ``start``/``end`` are character offsets into the transcript's text and ``text`` is exactly
    ``transcript.text[start:end]``. ``matches`` say why it was coded. ``coder`` is ``auto`` for
    qualkit's own coding, or the name of a human coder.
    """

    transcript: str
    speaker: str
    role: str
    turn: int
    code_id: str
    code_path: str
    start: int
    end: int
    text: str
    matches: tuple[Match, ...] = ()
    coder: str = "auto"
    unit: str = "sentence"


@dataclass(frozen=True)
class Unit:
    """A sentence (or turn) of a speaker: the span qualkit codes and suggests themes from."""

    transcript: str
    turn: int
    speaker: str
    start: int
    end: int
    text: str
