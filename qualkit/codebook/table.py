"""Codebooks as spreadsheets (a ``Parent > Child`` path column and a description column) and back to YAML.

Top-level rows become themes; deeper rows become codes, nested under their parent row. Optional
columns: ``id``, ``include``, ``exclude``, ``colour``, ``examples`` and ``patterns`` (JSON lists, as in the
YAML). A code's ``unit``, ``negation``, ``within``, ``speakers`` and ``roles`` live only in the YAML.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from qualkit.codebook.model import PATH_SEPARATOR, Code, Codebook, Theme, _Builder, pattern_spec
from qualkit.errors import CodebookError

PATH_COLUMNS = ("code_path", "path", "code path", "code")
DESCRIPTION_COLUMNS = ("description", "definition", "memo")
TABLE_COLUMNS = ["code_path", "code", "level", "id", "description", "include", "exclude", "examples", "colour",
                 "patterns"]


def read_codebook_table(path: str | Path) -> Codebook:
    """Read a codebook from a ``.csv`` or ``.xlsx`` sheet; raise ``CodebookError`` naming the file and row."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            table = pd.read_excel(path, dtype=str).fillna("")
        else:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise CodebookError(f"{path}: codebook sheet not found") from None
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        if path.suffix.lower() in (".xlsx", ".xlsm") and _is_text(path):
            raise CodebookError(f"{path}: is CSV text, not an Excel workbook: rename it to {path.stem}.csv") from None
        raise CodebookError(f"{path}: cannot read the codebook sheet: {exc}") from None
    columns = {c.strip().casefold(): c for c in table.columns}
    path_column = next((columns[c] for c in PATH_COLUMNS if c in columns), None)
    if path_column is None:
        raise CodebookError(f"{path}: no code path column (one of {', '.join(PATH_COLUMNS)}) among "
                            f"{', '.join(map(str, table.columns))}")
    description = next((columns[c] for c in DESCRIPTION_COLUMNS if c in columns), None)
    nodes: dict[tuple[str, ...], dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    paths = [tuple(p.strip() for p in str(v).split(PATH_SEPARATOR.strip()) if p.strip()) for v in table[path_column]]
    if paths and all(len(p) >= 2 for p in paths if p):
        first = next(p for p in paths if p)
        raise CodebookError(f"{path}: the sheet lists only leaf codes (every path has a parent, e.g. "
                            f"'{PATH_SEPARATOR.join(first)}') and no row for a theme; add a row for each parent path "
                            f"('{first[0]}') above its codes")
    for number, row in enumerate(table.to_dict("records"), start=2):
        parts = tuple(p.strip() for p in str(row[path_column]).split(PATH_SEPARATOR.strip()) if p.strip())
        if not parts:
            continue
        if parts[:-1] and parts[:-1] not in nodes:
            raise CodebookError(f"{path}, row {number}: parent '{PATH_SEPARATOR.join(parts[:-1])}' of "
                                f"'{parts[-1]}' is not listed above it")  # a row for the parent fixes it
        node: dict[str, Any] = {"name": parts[-1]}
        for key, column in (("id", "id"), ("description", description), ("include", "include"),
                            ("exclude", "exclude"), ("colour", "colour")):
            value = str(row.get(columns.get(str(column).casefold(), ""), "") if column else "").strip()
            if value:
                node[key] = value
        for key in ("examples", "patterns"):
            cell = str(row.get(columns.get(key, ""), "")).strip()
            if cell:
                try:
                    node[key] = json.loads(cell)
                except json.JSONDecodeError as exc:
                    raise CodebookError(f"{path}, row {number}: '{key}' is not a JSON list: {exc.msg}") from None
        nodes[parts] = node
        if len(parts) == 1:
            roots.append(node)
        else:
            nodes[parts[:-1]].setdefault("codes", []).append(node)
    themes = [_as_theme(node) for node in roots]
    data = {"name": path.stem, "themes": themes}
    return _Builder(str(path)).build(data, hashlib.sha256(path.read_bytes()).hexdigest())


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
