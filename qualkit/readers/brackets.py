"""Square brackets at a line start: a speaker's label (``[Interviewer] So ...``, ``[P03]: ...``) or a
transcriber's mark inside a turn (``[laughs]``, ``[inaudible 00:12:03]``, ``[crosstalk]``, ``[redacted]``).

Both open lines, so a bracketed opening must earn its place as a label. It is one when it names a role, a
participant id or a person the cover block names; otherwise only when it is written the way the file's
labels are (the bracketed role labels, or failing those the file's bracketed openings at large): in their
letter case (a mark is mostly lower case, a name never is), with their separator (a colon or none), on its
own line or not as they are, opening a paragraph when they do; and when it is never used inside speech
(a mark also sits mid-line) and holds no time (``[inaudible 00:12:03]``). What is left is text of the turn.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Protocol, Sequence

from qualkit.readers.labels import TIME

IN_BRACKETS = re.compile(r"\[[ \t]*([^\[\]\n]{1,60}?)[ \t]*\]")
HAS_TIME = re.compile(TIME)


class BracketHead(Protocol):
    """What a candidate head tells about itself (see learn.Head)."""

    head: int
    start: int
    label: str
    key: str
    sep: str
    bracket: bool


def _alone(text: str, head: BracketHead) -> bool:
    end = text.find("\n", head.start)
    return not text[head.start:end if end >= 0 else len(text)].strip()


def bracket_marks(text: str, heads: Sequence[BracketHead], known: Callable[[BracketHead], bool],
                  opens_paragraph: Callable[[BracketHead], bool], style_of: Callable[[str], str],
                  key_of: Callable[[str], str]) -> dict[str, str]:
    """Return the keys of the bracketed openings that are transcriber's marks, each with the reason."""
    bracketed = [h for h in heads if h.bracket]
    if not bracketed:
        return {}
    uses = Counter(h.key for h in heads)
    labels = [h for h in heads if known(h)] or [h for h in heads if uses[h.key] >= 2]
    if labels and sum(h.bracket for h in labels) * 2 < len(labels):
        return {h.key: "the labels are not in brackets" for h in bracketed if not known(h)}
    anchors = [h for h in bracketed if known(h)]
    reference = anchors or bracketed
    styles = {"title", "upper"} | {style_of(h.label) for h in anchors}
    seps = Counter(h.sep for h in reference)
    alone = Counter(_alone(text, h) for h in reference)
    usual_alone = alone[True] > alone[False]
    paragraphs = len(anchors) >= 2 and sum(map(opens_paragraph, anchors)) >= 0.8 * len(anchors)
    capitals = sum(_opens_sentence(text, h) for h in reference) >= 0.8 * len(reference)
    written = Counter(key_of(m.group(1)) for m in IN_BRACKETS.finditer(text))
    groups: dict[str, list[BracketHead]] = {}
    for head in bracketed:
        groups.setdefault(head.key, []).append(head)
    marks: dict[str, str] = {}
    for key, group in groups.items():
        if any(known(h) for h in group):
            continue
        if any(HAS_TIME.search(h.label) for h in group):
            marks[key] = "holds a time"
        elif written[key] > len(group):
            marks[key] = "also used inside speech"
        elif any(style_of(h.label) not in styles for h in group):
            marks[key] = "lower case, unlike the labels"
        elif anchors and any(seps[h.sep] == 0 for h in group):
            marks[key] = "not written with the labels' separator"
        elif any(_alone(text, h) != usual_alone for h in group):
            marks[key] = "on a line of its own, unlike the labels" if not usual_alone else "not on a line of its own, unlike the labels"
        elif paragraphs and not any(opens_paragraph(h) for h in group):
            marks[key] = "inside a paragraph, where the labels open paragraphs"
        elif capitals and not any(_opens_sentence(text, h) for h in group):
            marks[key] = "the words after it continue a sentence"
    return marks


def _opens_sentence(text: str, head: BracketHead) -> bool:
    """Return whether the words after a head open a sentence (a capital letter or a digit first)."""
    first = next((c for c in text[head.start:head.start + 40] if c.isalnum()), "")
    return first.isupper() or first.isdigit()


def unnamed_labels(heads: Sequence[BracketHead], known: Callable[[BracketHead], bool]) -> list[str]:
    """Return the bracketed labels taken as speakers that name no role, id or person, when others do."""
    bracketed = [h for h in heads if h.bracket]
    if not any(known(h) for h in bracketed):
        return []
    return list(dict.fromkeys(h.label for h in bracketed if not known(h)))
