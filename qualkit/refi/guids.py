"""Stable GUIDs: the same study exported twice gives the same GUIDs, so other tools see updates."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from qualkit.errors import ExchangeError

# A fixed namespace for every GUID qualkit derives (uuid5 of "qualkit.refi-qda").
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://qualkit.invalid/refi-qda")
GUID = re.compile(r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?")


def stable_guid(kind: str, *parts: object) -> str:
    """Return a lower-case GUID derived from what the object is (e.g. ``("code", "isolation")``)."""
    key = "\x1f".join([kind, *(str(p) for p in parts)])
    return str(uuid.uuid5(NAMESPACE, key))


def normal_guid(value: str | None) -> str:
    """Return a GUID as lower case without braces (tools write upper case, some with braces)."""
    if not value:
        return ""
    match = GUID.fullmatch(value.strip())
    return match.group(1).lower() if match else value.strip().lower()


class Guids:
    """Hands out an export's GUIDs: the kept foreign one when there is one and it is still free, else a stable one."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, kept: str | None, *stable: object) -> str:
        guid = kept if kept and kept not in self.used else stable_guid(*stable)
        while guid in self.used:  # a repeated coding: same code, span and coder
            guid = stable_guid("again", guid)
        self.used.add(guid)
        return guid


IDS_FILE = "guids.json"


def coding_key(transcript: str, start: int, end: int, code_id: str, coder: str) -> str:
    """Return the key of one coding in :class:`ForeignIds` (what it is, not where it came from)."""
    return "\x1f".join((transcript, str(start), str(end), code_id, coder))


@dataclass
class ForeignIds:
    """The GUIDs (and dates) another tool gave a project's objects, kept so that exporting the imported
    study again updates those objects in that tool instead of duplicating them.

    ``codes``: code or theme id -> GUID; ``sources``: transcript id -> GUID; ``users``: coder -> GUID;
    ``cases``: transcript id -> case GUID; ``variables``: attribute -> GUID; ``codings``: coding key
    (:func:`coding_key`) -> ``{"guid", "selection", "created", "memo"}`` (any may be missing); ``notes``: the
    project's notes (memos) with what each is attached to (see :mod:`qualkit.refi.notes`).
    """

    origin: str = ""
    codes: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    cases: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    codings: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> str:
        """Return the record as the JSON written beside an imported study (``guids.json``)."""
        data = asdict(self)
        data["codings"] = [{"transcript": t, "start": int(a), "end": int(b), "code": c, "coder": u, **value}
                           for key, value in self.codings.items() for t, a, b, c, u in [key.split("\x1f")]]
        return json.dumps({"qualkit_guids": 1, **data}, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str) -> "ForeignIds":
        """Read ``guids.json``; raise ExchangeError naming the file when it is not one."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("qualkit_guids") != 1:
                raise ValueError("not a qualkit GUID file (no \"qualkit_guids\": 1)")
            codings = {coding_key(r["transcript"], int(r["start"]), int(r["end"]), r["code"], r["coder"]):
                       {k: str(v) for k, v in r.items() if k in ("guid", "selection", "created", "memo")}
                       for r in data.get("codings", [])}
            notes = list(data.get("notes") or [])
            if not all(isinstance(n, dict) and isinstance(n.get("guid"), str) for n in notes):
                raise ValueError("\"notes\" must be a list of notes, each with a \"guid\"")
            return cls(origin=str(data.get("origin", "")), codings=codings, notes=notes,
                       **{k: {str(a): str(b) for a, b in dict(data.get(k) or {}).items()}
                          for k in ("codes", "sources", "users", "cases", "variables")})
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ExchangeError(f"{where}: cannot read the kept GUIDs: {exc}") from None

    @classmethod
    def read(cls, path: str | Path) -> "ForeignIds":
        """Read a ``guids.json`` file."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ExchangeError(f"{path}: cannot read: {exc.strerror}") from None
        return cls.from_json(text, str(path))
