"""Rich Text Format transcripts (``.rtf``: Express Scribe, f4/f5transkript, Word's "Save as RTF").

The RTF is turned into plain text (striprtf: paragraphs, ``\\'e9`` and ``\\u8211`` characters, tables'
cells), which is then read as a plain-text transcript, so labels, cover blocks and everything else are
learned as they are there. The stored text is that plain text.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from qualkit.errors import TranscriptError
from qualkit.readers.common import ReadOptions
from qualkit.readers.text import read_text
from qualkit.transcript import Transcript


def rtf_text(path: Path, raw: bytes) -> str:
    """Return the plain text of an RTF file, or raise TranscriptError for one that is not RTF."""
    from striprtf.striprtf import rtf_to_text

    source = raw.decode("latin-1")  # RTF is 7-bit with escapes; 8-bit bytes are in the file's code page
    if not source.lstrip("\ufeff \r\n\t").startswith("{\\rtf"):
        raise TranscriptError(f"{path}: not an RTF file (it does not open with '{{\\rtf')")
    try:
        return str(rtf_to_text(source, errors="replace"))
    except Exception as exc:  # striprtf raises plain exceptions for a damaged file
        raise TranscriptError(f"{path}: cannot read the RTF file: {exc}") from None


def read_rtf(path: Path, raw: bytes, options: ReadOptions) -> Transcript:
    """Read an RTF transcript as the plain text it holds."""
    text = rtf_text(path, raw)
    if not text.strip():
        raise TranscriptError(f"{path}: file is empty (the RTF holds no text)")
    return replace(read_text(path, text.encode("utf-8"), options), format="rtf")
