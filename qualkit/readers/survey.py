"""Survey free text: a table of responses (CSV, XLSX or Parquet), each response one participant turn.

``--text-column`` names the column holding the response and ``--id-column`` its id (row numbers are
the ids without one); every other column is an attribute (site, date, question, ...). A response's
text is stored exactly as in the file, so offsets point into it. Reading streams: CSV through the
``csv`` module line by line, Parquet in record batches, XLSX through openpyxl's read-only mode, so a
10 GB file never sits in memory. Rows with empty text, a duplicate id or undecodable bytes are left
out, counted and reported (a warning naming the file, the reason and the first rows), never dropped
silently. A table can be read whole or as parts (byte ranges of a CSV, row ranges of an XLSX, row
groups of a Parquet file) planned by :func:`plan_survey`.
"""

from __future__ import annotations

import csv
import hashlib
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

from qualkit.errors import TranscriptError
from qualkit.transcript import PARTICIPANT, Transcript, Turn

SURVEY_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
                   ".parquet": "parquet", ".pq": "parquet"}
REASONS = {"empty": "empty text", "duplicate": "a duplicate id", "undecodable": "undecodable bytes (not UTF-8)"}
SHOWN_ROWS = 5


@dataclass(frozen=True)
class SurveyColumns:
    """Which columns of a survey table hold the response text and its id (``None``: row numbers)."""

    text: str
    id: str | None = None


@dataclass(frozen=True)
class SurveyPart:
    """A slice of one survey table: a byte range of a CSV (``start``/``stop``), a row range of an XLSX
    or the row groups of a Parquet file (``start``/``stop`` as numbers), and the number of its first row
    (the header is row 1). ``skip`` lists the rows left out for an id used earlier in the table."""

    path: str
    start: int = 0
    stop: int | None = None
    first_row: int = 2
    skip: tuple[int, ...] = ()
    size: int = 0


@dataclass
class SurveyReport:
    """What reading a survey table gave: responses read, and rows left out by reason (first rows kept)."""

    path: str = ""
    responses: int = 0
    left_out: dict[str, int] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)

    def leave_out(self, reason: str, row: int) -> None:
        """Count a row left out for ``reason`` (``empty``, ``duplicate`` or ``undecodable``)."""
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


def survey_format(path: Path) -> str:
    """Return ``csv``, ``xlsx`` or ``parquet`` for a survey table, or raise a TranscriptError."""
    fmt = SURVEY_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise TranscriptError(f"{path}: not a survey table (use {', '.join(sorted(SURVEY_SUFFIXES))})")
    if not path.is_file():
        raise TranscriptError(f"{path}: survey table not found")
    return fmt


def read_survey(path: str | Path, columns: SurveyColumns, *, part: SurveyPart | None = None,
                report: SurveyReport | None = None, seen: set[int] | None = None) -> Iterator[Transcript]:
    """Yield one transcript per response of a survey table (or of one part of it), streaming.

    Rows left out are counted in ``report``; when the iteration ends, a warning says how many and why
    (unless a ``report`` was given: its owner reports). ``seen`` holds the id fingerprints met so far
    (pass one set to several calls to find duplicates across files); a part's own ``skip`` rows are
    its duplicates, found when the table was planned.
    """
    path = Path(path)
    own = report is None
    report = report if report is not None else SurveyReport(str(path))
    seen = seen if seen is not None else set()
    header, rows = _rows(path, part)
    text_at, id_at = _positions(path, header, columns)
    skip = set(part.skip) if part else set()
    for number, values in rows:
        if values is None:
            report.leave_out("undecodable", number)
            continue
        text = _cell(values[text_at]) if text_at < len(values) else ""
        if not text.strip():
            report.leave_out("empty", number)
            continue
        response = _cell(values[id_at]).strip() if id_at is not None and id_at < len(values) else ""
        response = response or f"{path.stem}-{number}"
        if number in skip or (part is None and id_at is not None and _first_time(seen, response) is False):
            report.leave_out("duplicate", number)
            continue
        attributes = {name: _cell(values[i]) if i < len(values) else "" for i, name in enumerate(header)
                      if i != text_at and i != id_at and name}
        report.responses += 1
        yield Transcript(response, text, (Turn(0, response, PARTICIPANT, 0, len(text)),), attributes,
                         f"{path}, row {number}", "survey")
    if own and report.message():
        warnings.warn(report.message() or "", stacklevel=2)


def plan_survey(path: str | Path, columns: SurveyColumns, rows_per_part: int, *,
                seen: set[int] | None = None, report: SurveyReport | None = None) -> list[SurveyPart]:
    """Split a survey table into parts of about ``rows_per_part`` rows, reading it once (streaming).

    The same table always gives the same parts. Duplicate ids are found here, across the whole table
    (and the tables before it, through ``seen``), and each part carries its duplicates to skip; they
    are counted in ``report``.
    """
    path = Path(path)
    fmt = survey_format(path)
    seen = seen if seen is not None else set()
    report = report if report is not None else SurveyReport(str(path))
    header, rows = _rows(path, None, offsets=True)
    text_at, id_at = _positions(path, header, columns)
    parts: list[SurveyPart] = []
    start, first, count, skip = _data_start(path, fmt), 2, 0, []
    number, position, boundary = 1, start, start
    for number, values, position in rows:  # type: ignore[misc]
        if count >= rows_per_part and position != boundary:  # a Parquet part ends with its row group
            parts.append(SurveyPart(str(path), start, boundary, first, tuple(skip), count))
            start, first, count, skip = boundary, number, 0, []
        boundary = position
        if values is not None and id_at is not None and id_at < len(values) and text_at < len(values) \
                and _cell(values[text_at]).strip():
            response = _cell(values[id_at]).strip() or f"{path.stem}-{number}"
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


def _first_time(seen: set[int], response: str) -> bool:
    """Note an id's fingerprint (8 bytes, so a huge table's ids stay small); return whether it is new."""
    key = int.from_bytes(hashlib.blake2b(response.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")
    if key in seen:
        return False
    seen.add(key)
    return True


def _positions(path: Path, header: list[str], columns: SurveyColumns) -> tuple[int, int | None]:
    def find(name: str, option: str) -> int:
        for wanted in (name, name.strip().casefold()):
            for i, column in enumerate(header):
                if column == wanted or column.strip().casefold() == wanted:
                    return i
        has = ", ".join(repr(c) for c in header) or "none"
        raise TranscriptError(f"{path}: no column {name!r} ({option}); its columns are {has}")

    text_at = find(columns.text, "--text-column")
    return text_at, find(columns.id, "--id-column") if columns.id else None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


# -- the three formats, streamed ----------------------------------------------------------------------------

Rows = Iterator[Any]


def _rows(path: Path, part: SurveyPart | None, offsets: bool = False) -> tuple[list[str], Rows]:
    """Return the header and an iterator of ``(row number, values or None, [offset after])``."""
    fmt = survey_format(path)
    reader = {"csv": _csv_rows, "xlsx": _xlsx_rows, "parquet": _parquet_rows}[fmt]
    return reader(path, part, offsets)


def _data_start(path: Path, fmt: str) -> int:
    if fmt == "csv":
        with path.open("rb") as handle:
            _csv_header(path, handle)
            return handle.tell()
    return 0


class _Lines:
    """A CSV file's lines as text for ``csv.reader``, tracking the bytes read and undecodable lines."""

    def __init__(self, handle: Any, stop: int | None) -> None:
        self.handle, self.stop = handle, stop
        self.position = handle.tell()
        self.bad = False

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        if self.stop is not None and self.position >= self.stop:
            raise StopIteration
        line = self.handle.readline()
        if not line:
            raise StopIteration
        self.position += len(line)
        try:
            return str(line.decode("utf-8"))
        except UnicodeDecodeError:
            self.bad = True
            return str(line.decode("utf-8", "replace"))


def _delimiter(path: Path) -> str:
    return "\t" if path.suffix.lower() == ".tsv" else ","


def _csv_header(path: Path, handle: Any) -> list[str]:
    lines = _Lines(handle, None)
    try:
        header = next(csv.reader(lines, delimiter=_delimiter(path)))
    except StopIteration:
        raise TranscriptError(f"{path}: survey table is empty (no header row)") from None
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    return [h.strip() for h in header]


def _csv_rows(path: Path, part: SurveyPart | None, offsets: bool) -> tuple[list[str], Rows]:
    handle = path.open("rb")
    try:
        header = _csv_header(path, handle)
    except BaseException:
        handle.close()
        raise

    def rows() -> Iterator[Any]:
        with handle:
            if part is not None:
                handle.seek(part.start)
            lines = _Lines(handle, part.stop if part else None)
            number = part.first_row - 1 if part else 1
            reader = csv.reader(lines, delimiter=_delimiter(path))
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise TranscriptError(f"{path}, row {number + 1}: cannot read the row: {exc}") from None
                number += 1
                bad, lines.bad = lines.bad, False
                if not values:  # a blank line is not a response
                    number -= 1
                    continue
                row = None if bad else values
                yield (number, row, lines.position) if offsets else (number, row)

    return header, rows()


def _xlsx_rows(path: Path, part: SurveyPart | None, offsets: bool) -> tuple[list[str], Rows]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TranscriptError(f"{path}: cannot read the workbook: {exc}") from None
    sheet = book.worksheets[0]
    first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
    if first is None:
        book.close()
        raise TranscriptError(f"{path}: survey table is empty (no header row)")
    header = [_cell(v).strip() for v in first]
    begin = part.start if part and part.start else 2

    def rows() -> Iterator[Any]:
        try:
            number = begin - 1
            for values in sheet.iter_rows(min_row=begin, max_row=(part.stop - 1) if part and part.stop else None,
                                          values_only=True):
                number += 1
                if all(v is None for v in values):
                    continue
                yield (number, list(values), number + 1) if offsets else (number, list(values))
        finally:
            book.close()

    return header, rows()


def _parquet_rows(path: Path, part: SurveyPart | None, offsets: bool) -> tuple[list[str], Rows]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise TranscriptError(f"{path}: reading Parquet needs pyarrow (pip install pyarrow)") from None
    try:
        table = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError kinds for a damaged file
        raise TranscriptError(f"{path}: cannot read the Parquet file: {exc}") from None
    header = list(table.schema_arrow.names)
    groups = list(range(table.num_row_groups))
    if part is not None:
        groups = groups[part.start: part.stop]

    def rows() -> Iterator[Any]:
        number = part.first_row - 1 if part else 1
        for group in groups:
            for batch in table.iter_batches(batch_size=8192, row_groups=[group]):
                columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
                for values in zip(*columns):
                    number += 1
                    yield (number, list(values), group + 1) if offsets else (number, list(values))

    return header, rows()


def survey_sources(paths: Iterable[str | Path], columns: SurveyColumns, *, chunk: int = 256,
                   report: SurveyReport | None = None) -> Iterator[list[Transcript]]:
    """Yield the responses of survey tables in chunks of ``chunk`` (one ``nlp.pipe`` each), streaming,
    with duplicate ids found across all of them; the rows left out are counted in ``report`` (or warned
    of, per file, without one)."""
    seen: set[int] = set()
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
