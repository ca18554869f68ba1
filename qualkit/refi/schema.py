"""The REFI-QDA XML schemas shipped with qualkit, namespaces, and validation with line numbers."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from lxml import etree

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMA_FILES = {PROJECT_NS: "Project-mrt2019.xsd", CODEBOOK_NS: "Codebook.xsd"}
MAX_REPORTED = 3


@lru_cache(maxsize=None)
def schema(namespace: str) -> etree.XMLSchema:
    """Return the compiled XSD for the project or codebook namespace (package data)."""
    data = resources.files("qualkit").joinpath("schemas", SCHEMA_FILES[namespace]).read_bytes()
    return etree.XMLSchema(etree.fromstring(data))


def namespace_of(root: etree._Element) -> str:
    """Return the namespace of an element (``''`` when it has none)."""
    return etree.QName(root).namespace or ""


def normalise_namespace(root: etree._Element, wanted: str) -> str | None:
    """Move every element of an older or missing QDA-XML namespace (MAXQDA's ``codebook:0:4``) into
    ``wanted``; return the namespace found when it was changed, else None."""
    found = namespace_of(root)
    if found == wanted:
        return None
    kind = wanted.split(":")[2]
    if found and not found.startswith(f"urn:QDA-XML:{kind}:"):
        return None
    for element in root.iter(etree.Element):
        qname = etree.QName(element)
        if (qname.namespace or "") == found:
            element.tag = f"{{{wanted}}}{qname.localname}"
    etree.cleanup_namespaces(root, top_nsmap={None: wanted})
    return found or "(none)"


def schema_errors(root: etree._Element, namespace: str, *, ignore_empty_sets: bool = False) -> list[str]:
    """Return the schema errors of a document as ``line N: message`` (empty when it is valid).

    ``ignore_empty_sets`` accepts an empty ``<Sets/>``, which Taguette writes and the schema rejects.
    """
    xsd = schema(namespace)
    if xsd.validate(root.getroottree()):
        return []
    errors = []
    for error in xsd.error_log:  # type: ignore[attr-defined]
        if ignore_empty_sets and "}Sets'" in error.message and "Missing child element" in error.message:
            continue
        errors.append(f"line {error.line}: {error.message}")
    return errors


def first_errors(errors: list[str]) -> str:
    """Return the first few schema errors, indented, and how many more there are."""
    shown = "\n".join(f"  {e}" for e in errors[:MAX_REPORTED])
    more = len(errors) - MAX_REPORTED
    return shown + (f"\n  ... and {more} more" if more > 0 else "")


def schema_refusal(where: str, errors: list[str], kind: str) -> str:
    """Return one line refusing a document that fails the schema: the file, the first problem's line, the
    problem (the schema's element names without their namespace), how many more, and ``--lenient``."""
    line, _, problem = errors[0].partition(": ")
    problem = problem.replace(f"{{{PROJECT_NS}}}", "").replace(f"{{{CODEBOOK_NS}}}", "").rstrip(".")
    more = f"; and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''}" if len(errors) > 1 else ""
    return (f"{where}, {line}: does not follow the REFI-QDA {kind} schema: {problem}{more} "
            "(use --lenient to import what is sound)")


def nested_namespaces(root: etree._Element, wanted: str, *, move: bool) -> list[tuple[str, str]]:
    """Return ``(namespace, element name)`` for each part of a document held in another QDA-XML namespace
    (a MAXQDA-derived project's ``<CodeBook>`` in ``urn:QDA-XML:codebook:0:4``); with ``move``, move
    those parts into ``wanted``."""
    found: dict[str, str] = {}
    for element in root.iter(etree.Element):
        namespace = etree.QName(element).namespace or ""
        if namespace != wanted and namespace.startswith("urn:QDA-XML:"):
            parent = element.getparent()
            if parent is None or (etree.QName(parent).namespace or "") != namespace:
                found.setdefault(namespace, f"<{etree.QName(element).localname}>")
            if move:
                element.tag = f"{{{wanted}}}{etree.QName(element).localname}"
    if move and found:
        etree.cleanup_namespaces(root, top_nsmap={None: wanted})
    return list(found.items())
