"""Documents without speaker labels: questions and answers told apart by question marks or paragraph style.

Alternating question and answer paragraphs (questions ending in ``?``, or set in their own style in a
Word or OpenDocument file) are read as interviewer and participant turns; anything else as one
participant turn per paragraph. Either way the caller warns, saying which was done.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

QUESTIONER, ANSWERER = "Interviewer", "Participant"
CLOSERS = "\"'”’)]*_ "


@dataclass(frozen=True)
class Block:
    """A paragraph of an unlabelled document: its span (or index) and its formatting style, if known."""

    text: str
    style: str = ""


def is_question(text: str) -> bool:
    """Return whether a paragraph ends with a question mark (after closing quotes or brackets)."""
    return text.rstrip(CLOSERS + "\n\t").endswith("?")


def list_reason(blocks: Sequence[Block]) -> str | None:
    """Return why unlabelled blocks are a list rather than speech (most are short and not sentences), or None."""
    short = sum(1 for b in blocks if len(b.text.split()) <= 8 and not b.text.rstrip(CLOSERS).endswith((".", "?", "!")))
    if len(blocks) >= 5 and short >= 0.6 * len(blocks):
        return (f"not a transcript: {short} of its {len(blocks)} lines are short and not sentences "
                "(a list, e.g. a code system?), and it has no speaker labels")
    lines = [line for b in blocks for line in b.text.split("\n") if line.strip()]
    asked = sum(map(is_question, lines))
    if len(lines) >= 4 and asked >= 0.7 * len(lines):
        return (f"not a transcript: {asked} of its {len(lines)} lines are questions with no answers between them "
                "(a topic guide or questionnaire?), and it has no speaker labels")
    return None


def assign(blocks: Sequence[Block]) -> tuple[list[str], str]:
    """Return a speaker per block and a sentence saying how they were chosen."""
    questions = [is_question(b.text) for b in blocks]
    styles = Counter(b.style for b in blocks)
    if len(styles) == 2 and min(styles.values()) >= 2:
        share = {s: sum(q for b, q in zip(blocks, questions) if b.style == s) / n for s, n in styles.items()}
        first = blocks[0].style
        asking, other = sorted(share, key=lambda s: (share[s], s == first), reverse=True)
        changes = sum(a.style != b.style for a, b in zip(blocks, blocks[1:])) / max(1, len(blocks) - 1)
        if share[asking] >= 0.5 and share[asking] >= 2 * share[other]:
            speakers = [QUESTIONER if b.style == asking else ANSWERER for b in blocks]
            return speakers, (f"paragraphs in one style ({sum(s == QUESTIONER for s in speakers)}, mostly questions) "
                              f"read as {QUESTIONER!r}, the others as {ANSWERER!r}")
        if changes >= 0.8:
            speakers = [QUESTIONER if b.style == asking else ANSWERER for b in blocks]
            return speakers, (f"paragraphs alternate between two styles: the {sum(s == QUESTIONER for s in speakers)} "
                              f"in the style {'with more questions' if share[asking] > share[other] else 'opening the document'}"
                              f" read as {QUESTIONER!r}, the others as {ANSWERER!r}")
    asked = sum(questions)
    answered = sum(1 for i, q in enumerate(questions) if q and i + 1 < len(blocks) and not questions[i + 1])
    if asked >= 2 and answered >= 0.7 * asked and len(blocks) - asked >= 0.5 * asked:
        speakers = [QUESTIONER if q else ANSWERER for q in questions]
        return speakers, (f"read as alternating questions and answers: {asked} paragraphs ending in '?' as "
                          f"{QUESTIONER!r}, the {len(blocks) - asked} others as {ANSWERER!r}")
    return [ANSWERER] * len(blocks), (f"no questions alternating with answers; each of the {len(blocks)} "
                                      f"paragraphs read as a turn of one speaker, {ANSWERER!r}")


PARAGRAPH = re.compile(r"\S(?:.|\n(?=[ \t]*\S))*", re.MULTILINE)


def text_blocks(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Return the spans of a plain text's paragraphs (blank-line separated; lines if there is only one)."""
    spans = [(m.start(), m.end()) for m in PARAGRAPH.finditer(text, start)]
    if len(spans) == 1 and text.count("\n", *spans[0]) >= 2:
        base = spans[0][0]
        spans = [(base + m.start(), base + m.end()) for m in re.finditer(r"\S[^\n]*", text[base:spans[0][1]])]
    return spans


def is_title(block: str) -> bool:
    """Return whether a block reads as a title: a heading, or one short line without end punctuation."""
    return block.startswith("#") or ("\n" not in block and len(block.split()) <= 8
                                     and not block.rstrip().endswith((".", "?", "!", '"', "”")))


def title_lines(text: str, spans: list[tuple[int, int]]) -> int:
    """Return how many leading spans are titles (a heading, or a short line without end punctuation)."""
    count = 0
    for start, end in spans[:3]:
        block = text[start:end]
        if len(spans) - count < 2:
            break
        if is_title(block):
            count += 1
        else:
            break
    return count
