"""A codebook file before it is parsed: what kind of file it is (a sheet, a document, a REFI-QDA file, said with
the command that converts it) and its text, in the encoding the program that saved it used (said when not UTF-8).
"""

from __future__ import annotations

import codecs
import warnings
from pathlib import Path

from qualkit.errors import CodebookError

SHEET_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm", ".xls", ".md", ".markdown", ".docx")
DOCUMENT_SUFFIXES = (".doc", ".odt", ".pdf", ".rtf")
DOCUMENT_HINT = ": put its codes in a sheet (a 'Theme > Code' path or Theme and Code columns, a description column)"
"""What to do with a document's codes, for saying so wherever a document is given as a codebook."""


def refuse_other_kinds(path: Path) -> None:
    """Raise ``CodebookError`` for a file given as a YAML codebook that is another kind, naming what converts it."""
    suffix, yaml_path = path.suffix.lower(), path.with_suffix(".yaml")
    if suffix in SHEET_SUFFIXES:
        kind = {".md": "table", ".markdown": "table", ".docx": "document"}.get(suffix, "sheet")
        raise CodebookError(f"{path}: is a codebook {kind}, not a YAML codebook: convert it once with "
                            f"'qualkit codebook import {path} --out {yaml_path}', add patterns, "
                            f"and use the YAML")
    if suffix == ".qdc":
        raise CodebookError(f"{path}: is a REFI-QDA codebook, not a YAML codebook: convert it once with 'qualkit "
                            f"import qdc {path} --out {yaml_path}', add patterns, and use the YAML")
    if suffix in (".qdpx", ".qde"):
        folder = path.with_suffix("")
        raise CodebookError(f"{path}: is a REFI-QDA project, not a YAML codebook: import it once with 'qualkit "
                            f"import qdpx {path} --out {folder}', add patterns to {folder / 'codebook.yaml'}, and use "
                            "that")
    if suffix in DOCUMENT_SUFFIXES:
        raise CodebookError(f"{path}: is a document, not a YAML codebook{DOCUMENT_HINT} and convert that with 'qualkit "
                            f"codebook import SHEET --out {yaml_path}'")


def decoded(path: Path, raw: bytes, ansi: str, unicode: str) -> str:
    """Return a file's text: UTF-8, or UTF-16 with its byte-order mark, or else Windows-1252; the last two said in
    a warning naming the program that saves so (``ansi``, ``unicode``: 'Excel saves ...')."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        warnings.warn(f"{path}: is UTF-16 text (as {unicode}); read as UTF-16", stacklevel=3)
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        warnings.warn(f"{path}: is not UTF-8 (line {line} holds byte 0x{raw[exc.start]:02x}); read as Windows-1252, as "
                      f"{ansi}", stacklevel=3)
        return raw.decode("cp1252", "replace")
