"""The matchers a codebook compiles to: spaCy PhraseMatchers for phrases and wildcards, Matchers for
token patterns, run only where they can match.

Lemma phrases share one ``PhraseMatcher`` on LEMMA, exact phrases and the words a wildcard fits one on
LOWER (a wildcard's words are added as they are first seen). Each token pattern has its own ``Matcher``,
run only on the sentences holding every word the pattern requires; the patterns a doc can trigger are
found by one set intersection. Part of the ``coding`` package, the only one that imports spaCy.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from qualkit.codebook import Code, Codebook, Pattern
from qualkit.coding.pipeline import ANNOTATING_FACTORIES, own_lemmatizer
from qualkit.coding.units import DocFacts, sentence_of
from qualkit.errors import CodebookError, PipelineError

KEY_SEPARATOR = "\x1f"
TEXT_ATTRS = {"ORTH": "lower", "TEXT": "lower", "LOWER": "lower", "LEMMA": "lemma"}


@dataclass(frozen=True, slots=True)
class MatchKey:
    """What one spaCy match id stands for: a code's pattern, or one side (``part`` 0 or 1) of a near pattern.

    ``label``, ``kind`` and ``index`` are the pattern's, read once for the matches it makes.
    """

    code: int
    pattern: Pattern
    part: int = -1
    label: str = ""
    kind: str = ""
    index: int = 0
    veto: bool = False


@dataclass
class Requirement:
    """Words a token pattern cannot match without: lower-case or lemma ids. Lower-case ids grow as words
    are seen: those fitting ``regex`` (a wildcard), or whose lemma is in ``lemmas`` (a lemma requirement,
    answered from the lower-case words when the pipeline's lemma is a function of them)."""

    attr: str
    ids: set[int]
    regex: re.Pattern[str] | None = None
    lemmas: set[int] | None = None


@dataclass
class TokenRule:
    """A Matcher for one token pattern, run only on the sentences of docs holding all its required words."""

    matcher: Matcher
    requirements: list[Requirement] = field(default_factory=list)
    longest: int = 0  # the most tokens a match can span; 0 when unbounded (``*``, ``+``, ``{n,}``)


class MatcherSet:
    """All the matchers of a codebook, built once; ``match`` returns a doc's raw hits."""

    def __init__(self, nlp: Language, codebook: Codebook, annotated: set[str]) -> None:
        self.nlp = nlp
        self.codebook = codebook
        self.annotated = annotated
        self.keys: dict[int, MatchKey] = {}
        self.near_keys: dict[tuple[int, int], MatchKey] = {}  # (code, pattern index) -> the whole near pattern
        self.lemma_phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.lower_phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.rules: list[TokenRule] = []
        self.prefixes: dict[str, list[str]] = {}
        self.other_wildcards: list[tuple[str, re.Pattern[str]]] = []
        own = own_lemmatizer(nlp)
        self.lemma_of = own.lemma_ids if own is not None else None
        self._compile()
        self.always = [n for n, rule in enumerate(self.rules) if not rule.requirements]
        self.triggers: dict[str, dict[int, list[int]]] = {"lower": {}, "lemma": {}}
        for number, rule in enumerate(self.rules):
            if rule.requirements:
                first = rule.requirements[0]
                for word in first.ids:
                    self.triggers[first.attr].setdefault(word, []).append(number)
        self.growing = [(n, r) for n, rule in enumerate(self.rules) for r in rule.requirements
                        if r.regex is not None or r.lemmas is not None]
        self.uses_lemmas = any(r.attr == "lemma" for rule in self.rules for r in rule.requirements)
        others = self.other_wildcards
        self.any_wild = re.compile("|".join(f"(?:{r.pattern})" for _, r in others)) if others else None

    def _compile(self) -> None:
        lemma_phrases: list[tuple[str, str]] = []
        strings = self.nlp.vocab.strings
        for number, code in enumerate(self.codebook.codes):
            for pattern in code.patterns:
                label = pattern.label()
                near = pattern.kind == "near"
                if near:
                    self.near_keys[(number, pattern.index)] = MatchKey(
                        number, pattern, -1, label, pattern.kind, pattern.index, pattern.veto)
                for side, part in enumerate(pattern.parts if near else (pattern,)):
                    key = KEY_SEPARATOR.join((code.id, str(pattern.index), str(side)))
                    self.keys[strings.add(key)] = MatchKey(
                        number, pattern, side if near else -1, label, pattern.kind, pattern.index, pattern.veto)
                    if part.kind == "phrase":
                        lemma_phrases.append((key, part.value))
                    elif part.kind == "exact":
                        self.lower_phrases.add(key, [self.nlp.make_doc(part.value)])
                    elif part.kind == "wildcard" and " " not in part.value:
                        if part.value.endswith("*") and "*" not in part.value[:-1]:
                            self.prefixes.setdefault(part.value[:-1].casefold(), []).append(key)
                        else:
                            self.other_wildcards.append((key, wildcard_regex(part.value)))
                    elif part.kind == "wildcard":
                        self._add_rule(code, pattern, key, self._wildcard_tokens(part.value))
                    else:
                        self._add_rule(code, pattern, key, part.value)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            for (key, _), doc in zip(lemma_phrases, self.nlp.pipe([text for _, text in lemma_phrases])):
                self.lemma_phrases.add(key, [doc])

    def _wildcard_tokens(self, text: str) -> list[dict[str, Any]]:
        tokens: list[dict[str, Any]] = []
        for word in text.split():
            if "*" in word:
                tokens.append({"LOWER": {"REGEX": wildcard_regex(word).pattern}})
            else:
                tokens.extend({"LEMMA": t.lemma_ or t.lower_} for t in self.nlp(word))
        return tokens

    def _add_rule(self, code: Code, pattern: Pattern, key: str, tokens: list[dict[str, Any]]) -> None:
        where = f"{self.codebook.source}, line {pattern.line}, column {pattern.column}, code {code.name!r}, " \
                f"pattern {pattern.index}"
        for number, token in enumerate(tokens, start=1):
            for attr in token:
                needs = ANNOTATING_FACTORIES.get(str(attr).upper())
                if needs and str(attr).upper() not in self.annotated:
                    raise PipelineError(
                        f"{where}: token {number} uses {attr}, which the pipeline "
                        f"({', '.join(self.nlp.pipe_names) or 'blank'}) does not set; use a trained pipeline "
                        f"(--model, e.g. en_core_web_sm) with one of these components: {', '.join(sorted(needs))}"
                    )
        matcher = Matcher(self.nlp.vocab, validate=True)
        try:
            matcher.add(key, [tokens])
        except (ValueError, TypeError) as exc:
            details = re.findall(r"^- \[pattern -> (\d+) -> (\w+).*?\]\] (.*)$|^- \[pattern -> (\d+) -> (\w+)\] (.*)$",
                                 str(exc), flags=re.MULTILINE)
            found = [tuple(part for part in groups if part) for groups in details]
            detail = "; ".join(f"token {int(n) + 1}, {at}: {what}" for n, at, what in found[:1])
            raise CodebookError(f"{where}: invalid token pattern: {detail or str(exc).splitlines()[0]}") from None
        self.rules.append(self._rule(matcher, tokens))

    def _rule(self, matcher: Matcher, tokens: list[dict[str, Any]]) -> TokenRule:
        """Find the words every match must hold (required literal words or wildcards) to prefilter docs."""
        strings = self.nlp.vocab.strings
        rule = TokenRule(matcher)
        for token in tokens:
            op = str(token.get("OP", ""))
            if op in ("?", "*", "!") or op.startswith("{0") or op.startswith("{,"):
                continue
            for attr, value in token.items():
                kind = TEXT_ATTRS.get(str(attr).upper())
                if kind is None:
                    continue
                if isinstance(value, str):
                    values = [value]
                elif isinstance(value, dict) and set(value) == {"IN"} and isinstance(value["IN"], list):
                    values = [str(v) for v in value["IN"]]
                elif isinstance(value, dict) and set(value) == {"REGEX"} and str(attr).upper() == "LOWER":
                    rule.requirements.append(Requirement("lower", set(), re.compile(str(value["REGEX"]))))
                    continue
                else:
                    continue
                ids = {strings.add(v.casefold() if kind == "lower" else v) for v in values}
                rule.requirements.append(Requirement(kind, ids))
        # Literal words first, the longest (usually the rarest) leading: the first one triggers the rule.
        rule.requirements.sort(key=lambda r: (r.regex is not None, -max((len(strings[i]) for i in r.ids), default=0)))
        if self.lemma_of is not None:
            rule.requirements = [Requirement("lower", set(), None, r.ids) if r.attr == "lemma" else r
                                 for r in rule.requirements]
        rule.longest = _longest(tokens)
        return rule

    def see(self, word: str, lower: int) -> None:
        """Note a new word: add it to the wildcard phrases and the wildcard and lemma requirements it fits."""
        keys = [k for n in range(2, len(word) + 1) for k in self.prefixes.get(word[:n], ())] if self.prefixes else []
        if self.any_wild is not None and self.any_wild.fullmatch(word):
            keys += [key for key, regex in self.other_wildcards if regex.fullmatch(word)]
        for key in keys:
            self.lower_phrases.add(key, [Doc(self.nlp.vocab, words=[word])])
        lemma = self.lemma_of.get(lower) if self.lemma_of is not None else None
        for number, requirement in self.growing:
            if (requirement.regex.search(word) if requirement.regex is not None else
                    requirement.lemmas is not None and lemma in requirement.lemmas):
                requirement.ids.add(lower)
                if requirement is self.rules[number].requirements[0]:
                    self.triggers["lower"].setdefault(lower, []).append(number)

    def match(self, doc: Doc, facts: DocFacts) -> list[tuple[int, int, int]]:
        """Return the raw ``(match_id, start, end)`` hits of every pattern in a doc."""
        hits: list[tuple[int, int, int]] = self.lemma_phrases(doc)
        hits += self.lower_phrases(doc)
        candidates = set(self.always)
        lowers = facts.lowers
        triggers = self.triggers["lower"]
        for word in lowers.intersection(triggers) if len(lowers) < len(triggers) else triggers.keys() & lowers:
            candidates.update(triggers[word])
        if self.triggers["lemma"]:
            lemma_triggers = self.triggers["lemma"]
            for word in lemma_triggers.keys() & set(facts.lemma):
                candidates.update(lemma_triggers[word])
        if not candidates:
            return hits
        lemma_list = facts.lemma if self.uses_lemmas else []
        for number in sorted(candidates):
            rule = self.rules[number]
            if not rule.requirements:
                hits += rule.matcher(doc)
                continue
            requirements = rule.requirements
            if len(requirements) > 1 and _lacks(requirements, lowers, lemma_list):
                continue
            spans = _windows(requirements, facts, lemma_list, rule.longest) if rule.longest else \
                _sentences(requirements, facts, lemma_list)
            for begin, end in spans:
                hits.extend((m, b + begin, e + begin) for m, b, e in rule.matcher(doc[begin:end]))
        return hits


def _lacks(requirements: list[Requirement], lowers: set[int], lemma_list: list[int]) -> bool:
    """Return whether the doc lacks every word of one of the requirements after the first."""
    for requirement in requirements[1:]:
        if requirement.ids.isdisjoint(lemma_list if requirement.attr == "lemma" else lowers):
            return True
    return False


def _windows(requirements: list[Requirement], facts: DocFacts, lemma_list: list[int],
             longest: int) -> list[tuple[int, int]]:
    """Return the token spans a match of at most ``longest`` tokens can lie in: around each of the first
    required word's positions, within its sentence, merged where they overlap (so no match is found twice),
    and holding every other required word."""
    first = requirements[0]
    values = lemma_list if first.attr == "lemma" else facts.lower
    starts, bounds = facts.sentences, facts.sentence_bounds
    spans: list[tuple[int, int]] = []
    for word in first.ids.intersection(facts.lowers if first.attr == "lower" else values):
        position = -1
        try:
            while True:
                position = values.index(word, position + 1)
                begin, end = bounds(sentence_of(starts, position))
                spans.append((max(begin, position - longest + 1), min(end, position + longest)))
        except ValueError:
            pass
    spans.sort()
    merged: list[tuple[int, int]] = []
    for begin, end in spans:
        if merged and begin < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    if len(requirements) > 1:
        merged = [(begin, end) for begin, end in merged if _holds(requirements, facts.lower, lemma_list, begin, end)]
    return merged


def _holds(requirements: list[Requirement], lower: list[int], lemma_list: list[int], begin: int, end: int) -> bool:
    """Return whether tokens ``begin:end`` hold a word of every requirement after the first."""
    for requirement in requirements[1:]:
        if requirement.ids.isdisjoint((lemma_list if requirement.attr == "lemma" else lower)[begin:end]):
            return False
    return True


def _sentences(requirements: list[Requirement], facts: DocFacts, lemma_list: list[int]) -> list[tuple[int, int]]:
    """Return the token spans of the sentences holding every required word."""
    wanted: set[int] | None = None
    for requirement in requirements:
        values = lemma_list if requirement.attr == "lemma" else facts.lower
        found = _sentences_holding(values, requirement.ids, facts.sentences)
        wanted = found if wanted is None else wanted & found
        if not wanted:
            return []
    return [facts.sentence_bounds(sentence) for sentence in sorted(wanted or ())]


def _longest(tokens: list[dict[str, Any]]) -> int:
    """Return the most tokens a token pattern can match, or 0 when that is unbounded."""
    total = 0
    for token in tokens:
        op = str(token.get("OP", ""))
        if op in ("", "!", "?", "1"):
            total += 1
            continue
        bounds = re.fullmatch(r"\{(\d*)(,?)(\d*)\}", op)
        if op in ("*", "+") or bounds is None or (bounds.group(2) and not bounds.group(3)):
            return 0
        total += int(bounds.group(3) or bounds.group(1) or 0)
    return total


def _sentences_holding(values: list[int], ids: set[int], sentences: list[int]) -> set[int]:
    """Return the numbers of the sentences holding any of the word ids (searching the list in C)."""
    found: set[int] = set()
    for word in ids.intersection(values):
        position = values.index(word)
        try:
            while True:
                found.add(sentence_of(sentences, position))
                position = values.index(word, position + 1)
        except ValueError:
            pass
    return found


def wildcard_regex(word: str) -> re.Pattern[str]:
    """Return the regular expression of a wildcard word (``isolat*``), matched on the whole lower-case word."""
    return re.compile("^" + ".*".join(re.escape(part) for part in word.casefold().split("*")) + "$")
