"""OpenDocument ``.odt`` transcripts read with odfpy, laid out as Word transcripts are (see docx.py)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any, Iterator
from xml.parsers.expat import ExpatError

from qualkit.errors import TranscriptError
from qualkit.readers.common import ReadOptions
from qualkit.readers.docx import paragraph_record, table_paragraphs, warn_table
from qualkit.readers.layout import Paragraph, read_paragraphs
from qualkit.transcript import Transcript

TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FO_NS = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"


def _bold_styles(document: Any) -> set[str]:
    return _styled(document, "font-weight", ("bold", "700", "800", "900"))


def _styled(document: Any, attribute: str, values: tuple[str, ...]) -> set[str]:
    """Return the names of the styles whose text properties set ``attribute`` to one of ``values``."""
    bold = set()
    for part in (document.automaticstyles, document.styles):
        for style in part.childNodes:
            if style.qname != (STYLE_NS, "style"):
                continue
            for props in style.childNodes:
                if props.qname == (STYLE_NS, "text-properties") and props.attributes.get((FO_NS, attribute)) in values:
                    bold.add(style.attributes.get((STYLE_NS, "name"), ""))
    return bold


def _runs(node: Any, bold_styles: set[str], bold: bool = False) -> Iterator[tuple[str, bool]]:
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            yield str(child.data), bold
            continue
        name = child.qname
        if name == (TEXT_NS, "s"):
            yield " " * int(child.attributes.get((TEXT_NS, "c"), "1") or 1), bold
        elif name == (TEXT_NS, "tab"):
            yield "\t", bold
        elif name == (TEXT_NS, "line-break"):
            yield "\n", bold
        elif name in ((TEXT_NS, "note"), (TEXT_NS, "annotation")):
            continue
        else:
            style = child.attributes.get((TEXT_NS, "style-name"), "")
            yield from _runs(child, bold_styles, bold or style in bold_styles)


def _walk(node: Any, bold_styles: set[str], italic_styles: set[str] = frozenset(),  # type: ignore[assignment]
          path: Path | None = None) -> Iterator[Paragraph]:
    for number, child in enumerate(node.childNodes, start=1):
        if child.nodeType != child.ELEMENT_NODE:
            continue
        if child.qname in ((TEXT_NS, "p"), (TEXT_NS, "h")):
            style = child.attributes.get((TEXT_NS, "style-name"), "")
            runs = list(_runs(child, bold_styles, style in bold_styles))
            italic = all(flag for text, flag in _runs(child, italic_styles, style in italic_styles) if text.strip())
            whole = ("b" if runs and all(b for t, b in runs if t.strip()) else "") + ("i" if italic and runs else "")
            yield paragraph_record("".join(text for text, _ in runs), runs, number, whole)
        elif child.qname == (TABLE_NS, "table"):
            rows = []
            for row in child.getElementsByType(_table_row()):
                cells = [c for c in row.childNodes if c.qname == (TABLE_NS, "table-cell")]
                rows.append(["\n".join("".join(t for t, _ in _runs(p, bold_styles)) for p in c.childNodes
                                       if p.nodeType == p.ELEMENT_NODE) for c in cells])
            turns = table_paragraphs(rows, number)
            if turns is None and path is not None:
                warn_table(path, f"the table after paragraph {number - 1}", rows)
            yield from turns or ()
        elif child.qname in ((TEXT_NS, "list"), (TEXT_NS, "list-item"), (TEXT_NS, "section")):
            yield from _walk(child, bold_styles, italic_styles, path)


def _table_row() -> Any:
    from odf.table import TableRow

    return TableRow


def read_odt(path: Path, raw: bytes, options: ReadOptions) -> Transcript:
    """Read an OpenDocument text transcript."""
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ExpatError, ValueError, AttributeError) as exc:
        raise TranscriptError(f"{path}: corrupt or not an OpenDocument .odt file ({exc})") from None
    paragraphs = _walk(document.text, _bold_styles(document), _styled(document, "font-style", ("italic",)), path)
    return read_paragraphs(path, paragraphs, options, fmt="odt")
