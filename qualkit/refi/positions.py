"""Position conventions of ``PlainTextSelection``: which unit a tool counted, detected per source.

The standard says Unicode characters; NVivo counts UTF-16 code units (an emoji is two) and, on
Windows, CRLF as two; Taguette stores UTF-8 bytes. A source's raw text (BOM removed, line endings as
written) is mapped to qualkit's stored text (line endings normalised to ``\\n``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Callable

CHARACTERS, UTF16, UTF8 = "characters", "UTF-16 code units", "UTF-8 bytes"
_WIDE = {
    CHARACTERS: None,
    UTF16: re.compile("[\U00010000-\U0010ffff]"),
    UTF8: re.compile("[^\x00-\x7f]"),
}
BAD = 10  # penalty of a position that is impossible under a convention


@dataclass(frozen=True)
class Convention:
    """A way of counting positions: the unit, and whether a CRLF in the source counts as two."""

    unit: str = CHARACTERS
    crlf_two: bool = True

    def label(self) -> str:
        """Return e.g. ``UTF-16 code units (CRLF counted as two)``."""
        return self.unit + (" (CRLF counted as two)" if self.crlf_two else " (CRLF counted as one)")


class _Widths:
    """Maps offsets in some unit to character offsets, given the characters wider than one unit."""

    def __init__(self, starts: list[int], ends: list[int], extra: list[int]) -> None:
        self.starts, self.ends, self.extra = starts, ends, extra

    @classmethod
    def of(cls, text: str, pattern: re.Pattern[str] | None, width: Callable[[str], int], chars: int = 1) -> "_Widths":
        """Index the matches of ``pattern``: each is ``chars`` characters wide in the result and
        ``width(match)`` units wide in the offsets being mapped (matches never overlap)."""
        starts: list[int] = []
        ends: list[int] = []
        extra: list[int] = []
        total = removed = 0
        if pattern is not None:
            for match in pattern.finditer(text):
                w = width(match.group())
                start = match.start() - removed + total
                starts.append(start)
                ends.append(start + w)
                removed += match.end() - match.start() - chars
                total += w - chars
                extra.append(total)
        return cls(starts, ends, extra)

    def to_chars(self, offset: int) -> tuple[int, bool]:
        """Return (character offset, whether the offset fell inside a wide character)."""
        k = bisect_right(self.ends, offset)
        chars = offset - (self.extra[k - 1] if k else 0)
        inside = k < len(self.starts) and self.starts[k] < offset
        return chars, inside


class SourceText:
    """A source's raw text and its stored text, with offset mapping under each convention."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.text = raw.replace("\r\n", "\n").replace("\r", "\n")
        self._crlf = _Widths.of(raw, re.compile("\r\n"), lambda s: 2)  # raw chars -> stored chars
        self._units: dict[tuple[str, bool], _Widths] = {}

    def conventions(self) -> list[Convention]:
        """Return the conventions that give different answers on this text (characters first)."""
        units = [CHARACTERS]
        if _WIDE[UTF16].search(self.raw):  # type: ignore[union-attr]
            units.append(UTF16)
        if _WIDE[UTF8].search(self.raw):  # type: ignore[union-attr]
            units.append(UTF8)
        crlf = [True, False] if "\r\n" in self.raw else [True]
        return [Convention(u, c) for u in units for c in crlf]

    def _widths(self, convention: Convention) -> _Widths:
        key = (convention.unit, convention.crlf_two)
        if key not in self._units:
            base = self.raw if convention.crlf_two else self.text
            pattern = _WIDE[convention.unit]
            if convention.unit == UTF16:
                self._units[key] = _Widths.of(base, pattern, lambda s: 2)
            elif convention.unit == UTF8:
                self._units[key] = _Widths.of(base, pattern, lambda s: len(s.encode("utf-8", "surrogatepass")))
            else:
                self._units[key] = _Widths([], [], [])
        return self._units[key]

    def to_stored(self, offset: int, convention: Convention) -> tuple[int, bool]:
        """Return (offset in the stored text, whether it split a character or a CRLF)."""
        chars, split = self._widths(convention).to_chars(offset)
        if convention.crlf_two:
            chars, inside = self._crlf.to_chars(chars)
            split = split or inside
        return chars, split

    def span(self, start: int, end: int, convention: Convention) -> tuple[int, int, int]:
        """Return (start, end, badness) of a selection: badness counts impossible and word-cutting ends."""
        a, split_a = self.to_stored(start, convention)
        b, split_b = self.to_stored(end, convention)
        bad = 0
        if start < 0 or end < start or a > len(self.text) or b > len(self.text):
            return a, b, BAD * 2
        bad += BAD * (split_a + split_b)
        text = self.text
        if 0 < a < len(text) and text[a - 1].isalnum() and text[a].isalnum():
            bad += 1
        if 0 < b < len(text) and text[b - 1].isalnum() and text[b].isalnum():
            bad += 1
        return a, b, bad


# The convention each tool is known to write, tried first when the text cannot tell them apart.
TOOL_PRIORS = (("nvivo", UTF16), ("taguette", UTF8))


def detect(source: SourceText, spans: list[tuple[int, int]], origin: str) -> tuple[Convention, int]:
    """Return the convention under which the selections fit the text best, and its badness.

    A selection that splits a surrogate pair, a multi-byte character or a CRLF, or lies outside the
    text, counts heavily against a convention; one that cuts through a word counts a little. Ties go to
    the writing tool's known convention, then to the standard's (characters).
    """
    candidates = source.conventions()
    prior = next((unit for name, unit in TOOL_PRIORS if name in origin.casefold()), CHARACTERS)
    candidates.sort(key=lambda c: (c.unit != prior, c.unit != CHARACTERS, not c.crlf_two))
    best, best_bad = candidates[0], -1
    for convention in candidates:
        bad = sum(source.span(s, e, convention)[2] for s, e in spans)
        if best_bad < 0 or bad < best_bad:
            best, best_bad = convention, bad
    return best, max(best_bad, 0)


ASTRAL = re.compile("[\U00010000-\U0010ffff]")
POSITIONS = {"characters": CHARACTERS, "utf16": UTF16}


def utf16_offset(text: str) -> Callable[[int], int]:
    """Return a function mapping a character offset of ``text`` to its offset in UTF-16 code units."""
    astral = [m.start() for m in ASTRAL.finditer(text)]
    if not astral:
        return lambda offset: offset
    return lambda offset: offset + bisect_right(astral, offset - 1)
