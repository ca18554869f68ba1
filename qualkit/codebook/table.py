"""Codebooks as spreadsheets (a ``Parent > Child`` path column and a description column) and back to YAML.

Top-level rows become themes; deeper rows become codes, nested under their parent row. Optional
columns: ``id``, ``include``, ``exclude``, ``colour``, ``examples`` and ``patterns`` (JSON lists, as in the
YAML). A code's ``unit``, ``negation``, ``within``, ``speakers`` and ``roles`` live only in the YAML.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from qualkit.codebook.files import DOCUMENT_HINT, DOCUMENT_SUFFIXES, decoded
from qualkit.codebook.layouts import header_index, sheet_rows
from qualkit.codebook.model import PATH_SEPARATOR, Code, Codebook, Theme, _Builder, load_yaml, pattern_spec
from qualkit.errors import CodebookError

TABLE_COLUMNS = ["code_path", "code", "level", "id", "description", "include", "exclude", "examples", "colour",
                 "patterns"]


def read_codebook_table(path: str | Path) -> Codebook:
    """Read a codebook from a ``.csv``/``.tsv``, ``.xlsx`` or Markdown table; raise ``CodebookError`` naming the
    file and row."""
    path = Path(path)
    sheet = sheet_rows(path, _grid(path))
    if sheet.rows and sheet.by_path and all(len(row.path) >= 2 for row in sheet.rows):
        first = sheet.rows[0].path
        raise CodebookError(f"{path}: the sheet lists only leaf codes (every path has a parent, e.g. "
                            f"'{PATH_SEPARATOR.join(first)}') and no row for a theme; add a row for each parent path "
                            f"('{first[0]}') above its codes")
    nodes: dict[tuple[str, ...], dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []

    def node_at(parts: tuple[str, ...]) -> dict[str, Any]:
        """The node at a path, made (with the parents a theme column names only in its codes' rows) when new."""
        if parts not in nodes:
            nodes[parts] = {"name": parts[-1]}
            (node_at(parts[:-1]).setdefault("codes", []) if len(parts) > 1 else roots).append(nodes[parts])
        return nodes[parts]

    listed: dict[tuple[str, ...], int] = {}  # the row that names each place
    again: list[tuple[int, tuple[str, ...]]] = []  # rows naming a place named above
    for row in sheet.rows:
        parts = row.path
        if sheet.by_path and parts[:-1] and parts[:-1] not in nodes:  # a missing parent is a typo, not a new theme
            raise CodebookError(f"{path}, row {row.number}: parent '{PATH_SEPARATOR.join(parts[:-1])}' of "
                                f"'{parts[-1]}' is not listed above it")  # a row for the parent fixes it
        if parts in listed:
            again.append((row.number, parts))
        listed.setdefault(parts, row.number)
        for place, fields in row.above.items():
            node_at(place).update(fields)
        node_at(parts).update(row.fields)
    if len(again) == 1:
        number, parts = again[0]
        warnings.warn(f"{path}, row {number}: '{PATH_SEPARATOR.join(parts)}' is listed again (row {listed[parts]}); "
                      "its cells are added to that row's", stacklevel=2)
    elif again:
        shown = ", ".join(f"row {n} '{PATH_SEPARATOR.join(p)}' (row {listed[p]})" for n, p in again[:3])
        warnings.warn(f"{path}: {len(again)} rows list a code listed above ({shown}{', ...' if len(again) > 3 else ''}); "
                      "each one's cells are added to the first row's", stacklevel=2)
    data = ({"name": path.stem, "codes": roots} if sheet.flat
            else {"name": path.stem, "themes": [_as_theme(n) for n in roots]})
    return _Builder(str(path)).build(data, hashlib.sha256(path.read_bytes()).hexdigest())


READ_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".md", ".markdown", ".json", ".yaml", ".yml", ".docx")
HINTS = {**dict.fromkeys(DOCUMENT_SUFFIXES, DOCUMENT_HINT + " or a Word .docx table"),
         ".xls": ": save it as .xlsx (Excel's workbook since 2007) or .csv", ".qdc": ": use 'qualkit import qdc'",
         ".qdpx": ": use 'qualkit import qdpx'"}


def _grid(path: Path) -> list[list[str]]:
    """Return a sheet's rows of cells as read, the header not yet told (a title may stand above it)."""
    suffix = path.suffix.lower()
    if suffix not in READ_SUFFIXES:
        raise CodebookError(f"{path}: codebook import reads a sheet (.csv, .tsv, .xlsx), a table in Word (.docx) or "
                            f"Markdown (.md), or a JSON or YAML list of codes, not {'a ' + suffix + ' file' if suffix else 'a file without an extension'}"
                            f"{HINTS.get(suffix, '')}")
    if suffix == ".docx":
        return word_table(path)
    try:
        if suffix in (".xlsx", ".xlsm"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # openpyxl's notes on drawing and validation extensions
                sheets = pd.read_excel(path, header=None, dtype=str, sheet_name=None)
            grids = {name: [[str(c) for c in row] for row in table.fillna("").values.tolist()]
                     for name, table in sheets.items()}
            return _chosen(path, "sheet", grids)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CodebookError(f"{path}: codebook sheet not found") from None
    except (ValueError, OSError, KeyError, pd.errors.ParserError) as exc:
        if suffix in (".xlsx", ".xlsm") and _is_text(path):
            raise CodebookError(f"{path}: is CSV text, not an Excel workbook: rename it to {path.stem}.csv") from None
        raise CodebookError(f"{path}: cannot read the codebook sheet: {exc}") from None
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise CodebookError(f"{path}: is an Excel workbook (or another binary file), not {suffix[1:].upper()} text: "
                            f"save it as .xlsx, or as CSV text")
    text = decoded(path, raw, "Excel saves 'CSV' on Windows", "Excel saves 'Unicode Text'")
    if suffix in (".md", ".markdown"):
        return markdown_table(path, text)
    if suffix in (".json", ".yaml", ".yml"):
        return records_table(path, text)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if suffix == ".tsv" else ","
    if suffix != ".tsv" and "," not in first and (";" in first or "\t" in first):
        delimiter = ";" if first.count(";") >= first.count("\t") else "\t"
        warnings.warn(f"{path}: its header has no commas but {'semicolons' if delimiter == ';' else 'tabs'}; read as "
                      f"separated by {'semicolons' if delimiter == ';' else 'tabs'}", stacklevel=3)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [row for row in reader]
    except csv.Error as exc:
        raise CodebookError(f"{path}, line {reader.line_num}: cannot read the codebook sheet: {exc}") from None


def word_table(path: Path) -> list[list[str]]:
    """Return the rows of a Word document's codebook table: the first with a column naming the codes, else the
    first (a numbered code system without a header); which one is said when there are several."""
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(str(path))
    except FileNotFoundError:
        raise CodebookError(f"{path}: codebook document not found") from None
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise CodebookError(f"{path}: cannot read the Word document: {exc}") from None
    found = [[[cell.text.strip() for cell in row.cells] for row in table.rows] for table in document.tables]
    tables = {str(number): table for number, table in enumerate(found, start=1) if len(table) >= 2}
    if not tables:
        raise CodebookError(f"{path}: holds no table to read codes from (in Word, codes are read from a table with a "
                            "Code column, or a numbered code system)")
    return _chosen(path, "table", _joined_tables(tables))


def _joined_tables(tables: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
    """Join the tables that repeat the first code table's header (one table a heading, as a long codebook is
    laid out in Word) into it, under the name ``3 (with 5, 7: the same header)``."""
    tops = {name: top for name, table in tables.items() if (top := header_index(table)) is not None}
    first = next(iter(tops), None)
    if first is None:
        return tables
    head = tables[first][tops[first]]
    same = [name for name, top in tops.items() if name != first and tables[name][top] == head]
    if not same:
        return tables
    rows = [*tables[first], *(row for name in same for row in tables[name][tops[name] + 1:])]
    joined = {f"{first} (with {', '.join(same)}: the same header)": rows}
    return {**{name: t for name, t in tables.items() if int(name) < int(first)}, **joined,
            **{name: t for name, t in tables.items() if int(name) > int(first) and name not in same}}


def _chosen(path: Path, kind: str, grids: dict[str, list[list[str]]]) -> list[list[str]]:
    """Return the first sheet or table with a column naming the codes (else the first); when others hold
    anything, say which one is read."""
    filled = {name: grid for name, grid in grids.items() if any(cell.strip() for row in grid for cell in row)}
    if not filled:
        return next(iter(grids.values()), [])
    chosen = next((name for name, grid in filled.items() if header_index(grid) is not None), None)
    others = [name for name in filled if name != (chosen or next(iter(filled)))]
    if chosen is not None and others:
        name = repr if kind == "sheet" else str
        shown = ", ".join(map(name, others))
        warnings.warn(f"{path}: the codes are read from {kind} {name(chosen)}, the first with "
                      f"a column naming them; {kind}{'s' * (len(others) > 1)} {shown} "
                      f"{'are' if len(others) > 1 else 'is'} not read", stacklevel=4)
    return filled[chosen if chosen is not None else next(iter(filled))]


def markdown_table(path: Path, text: str) -> list[list[str]]:
    """Return the first Markdown pipe table of a text as rows of cells (its ``|---|`` rule left out)."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", stripped.strip("|"))]
            if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
                rows.append([c.replace("\\|", "|").replace("<br>", "\n") for c in cells])
        elif rows:
            break
    if not rows:
        raise CodebookError(f"{path}: holds no Markdown table ('| Code | Definition |' rows) to read codes from")
    return rows


def records_table(path: Path, text: str) -> list[list[str]]:
    """Return a JSON or YAML list of codes as rows of cells: a list of names, a list of records (``{code_name,
    definition, ...}``, or such a list under one key such as ``codes``), or a mapping of code names to their
    definitions or fields; the reading is said."""
    data = load_yaml(text, str(path))
    if isinstance(data, dict) and any(key in data for key in ("themes", "codes")) and not _foreign(data):
        raise CodebookError(f"{path}: is already a qualkit codebook: give it as --codebook")
    lists = [key for key, value in data.items() if _records(value)] if isinstance(data, dict) else []
    if isinstance(data, dict) and len(lists) == 1:
        records, how = data[lists[0]], f"the {len(data[lists[0]])} records of its {lists[0]!r} list"
    elif isinstance(data, list) and (all(isinstance(item, str) for item in data) or _records(data)):
        records, how = [item if isinstance(item, dict) else {"code": item} for item in data], f"its {len(data)} items"
    elif isinstance(data, dict) and data and all(isinstance(v, (str, dict)) for v in data.values()):
        records = [{"code": key, **(value if isinstance(value, dict) else {"definition": value})}
                   for key, value in data.items()]
        how = f"its {len(records)} keys as code names"
    else:
        raise CodebookError(f"{path}: holds no list of codes (a list of names, a list of records such as "
                            "{code, definition}, or a mapping of code names to definitions)")
    header = list(dict.fromkeys(str(key) for record in records for key in record))
    warnings.warn(f"{path}: read as a table of {how}, with the fields {', '.join(header)}", stacklevel=3)
    return [header, *[[_cell(record.get(key)) for key in header] for record in records]]


def _records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _foreign(data: dict[str, Any]) -> bool:
    """Whether a mapping with a 'codes' list is another tool's (its records name codes otherwise than qualkit)."""
    codes = data.get("codes")
    return _records(codes) and not all("name" in code for code in codes)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(map(_cell, value))
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)


def _is_text(path: Path) -> bool:
    try:
        head = path.read_bytes()[:2048]
    except OSError:
        return False
    return not head.startswith(b"PK") and b"\x00" not in head and (b"," in head or b"\t" in head or b";" in head)


def _as_theme(node: dict[str, Any]) -> dict[str, Any]:
    """A top-level row is a theme: it keeps its description and holds its children as codes."""
    return {k: v for k, v in node.items() if k in ("id", "name", "description", "colour", "codes")}


def codebook_rows(codebook: Codebook) -> list[dict[str, Any]]:
    """Return the codebook as rows of a sheet: themes then their codes, depth first, in file order."""
    rows = []
    for node in _tree(codebook):
        item = node["item"]
        is_code = isinstance(item, Code)
        rows.append({
            "code_path": item.path_label, "code": item.name, "level": len(item.path), "id": item.id,
            "description": item.definition if is_code else item.description,
            "include": item.include if is_code else "", "exclude": item.exclude if is_code else "",
            "examples": json.dumps(list(item.examples), ensure_ascii=False) if is_code and item.examples else "",
            "colour": item.colour,
            "patterns": json.dumps([pattern_spec(p) for p in item.patterns], ensure_ascii=False)
            if is_code and item.patterns else "",
        })
    return rows


def write_codebook_table(codebook: Codebook, path: str | Path) -> Path:
    """Write the codebook as a ``.csv`` or ``.xlsx`` sheet; return the path."""
    path = Path(path)
    table = pd.DataFrame(codebook_rows(codebook), columns=TABLE_COLUMNS)
    if path.suffix.lower() == ".xlsx":
        table.to_excel(path, index=False)
    else:
        table.to_csv(path, index=False)
    return path


def codebook_data(codebook: Codebook) -> dict[str, Any]:
    """Return the codebook as the plain data of its YAML file."""
    data: dict[str, Any] = {"name": codebook.name}
    if codebook.version:
        data["version"] = codebook.version
    if codebook.description:
        data["description"] = codebook.description
    if codebook.unit:
        data["unit"] = codebook.unit
    themes, codes = [], []
    for node in _tree(codebook):
        if len(node["item"].path) == 1:
            (themes if isinstance(node["item"], Theme) else codes).append(_node_data(node))
    if themes:
        data["themes"] = themes
    if codes:
        data["codes"] = codes
    return data


def write_codebook_yaml(codebook: Codebook, path: str | Path) -> Path:
    """Write the codebook as a YAML file qualkit reads back to the same records; return the path."""
    path = Path(path)
    text = yaml.safe_dump(codebook_data(codebook), sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")
    return path


def _node_data(node: dict[str, Any]) -> dict[str, Any]:
    item = node["item"]
    data: dict[str, Any] = {"id": item.id, "name": item.name}
    if isinstance(item, Theme):
        data.update({k: v for k, v in (("description", item.description), ("colour", item.colour)) if v})
        subthemes = [_node_data(n) for n in node["children"] if isinstance(n["item"], Theme)]
        if subthemes:
            data["themes"] = subthemes
    else:
        for key in ("definition", "include", "exclude", "colour", "unit"):
            if getattr(item, key):
                data[key] = getattr(item, key)
        if item.examples:
            data["examples"] = list(item.examples)
        if not item.negation:
            data["negation"] = False
        for key in ("within", "speakers", "roles"):
            if getattr(item, key):
                data[key] = list(getattr(item, key))
        if item.patterns:
            data["patterns"] = [pattern_spec(p) for p in item.patterns]
    codes = [_node_data(n) for n in node["children"] if isinstance(n["item"], Code)]
    if codes:
        data["codes"] = codes
    return data


def _tree(codebook: Codebook) -> list[dict[str, Any]]:
    """Return every theme and code as ``{'item', 'children'}`` nodes, depth first, roots in file order."""
    nodes: dict[str, dict[str, Any]] = {}
    by_path: dict[tuple[str, ...], dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for theme in codebook.themes:
        node = {"item": theme, "children": []}
        by_path[theme.path] = node
        parent = by_path.get(theme.path[:-1])
        (parent["children"] if parent else roots).append(node)
    for code in codebook.codes:
        node = {"item": code, "children": []}
        nodes[code.id] = node
        parent = nodes.get(code.parent_id) if code.parent_id else by_path.get(code.path[:-1])
        (parent["children"] if parent else roots).append(node)
    ordered: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        ordered.append(node)
        for child in node["children"]:
            walk(child)

    for root in roots:
        walk(root)
    return ordered
