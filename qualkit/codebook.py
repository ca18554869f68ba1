"""Codebook records (themes, codes, patterns), loading from YAML and validation."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qualkit.errors import CodebookError

PATH_SEPARATOR = " > "
CODE_FIELDS = {
    "id", "name", "definition", "description", "include", "exclude", "examples", "colour", "color",
    "patterns", "codes",
}
THEME_FIELDS = {"id", "name", "description", "definition", "colour", "color", "codes", "themes"}
TOP_FIELDS = {"name", "title", "version", "description", "authors", "themes", "codes", "language"}


@dataclass(frozen=True)
class Pattern:
    """One pattern of a code: a phrase (``kind='phrase'``, value a string) or a spaCy token pattern
    (``kind='token'``, value a list of token dicts). ``line`` is its line in the codebook file."""

    kind: str
    value: Any
    index: int
    line: int = 0

    def label(self) -> str:
        """Return a short human-readable form of the pattern, as shown in reports and exports."""
        if self.kind == "phrase":
            return str(self.value)
        return " ".join(_token_label(t) for t in self.value)


def _token_label(token: dict[str, Any]) -> str:
    parts = [f"{k}={v}" for k, v in token.items() if k != "OP"]
    text = "[" + ",".join(parts) + "]"
    return text + token.get("OP", "")


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
    """A code: its place in the hierarchy, what it means, and the patterns that apply it."""

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


def slugify(text: str) -> str:
    """Return a lower-case, hyphenated id made of the text's letters and digits."""
    slug = re.sub(r"[^\w]+", "-", text.casefold(), flags=re.UNICODE).strip("-_")
    return slug or "code"


class _LineLoader(yaml.SafeLoader):
    """A YAML loader whose mappings remember the line of each key (1-based)."""


class _Mapping(dict):  # type: ignore[type-arg]
    line: int = 0
    key_lines: dict[str, int]


class _Sequence(list):  # type: ignore[type-arg]
    line: int = 0
    item_lines: list[int]


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    result = _Mapping()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Sequence:
    result = _Sequence(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a YAML codebook; raise ``CodebookError`` naming the file, line and field."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CodebookError(f"{path}: codebook file not found") from None
    except OSError as exc:
        raise CodebookError(f"{path}: cannot read codebook: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodebookError(f"{path}: codebook is not UTF-8 text (byte {exc.start})") from None
    return parse_codebook(text, source=str(path), sha256=hashlib.sha256(raw).hexdigest())


def parse_codebook(text: str, source: str = "<codebook>", sha256: str = "") -> Codebook:
    """Parse and validate codebook YAML text (see ``codebooks/README.md`` for the format)."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CodebookError(f"{source}{where}: malformed YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise CodebookError(f"{source}: malformed YAML: {exc}") from None
    if data is None:
        raise CodebookError(f"{source}: codebook is empty")
    if not isinstance(data, dict):
        raise CodebookError(f"{source}, line 1: expected a mapping with 'themes', got {_kind(data)}")
    return _Builder(source).build(data, sha256 or hashlib.sha256(text.encode()).hexdigest())


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


class _Builder:
    """Turns the loaded YAML tree into records, checking every field on the way."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.codes: list[Code] = []
        self.themes: list[Theme] = []
        self.ids: dict[str, int] = {}

    def fail(self, line: int, where: str, problem: str) -> CodebookError:
        place = f", line {line}" if line else ""
        return CodebookError(f"{self.source}{place}, {where}: {problem}")

    def build(self, data: dict[str, Any], sha256: str) -> Codebook:
        lines = getattr(data, "key_lines", {})
        unknown = sorted(set(map(str, data)) - TOP_FIELDS)
        if unknown:
            raise self.fail(lines.get(unknown[0], 0), "top level", f"unknown field '{unknown[0]}'")
        if "themes" not in data and "codes" not in data:
            raise self.fail(1, "top level", "no 'themes' (or 'codes') list")
        for key in ("themes", "codes"):
            nodes = data.get(key) or []
            if not isinstance(nodes, list):
                raise self.fail(lines.get(key, 0), "top level", f"'{key}' must be a list")
            for node in nodes:
                if key == "themes":
                    self.theme(node, ())
                else:
                    self.code(node, (), "")
        if not self.codes:
            raise self.fail(0, "top level", "the codebook defines no codes")
        return Codebook(
            name=self.text(data, "name", "top level") or self.text(data, "title", "top level") or "Codebook",
            version=str(data.get("version", "")),
            description=self.text(data, "description", "top level"),
            codes=tuple(self.codes),
            themes=tuple(self.themes),
            source=self.source,
            sha256=sha256,
        )

    def text(self, node: dict[str, Any], key: str, where: str) -> str:
        value = node.get(key)
        if value is None:
            return ""
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value).strip()
        line = getattr(node, "key_lines", {}).get(key, 0)
        raise self.fail(line, where, f"field '{key}' must be text, got {type(value).__name__}")

    def named(self, node: Any, kind: str, parent: tuple[str, ...]) -> tuple[str, int]:
        where = f"{kind} under '{PATH_SEPARATOR.join(parent)}'" if parent else kind
        if not isinstance(node, dict):
            raise self.fail(getattr(node, "line", 0), where, f"expected a mapping with 'name', got {node!r}")
        name = self.text(node, "name", where)
        if not name:
            raise self.fail(getattr(node, "line", 0), where, "missing 'name'")
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
            raise self.fail(line, where, f"id '{node_id}' is already used at line {self.ids[node_id]}")
        self.ids[node_id] = line
        return node_id

    def check_fields(self, node: dict[str, Any], allowed: set[str], where: str) -> None:
        for key in node:
            if str(key) not in allowed:
                line = node.key_lines.get(str(key), 0) if hasattr(node, "key_lines") else 0
                raise self.fail(line, where, f"unknown field '{key}'")

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
        for key, build in (("themes", self.theme), ("codes", None)):
            children = node.get(key) or []
            if not isinstance(children, list):
                raise self.fail(node.key_lines.get(key, line), where, f"'{key}' must be a list")
            for child in children:
                if build is None:
                    self.code(child, path, "")
                else:
                    build(child, path)

    def colour(self, node: dict[str, Any], where: str) -> str:
        key = "colour" if "colour" in node else "color"
        value = self.text(node, key, where)
        if value and not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
            line = node.key_lines.get(key, 0) if hasattr(node, "key_lines") else 0
            raise self.fail(line, where, f"'{key}' must be a hex colour like '#1f77b4', got {value!r}")
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
        if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
            raise self.fail(node.key_lines.get("examples", line), where, "'examples' must be a list of text")
        self.codes.append(Code(
            id=code_id, name=name, path=path,
            definition=self.text(node, "definition", where) or self.text(node, "description", where),
            include=self.text(node, "include", where),
            exclude=self.text(node, "exclude", where),
            examples=tuple(e.strip() for e in examples),
            colour=self.colour(node, where),
            patterns=self.patterns(node, where, line),
            parent_id=parent_id,
        ))
        children = node.get("codes") or []
        if not isinstance(children, list):
            raise self.fail(node.key_lines.get("codes", line), where, "'codes' must be a list")
        for child in children:
            self.code(child, path, code_id)

    def patterns(self, node: dict[str, Any], where: str, line: int) -> tuple[Pattern, ...]:
        raw = node.get("patterns") or []
        if not isinstance(raw, list):
            raise self.fail(node.key_lines.get("patterns", line), where, "'patterns' must be a list")
        lines = getattr(raw, "item_lines", [line] * len(raw))
        result = []
        for number, (value, pline) in enumerate(zip(raw, lines), start=1):
            result.append(self.pattern(value, number, pline, where))
        return tuple(result)

    def pattern(self, value: Any, number: int, line: int, where: str) -> Pattern:
        place = f"{where}, pattern {number}"
        if isinstance(value, str):
            if not value.strip():
                raise self.fail(line, place, "empty phrase")
            return Pattern("phrase", value.strip(), number, line)
        if isinstance(value, list) and value and all(isinstance(t, dict) and t for t in value):
            tokens = [dict(t) for t in value]
            for token in tokens:
                for key in token:
                    if not isinstance(key, str) or not key.replace("_", "").isalpha():
                        raise self.fail(line, place, f"token attribute must be a name like LOWER, got {key!r}")
            return Pattern("token", tokens, number, line)
        raise self.fail(line, place, f"expected a string or a list of token dicts, got {value!r}")
