"""Reading a REFI-QDA project (``.qdpx`` or a bare ``.qde``) into qualkit's records.

Sources become transcripts (their text parsed for ``Speaker:`` turns), the code tree a codebook,
codings human coded segments (coder = the user's name), cases and variables attributes.
"""

from __future__ import annotations

import codecs
import json
import unicodedata
import zipfile
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from lxml import etree

from qualkit.codebook import PATH_SEPARATOR, Codebook, parse_codebook
from qualkit.errors import ExchangeError, TranscriptError
from qualkit.refi.codebook import Node, nodes_to_yaml, parse_xml, read_nodes
from qualkit.refi.export import AUTO_USER, TRAIL_MARK
from qualkit.refi.guids import normal_guid
from qualkit.refi.positions import Convention, SourceText, detect
from qualkit.refi.schema import PROJECT_NS, first_errors, normalise_namespace, schema_errors
from qualkit.refi.transcripts import transcript_file
from qualkit.segments import CodedSegment
from qualkit.transcript import Transcript

NS = f"{{{PROJECT_NS}}}"
OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
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


class _Reader:
    """One import: the archive, the parsed project and what was found so far."""

    def __init__(self, path: Path, lenient: bool) -> None:
        self.path, self.lenient = path, lenient
        self.notes: list[str] = []
        self.skipped: dict[str, int] = {}
        self.qde = "project.qde"
        self.member: Callable[[str], bytes | None] = lambda name: None

    def fail(self, line: int, problem: str) -> None:
        """Raise on a problem, or note it and go on when the user asked for a lenient import."""
        place = self.where() + (f", line {line}" if line else "")
        if not self.lenient:
            raise ExchangeError(f"{place}: {problem} (use --lenient to import the rest)")
        self.notes.append(f"{place}: {problem}; skipped")

    def where(self) -> str:
        """Return ``FILE: project.qde`` for a .qdpx, ``FILE`` for a bare .qde."""
        return f"{self.path}" if self.qde == self.path.name else f"{self.path}: {self.qde}"

    def open(self) -> bytes:
        """Return the project XML; set up reading the sources beside it."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raise ExchangeError(f"{self.path}: project file not found") from None
        except OSError as exc:
            raise ExchangeError(f"{self.path}: cannot read: {exc.strerror}") from None
        if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            self.qde = self.path.name
            folder = self.path.parent / "sources"
            self.member = lambda name: _read_file(folder / name)
            return raw
        if not zipfile.is_zipfile(self.path):
            raise ExchangeError(f"{self.path}: not a REFI-QDA project: a .qdpx is a zip archive and this file is not one")
        archive = zipfile.ZipFile(self.path)
        names = [n for n in archive.namelist() if not n.endswith("/")]
        qdes = [n for n in names if n.lower().endswith(".qde")]
        if not qdes:
            listing = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "") or "nothing"
            raise ExchangeError(f"{self.path}: no project.qde in the archive (it holds: {listing})")
        chosen = next((n for n in qdes if n.lower() == "project.qde"), None)
        if chosen is None:
            top = [n for n in qdes if "/" not in n] or qdes
            if len(top) > 1:
                raise ExchangeError(f"{self.path}: no project.qde and several .qde files: {', '.join(top)}")
            chosen = top[0]
            self.notes.append(f"{self.path}: the project file is {chosen!r}, not 'project.qde'")
        self.qde = chosen
        index = {_key(n): n for n in names}

        def member(name: str) -> bytes | None:
            found = index.get(_key("sources/" + name)) or index.get(_key(name))
            return archive.read(found) if found else None

        self.member = member
        return archive.read(chosen)


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def _read_file(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def decode_source(raw: bytes) -> tuple[str, str]:
    """Decode a source file: UTF-8 or UTF-16 by byte-order mark, else UTF-8, else Windows-1252.

    Returns (text without the BOM, line endings as written; a note or ``''``).
    """
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace"), ""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), ""
    try:
        return raw.decode("utf-8"), ""
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "not UTF-8; read as Windows-1252"


def read_project(path: str | Path, *, lenient: bool = False) -> ImportedProject:
    """Read a ``.qdpx`` (or a ``.qde`` with its ``sources/`` folder beside it).

    Raises ExchangeError on bad input: not a zip, no project.qde, XML that fails the schema (unless
    ``lenient``), a coding of a missing code, a source whose text is missing, positions outside the
    text. With ``lenient``, what is sound is imported and the rest listed in ``notes``.
    """
    reader = _Reader(Path(path), lenient)
    root = parse_xml(reader.open(), reader.where())
    old = normalise_namespace(root, PROJECT_NS)
    if old:
        reader.notes.append(f"{reader.path}: namespace {old} read as {PROJECT_NS}")
    if etree.QName(root).localname != "Project":
        raise ExchangeError(f"{reader.where()}: not a REFI-QDA project (root element <{etree.QName(root).localname}>)")
    errors = schema_errors(root, PROJECT_NS, ignore_empty_sets=True)
    if errors:
        if not lenient:
            raise ExchangeError(f"{reader.where()}: does not follow the REFI-QDA project schema:\n"
                                f"{first_errors(errors)}\n(use --lenient to import what is sound)")
        reader.notes.append(f"{reader.where()}: does not follow the schema ({len(errors)} errors); "
                            f"imported what is sound:\n{first_errors(errors)}")
    return _Project(reader, root).read()


class _Project:
    """Turns the parsed ``<Project>`` into records."""

    def __init__(self, reader: _Reader, root: etree._Element) -> None:
        self.reader, self.root = reader, root
        self.origin = root.get("origin") or ""
        self.ours = self.origin.startswith("qualkit")
        self.users = {normal_guid(u.get("guid")): (u.get("name") or u.get("id") or normal_guid(u.get("guid")))
                      for u in root.iter(NS + "User")}
        self.trail = self._trail()
        self.variables = {normal_guid(v.get("guid")): (v.get("name") or "").strip() for v in root.iter(NS + "Variable")}

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

    def read(self) -> ImportedProject:
        nodes = read_nodes(self.root.find(f"{NS}CodeBook/{NS}Codes"), PROJECT_NS)
        sources = self.root.find(NS + "Sources")
        text_sources = [] if sources is None else sources.findall(NS + "TextSource")
        coded = {normal_guid(ref.get("targetGUID")) for s in text_sources for ref in s.iter(NS + "CodeRef")}
        codebook, yaml_text, ids = self._codebook(nodes, coded)
        attributes_by_source = self._cases()
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
        if sources is not None:
            for kind in OTHER_SOURCES:
                count = len(sources.findall(NS + kind))
                if count:
                    self.reader.notes.append(f"{self.reader.path}: {count} {kind} skipped (qualkit reads text sources only)")
        attributes = {t.id: dict(t.attributes) for t in transcripts}
        return ImportedProject(
            name=self.root.get("name") or self.reader.path.stem, origin=self.origin, transcripts=tuple(transcripts),
            files=files, codebook=codebook, codebook_yaml=yaml_text, segments=tuple(segments), attributes=attributes,
            conventions=conventions, notes=tuple(self.reader.notes), trail=self.trail,
        )

    def _codebook(self, nodes: list[Node], coded: set[str]) -> tuple[Codebook | None, str, dict[str, str]]:
        if not nodes:
            self.reader.notes.append(f"{self.reader.path}: the project has no codebook")
            return None, "", {}
        meta = dict(self.trail.get("codebook") or {})
        top = self.trail.get("settings_top") if isinstance(self.trail.get("settings_top"), dict) else {}
        meta = {"name": meta.get("name") or self.root.get("name") or "Imported codebook",
                "version": meta.get("version", ""), "description": meta.get("description", ""), **top}
        extras = self.trail.get("code_fields") if isinstance(self.trail.get("code_fields"), dict) else None
        text, ids = nodes_to_yaml(nodes, meta, coded, extras)
        return parse_codebook(text, source="codebook.yaml"), text, ids

    def _cases(self) -> dict[str, dict[str, str]]:
        variables = self.variables
        names = [n for n in variables.values() if n]
        by_source: dict[str, dict[str, str]] = {}
        for case in self.root.iter(NS + "Case"):
            values = {n: "" for n in names}
            values.update(self._values(case, variables))
            for ref in case.findall(NS + "SourceRef"):
                by_source.setdefault(normal_guid(ref.get("targetGUID")), {}).update(values)
                if not self.ours and case.get("name"):
                    by_source[normal_guid(ref.get("targetGUID"))]["case"] = case.get("name") or ""
        return by_source

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
            data = _read_file(base / name)
        if data is None:
            self.reader.fail(source.sourceline or 0, f"text source {source.get('name')!r} points at "
                             f"{where or '(no plainTextPath)'}, which is not in the project")
            return None
        return decode_source(data)

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
        text = SourceText(raw)
        selections = []
        for selection in source.findall(NS + "PlainTextSelection"):
            try:
                selections.append((selection, int(selection.get("startPosition") or ""), int(selection.get("endPosition") or "")))
            except ValueError:
                self.reader.fail(selection.sourceline or 0, f"selection {selection.get('guid')} has no whole-number positions")
        if self.ours:  # qualkit writes the standard's convention: Unicode characters
            convention = Convention()
        else:
            convention, _ = detect(text, [(a, b) for _, a, b in selections], self.origin)
        transcript_id = self._transcript_id(name, guid, taken)
        extra = self._values(source, self.variables)
        attrs = {**attributes.get(guid, {}), **extra}
        try:
            file_text, transcript, shift = transcript_file(transcript_id, text.text, attrs)
        except TranscriptError as exc:
            self.reader.fail(source.sourceline or 0, f"text source {name!r}: {exc}")
            return None
        if shift:
            self.reader.notes.append(f"{self.reader.path}: source {name!r} has no 'Speaker:' turns; stored as one "
                                     f"turn of 'Participant' (text prefixed with 'Participant: ', offsets shifted)")
        starts = [t.start for t in transcript.turns]
        segments = []
        for selection, start, end in selections:
            a, b, bad = text.span(start, end, convention)
            if bad >= 20 or not 0 <= a <= b <= len(text.text):
                self.reader.fail(selection.sourceline or 0, f"selection {selection.get('guid')} in source {name!r} runs "
                                 f"{start}-{end}, outside the text ({len(text.text)} characters)")
                continue
            a, b = a + shift, b + shift
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
                index = bisect_right(starts, a) - 1
                turn = transcript.turns[index] if index >= 0 else None
                segments.append(CodedSegment(
                    transcript=transcript.id, speaker=turn.speaker if turn else "", role=turn.role if turn else "",
                    turn=turn.index if turn else -1, code_id=code.id, code_path=PATH_SEPARATOR.join(code.path),
                    start=a, end=b, text=transcript.text[a:b], coder="auto" if user == AUTO_USER else user,
                    unit="selection",
                ))
        label = (convention.label() if "\r\n" in raw else convention.unit) if selections else "no selections"
        return transcript, file_text, segments, label

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


def write_study(project: ImportedProject, out: str | Path) -> list[Path]:
    """Write an imported project as a study folder ``qualkit run`` accepts, all or nothing:
    ``transcripts/*.txt``, ``participants.csv``, ``codebook.yaml`` and ``coded_segments.csv``."""
    from qualkit.report import segments_csv, write_files
    from qualkit.refi.transcripts import attributes_csv, file_names

    names = file_names([t.id for t in project.transcripts])
    outputs: dict[str, str | bytes] = {f"transcripts/{names[t.id]}": project.files[t.id] for t in project.transcripts}
    outputs["participants.csv"] = attributes_csv(project.attributes)
    if project.codebook is not None:
        outputs["codebook.yaml"] = project.codebook_yaml
    outputs["coded_segments.csv"] = segments_csv(project.segments)
    try:
        return write_files(Path(out), outputs)
    except Exception as exc:  # write_files raises ReportError; say it as an exchange problem
        raise ExchangeError(str(exc)) from None
