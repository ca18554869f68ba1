"""Two-column mapping files (speaker aliases, pseudonyms): YAML ``key: value``, or CSV/TSV rows with an
optional header line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from qualkit.errors import QualkitError


def read_mapping(
    path: str | Path, what: str, columns: tuple[str, str], headers: set[tuple[str, str]], error: type[QualkitError],
) -> dict[str, str]:
    """Read ``{key: value}`` from a ``.yaml``/``.yml`` mapping or a ``.csv``/``.tsv`` (any other ending: CSV).

    ``what`` names the file in messages (``alias``), ``columns`` its two columns (``label``, ``name``),
    ``headers`` the first lines to skip as a header; problems raise ``error`` naming the file and line.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{file}: {what} file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{file}: cannot read the {what} file: {exc}") from None
    key, value = columns
    if file.suffix.lower() in (".yaml", ".yml"):
        return _yaml_mapping(file, text, what, columns, error)
    mapping: dict[str, str] = {}
    rows = csv.reader(io.StringIO(text), delimiter="\t" if file.suffix.lower() == ".tsv" else ",")
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise error(f"{file}, line {number}: expected '{key},{value}', got {len(row)} columns")
        left, right = (cell.strip() for cell in row)
        if number == 1 and (left.casefold(), right.casefold()) in headers:
            continue
        if not left or not right:
            raise error(f"{file}, line {number}: empty {key} or {value}")
        mapping[left] = right
    return mapping


def _yaml_mapping(
    file: Path, text: str, what: str, columns: tuple[str, str], error: type[QualkitError],
) -> dict[str, str]:
    key, value = columns
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise error(f"{file}{where}: malformed YAML: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise error(f"{file}: {what} file must map {key}s to {value}s ({key}: {value}), got {type(data).__name__}")
    mapping: dict[str, str] = {}
    for left, right in data.items():
        if not isinstance(right, (str, int)) or isinstance(right, bool) or not str(right).strip():
            raise error(f"{file}, {key} {left!r}: expected a text {value}, got {right!r}")
        mapping[str(left).strip()] = str(right).strip()
    return mapping
