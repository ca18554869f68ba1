"""Codebook records (themes, codes), loading a codebook from YAML and validating its structure.

Patterns (the ``Pattern`` record and reading it) live in ``patterns``, the line-remembering YAML
loader in ``yaml_lines``. Standard library and PyYAML only.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualkit.codebook.patterns import (  # noqa: F401 - re-exported
    DEFAULT_DISTANCE, PATTERN_KINDS, WORD_ATTRS, YAML_BOOL, Pattern, PatternReader, pattern_spec,
)
from qualkit.codebook.files import decoded, refuse_other_kinds
from qualkit.codebook.yaml_lines import Mark, at, load_yaml, type_name  # noqa: F401 - re-exported
from qualkit.errors import CodebookError

PATH_SEPARATOR = " > "
CODE_FIELDS = {
    "id", "name", "definition", "description", "include", "exclude", "examples", "colour", "color",
    "patterns", "codes", "unit", "negation", "within", "speakers", "roles",
}
THEME_FIELDS = {"id", "name", "description", "definition", "colour", "color", "codes", "themes"}
TOP_FIELDS = {
    "name", "title", "version", "description", "authors", "themes", "codes", "language", "unit", "negation",
}
UNIT_RE = re.compile(r"(match|sentence|turn)|turn\s*\+\s*(\d+)")


@dataclass(frozen=True)
class Theme:
    """A grouping node of the codebook: it holds codes (and maybe sub-themes), and has no patterns."""

    id: str
    name: str
    path: tuple[str, ...]
    description: str = ""
    colour: str = ""

    @property
    def path_label(self) -> str:
        """Return the path as ``Theme > Sub-theme``."""
        return PATH_SEPARATOR.join(self.path)


@dataclass(frozen=True)
class Code:
    """A code: its place in the hierarchy, what it means, the patterns that apply it and where.

    ``unit`` (``match``, ``sentence``, ``turn`` or ``turn+N``; empty for the run's default),
    ``negation`` (set negated hits aside), ``within`` (codes a passage must already have),
    ``speakers`` and ``roles`` (whose turns it applies to; empty for all coded turns).
    """

    id: str
    name: str
    path: tuple[str, ...]
    definition: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    colour: str = ""
    patterns: tuple[Pattern, ...] = ()
    parent_id: str = ""
    unit: str = ""
    negation: bool = True
    within: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    line: int = field(default=0, compare=False)

    @property
    def path_label(self) -> str:
        """Return the path as ``Theme > Code``."""
        return PATH_SEPARATOR.join(self.path)

    @property
    def theme(self) -> str:
        """Return the top-level theme's name."""
        return self.path[0]


@dataclass(frozen=True)
class Codebook:
    """A whole codebook: themes and codes in file order, with its source file and content hash."""

    name: str
    version: str
    codes: tuple[Code, ...]
    themes: tuple[Theme, ...] = ()
    description: str = ""
    source: str = ""
    sha256: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    unit: str = ""

    def code(self, code_id: str) -> Code:
        """Return the code with this id, or raise ``KeyError``."""
        for code in self.codes:
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    def top_themes(self) -> tuple[str, ...]:
        """Return the names of the top-level themes in order."""
        names = [t.path[0] for t in self.themes] + [c.path[0] for c in self.codes]
        return tuple(dict.fromkeys(names))


def normalise_unit(text: str) -> str:
    """Return the unit in canonical form (``turn + 2`` -> ``turn+2``), or ``''`` when it is not one."""
    found = UNIT_RE.fullmatch(text.strip().casefold())
    if not found:
        return ""
    return found.group(1) or f"turn+{int(found.group(2))}"


# Words other tools and codebooks use for a field qualkit names otherwise.
FIELD_SYNONYMS = {"keywords": "patterns", "keyword": "patterns", "terms": "patterns", "search_terms": "patterns",
                  "search terms": "patterns", "synonyms": "patterns", "regex": "patterns", "subcodes": "codes",
                  "children": "codes", "sub_codes": "codes", "subthemes": "themes", "memo": "definition",
                  "comment": "definition", "label": "name", "title": "name", "inclusion": "include",
                  "exclusion": "exclude", "example": "examples", "quotes": "examples"}


def _meant(key: str, allowed: set[str]) -> str:
    """Return ' (did you mean 'x'?)' for a field written as another tool names it, or misspelt."""
    folded = key.casefold().strip()
    guess = FIELD_SYNONYMS.get(folded)
    if guess is None or guess not in allowed:
        close = difflib.get_close_matches(folded, sorted(allowed), n=1, cutoff=0.75)
        guess = close[0] if close else None
    return f" (did you mean '{guess}'?)" if guess else f" (fields here: {', '.join(sorted(allowed))})"


def slugify(text: str) -> str:
    """Return a lower-case, hyphenated id made of the text's letters and digits."""
    slug = re.sub(r"[^\w]+", "-", text.casefold(), flags=re.UNICODE).strip("-_")
    return slug or "code"


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a YAML codebook; raise ``CodebookError`` naming the file, line, column and field."""
    path = Path(path)
    refuse_other_kinds(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CodebookError(f"{path}: codebook file not found") from None
    except OSError as exc:
        raise CodebookError(f"{path}: cannot read codebook: {exc.strerror}") from None
    text = decoded(path, raw, "Notepad saves 'ANSI' (save it as UTF-8 if its text looks wrong)", "Notepad saves 'Unicode'")
    return parse_codebook(text, source=str(path), sha256=hashlib.sha256(raw).hexdigest())


def parse_codebook(text: str, source: str = "<codebook>", sha256: str = "") -> Codebook:
    """Parse and validate codebook YAML text (see ``codebooks/README.md`` for the format)."""
    data = load_yaml(text, source)
    if data is None:
        raise CodebookError(f"{source}: codebook is empty")
    convert = (f" (a list or mapping of codes, as other tools keep them, is converted once with 'qualkit codebook "
               f"import {source} --out FILE.yaml')")
    if not isinstance(data, dict):
        raise CodebookError(f"{source}, line 1: expected a mapping with 'themes', got {type_name(data)}"
                            + (convert if isinstance(data, list) else ""))
    codes = data.get("codes")
    if isinstance(codes, list) and codes and all(isinstance(c, dict) and "name" not in c for c in codes):
        fields = ", ".join(dict.fromkeys(str(key) for code in codes for key in code))
        raise CodebookError(f"{source}, line {at(data, 'codes')[0]}: its codes have no 'name' (their fields: "
                            f"{fields[:100]}){convert}")
    if data and not any(str(key) in TOP_FIELDS for key in data):
        raise CodebookError(f"{source}, line 1: none of its fields ({', '.join(map(str, list(data)[:3]))}, ...) is a "
                            f"codebook's (themes, codes, name, ...){convert}")
    return _Builder(source).build(data, sha256 or hashlib.sha256(text.encode()).hexdigest())



class _Builder(PatternReader):
    """Turns the loaded YAML tree into records, checking every field on the way."""

    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.codes: list[Code] = []
        self.themes: list[Theme] = []
        self.ids: dict[str, int] = {}
        self.within_marks: dict[str, Mark] = {}

    def build(self, data: dict[str, Any], sha256: str) -> Codebook:
        unknown = [key for key in map(str, data) if key not in TOP_FIELDS]
        if unknown:
            raise self.fail(at(data, unknown[0]), "top level",
                            f"unknown field '{unknown[0]}'{_meant(unknown[0], TOP_FIELDS)}")
        if "themes" not in data and "codes" not in data:
            raise self.fail((1, 0), "top level", "no 'themes' (or 'codes') list")
        self.default_negation = self.flag(data, "negation", "top level", True)
        unit = self.unit(data, "top level")
        for key in ("themes", "codes"):
            nodes = data.get(key) or []
            if not isinstance(nodes, list):
                raise self.fail(at(data, key), "top level", f"'{key}' must be a list")
            for node in nodes:
                if key == "themes":
                    self.theme(node, ())
                else:
                    self.code(node, (), "")
        if not self.codes:
            raise self.fail((0, 0), "top level", "the codebook defines no codes")
        self.check_within()
        return Codebook(
            name=self.text(data, "name", "top level") or self.text(data, "title", "top level") or "Codebook",
            version=str(data.get("version", "")),
            description=self.text(data, "description", "top level"),
            codes=tuple(self.codes),
            themes=tuple(self.themes),
            source=self.source,
            sha256=sha256,
            unit=unit,
        )

    def text(self, node: dict[str, Any], key: str, where: str) -> str:
        value = node.get(key)
        if value is None:
            return ""
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value).strip()
        if isinstance(value, bool):
            raise self.fail(at(node, key), where, f"field '{key}' must be text, got {str(value).lower()}: {YAML_BOOL}")
        raise self.fail(at(node, key), where, f"field '{key}' must be text, got {type(value).__name__}")

    def texts(self, node: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = node.get(key) or []
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and any(isinstance(v, bool) for v in value):
            raise self.fail(at(node, key), where, f"'{key}' must be a list of text, got "
                                                  f"{str(next(v for v in value if isinstance(v, bool))).lower()}: {YAML_BOOL}")
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(at(node, key), where, f"'{key}' must be a list of text")
        return tuple(v.strip() for v in value)

    def unit(self, node: dict[str, Any], where: str) -> str:
        value = self.text(node, "unit", where)
        unit = normalise_unit(value) if value else ""
        if value and not unit:
            raise self.fail(at(node, "unit"), where,
                            f"'unit' must be match, sentence, turn or turn+N, got {value!r}")
        return unit

    def named(self, node: Any, kind: str, parent: tuple[str, ...]) -> tuple[str, int]:
        where = f"{kind} under '{PATH_SEPARATOR.join(parent)}'" if parent else kind
        if not isinstance(node, dict):
            raise self.fail(at(node), where, f"expected a mapping with 'name', got {node!r}")
        name = self.text(node, "name", where)
        if not name:
            raise self.fail(at(node), where, "missing 'name'")
        return name, getattr(node, "line", 0)

    def unique_id(self, node: dict[str, Any], path: tuple[str, ...], line: int, where: str, prefix: str = "") -> str:
        node_id = self.text(node, "id", where)
        if not node_id:
            candidates = [prefix + slugify(path[-1]), prefix + slugify(PATH_SEPARATOR.join(path))]
            node_id = next((c for c in candidates if c not in self.ids), "")
            number = 2
            while not node_id:
                node_id = f"{candidates[1]}-{number}" if f"{candidates[1]}-{number}" not in self.ids else ""
                number += 1
        if node_id in self.ids:
            raise self.fail(at(node, "id") if "id" in node else at(node), where,
                            f"id '{node_id}' is already used at line {self.ids[node_id]}")
        self.ids[node_id] = line
        return node_id

    def check_fields(self, node: dict[str, Any], allowed: set[str], where: str) -> None:
        for key in node:
            if str(key) not in allowed:
                raise self.fail(at(node, str(key)), where, f"unknown field '{key}'{_meant(str(key), allowed)}")

    def theme(self, node: Any, parent: tuple[str, ...]) -> None:
        name, line = self.named(node, "theme", parent)
        path = parent + (name,)
        where = f"theme '{name}'"
        self.check_fields(node, THEME_FIELDS, where)
        theme_id = self.unique_id(node, path, line, where, prefix="theme-")
        self.themes.append(Theme(
            id=theme_id, name=name, path=path,
            description=self.text(node, "description", where) or self.text(node, "definition", where),
            colour=self.colour(node, where),
        ))
        for key in ("themes", "codes"):
            children = node.get(key) or []
            if not isinstance(children, list):
                raise self.fail(at(node, key), where, f"'{key}' must be a list")
            for child in children:
                if key == "codes":
                    self.code(child, path, "")
                else:
                    self.theme(child, path)

    def colour(self, node: dict[str, Any], where: str) -> str:
        key = "colour" if "colour" in node else "color"
        value = self.text(node, key, where)
        if value and not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
            raise self.fail(at(node, key), where, f"'{key}' must be a hex colour like '#1f77b4', got {value!r}")
        return value.upper()

    def code(self, node: Any, parent: tuple[str, ...], parent_id: str) -> None:
        name, line = self.named(node, "code", parent)
        path = parent + (name,)
        where = f"code '{name}'"
        self.check_fields(node, CODE_FIELDS, where)
        code_id = self.unique_id(node, path, line, where)
        examples = node.get("examples") or []
        if isinstance(examples, str):
            examples = [examples]
        if isinstance(examples, list) and any(isinstance(e, bool) for e in examples):
            raise self.fail(at(node, "examples"), where, f"'examples' must be a list of text, got "
                                                         f"{str(next(e for e in examples if isinstance(e, bool))).lower()}: {YAML_BOOL}")
        if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
            raise self.fail(at(node, "examples"), where, "'examples' must be a list of text")
        within = self.texts(node, "within", where)
        if within:
            self.within_marks[code_id] = at(node, "within")
        self.codes.append(Code(
            id=code_id, name=name, path=path,
            definition=self.text(node, "definition", where) or self.text(node, "description", where),
            include=self.text(node, "include", where),
            exclude=self.text(node, "exclude", where),
            examples=tuple(e.strip() for e in examples),
            colour=self.colour(node, where),
            patterns=self.patterns(node, where),
            parent_id=parent_id,
            unit=self.unit(node, where),
            negation=self.flag(node, "negation", where, self.default_negation),
            within=within,
            speakers=self.texts(node, "speakers", where),
            roles=tuple(r.casefold() for r in self.texts(node, "roles", where)),
            line=line,
        ))
        children = node.get("codes") or []
        if not isinstance(children, list):
            raise self.fail(at(node, "codes"), where, "'codes' must be a list")
        for child in children:
            self.code(child, path, code_id)

    def check_within(self) -> None:
        """Check that every ``within`` names a code, and that no code is (indirectly) within itself."""
        known = {code.id: code for code in self.codes}
        for code in self.codes:
            for other in code.within:
                if other not in known:
                    raise self.fail(self.within_marks[code.id], f"code '{code.name}'",
                                    f"'within' names no code of this codebook: {other!r}")
        for code in self.codes:
            seen, todo = set(), list(code.within)
            while todo:
                other = todo.pop()
                if other == code.id:
                    raise self.fail(self.within_marks[code.id], f"code '{code.name}'",
                                    "'within' makes a cycle: the code would need itself")
                if other not in seen:
                    seen.add(other)
                    todo.extend(known[other].within)
