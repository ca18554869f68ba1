"""Word ``.docx`` transcripts read with python-docx: paragraphs and tables of turns, in document order.

A paragraph opens a turn when it starts with a bold label (``Surname:`` or a bold name) or with
``Name:`` / ``Name:<TAB>``; other paragraphs continue the turn before them (typed transcripts make
every printed line a paragraph). Teams' layout (``0:0:0.0 --> 0:0:1.510`` / speaker / words, split by
line breaks in one paragraph) is recognised. Headers and footers are never read. A table is read as
turns when its rows are ``speaker | words`` or ``time | speaker | words``; other tables (Teams'
``saved-by``) are left out.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any, Iterator

from qualkit.errors import TranscriptError
from qualkit.readers.common import ReadOptions
from qualkit.readers.labels import TIME
from qualkit.readers.layout import Paragraph, read_paragraphs
from qualkit.transcript import Transcript

TEAMS_TIME = r"\d{1,2}:\d{1,2}:\d{1,2}(?:[.,]\d+)?"
TEAMS_CUE = re.compile(rf"^\s*(?P<start>{TEAMS_TIME})\s*-->\s*(?P<end>{TEAMS_TIME})\s*\n(?P<speaker>[^\n]+)\n(?P<text>.*)\Z", re.DOTALL)
BOLD_LABEL = re.compile(r"^\s*(?P<label>[^\s:][^:\n]{0,60}?)\s*:?\s*$")
TIME_CELL = re.compile(rf"^\s*\[?{TIME}\]?\s*$")


def bold_speaker(runs: list[tuple[str, bool]]) -> tuple[str, str] | None:
    """Return (speaker, rest) when a paragraph opens with bold text that reads as a label."""
    bold = ""
    for number, (text, is_bold) in enumerate(runs):
        if not is_bold:
            if not text.strip() and not bold:
                continue
            break
        bold += text
    else:
        number = len(runs)
    if not bold.strip():
        return None
    rest = "".join(text for text, _ in runs[number:])
    label = bold.strip()
    if not label.endswith(":") and not rest.lstrip(" ").startswith((":", "\t")):
        return None  # bold words without a colon or tab after them are emphasis, not a label
    match = BOLD_LABEL.match(label)
    if not match or len(match.group("label").split()) > 5:
        return None
    return match.group("label"), rest.lstrip(" \t").removeprefix(":")


def paragraph_record(text: str, runs: list[tuple[str, bool]], line: int, style: str = "") -> Paragraph:
    """Classify one paragraph: a Teams cue, a bold-labelled turn, or plain text (with its whole-paragraph style)."""
    teams = TEAMS_CUE.match(text)
    if teams:
        return Paragraph(teams.group("text"), teams.group("speaker").strip(), teams.group("start"), line)
    found = bold_speaker(runs)
    if found:
        return Paragraph(found[1], found[0], None, line)
    if not style and runs and all(bold for piece, bold in runs if piece.strip()):
        style = "b"
    return Paragraph(text, None, None, line, style)


def whole_style(flags: list[tuple[str, bool, bool]]) -> str:
    """Return ``b``, ``i`` or ``bi`` when every visible run of a paragraph is bold and/or italic, else ''."""
    seen = [(b, i) for text, b, i in flags if text.strip()]
    if not seen:
        return ""
    return ("b" if all(b for b, _ in seen) else "") + ("i" if all(i for _, i in seen) else "")


def table_paragraphs(rows: list[list[str]], line: int) -> list[Paragraph] | None:
    """Return a table's rows as turns when it is a table of turns, else None."""
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return None
    width = len(rows[0])
    if width not in (2, 3) or len(rows) < 2:
        return None
    header = [cell.strip().casefold() for cell in rows[0]]
    if "speaker" in header or "name" in header:
        rows = rows[1:]
    paragraphs = []
    for row in rows:
        if len(row) != width:
            return None
        time = row[0] if width == 3 else None
        speaker, text = row[-2].strip().rstrip(":").strip(), row[-1]
        if time is not None and time.strip() and not TIME_CELL.match(time):
            return None
        if len(speaker.split()) > 5:
            return None
        paragraphs.append(Paragraph(text, speaker or None, (time or "").strip("[] ") or None, line))
    return paragraphs


def _document(path: Path, raw: bytes) -> Any:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TranscriptError(f"{path}: corrupt or not a Word .docx file ({exc})") from None
    except Exception as exc:  # lxml errors in a damaged part
        raise TranscriptError(f"{path}: corrupt Word .docx file: {exc}") from None


def docx_paragraphs(path: Path, raw: bytes) -> Iterator[Paragraph]:
    """Yield the body's paragraphs and table rows in order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph as DocxParagraph

    document = _document(path, raw)
    body = document.element.body
    for number, element in enumerate(body.iterchildren(), start=1):
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = DocxParagraph(element, document)
            runs = [(run.text, bool(run.bold)) for run in para.runs]
            style = whole_style([(run.text, bool(run.bold), bool(run.italic)) for run in para.runs])
            yield paragraph_record(para.text, runs, number, style)
        elif tag == "tbl":
            table = Table(element, document)
            rows = [[cell.text for cell in row.cells] for row in table.rows]
            turns = table_paragraphs(rows, number)
            if turns is not None:
                yield from turns


def read_docx(path: Path, raw: bytes, options: ReadOptions) -> Transcript:
    """Read a Word transcript."""
    return read_paragraphs(path, docx_paragraphs(path, raw), options, fmt="docx")
