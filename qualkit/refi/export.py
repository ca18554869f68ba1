"""Writing a study as a REFI-QDA project (``.qdpx``): sources, codebook, codings, cases, users."""

from __future__ import annotations

import datetime as _dt
import io
import json
import re
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from lxml import etree

from qualkit.codebook import Codebook
from qualkit.errors import ExchangeError
from qualkit.refi.codebook import _write_bytes, code_elements, code_guid, codebook_extras, xml_text
from qualkit.refi.guids import stable_guid
from qualkit.refi.schema import PROJECT_NS, first_errors, schema_errors
from qualkit.segments import CodedSegment
from qualkit.transcript import Transcript

NS = f"{{{PROJECT_NS}}}"
AUTO_USER = "qualkit (auto)"
TRAIL_MARK = "qualkit-trail: "
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def user_name(coder: str) -> str:
    """Return the REFI-QDA user name of a coder (qualkit's own coding is ``qualkit (auto)``)."""
    return AUTO_USER if coder == "auto" else coder


def variable_type(values: Iterable[str]) -> str:
    """Return the REFI-QDA type of an attribute from its non-empty values: Integer, Float, Date, Boolean or Text."""
    values = [v for v in values if v != ""]
    if not values:
        return "Text"
    if all(_INTEGER.fullmatch(v) for v in values):
        return "Integer"
    if all(_DECIMAL.fullmatch(v) for v in values):
        return "Float"
    if all(v in ("true", "false") for v in values):
        return "Boolean"
    if all(_is_date(v) for v in values):
        return "Date"
    return "Text"


def _is_date(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        _dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True



def description(methods: Mapping[str, Any], codebook: Codebook, coders: Sequence[str]) -> str:
    """Return the project description: the methods trail in words, then as one JSON line qualkit reads back."""
    settings = methods.get("settings", {})
    lines = [
        f"Exported by qualkit {methods.get('qualkit_version', '')}.",
        f"Codebook: {codebook.name} (version {codebook.version or '-'}), file {codebook.source or '-'}, "
        f"sha256 {codebook.sha256 or '-'}.",
        "Codings by: " + (", ".join(user_name(c) for c in coders) or "nobody") + ".",
    ]
    if settings:
        lines.append("Settings: " + ", ".join(f"{k}={v}" for k, v in settings.items()) + ".")
    top, extras = codebook_extras(codebook)
    trail = {
        **methods,
        "codebook": {"name": codebook.name, "version": codebook.version, "description": codebook.description,
                     "source": codebook.source, "sha256": codebook.sha256},
        "settings_top": top,
        "code_fields": extras,
    }
    lines.append("")
    lines.append(TRAIL_MARK + json.dumps(trail, ensure_ascii=False, sort_keys=True, default=str))
    return "\n".join(lines)


def build_project(
    transcripts: Sequence[Transcript], codebook: Codebook, segments: Iterable[CodedSegment],
    methods: Mapping[str, Any] | None = None, name: str | None = None,
) -> tuple[etree._Element, dict[str, bytes]]:
    """Return the ``<Project>`` element and the source files (``sources/<guid>.txt``) of a study."""
    from qualkit import __version__

    methods = {"qualkit_version": __version__, **(methods or {})}
    by_id = {t.id: t for t in transcripts}
    codes = {c.id for c in codebook.codes}
    grouped: dict[str, dict[tuple[int, int], list[CodedSegment]]] = defaultdict(lambda: defaultdict(list))
    coders: dict[str, None] = {}
    for s in segments:
        transcript = by_id.get(s.transcript)
        if transcript is None:
            raise ExchangeError(f"coding of {s.code_path!r} at {s.start}-{s.end}: transcript {s.transcript!r} is not in the study")
        if s.code_id not in codes:
            raise ExchangeError(f"{s.transcript}, {s.start}-{s.end}: code id {s.code_id!r} is not in the codebook")
        if not 0 <= s.start <= s.end <= len(transcript.text) or transcript.text[s.start:s.end] != s.text:
            raise ExchangeError(f"{s.transcript}, {s.start}-{s.end}: the coding's text is not the transcript's text there")
        grouped[s.transcript][(s.start, s.end)].append(s)
        coders.setdefault(s.coder)

    coders = dict.fromkeys(sorted(coders, key=lambda c: (c != "auto", c)))
    root = etree.Element(NS + "Project", nsmap={None: PROJECT_NS},
                         name=xml_text(name or codebook.name or "qualkit project", "project name"),
                         origin=f"qualkit {__version__}")
    users = etree.SubElement(root, NS + "Users")
    user_guid = {c: stable_guid("user", c) for c in coders}
    for coder in coders:
        etree.SubElement(users, NS + "User", guid=user_guid[coder], name=xml_text(user_name(coder), "coder"))
    if not coders:
        root.remove(users)
    codebook_element = etree.SubElement(root, NS + "CodeBook")
    codebook_element.append(code_elements(codebook, PROJECT_NS))
    _variables_and_cases(root, transcripts)
    files: dict[str, bytes] = {}
    sources = etree.SubElement(root, NS + "Sources")
    for transcript in transcripts:
        guid = stable_guid("source", transcript.id)
        files[f"sources/{guid}.txt"] = transcript.text.encode("utf-8")
        source = etree.SubElement(sources, NS + "TextSource", guid=guid, name=xml_text(transcript.id, "transcript id"),
                                  plainTextPath=f"internal://{guid}.txt")
        seen: dict[str, int] = defaultdict(int)
        for (start, end), codings in sorted(grouped[transcript.id].items()):
            selection = etree.SubElement(source, NS + "PlainTextSelection",
                                         guid=stable_guid("selection", transcript.id, start, end),
                                         startPosition=str(start), endPosition=str(end))
            for s in sorted(codings, key=lambda s: (s.coder != "auto", s.coder, s.code_id)):
                key = stable_guid("coding", transcript.id, start, end, s.code_id, s.coder)
                seen[key] += 1
                guid_coding = key if seen[key] == 1 else stable_guid("coding", key, seen[key])
                coding = etree.SubElement(selection, NS + "Coding", guid=guid_coding, creatingUser=user_guid[s.coder])
                etree.SubElement(coding, NS + "CodeRef", targetGUID=code_guid(s.code_id))
    if not len(sources):
        root.remove(sources)
    etree.SubElement(root, NS + "Description").text = xml_text(description(methods, codebook, list(coders)), "methods")
    errors = schema_errors(root, PROJECT_NS)
    if errors:
        raise ExchangeError(f"the project would not follow the REFI-QDA schema, not written:\n{first_errors(errors)}")
    return root, files


def _variables_and_cases(root: etree._Element, transcripts: Sequence[Transcript]) -> None:
    names = list(dict.fromkeys(k for t in transcripts for k in t.attributes))
    types = {n: variable_type(str(t.attributes.get(n, "")) for t in transcripts) for n in names}
    if names:
        variables = etree.SubElement(root, NS + "Variables")
        for n in names:
            etree.SubElement(variables, NS + "Variable", guid=stable_guid("variable", n), name=xml_text(n, "attribute name"),
                             typeOfVariable=types[n])
    if not transcripts:
        return
    cases = etree.SubElement(root, NS + "Cases")
    for t in transcripts:
        case = etree.SubElement(cases, NS + "Case", guid=stable_guid("case", t.id), name=t.id)
        for n in names:
            value = str(t.attributes.get(n, ""))
            if n not in t.attributes or (value == "" and types[n] != "Text"):
                continue
            holder = etree.SubElement(case, NS + "VariableValue")
            etree.SubElement(holder, NS + "VariableRef", targetGUID=stable_guid("variable", n))
            etree.SubElement(holder, NS + types[n] + "Value").text = xml_text(value, f"{t.id}, attribute {n!r}")
        etree.SubElement(case, NS + "SourceRef", targetGUID=stable_guid("source", t.id))


def project_bytes(root: etree._Element, files: Mapping[str, bytes]) -> bytes:
    """Return the ``.qdpx`` zip: ``project.qde`` then the sources, with fixed dates so runs are identical."""
    buffer = io.BytesIO()
    stamp = (2000, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        archive.writestr(zipfile.ZipInfo("project.qde", stamp), xml, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, stamp), data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def export_project(
    out: str | Path, transcripts: Sequence[Transcript], codebook: Codebook, segments: Iterable[CodedSegment],
    methods: Mapping[str, Any] | None = None, name: str | None = None,
) -> Path:
    """Validate and write a study as a ``.qdpx``; nothing is written when the project is invalid."""
    root, files = build_project(transcripts, codebook, segments, methods, name)
    path = Path(out)
    _write_bytes(path, project_bytes(root, files))
    return path
