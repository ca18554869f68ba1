"""Stable GUIDs: the same study exported twice gives the same GUIDs, so other tools see updates."""

from __future__ import annotations

import re
import uuid

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
