"""Where each row of a codebook sheet sits in the hierarchy: by a path cell (``Theme > Code``, ``Theme\\Code``,
``Theme::Code``, ``theme->code``), under the theme cells beside it (merged cells read as the one above), under the
row its parent cell names (Dedoose), or by its number (``1.1`` under ``1``) or indentation in a code system.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from qualkit.codebook.model import PATH_SEPARATOR
from qualkit.errors import CodebookError

SEPARATORS = ("->", ">", "\\", "::")
ROOTS = {"nodes", "codes", "code system", "free nodes", "tree nodes", "codebook"}


def split_paths(path: Path, values: list[str]) -> list[tuple[str, ...]]:
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


def under_themes(path: Path, records: list[list[str]], levels: list[int], name_column: int, first: int,
                  ) -> list[tuple[str, ...]]:
    """Place each code under its theme (and sub-themes); an empty cell (merged cells) is the one above it."""
    places: list[tuple[str, ...]] = []
    current = [""] * len(levels)
    filled = []
    for number, record in enumerate(records, start=first):
        cells = [record[column] for column in levels]
        name = record[name_column]
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


def under_parents(path: Path, records: list[list[str]], parent_column: int, name_column: int,
                   ) -> list[tuple[str, ...]]:
    """Place each code under the row its parent cell names, to any depth (a parent not listed is a theme)."""
    parent_of = {}
    for record in records:
        if record[name_column]:
            parent_of.setdefault(record[name_column], record[parent_column])

    def place(name: str, seen: tuple[str, ...] = ()) -> tuple[str, ...]:
        if name in seen:
            raise CodebookError(f"{path}: code {name!r} is its own ancestor (parents: {' > '.join((*seen, name))})")
        parent = parent_of.get(name, "")
        return (*place(parent, (*seen, name)), name) if parent else (name,)

    return [place(r[name_column]) if r[name_column] else () for r in records]


def indented(cells: list[str]) -> list[tuple[str, ...]] | None:
    """Return the places of codes indented under the one above them (leading spaces or tabs, as a code system is
    listed), or None when the cells are not indented at two depths or more, or the first is not the least."""
    widths = [len(c.expandtabs(4)) - len(c.expandtabs(4).lstrip()) if c.strip() else None for c in cells]
    used = sorted({w for w in widths if w is not None})
    first = next((w for w in widths if w is not None), None)
    if len(used) < 2 or first != used[0]:
        return None
    places: list[tuple[str, ...]] = []
    stack: list[tuple[int, str]] = []
    for cell, width in zip(cells, widths):
        if width is None:
            places.append(())
            continue
        while stack and stack[-1][0] >= width:
            stack.pop()
        stack.append((width, " ".join(cell.split())))
        places.append(tuple(name for _, name in stack))
    return places


OUTLINE = re.compile(r"(\d+(?:\.\d+)*)\.?\s+(\S.*)")


def outline(path: Path, cells: list[str], first: int = 1) -> list[tuple[str, ...]] | None:
    """Return the places of numbered code names (``1.2 Cost`` under ``1 Barriers``), or None when the cells are not
    all so numbered or none is below another."""
    found = [OUTLINE.fullmatch(cell) for cell in cells]
    if not any(cells) or not all(f for f, cell in zip(found, cells) if cell) or not any(f and "." in f.group(1) for f in found):
        return None
    places: list[tuple[str, ...]] = []
    numbered: dict[str, tuple[str, ...]] = {}
    for row, match in enumerate(found, start=first):
        if match is None:
            places.append(())
            continue
        number, name = match.group(1), match.group(2).strip()
        parent = number.rsplit(".", 1)[0] if "." in number else ""
        if parent and parent not in numbered:
            raise CodebookError(f"{path}, row {row}: code {number} '{name}' is numbered under {parent}, which is not "
                                "listed above it")
        numbered[number] = (*numbered.get(parent, ()), name)
        places.append(numbered[number])
    return places
