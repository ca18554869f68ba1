"""Reading a REFI-QDA project (``.qdpx`` or a bare ``.qde``) into qualkit's records.

Sources become transcripts (their text parsed for ``Speaker:`` turns), the code tree a codebook,
codings human coded segments (coder = the user's name), cases and variables attributes.
"""

from __future__ import annotations

import json
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from qualkit.codebook import PATH_SEPARATOR, Codebook, parse_codebook
from qualkit.errors import ExchangeError, TranscriptError
from qualkit.refi.archive import Archive, decode_source, read_file
from qualkit.refi.codebook import Node, nodes_to_yaml, parse_description, parse_xml, read_nodes, walk
from qualkit.refi.dropped import counted, not_carried_over
from qualkit.refi.export import AUTO_USER, TRAIL_MARK
from qualkit.refi.guids import ForeignIds, coding_key, normal_guid
from qualkit.refi.notes import lost_coding_memos, read_notes
from qualkit.refi.positions import UTF16, Convention, SourceText, detect
from qualkit.refi.schema import (
    PROJECT_NS, first_errors, nested_namespaces, normalise_namespace, schema_errors, schema_refusal,
)
from qualkit.refi.transcripts import (
    DOCUMENT, INTERVIEW, NO_TURNS_SPEAKER, as_document, front_matter, label_evidence, transcript_file,
)
from qualkit.segments import CodedSegment
from qualkit.transcript import Transcript

NS = f"{{{PROJECT_NS}}}"
DOCUMENT_SUFFIXES = (".txt", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".md", ".html", ".htm")


@dataclass(frozen=True)
class ImportedProject:
    """What a REFI-QDA project holds, as qualkit records, with notes on what was skipped or odd."""

    name: str
    origin: str
    transcripts: tuple[Transcript, ...]
    files: dict[str, str]
    """Transcript id -> the ``.txt`` file (front matter with the id, then the text) it is written as."""
    codebook: Codebook | None
    codebook_yaml: str
    segments: tuple[CodedSegment, ...]
    attributes: dict[str, dict[str, str]]
    conventions: dict[str, str] = field(default_factory=dict)
    """Transcript id -> the position convention its selections were read with."""
    notes: tuple[str, ...] = ()
    trail: dict[str, Any] = field(default_factory=dict)
    ids: ForeignIds = field(default_factory=ForeignIds)
    """The GUIDs of codes, sources, users, cases, variables and codings, and each coding's date."""


def read_project(path: str | Path, *, lenient: bool = False) -> ImportedProject:
    """Read a ``.qdpx`` (or a ``.qde`` with its ``sources/`` folder beside it).

    Raises ExchangeError on bad input: not a zip, no project.qde, XML that fails the schema (unless
    ``lenient``), a coding of a missing code, a source whose text is missing, positions outside the
    text. With ``lenient``, what is sound is imported and the rest listed in ``notes``.
    """
    reader = Archive(Path(path), lenient)
    root = parse_xml(reader.open(), reader.where())
    old = normalise_namespace(root, PROJECT_NS)
    if old:
        reader.notes.append(f"{reader.path}: namespace {old} read as {PROJECT_NS}")
    inner = nested_namespaces(root, PROJECT_NS, move=lenient)
    if inner and not lenient:
        raise ExchangeError(f"{reader.where()}: parts of the project (its {inner[0][1]}) are in the namespace "
                            f"{inner[0][0]}, an older one (MAXQDA), not {PROJECT_NS} (use --lenient to read them as {PROJECT_NS})")
    for namespace, what in inner:
        reader.notes.append(f"{reader.path}: the project's {what} is in the older namespace {namespace}; "
                            f"read as {PROJECT_NS} (--lenient)")
    if etree.QName(root).localname != "Project":
        raise ExchangeError(f"{reader.where()}: not a REFI-QDA project (root element <{etree.QName(root).localname}>)")
    errors = schema_errors(root, PROJECT_NS, ignore_empty_sets=True)
    if errors:
        if not lenient:
            raise ExchangeError(schema_refusal(reader.where(), errors, "project"))
        reader.notes.append(f"{reader.where()}: does not follow the schema ({len(errors)} errors); "
                            f"imported what is sound:\n{first_errors(errors)}")
    return _Project(reader, root).read()


class _Project:
    """Turns the parsed ``<Project>`` into records."""

    def __init__(self, reader: Archive, root: etree._Element) -> None:
        self.reader, self.root = reader, root
        self.origin = root.get("origin") or ""
        self.ours = self.origin.startswith("qualkit")
        self.users = {normal_guid(u.get("guid")): (u.get("name") or u.get("id") or normal_guid(u.get("guid")))
                      for u in root.iter(NS + "User")}
        self.trail = self._trail()
        self.variables = {normal_guid(v.get("guid")): (v.get("name") or "").strip() for v in root.iter(NS + "Variable")}
        self.ids = ForeignIds(origin=self.origin)
        self.ids.users = {name if name != AUTO_USER else "auto": guid for guid, name in self.users.items()}
        self.ids.variables = {name: guid for guid, name in self.variables.items() if name}
        self.empty: list[tuple[str, int]] = []

    def read(self) -> ImportedProject:
        nodes = read_nodes(self.root.find(f"{NS}CodeBook/{NS}Codes"), PROJECT_NS)
        sources = self.root.find(NS + "Sources")
        text_sources = [] if sources is None else sources.findall(NS + "TextSource")
        coded = {normal_guid(ref.get("targetGUID")) for s in text_sources for ref in s.iter(NS + "CodeRef")}
        codebook, yaml_text, ids = self._codebook(nodes, coded)
        self.ids.codes = {node_id: guid for guid, node_id in ids.items()}
        attributes_by_source, cases = self._cases()
        transcripts, files, segments, conventions = [], {}, [], {}
        taken: set[str] = set()
        for source in text_sources:
            found = self._source(source, ids, codebook, attributes_by_source, taken)
            if found is None:
                continue
            transcript, file_text, source_segments, convention = found
            transcripts.append(transcript)
            files[transcript.id] = file_text
            segments.extend(source_segments)
            conventions[transcript.id] = convention
            guid = normal_guid(source.get("guid"))
            self.ids.sources[transcript.id] = guid
            if guid in cases:
                self.ids.cases[transcript.id] = cases[guid]
        if self.empty:
            names = ", ".join(repr(n) for n, _ in self.empty[:5]) + (" ..." if len(self.empty) > 5 else "")
            lost = sum(n for _, n in self.empty)
            self.reader.notes.append(f"{self.reader.path}: {len(self.empty)} text sources are empty, skipped: {names}"
                                     + (f" (with {lost} coding{'s' if lost != 1 else ''} on them)" if lost else ""))
        if not transcripts:
            what = (f"none of the project's {len(text_sources)} text sources was imported" if text_sources
                    else "the project has no text sources")
            self.reader.notes.append(f"{self.reader.path}: {what}: the study folder gets no transcripts, which "
                                     "`qualkit run` and `qualkit export qdpx` need")
        self.ids.notes, textless, unplaced = read_notes(self.root, self.reader.member, self.ids, self.users)
        lost = [(textless, "note (memo)", "whose text file is not in the project"),
                (unplaced, "note reference", "from objects not imported; the notes are kept"),
                (lost_coding_memos(self.root, self.ids), "coding memo", "on passages not imported")]
        self.reader.notes.extend(f"{self.reader.path}: not carried over: {counted(n, kind)} {why}" for n, kind, why in lost if n)
        self.reader.notes.extend(f"{self.reader.path}: {line}" for line in not_carried_over(self.root, self.ours))
        attributes = {t.id: dict(t.attributes) for t in transcripts}
        return ImportedProject(
            name=self.root.get("name") or self.reader.path.stem, origin=self.origin, transcripts=tuple(transcripts),
            files=files, codebook=codebook, codebook_yaml=yaml_text, segments=tuple(segments), attributes=attributes,
            conventions=conventions, notes=tuple(self.reader.notes), trail=self.trail, ids=self.ids,
        )

    def _codebook(self, nodes: list[Node], coded: set[str]) -> tuple[Codebook | None, str, dict[str, str]]:
        if not nodes:
            self.reader.notes.append(f"{self.reader.path}: the project has no codebook")
            return None, "", {}
        renamed = self.trail.get("renamed") if self.ours and isinstance(self.trail.get("renamed"), dict) else {}
        for node in walk(nodes) if renamed else ():
            node.name = str(renamed.get(parse_description(node.description)["id"], node.name))
        meta = dict(self.trail.get("codebook") or {})
        top = self.trail.get("settings_top") if isinstance(self.trail.get("settings_top"), dict) else {}
        meta = {"name": meta.get("name") or self.root.get("name") or "Imported codebook",
                "version": meta.get("version", ""), "description": meta.get("description", ""), **top}
        extras = self.trail.get("code_fields") if isinstance(self.trail.get("code_fields"), dict) else None
        text, ids = nodes_to_yaml(nodes, meta, coded, extras)
        return parse_codebook(text, source="codebook.yaml"), text, ids

    def _cases(self) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
        """Return the attributes per source GUID (from the cases naming it) and each source's case GUID."""
        variables = self.variables
        names = [n for n in variables.values() if n]
        by_source: dict[str, dict[str, str]] = {}
        case_of: dict[str, str] = {}
        for case in self.root.iter(NS + "Case"):
            values = {n: "" for n in names}
            values.update(self._values(case, variables))
            if self.ours and case.find(NS + "SourceRef") is None and case.get("name"):
                self.ids.cases[case.get("name") or ""] = normal_guid(case.get("guid"))  # a focus group's participant
            for ref in case.findall(NS + "SourceRef"):
                source = normal_guid(ref.get("targetGUID"))
                by_source.setdefault(source, {}).update(values)
                case_of.setdefault(source, normal_guid(case.get("guid")))
                if not self.ours and case.get("name"):
                    by_source[source]["case"] = case.get("name") or ""
        return by_source, case_of

    def _trail(self) -> dict[str, Any]:
        text = self.root.findtext(NS + "Description") or ""
        for line in text.splitlines():
            if line.startswith(TRAIL_MARK):
                try:
                    value = json.loads(line[len(TRAIL_MARK):])
                except json.JSONDecodeError:
                    return {}
                return value if isinstance(value, dict) else {}
        return {}

    def _values(self, holder: etree._Element, variables: dict[str, str]) -> dict[str, str]:
        values = {}
        for value in holder.findall(NS + "VariableValue"):
            ref = value.find(NS + "VariableRef")
            name = variables.get(normal_guid(ref.get("targetGUID") if ref is not None else ""), "")
            typed = [c for c in value if c is not ref and isinstance(c.tag, str)]
            if name and typed:
                values[name] = (typed[0].text or "").strip()
        return values

    def _text(self, source: etree._Element) -> tuple[str, str] | None:
        inline = source.find(NS + "PlainTextContent")
        if inline is not None:
            return inline.text or "", ""
        where = source.get("plainTextPath") or ""
        name = where
        for prefix in ("internal://", "relative://", "absolute://", "file://"):
            if where.startswith(prefix):
                name = where[len(prefix):].lstrip("/")
        data = self.reader.member(name) if name else None
        if data is None and where.startswith("relative://"):
            base = Path(self.root.get("basePath") or self.reader.path.parent)
            data = read_file(base / name)
        if data is None:
            self.reader.fail(source.sourceline or 0, f"text source {source.get('name')!r} points at "
                             f"{where or '(no plainTextPath)'}, which is not in the project")
            return None
        return decode_source(data)

    def _transcript_id(self, name: str, guid: str, taken: set[str]) -> str:
        base = name if self.ours else unicodedata.normalize("NFC", " ".join(name.split()))
        if not self.ours:
            suffix = PurePosixPath(base).suffix.lower()
            if suffix in DOCUMENT_SUFFIXES and len(base) > len(suffix):
                base = base[: -len(suffix)]
        base = base or guid
        candidate, number = base, 2
        while candidate in taken:
            candidate = f"{base} ({number})"
            number += 1
        taken.add(candidate)
        return candidate

    def _source(self, source: etree._Element, ids: dict[str, str], codebook: Codebook | None,
                attributes: dict[str, dict[str, str]], taken: set[str]) -> tuple[Transcript, str, list[CodedSegment], str] | None:
        guid = normal_guid(source.get("guid"))
        name = source.get("name") or guid
        found = self._text(source)
        if found is None:
            return None
        raw, note = found
        if note:
            self.reader.notes.append(f"{self.reader.path}: source {name!r}: {note}")
        if not raw.strip():
            self.empty.append((name, len(source.findall(f"{NS}PlainTextSelection/{NS}Coding"))))
            return None
        text = SourceText(raw)
        selections = []
        for selection in source.findall(NS + "PlainTextSelection"):
            try:
                selections.append((selection, int(selection.get("startPosition") or ""), int(selection.get("endPosition") or "")))
            except ValueError:
                self.reader.fail(selection.sourceline or 0, f"selection {selection.get('guid')} has no whole-number positions")
        if self.ours:  # qualkit writes the standard's convention (Unicode characters) unless asked for NVivo's
            convention = Convention(UTF16) if self.trail.get("positions") == "utf16" else Convention()
        else:
            convention, _ = detect(text, [(a, b) for _, a, b in selections], self.origin)
        transcript_id = self._transcript_id(name, guid, taken)
        attrs = {**attributes.get(guid, {}), **self._values(source, self.variables)}
        try:
            file_text, transcript, shift, said = transcript_file(transcript_id, text.text, attrs)
        except TranscriptError as exc:
            self.reader.fail(source.sourceline or 0, f"text source {name!r}: {exc}")
            return None
        verdict, why = (INTERVIEW, "") if shift or self.ours else label_evidence(transcript)
        if shift:
            self.reader.notes.append(f"{self.reader.path}: source {name!r} has no 'Speaker:' turns; stored as one "
                                     f"turn of '{NO_TURNS_SPEAKER}' (text prefixed with '{NO_TURNS_SPEAKER}: ', offsets shifted)")
        elif verdict != DOCUMENT and why:
            speakers = transcript.speakers()
            self.reader.notes.append(f"{self.reader.path}: source {name!r} read as an interview with speakers "
                                     f"{', '.join(map(repr, speakers[:6]))}{', ...' if len(speakers) > 6 else ''} ({why})")
        elif verdict == DOCUMENT:
            transcript = as_document(transcript)
            file_text = front_matter(transcript_id, document=True) + text.text
            self.reader.notes.append(
                f"{self.reader.path}: source {name!r} is not an interview ({why}); imported as one unlabelled "
                f"document (a single '{NO_TURNS_SPEAKER}' turn), so its codings stay inside the text")
            said = []  # what the reader said about its labels no longer applies
        self.reader.notes.extend(f"{self.reader.path}: source {name!r}: {line}" for line in said)
        segments = [s for selection, start, end in selections
                    for s in self._codings(selection, name, text.span(start, end, convention), (start, end),
                                           shift, transcript, ids, codebook)]
        label = (convention.label() if "\r\n" in raw else convention.unit) if selections else "no selections"
        return transcript, file_text, segments, label

    def _codings(self, selection: etree._Element, name: str, span: tuple[int, int, int], written: tuple[int, int],
                 shift: int, transcript: Transcript, ids: dict[str, str], codebook: Codebook | None) -> list[CodedSegment]:
        """Return the codings of one selection as segments, recording their GUIDs and dates."""
        a, b, bad = span
        if bad >= 20 or not 0 <= a <= b <= len(transcript.text) - shift:
            self.reader.fail(selection.sourceline or 0, f"selection {selection.get('guid')} in source {name!r} runs "
                             f"{written[0]}-{written[1]}, outside the text ({len(transcript.text) - shift} characters)")
            return []
        a, b = a + shift, b + shift
        starts = [t.start for t in transcript.turns]
        index = bisect_right(starts, a) - 1
        turn = transcript.turns[index] if index >= 0 else None
        segments = []
        for coding in selection.findall(NS + "Coding"):
            ref = coding.find(NS + "CodeRef")
            target = normal_guid(ref.get("targetGUID") if ref is not None else "")
            if target not in ids or codebook is None:
                self.reader.fail(coding.sourceline or 0, f"coding {coding.get('guid')} refers to code {target}, "
                                 "which is not in the codebook")
                continue
            code = codebook.code(ids[target])
            user = self.users.get(normal_guid(coding.get("creatingUser")), "") or \
                self.users.get(normal_guid(selection.get("creatingUser")), "") or "unknown"
            coder = "auto" if user == AUTO_USER else user
            segments.append(CodedSegment(
                transcript=transcript.id, speaker=turn.speaker if turn else "", role=turn.role if turn else "",
                turn=turn.index if turn else -1, code_id=code.id, code_path=PATH_SEPARATOR.join(code.path),
                start=a, end=b, text=transcript.text[a:b], coder=coder, unit="selection",
            ))
            kept = {"guid": normal_guid(coding.get("guid")), "selection": normal_guid(selection.get("guid")),
                    "created": coding.get("creationDateTime") or selection.get("creationDateTime") or "",
                    "memo": (selection.findtext(NS + "Description") or "").strip()}
            self.ids.codings[coding_key(transcript.id, a, b, code.id, coder)] = {k: v for k, v in kept.items() if v}
        return segments


