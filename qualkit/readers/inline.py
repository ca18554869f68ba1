"""Turns run together on one line: ``Interviewer: How are you? Participant: Fine. Interviewer: ...``.

A transcript pasted from a web form or a PDF may lose its line breaks, so a turn's label sits after the
end of the sentence before it rather than at a line start. Such a label opens a turn when it is one the
file's speakers use (a label learned at a line start), or when it recurs that way and names a role or an
id; a name in reported speech (``He said. Doctor: rest.``) is not a speaker of the file and stays text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter

from qualkit.readers.learn import SEP_COLON, Head, Learned
from qualkit.readers.vocab import key_of, known_role, shape_ok

COLON = re.compile(r"[:：][^\S\n]+(?=\S)")
BEFORE = re.compile(r"[.?!…\"”)\]][^\S\n]+(?P<label>[^\W_][^\n:：?!.,;\"“”\[\]]{0,39}?)[^\S\n]*\Z")


def _inline_labels(text: str, start: int) -> list[tuple[int, int, str]]:
    """Return (label start, speech start, label) for each colon that follows a label after a sentence's end
    (found from the colons back, which are few, rather than from every sentence end)."""
    found = []
    for colon in COLON.finditer(text, start):
        window = max(start, colon.start() - 48)
        match = BEFORE.search(text, window, colon.start())
        if match is not None and shape_ok(match.group("label").strip()):
            found.append((match.start("label"), colon.end(), match.group("label").strip()))
    return found


def inline_heads(text: str, learned: Learned, first_line: int = 1) -> str | None:
    """Add to ``learned`` the turns whose labels sit inside a line, after a sentence; return the warning, or None."""
    speakers = {head.key: speaker for head, speaker in learned.heads if head.sep == SEP_COLON}
    found = _inline_labels(text, learned.cover_end)
    uses = Counter(key_of(label) for _, _, label in found)
    spans = [(head.head, head.start) for head, _ in learned.heads]
    added: list[tuple[Head, str]] = []
    for at, speech, label in found:
        key = key_of(label)
        if key not in speakers and not (uses[key] >= 2 and known_role(label)):
            continue
        before = bisect_right(spans, (at, len(text))) - 1
        if before >= 0 and spans[before][1] > at:
            continue  # the label of a line-start head, after its timestamp: ``(00:01:02) Interviewer:``
        line = text.count("\n", 0, at) + first_line
        head = Head(at, speech, line, label, key, SEP_COLON, None)
        added.append((head, speakers.get(key, label)))
    if not added:
        return None
    learned.heads = sorted([*learned.heads, *added], key=lambda pair: pair[0].head)
    first = added[0][0]
    return (f"{len(added)} {'turns start' if len(added) > 1 else 'turn starts'} inside a line, after the end of a sentence (first: "
            f"{first.label!r} on line {first.line}): read as turns, as if the line broke there")
