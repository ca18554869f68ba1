"""Survey free text: a table of responses (CSV, XLSX or Parquet), each response one participant turn.

``--text-column`` names the column holding the response and ``--id-column`` its id (row numbers are
the ids without one); every other column is an attribute (site, date, question, ...). A response's
text is stored exactly as in the file, so offsets point into it. Reading streams: CSV through the
``csv`` module line by line, Parquet in record batches, XLSX through openpyxl's read-only mode, so a
10 GB file never sits in memory. Rows with empty text, text saying no answer was given (``Did not
answer``, ``N/A``, ``-``), a duplicate id, undecodable bytes or the header repeated are left
out, counted and reported (a warning naming the file, the reason and the first rows), never dropped
silently. A table can be read whole or as parts (byte ranges of a CSV, row ranges of an XLSX, row
groups of a Parquet file) planned by :func:`plan_survey`.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import warnings
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from qualkit.errors import TranscriptError
from qualkit.readers.survey_rows import (
    SURVEY_SUFFIXES, Rows, SurveyPart, cell, data_start, delimiter_note, encoding_note, folded, header_row,
    repeats_header, survey_format, table_rows,
)
from qualkit.transcript import PARTICIPANT, Transcript, Turn

REASONS = {"empty": "empty text", "duplicate": "a duplicate id", "undecodable": "undecodable bytes (not UTF-8)",
           "header": "the header repeated (column names or question text below the header, as Qualtrics exports)",
           "unanswered": "text saying no answer was given (Did not answer, N/A, -)"}
NO_ANSWER = {"did not answer", "didn't answer", "did not respond", "not answered", "no answer", "no answer given",
             "no response", "no response given", "n/a", "na", "#n/a", "null", "nan", "blank", "[blank]", "(blank)",
             "[no response]", "(no response)", "not applicable", "skipped", "[skipped]"}
FILLERS = " -–—_./\\*#"
"""Marks that fill a cell left unanswered (``-``, ``...``, ``___``); a text of only these is no answer, though ``?`` and
``;)`` are."""
GARBLED = re.compile("â€.|Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac"
                     "\u2122]|Â[\u00a0-\u00bf]")
"""Text written in UTF-8, read as Windows-1252 and saved again (``â€™`` for ``’``, ``Ã©`` for ``é``, ``Â`` before a
no-break space)."""
HEADER_ROWS = 2
"""This many rows below the header may repeat it."""
SHOWN_ROWS = 5


@dataclass(frozen=True)
class SurveyColumns:
    """Which columns of a survey table hold the response text and its id (``None``: row numbers)."""

    text: str
    id: str | None = None

    @property
    def names(self) -> list[str]:
        """The column names given: the text column's and, when given, the id column's."""
        return [self.text, *([self.id] if self.id else [])]


@dataclass
class SurveyReport:
    """What reading a survey table gave: responses read, and rows left out by reason (first rows kept)."""

    path: str = ""
    responses: int = 0
    left_out: dict[str, int] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)

    def leave_out(self, reason: str, row: int) -> None:
        """Count a row left out for ``reason`` (a key of ``REASONS``)."""
        self.left_out[reason] = self.left_out.get(reason, 0) + 1
        shown = self.rows.setdefault(reason, [])
        if len(shown) < SHOWN_ROWS:
            shown.append(row)

    def merge(self, other: "SurveyReport") -> None:
        """Add another part's counts (rows shown stay the first few, in the order merged)."""
        self.responses += other.responses
        for reason, count in other.left_out.items():
            self.left_out[reason] = self.left_out.get(reason, 0) + count
            shown = self.rows.setdefault(reason, [])
            shown.extend(other.rows.get(reason, [])[: max(0, SHOWN_ROWS - len(shown))])

    def message(self) -> str | None:
        """Return the one-line account of the rows left out, or ``None`` when none was."""
        if not self.left_out:
            return None
        parts = []
        for reason, count in self.left_out.items():
            rows = ", ".join(map(str, sorted(self.rows.get(reason, []))))
            more = ", ..." if count > len(self.rows.get(reason, [])) else ""
            label = "rows" if count > 1 else "row"
            parts.append(f"{count} with {REASONS[reason]} ({label} {rows}{more})")
        total = sum(self.left_out.values())
        return f"{self.path}: {total} row{'s' * (total != 1)} left out: {'; '.join(parts)}"


def is_survey_table(path: str | Path) -> bool:
    """Return whether a file's extension is one a survey table can have."""
    return Path(path).suffix.lower() in SURVEY_SUFFIXES


def read_survey(path: str | Path, columns: SurveyColumns, *, part: SurveyPart | None = None,
                report: SurveyReport | None = None, seen: SeenIds | None = None) -> Iterator[Transcript]:
    """Yield one transcript per response of a survey table (or of one part of it), streaming.

    Rows left out are counted in ``report``; when the iteration ends, a warning says how many and why
    (unless a ``report`` was given: its owner reports). ``seen`` holds the id fingerprints met so far
    (pass one set to several calls to find duplicates across files); a part's own ``skip`` rows are
    its duplicates, found when the table was planned.
    """
    path = Path(path)
    own = report is None
    report = report if report is not None else SurveyReport(str(path))
    seen = seen if seen is not None else SeenIds()
    top = header_row(path, columns.names)
    header, rows = table_rows(path, part, header_row=top)
    text_at, id_at = _positions(path, header, columns, rows)
    names, renamed = unique_names(header)
    if part is None or part.first_row == top + 1:
        for note in (encoding_note(path), delimiter_note(path), title_note(path, top, header),
                     renamed and f"{path}: columns share a name: {renamed}"):
            if note:
                warnings.warn(note, stacklevel=2)
    skip = set(part.skip) if part else set()
    wider: list[int] = []
    garbled: list[tuple[int, str]] = []
    for number, values in rows:
        reason = _left_out(header, values, text_at, id_at, number, top)
        if reason in (None, "empty", "unanswered") and len(values) > len(header) \
                and any(cell(v).strip() for v in values[len(header):]):
            wider.append(number)
        if reason:
            report.leave_out(reason, number)
            continue
        text = cell(values[text_at])
        response = cell(values[id_at]).strip() if id_at is not None and id_at < len(values) else ""
        response = response or f"{path.stem}-{number}"
        if number in skip or (part is None and id_at is not None and _first_time(seen, response) is False):
            report.leave_out("duplicate", number)
            continue
        attributes = {name: cell(values[i]) if i < len(values) else "" for i, name in enumerate(names)
                      if i != text_at and i != id_at and name}
        report.responses += 1
        found = GARBLED.search(text)
        if found:
            garbled.append((number, found.group()))
        yield Transcript(response, text, (Turn(0, response, PARTICIPANT, 0, len(text)),), attributes,
                         f"{path}, row {number}", "survey")
    if wider:
        shown = _first_rows(wider)
        warnings.warn(f"{path}: {len(wider)} row{'s hold' if len(wider) > 1 else ' holds'} more cells than the header's "
                      f"{len(header)} columns (row{'s' * (len(wider) > 1)} {shown}); the cells past column {len(header)} "
                      "are not kept", stacklevel=2)
    if garbled:
        shown = _first_rows([n for n, _ in garbled])
        warnings.warn(f"{path}: {len(garbled)} response{'s hold' if len(garbled) > 1 else ' holds'} text garbled by a "
                      f"wrong encoding before it reached this file ({garbled[0][1]!r} in row {garbled[0][0]}, as UTF-8 "
                      f"read as Windows-1252 gives; row{'s' * (len(garbled) > 1)} {shown}); read as written", stacklevel=2)
    if own and report.message():
        warnings.warn(report.message() or "", stacklevel=2)


def _first_rows(numbers: list[int]) -> str:
    """The first ``SHOWN_ROWS`` row numbers, and ``...`` when there are more."""
    return ", ".join(map(str, numbers[:SHOWN_ROWS])) + (", ..." if len(numbers) > SHOWN_ROWS else "")


def _left_out(header: list[str], values: list[Any] | None, text_at: int, id_at: int | None, number: int,
              top: int) -> str | None:
    """Return why row ``number`` is not a response (a key of ``REASONS`` but ``duplicate``), or None: the one test
    for reading a table and for planning its parts."""
    if values is None:
        return "undecodable"
    if number <= top + HEADER_ROWS and repeats_header(header, values, id_at):
        return "header"
    text = cell(values[text_at]) if text_at < len(values) else ""
    if not text.strip():
        return "empty"
    return "unanswered" if unanswered(text) else None


def title_note(path: Path, top: int, header: list[str]) -> str | None:
    """Return the warning for a header below the first row (a title or blank rows above it), or None."""
    if top == 1:
        return None
    shown = ", ".join(repr(c) for c in header if c)[:120]
    return (f"{path}: the header is row {top} ({shown}); the row{'s' * (top > 2)} above it (a title or blank) "
            f"{'are' if top > 2 else 'is'} not read")


def unanswered(text: str) -> bool:
    """Return whether a response's text only says that no answer was given (``Did not answer``, ``N/A``, ``-``):
    one of ``NO_ANSWER``, or nothing but ``FILLERS``."""
    said = text.strip().casefold().rstrip(".")
    return said in NO_ANSWER or not said.strip(FILLERS)


def unique_names(header: list[str]) -> tuple[list[str], str]:
    """Return the header with a name used twice numbered (``comment``, ``comment_2``), and what was renamed."""
    names: list[str] = []
    renamed: list[str] = []
    for column, name in enumerate(header, start=1):
        unique, number = name, 2
        while name and unique in names:
            unique, number = f"{name}_{number}", number + 1
        if unique != name:
            renamed.append(f"{name!r} (column {column} read as {unique!r})")
        names.append(unique)
    return names, "; ".join(renamed)


def plan_survey(path: str | Path, columns: SurveyColumns, rows_per_part: int, *,
                seen: SeenIds | None = None, report: SurveyReport | None = None) -> list[SurveyPart]:
    """Split a survey table into parts of about ``rows_per_part`` rows, reading it once (streaming).

    The same table always gives the same parts. Duplicate ids are found here, across the whole table
    (and the tables before it, through ``seen``), and each part carries its duplicates to skip; they
    are counted in ``report``.
    """
    path = Path(path)
    fmt = survey_format(path)
    seen = seen if seen is not None else SeenIds()
    report = report if report is not None else SurveyReport(str(path))
    top = header_row(path, columns.names)
    header, rows = table_rows(path, None, offsets=True, header_row=top)
    text_at, id_at = _positions(path, header, columns, rows)
    parts: list[SurveyPart] = []
    start, first, count, skip = data_start(path, fmt, top), top + 1, 0, []
    number, position, boundary = top, start, start
    for number, values, position in rows:  # type: ignore[misc]
        if count >= rows_per_part and position != boundary:  # a Parquet part ends with its row group
            parts.append(SurveyPart(str(path), start, boundary, first, tuple(skip), count))
            start, first, count, skip = boundary, number, 0, []
        boundary = position
        if _left_out(header, values, text_at, id_at, number, top) is None and id_at is not None \
                and id_at < len(values):
            response = cell(values[id_at]).strip() or f"{path.stem}-{number}"
            if not _first_time(seen, response):
                skip.append(number)
                report.leave_out("duplicate", number)
        count += 1
        if count >= rows_per_part and fmt != "parquet":
            parts.append(SurveyPart(str(path), start, position, first, tuple(skip), count))
            start, first, count, skip = position, number + 1, 0, []
    if count:
        parts.append(SurveyPart(str(path), start, position, first, tuple(skip), count))
    return parts


class SeenIds:
    """The ids met so far, as 8-byte fingerprints in an open-addressing table (12-23 bytes an id, against
    about 60 in a Python set of fingerprints and more for the ids themselves), so that a table of 10^8
    responses can be checked for duplicates. Two ids share a fingerprint with odds of about n^2 / 2^65."""

    def __init__(self) -> None:
        self.slots = array("Q", bytes(8 * 1024))
        self.count = 0

    def add(self, response: str) -> bool:
        """Note an id; return whether it is new."""
        key = int.from_bytes(hashlib.blake2b(response.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                             "big") or 1  # 0 marks an empty slot
        slots, mask = self.slots, len(self.slots) - 1
        slot = key & mask
        while slots[slot]:
            if slots[slot] == key:
                return False
            slot = (slot + 1) & mask
        slots[slot] = key
        self.count += 1
        if 10 * self.count > 7 * len(slots):
            self._grow()
        return True

    def _grow(self) -> None:
        old, self.slots = self.slots, array("Q", bytes(16 * len(self.slots)))
        mask = len(self.slots) - 1
        for key in old:
            if key:
                slot = key & mask
                while self.slots[slot]:
                    slot = (slot + 1) & mask
                self.slots[slot] = key


def _first_time(seen: SeenIds, response: str) -> bool:
    return seen.add(response)


def _positions(path: Path, header: list[str], columns: SurveyColumns, rows: Rows) -> tuple[int, int | None]:
    """Return where the text and id columns are; for a missing one, raise (saying where the name stands lower
    down) and close ``rows``, the file looking for the header opened."""
    def find(name: str, option: str) -> int:
        for same in (lambda column: column == name, lambda column: folded(column) == folded(name)):
            for i, column in enumerate(header):
                if same(column):
                    return i
        has = ", ".join(repr(c) for c in header) or "none"
        lower = _lower(name, rows)
        rows.close()
        close = difflib.get_close_matches(name.strip().casefold(), [c.strip().casefold() for c in header], n=1,
                                          cutoff=0.8)
        meant = next((f" (did you mean {c!r}?)" for c in header if close and c.strip().casefold() == close[0]), "")
        raise TranscriptError(f"{path}: no column {name!r} ({option}){meant}; its columns are {has}{lower}")

    text_at = find(columns.text, "--text-column")
    return text_at, find(columns.id, "--id-column") if columns.id else None


def _lower(name: str, rows: Iterator[Any], look: int = 10) -> str:
    """Return where a column name missing from the header stands lower down (title rows above the header), or ''."""
    wanted = name.strip().casefold()
    for number, values, *_ in rows:
        if values is not None and any(cell(v).strip().casefold() == wanted for v in values):
            return f"; row {number} holds {name!r}: delete the rows above it, so that the header is the first row"
        if number > look:
            break
    return ""


def survey_sources(paths: Iterable[str | Path], columns: SurveyColumns, *, chunk: int = 256,
                   report: SurveyReport | None = None) -> Iterator[list[Transcript]]:
    """Yield the responses of survey tables in chunks of ``chunk`` (one ``nlp.pipe`` each), streaming,
    with duplicate ids found across all of them; the rows left out are counted in ``report`` (or warned
    of, per file, without one)."""
    seen = SeenIds()
    for path in paths:
        own = SurveyReport(str(path))
        batch: list[Transcript] = []
        for transcript in read_survey(path, columns, report=own, seen=seen):
            batch.append(transcript)
            if len(batch) >= chunk:
                yield batch
                batch = []
        if batch:
            yield batch
        if report is not None:
            report.merge(own)
        if own.message():
            warnings.warn(own.message() or "", stacklevel=2)


def survey_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the survey tables they hold (sorted by name); refuse what is not one."""
    files: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            found = sorted(p for p in item.iterdir() if p.is_file() and is_survey_table(p)
                           and not p.name.startswith((".", "~$")))
            if not found:
                raise TranscriptError(f"{item}: folder holds no survey tables (.csv, .tsv, .xlsx, .parquet)")
            files.extend(found)
        elif not item.exists():
            raise TranscriptError(f"{item}: survey table not found")
        elif not is_survey_table(item):
            raise TranscriptError(f"{item}: not a survey table (--text-column reads .csv, .tsv, .xlsx or .parquet)")
        else:
            files.append(item)
    return files


def read_survey_tables(paths: Iterable[str | Path], columns: SurveyColumns) -> list[Transcript]:
    """Return every response of survey tables (files or folders of them) as transcripts, in memory (for
    a study's run and theme suggestion; ``qualkit code`` streams them instead), warning of rows left out."""
    return [t for chunk in survey_sources(survey_files(paths), columns) for t in chunk]
