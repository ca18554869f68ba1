"""Opening a REFI-QDA project: a ``.qdpx`` zip (or a bare ``.qde`` with ``sources/`` beside it), its
source files, and failing or noting problems (``--lenient``) with the file and line."""

from __future__ import annotations

import codecs
import unicodedata
import zipfile
from pathlib import Path
from typing import Callable

from qualkit.errors import ExchangeError


class Archive:
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
            self.member = lambda name: read_file(folder / name)
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


def read_file(path: Path) -> bytes | None:
    """Return a file's bytes, or None when it cannot be read."""
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
