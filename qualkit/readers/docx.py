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
import warnings
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
    """Return a table's rows as turns when it is a table of turns, else None.

    The speaker, words and time columns are named by a header row (``Speaker | Time | Text``, in any order,
    beside a ``#`` column) or told by their content: times in every row, the words the longest cells, the
    speaker short cells. A row whose cells are one merged cell is a paragraph of its own (a title); a table
    of one column is a paragraph per row, whose labels are learned like any paragraph's.
    """
    rows = [[cell.strip() for cell in row] for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return None
    if max(len(row) for row in rows) == 1:
        return [Paragraph(row[0], None, None, line) for row in rows]
    merged = [len(set(row)) == 1 for row in rows]
    body = [row for row, one in zip(rows, merged) if not one]
    found = turn_columns(body)
    if found is None:
        return None
    speaker_at, text_at, time_at, header = found
    width = len(body[0])
    paragraphs = []
    for row, one in zip(rows, merged):
        if header and row is body[0]:
            continue
        if one:
            paragraphs.append(Paragraph(row[0], None, None, line))
            continue
        if len(row) != width:
            return None
        speaker = row[speaker_at].rstrip(":").strip()
        time = row[time_at].strip("[] ") if time_at is not None else ""
        paragraphs.append(Paragraph(row[text_at], speaker or None, time or None, line))
    return paragraphs


HEADER_NAMES = {
    "speaker": {"speaker", "speakername", "name", "who", "person", "participant", "role", "voice"},
    "text": {"text", "utterance", "speech", "content", "words", "dialogue", "dialog", "transcript", "transcription",
             "message", "quote", "segment", "transcripttext", "comment", "response", "answer"},
    "time": {"time", "timestamp", "start", "starttime", "begin", "timecode", "tc", "time(start)"},
}


def turn_columns(rows: list[list[str]]) -> tuple[int, int, int | None, bool] | None:
    """Return (speaker column, words column, time column or None, whether the first row is a header) for
    rows of one width that are turns, or None."""
    if len(rows) < 2 or len({len(row) for row in rows}) != 1 or not 2 <= len(rows[0]) <= 5:
        return None
    width = len(rows[0])
    keys = [re.sub(r"[^a-z()]", "", cell.casefold()) for cell in rows[0]]
    named = {role: next((i for i, k in enumerate(keys) if k in names), None) for role, names in HEADER_NAMES.items()}
    header = named["speaker"] is not None and (named["text"] is not None or named["time"] is not None)
    data = rows[1:] if header else rows
    if not data:
        return None
    columns = list(zip(*data))
    times = {i for i, cells in enumerate(columns) if any(cells) and all(not c or TIME_CELL.match(c) for c in cells)}
    numbers = {i for i, cells in enumerate(columns) if all(c.isdigit() for c in cells if c) and any(cells)}
    if header:
        speaker_at, text_at, time_at = named["speaker"], named["text"], named["time"]
        if text_at is None:
            rest = [i for i in range(width) if i not in (speaker_at, time_at) and i not in numbers]
            text_at = max(rest, key=lambda i: sum(len(c) for c in columns[i]), default=None)
    else:
        rest = [i for i in range(width) if i not in times and i not in numbers]
        if len(rest) != 2 or len(times) > 1:
            return None
        text_at = max(rest, key=lambda i: sum(len(c) for c in columns[i]))
        speaker_at = next(i for i in rest if i != text_at)
        time_at = next(iter(times), None)
    if speaker_at is None or text_at is None or speaker_at == text_at:
        return None
    speakers = [c for c in columns[speaker_at] if c]
    if not speakers or any(len(c.split()) > 5 for c in speakers):
        return None
    if time_at is not None and time_at not in times:
        return None
    return speaker_at, text_at, time_at, header


def _document(path: Path, raw: bytes) -> Any:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TranscriptError(f"{path}: corrupt or not a Word .docx file ({exc})") from None
    except Exception as exc:  # lxml errors in a damaged part
        raise TranscriptError(f"{path}: corrupt Word .docx file: {exc}") from None


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
INLINE_WRAPPERS = {f"{W}{tag}" for tag in ("ins", "hyperlink", "smartTag", "sdt", "sdtContent", "fldSimple",
                                           "customXml", "moveTo", "dir", "bdo")}
"""What may stand between a paragraph and its runs: tracked insertions, links, content controls, fields.
Runs inside deletions (``w:del``, ``w:moveFrom``), text boxes and alternate content are not the paragraph's."""


def _blocks(parent: Any) -> Iterator[Any]:
    """Yield the paragraphs and tables under ``parent`` in order, inside content controls too (``w:sdt``)."""
    for element in parent.iterchildren():
        if element.tag in (f"{W}p", f"{W}tbl"):
            yield element
        elif element.tag == f"{W}sdt":
            content = element.find(f"{W}sdtContent")
            if content is not None:
                yield from _blocks(content)
        elif element.tag == f"{W}customXml":
            yield from _blocks(element)


def paragraph_runs(element: Any, paragraph: Any) -> list[Any]:
    """Return a paragraph's runs as Word shows them with changes accepted: inserted text, links and fields
    included, deleted text left out."""
    from docx.text.run import Run

    runs = []
    for run in element.iter(f"{W}r"):
        parent = run.getparent()
        while parent is not element and parent is not None and parent.tag in INLINE_WRAPPERS:
            parent = parent.getparent()
        if parent is element:
            runs.append(Run(run, paragraph))
    return runs


def docx_paragraphs(path: Path, raw: bytes) -> Iterator[Paragraph]:
    """Yield the body's paragraphs and table rows in order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph as DocxParagraph

    document = _document(path, raw)
    body = document.element.body
    if body.find(f".//{W}ins") is not None or body.find(f".//{W}del") is not None:
        warnings.warn(f"{path}: has tracked changes; read as Word shows it with the changes accepted (insertions "
                      "kept, deletions left out)", stacklevel=4)
    tables = 0
    for number, element in enumerate(_blocks(body), start=1):
        if element.tag == f"{W}p":
            para = DocxParagraph(element, document)
            found = paragraph_runs(element, para)
            runs = [(run.text, bool(run.bold)) for run in found]
            style = whole_style([(run.text, bool(run.bold), bool(run.italic)) for run in found])
            yield paragraph_record("".join(text for text, _ in runs), runs, number, style)
        else:
            table = Table(element, document)
            rows = [["\n".join("".join(r.text for r in paragraph_runs(p._p, p)) for p in cell.paragraphs)
                     for cell in row.cells] for row in table.rows]
            tables += 1
            turns = table_paragraphs(rows, number)
            if turns is not None:
                yield from turns
            else:
                warn_table(path, f"table {tables}", rows)


def warn_table(path: Path, where: str, rows: list[list[str]]) -> None:
    """Warn that a table holding text is left out, not being a table of turns."""
    filled = [row for row in rows if any(cell.strip() for cell in row)]
    if filled:
        width = max(len(row) for row in filled)
        warnings.warn(f"{path}: {where} ({len(filled)} row{'s' * (len(filled) != 1)}, {width} columns) is "
                      "not a table of turns (a speaker and their words in each row); its text is left out",
                      stacklevel=4)


def read_docx(path: Path, raw: bytes, options: ReadOptions) -> Transcript:
    """Read a Word transcript."""
    return read_paragraphs(path, docx_paragraphs(path, raw), options, fmt="docx")
