"""PDF transcripts: text extracted with pypdf, with line numbers and page furniture removed.

Page furniture is a line that is a page number (``3``, ``3/12``, ``Page 3 of 12``) or that repeats at
the top or bottom of most pages (a running header or footer). Line numbers are a number opening most
lines. What is left is read line by line as a typed transcript: ``Name:`` opens a turn, other lines
continue it.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from pathlib import Path

from qualkit.errors import NotTranscriptError, TranscriptError
from qualkit.readers.common import ReadOptions
from qualkit.readers.labels import label_of
from qualkit.readers.layout import Paragraph, read_paragraphs
from qualkit.transcript import Transcript

PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$|^-\s*\d{1,4}\s*-$", re.IGNORECASE)
COLLECTION_HEADER = re.compile(r"^(?:coded segments|retrieved segments|document name\s+code\b)", re.IGNORECASE)
LINE_NUMBER = re.compile(r"^\d{1,4}(?:\s+|$)")


def pdf_pages(path: Path, raw: bytes) -> list[list[str]]:
    """Return each page's lines, whitespace collapsed."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise TranscriptError(f"{path}: PDF is encrypted; save an unlocked copy first")
        pages = []
        for number, page in enumerate(reader.pages):
            pages.append(page.extract_text() or "")
            if number == 0 and any(COLLECTION_HEADER.match(" ".join(line.split())) for line in pages[0].splitlines()[:5]):
                raise NotTranscriptError(f"{path}: a table of coded segments, not a transcript")
    except TranscriptError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise TranscriptError(f"{path}: corrupt PDF: {exc}") from None
    return [[" ".join(line.split()) for line in page.splitlines()] for page in pages]


def strip_furniture(pages: list[list[str]]) -> list[str]:
    """Return the lines of all pages without page numbers, running headers/footers and line numbers."""
    pages = [[line for line in page if line] for page in pages]
    edges: Counter[str] = Counter()
    for page in pages:
        edges.update({line for line in page[:2] + page[-2:]})
    repeated = {line for line, count in edges.items()
                if len(pages) >= 3 and count >= 0.6 * len(pages) and label_of(line) is None}
    kept = [[line for line in page if line not in repeated and not PAGE_NUMBER.match(line)] for page in pages]
    every = [line for page in kept for line in page]
    if every and sum(1 for line in every if LINE_NUMBER.match(line)) >= 0.6 * len(every):
        kept = [[stripped for line in page if (stripped := LINE_NUMBER.sub("", line, count=1))] for page in kept]
    lines: list[str] = []
    for page in kept:
        # A line printed at the foot of one page and again at the head of the next is read once.
        for size in (3, 2, 1):
            if len(page) >= size and lines[-size:] == page[:size] and any(len(x.split()) >= 4 for x in page[:size]):
                page = page[size:]
                break
        for line in page:
            if lines and re.search(r"\w-$", lines[-1]) and line[:1].islower():
                lines[-1] += line  # a word hyphenated across lines: ``two-`` / ``way``
            else:
                lines.append(line)
    return lines


def read_pdf(path: Path, raw: bytes, options: ReadOptions) -> Transcript:
    """Read a PDF transcript."""
    lines = strip_furniture(pdf_pages(path, raw))
    if not lines:
        raise TranscriptError(f"{path}: PDF has no extractable text (a scanned image? run OCR on it first)")
    if sum(len(line.split()) <= 1 for line in lines) > 0.6 * len(lines):
        raise NotTranscriptError(f"{path}: PDF text comes out one word per line; not a transcript qualkit can read")
    if any(COLLECTION_HEADER.match(line) for line in lines[:5]):
        raise NotTranscriptError(f"{path}: a table of coded segments, not a transcript")
    paragraphs = [Paragraph(line, line=number) for number, line in enumerate(lines, start=1)]
    return read_paragraphs(path, paragraphs, options, fmt="pdf", joiner="\n")
