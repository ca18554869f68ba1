"""Pseudonymisation: a mapping of real names to pseudonyms, applied to all report data, and a leak check."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any, Mapping, Sequence


from qualkit.errors import ReportError
from qualkit.mapping_file import read_mapping


class Pseudonymiser:
    """Replace whole-word real names (any case) by their pseudonyms; longer names are replaced first."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self.mapping = {k.strip(): v for k, v in mapping.items() if k.strip()}
        self._lookup = {k.casefold(): v for k, v in self.mapping.items()}
        names = sorted(self.mapping, key=len, reverse=True)
        self.pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)",
                                  re.IGNORECASE) if names else None

    def __bool__(self) -> bool:
        return bool(self.mapping)

    def text(self, text: str) -> str:
        """Return the text with every real name replaced."""
        if self.pattern is None or not text:
            return text
        return self.pattern.sub(lambda m: self._lookup[m.group(0).casefold()], text)

    def text_and_spans(self, text: str, spans: Sequence[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
        """Return the replaced text and ``spans`` (offsets into ``text``) moved to the new text."""
        if self.pattern is None:
            return text, list(spans)
        out, shifts, cursor, delta = [], [], 0, 0
        for m in self.pattern.finditer(text):
            out.append(text[cursor:m.start()])
            new = self._lookup[m.group(0).casefold()]
            out.append(new)
            shifts.append((m.start(), m.end(), delta, len(new) - (m.end() - m.start())))
            delta += len(new) - (m.end() - m.start())
            cursor = m.end()
        out.append(text[cursor:])

        def move(pos: int, is_end: bool) -> int:
            shift = 0
            for a, b, before, change in shifts:
                if pos >= b:
                    shift = before + change
                elif a < pos:  # inside a replaced name: widen to the whole pseudonym
                    return (b + before + change) if is_end else (a + before)
                else:
                    break
            return pos + shift

        return "".join(out), [(move(a, False), move(b, True)) for a, b in spans]

    def data(self, value: Any) -> Any:
        """Return plain data (dicts, lists, strings) with every string value replaced; keys are kept."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value

    def leaks(self, text: str) -> dict[str, int]:
        """Return ``{real name: times}`` for the real names still present in the text."""
        found: dict[str, int] = {}
        if self.pattern is None:
            return found
        for m in self.pattern.finditer(text):
            name = next(k for k in self.mapping if k.casefold() == m.group(0).casefold())
            found[name] = found.get(name, 0) + 1
        return found


def load_pseudonyms(path: str | Path) -> Pseudonymiser:
    """Read a mapping file: a CSV with ``real,pseudonym`` columns (header optional) or YAML ``real: pseudonym``."""
    headers = {("real", "pseudonym"), ("name", "pseudonym")}
    return Pseudonymiser(read_mapping(path, "pseudonym", ("real name", "pseudonym"), headers, ReportError))


def check_outputs(pseudonymiser: Pseudonymiser, texts: Mapping[str, str]) -> list[str]:
    """Warn (and return the messages) for each output in which a mapped real name still appears."""
    messages = []
    for name, text in texts.items():
        for real, times in pseudonymiser.leaks(text).items():
            messages.append(f"{name}: real name {real!r} still appears {times} time{'s' if times != 1 else ''} "
                            "after pseudonymisation")
    for message in messages:
        warnings.warn(message, stacklevel=2)
    return messages
