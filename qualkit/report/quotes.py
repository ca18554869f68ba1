"""Quote selection and attribution: which passages a report quotes, how they are trimmed and credited."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

ELLIPSIS = "[...]"
SENTENCE_END = re.compile(r"[.!?…][\"'’”)\]]*\s*$")
WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class QuotePolicy:
    """How quotes are chosen; every report kind uses the same policy.

    ``per_code``: at most this many quotes under one code (or suggested theme).
    ``min_words``/``max_words``: a passage of moderate length is preferred; longer ones are trimmed
    to ``context_words`` words either side of the matched words, with ``[...]`` where text was cut.
    ``ideal_words``: among acceptable passages, the closest to this length comes first.
    ``spread``: take a new participant, then a new group, before a second quote from either.
    ``complete_sentences``: prefer passages that start with a capital and end with a full stop.
    A passage (same transcript, overlapping offsets) is never quoted twice under one heading.
    """

    per_code: int = 3
    min_words: int = 8
    max_words: int = 60
    ideal_words: int = 25
    context_words: int = 15
    spread: bool = True
    complete_sentences: bool = True


def _words(text: str) -> int:
    return len(text.split())


# A sentence ends at . ! ? or … (closing marks kept with it) before a capital or digit, which may come
# after an opening mark or after a transcriber's note ("honest. [laughs] It sounds daft": two sentences).
SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"'’”)\]]*\s+(?=(?:[\[(][^\])\n]{1,40}[\])]\s+)?[\"'‘“(\[]?[A-Z0-9])|\n\s*\n")
QUOTE_MARKS = ("\"", "“", "”")


def _sentence_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` offsets of the sentences of ``text[lo:hi]``, spaces left out."""
    spans, cursor = [], lo
    for found in SENTENCE_BREAK.finditer(text, lo, hi):
        spans.append((cursor, found.start() + len(found.group().rstrip())))
        cursor = found.end()
    spans.append((cursor, hi))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def _balanced(text: str) -> bool:
    """True when the passage's quotation marks pair up (straight ones in even number, curly ones matched)."""
    return text.count('"') % 2 == 0 and text.count("“") == text.count("”")


def quote_span(text: str, turn: tuple[int, int], start: int, end: int, min_words: int = 8) -> tuple[int, int]:
    """Return the span to quote for a coded passage: whole sentences of its turn, at least ``min_words``
    words (the whole turn when it is shorter), with no dangling quotation mark where the turn allows it.

    ``turn`` is the turn's ``(start, end)`` in ``text``; the result always covers ``start``-``end``.
    """
    lo, hi = turn
    if not lo <= start < end <= hi:
        return start, end
    spans = _sentence_spans(text, lo, hi)
    if not spans:
        return start, end
    first = next((i for i, (a, b) in enumerate(spans) if b > start), len(spans) - 1)
    last = next((i for i in range(len(spans) - 1, -1, -1) if spans[i][0] < end), first)
    first, last = min(first, last), max(first, last)

    def words(i: int, j: int) -> int:
        return _words(text[spans[i][0]:spans[j][1]])

    while words(first, last) < min_words and (first > 0 or last < len(spans) - 1):
        if last < len(spans) - 1:
            last += 1
        else:
            first -= 1
    for _ in range(2):  # a quotation opened in the sentence before, or closed in the one after
        if _balanced(text[spans[first][0]:spans[last][1]]):
            break
        if first > 0 and _balanced(text[spans[first - 1][0]:spans[last][1]]):
            first -= 1
        elif last < len(spans) - 1 and _balanced(text[spans[first][0]:spans[last + 1][1]]):
            last += 1
        else:
            break
    a, b = min(spans[first][0], start), max(spans[last][1], end)
    return a, b


def quoted_phrases(note: str) -> list[str]:
    """Return the phrases an exclusion note quotes (``Not "before I was on my own"``), in a comparable form."""
    found = re.findall(r"\"([^\"]{3,})\"|“([^”]{3,})”|(?<![A-Za-z])'([^']{3,}?)'(?![A-Za-z])", note or "")
    return [normal(next(g for g in groups if g)) for groups in found]


def normal(text: str) -> str:
    """Text folded for comparison: lower case, curly apostrophes straight, punctuation and runs of space dropped."""
    text = text.casefold().replace("’", "'").replace("‘", "'")
    return " ".join(re.sub(r"[^\w' ]+", " ", text).split())


def exclusion_check(code: Mapping[str, Any]) -> Any:
    """Return a function telling whether a passage must not illustrate ``code``: it contains a phrase the
    code's exclusion note quotes, or the words of one of its ``exclude`` patterns (phrase patterns)."""
    phrases = quoted_phrases(code.get("exclude", ""))
    vetoes = []
    for label in code.get("patterns", ()):
        if isinstance(label, str) and label.startswith("exclude ") and not label[8:].lstrip().startswith(("[", "{")):
            words = normal(label[8:]).split()
            if words:
                vetoes.append((label[8:].strip(), re.compile(r"\b" + r"\W+".join(re.escape(w) + r"\w*" for w in words), re.I)))

    def excluded(text: str) -> str:
        folded = normal(text)
        for phrase in phrases:
            if phrase and re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", folded):
                return f'quotes the exclusion note\'s "{phrase}"'
        for label, veto in vetoes:
            if veto.search(text):
                return f"matches the exclude pattern '{label}'"
        return ""

    return excluded


def is_complete(text: str) -> bool:
    """Return True when the text reads as whole sentences: a capital (or quote) first, a stop last."""
    stripped = text.strip()
    return bool(stripped) and (stripped[0].isupper() or stripped[0] in "\"'‘“") and bool(SENTENCE_END.search(stripped))


REVIEWED = ("accepted", "recoded", "manual")


def full_text(item: Mapping[str, Any]) -> str:
    """The text a quote shows: the coded passage with the rest of its sentences (``quote_before``/``_after``)."""
    return item.get("quote_before", "") + item["text"] + item.get("quote_after", "")


def quality(item: Mapping[str, Any], policy: QuotePolicy) -> tuple[int, int, int, int, int]:
    """Return a sort key, best first: reviewed by a person, moderate length, complete sentences, nearness
    to the ideal length."""
    text = full_text(item)
    words = _words(text)
    moderate = policy.min_words <= words <= policy.max_words
    complete = (is_complete(text) and _balanced(text)) if policy.complete_sentences else True
    return (0 if item.get("status") in REVIEWED else 1, 0 if moderate else (1 if words > policy.max_words else 2),
            0 if complete else 1, abs(words - policy.ideal_words), item["start"])


def choose_quotes(items: Sequence[Mapping[str, Any]], policy: QuotePolicy, groups: Mapping[str, str] | None = None,
                  limit: int | None = None,
                  person: Callable[[Mapping[str, Any]], str] | None = None) -> list[Mapping[str, Any]]:
    """Pick up to ``limit`` (default ``policy.per_code``) passages by the policy.

    ``items`` are plain segments or units (``transcript``, ``start``, ``end``, ``text``); ``groups``
    maps transcript ids to their group for spreading across groups; ``person`` names the participant who
    said an item (default: its transcript), for spreading across participants (a focus group's speakers).
    """
    limit = policy.per_code if limit is None else limit
    groups = groups or {}
    who = person or (lambda item: item["transcript"])
    remaining = sorted(items, key=lambda item: quality(item, policy))
    chosen: list[Mapping[str, Any]] = []
    people: dict[str, int] = {}
    group_counts: dict[str, int] = {}
    while remaining and len(chosen) < limit:
        def order(pair: tuple[int, Mapping[str, Any]]) -> tuple[int, int, int]:
            index, item = pair
            if not policy.spread:
                return (0, 0, index)
            return (people.get(who(item), 0), group_counts.get(groups.get(item["transcript"], ""), 0), index)

        index, best = min(enumerate(remaining), key=order)
        chosen.append(best)
        people[who(best)] = people.get(who(best), 0) + 1
        group = groups.get(best["transcript"], "")
        group_counts[group] = group_counts.get(group, 0) + 1
        remaining = [item for item in remaining[:index] + remaining[index + 1:] if not _overlaps(item, chosen)]
    return chosen


def _overlaps(item: Mapping[str, Any], chosen: Sequence[Mapping[str, Any]]) -> bool:
    return any(c["transcript"] == item["transcript"] and c["start"] < item["end"] and item["start"] < c["end"]
               for c in chosen)


def quote_pieces(text: str, marks: Sequence[tuple[int, int]], policy: QuotePolicy) -> list[dict[str, Any]]:
    """Split a passage into pieces for display, flagging the matched words.

    ``marks`` are ``(start, end)`` offsets into ``text``. A passage longer than ``policy.max_words``
    is cut to ``policy.context_words`` words either side of the marks; each cut shows as a piece
    ``{"text": "[...]", "match": False, "cut": True}``.
    """
    lo, hi = 0, len(text)
    if _words(text) > policy.max_words:
        spans = [m.span() for m in WORD.finditer(text)]
        if marks:
            first, last = min(a for a, _ in marks), max(b for _, b in marks)
        else:
            first, last = 0, spans[min(len(spans), policy.max_words) - 1][1]
        before = [i for i, (a, b) in enumerate(spans) if b <= first]
        after = [i for i, (a, b) in enumerate(spans) if a >= last]
        if before and len(before) > policy.context_words:
            lo = spans[before[-policy.context_words]][0]
        if after and len(after) > policy.context_words:
            hi = spans[after[policy.context_words - 1]][1]
    pieces: list[dict[str, Any]] = []
    if lo > 0:
        pieces.append({"text": ELLIPSIS + " ", "match": False, "cut": True})
    cursor = lo
    for a, b in sorted(set(marks)):
        a, b = max(a, cursor), min(b, hi)
        if a >= b:
            continue
        if a > cursor:
            pieces.append({"text": text[cursor:a], "match": False, "cut": False})
        pieces.append({"text": text[a:b], "match": True, "cut": False})
        cursor = b
    if cursor < hi:
        pieces.append({"text": text[cursor:hi], "match": False, "cut": False})
    if hi < len(text):
        pieces.append({"text": " " + ELLIPSIS, "match": False, "cut": True})
    return pieces


def attribution(attributes: Mapping[str, str], fields: Sequence[str], transcript_id: str, speaker: str,
                separator: str = ", ") -> str:
    """Return e.g. ``HT01, health trainer, Northfield``: only the listed fields, empty ones left out, none twice.

    ``id`` is the transcript id, ``speaker`` the speaker label unless the transcript has an attribute of that name
    (a survey's ``speaker`` column, grouped by: its value, not the response id again); any other name is an attribute.
    """
    values = []
    for name in fields:
        if name == "id":
            values.append(transcript_id)
        elif name == "speaker" and name not in attributes:
            values.append(speaker)
        else:
            values.append(str(attributes.get(name, "") or ""))
    return separator.join(dict.fromkeys(v for v in values if v))


RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def reads_right_to_left(text: str) -> bool:
    """Whether text's first strong letter is right-to-left (a Hebrew or Arabic quote), as a browser's dir=auto decides."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def isolate(text: Any) -> str:
    """Return ``text`` between Unicode isolates (FSI ... PDI) when it holds right-to-left letters (Hebrew, Arabic),
    so that the numbers and punctuation written after it (``מ: 0/1 (0.0%)``) keep their order in a left-to-right
    line; other text unchanged."""
    text = str(text)
    return f"\u2068{text}\u2069" if RIGHT_TO_LEFT.search(text) else text


def parse_fields(text: str) -> tuple[str, ...]:
    """Return the attribute names of an attribution format such as ``"id, group, site"``."""
    return tuple(name.strip() for name in text.split(",") if name.strip())
