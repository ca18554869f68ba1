"""What every reader shares: decoding bytes, options, front matter and turning spans into a Transcript."""

from __future__ import annotations

import codecs
import datetime
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from qualkit.errors import NotTranscriptError, TranscriptError
from qualkit.mapping_file import read_mapping
from qualkit.transcript import DEFAULT_INTERVIEWER_LABELS, Transcript, Turn, trim_span


@dataclass(frozen=True)
class ReadOptions:
    """How to read transcripts: who the interviewer is, speaker aliases, and the known speakers.

    ``aliases`` maps a label as written (case-insensitive) to the speaker's name, e.g.
    ``{"Speaker 1": "Dan", "Particpant": "Participant"}``. When ``speakers`` is given, any other
    label is an error (a typo in a label is then caught rather than read as a new speaker).
    """

    interviewer_labels: tuple[str, ...] = DEFAULT_INTERVIEWER_LABELS
    aliases: Mapping[str, str] = field(default_factory=dict)
    speakers: tuple[str, ...] | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    """For utterance tables: the column holding each of ``transcript``, ``speaker``, ``text`` and
    ``timestamp`` (any left out are detected from the header)."""

    def canonical(self, label: str) -> str:
        """Return the speaker name for a label as written, after aliasing and trimming."""
        label = " ".join(label.split())
        if not self.aliases:
            return label
        folded = {k.casefold(): v for k, v in self.aliases.items()}
        return folded.get(label.casefold(), label)

    def known_forms(self) -> frozenset[str]:
        """Return the labels these options name (interviewer labels, alias targets, declared speakers), case-folded."""
        from qualkit.readers.vocab import key_of

        names = (*self.interviewer_labels, *self.aliases, *self.aliases.values(), *(self.speakers or ()))
        return frozenset(key_of(str(n)) for n in names)


@dataclass(frozen=True)
class RawTurn:
    """A turn as a reader found it: speaker label and the span of its speech in the stored text."""

    speaker: str
    start: int
    end: int
    line: int = 0
    timestamp: str | None = None
    end_timestamp: str | None = None
    head: int | None = None
    """Where the turn's label starts (the preamble ends there); defaults to the start of its line."""


def decode(raw: bytes, path: Path) -> str:
    """Decode a text file's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    Line endings are normalised to ``\\n``; offsets always refer to the returned text.
    """
    if not raw.strip():
        raise TranscriptError(f"{path}: file is empty")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16")
    elif b"\x00" in raw[:4096]:
        raise TranscriptError(f"{path}: binary file, not a transcript (found NUL bytes)")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            text = _not_utf8(raw, path, exc)
    if not text.strip():
        raise TranscriptError(f"{path}: file is empty (only a byte-order mark or blank lines)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _not_utf8(raw: bytes, path: Path, error: UnicodeDecodeError) -> str:
    """Decode bytes that are not all UTF-8: as UTF-8 with the stray bytes replaced when the rest is UTF-8
    (characters such as curly quotes are then read right), else as Windows-1252; say which, and where."""
    utf8 = raw.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="replace")
    stray = utf8.count("\ufffd")
    line = raw[: error.start].count(b"\n") + 1
    if 0 < sum(1 for c in utf8 if c > "\x7f" and c != "\ufffd") >= stray:  # more UTF-8 characters than stray bytes
        warnings.warn(f"{path}, line {line}: {stray} byte{'s' * (stray != 1)} not UTF-8 in a UTF-8 file; read "
                      "with each replaced by \ufffd", stacklevel=3)
        return utf8
    warnings.warn(f"{path}, line {line}: not UTF-8; read as Windows-1252", stacklevel=3)
    return raw.removeprefix(codecs.BOM_UTF8).decode("cp1252", errors="replace")


ALIAS_HEADERS = {("label", "name"), ("alias", "name"), ("label", "speaker"), ("from", "to")}
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str, int]:
    """Return (front matter, body, lines before the body) for text that may open with a ``---`` block."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text, 0
    try:
        meta = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 2}" if mark else ""
        raise TranscriptError(f"{path}{where}: malformed YAML front matter: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(meta, dict):
        raise TranscriptError(f"{path}, line 2: front matter must be a mapping of fields, got {type(meta).__name__}")
    return meta, text[match.end():], text.count("\n", 0, match.end())


def _as_labels(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def build_transcript(
    path: Path,
    text: str,
    raw_turns: Iterable[RawTurn],
    options: ReadOptions,
    *,
    meta: Mapping[str, Any] | None = None,
    fmt: str = "text",
    interviewer_names: Iterable[str] = (),
    participant_names: Iterable[str] = (),
    cover: Mapping[str, str] | None = None,
) -> Transcript:
    """Assemble a Transcript from the spans a reader found, applying aliases, roles and front matter.

    Roles come from the interviewer labels, the front matter's ``interviewer`` and the cover block's
    names; failing those, from who asks the questions (see roles.py), with a warning either way.
    """
    from qualkit.readers.roles import decide_roles

    meta = dict(meta or {})
    interviewers = (options.interviewer_labels + _as_labels(meta.pop("interviewer", None))
                    + _as_labels(meta.pop("interviewers", None)) + tuple(interviewer_names))
    declared = _as_labels(meta.pop("speakers", None)) or options.speakers
    kept: list[tuple[str, int, int, RawTurn]] = []
    first_head: int | None = None
    asking = {i.casefold() for i in interviewers}
    raw_turns = list(raw_turns)
    known, typos = _declared(path, declared, [options.canonical(r.speaker) for r in raw_turns], asking, options)
    for raw in raw_turns:
        start, end = trim_span(text, raw.start, raw.end)
        if start >= end:
            continue
        if not kept and raw.head is not None:
            first_head = raw.head
        speaker = options.canonical(raw.speaker)
        speaker = typos.get(speaker, speaker)
        if known is not None and speaker.casefold() not in known and speaker.casefold() not in asking:
            raise TranscriptError(
                f"{path}, line {raw.line}: unknown speaker label {raw.speaker!r} "
                f"(known: {', '.join(sorted(declared or ()))})"
            )
        kept.append((speaker, start, end, raw))
    if not kept:
        raise TranscriptError(f"{path}: no speech found (the file holds only a title, a cover block or notes)")
    spoken = [(s, text[a:b]) for s, a, b, _ in kept]
    if fmt in LEARNED_FORMATS:
        reason = document_reason(spoken)
        if reason:
            raise NotTranscriptError(f"{path}: {reason}")
    roles, note = decide_roles(spoken, interviewers, participant_names)
    if note:
        warnings.warn(f"{path}: {note}", stacklevel=3)
    turns = tuple(Turn(n, s, roles[s], a, b, raw.timestamp, raw.end_timestamp) for n, (s, a, b, raw) in enumerate(kept))
    transcript_id = str(meta.pop("id", "") or path.stem)
    meta.pop("layout", None)
    attributes = {**(cover or {}), **front_matter_attributes(path, meta)}
    first = turns[0].start
    if first_head is not None:
        preamble_end = first_head
    else:
        preamble_end = text.rfind("\n", 0, first) + 1 if "\n" in text[:first] else 0
    return Transcript(transcript_id, text, turns, attributes, str(path), fmt, (0, preamble_end))


def _declared(path: Path, declared: Iterable[str] | None, speakers: list[str], asking: set[str],
              options: ReadOptions) -> tuple[set[str] | None, dict[str, str]]:
    """Return the declared speakers labels are checked against (None: no check) and the labels read as a
    declared name they misspell, warning of each.

    A list naming under half of the labels a text uses is another tool's metadata (a site's ``speakers:``
    naming the guests), not this file's labels: it is not used, and the warning says so. A label naming a
    declared person by first or last name (``Pieter`` for Pieter Wuille) is theirs."""
    from qualkit.readers.vocab import label_matches, name_forms, typo_of

    if not declared:
        return None, {}
    known = {options.canonical(s).casefold() for s in declared}
    forms = set().union(*(name_forms(s) for s in declared))
    labels = [s for s in dict.fromkeys(speakers) if s.casefold() not in asking]
    unknown = [s for s in labels if s.casefold() not in known and not label_matches(s, forms)]
    typos = {s: name for s in unknown
             if (name := next((d for d in declared if typo_of(s.casefold(), {d.casefold(): 3})), None))}
    for label, name in typos.items():
        warnings.warn(f"{path}: label {label!r} is not among the front matter's speakers and is read as "
                      f"{name!r} (a likely typo; map it in an alias file if not)", stacklevel=4)
    if 2 * (len(labels) - len(unknown)) < len(labels):
        warnings.warn(f"{path}: the front matter's speakers ({', '.join(declared)}) name "
                      f"{len(labels) - len(unknown)} of the {len(labels)} labels used ({', '.join(labels[:6])}"
                      f"{', ...' if len(labels) > 6 else ''}): read as another tool's list, labels not checked "
                      "against it", stacklevel=4)
        return None, {}
    return known | {s.casefold() for s in labels if label_matches(s, forms)}, typos


def front_matter_attributes(path: Path, meta: Mapping[str, Any]) -> dict[str, str]:
    """Return front-matter fields as attribute strings: dates in ISO form (YAML reads ``2026-02-17`` as a
    date), empty fields empty; a list or mapping is not an attribute, and the warning says it was left out."""
    attributes: dict[str, str] = {}
    for key, value in meta.items():
        if isinstance(value, (datetime.date, datetime.datetime)):
            attributes[str(key)] = value.isoformat()
        elif isinstance(value, (str, int, float, bool)):
            attributes[str(key)] = str(value)
        elif value is None:
            attributes[str(key)] = ""
        else:
            warnings.warn(f"{path}: front matter field {key!r} holds a {type(value).__name__}, not one value; "
                          "not kept as an attribute", stacklevel=4)
    return attributes


LEARNED_FORMATS = {"text", "pdf", "docx", "odt", "html"}


def document_reason(spoken: list[tuple[str, str]]) -> str | None:
    """Return why ``Word:`` labels read from a text are a document's headings, not speakers, or None.

    Speakers take turns; a document's ``Editor:``, ``Module:`` headings are mostly used once, open long
    stretches of text, and are many.
    """
    turns: dict[str, int] = {}
    for speaker, _ in spoken:
        turns[speaker] = turns.get(speaker, 0) + 1
    once = sum(1 for count in turns.values() if count == 1)
    sizes = sorted(len(words.split()) for _, words in spoken)
    middle = sizes[len(sizes) // 2]
    if len(turns) >= 3 and once >= 0.6 * len(turns) and middle >= 300:
        return (f"a document, not a transcript: its {len(turns)} 'Label:' headings are mostly used once "
                f"({once}) and open long stretches of text ({middle} words in the middle one)")
    return None


def load_aliases(path: str | Path) -> dict[str, str]:
    """Read a study's speaker alias map: YAML ``label: name`` or a two-column CSV ``label,name``.

    Returns ``{label as written: speaker name}``, e.g. ``{"Speaker 1": "Dan", "Particpant": "Participant"}``.
    """
    return read_mapping(path, "alias", ("label", "name"), ALIAS_HEADERS, TranscriptError)
