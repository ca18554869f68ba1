"""The speaker labels transcripts open their turns with, as regular expressions, and the lines they are on."""

from __future__ import annotations

import re
from typing import Iterable

TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"
_WORD = r"(?:[A-Z][\w.'’-]*|\d+)"
_MORE = rf"(?:[ \t]+(?:[A-Z0-9][\w.'’-]*|\((?!{TIME}\))[^()\n]{{1,30}}\)|&|and|de|van|von)){{0,3}}"
LABEL = _WORD + _MORE
# A turn opens a line: optional [timestamp], a label of one to four capitalised words or an id
# (P07, HT01, Speaker 1, Dr Jones, Felix (Geth)), an optional (timestamp), then a colon; or, after a
# (timestamp), a dash: ``Speaker 1 (00:00:29) - text``.
TURN = re.compile(
    rf"""^[ \t]*(?:\[(?P<ts>{TIME})\][ \t]*)?
    (?P<label>{LABEL})
    [ \t]*(?:\((?P<ts2>{TIME})\))?
    (?:[ \t]*:(?:[ \t]+|$)|(?(ts2)[ \t]+[-–—](?:[ \t]+|$)|(?!)))""",
    re.VERBOSE | re.MULTILINE,
)
# Otter: ``Name  0:00`` (or ``Name - 0:00``) alone on a line, the paragraph on the lines after it; the name may be
# bold and the time bracketed, as sites publishing the export write it (``**Name**  0:00``, ``**Name** [00:00]``).
OTTER = re.compile(rf"""^[ \t]*(?P<bold>\*\*|__)?(?P<label>{LABEL})(?(bold)(?P=bold))[ \t]+(?:[-–—|][ \t]+)?
    (?:\[(?P<ts>{TIME})\]|\((?P<ts0>{TIME})\)|(?P<ts1>{TIME}))[ \t]*$\n?""", re.MULTILINE | re.VERBOSE)
# The same line with the time first (``[00:00:01.15] - Speaker 1``, ``00:00:01 Speaker 1``), as Happy Scribe and
# other services write it above each paragraph.
OTTER_TIME_FIRST = re.compile(rf"""^[ \t]*(?:\[(?P<ts>{TIME})\]|\((?P<ts0>{TIME})\)|(?P<ts1>{TIME}))[ \t]+(?:[-–—|][ \t]+)?
    (?P<bold>\*\*|__)?(?P<label>{LABEL})(?(bold)(?P=bold))[ \t]*:?[ \t]*$\n?""", re.MULTILINE | re.VERBOSE)
# Zoom desktop saved captions: ``[Speaker] 19:00:25`` alone on a line, the words on the next.
CAPTION = re.compile(r"^[ \t]*\[(?P<label>[^\]\n]{1,80})\][ \t]+(?P<ts>\d{1,2}:\d{2}:\d{2})[ \t]*$\n?", re.MULTILINE)
NOT_LABELS = {"note", "notes", "http", "https", "re", "ps", "nb", "eg", "ie"}


def label_of(line: str) -> tuple[str, str, str | None] | None:
    """Return (label, rest of the line, timestamp) when a line opens with ``Label:``; else None."""
    match = TURN.match(line)
    if not match or match.group("label").casefold().rstrip(".") in NOT_LABELS:
        return None
    return match.group("label"), line[match.end():], match.group("ts") or match.group("ts2")


def numbered(text: str, matches: Iterable[re.Match[str]], first_line: int = 1) -> list[tuple[int, re.Match[str]]]:
    """Return each match (in text order) with the line it starts on, counting the text's lines once, not again
    from the start for every match."""
    found, line, counted = [], first_line, 0
    for match in matches:
        line += text.count("\n", counted, match.start())
        counted = match.start()
        found.append((line, match))
    return found
