"""A Markdown table of turns (``| Speaker | Text |`` rows, from a notes app or a converted document).

The table's columns are told as a Word table's are (see docx.table_paragraphs): named by its header row or
by content. Only a text that is the table (with a title or notes before it) is read so; anything else is
read as plain text.
"""

from __future__ import annotations

import re

from qualkit.readers.docx import table_paragraphs
from qualkit.readers.layout import Segment

PIPE_ROW = re.compile(r"^[ \t]*\|(?P<cells>.*)\|[ \t]*$", re.MULTILINE)
RULE = re.compile(r"^[\s|:\-]+$")


def markdown_table(text: str, first_line: int = 1) -> tuple[list[Segment], str] | None:
    """Return the turns of a text that is a Markdown table of turns, and the text before the table; else None."""
    if "|" not in text:
        return None
    rows = list(PIPE_ROW.finditer(text))
    if len(rows) < 3 or text[rows[-1].end():].strip():
        return None
    between = [text[a.end():b.start()] for a, b in zip(rows, rows[1:])]
    if any(gap.strip() for gap in between):
        return None
    cells = [[cell.strip() for cell in re.split(r"(?<!\\)\|", row.group("cells"))] for row in rows
             if not RULE.match(row.group("cells"))]
    line = first_line + text.count("\n", 0, rows[0].start())
    paragraphs = table_paragraphs(cells, line)
    if paragraphs is None or not any(p.speaker for p in paragraphs):
        return None
    segments = [Segment(p.speaker, p.text.replace("\\|", "|"), p.timestamp, line=line) for p in paragraphs]
    return segments, text[:rows[0].start()]
