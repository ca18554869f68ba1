"""Reading a human coding of transcripts: qualkit's own ``coded_segments.csv``, or a table of
(document, code path, segment text) whose segments are located in the transcripts by their words."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from qualkit.codebook import PATH_SEPARATOR, Codebook, slugify
from qualkit.errors import CodingError
from qualkit.segments import CodedSegment
from qualkit.transcript import Transcript, Turn

# The columns of qualkit's own coded_segments.csv (segments.SEGMENT_COLUMNS); these ones are required.
QUALKIT_REQUIRED = ("transcript", "code_path", "start", "end", "text")
# A plain table of human segments: one row per segment, located in the transcripts by its words. The names
# are those other tools export coded segments under: MAXQDA (Document name, Code, Segment, Created by),
# Taguette (document, tag, content), ATLAS.ti (Document, Codes, Quotation Content), NVivo (File, Code, Reference).
TABLE_COLUMNS = {
    "document": ("document", "transcript", "document name", "doc", "source", "file", "file name", "filename",
                 "primary document", "document title", "case", "interview"),
    "code_path": ("code_path", "code", "codes", "code name", "tag", "tags", "node", "category"),
    "text": ("segment", "text", "quote", "passage", "content", "quotation content", "quotation", "coded text",
             "reference", "excerpt", "highlight", "coded segment"),
}
CODER_COLUMNS = ("coder", "created by", "user", "author")
CODE_SEPARATORS = ("\\", "::")  # MAXQDA and NVivo write Parent\Child, ATLAS.ti Group::Code
ANCHOR_WORDS = 6
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class UnlocatedSegment:
    """A segment of a human coding whose words were not found in its transcript."""

    row: int
    document: str
    code_path: str
    text: str
    reason: str


@dataclass(frozen=True)
class HumanCoding:
    """A coding of transcripts by a person (or another tool): located segments and the ones that were not."""

    source: str
    coder: str
    segments: tuple[CodedSegment, ...]
    unlocated: tuple[UnlocatedSegment, ...] = ()

    def summary(self) -> str:
        """Return one line: how many segments were read and located."""
        total = len(self.segments) + len(self.unlocated)
        return f"{self.source}: {len(self.segments)} of {total} segments located ({len(self.unlocated)} not found)"


def read_human_coding(
    path: str | Path, transcripts: Sequence[Transcript], *, codebook: Codebook | None = None,
    coder: str | None = None,
) -> HumanCoding:
    """Read a coding file (qualkit's ``coded_segments.csv`` or a document/code/segment table).

    Segments whose transcript is unknown, or whose words cannot be found in it, are returned in
    ``unlocated``, never dropped. ``coder`` overrides the coder named in the file (or the file name).
    """
    path = Path(path)
    table = _sheet(path)
    columns = {str(c).strip().casefold(): c for c in table.columns}
    by_id = {t.id: t for t in transcripts}
    if all(name in columns for name in QUALKIT_REQUIRED):
        return _read_qualkit(path, table, columns, by_id, codebook, coder)
    found = {key: next((columns[n] for n in names if n in columns), None) for key, names in TABLE_COLUMNS.items()}
    missing = [key for key, column in found.items() if column is None]
    if missing:
        raise CodingError(
            f"{path}: not a coding table: expected columns {', '.join(QUALKIT_REQUIRED)} (qualkit's coded_segments.csv) "
            f"or document, code_path, segment; missing {', '.join(missing)} (found: {', '.join(map(str, table.columns))})"
        )
    if [str(found[key]).strip().casefold() for key in found] != ["document", "code_path", "segment"]:
        warnings.warn(f"{path}: read as a coding table: the documents from {found['document']!r}, the codes from "
                      f"{found['code_path']!r}, the coded words from {found['text']!r}", stacklevel=2)
    who = next((columns[n] for n in CODER_COLUMNS if n in columns), None)
    return _read_table(path, table, {k: str(v) for k, v in found.items()}, by_id, codebook, coder, who)


def _sheet(path: Path) -> pd.DataFrame:
    """Read a coding file: CSV (comma, semicolon or tab separated) or an Excel workbook's first sheet."""
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str).fillna("")
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                            sep="\t" if path.suffix.lower() == ".tsv" else ",")
        header = str(table.columns[0]) if len(table.columns) == 1 else ""
        separator = next((s for s in (";", "\t") if s in header), None)  # a European or tab-separated export
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=separator) if separator \
            else table
    except FileNotFoundError:
        raise CodingError(f"{path}: coding file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError, ValueError, OSError) as exc:
        kind = "an Excel workbook" if path.suffix.lower() in (".xlsx", ".xlsm") else "CSV"
        raise CodingError(f"{path}: cannot read the coding as {kind}: "
                          f"{str(exc).splitlines()[0] if str(exc) else exc}") from None


def _code_id(code_path: str, codebook: Codebook | None) -> str:
    """Return the codebook's id for a code named by its path, its id or (when no other code has it) its name."""
    if codebook is not None:
        for code in codebook.codes:
            if code.path_label == code_path or code.id == code_path:
                return code.id
        named = [code.id for code in codebook.codes if code.name == code_path]
        if len(named) == 1:
            return named[0]
    return slugify(code_path)


def _code_paths(cell: str) -> list[str]:
    """Return the codes of a cell (one a line, as ATLAS.ti writes several), as ``Parent > Child`` paths."""
    paths = []
    for line in cell.splitlines() or [""]:
        for separator in CODE_SEPARATORS:
            line = line.replace(separator, ">")
        path = PATH_SEPARATOR.join(p.strip() for p in line.split(">") if p.strip())
        if path:
            paths.append(path)
    return paths or [""]


def _transcript_of(document: str, by_id: dict[str, Transcript]) -> Transcript | None:
    """Return the transcript a document cell names: by id, or by file name with or without its extension."""
    return by_id.get(document) or by_id.get(Path(document.replace("\\", "/")).stem)  # a Windows path too


def _read_qualkit(
    path: Path, table: pd.DataFrame, columns: dict[str, str], by_id: dict[str, Transcript],
    codebook: Codebook | None, coder: str | None,
) -> HumanCoding:
    segments, unlocated = [], []
    default_coder = coder or path.stem
    for number, row in enumerate(table.to_dict("records"), start=2):
        get = lambda name: str(row.get(columns.get(name, ""), "") or "").strip()  # noqa: E731
        document, code_path, text = get("transcript"), get("code_path"), str(row[columns["text"]])
        transcript = by_id.get(document)
        try:
            start, end = int(get("start")), int(get("end"))
        except ValueError:
            raise CodingError(f"{path}, line {number}: start/end must be whole numbers, got {get('start')!r}, {get('end')!r}") from None
        if transcript is None:
            unlocated.append(UnlocatedSegment(number, document, code_path, text, f"no transcript {document!r}"))
            continue
        if transcript.text[start:end] != text:
            located = locate(transcript, text)
            if located is None:
                unlocated.append(UnlocatedSegment(number, document, code_path, text,
                                                  f"text differs from the transcript at {start}-{end} and was not found"))
                continue
            start, end = located
        code_id = get("code_id") or _code_id(code_path, codebook)
        segments.append(_segment(transcript, start, end, code_id, code_path or code_id,
                                 coder or get("coder") or default_coder, get("unit") or "segment"))
    return HumanCoding(str(path), coder or _common_coder(segments, default_coder), tuple(segments), tuple(unlocated))


def _read_table(
    path: Path, table: pd.DataFrame, columns: dict[str, str], by_id: dict[str, Transcript],
    codebook: Codebook | None, coder: str | None, coder_column: str | None = None,
) -> HumanCoding:
    segments, unlocated = [], []
    name = coder or path.stem
    indexes: dict[str, _WordIndex] = {}
    for number, row in enumerate(table.to_dict("records"), start=2):
        document = str(row[columns["document"]]).strip()
        text = str(row[columns["text"]])
        who = coder or (str(row[coder_column]).strip() if coder_column else "") or name
        transcript = _transcript_of(document, by_id)
        for code_path in _code_paths(str(row[columns["code_path"]])):
            if transcript is None:
                unlocated.append(UnlocatedSegment(number, document, code_path, text, f"no transcript {document!r}"))
                continue
            index = indexes.setdefault(transcript.id, _WordIndex(transcript.text))
            located = index.find(text)
            if located is None:
                unlocated.append(UnlocatedSegment(number, document, code_path, text, "words not found in the transcript"))
                continue
            segments.append(_segment(transcript, *located, _code_id(code_path, codebook), code_path, who, "segment"))
    return HumanCoding(str(path), name, tuple(segments), tuple(unlocated))


def _common_coder(segments: Iterable[CodedSegment], default: str) -> str:
    names = sorted({s.coder for s in segments})
    return names[0] if len(names) == 1 else default


def _turn_at(transcript: Transcript, offset: int) -> Turn | None:
    for turn in transcript.turns:
        if turn.start <= offset < max(turn.end, turn.start + 1):
            return turn
    following = [t for t in transcript.turns if t.start >= offset]
    return following[0] if following else (transcript.turns[-1] if transcript.turns else None)


def _segment(transcript: Transcript, start: int, end: int, code_id: str, code_path: str, coder: str, unit: str) -> CodedSegment:
    turn = _turn_at(transcript, start)
    return CodedSegment(
        transcript=transcript.id, speaker=turn.speaker if turn else "", role=turn.role if turn else "",
        turn=turn.index if turn else 0, code_id=code_id, code_path=code_path, start=start, end=end,
        text=transcript.text[start:end], coder=coder, unit=unit,
    )


def locate(transcript: Transcript, text: str) -> tuple[int, int] | None:
    """Return the ``(start, end)`` offsets of the text's words in the transcript, or None."""
    return _WordIndex(transcript.text).find(text)


class _WordIndex:
    """The words of a text (case-folded) with their offsets, for finding passages whatever their spacing."""

    def __init__(self, text: str) -> None:
        self.spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        self.words = [text[a:b].casefold() for a, b in self.spans]
        self.positions: dict[str, list[int]] = {}
        for number, word in enumerate(self.words):
            self.positions.setdefault(word, []).append(number)

    def find(self, text: str) -> tuple[int, int] | None:
        words = [w.casefold() for w in _WORD.findall(text)]
        if not words:
            return None
        exact = self._sequence(words)
        if exact is not None:
            return self.spans[exact][0], self.spans[exact + len(words) - 1][1]
        # Small differences inside (a dropped or misspelt word): anchor on the first and last words.
        size = min(ANCHOR_WORDS, len(words) // 2)
        if size < 3:
            return None
        head, tail = self._sequence(words[:size]), None
        if head is None:
            return None
        for start in self.positions.get(words[-size], []):
            if start > head and self.words[start : start + size] == words[-size:]:
                tail = start + size - 1
                break
        if tail is None or not (0.8 * len(words) <= tail - head + 1 <= 1.25 * len(words)):
            return None
        return self.spans[head][0], self.spans[tail][1]

    def _sequence(self, words: list[str]) -> int | None:
        for start in self.positions.get(words[0], []):
            if self.words[start : start + len(words)] == words:
                return start
        return None


def coding_frame(coding: HumanCoding) -> pd.DataFrame:
    """Return the unlocated segments as a table (row, document, code_path, text, reason)."""
    return pd.DataFrame([vars(u) for u in coding.unlocated], columns=["row", "document", "code_path", "text", "reason"])


__all__ = ["HumanCoding", "UnlocatedSegment", "locate", "read_human_coding", "coding_frame"]
