"""How a codebook sheet lays out its codes, as other tools and teams write them.

A sheet names each code's place by one of:
- a path column (``Theme > Code``; NVivo and MAXQDA write ``Theme\\Code``, ATLAS.ti ``Theme::Code``; a root
  such as NVivo's ``Nodes\\`` that every path shares is dropped);
- a code column beside a theme column, and perhaps a sub-theme column (``Theme | Sub-theme | Code``; a
  cell left empty, as merged cells are saved, is the one above it; a row with a theme and no code
  describes the theme);
- a code column beside a parent column naming another row's code (Dedoose), to any depth;
- a code column alone: a flat list of codes, read as codes without themes.

Keywords (``Keywords``, ``Search terms``, ...) become the codes' patterns, split at ``;``, ``,``, ``|`` or
new lines. Every reading qualkit chooses for the user is said in a warning.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualkit.codebook.model import PATH_SEPARATOR
from qualkit.errors import CodebookError

PATH_COLUMNS = ("code_path", "path", "code path", "code system", "hierarchical name", "full name", "node path")
NAME_COLUMNS = ("code", "name", "code name", "code label", "label", "title", "node")
THEME_COLUMNS = ("theme", "category", "main theme", "parent theme", "overarching theme", "domain")
SUBTHEME_COLUMNS = ("sub-theme", "subtheme", "sub theme", "sub-category", "subcategory", "sub category")
PARENT_COLUMNS = ("parent", "parent code", "parent name", "parent title")
DESCRIPTION_COLUMNS = ("description", "definition", "memo", "comment", "meaning", "code description",
                       "explanation", "operational definition")
KEYWORD_COLUMNS = ("keywords", "key words", "keyword", "search terms", "key terms", "terms", "synonyms", "indicators")
FIELD_COLUMNS = {"id": ("id",), "include": ("include", "inclusion criteria", "when to use"),
                 "exclude": ("exclude", "exclusion criteria", "when not to use"), "colour": ("colour", "color")}
JSON_COLUMNS = ("examples", "patterns")
KNOWN = {"level", *PATH_COLUMNS, *NAME_COLUMNS, *THEME_COLUMNS, *SUBTHEME_COLUMNS, *PARENT_COLUMNS, *DESCRIPTION_COLUMNS,
         *KEYWORD_COLUMNS, *JSON_COLUMNS, *(c for names in FIELD_COLUMNS.values() for c in names)}
SEPARATORS = (">", "\\", "::")
ROOTS = {"nodes", "codes", "code system", "free nodes", "tree nodes", "codebook"}
KEYWORD_SPLIT = re.compile(r"\s*(?:[;,|\n]|\bOR\b)\s*")


@dataclass
class SheetRow:
    """One row of a codebook sheet: its number (the header is row 1), its place and its fields."""

    number: int
    path: tuple[str, ...]
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class SheetCodes:
    """A sheet's rows with their places, and how the sheet placed them."""

    rows: list[SheetRow]
    flat: bool
    """The rows are all codes: a flat list, no themes."""
    by_path: bool
    """Placed by a path column, which lists every parent as a row of its own (a missing one is a typo)."""


def sheet_rows(path: Path, header: list[str], records: list[dict[str, str]]) -> SheetCodes:
    """Return each row's place and fields, and how the sheet places its codes."""
    columns = {str(c).strip().casefold(): c for c in header}
    pick = _picker(columns)
    path_column, name_column = pick(PATH_COLUMNS), pick(NAME_COLUMNS)
    levels = [c for c in (pick(THEME_COLUMNS), pick(SUBTHEME_COLUMNS)) if c is not None]
    parent_column = pick(PARENT_COLUMNS)
    if path_column is None and name_column is None:
        raise CodebookError(f"{path}: no column naming the codes (a path such as 'Theme > Code', or one of "
                            f"{', '.join(NAME_COLUMNS[:6])}) among {', '.join(map(str, header))}")
    unread = [str(c) for key, c in columns.items() if key not in KNOWN and key and not key.startswith("unnamed:")]
    if unread:
        warnings.warn(f"{path}: column{'s' * (len(unread) > 1)} {', '.join(map(repr, unread))} "
                      f"{'are' if len(unread) > 1 else 'is'} not read (not a codebook field qualkit knows)", stacklevel=3)
    if path_column is not None:
        places = _split_paths(path, [r[path_column] for r in records])
    elif name_column is not None and levels:
        places = _under_themes(path, records, levels, name_column)
    elif name_column is not None and parent_column is not None:
        places = _under_parents(path, records, parent_column, name_column)
    else:
        places = _split_paths(path, [r[name_column] for r in records])
    flat = not levels and parent_column is None and all(len(p) <= 1 for p in places)
    if flat and any(places):
        warnings.warn(f"{path}: no row names a theme or parent, so the {sum(1 for p in places if p)} rows are read "
                      f"as codes without themes (give a 'Theme > Code' path or a theme column to group them)",
                      stacklevel=3)
    keywords = pick(KEYWORD_COLUMNS)
    rows = [SheetRow(number, place, _fields(path, number, record, pick, keywords))
            for number, (record, place) in enumerate(zip(records, places), start=2) if place]
    given = sum(1 for record, place in zip(records, places) if place and keywords and _terms(record[keywords]))
    if given:
        warnings.warn(f"{path}: the {keywords!r} column gives {given} code{'s' * (given != 1)} their patterns (one "
                      "per term, split at ; , | or new lines; each matches its words in any form)", stacklevel=3)
    return SheetCodes(rows, flat, path_column is not None)


def _picker(columns: dict[str, str]) -> Any:
    def pick(names: tuple[str, ...]) -> str | None:
        return next((columns[name] for name in names if name in columns), None)
    return pick


def _split_paths(path: Path, values: list[str]) -> list[tuple[str, ...]]:
    """Split path cells at the separator the sheet uses, dropping a root every path shares (``Nodes``)."""
    cells = [str(v).strip() for v in values]
    separator = next((s for s in SEPARATORS if any(s in cell for cell in cells)), None)
    if separator is None:
        return [(cell,) if cell else () for cell in cells]
    places = [tuple(p.strip() for p in cell.split(separator) if p.strip()) for cell in cells]
    roots = {p[0].casefold() for p in places if p}
    if len(roots) == 1 and roots <= ROOTS and all(len(p) >= 2 for p in places if p):
        root = next(p[0] for p in places if p)
        places = [p[1:] for p in places]
        warnings.warn(f"{path}: every code path starts with '{root}{separator}', the other tool's root, which is "
                      "left out", stacklevel=4)
    if separator != PATH_SEPARATOR.strip():
        warnings.warn(f"{path}: code paths are split at {separator} (as the tool that wrote the sheet writes them)",
                      stacklevel=4)
    return places


def _under_themes(path: Path, records: list[dict[str, str]], levels: list[str], name_column: str,
                  ) -> list[tuple[str, ...]]:
    """Place each code under its theme (and sub-theme); an empty cell (merged cells) is the one above it."""
    places: list[tuple[str, ...]] = []
    current = [""] * len(levels)
    filled = []
    for number, record in enumerate(records, start=2):
        cells = [str(record[column]).strip() for column in levels]
        name = str(record[name_column]).strip()
        for depth, cell in enumerate(cells):
            if cell:
                current[depth:] = [cell] + [""] * (len(levels) - depth - 1)
        deepest = max((d + 1 for d, cell in enumerate(cells) if cell), default=0)
        if name and current[0] and deepest < len([c for c in current if c]):
            filled.append(number)
        held = tuple(c for c in current if c)
        places.append((*held, name) if name else held[:deepest] if deepest else ())
    if filled:
        shown = ", ".join(map(str, filled[:5])) + (", ..." if len(filled) > 5 else "")
        warnings.warn(f"{path}: row{'s' * (len(filled) > 1)} {shown} {'have' if len(filled) > 1 else 'has'} an empty "
                      f"theme cell and {'are' if len(filled) > 1 else 'is'} read under the theme above (as merged cells "
                      "are saved)", stacklevel=4)
    return places


def _under_parents(path: Path, records: list[dict[str, str]], parent_column: str, name_column: str,
                   ) -> list[tuple[str, ...]]:
    """Place each code under the row its parent cell names, to any depth (a parent not listed is a theme)."""
    parent_of = {}
    for record in records:
        name = str(record[name_column]).strip()
        if name:
            parent_of.setdefault(name, str(record[parent_column]).strip())

    def place(name: str, seen: tuple[str, ...] = ()) -> tuple[str, ...]:
        if name in seen:
            raise CodebookError(f"{path}: code {name!r} is its own ancestor (parents: {' > '.join((*seen, name))})")
        parent = parent_of.get(name, "")
        return (*place(parent, (*seen, name)), name) if parent else (name,)

    return [place(str(r[name_column]).strip()) if str(r[name_column]).strip() else () for r in records]


def _fields(path: Path, number: int, record: dict[str, str], pick: Any, keywords: str | None) -> dict[str, Any]:
    """Return a row's description, include/exclude, id, colour, examples and patterns (keywords too)."""
    fields: dict[str, Any] = {}
    description = pick(DESCRIPTION_COLUMNS)
    if description is not None and str(record[description]).strip():
        fields["description"] = str(record[description]).strip()
    for key, names in FIELD_COLUMNS.items():
        column = pick(names)
        if column is not None and str(record[column]).strip():
            fields[key] = str(record[column]).strip()
    for key in JSON_COLUMNS:
        column = pick((key,))
        cell = str(record[column]).strip() if column is not None else ""
        if cell:
            try:
                fields[key] = json.loads(cell)
            except json.JSONDecodeError as exc:
                raise CodebookError(f"{path}, row {number}: '{key}' is not a JSON list: {exc.msg}") from None
    terms = _terms(record[keywords]) if keywords else []
    if terms:
        fields["patterns"] = [*fields.get("patterns", []), *terms]
    return fields


def _terms(cell: Any) -> list[str]:
    """Return the terms of a keywords cell, split at ; , | OR or new lines, quotes taken off."""
    return [t for t in (w.strip().strip('"“”') for w in KEYWORD_SPLIT.split(str(cell))) if t]
