"""Writing a study as a REFI-QDA project (``.qdpx``): sources, codebook, codings, cases, users."""

from __future__ import annotations

import datetime as _dt
import io
import json
import re
import warnings
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from lxml import etree

from qualkit.codebook import Codebook
from qualkit.errors import ExchangeError
from qualkit.refi.cases import add_turn_selections, add_values, participant_turns, variables_and_cases
from qualkit.refi.codebook import _write_bytes, code_elements, code_guid, codebook_extras, xml_text
from qualkit.refi.guids import ForeignIds, Guids, coding_key, stable_guid
from qualkit.refi.names import unique_names
from qualkit.refi.notes import add_notes
from qualkit.refi.positions import ASTRAL, POSITIONS, utf16_offset
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
    positions = methods.get("positions", "characters")
    lines = [
        f"Exported by qualkit {methods.get('qualkit_version', '')}.",
        f"Codebook: {codebook.name} (version {codebook.version or '-'}), file {codebook.source or '-'}, "
        f"sha256 {codebook.sha256 or '-'}.",
        "Codings by: " + (", ".join(user_name(c) for c in coders) or "nobody") + ".",
        "Positions (startPosition, endPosition) count " + (
            "UTF-16 code units, as NVivo counts them (an emoji counts two), not the standard's Unicode characters."
            if positions == "utf16" else "Unicode characters (code points), as the REFI-QDA standard says."),
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


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_project(
    transcripts: Sequence[Transcript], codebook: Codebook, segments: Iterable[CodedSegment],
    methods: Mapping[str, Any] | None = None, name: str | None = None, *,
    ids: ForeignIds | None = None, created: Mapping[str, str] | None = None, positions: str = "characters",
) -> tuple[etree._Element, dict[str, bytes]]:
    """Return the ``<Project>`` element and the source files (``sources/<guid>.txt``) of a study.

    Each coding is one ``PlainTextSelection`` holding one ``Coding``, both with their coder
    (``creatingUser``) and date (``creationDateTime``: ``created`` per :func:`coding_key`, else the
    kept date, else the export's time). ``ids`` are GUIDs kept from an import, used where they fit;
    ``positions`` is ``characters`` (the standard) or ``utf16`` (NVivo). Warns when code names are
    made unique and when texts hold characters that the two conventions count differently.
    """
    from qualkit import __version__

    if positions not in POSITIONS:
        raise ExchangeError(f"positions must be one of {', '.join(POSITIONS)}, got {positions!r}")
    ids, created = ids or ForeignIds(), created or {}
    renamed = unique_names(codebook)
    methods = {"qualkit_version": __version__, **(methods or {}), "positions": positions}
    if renamed:
        methods["renamed"] = {i: _node_name(codebook, i) for i in renamed}
        example = next(iter(renamed.values()))
        warnings.warn(f"{len(renamed)} code names are used more than once in the codebook; exported with their parent "
                      f"added so other tools keep them apart (e.g. {example!r}); qualkit reads the old names back", stacklevel=2)
    now = _date_time(str(methods.get("created") or "")) or _now()
    by_id = {t.id: t for t in transcripts}
    codes = {c.id for c in codebook.codes}
    grouped: dict[str, list[CodedSegment]] = defaultdict(list)
    coders: dict[str, None] = {}
    for s in segments:
        _check(s, by_id, codes)
        grouped[s.transcript].append(s)
        coders.setdefault(s.coder)
    coders = dict.fromkeys(sorted(coders, key=lambda c: (c != "auto", c)))
    guids = Guids()
    root = etree.Element(NS + "Project", nsmap={None: PROJECT_NS},
                         name=xml_text(name or codebook.name or "qualkit project", "project name"),
                         origin=f"qualkit {__version__}", creationDateTime=now)
    users = etree.SubElement(root, NS + "Users")
    user_guid = {c: guids.take(ids.users.get(user_name(c)) or ids.users.get(c), "user", c) for c in coders}
    for coder in coders:
        etree.SubElement(users, NS + "User", guid=user_guid[coder], name=xml_text(user_name(coder), "coder"))
    for name, guid in ids.users.items():  # the other tool's users who coded nothing here are kept too
        if name not in coders and user_name(name) not in coders and guid not in guids.used:
            etree.SubElement(users, NS + "User", guid=guids.take(guid, "user", name), name=xml_text(user_name(name), "user"))
    if not len(users):
        root.remove(users)
    themes = {t.id for t in codebook.themes}
    node_guids = {i: guids.take(g, "code" if i in codes else "theme", i) for i, g in ids.codes.items()
                  if i in codes or i in themes}
    etree.SubElement(root, NS + "CodeBook").append(code_elements(codebook, PROJECT_NS, renamed, node_guids))
    code_guids = {c: node_guids.get(c) or code_guid(c) for c in codes}
    source_guids = {t.id: guids.take(ids.sources.get(t.id), "source", t.id) for t in transcripts}
    groups = participant_turns(transcripts)
    variables = variables_and_cases(root, transcripts, ids, guids, source_guids, groups, variable_type)
    files: dict[str, bytes] = {}
    sources = etree.SubElement(root, NS + "Sources")
    astral: list[str] = []
    bad_dates: list[str] = []
    for transcript in transcripts:
        guid = source_guids[transcript.id]
        files[f"sources/{guid}.txt"] = transcript.text.encode("utf-8")
        source = etree.SubElement(sources, NS + "TextSource", guid=guid, name=xml_text(transcript.id, "transcript id"),
                                  plainTextPath=f"internal://{guid}.txt", creationDateTime=now)
        if ASTRAL.search(transcript.text):
            astral.append(transcript.id)
        unit = utf16_offset(transcript.text) if positions == "utf16" else (lambda offset: offset)
        for s in sorted(grouped[transcript.id], key=lambda s: (s.start, s.end, s.coder != "auto", s.coder, s.code_id)):
            key = coding_key(s.transcript, s.start, s.end, s.code_id, s.coder)
            kept = ids.codings.get(key, {})
            given = created.get(key) or kept.get("created") or ""
            when = _date_time(given) or now
            if given and when != given:
                bad_dates.append(given)
            selection = etree.SubElement(
                source, NS + "PlainTextSelection", guid=guids.take(kept.get("selection"), "selection", key),
                startPosition=str(unit(s.start)), endPosition=str(unit(s.end)), creatingUser=user_guid[s.coder],
                creationDateTime=when)
            coding = etree.SubElement(selection, NS + "Coding", guid=guids.take(kept.get("guid"), "coding", key),
                                      creatingUser=user_guid[s.coder], creationDateTime=when)
            etree.SubElement(coding, NS + "CodeRef", targetGUID=code_guids[s.code_id])
        add_turn_selections(source, transcript.id, groups.get(transcript.id, {}), unit, now)
        add_values(source, transcript, variables)
    if not len(sources):
        root.remove(sources)
    etree.SubElement(root, NS + "Description").text = xml_text(description(methods, codebook, list(coders)), "methods")
    add_notes(root, ids, {u.get("name"): u.get("guid") for u in users}, now)
    errors = schema_errors(root, PROJECT_NS)
    if errors:
        raise ExchangeError(f"the project would not follow the REFI-QDA schema, not written:\n{first_errors(errors)}")
    _warn_astral(astral, positions)
    if bad_dates:
        warnings.warn(f"{len(bad_dates)} coding dates are not ISO date-times (e.g. {bad_dates[0]!r}); those codings are "
                      f"dated by the export's time ({now})", stacklevel=2)
    return root, files


_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")


def _date_time(value: str | None) -> str:
    """Return the value if it is an xsd:dateTime (as tools and the store write them), else ``''``."""
    return value if value and _DATE_TIME.fullmatch(value) else ""


def _node_name(codebook: Codebook, node_id: str) -> str:
    return next(n.name for n in (*codebook.themes, *codebook.codes) if n.id == node_id)


def _check(s: CodedSegment, by_id: Mapping[str, Transcript], codes: set[str]) -> None:
    transcript = by_id.get(s.transcript)
    if transcript is None:
        raise ExchangeError(f"coding of {s.code_path!r} at {s.start}-{s.end}: transcript {s.transcript!r} is not in the study")
    if s.code_id not in codes:
        raise ExchangeError(f"{s.transcript}, {s.start}-{s.end}: code id {s.code_id!r} is not in the codebook")
    if not 0 <= s.start <= s.end <= len(transcript.text) or transcript.text[s.start:s.end] != s.text:
        raise ExchangeError(f"{s.transcript}, {s.start}-{s.end}: the coding's text is not the transcript's text there")


def _warn_astral(astral: list[str], positions: str) -> None:
    if not astral:
        return
    named = ", ".join(astral[:3]) + (f" and {len(astral) - 3} more" if len(astral) > 3 else "")
    counted = "1 transcript holds" if len(astral) == 1 else f"{len(astral)} transcripts hold"
    if positions == "utf16":
        warnings.warn(f"{counted} emoji or other characters beyond U+FFFF ({named}): positions "
                      "are written as UTF-16 code units for NVivo; a tool that follows the standard (characters) "
                      "will place codings after them too late", stacklevel=3)
    else:
        warnings.warn(f"{counted} emoji or other characters beyond U+FFFF ({named}): positions "
                      "are Unicode characters as the standard says; NVivo counts UTF-16 units and will shift codings "
                      "after them (export with --for nvivo for NVivo)", stacklevel=3)


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
    methods: Mapping[str, Any] | None = None, name: str | None = None, **options: Any,
) -> Path:
    """Validate and write a study as a ``.qdpx``; nothing is written when the project is invalid.
    ``options`` are :func:`build_project`'s (``ids``, ``created``, ``positions``)."""
    root, files = build_project(transcripts, codebook, segments, methods, name, **options)
    path = Path(out)
    _write_bytes(path, project_bytes(root, files))
    return path
