"""Per-doc token facts as plain integer lists, and the units hits code: sentences, turns, matches, context.

Token positions stay integers throughout (no spaCy ``Span`` or ``Token`` per hit); character offsets
into the transcript are computed once per coded unit. Part of the ``coding`` package, the only one that
imports spaCy.
"""

from __future__ import annotations

import dataclasses
import warnings
from bisect import bisect_right
from typing import Any, Callable, Protocol, Sequence, TypeVar

import numpy as np
from spacy.attrs import IDX, LEMMA, LENGTH, LOWER, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from qualkit.coding.pipeline import TOKEN_IDS
from qualkit.transcript import Transcript, Turn

Hit = tuple[int, int, Any]  # token start, token end, what matched (a match key)
R = TypeVar("R")
_OFFSETS = [IDX, LENGTH]
FEW_HITS = 8  # up to this many hits in a doc, token offsets are read one token at a time


def record_maker(cls: type[R]) -> Callable[..., R]:
    """Return a fast constructor of a frozen dataclass taking every field positionally.

    It fills the instance's ``__dict__`` one key at a time instead of calling ``object.__setattr__`` per
    field (3x faster; the record is equal to one built by ``cls(...)``); the function is generated from
    the field names, as ``dataclasses`` generates ``__init__``. Falls back to ``cls`` for classes with
    slots or a ``__post_init__``.
    """
    if hasattr(cls, "__slots__") or hasattr(cls, "__post_init__"):
        return cls
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    fill = "".join(f"    fields[{name!r}] = {name}\n" for name in names)
    source = f"def make({', '.join(names)}):\n    item = new(cls)\n    fields = item.__dict__\n{fill}    return item\n"
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    exec(source, scope)  # noqa: S102 - field names of a dataclass, not input
    return scope["make"]  # type: ignore[no-any-return]


class Offsets(Protocol):
    """Token character offsets by token index: a list, or read one token at a time."""

    def __getitem__(self, i: int, /) -> int: ...


class DocFacts:
    """What the coder needs of one doc, as integer lists: lower-case ids, sentence starts, offsets.

    The lower-case ids (a list and its set) are those qualkit's lemmatizer kept on the doc when it set
    the lemmas (``TOKEN_IDS``), so no second pass reads them; another pipeline's doc is read with
    ``to_array``. Lemma ids, sentence starts and offsets are read only when a hit or a rule needs them.
    """

    __slots__ = ("doc", "length", "lower", "lowers", "negated", "_lemma", "_lemma_ids", "_sentences", "_idx",
                 "_end")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.length = length = len(doc)
        self._sentences: list[int] | None = None
        self._idx: Offsets | None = None
        self._end: Offsets = []
        self._lemma: list[int] | None = None
        self.negated: dict[int, int] | None = None  # token -> the negator governing it (see ``Negation``)
        kept = doc.user_data.get(TOKEN_IDS)
        if kept is not None and len(kept[0]) == length:
            self.lower, self.lowers, self._lemma_ids = kept
        else:
            self.lower = doc.to_array(LOWER).tolist() if length else []
            self.lowers, self._lemma_ids = set(self.lower), None

    @property
    def lemma(self) -> list[int]:
        """Return the lemma id of every token."""
        if self._lemma is None:
            ids = self._lemma_ids if self._lemma_ids is not None else self.doc.to_array(LEMMA) if self.length else None
            self._lemma = ids.tolist() if ids is not None else []
        return self._lemma

    @property
    def sentences(self) -> list[int]:
        """Return the token index where each sentence starts (``[0]`` for an empty doc)."""
        if self._sentences is None:
            doc = self.doc
            if self.length < 2 or "sents" in doc.user_hooks:
                self._sentences = [sentence.start for sentence in doc.sents] if "sents" in doc.user_hooks else [0]
            else:  # as ``doc.sents`` reads them (a start is a token whose sent_start is 1), without a Span each
                self._sentences = [0, *(np.flatnonzero(doc.to_array(SENT_START)[1:] == 1) + 1).tolist()]
        return self._sentences

    def sentence_bounds(self, number: int) -> tuple[int, int]:
        """Return the token span ``(begin, end)`` of sentence ``number``."""
        sentences = self.sentences
        return sentences[number], sentences[number + 1] if number + 1 < len(sentences) else self.length

    def offsets(self, hits: int = -1) -> tuple[Offsets, Offsets]:
        """Return the character start and end of every token within the doc's text: read for every token at
        once, or, for a doc with ``FEW_HITS`` hits or fewer, one token at a time when asked (cheaper)."""
        if self._idx is None:
            if 0 <= hits <= FEW_HITS:
                self._idx, self._end = _TokenOffsets(self.doc, False), _TokenOffsets(self.doc, True)
            elif self.length:
                idx, length = self.doc.to_array(_OFFSETS).T
                self._idx, self._end = idx.tolist(), (idx + length).tolist()
            else:
                self._idx, self._end = [], []
        return self._idx, self._end

    def char_span(self, base: int, begin: int, end: int, text: str) -> tuple[int, int]:
        """Return the transcript offsets of tokens ``begin:end`` (the doc starts at ``base``), trimmed of space."""
        if end <= begin:
            return base, base
        idx, ends = self.offsets()
        start, stop = base + idx[begin], base + ends[end - 1]
        words = text[start:stop]
        return start + len(words) - len(words.lstrip()), stop - len(words) + len(words.rstrip())


class _TokenOffsets:
    """The character starts (or ends) of a doc's tokens, each read when asked for."""

    __slots__ = ("doc", "end")

    def __init__(self, doc: Doc, end: bool) -> None:
        self.doc, self.end = doc, end

    def __getitem__(self, i: int) -> int:
        token = self.doc[i]
        return token.idx + len(token) if self.end else token.idx


def sentence_of(sentences: list[int], token: int) -> int:
    """Return the number of the sentence holding a token."""
    return bisect_right(sentences, token) - 1


def merge_matches(groups: dict[tuple[int, int], list[Hit]]) -> dict[tuple[int, int], list[Hit]]:
    """Merge overlapping and adjacent match units (token spans) into one."""
    merged: dict[tuple[int, int], list[Hit]] = {}
    current: tuple[int, int] | None = None
    for bounds in sorted(groups):
        if current is not None and bounds[0] <= current[1]:
            found = merged.pop(current)
            current = (current[0], max(current[1], bounds[1]))
            merged[current] = found + groups[bounds]
        else:
            current = bounds
            merged[current] = list(groups[bounds])
    return merged


def combine_near(raw: Sequence[Hit], sentences: list[int], whole: dict[int, Any]) -> tuple[list[Hit], list[Hit]]:
    """Split a code's raw hits into positive hits and vetoes, joining the two sides of ``near`` patterns.

    ``whole`` maps a near pattern's index to the key standing for the whole pattern.
    """
    hits: list[Hit] = []
    vetoes: list[Hit] = []
    sides: dict[int, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    for begin, end, key in raw:
        if key.part >= 0:
            sides.setdefault(key.pattern.index, ([], []))[key.part].append((begin, end))
        elif key.veto:
            vetoes.append((begin, end, key))
        else:
            hits.append((begin, end, key))
    for index, (left, right) in sides.items():
        key = whole[index]
        pattern = key.pattern
        for a in left:
            for b in right:
                first, second = (a, b) if a[0] <= b[0] else (b, a)
                if pattern.ordered and first is not a:
                    continue
                if second[0] - first[1] > pattern.distance:
                    continue
                begin, end = min(a[0], b[0]), max(a[1], b[1])
                if sentence_of(sentences, begin) != sentence_of(sentences, end - 1):
                    continue
                (vetoes if key.veto else hits).append((begin, end, key))
    return hits, vetoes


def widen_to_context(nlp: Language, transcript: Transcript, turn: Turn, wanted: int, start: int,
                     end: int) -> tuple[int, int]:
    """Widen a turn unit by ``wanted`` sentences before and after it (``turn+N``), across turns."""
    before = [t for t in transcript.turns if t.end <= turn.start]
    after = [t for t in transcript.turns if t.start >= turn.end]
    spans: list[tuple[int, int]] = []
    for other in reversed(before):
        spans = sentence_spans(nlp, transcript, other) + spans
        if len(spans) >= wanted:
            break
    if spans and wanted:
        start = spans[-wanted if wanted <= len(spans) else 0][0]
    spans = []
    for other in after:
        spans += sentence_spans(nlp, transcript, other)
        if len(spans) >= wanted:
            break
    if spans and wanted:
        end = spans[min(wanted, len(spans)) - 1][1]
    return start, end


def sentence_spans(nlp: Language, transcript: Transcript, turn: Turn) -> list[tuple[int, int]]:
    """Return the transcript offsets of a turn's non-blank sentences."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        facts = DocFacts(nlp(transcript.turn_text(turn)))
    return unit_spans(facts, turn.start, transcript.text, whole=False)


def unit_spans(facts: DocFacts, base: int, text: str, whole: bool) -> list[tuple[int, int]]:
    """Return the transcript offsets of the doc's non-blank sentences (or of the whole doc)."""
    bounds = [(0, facts.length)] if whole else [facts.sentence_bounds(n) for n in range(len(facts.sentences))]
    spans = [facts.char_span(base, begin, end, text) for begin, end in bounds]
    return [(start, end) for start, end in spans if end > start]
