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
    "patterns", "codes", "unit", "negation", "within", "speakers", "roles",
}
THEME_FIELDS = {"id", "name", "description", "definition", "colour", "color", "codes", "themes"}
TOP_FIELDS = {
    "name", "title", "version", "description", "authors", "themes", "codes", "language", "unit", "negation",
}
PATTERN_KINDS = ("phrase", "exact", "word", "tokens", "near", "exclude")
UNIT_RE = re.compile(r"(match|sentence|turn)|turn\s*\+\s*(\d+)")
DEFAULT_DISTANCE = 5
WORD_ATTRS = {"ORTH", "TEXT", "LOWER", "LEMMA", "NORM"}


@dataclass(frozen=True)
class Pattern:
    """One pattern of a code (see ``codebooks/README.md``).

    ``kind`` is ``phrase`` (on lemmas), ``exact`` (on lower case), ``wildcard`` (words with ``*``),
    ``token`` (a spaCy token pattern, ``value`` a list of dicts) or ``near`` (``parts`` within
    ``distance`` tokens, in order when ``ordered``). A ``veto`` pattern excludes the code from the
    units it matches. ``line``/``column`` place it in the codebook file.
    """

    kind: str
    value: Any
    index: int
    line: int = field(default=0, compare=False)
    column: int = field(default=0, compare=False)
    parts: tuple["Pattern", ...] = ()
    distance: int = 0
    ordered: bool = False
    veto: bool = False

    def label(self) -> str:
        """Return a short human-readable form of the pattern, as shown in reports and exports."""
        if self.kind == "near":
            order = ", ordered" if self.ordered else ""
            text = f"near({self.parts[0].label()}, {self.parts[1].label()}, {self.distance}{order})"
        elif self.kind == "token":
            text = " ".join(_token_label(t) for t in self.value)
        elif self.kind == "exact":
            text = f'"{self.value}"'
        else:
            text = str(self.value)
        return f"exclude {text}" if self.veto else text


def pattern_spec(pattern: Pattern) -> Any:
    """Return the pattern as it is written in a codebook file (the inverse of loading it)."""
    if pattern.kind == "near":
        spec: Any = {"near": [pattern_spec(p) for p in pattern.parts], "within": pattern.distance}
        if pattern.ordered:
            spec["ordered"] = True
    elif pattern.kind == "exact":
        spec = {"exact": pattern.value}
    elif pattern.kind == "token":
        spec = [dict(t) for t in pattern.value]
    else:
        spec = pattern.value
    return {"exclude": spec} if pattern.veto else spec


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


def slugify(text: str) -> str:
    """Return a lower-case, hyphenated id made of the text's letters and digits."""
    slug = re.sub(r"[^\w]+", "-", text.casefold(), flags=re.UNICODE).strip("-_")
    return slug or "code"


class _LineLoader(yaml.SafeLoader):
    """A YAML loader whose mappings and sequences remember where each key and item is (1-based)."""


class _Mapping(dict):  # type: ignore[type-arg]
    line: int = 0
    column: int = 0
    key_lines: dict[str, int]
    key_marks: dict[str, tuple[int, int]]


class _Sequence(list):  # type: ignore[type-arg]
    line: int = 0
    column: int = 0
    item_lines: list[int]
    item_marks: list[tuple[int, int]]


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    result = _Mapping()
    result.line, result.column = _mark(node)
    result.key_lines, result.key_marks = {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_marks[str(key)] = _mark(key_node)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Sequence:
    result = _Sequence(loader.construct_object(child, deep=True) for child in node.value)
    result.line, result.column = _mark(node)
    result.item_marks = [_mark(child) for child in node.value]
    result.item_lines = [line for line, _ in result.item_marks]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a YAML codebook; raise ``CodebookError`` naming the file, line, column and field."""
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


def load_yaml(text: str, source: str = "<codebook>") -> Any:
    """Return the YAML document as plain data (mappings remember their lines); raise ``CodebookError``."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CodebookError(f"{source}{where}: malformed YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise CodebookError(f"{source}: malformed YAML: {exc}") from None


def parse_codebook(text: str, source: str = "<codebook>", sha256: str = "") -> Codebook:
    """Parse and validate codebook YAML text (see ``codebooks/README.md`` for the format)."""
    data = load_yaml(text, source)
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


Mark = tuple[int, int]


def _at(node: Any, key: str | None = None) -> Mark:
    """Return the (line, column) of a key of a mapping, or of the node itself."""
    if key is not None and hasattr(node, "key_marks") and key in node.key_marks:
        return node.key_marks[key]  # type: ignore[no-any-return]
    return getattr(node, "line", 0), getattr(node, "column", 0)


class _Builder:
    """Turns the loaded YAML tree into records, checking every field on the way."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.codes: list[Code] = []
        self.themes: list[Theme] = []
        self.ids: dict[str, int] = {}
        self.within_marks: dict[str, Mark] = {}

    def fail(self, mark: Mark, where: str, problem: str) -> CodebookError:
        line, column = mark
        place = f", line {line}" if line else ""
        place += f", column {column}" if line and column else ""
        return CodebookError(f"{self.source}{place}, {where}: {problem}")

    def build(self, data: dict[str, Any], sha256: str) -> Codebook:
        unknown = [key for key in map(str, data) if key not in TOP_FIELDS]
        if unknown:
            raise self.fail(_at(data, unknown[0]), "top level", f"unknown field '{unknown[0]}'")
        if "themes" not in data and "codes" not in data:
            raise self.fail((1, 0), "top level", "no 'themes' (or 'codes') list")
        self.default_negation = self.flag(data, "negation", "top level", True)
        unit = self.unit(data, "top level")
        for key in ("themes", "codes"):
            nodes = data.get(key) or []
            if not isinstance(nodes, list):
                raise self.fail(_at(data, key), "top level", f"'{key}' must be a list")
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
        raise self.fail(_at(node, key), where, f"field '{key}' must be text, got {type(value).__name__}")

    def flag(self, node: dict[str, Any], key: str, where: str, default: bool) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(_at(node, key), where, f"'{key}' must be true or false, got {value!r}")
        return value

    def texts(self, node: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = node.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(_at(node, key), where, f"'{key}' must be a list of text")
        return tuple(v.strip() for v in value)

    def unit(self, node: dict[str, Any], where: str) -> str:
        value = self.text(node, "unit", where)
        unit = normalise_unit(value) if value else ""
        if value and not unit:
            raise self.fail(_at(node, "unit"), where,
                            f"'unit' must be match, sentence, turn or turn+N, got {value!r}")
        return unit

    def named(self, node: Any, kind: str, parent: tuple[str, ...]) -> tuple[str, int]:
        where = f"{kind} under '{PATH_SEPARATOR.join(parent)}'" if parent else kind
        if not isinstance(node, dict):
            raise self.fail(_at(node), where, f"expected a mapping with 'name', got {node!r}")
        name = self.text(node, "name", where)
        if not name:
            raise self.fail(_at(node), where, "missing 'name'")
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
            raise self.fail(_at(node, "id") if "id" in node else _at(node), where,
                            f"id '{node_id}' is already used at line {self.ids[node_id]}")
        self.ids[node_id] = line
        return node_id

    def check_fields(self, node: dict[str, Any], allowed: set[str], where: str) -> None:
        for key in node:
            if str(key) not in allowed:
                raise self.fail(_at(node, str(key)), where, f"unknown field '{key}'")

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
                raise self.fail(_at(node, key), where, f"'{key}' must be a list")
            for child in children:
                if key == "codes":
                    self.code(child, path, "")
                else:
                    self.theme(child, path)

    def colour(self, node: dict[str, Any], where: str) -> str:
        key = "colour" if "colour" in node else "color"
        value = self.text(node, key, where)
        if value and not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
            raise self.fail(_at(node, key), where, f"'{key}' must be a hex colour like '#1f77b4', got {value!r}")
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
            raise self.fail(_at(node, "examples"), where, "'examples' must be a list of text")
        within = self.texts(node, "within", where)
        if within:
            self.within_marks[code_id] = _at(node, "within")
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
            raise self.fail(_at(node, "codes"), where, "'codes' must be a list")
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

    def patterns(self, node: dict[str, Any], where: str) -> tuple[Pattern, ...]:
        raw = node.get("patterns") or []
        if not isinstance(raw, list):
            raise self.fail(_at(node, "patterns"), where, "'patterns' must be a list")
        marks = getattr(raw, "item_marks", [_at(node, "patterns")] * len(raw))
        result = [self.pattern(value, number, mark, f"{where}, pattern {number}")
                  for number, (value, mark) in enumerate(zip(raw, marks), start=1)]
        if result and all(p.veto for p in result):
            raise self.fail(_at(node, "patterns"), where, "has only 'exclude' patterns: nothing can code it")
        return tuple(result)

    def pattern(self, value: Any, number: int, mark: Mark, place: str, inner: bool = False) -> Pattern:
        line, column = mark
        if isinstance(value, str):
            return self.text_pattern("phrase", value, number, mark, place)
        if isinstance(value, list) and value and all(isinstance(t, dict) and t for t in value):
            return self.token_pattern(value, number, mark, place)
        if isinstance(value, dict) and value:
            return self.mapping_pattern(value, number, place, inner)
        raise self.fail(mark, place, f"expected a string, a list of token dicts or a mapping, got {value!r}")

    def text_pattern(self, kind: str, value: Any, number: int, mark: Mark, place: str) -> Pattern:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(mark, place, f"'{kind}' must be a non-empty phrase, got {value!r}")
        text = " ".join(value.split())
        if "*" in text:
            if kind == "exact":
                raise self.fail(mark, place, "an exact phrase cannot hold a wildcard '*'")
            for word in text.split():
                if "*" in word and len(word.replace("*", "")) < 2:
                    raise self.fail(mark, place, f"wildcard {word!r} needs at least 2 letters besides '*'")
            kind = "wildcard"
        elif kind == "word":
            kind = "phrase"
        return Pattern(kind, text, number, mark[0], mark[1])

    def token_pattern(self, value: Any, number: int, mark: Mark, place: str) -> Pattern:
        if not isinstance(value, list) or not value or not all(isinstance(t, dict) and t for t in value):
            raise self.fail(mark, place, f"'tokens' must be a list of token dicts, got {value!r}")
        tokens = [dict(t) for t in value]
        for position, token in enumerate(tokens, start=1):
            for key, item in token.items():
                if not isinstance(key, str) or not key.replace("_", "").isalpha():
                    raise self.fail(mark, place, f"token attribute must be a name like LOWER, got {key!r}")
                if key.upper() in WORD_ATTRS and isinstance(item, bool):
                    raise self.fail(mark, place, f"token {position}, {key}: YAML reads unquoted on/off/yes/no as "
                                                 f"{str(item).lower()}; put the word in quotes")
        return Pattern("token", tokens, number, mark[0], mark[1])

    def mapping_pattern(self, value: dict[str, Any], number: int, place: str, inner: bool) -> Pattern:
        kinds = [key for key in map(str, value) if key in PATTERN_KINDS]
        allowed = {"within", "ordered"} if kinds == ["near"] else set()
        extra = [key for key in map(str, value) if key not in PATTERN_KINDS and key not in allowed]
        if extra:
            raise self.fail(_at(value, extra[0]), place, f"unknown pattern field '{extra[0]}'")
        if len(kinds) != 1:
            raise self.fail(_at(value), place, f"a pattern mapping needs exactly one of {', '.join(PATTERN_KINDS)}")
        kind = kinds[0]
        mark = _at(value, kind)
        body = value[kind]
        if kind in ("phrase", "exact", "word"):
            return self.text_pattern(kind, body, number, mark, place)
        if kind == "tokens":
            return self.token_pattern(body, number, mark, place)
        if inner:
            raise self.fail(mark, place, f"'{kind}' cannot be used inside 'near' or 'exclude'")
        if kind == "exclude":
            part = self.pattern(body, number, mark, place, inner=True)
            return Pattern(part.kind, part.value, number, mark[0], mark[1], veto=True)
        return self.near_pattern(value, number, mark, place)

    def near_pattern(self, value: dict[str, Any], number: int, mark: Mark, place: str) -> Pattern:
        body = value["near"]
        if not isinstance(body, list) or len(body) != 2:
            raise self.fail(mark, place, f"'near' must be a list of two patterns, got {body!r}")
        marks = getattr(body, "item_marks", [mark, mark])
        parts = tuple(self.pattern(p, number, m, place, inner=True) for p, m in zip(body, marks))
        distance = value.get("within", DEFAULT_DISTANCE)
        if not isinstance(distance, int) or isinstance(distance, bool) or distance < 0:
            raise self.fail(_at(value, "within"), place, f"'within' must be a whole number of tokens, got {distance!r}")
        ordered = self.flag(value, "ordered", place, False)
        return Pattern("near", "", number, mark[0], mark[1], parts=parts, distance=distance, ordered=ordered)
