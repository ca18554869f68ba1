"""Survey tables read as rows, streaming, in three formats: CSV line by line through the ``csv`` module
(tracking byte offsets, so a part can start mid-file), XLSX through openpyxl's read-only mode, Parquet in
record batches of its row groups. ``survey`` turns the rows into responses.

A CSV's encoding is told from its first megabyte: a byte-order mark (UTF-8, or UTF-16 as Excel's "Unicode
Text" and Qualtrics' TSV are saved), else UTF-8 when it decodes, else Windows-1252 (as Excel saves "CSV" on
Windows); every reading other than UTF-8 is said in a warning."""

from __future__ import annotations

import codecs
import csv
import functools
import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from qualkit.errors import TranscriptError

SURVEY_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
                   ".parquet": "parquet", ".pq": "parquet"}


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


def survey_format(path: Path) -> str:
    """Return ``csv``, ``xlsx`` or ``parquet`` for a survey table, or raise a TranscriptError."""
    fmt = SURVEY_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise TranscriptError(f"{path}: not a survey table (use {', '.join(sorted(SURVEY_SUFFIXES))})")
    if not path.is_file():
        raise TranscriptError(f"{path}: survey table not found")
    return fmt


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


# -- the three formats, streamed ----------------------------------------------------------------------------

Rows = Iterator[Any]


class _Rows:
    """A table's rows, whose ``close`` also closes the file when the rows were never read (a header looked at)."""

    def __init__(self, rows: Iterator[Any], close: Any) -> None:
        self.rows, self.closer = rows, close

    def __iter__(self) -> "_Rows":
        return self

    def __next__(self) -> Any:
        return next(self.rows)

    def close(self) -> None:
        self.rows.close()  # type: ignore[attr-defined]
        self.closer()


def table_rows(path: Path, part: SurveyPart | None, offsets: bool = False, header_row: int = 1,
               ) -> tuple[list[str], Rows]:
    """Return the header (on ``header_row``, the rows above it a title) and an iterator of ``(row number, values
    or None, [offset after])`` of the rows below it (of ``part`` only, when given)."""
    fmt = survey_format(path)
    if fmt == "parquet":
        return _parquet_rows(path, part, offsets)
    return (_csv_rows if fmt == "csv" else _xlsx_rows)(path, part, offsets, header_row)


def data_start(path: Path, fmt: str, header_row: int = 1) -> int:
    if fmt == "csv":
        with path.open("rb") as handle:
            _csv_header(path, handle, header_row)
            return handle.tell()
    return 0


def header_row(path: Path, names: list[str], look: int = 10) -> int:
    """Return the row holding the header: the first of the first rows to hold every one of ``names`` (the
    columns asked for), as a title or blank rows may stand above it; 1 when none does."""
    wanted = {folded(name) for name in names}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reading proper says what the file holds
        header, rows = table_rows(path, None)
    try:
        if wanted <= {folded(c) for c in header}:
            return 1
        for number, values, *_ in rows:
            if number > look:
                break
            if values is not None and wanted <= {folded(cell(v)) for v in values}:
                return int(number)
    finally:
        rows.close()
    return 1


def folded(name: str) -> str:
    """A column name as matched: case and runs of spaces or line breaks aside (a question's text wraps in its cell)."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Encoding:
    """How a CSV's bytes are text: the codec, and the warning saying so when it is not plain UTF-8."""

    codec: str = "utf-8"
    note: str = ""

    @property
    def newline(self) -> bytes:
        return "\n".encode(self.codec)


SAMPLE, CHUNK = 1 << 20, 1 << 16
BOMS = ((codecs.BOM_UTF8, "utf-8", ""), (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"))


def csv_encoding(path: Path) -> Encoding:
    """Tell a CSV's encoding from its first megabyte: a byte-order mark, else UTF-8, else Windows-1252."""
    stat = path.stat()
    return _encoding(path, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _encoding(path: Path, size: int, mtime: int) -> Encoding:
    """The encoding of a file as it is (its size and time of change), told once however often it is opened."""
    decoder, lines, read = codecs.getincrementaldecoder("utf-8")(), 1, 0
    with path.open("rb") as handle:
        while read < SAMPLE:
            chunk = handle.read(CHUNK)
            if not read:
                for bom, codec, name in BOMS:
                    if chunk.startswith(bom):
                        return Encoding(codec, name and f"{path}: is {name} text (as Excel saves 'Unicode Text'); "
                                                        f"read as {name}")
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                line = lines + chunk[:max(0, exc.start)].count(b"\n")
                return Encoding("cp1252", f"{path}: is not UTF-8 (line {line} holds byte 0x{chunk[max(0, exc.start)]:02x}); "
                                          "read as Windows-1252, as Excel saves 'CSV' on Windows (if its text looks "
                                          "wrong, save it again as 'CSV UTF-8')")
            if not chunk:
                break
            lines, read = lines + chunk.count(b"\n"), read + len(chunk)
    return Encoding()


class _Lines:
    """A CSV file's lines as text for ``csv.reader``, tracking the bytes read and undecodable lines."""

    def __init__(self, handle: Any, stop: int | None, encoding: Encoding) -> None:
        self.handle, self.stop = handle, stop
        self.codec, self.newline = encoding.codec, encoding.newline
        self.position = handle.tell()
        self.bad = False
        self.last = ""
        self.taken = 0
        self.quotes = 0
        """Lines given for the row being read, and the quote marks in them (odd: a quote left open)."""

    def __iter__(self) -> "_Lines":
        return self

    def _readline(self) -> bytes:
        """Read one line; in UTF-16 a line ends at a whole two-byte new line, not at any 0x0A byte."""
        line = self.handle.readline()
        while len(self.newline) > 1 and line and (len(line) % 2 or not line.endswith(self.newline)):
            more = self.handle.read(1) if len(line) % 2 else self.handle.readline()
            if not more:
                break
            line += more
        return bytes(line)

    def __next__(self) -> str:
        if self.stop is not None and self.position >= self.stop:
            raise StopIteration
        line = self._readline()
        if not line:
            raise StopIteration
        self.position += len(line)
        self.taken += 1
        try:
            text = line.decode(self.codec)
        except UnicodeDecodeError:
            # Windows-1252 leaves five bytes undefined: read those as Latin-1; UTF-8 that does not decode is a bad row
            self.bad = self.codec == "utf-8"
            text = line.decode("latin-1" if self.codec == "cp1252" else self.codec, "replace")
        self.quotes = (0 if self.taken == 1 else self.quotes) + text.count('"')
        self.last = text
        return text


def _delimiter(path: Path) -> str:
    """Return the CSV's delimiter: a tab for ``.tsv``; else a comma, unless the header line has none and is
    separated by semicolons (Excel where the comma is the decimal mark) or tabs."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    with path.open("rb") as handle:
        first = next(_Lines(handle, None, csv_encoding(path)), "")
    if "," in first:
        return ","
    return max(";\t|", key=first.count) if any(c in first for c in ";\t|") else ","


def encoding_note(path: Path) -> str | None:
    """Return the warning for a CSV read as anything but UTF-8, or None."""
    return csv_encoding(path).note or None if SURVEY_SUFFIXES.get(path.suffix.lower()) == "csv" else None


HEADER_KEY = re.compile(r"\W+")


def repeats_header(header: list[str], values: list[Any], id_at: int | None) -> bool:
    """Return whether a row just below the header is more header: Qualtrics writes each question's text
    under its column name (``Start Date`` under ``StartDate``, ``Response ID`` under ``ResponseId``) and
    then ``{"ImportId": ...}`` cells."""
    cells = [cell(v).strip() for v in values]
    if any(c.startswith('{"ImportId"') for c in cells):
        return True
    def bare(text: str) -> str:  # 'Response ID' and 'ResponseId' alike
        return HEADER_KEY.sub("", text.casefold())

    key = [bare(c) for c in cells]
    if id_at is not None and id_at < len(key) and key[id_at] and key[id_at] == bare(header[id_at]):
        return True
    same = sum(1 for name, k in zip(header, key) if k and k == bare(name))
    return same >= 3 or (same >= 1 and 2 * same >= sum(1 for k in key if k))


def delimiter_note(path: Path) -> str | None:
    """Return the warning for a ``.csv`` whose delimiter is not a comma, or None."""
    if SURVEY_SUFFIXES.get(path.suffix.lower()) != "csv" or path.suffix.lower() == ".tsv":
        return None
    found = _delimiter(path)
    if found == ",":
        return None
    name = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}[found]
    return f"{path}: its header has no commas but {name}; read as separated by {name}"


def _csv_header(path: Path, handle: Any, header_row: int = 1) -> list[str]:
    lines = _Lines(handle, None, csv_encoding(path))
    try:
        reader = csv.reader(lines, delimiter=_delimiter(path))
        for _ in range(header_row - 1):  # a title above the header
            next(reader)
        header = next(reader)
    except StopIteration:
        raise TranscriptError(f"{path}: survey table is empty (no header row)") from None
    except csv.Error as exc:
        if "\r" in lines.last and not lines.last.endswith("\r\n"):
            raise TranscriptError(f"{path}, row 1: its lines end in a lone carriage return (as Excel for Mac's older "
                                  "'CSV' writes them); save it again as 'CSV UTF-8'") from None
        raise TranscriptError(f"{path}, row 1: cannot read the header row: {exc}") from None
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    return [h.strip() for h in header]


def _csv_rows(path: Path, part: SurveyPart | None, offsets: bool, header_row: int) -> tuple[list[str], Rows]:
    handle = path.open("rb")
    try:
        header = _csv_header(path, handle, header_row)
    except BaseException:
        handle.close()
        raise

    def rows() -> Iterator[Any]:
        with handle:
            if part is not None:
                handle.seek(part.start)
            lines = _Lines(handle, part.stop if part else None, csv_encoding(path))
            number = part.first_row - 1 if part else header_row
            reader = csv.reader(lines, delimiter=_delimiter(path))
            while True:
                lines.taken = 0
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise TranscriptError(f"{path}, row {number + 1}: cannot read the row: {exc}") from None
                number += 1
                if lines.taken > 1 and lines.quotes % 2:
                    raise TranscriptError(f"{path}, row {number}: a quote (\") opened in this row is never closed, so "
                                          f"the {lines.taken - 1} line{'s' * (lines.taken > 2)} after it would be read into one cell; close "
                                          "the quote")
                bad, lines.bad = lines.bad, False
                if not values:  # a blank line is not a response (but a row, as a spreadsheet shows it)
                    continue
                row = None if bad else values
                yield (number, row, lines.position) if offsets else (number, row)

    return header, _Rows(rows(), handle.close)


def _xlsx_rows(path: Path, part: SurveyPart | None, offsets: bool, header_row: int) -> tuple[list[str], Rows]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TranscriptError(f"{path}: {_not_a_workbook(path) or f'cannot read the workbook: {exc}'}") from None
    sheet = book.worksheets[0]
    others = [name for name in book.sheetnames[1:] if book[name].max_row not in (None, 0)
              and any(v is not None for row in book[name].iter_rows(max_row=5, values_only=True) for v in row)]
    if others and not (part and part.start and part.start > 2):
        warnings.warn(f"{path}: survey responses are read from the first sheet ({sheet.title!r}) only; the other "
                      f"sheet{'s' * (len(others) > 1)} ({', '.join(map(repr, others))}) {'are' if len(others) > 1 else 'is'} not read",
                      stacklevel=4)
    first = next(sheet.iter_rows(min_row=header_row, max_row=header_row, values_only=True), None)
    if first is None:
        book.close()
        raise TranscriptError(f"{path}: survey table is empty (no header row)")
    header = [cell(v).strip() for v in first]
    begin = part.start if part and part.start else header_row + 1

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

    return header, _Rows(rows(), book.close)


def _not_a_workbook(path: Path) -> str:
    """Say what a file named .xlsx that openpyxl cannot open is, when that can be told from its first bytes."""
    with path.open("rb") as handle:
        head = handle.read(2048)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return ("is an old Excel .xls workbook or one protected by a password, not an .xlsx: save it again as .xlsx "
                "(without a password) or as CSV UTF-8")
    if head and not head.startswith(b"PK") and b"\x00" not in head:
        return f"is text, not an Excel workbook: rename it to {path.stem}.csv"
    return ""


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
