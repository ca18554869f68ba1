"""Transcript and Turn records: the full text of an interview and its speaker turns, with offsets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

INTERVIEWER = "interviewer"
PARTICIPANT = "participant"

DEFAULT_INTERVIEWER_LABELS: tuple[str, ...] = (
    "Interviewer",
    "I",
    "Int",
    "Q",
    "Moderator",
    "Facilitator",
    "Researcher",
    "Experimenter",
)


@dataclass(frozen=True)
class Turn:
    """One speaker turn: ``text[start:end]`` of its transcript is what the speaker said."""

    index: int
    speaker: str
    role: str
    start: int
    end: int
    timestamp: str | None = None
    end_timestamp: str | None = None


@dataclass(frozen=True)
class Transcript:
    """An interview: its stored plain text, speaker turns with offsets into it, and attributes.

    ``text`` is the text qualkit stores and every offset refers to. ``preamble`` is the
    ``(start, end)`` span of text before the first turn (titles, notes), never coded.
    """

    id: str
    text: str
    turns: tuple[Turn, ...]
    attributes: Mapping[str, str] = field(default_factory=dict)
    source: str = ""
    format: str = "text"
    preamble: tuple[int, int] = (0, 0)

    def turn_text(self, turn: Turn) -> str:
        """Return the words of one turn."""
        return self.text[turn.start : turn.end]

    def participant_turns(self) -> tuple[Turn, ...]:
        """Return the turns spoken by participants (not the interviewer)."""
        return tuple(t for t in self.turns if t.role == PARTICIPANT)

    def speakers(self) -> tuple[str, ...]:
        """Return the distinct speaker labels in order of first appearance."""
        return tuple(dict.fromkeys(t.speaker for t in self.turns))

    def participant_words(self) -> int:
        """Return the number of whitespace-separated words participants spoke."""
        return sum(len(self.turn_text(t).split()) for t in self.participant_turns())

    def with_attributes(self, attributes: Mapping[str, str]) -> "Transcript":
        """Return a copy with ``attributes`` merged over the ones it has."""
        merged = {**self.attributes, **attributes}
        return Transcript(self.id, self.text, self.turns, merged, self.source, self.format, self.preamble)


def role_for(speaker: str, interviewer_labels: tuple[str, ...] = DEFAULT_INTERVIEWER_LABELS) -> str:
    """Return ``interviewer`` when the label names an interviewer (case-insensitive), else ``participant``."""
    wanted = {label.casefold() for label in interviewer_labels}
    return INTERVIEWER if speaker.strip().casefold() in wanted else PARTICIPANT


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Return ``(start, end)`` moved inwards past the whitespace at the span's edges of ``text``."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
