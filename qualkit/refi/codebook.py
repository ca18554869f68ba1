"""Codebooks in REFI-QDA: ``<Code>`` trees shared by ``.qdc`` and ``.qdpx``, and qualkit's YAML.

A qualkit theme is a code with ``isCodable="false"``. A code's description carries its definition,
include and exclude notes and examples as labelled paragraphs, and its qualkit id on the last line,
so they survive a trip through another tool. Patterns cannot live in REFI-QDA.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml
from lxml import etree

from qualkit.codebook import Code, Codebook, Theme, parse_codebook, slugify
from qualkit.errors import ExchangeError
from qualkit.refi.guids import normal_guid, stable_guid
from qualkit.refi.schema import CODEBOOK_NS, first_errors, normalise_namespace, schema_errors, schema_refusal

LABELS = ("Include", "Exclude", "Example")
ID_LINE = re.compile(r"(?:\A|\n)qualkit id: (?P<id>[^\n]+)\Z")
SECTION = re.compile(r"(?:\A|\n\n)(?P<label>Include|Exclude|Example): ")


def code_guid(code_id: str) -> str:
    """Return the stable GUID of a code."""
    return stable_guid("code", code_id)


def theme_guid(theme_id: str) -> str:
    """Return the stable GUID of a theme."""
    return stable_guid("theme", theme_id)


def describe(node: Code | Theme) -> str:
    """Return the description written for a code or theme (labelled paragraphs, id last)."""
    if isinstance(node, Theme):
        parts = [node.description] if node.description else []
    else:
        parts = [node.definition] if node.definition else []
        parts += [f"Include: {node.include}"] if node.include else []
        parts += [f"Exclude: {node.exclude}"] if node.exclude else []
        parts += [f"Example: {e}" for e in node.examples]
    parts.append(f"qualkit id: {node.id}")
    return "\n\n".join(parts)


def parse_description(text: str) -> dict[str, Any]:
    """Split a description into definition, include, exclude, examples and the qualkit id."""
    text = text.replace("\r\n", "\n").strip()
    found: dict[str, Any] = {"definition": "", "include": "", "exclude": "", "examples": [], "id": ""}
    match = ID_LINE.search(text)
    if match:
        found["id"] = match.group("id").strip()
        text = text[: match.start()].rstrip()
    pieces = SECTION.split(text)
    found["definition"] = pieces[0].strip()
    for label, body in zip(pieces[1::2], pieces[2::2]):
        if label == "Example":
            found["examples"].append(body.strip())
        else:
            key = label.lower()
            found[key] = "\n\n".join(x for x in (found[key], body.strip()) if x)
    return found


def code_elements(codebook: Codebook, ns: str, names: dict[str, str] | None = None,
                  guids: dict[str, str] | None = None) -> etree._Element:
    """Return the ``<Codes>`` element of a codebook: themes as non-codable codes, nesting kept.

    ``names`` and ``guids`` override, per theme or code id, the name written and the stable GUID.
    """
    names, guids = names or {}, guids or {}
    codes = etree.Element(f"{{{ns}}}Codes")
    by_theme: dict[tuple[str, ...], etree._Element] = {}
    by_code: dict[str, etree._Element] = {}

    def add(parent: etree._Element, node: Code | Theme, guid: str, codable: bool) -> etree._Element:
        element = etree.SubElement(parent, f"{{{ns}}}Code", guid=guids.get(node.id, guid),
                                   name=xml_text(names.get(node.id, node.name), f"code {node.path_label!r}"),
                                   isCodable="true" if codable else "false")
        if node.colour:
            element.set("color", node.colour)
        etree.SubElement(element, f"{{{ns}}}Description").text = xml_text(describe(node), f"code {node.path_label!r}")
        return element

    for theme in codebook.themes:
        parent = by_theme.get(theme.path[:-1], codes)
        by_theme[theme.path] = add(parent, theme, theme_guid(theme.id), False)
    for code in codebook.codes:
        if code.parent_id:
            parent = by_code[code.parent_id]
        else:
            parent = by_theme.get(code.path[:-1], codes)
        by_code[code.id] = add(parent, code, code_guid(code.id), True)
    return codes


def xml_text(value: str, where: str) -> str:
    """Return the value if XML can carry it; else raise ExchangeError naming where it comes from."""
    try:
        etree.Element("x").text = value
    except ValueError:
        raise ExchangeError(f"{where}: {value!r} holds characters XML cannot carry") from None
    return value


@dataclass
class Node:
    """A code of a REFI-QDA codebook as read, before it becomes a qualkit theme or code."""

    guid: str
    name: str
    codable: bool
    colour: str
    description: str
    line: int
    children: list["Node"] = field(default_factory=list)


def read_nodes(codes: etree._Element | None, ns: str) -> list[Node]:
    """Return the tree of ``<Code>`` elements under a ``<Codes>`` element."""
    if codes is None:
        return []

    def node(element: etree._Element) -> Node:
        colour = (element.get("color") or "").strip()
        if re.fullmatch(r"#[0-9A-Fa-f]{3}", colour):
            colour = "#" + "".join(c * 2 for c in colour[1:])
        return Node(
            guid=normal_guid(element.get("guid")), name=" ".join((element.get("name") or "").split()),
            codable=(element.get("isCodable") or "true").strip().lower() in ("true", "1"),
            colour=colour.upper() if re.fullmatch(r"#[0-9A-Fa-f]{6}", colour) else "",
            description=element.findtext(f"{{{ns}}}Description") or "", line=element.sourceline or 0,
            children=[node(child) for child in element.findall(f"{{{ns}}}Code")],
        )

    return [node(child) for child in codes.findall(f"{{{ns}}}Code")]


def walk(nodes: list[Node]) -> Iterator[Node]:
    """Yield every node of a tree, parents first."""
    for node in nodes:
        yield node
        yield from walk(node.children)


def nodes_to_yaml(nodes: list[Node], meta: dict[str, Any], coded: set[str],
                  extras: dict[str, dict[str, Any]] | None = None) -> tuple[str, dict[str, str]]:
    """Return qualkit's YAML codebook for a REFI-QDA code tree and ``{guid: code id}``.

    A non-codable node becomes a theme unless something is coded with it or it sits under a code.
    Ids come from the description's ``qualkit id:`` line, else from the name. ``extras`` holds, per
    code id, the qualkit-only fields (patterns, unit, ...) to put back.
    """
    # Ids written in descriptions are claimed first, so no code takes one by its name.
    claimed = {parse_description(n.description)["id"] for n in walk(nodes)} - {""}
    used: set[str] = set()
    ids: dict[str, str] = {}

    def unique(wanted: str, fallback: str) -> str:
        if wanted and wanted not in used:
            used.add(wanted)
            return wanted
        candidate, number = fallback, 2
        while candidate in used or candidate in claimed:
            candidate = f"{fallback}-{number}"
            number += 1
        used.add(candidate)
        return candidate

    def build(node: Node, under_code: bool) -> tuple[str, dict[str, Any]]:
        facts = parse_description(node.description)
        name = node.name or "Unnamed code"
        is_theme = not node.codable and not under_code and node.guid not in coded
        node_id = unique(facts["id"], ("theme-" if is_theme else "") + slugify(name))
        ids[node.guid] = node_id
        item: dict[str, Any] = {"id": node_id, "name": name}
        if node.colour:
            item["colour"] = node.colour
        if is_theme:
            text = "\n\n".join(x for x in (facts["definition"], *(f"{k.title()}: {facts[k]}" for k in ("include", "exclude") if facts[k])) if x)
            if text:
                item["description"] = text
            themes = [build(c, False) for c in node.children]
            if any(kind == "theme" for kind, _ in themes):
                item["themes"] = [x for kind, x in themes if kind == "theme"]
            if any(kind == "code" for kind, _ in themes):
                item["codes"] = [x for kind, x in themes if kind == "code"]
            return "theme", item
        for key in ("definition", "include", "exclude"):
            if facts[key]:
                item[key] = facts[key]
        if facts["examples"]:
            item["examples"] = facts["examples"]
        for key, value in (extras or {}).get(node_id, {}).items():
            item.setdefault(key, value)
        if node.children:
            item["codes"] = [build(c, True)[1] for c in node.children]
        return "code", item

    built = [build(n, False) for n in nodes]
    data: dict[str, Any] = {k: v for k, v in meta.items() if v or k not in ("name", "version", "description")}
    data.setdefault("name", "Imported codebook")
    themes = [x for kind, x in built if kind == "theme"]
    codes = [x for kind, x in built if kind == "code"]
    if themes:
        data["themes"] = themes
    if codes:
        data["codes"] = codes
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100_000), ids


REFI_FIELDS = {"id", "name", "definition", "description", "include", "exclude", "examples", "colour", "color",
               "codes", "themes", "title", "version"}


def codebook_extras(codebook: Codebook) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Return what REFI-QDA cannot hold: top-level settings and, per code id, the code's other fields
    (patterns, unit, negation, ...) as written in its YAML file, or its patterns when the file is gone or
    no longer holds the text the codebook was read from (its ``sha256``)."""
    ids = {c.path: c.id for c in codebook.codes}
    fallback = {c.id: {"patterns": [p.value for p in c.patterns]} for c in codebook.codes if c.patterns}
    try:
        raw = Path(codebook.source).read_bytes() if codebook.source else b""
        text = raw.decode("utf-8-sig")
        same = codebook.sha256 in (hashlib.sha256(raw).hexdigest(), hashlib.sha256(text.encode()).hexdigest())
        data = yaml.safe_load(text) if same else None
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        return {}, fallback
    found: dict[str, dict[str, Any]] = {}

    def visit(node: Any, parent: tuple[str, ...], is_code: bool) -> None:
        if not isinstance(node, dict) or "name" not in node:
            return
        path = parent + (str(node["name"]).strip(),)
        if is_code and path in ids:
            extra = {k: v for k, v in node.items() if k not in REFI_FIELDS}
            if extra:
                found[ids[path]] = extra
        for child in node.get("themes") or []:
            visit(child, path, False)
        for child in node.get("codes") or []:
            visit(child, path, True)

    for node in data.get("themes") or []:
        visit(node, (), False)
    for node in data.get("codes") or []:
        visit(node, (), True)
    top = {k: v for k, v in data.items() if k not in REFI_FIELDS}
    return top, found


def codebook_to_yaml(codebook: Codebook) -> str:
    """Return a codebook as qualkit YAML (loads back with ``load_codebook`` to the same records)."""
    top, extras = codebook_extras(codebook)
    root = code_elements(codebook, CODEBOOK_NS)
    nodes = read_nodes(root, CODEBOOK_NS)
    meta = {"name": codebook.name, "version": codebook.version, "description": codebook.description, **top}
    return nodes_to_yaml(nodes, meta, set(), extras)[0]


def write_qdc(codebook: Codebook, path: str | Path | None = None, origin: str = "qualkit") -> bytes:
    """Return (and write, when ``path`` is given) a ``.qdc`` codebook validated against Codebook.xsd.

    Patterns cannot be held by a .qdc: a warning says how many codes lose theirs.
    """
    from qualkit import __version__

    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, origin=f"{origin} {__version__}")
    root.append(code_elements(codebook, CODEBOOK_NS))
    errors = schema_errors(root, CODEBOOK_NS)
    if errors:
        raise ExchangeError(f"{path or 'codebook'}: the .qdc would not follow Codebook.xsd, not written:\n{first_errors(errors)}")
    with_patterns = sum(1 for c in codebook.codes if c.patterns)
    if with_patterns:
        warnings.warn(f"{codebook.source or codebook.name}: patterns cannot live in a .qdc; "
                      f"the patterns of {with_patterns} codes are left out (keep the YAML codebook for them)",
                      stacklevel=2)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    if path is not None:
        _write_bytes(Path(path), data)
    return data


def _write_bytes(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ExchangeError(f"{path}: cannot write: {exc.strerror}") from None


def read_qdc(path: str | Path, *, lenient: bool = False) -> tuple[Codebook, str, list[str]]:
    """Read a ``.qdc`` codebook; return the codebook, its qualkit YAML and notes on what was odd."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ExchangeError(f"{path}: codebook file not found") from None
    except OSError as exc:
        raise ExchangeError(f"{path}: cannot read: {exc.strerror}") from None
    root = parse_xml(raw, str(path))
    notes = []
    old = normalise_namespace(root, CODEBOOK_NS)
    if old:
        notes.append(f"{path}: namespace {old} read as {CODEBOOK_NS}")
    if etree.QName(root).localname != "CodeBook":
        raise ExchangeError(f"{path}: not a REFI-QDA codebook (the root element is <{etree.QName(root).localname}>, expected <CodeBook>)")
    errors = schema_errors(root, CODEBOOK_NS, ignore_empty_sets=True)
    if errors and not lenient:
        raise ExchangeError(schema_refusal(str(path), errors, "codebook"))
    notes += [f"{path}: {e}" for e in errors]
    nodes = read_nodes(root.find(f"{{{CODEBOOK_NS}}}Codes"), CODEBOOK_NS)
    if not nodes:
        raise ExchangeError(f"{path}: the codebook has no codes")
    text, _ = nodes_to_yaml(nodes, {"name": path.stem}, set())
    return parse_codebook(text, source=str(path.with_suffix(".yaml"))), text, notes


def parse_xml(raw: bytes, where: str) -> etree._Element:
    """Parse XML bytes safely (no network, no entities); raise ExchangeError naming the line."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)
    try:
        return etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0  # type: ignore[attr-defined]
        message = re.sub(r", line \d+, column \d+$", "", str(exc.msg))  # type: ignore[attr-defined]
        raise ExchangeError(f"{where}, line {line}: malformed XML: {message}") from None


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text to a file atomically (used for an imported codebook's YAML)."""
    _write_bytes(path, text.encode("utf-8"))
