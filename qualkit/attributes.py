"""Participants' attributes: a CSV or XLSX sheet keyed by transcript id, joined onto transcripts."""

from __future__ import annotations

import csv
import re
import warnings
from pathlib import Path
from typing import Iterable

import pandas as pd

from qualkit.errors import AttributesError
from qualkit.readers import READERS
from qualkit.transcript import Transcript


def read_attributes(path: str | Path, id_column: str = "id") -> dict[str, dict[str, str]]:
    """Read an attributes sheet (.csv, .tsv or .xlsx) into ``{transcript id: {attribute: value}}``."""
    path = Path(path)
    if not path.is_file():
        raise AttributesError(f"{path}: attributes sheet not found")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            table = pd.read_excel(path, dtype=str, keep_default_na=False)
        elif suffix in (".csv", ".tsv", ".txt"):
            table = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python",
                                encoding="utf-8-sig")
        else:
            raise AttributesError(f"{path}: unknown attributes sheet format {suffix!r} (use .csv, .tsv or .xlsx)")
    except AttributesError:
        raise
    except pd.errors.EmptyDataError:
        raise AttributesError(f"{path}: attributes sheet is empty") from None
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise AttributesError(f"{path}: cannot read attributes sheet: {exc}") from None
    except csv.Error as exc:  # pandas' delimiter sniffing on a sheet without one (an empty or one-cell file)
        raise AttributesError(f"{path}: cannot read attributes sheet: {exc} "
                              "(is it an empty file, or not a table?)") from None
    table = _named_columns(table, path)
    if id_column not in table.columns:
        found = _id_column(list(table.columns))
        if found is None:
            raise AttributesError(
                f"{path}: no {id_column!r} column (columns: {', '.join(table.columns) or 'none'})"
            )
        warnings.warn(f"{path}: no {id_column!r} column, so the {found!r} column is read as the transcript ids",
                      stacklevel=2)
        id_column = found
    rows: dict[str, dict[str, str]] = {}
    for number, record in enumerate(table.to_dict(orient="records"), start=2):
        key = str(record.pop(id_column)).strip()
        if not key:
            raise AttributesError(f"{path}, row {number}: empty {id_column!r}")
        if key in rows:
            raise AttributesError(f"{path}, row {number}: {id_column} {key!r} appears twice")
        rows[key] = {k: str(v).strip() for k, v in record.items()}
    return rows


UNNAMED = re.compile(r"Unnamed: \d+")  # pandas' name for a column whose header cell is empty
COPY = re.compile(r"(?P<name>.+)\.(?P<copy>\d+)")  # pandas' name for a second column of the same header


def _named_columns(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Return the sheet with its headers stripped; a column with no header is left out (said when it holds
    values, as a spreadsheet's stray notes do); a header used twice is an error, since either column could be
    the attribute a report groups by."""
    table.columns = [str(c).strip() for c in table.columns]
    names = list(table.columns)
    for position, name in enumerate(names, start=1):
        copy = COPY.fullmatch(name)
        if copy and copy.group("name") in names[: position - 1]:
            first = names.index(copy.group("name")) + 1
            raise AttributesError(f"{path}: column {copy.group('name')!r} appears twice (columns {first} and "
                                  f"{position}): rename one")
    unnamed = [i for i, name in enumerate(names) if not name or UNNAMED.fullmatch(name)]
    holding = [i + 1 for i in unnamed if table.iloc[:, i].astype(str).str.strip().ne("").any()]
    if holding:
        which = f"column {holding[0]} holds" if len(holding) == 1 else f"columns {', '.join(map(str, holding))} hold"
        warnings.warn(f"{path}: {which} values under no header, left out: give a header to read one as an attribute",
                      stacklevel=3)
    return table.iloc[:, [i for i in range(len(names)) if i not in unnamed]]


# Columns other tools and teams key participants' sheets by (NVivo cases, MAXQDA documents, file lists).
ID_COLUMNS = ("id", "participant id", "participant_id", "participant", "participant code", "pid", "case",
              "case id", "case name", "name", "document", "document name", "file", "file name", "filename",
              "transcript", "transcript id", "interview", "interview id", "respondent", "respondent id")


def _id_column(columns: list[str]) -> str | None:
    """Return the column that keys the sheet's rows by transcript, when it is not called ``id``."""
    folded = {c.casefold(): c for c in columns}
    return next((folded[name] for name in ID_COLUMNS if name in folded), None)


def join_attributes(
    transcripts: Iterable[Transcript], sheet: dict[str, dict[str, str]], source: str = "attributes sheet"
) -> list[Transcript]:
    """Return the transcripts with their sheet rows merged in; warn about rows and transcripts without a match."""
    transcripts = list(transcripts)
    by_name = {Path(t.source).stem: t.id for t in transcripts}
    # A row may name the transcript's file (``P01.docx``): it then matches by the file's name without extension.
    by_file = {Path(key).stem: key for key in sheet if Path(key).suffix.lower() in READERS}
    joined = []
    used = set()
    for transcript in transcripts:
        stem = Path(transcript.source).stem
        key = transcript.id if transcript.id in sheet else stem if stem in sheet else by_file.get(stem, stem)
        if key in sheet:
            used.add(key)
            joined.append(transcript.with_attributes(sheet[key]))
        else:
            warnings.warn(f"{source}: no row for transcript {transcript.id!r}", stacklevel=2)
            joined.append(transcript)
    for key in sheet:
        if key not in used and key not in by_name and Path(key).stem not in by_name:
            warnings.warn(f"{source}: row {key!r} matches no transcript", stacklevel=2)
    return joined
