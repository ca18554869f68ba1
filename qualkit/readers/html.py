"""HTML transcripts: the visible text, paragraph by paragraph, parsed with BeautifulSoup and lxml.

Scripts, styles, navigation and the page head are left out. A paragraph opening with a bold label
(``<b>Name:</b>``, ``<strong>Name</strong>:``) or ``Name:`` starts a turn.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Iterator

from qualkit.readers.common import ReadOptions, decode
from qualkit.readers.docx import paragraph_record, table_paragraphs
from qualkit.readers.layout import Paragraph, read_paragraphs
from qualkit.transcript import Transcript

BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "blockquote", "pre", "tr", "td", "th"}
HIDDEN = ["script", "style", "noscript", "template", "head", "nav", "header", "footer", "aside"]


def html_paragraphs(markup: str) -> Iterator[Paragraph]:
    """Yield the innermost block elements' text as paragraphs, with bold runs marked."""
    from bs4 import BeautifulSoup, NavigableString, Tag, XMLParsedAsHTMLWarning
    from bs4.element import PreformattedString

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "lxml")
    for hidden in soup.find_all(HIDDEN):
        hidden.decompose()
    root = soup.body or soup

    def runs(tag: Tag, bold: bool = False) -> Iterator[tuple[str, bool]]:
        for child in tag.children:
            if isinstance(child, PreformattedString):
                continue
            if isinstance(child, NavigableString):
                yield re.sub(r"\s+", " ", str(child)), bold
            elif isinstance(child, Tag):
                if child.name == "br":
                    yield "\n", bold
                else:
                    yield from runs(child, bold or child.name in ("b", "strong"))

    def walk(tag: Tag) -> Iterator[Paragraph]:
        pending: list[tuple[str, bool]] = []
        for child in tag.children:
            turns = None
            if isinstance(child, Tag) and child.name == "table":
                rows = [[cell.get_text(" ", strip=True) for cell in row.find_all(["td", "th"])]
                        for row in child.find_all("tr")]
                turns = table_paragraphs(rows, 0)
            if turns is not None:
                if pending:
                    yield _para(pending)
                    pending = []
                yield from turns
            elif isinstance(child, Tag) and (child.name in BLOCKS or child.find(BLOCKS)):
                if pending:
                    yield _para(pending)
                    pending = []
                if child.find(BLOCKS):
                    yield from walk(child)
                else:
                    yield _para(list(runs(child)))
            elif isinstance(child, Tag):
                pending.extend(runs(child, child.name in ("b", "strong")))
            elif isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
                pending.append((re.sub(r"\s+", " ", str(child)), False))
        if pending:
            yield _para(pending)

    for para in walk(root):
        if para.text.strip():
            yield para


def _para(runs: list[tuple[str, bool]]) -> Paragraph:
    text = "\n".join(line.strip() for line in "".join(t for t, _ in runs).split("\n")).strip()
    return paragraph_record(text, runs, 0)


def read_html(path: Path, raw: bytes, options: ReadOptions) -> Transcript:
    """Read an HTML transcript."""
    return read_paragraphs(path, html_paragraphs(decode(raw, path)), options, fmt="html")
