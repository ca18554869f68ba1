"""How a codebook sheet lays out its codes, as other tools and teams write them.

A sheet names each code's place by one of:
- a path column (``Theme > Code``; NVivo and MAXQDA write ``Theme\\Code``, ATLAS.ti ``Theme::Code``; a root
  such as NVivo's ``Nodes\\`` that every path shares is dropped);
- a code column beside a theme column, and perhaps a sub-theme column (``Theme | Sub-theme | Code``; a
  cell left empty, as merged cells are saved, is the one above it; a row with a theme and no code
  describes the theme);
- a code column beside a parent column naming another row's code (Dedoose), to any depth;
- a numbered (``1.1`` under ``1``) or indented code column, as a code system is listed, with or without a header;
- a code column alone: a flat list of codes, read as codes without themes.
(``places`` reads each of these into the rows' places.)

Column names are matched whatever their case, spacing or plural (``codes``, ``codeName``, ``code_name``,
``Sub-category``); every theme or category column is a level, left to right (``Theme | Category |
Low-level Category | Code``), and a description column describes the level or code to its left. A title
above the header is skipped; a ``Code`` column of short identifiers beside a ``Name`` column gives the ids.

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

from qualkit.codebook.places import indented, outline, split_paths, under_parents, under_themes
from qualkit.errors import CodebookError

PATH_COLUMNS = ("code path", "path", "code system", "hierarchical name", "full name", "node path")
NAME_COLUMNS = ("code", "name", "code name", "code label", "label", "title", "node", "full code name", "node name",
                "tag")
THEME_COLUMNS = ("theme", "category", "main theme", "parent theme", "overarching theme", "domain", "main category")
SUBTHEME_COLUMNS = ("sub theme", "subtheme", "sub category", "subcategory")
LEVEL_ENDINGS = (" theme", " category", " domain")
SUBCODE_COLUMNS = ("sub code", "subcode", "child code", "child")
PARENT_COLUMNS = ("parent", "parent code", "parent name", "parent title")
DESCRIPTION_COLUMNS = ("description", "definition", "memo", "comment", "meaning", "code description",
                       "explanation", "operational definition", "brief definition", "full definition")
KEYWORD_COLUMNS = ("keywords", "key words", "keyword", "search terms", "key terms", "terms", "synonyms", "indicators")
FIELD_COLUMNS = {"id": ("id", "code id", "abbreviation", "code abbreviation"),
                 "include": ("include", "inclusion", "inclusion criteria", "when to use"),
                 "exclude": ("exclude", "exclusion", "exclusion criteria", "when not to use"),
                 "colour": ("colour", "color")}
JSON_COLUMNS = ("examples", "patterns")
EXAMPLE_COLUMNS = ("examples", "example", "example quote", "example quotation", "example quotes", "example quotations",
                   "quote", "quotes", "exemplar quote", "illustrative quote", "sample quote")
KNOWN = {"level", *PATH_COLUMNS, *NAME_COLUMNS, *THEME_COLUMNS, *SUBTHEME_COLUMNS, *SUBCODE_COLUMNS, *PARENT_COLUMNS, *DESCRIPTION_COLUMNS,
         *KEYWORD_COLUMNS, *JSON_COLUMNS, *EXAMPLE_COLUMNS, *(c for names in FIELD_COLUMNS.values() for c in names)}
KEYWORD_SPLIT = re.compile(r"\s*(?:[;,|\n]|\bOR\b)\s*")
TITLE_ROWS = 10
"""A header may stand this many rows down, below a title."""
IDENTIFIER = re.compile(r"[\w.\-]{1,15}")


def column_key(name: Any) -> str:
    """Return a column name as the lists above spell it: ``codeName``, ``Code_Name`` and ``code names`` -> ``code name``."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(name).strip())
    text = " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())
    return text[:-1] if text.endswith("s") and text[:-1] in KNOWN and text not in KNOWN else text


@dataclass
class SheetRow:
    """One row of a codebook sheet: its number (the header is row 1), its place and its fields, and the
    fields its row gives the levels above it (a theme's description beside its cell)."""

    number: int
    path: tuple[str, ...]
    fields: dict[str, Any] = field(default_factory=dict)
    above: dict[tuple[str, ...], dict[str, Any]] = field(default_factory=dict)


@dataclass
class SheetCodes:
    """A sheet's rows with their places, and how the sheet placed them."""

    rows: list[SheetRow]
    flat: bool
    """The rows are all codes: a flat list, no themes."""
    by_path: bool
    """Placed by a path column, which lists every parent as a row of its own (a missing one is a typo)."""


@dataclass
class _Columns:
    """A sheet's header: each column's position, name and key, and which column holds what."""

    names: list[str]
    keys: list[str]

    def pick(self, wanted: tuple[str, ...]) -> int | None:
        return next((i for name in wanted for i, key in enumerate(self.keys) if key == name), None)

    def all(self, wanted: tuple[str, ...]) -> list[int]:
        return [i for i, key in enumerate(self.keys) if key in wanted]

    def levels(self) -> list[int]:
        """The theme or category columns (``Theme``, ``Sub-category``, ``Low-level Category``), left to right."""
        return [i for i, key in enumerate(self.keys) if key in THEME_COLUMNS or key in SUBTHEME_COLUMNS
                or key.endswith(LEVEL_ENDINGS)]

    def descriptions(self) -> list[int]:
        """The description columns: named so, or beginning so (``Description for GUI``, ``Definition (short)``)."""
        return [i for i, key in enumerate(self.keys) if key in DESCRIPTION_COLUMNS
                or key.split(" ", 1)[0] in ("description", "definition") and " " in key]


def sheet_rows(path: Path, grid: list[list[str]]) -> SheetCodes:
    """Return each row's place and fields, and how the sheet places its codes (``grid``: its rows of cells)."""
    top = header_index(grid)
    if top is None:
        headless = _headless(path, grid)
        if headless is not None:
            return headless
    top = top or 0
    header = [str(c).strip() for c in grid[top]] if grid else []
    columns = _Columns(header, [column_key(c) for c in header])
    if top:
        warnings.warn(f"{path}: the header is row {top + 1} ({', '.join(repr(c) for c in header if c)[:120]}); the "
                      f"row{'s' * (top > 1)} above it (a title) {'are' if top > 1 else 'is'} not read", stacklevel=3)
    records = [[*(str(c).strip() for c in row), *[""] * (len(header) - len(row))] for row in grid[top + 1:]]
    for record in records:  # a name wrapped onto two lines in its cell (Alt+Enter, a Word table) is one name
        for i in (columns.pick(PATH_COLUMNS), *columns.all(NAME_COLUMNS), *columns.all(SUBCODE_COLUMNS),
                  *columns.levels()):
            if i is not None and i < len(record):
                record[i] = " ".join(record[i].split())
    first = top + 2  # the sheet row number of the first record
    path_column, name_column = columns.pick(PATH_COLUMNS), columns.pick(NAME_COLUMNS)
    if path_column is None and name_column is None:
        shown = ", ".join(c[:60] + ("..." if len(c) > 60 else "") for c in header if c)
        raise CodebookError(f"{path}: no column naming the codes (a path such as 'Theme > Code', or one of "
                            f"{', '.join(NAME_COLUMNS[:6])}) among {shown or 'no named columns'}")
    id_column = columns.pick(FIELD_COLUMNS["id"])
    if name_column is not None and id_column is None:
        name_column, id_column = _name_or_id(path, columns, records, name_column)
    levels = [i for i in columns.levels() if i != name_column and i != path_column]
    subcode = columns.pick(SUBCODE_COLUMNS)
    if subcode is not None and name_column is not None and path_column is None:  # Code | Sub-code: codes hold sub-codes
        levels, name_column = sorted([*levels, name_column]), subcode
    parent_column = columns.pick(PARENT_COLUMNS)
    descriptions = columns.descriptions()
    unread = [header[i] for i, key in enumerate(columns.keys) if key and key not in KNOWN and i not in levels
              and i != id_column and i not in descriptions and not key.startswith("unnamed")]
    if unread:
        warnings.warn(f"{path}: column{'s' * (len(unread) > 1)} {', '.join(map(repr, unread))} "
                      f"{'are' if len(unread) > 1 else 'is'} not read (not a codebook field qualkit knows)", stacklevel=3)
    if path_column is not None:
        places = split_paths(path, [r[path_column] for r in records])
    elif name_column is not None and levels:
        places = under_themes(path, records, levels, name_column, first)
    elif name_column is not None and parent_column is not None:
        places = under_parents(path, records, parent_column, name_column)
    else:
        names = [r[name_column] for r in records]
        numbered = outline(path, names, first)
        nested = None if numbered else indented([str(row[name_column]) if name_column < len(row) else ""
                                                 for row in grid[top + 1:]])
        places = numbered or nested or split_paths(path, names)
        if numbered or nested:
            how = "numbers its codes (1.1 under 1)" if numbered else "indents its codes"
            warnings.warn(f"{path}: the {header[name_column]!r} column {how}; read as a code system"
                          + ("" if numbered else ", an indented code under the one above it"), stacklevel=3)
    flat = not levels and parent_column is None and all(len(p) <= 1 for p in places)
    if flat and any(places):
        warnings.warn(f"{path}: no row names a theme or parent, so the {sum(1 for p in places if p)} rows are read "
                      f"as codes without themes (give a 'Theme > Code' path or a theme column to group them)",
                      stacklevel=3)
    keywords = columns.pick(KEYWORD_COLUMNS)
    code_column = name_column if name_column is not None else path_column
    described = _described(columns, [*levels, code_column])
    rows = []
    for number, (record, place) in enumerate(zip(records, places), start=first):
        if not place:
            continue
        fields = _fields(path, number, record, columns, described.get(code_column, []), id_column, keywords)
        above = {place[:depth + 1]: {"description": text} for depth, level in enumerate(levels)
                 if (text := _joined(record, described.get(level, []))) and record[level] and depth + 1 < len(place)}
        rows.append(SheetRow(number, place, fields, above))
    given = sum(1 for record, place in zip(records, places) if place and keywords is not None and _terms(record[keywords]))
    if given:
        warnings.warn(f"{path}: the {header[keywords]!r} column gives {given} code{'s' * (given != 1)} their patterns "
                      "(one per term, split at ; , | or new lines; each matches its words in any form)", stacklevel=3)
    return SheetCodes(rows, flat, path_column is not None)


def header_index(grid: list[list[str]]) -> int | None:
    """Return the index of the header: the first row with a column naming the codes, within the first rows."""
    for index, row in enumerate(grid[:TITLE_ROWS]):
        keys = [column_key(c) for c in row]
        if any(k in PATH_COLUMNS or k in NAME_COLUMNS for k in keys):
            return index
    return None


def _headless(path: Path, grid: list[list[str]]) -> SheetCodes | None:
    """Read a sheet without a header whose first column lists the codes as a numbered code system (``1 Theme``,
    ``1.1 Code``, as MAXQDA exports its code system) or as paths (``theme->code``); None for any other sheet."""
    cells = [str(row[0]).strip() if row else "" for row in grid]
    places = outline(path, cells)
    how = "a numbered code system (1.1 under 1)"
    if places is None:
        places, how = indented([str(row[0]) if row else "" for row in grid]), "an indented code system"
    if places is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            places = split_paths(path, cells)
        if not any(len(p) > 1 for p in places):
            return None
        how = "code paths"
    rows = [SheetRow(number, place) for number, place in enumerate(places, start=1) if place]
    others = max((len(row) for row in grid), default=0) - 1
    warnings.warn(f"{path}: has no header row; its first column is read as {how}"
                  + (f" and the other {others} columns are not read" if others > 1 else
                     " and the other column is not read" if others else ""),
                  stacklevel=3)
    return SheetCodes(rows, False, True)


def _name_or_id(path: Path, columns: _Columns, records: list[list[str]], name_column: int) -> tuple[int, int | None]:
    """Of a ``Code`` column and another naming column (``Name``, ``Full code name``), a column of short
    identifiers (``I.E``, ``A-CSD``) half as long as the other's names gives the ids; said in a warning."""
    others = [i for i in columns.all(NAME_COLUMNS) if i != name_column]
    if not others:
        return name_column, None
    other = others[0]
    cells = [r[name_column] for r in records if r[name_column]]
    words = [r[other] for r in records if r[other]]
    if cells and words and all(IDENTIFIER.fullmatch(c) for c in cells) \
            and sum(map(len, words)) / len(words) >= 2 * sum(map(len, cells)) / len(cells):
        warnings.warn(f"{path}: column {columns.names[name_column]!r} holds short identifiers "
                      f"({', '.join(cells[:3])}, ...), so codes are named from {columns.names[other]!r} and "
                      f"{columns.names[name_column]!r} gives their ids", stacklevel=4)
        return other, name_column
    return name_column, None


def _described(columns: _Columns, placed: list[int | None]) -> dict[int | None, list[int]]:
    """Return the description columns of each level or code column: those to its right, before the next
    level or code (``Theme | Description | Code | Description``); the codes take any left over."""
    found = columns.descriptions()
    placed = sorted(p for p in placed if p is not None)
    code = placed[-1] if placed else None
    given: dict[int | None, list[int]] = {}
    for column in found:
        owner = max((p for p in placed if p < column), default=code)
        given.setdefault(owner if owner in placed else code, []).append(column)
    return given


def _joined(record: list[str], columns: list[int], names: list[str] | None = None) -> str:
    """Join a row's description cells; with several columns named beyond 'Description', each says its name."""
    named = names is not None and len(columns) > 1 and any(column_key(names[c]) not in KNOWN for c in columns)
    return "\n\n".join(f"{names[c]}: {record[c]}" if named and names else record[c] for c in columns if record[c])


def _fields(path: Path, number: int, record: list[str], columns: _Columns, described: list[int],
            id_column: int | None, keywords: int | None) -> dict[str, Any]:
    """Return a row's description, include/exclude, id, colour, examples and patterns (keywords too)."""
    fields: dict[str, Any] = {}
    description = _joined(record, described, columns.names)
    if description:
        fields["description"] = description
    for key, names in FIELD_COLUMNS.items():
        column = id_column if key == "id" else columns.pick(names)
        if column is not None and record[column]:
            fields[key] = record[column]
    for key in JSON_COLUMNS:
        column = columns.pick(EXAMPLE_COLUMNS if key == "examples" else (key,))
        cell = record[column] if column is not None else ""
        if cell and (key == "patterns" or cell.startswith("[")):
            try:
                fields[key] = json.loads(cell)
            except json.JSONDecodeError as exc:
                raise CodebookError(f"{path}, row {number}: '{key}' is not a JSON list: {exc.msg}") from None
        elif cell:
            fields[key] = [cell]  # an example quote as written
    terms = _terms(record[keywords]) if keywords is not None else []
    if terms:
        fields["patterns"] = [*fields.get("patterns", []), *terms]
    return fields


def _terms(cell: Any) -> list[str]:
    """Return the terms of a keywords cell, split at ; , | OR or new lines, quotes taken off."""
    return [t for t in (w.strip().strip('"“”') for w in KEYWORD_SPLIT.split(str(cell))) if t]
