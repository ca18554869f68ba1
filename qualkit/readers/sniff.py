"""Telling a file's format from its first bytes, for when the extension lies."""

from __future__ import annotations

import codecs
import io
import re
import zipfile

SRT_START = re.compile(rb"\A\s*\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->")


def sniff(raw: bytes) -> str | None:
    """Return the format the content shows (``docx``, ``odt``, ``xlsx``, ``pdf``, ``vtt``, ``srt``,
    ``json``, ``html``, ``rtf``, ``binary``), or None when it is plain text or cannot be told."""
    head = raw[:4096]
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                names = set(archive.namelist())
                mimetype = archive.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
        except (zipfile.BadZipFile, OSError, KeyError, ValueError):
            return "zip"
        if "word/document.xml" in names:
            return "docx"
        if "opendocument.text" in mimetype or ("content.xml" in names and "opendocument" in mimetype):
            return "odt"
        if any(name.startswith("xl/") for name in names):
            return "xlsx"
        return "zip"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            head = raw[:8192].decode("utf-16", errors="ignore").encode("utf-8")
        except UnicodeError:
            return None
    elif b"\x00" in head:
        return "binary"
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if text.startswith(b"{\\rtf"):
        return "rtf"
    if text.startswith(b"WEBVTT"):
        return "vtt"
    if SRT_START.match(text):
        return "srt"
    lowered = text[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or (lowered.startswith(b"<") and b"<body" in head.lower()):
        return "html"
    if text.startswith((b"{", b"[")) and (b'"segments"' in head or b'"speaker' in head or b'"words"' in head):
        return "json"
    return None
