"""Codebook patterns: the ``Pattern`` record, its written form, and reading patterns from codebook YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from qualkit.codebook.yaml_lines import Mark, at
from qualkit.errors import CodebookError

PATTERN_KINDS = ("phrase", "exact", "word", "tokens", "near", "exclude")
YAML_BOOL = "YAML reads an unquoted yes/no/on/off (and true/false) as true or false; put the word in quotes, e.g. \"yes\""
REGEX_SIGNS = re.compile(r"\\[bwdsWDS]|\\.|\||\[[^\]]*\]|\.[*+?]|^\^|\$$|\(\?|\{\d+(?:,\d*)?\}")
GROUP = re.compile(r"\(([^()|]*(?:\|[^()|]*)+)\)")
DEFAULT_DISTANCE = 5
WORD_ATTRS = {"ORTH", "TEXT", "LOWER", "LEMMA", "NORM"}


@dataclass(frozen=True)
class Pattern:
    """One pattern of a code (see ``codebooks/README.md``).

    ``kind`` is ``phrase`` (on lemmas), ``exact`` (on lower case), ``wildcard`` (words with ``*``),
    ``token`` (a spaCy token pattern, ``value`` a list of dicts) or ``near`` (``parts`` within
    ``distance`` tokens, in order when ``ordered``). A ``veto`` pattern excludes the code from the
    units it matches. ``line``/``column`` place it in the codebook file.
    """

    kind: str
    value: Any
    index: int
    line: int = field(default=0, compare=False)
    column: int = field(default=0, compare=False)
    parts: tuple["Pattern", ...] = ()
    distance: int = 0
    ordered: bool = False
    veto: bool = False

    def label(self) -> str:
        """Return a short human-readable form of the pattern, as shown in reports and exports."""
        if self.kind == "near":
            order = ", ordered" if self.ordered else ""
            text = f"near({self.parts[0].label()}, {self.parts[1].label()}, {self.distance}{order})"
        elif self.kind == "token":
            text = " ".join(_token_label(t) for t in self.value)
        elif self.kind == "exact":
            text = f'"{self.value}"'
        else:
            text = str(self.value)
        return f"exclude {text}" if self.veto else text


def pattern_spec(pattern: Pattern) -> Any:
    """Return the pattern as it is written in a codebook file (the inverse of loading it)."""
    if pattern.kind == "near":
        spec: Any = {"near": [pattern_spec(p) for p in pattern.parts], "within": pattern.distance}
        if pattern.ordered:
            spec["ordered"] = True
    elif pattern.kind == "exact":
        spec = {"exact": pattern.value}
    elif pattern.kind == "token":
        spec = [_plain(t) for t in pattern.value]
    else:
        spec = pattern.value
    return {"exclude": spec} if pattern.veto else spec


def _plain(value: Any) -> Any:
    """Return a value with its mappings and lists as plain dicts and lists (YAML writes no subclass)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def regex_hint(text: str) -> str:
    """Return which pattern kind to write instead of a regular expression."""
    group = GROUP.search(text)
    if group and not REGEX_SIGNS.search(text[:group.start()] + text[group.end():]):
        options = [text[:group.start()] + option + text[group.end():] for option in group.group(1).split("|")]
        listed = ", ".join(f"'{o.strip()}'" for o in options if o.strip())
        return f"write each alternative as its own phrase pattern ({listed})"
    words = re.sub(r"\\[bB]|\^|\$", "", text)
    stem = re.sub(r"(?:\\w|\.|\[[^\]]*\])[*+]", "*", words)
    if stem != words and re.fullmatch(r"[\w' *-]+", stem) and all(len(w.replace("*", "")) >= 2 for w in stem.split()):
        return f"use a wildcard word ('{stem.strip()}')"
    if re.fullmatch(r"[\w' -]+", words) and words.strip():
        return f"write the words as a phrase ('{words.strip()}')"
    return "use a phrase, a wildcard word (word*), a list of phrases, or a token pattern ({tokens: [...]}, " \
           "see codebooks/README.md)"


def _token_label(token: dict[str, Any]) -> str:
    parts = [f"{k}={v}" for k, v in token.items() if k != "OP"]
    text = "[" + ",".join(parts) + "]"
    return text + token.get("OP", "")


class PatternReader:
    """Reads the patterns of a codebook's codes, raising ``CodebookError`` that names the file and place."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, mark: Mark, where: str, problem: str) -> CodebookError:
        """Return the error for a problem at ``mark`` (line, column) of the codebook file."""
        line, column = mark
        place = f", line {line}" if line else ""
        place += f", column {column}" if line and column else ""
        return CodebookError(f"{self.source}{place}, {where}: {problem}")

    def flag(self, node: dict[str, Any], key: str, where: str, default: bool) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(at(node, key), where, f"'{key}' must be true or false, got {value!r}")
        return value

    def patterns(self, node: dict[str, Any], where: str) -> tuple[Pattern, ...]:
        """Return the checked patterns of a code node."""
        raw = node.get("patterns") or []
        if not isinstance(raw, list):
            raise self.fail(at(node, "patterns"), where, "'patterns' must be a list")
        marks = getattr(raw, "item_marks", [at(node, "patterns")] * len(raw))
        result = [self.pattern(value, number, mark, f"{where}, pattern {number}")
                  for number, (value, mark) in enumerate(zip(raw, marks), start=1)]
        if result and all(p.veto for p in result):
            raise self.fail(at(node, "patterns"), where, "has only 'exclude' patterns: nothing can code it")
        return tuple(result)

    def pattern(self, value: Any, number: int, mark: Mark, place: str, inner: bool = False) -> Pattern:
        line, column = mark
        if isinstance(value, bool):
            raise self.fail(mark, place, f"expected a phrase, got {str(value).lower()}: {YAML_BOOL}")
        if isinstance(value, str):
            return self.text_pattern("phrase", value, number, mark, place)
        if isinstance(value, list) and value and all(isinstance(t, dict) and t for t in value):
            return self.token_pattern(value, number, mark, place)
        if isinstance(value, dict) and value:
            return self.mapping_pattern(value, number, place, inner)
        raise self.fail(mark, place, f"expected a string, a list of token dicts or a mapping, got {value!r}")

    def text_pattern(self, kind: str, value: Any, number: int, mark: Mark, place: str) -> Pattern:
        if isinstance(value, bool):
            raise self.fail(mark, place, f"'{kind}' must be a phrase, got {str(value).lower()}: {YAML_BOOL}")
        if isinstance(value, str) and REGEX_SIGNS.search(value):
            raise self.fail(mark, place, f"'{value}' looks like a regular expression, which patterns are not: "
                                         f"{regex_hint(value)}")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(mark, place, f"'{kind}' must be a non-empty phrase, got {value!r}")
        text = " ".join(value.split())
        if "*" in text:
            if kind == "exact":
                raise self.fail(mark, place, "an exact phrase cannot hold a wildcard '*'")
            for word in text.split():
                if "*" in word and len(word.replace("*", "")) < 2:
                    raise self.fail(mark, place, f"wildcard {word!r} needs at least 2 letters besides '*'")
            kind = "wildcard"
        elif kind == "word":
            kind = "phrase"
        return Pattern(kind, text, number, mark[0], mark[1])

    def token_pattern(self, value: Any, number: int, mark: Mark, place: str) -> Pattern:
        if not isinstance(value, list) or not value or not all(isinstance(t, dict) and t for t in value):
            raise self.fail(mark, place, f"'tokens' must be a list of token dicts, got {value!r}")
        tokens = [dict(t) for t in value]
        for position, token in enumerate(tokens, start=1):
            for key, item in token.items():
                if not isinstance(key, str) or not key.replace("_", "").isalpha():
                    raise self.fail(mark, place, f"token attribute must be a name like LOWER, got {key!r}")
                if key.upper() in WORD_ATTRS and isinstance(item, bool):
                    raise self.fail(mark, place, f"token {position}, {key}: YAML reads unquoted on/off/yes/no as "
                                                 f"{str(item).lower()}; put the word in quotes")
                if key.upper() == "REGEX" or (isinstance(item, dict) and "REGEX" in map(str.upper, map(str, item))):
                    raise self.fail(mark, place, f"token {position}, {key}: regular expressions are not a pattern "
                                                 "kind here; use a wildcard word (word*) or IN: [word, word]")
        return Pattern("token", tokens, number, mark[0], mark[1])

    def mapping_pattern(self, value: dict[str, Any], number: int, place: str, inner: bool) -> Pattern:
        kinds = [key for key in map(str, value) if key in PATTERN_KINDS]
        allowed = {"within", "ordered"} if kinds == ["near"] else set()
        extra = [key for key in map(str, value) if key not in PATTERN_KINDS and key not in allowed]
        if extra:
            raise self.fail(at(value, extra[0]), place, f"unknown pattern field '{extra[0]}'")
        if len(kinds) != 1:
            raise self.fail(at(value), place, f"a pattern mapping needs exactly one of {', '.join(PATTERN_KINDS)}")
        kind = kinds[0]
        mark = at(value, kind)
        body = value[kind]
        if kind in ("phrase", "exact", "word"):
            return self.text_pattern(kind, body, number, mark, place)
        if kind == "tokens":
            return self.token_pattern(body, number, mark, place)
        if inner:
            raise self.fail(mark, place, f"'{kind}' cannot be used inside 'near' or 'exclude'")
        if kind == "exclude":
            part = self.pattern(body, number, mark, place, inner=True)
            return Pattern(part.kind, part.value, number, mark[0], mark[1], veto=True)
        return self.near_pattern(value, number, mark, place)

    def near_pattern(self, value: dict[str, Any], number: int, mark: Mark, place: str) -> Pattern:
        body = value["near"]
        if not isinstance(body, list) or len(body) != 2:
            raise self.fail(mark, place, f"'near' must be a list of two patterns, got {body!r}")
        marks = getattr(body, "item_marks", [mark, mark])
        parts = tuple(self.pattern(p, number, m, place, inner=True) for p, m in zip(body, marks))
        distance = value.get("within", DEFAULT_DISTANCE)
        if not isinstance(distance, int) or isinstance(distance, bool) or distance < 0:
            raise self.fail(at(value, "within"), place, f"'within' must be a whole number of tokens, got {distance!r}")
        ordered = self.flag(value, "ordered", place, False)
        return Pattern("near", "", number, mark[0], mark[1], parts=parts, distance=distance, ordered=ordered)
