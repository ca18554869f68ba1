"""Memos through a round trip: a project's notes (``<Notes>``, with what each is attached to by ``NoteRef``)
and coding memos (a selection's ``<Description>``) are kept with the imported study's GUIDs and written
again on export, attached to the same project, codes, sources and codings where those are still there."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from lxml import etree

from qualkit.refi.archive import decode_source
from qualkit.refi.codebook import xml_text
from qualkit.refi.guids import ForeignIds, normal_guid, stable_guid
from qualkit.refi.schema import PROJECT_NS

NS = f"{{{PROJECT_NS}}}"
PREFIXES = ("internal://", "relative://", "absolute://", "file://")


def read_notes(root: etree._Element, member: Callable[[str], bytes | None], ids: ForeignIds,
               users: Mapping[str, str]) -> tuple[list[dict[str, Any]], int, int]:
    """Return the project's notes as plain data (guid, name, text, description, user, created, ``on``: what each is
    attached to, as ``[kind, key]`` with kind project, code, source or coding), how many notes have no text
    to keep (a file missing from the project) and how many ``NoteRef`` point from objects not imported (a
    picture, a skipped source). ``ids`` are the import's GUIDs, codings included."""
    codes = {guid: node for node, guid in ids.codes.items()}
    sources = {guid: tid for tid, guid in ids.sources.items()}
    by_selection: dict[str, list[str]] = {}
    by_coding: dict[str, list[str]] = {}
    for key, kept in ids.codings.items():
        by_selection.setdefault(kept.get("selection", ""), []).append(key)
        by_coding.setdefault(kept.get("guid", ""), []).append(key)
    attached: dict[str, list[list[str]]] = {}
    placed = 0

    def attach(holder: etree._Element, kind: str, keys: list[str]) -> None:
        nonlocal placed
        for ref in holder.findall(NS + "NoteRef"):
            placed += bool(keys)
            for key in keys:
                attached.setdefault(normal_guid(ref.get("targetGUID")), []).append([kind, key])

    attach(root, "project", [""])
    for code in root.iterfind(f"{NS}CodeBook//{NS}Code"):
        attach(code, "code", [codes[g]] if (g := normal_guid(code.get("guid"))) in codes else [])
    for source in root.iterfind(f"{NS}Sources/{NS}TextSource"):
        attach(source, "source", [sources[g]] if (g := normal_guid(source.get("guid"))) in sources else [])
        for selection in source.iterfind(NS + "PlainTextSelection"):
            attach(selection, "coding", by_selection.get(normal_guid(selection.get("guid")), []))
            for coding in selection.iterfind(NS + "Coding"):
                attach(coding, "coding", by_coding.get(normal_guid(coding.get("guid")), []))
    notes, textless = [], 0
    for note in root.iterfind(f"{NS}Notes/{NS}Note"):
        text = _note_text(note, member)
        if text is None:
            textless += 1
            continue
        guid = normal_guid(note.get("guid")) or stable_guid("note", note.get("name") or "", text)  # --lenient: none given
        found = {"guid": guid, "name": note.get("name") or "", "text": text, "description": note.findtext(NS + "Description") or "",
                 "user": users.get(normal_guid(note.get("creatingUser")), ""), "created": note.get("creationDateTime") or "",
                 "on": attached.get(guid, [])}
        notes.append({k: v for k, v in found.items() if v or k in ("text", "on")})
    unplaced = sum(1 for ref in root.iter(NS + "NoteRef") if etree.QName(ref.getparent()).localname != "Case") - placed
    return notes, textless, unplaced


def _note_text(note: etree._Element, member: Callable[[str], bytes | None]) -> str | None:
    inline = note.find(NS + "PlainTextContent")
    if inline is not None:
        return inline.text or ""
    where = note.get("plainTextPath") or ""
    name = next((where[len(p):].lstrip("/") for p in PREFIXES if where.startswith(p)), where)
    data = member(name) if name else None
    return None if data is None else decode_source(data)[0]


def add_notes(root: etree._Element, ids: ForeignIds, user_guids: Mapping[str, str], when: str) -> None:
    """Write the kept notes as ``<Notes>`` (after ``<Sources>``) and their ``NoteRef`` on the project, codes,
    sources and codings exported here (found by their GUIDs, kept from the import); add each kept coding memo
    as its selection's ``<Description>``."""
    by_guid = {e.get("guid"): e for e in root.iter(etree.Element) if e.get("guid")}
    selections = {}
    for key, kept in ids.codings.items():
        element = by_guid.get(kept.get("guid", ""))
        if element is not None:
            selections[key] = element.getparent()
            if kept.get("memo"):
                etree.SubElement(selections[key], NS + "Description").text = xml_text(kept["memo"], "coding memo")
                selections[key].insert(0, selections[key][-1])
    if not ids.notes:
        return
    holder = etree.Element(NS + "Notes")
    place = root.find(NS + "Sources")
    if place is None:
        place = next((root.find(NS + n) for n in ("Cases", "Variables", "CodeBook", "Users") if root.find(NS + n) is not None), None)
    if place is None:
        root.insert(0, holder)
    else:
        place.addnext(holder)
    for note in ids.notes:
        element = etree.SubElement(holder, NS + "Note", guid=note["guid"], name=xml_text(note.get("name", ""), "note name"),
                                   creationDateTime=note.get("created") or when)
        if note.get("user") in user_guids:
            element.set("creatingUser", user_guids[note["user"]])
        if note.get("description"):
            etree.SubElement(element, NS + "Description").text = xml_text(note["description"], f"note {note.get('name')!r}")
        etree.SubElement(element, NS + "PlainTextContent").text = xml_text(note.get("text", ""), f"note {note.get('name')!r}")
        for kind, key in note.get("on", []):
            target = _target(root, kind, key, ids, by_guid, selections)
            if target is not None:
                _add_ref(target, kind, note["guid"])


def _target(root: etree._Element, kind: str, key: str, ids: ForeignIds, by_guid: Mapping[str, etree._Element],
            selections: Mapping[str, etree._Element]) -> etree._Element | None:
    if kind == "project":
        return root
    if kind == "code":
        return by_guid.get(ids.codes.get(key, ""))
    if kind == "source":
        return by_guid.get(ids.sources.get(key, ""))
    return selections.get(key) if kind == "coding" else None


def _add_ref(target: etree._Element, kind: str, guid: str) -> None:
    """Add a ``NoteRef`` where the schema wants it: a code's after its description, a source's before its
    variable values, a selection's and the project's last."""
    ref = etree.Element(NS + "NoteRef", targetGUID=guid)
    if kind == "code":
        description = target.find(NS + "Description")
        refs = target.findall(NS + "NoteRef")
        anchor = refs[-1] if refs else description
        if anchor is not None:
            anchor.addnext(ref)
        else:
            target.insert(0, ref)
    elif kind == "source":
        value = target.find(NS + "VariableValue")
        if value is not None:
            value.addprevious(ref)
        else:
            target.append(ref)
    else:
        target.append(ref)


def lost_coding_memos(root: etree._Element, ids: ForeignIds) -> int:
    """Return how many selections hold a memo (``<Description>``) that no imported coding keeps (their
    source or codes were not imported, or the selection has no coding)."""
    kept = {c.get("selection") for c in ids.codings.values() if c.get("memo")}
    return sum(1 for s in root.iterfind(f"{NS}Sources/{NS}TextSource/{NS}PlainTextSelection")
               if (s.findtext(NS + "Description") or "").strip() and normal_guid(s.get("guid")) not in kept)
