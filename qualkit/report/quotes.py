"""Quote selection and attribution: which passages a report quotes, how they are trimmed and credited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

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


def is_complete(text: str) -> bool:
    """Return True when the text reads as whole sentences: a capital (or quote) first, a stop last."""
    stripped = text.strip()
    return bool(stripped) and (stripped[0].isupper() or stripped[0] in "\"'‘“") and bool(SENTENCE_END.search(stripped))


def quality(item: Mapping[str, Any], policy: QuotePolicy) -> tuple[int, int, int, int]:
    """Return a sort key, best first: moderate length, complete sentences, nearness to the ideal length."""
    words = _words(item["text"])
    moderate = policy.min_words <= words <= policy.max_words
    complete = is_complete(item["text"]) if policy.complete_sentences else True
    return (0 if moderate else (1 if words > policy.max_words else 2), 0 if complete else 1,
            abs(words - policy.ideal_words), item["start"])


def choose_quotes(items: Sequence[Mapping[str, Any]], policy: QuotePolicy, groups: Mapping[str, str] | None = None,
                  limit: int | None = None) -> list[Mapping[str, Any]]:
    """Pick up to ``limit`` (default ``policy.per_code``) passages by the policy.

    ``items`` are plain segments or units (``transcript``, ``start``, ``end``, ``text``); ``groups``
    maps transcript ids to their group for spreading across groups.
    """
    limit = policy.per_code if limit is None else limit
    groups = groups or {}
    remaining = sorted(items, key=lambda item: quality(item, policy))
    chosen: list[Mapping[str, Any]] = []
    people: dict[str, int] = {}
    group_counts: dict[str, int] = {}
    while remaining and len(chosen) < limit:
        def order(pair: tuple[int, Mapping[str, Any]]) -> tuple[int, int, int]:
            index, item = pair
            if not policy.spread:
                return (0, 0, index)
            return (people.get(item["transcript"], 0), group_counts.get(groups.get(item["transcript"], ""), 0), index)

        index, best = min(enumerate(remaining), key=order)
        chosen.append(best)
        people[best["transcript"]] = people.get(best["transcript"], 0) + 1
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
    """Return e.g. ``HT01, health trainer, Northfield``: only the listed fields, empty ones left out.

    ``id`` is the transcript id, ``speaker`` the speaker label; any other name is an attribute.
    """
    values = []
    for name in fields:
        if name == "id":
            values.append(transcript_id)
        elif name == "speaker":
            values.append(speaker)
        else:
            values.append(str(attributes.get(name, "") or ""))
    return separator.join(v for v in values if v)


def parse_fields(text: str) -> tuple[str, ...]:
    """Return the attribute names of an attribution format such as ``"id, group, site"``."""
    return tuple(name.strip() for name in text.split(",") if name.strip())
