"""CodedSegment records: a unit of a transcript coded with a code, with the words that made it so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Match:
    """The words a pattern matched: ``text[start:end]`` of the transcript."""

    start: int
    end: int
    text: str
    pattern: str
    kind: str = ""
    pattern_index: int = 0


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


@dataclass(frozen=True)
class SetAsideHit:
    """A pattern hit that did not code its passage, and why.

    ``status`` is ``negated`` (a negator governs it, e.g. "never felt isolated"), ``excluded`` (an
    ``exclude`` pattern of the code matched in its unit) or ``restricted`` (not inside a passage
    coded with the code's ``within`` codes). ``start``/``end``/``text`` are the matched words;
    ``reason`` says what set the hit aside.
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
    pattern: str
    status: str
    reason: str


# The columns of ``coded_segments.csv``, written by ``qualkit run`` and ``qualkit code`` and read back
# as a human or imported coding.
SEGMENT_COLUMNS = [
    "transcript", "speaker", "role", "turn", "unit", "code_id", "code_path", "start", "end", "text",
    "matched", "match_offsets", "patterns", "coder",
]


def segment_row(segment: CodedSegment) -> dict[str, Any]:
    """Return a coded segment as a flat row of ``coded_segments.csv`` (match offsets are the transcript's)."""
    return dict(zip(SEGMENT_COLUMNS, segment_values(segment)))


def segment_values(segment: CodedSegment) -> tuple[Any, ...]:
    """Return the values of a coded segment's ``coded_segments.csv`` row, in ``SEGMENT_COLUMNS`` order."""
    matches = segment.matches
    if len(matches) == 1:  # the common case, without the joins
        match = matches[0]
        matched, offsets, patterns = match.text, f"{match.start}-{match.end}", match.pattern
    else:
        matched = " | ".join(m.text for m in matches)
        offsets = " | ".join(f"{m.start}-{m.end}" for m in matches)
        patterns = " | ".join(dict.fromkeys(m.pattern for m in matches))
    return (segment.transcript, segment.speaker, segment.role, segment.turn, segment.unit, segment.code_id,
            segment.code_path, segment.start, segment.end, segment.text, matched, offsets, patterns, segment.coder)


# The columns of the set-aside hits files: hits that did not code their passage, and why.
SET_ASIDE_COLUMNS = [
    "transcript", "speaker", "role", "turn", "code_id", "code_path", "start", "end", "text", "pattern",
    "status", "reason",
]
