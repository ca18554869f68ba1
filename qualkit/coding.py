"""The spaCy pipeline and the matchers that apply a codebook. The only module that imports spaCy."""

from __future__ import annotations

import re
import warnings
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

import numpy
import spacy
from spacy.attrs import IDX, LEMMA, LENGTH, LOWER, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Span, Token

from qualkit.codebook import Code, Codebook, Pattern, normalise_unit
from qualkit.errors import CodebookError, PipelineError
from qualkit.segments import CodedSegment, Match, SetAsideHit, Unit
from qualkit.transcript import PARTICIPANT, Transcript, Turn

DEFAULT_PIPELINE = "blank:en"
UNITS = ("match", "sentence", "turn", "turn+N")
KEY_SEPARATOR = "\x1f"
NEGATORS = frozenset({
    "not", "n't", "never", "no", "nor", "neither", "without", "hardly", "barely", "scarcely", "nobody",
    "nothing", "none", "nowhere", "cannot", "dont", "didnt", "doesnt", "wasnt", "isnt", "cant", "wont",
    "aint", "havent", "hadnt", "wouldnt", "couldnt", "shouldnt", "nt",
})
CLAUSE_BREAKS = frozenset({
    ",", ";", ":", ".", "!", "?", "-", "--", "—", "–", "(", ")", "but", "although", "though", "however", "yet",
    "because", "and", "then", "until", "unless", "except", "whereas", "while",
})
NEGATION_WINDOW = 2  # words allowed between a negator and a hit: "not really ever lonely"
ANNOTATING_FACTORIES = {
    "POS": {"morphologizer", "attribute_ruler"},
    "TAG": {"tagger", "attribute_ruler"},
    "MORPH": {"morphologizer", "attribute_ruler"},
    "DEP": {"parser", "beam_parser"},
    "HEAD": {"parser", "beam_parser"},
    "ENT_TYPE": {"ner", "beam_ner", "entity_ruler"},
    "ENT_IOB": {"ner", "beam_ner", "entity_ruler"},
    "ENT_ID": {"ner", "beam_ner", "entity_ruler"},
    "ENT_KB_ID": {"entity_linker"},
}
TEXT_ATTRS = {"ORTH": "lower", "TEXT": "lower", "LOWER": "lower", "LEMMA": "lemma"}


class CaseFoldLookupLemmatizer(Lemmatizer):
    """spaCy's lookup lemmatizer, looking words up in lower case so that "Felt" -> "feel"."""

    def lookup_lemmatize(self, token: Token) -> list[str]:
        """Return the lower-case lookup lemma of the token (the lower-cased word if none)."""
        table = self.lookups.get_table("lemma_lookup", {})
        lower = token.lower_
        return [table.get(lower, lower)]


@Language.factory("qualkit_lemmatizer", default_config={"mode": "lookup", "overwrite": True, "model": None})
def make_lemmatizer(nlp: Language, name: str, model: Any, mode: str, overwrite: bool) -> CaseFoldLookupLemmatizer:
    """Build the case-folding lookup lemmatizer (a spaCy factory)."""
    return CaseFoldLookupLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite)


def build_pipeline(model: str | None = None) -> Language:
    """Return the NLP pipeline: an installed trained pipeline by name, or blank English with a
    sentencizer and spaCy's lookup lemmatizer (tables from spacy-lookups-data, no download)."""
    if model and model != DEFAULT_PIPELINE:
        try:
            nlp = spacy.load(model)
        except OSError:
            raise PipelineError(
                f"spaCy pipeline {model!r} is not installed (install it, or leave --model unset for {DEFAULT_PIPELINE})"
            ) from None
        if not ({"parser", "senter", "sentencizer"} & set(nlp.pipe_names)):
            nlp.add_pipe("sentencizer", first=True)
        return nlp
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("qualkit_lemmatizer")
    try:
        nlp.initialize()
    except (ValueError, ImportError) as exc:  # spacy-lookups-data missing
        raise PipelineError(f"cannot build the default pipeline: {exc}") from None
    return nlp


def pipeline_info(nlp: Language) -> dict[str, str]:
    """Return plain facts about a pipeline for the methods trail."""
    meta = nlp.meta
    name = meta.get("name", "")
    label = "blank:en" if name in ("", "pipeline") else f"{meta.get('lang', '')}_{name}"
    return {
        "pipeline": label,
        "pipeline_version": str(meta.get("version", "")),
        "components": ", ".join(nlp.pipe_names),
        "spacy_version": spacy.__version__,
    }


@dataclass(frozen=True)
class _Key:
    """What one spaCy match id stands for: a code's pattern, or one side of a ``near`` pattern."""

    code: int
    pattern: Pattern
    part: int = -1  # 0 or 1 for the sides of a near pattern


@dataclass
class _Requirement:
    """Words a token pattern cannot match without: lower-case or lemma ids (grown for wildcards)."""

    attr: str
    ids: set[int]
    regex: re.Pattern[str] | None = None


@dataclass
class _TokenRule:
    """A Matcher for one token pattern, run only on the sentences of docs holding all its required words."""

    matcher: Matcher
    requirements: list[_Requirement] = field(default_factory=list)

    @property
    def always(self) -> bool:
        """Whether the rule has no required word, and so runs on every doc."""
        return not self.requirements


@dataclass
class TranscriptCoding:
    """One transcript's coding: its coded segments, set-aside hits, words coded and units."""

    transcript: str
    segments: list[CodedSegment] = field(default_factory=list)
    set_aside: list[SetAsideHit] = field(default_factory=list)
    words: int = 0
    units: list[Unit] = field(default_factory=list)


class Coder:
    """Applies a codebook's patterns to transcripts with spaCy matchers built once.

    ``unit`` is the default span a hit codes (``match``, ``sentence``, ``turn`` or ``turn+N``), used
    by codes that set none (neither in the code nor at the codebook's top). ``roles`` are the speaker
    roles coded (participants only by default); a code's own ``roles`` widen or narrow that.
    """

    def __init__(
        self,
        codebook: Codebook,
        nlp: Language | None = None,
        *,
        unit: str = "sentence",
        roles: tuple[str, ...] = (PARTICIPANT,),
        batch_size: int = 64,
    ) -> None:
        if not normalise_unit(unit):
            raise PipelineError(f"unknown unit {unit!r} (choose from {', '.join(UNITS)})")
        self.codebook = codebook
        self.nlp = nlp or build_pipeline()
        self.unit = normalise_unit(unit)
        self.roles = tuple(roles)
        self.batch_size = batch_size
        self.code_list = list(codebook.codes)
        self.codes = {code.id: code for code in self.code_list}
        self.order = {code.id: number for number, code in enumerate(self.code_list)}
        self.units = [normalise_unit(c.unit or codebook.unit or self.unit) for c in self.code_list]
        self.coded_roles = set(self.roles).union(*(c.roles for c in self.code_list))
        self.dependants = _dependency_order(self.code_list)
        self.keys: dict[int, _Key] = {}
        self.lemma_phrases = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self.lower_phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.rules: list[_TokenRule] = []
        self.wildcards: list[tuple[str, re.Pattern[str]]] = []
        self.prefixes: dict[str, list[str]] = {}
        self.other_wildcards: list[tuple[str, re.Pattern[str]]] = []
        self.seen: set[int] = set()
        strings = self.nlp.vocab.strings
        self.negator_ids = frozenset(strings.add(w) for w in NEGATORS)
        self.break_ids: set[int] = {strings.add(w) for w in CLAUSE_BREAKS}
        self.space_ids: set[int] = set()
        self.parsed = False
        self._lower: list[int] = []
        self._sentences: list[int] = []
        self.labels: dict[int, str] = {}
        self.paths = [code.path_label for code in self.code_list]
        self._annotated = _annotated_attrs(self.nlp)
        self.parsed = "DEP" in self._annotated
        self._compile()
        self.wild_requirements = [r for rule in self.rules for r in rule.requirements if r.regex is not None]
        others = self.other_wildcards
        self.any_wild = re.compile("|".join(f"(?:{r.pattern})" for _, r in others)) if others else None

    # -- building the matchers ------------------------------------------------------------------------

    def _compile(self) -> None:
        lemma_phrases: list[tuple[str, str]] = []
        for number, code in enumerate(self.code_list):
            for pattern in code.patterns:
                self.labels[id(pattern)] = pattern.label()
                parts = pattern.parts if pattern.kind == "near" else (pattern,)
                for side, part in enumerate(parts):
                    key = KEY_SEPARATOR.join((code.id, str(pattern.index), str(side)))
                    self.keys[self.nlp.vocab.strings.add(key)] = _Key(number, pattern, side if pattern.kind == "near" else -1)
                    if part.kind == "phrase":
                        lemma_phrases.append((key, part.value))
                    elif part.kind == "exact":
                        self.lower_phrases.add(key, [self.nlp.make_doc(part.value)])
                    elif part.kind == "wildcard" and " " not in part.value:
                        regex = _wildcard_regex(part.value)
                        self.wildcards.append((key, regex))
                        if part.value.endswith("*") and "*" not in part.value[:-1]:
                            self.prefixes.setdefault(part.value[:-1].casefold(), []).append(key)
                        else:
                            self.other_wildcards.append((key, regex))
                    elif part.kind == "wildcard":
                        self._add_rule(code, pattern, key, self._wildcard_tokens(part.value))
                    else:
                        self._add_rule(code, pattern, key, part.value)
        texts = [text for _, text in lemma_phrases]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            for (key, _), doc in zip(lemma_phrases, self.nlp.pipe(texts)):
                self.lemma_phrases.add(key, [doc])

    def _wildcard_tokens(self, text: str) -> list[dict[str, Any]]:
        tokens: list[dict[str, Any]] = []
        for word in text.split():
            if "*" in word:
                tokens.append({"LOWER": {"REGEX": _wildcard_regex(word).pattern}})
            else:
                tokens.extend({"LEMMA": t.lemma_ or t.lower_} for t in self.nlp(word))
        return tokens

    def _add_rule(self, code: Code, pattern: Pattern, key: str, tokens: list[dict[str, Any]]) -> None:
        where = f"{self.codebook.source}, line {pattern.line}, column {pattern.column}, code {code.name!r}, " \
                f"pattern {pattern.index}"
        for number, token in enumerate(tokens, start=1):
            for attr in token:
                needs = ANNOTATING_FACTORIES.get(str(attr).upper())
                if needs and str(attr).upper() not in self._annotated:
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
        self.rules.append(self._trigger(matcher, tokens))

    def _trigger(self, matcher: Matcher, tokens: list[dict[str, Any]]) -> _TokenRule:
        """Find the words every match must hold (required literal words or wildcards) to prefilter docs."""
        strings = self.nlp.vocab.strings
        rule = _TokenRule(matcher)
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
                    requirement = _Requirement("lower", set(), re.compile(str(value["REGEX"])))
                    requirement.ids.update(lower for lower in self.seen if requirement.regex.search(strings[lower]))
                    rule.requirements.append(requirement)
                    continue
                else:
                    continue
                ids = {strings.add(v.casefold() if kind == "lower" else v) for v in values}
                rule.requirements.append(_Requirement(kind, ids))
        rule.requirements.sort(key=lambda r: r.regex is not None)
        return rule

    # -- matching ---------------------------------------------------------------------------------------

    def _see(self, lower: int) -> None:
        """Note a new word: add it to the wildcard phrases and wildcard requirements it fits."""
        word = self.nlp.vocab.strings[lower]
        if word.isspace():
            self.space_ids.add(lower)
        elif not any(ch.isalnum() for ch in word):
            self.break_ids.add(lower)
        keys = [k for n in range(2, len(word) + 1) for k in self.prefixes.get(word[:n], ())] if self.prefixes else []
        if self.any_wild is not None and self.any_wild.fullmatch(word):
            keys += [key for key, regex in self.other_wildcards if regex.fullmatch(word)]
        for key in keys:
            self.lower_phrases.add(key, [Doc(self.nlp.vocab, words=[word])])
        for requirement in self.wild_requirements:
            if requirement.regex is not None and requirement.regex.search(word):
                requirement.ids.add(lower)

    def match(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Return the raw ``(match_id, start, end)`` hits of every pattern in a doc."""
        lower_list = doc.to_array(LOWER).tolist()
        lowers = set(lower_list)
        new = lowers - self.seen
        if new:
            for lower in new:
                self._see(lower)
            self.seen |= new
        hits = self.lemma_phrases(doc) + self.lower_phrases(doc)
        lemma_list: list[int] = []
        lemmas: set[int] | None = None
        sentences: list[int] = []
        for rule in self.rules:
            if rule.always:
                hits.extend(rule.matcher(doc))
                continue
            for requirement in rule.requirements:
                if requirement.attr == "lemma" and lemmas is None:
                    lemma_list = doc.to_array(LEMMA).tolist()
                    lemmas = set(lemma_list)
                if requirement.ids.isdisjoint(lemmas if requirement.attr == "lemma" else lowers):  # type: ignore[arg-type]
                    break
            else:
                sentences = sentences or _sentence_starts(doc)
                wanted: set[int] | None = None
                for requirement in rule.requirements:
                    values, ids = (lemma_list if requirement.attr == "lemma" else lower_list), requirement.ids
                    found = {bisect_right(sentences, i) - 1 for i, v in enumerate(values) if v in ids}
                    wanted = found if wanted is None else wanted & found
                for number in sorted(wanted or ()):
                    begin = sentences[number]
                    end = sentences[number + 1] if number + 1 < len(sentences) else len(doc)
                    hits.extend((m, b + begin, e + begin) for m, b, e in rule.matcher(doc[begin:end]))
        self._lower, self._sentences = lower_list, sentences
        return hits

    def code(
        self, transcripts: Iterable[Transcript], units: list[Unit] | None = None,
        set_aside: list[SetAsideHit] | None = None,
    ) -> Iterator[CodedSegment]:
        """Yield the coded segments of each transcript, in transcript and text order.

        When ``units`` is a list, the coded role's sentences (or turns) are appended to it; when
        ``set_aside`` is a list, negated, excluded and restricted hits are appended to it.
        """
        for result in self.code_each(transcripts, with_units=units is not None):
            if units is not None:
                units.extend(result.units)
            if set_aside is not None:
                set_aside.extend(result.set_aside)
            yield from result.segments

    def code_each(self, transcripts: Iterable[Transcript], with_units: bool = False) -> Iterator[TranscriptCoding]:
        """Yield one ``TranscriptCoding`` per transcript, streaming all turns through ``nlp.pipe``."""
        jobs = ((t.turn_text(turn), (t, turn)) for t in transcripts for turn in _coded_turns(t, self.coded_roles))
        current: TranscriptCoding | None = None
        current_transcript: Transcript | None = None
        for doc, (transcript, turn) in self.nlp.pipe(jobs, as_tuples=True, batch_size=self.batch_size):
            if current_transcript is not transcript:
                if current is not None and current_transcript is not None:
                    yield self._finish(current, current_transcript)
                current, current_transcript = TranscriptCoding(transcript.id), transcript
            assert current is not None
            if turn.role in self.roles:
                current.words += len(transcript.turn_text(turn).split())
                if with_units:
                    current.units.extend(self._units(doc, transcript, turn))
            self._code_doc(doc, transcript, turn, current)
        if current is not None and current_transcript is not None:
            yield self._finish(current, current_transcript)

    def _units(self, doc: Doc, transcript: Transcript, turn: Turn) -> list[Unit]:
        spans = [doc[:]] if self.unit.startswith("turn") else list(doc.sents)
        return [_unit(transcript, turn, span) for span in spans if span.text.strip()]

    def _code_doc(self, doc: Doc, transcript: Transcript, turn: Turn, out: TranscriptCoding) -> None:
        hits = self.match(doc)
        if not hits:
            return
        by_code: dict[int, list[tuple[int, int, _Key]]] = {}
        keys = self.keys
        for match_id, begin, end in hits:
            key = keys[match_id]
            by_code.setdefault(key.code, []).append((begin, end, key))
        info = _DocInfo(doc, self, self._lower, self._sentences)
        coded: dict[str, list[tuple[int, int]]] = {}
        for number in self.dependants(by_code):
            code = self.code_list[number]
            if not self._applies(code, turn):
                continue
            segments, aside = self._code_hits(info, number, by_code[number], transcript, turn, coded)
            out.segments.extend(segments)
            out.set_aside.extend(aside)
            coded[code.id] = [(s.start, s.end) for s in segments]

    def _applies(self, code: Code, turn: Turn) -> bool:
        if turn.role not in (code.roles or self.roles):
            return False
        return not code.speakers or turn.speaker in code.speakers

    def _code_hits(
        self, info: "_DocInfo", number: int, raw: list[tuple[int, int, _Key]],
        transcript: Transcript, turn: Turn, coded: dict[str, list[tuple[int, int]]],
    ) -> tuple[list[CodedSegment], list[SetAsideHit]]:
        sentences = info.sentences
        code = self.code_list[number]
        unit = self.units[number]
        hits, vetoes = _combine(raw, sentences)
        aside: list[SetAsideHit] = []
        kept: dict[tuple[int, int], list[tuple[int, int, Pattern]]] = {}
        for begin, end, pattern in hits:
            negator = info.negator(begin) if code.negation else None
            if negator is not None:
                aside.append(self._aside(info, begin, end, pattern, code, transcript, turn, "negated",
                                         f"negated by '{negator}'"))
                continue
            kept.setdefault(_unit_bounds(unit, begin, end, sentences, info.length), []).append((begin, end, pattern))
        if unit == "match":
            kept = _merge_matches(kept)
        segments = []
        for bounds, found in sorted(kept.items()):
            veto = next((p for b, e, p in vetoes if b < bounds[1] and e > bounds[0]), None)
            start, end = info.offsets(turn, bounds[0], bounds[1], transcript.text)
            start, end = self._context(transcript, turn, unit, start, end)
            outside = code.within and not any(
                s < end and e > start for other in code.within for s, e in coded.get(other, ()))
            if veto is not None or outside:
                status = "excluded" if veto is not None else "restricted"
                reason = (f"excluded by '{veto.label()[len('exclude '):]}'" if veto is not None else
                          "not inside a passage coded " + " or ".join(f"'{c}'" for c in code.within))
                aside.extend(self._aside(info, b, e, p, code, transcript, turn, status, reason) for b, e, p in found)
                continue
            matches = _dedupe([info.match(turn, b, e, p, transcript.text) for b, e, p in found])
            segments.append(CodedSegment(
                transcript=transcript.id, speaker=turn.speaker, role=turn.role, turn=turn.index,
                code_id=code.id, code_path=self.paths[number], start=start, end=end,
                text=transcript.text[start:end], matches=tuple(matches), unit=unit,
            ))
        return segments, aside

    def _aside(self, info: "_DocInfo", begin: int, end: int, pattern: Pattern, code: Code, transcript: Transcript,
               turn: Turn, status: str, reason: str) -> SetAsideHit:
        match = info.match(turn, begin, end, pattern, transcript.text)
        return SetAsideHit(transcript.id, turn.speaker, turn.role, turn.index, code.id, code.path_label,
                           match.start, match.end, match.text, match.pattern, status, reason)

    def _context(self, transcript: Transcript, turn: Turn, unit: str, start: int, end: int) -> tuple[int, int]:
        """Widen a turn unit by N sentences before and after it (``turn+N``), across turns."""
        if not unit.startswith("turn+"):
            return start, end
        wanted = int(unit[5:])
        before = [t for t in transcript.turns if t.end <= turn.start]
        after = [t for t in transcript.turns if t.start >= turn.end]
        spans: list[tuple[int, int]] = []
        for other in reversed(before):
            spans = self._sentence_spans(transcript, other) + spans
            if len(spans) >= wanted:
                break
        if spans and wanted:
            start = spans[-wanted if wanted <= len(spans) else 0][0]
        spans = []
        for other in after:
            spans += self._sentence_spans(transcript, other)
            if len(spans) >= wanted:
                break
        if spans and wanted:
            end = spans[min(wanted, len(spans)) - 1][1]
        return start, end

    def _sentence_spans(self, transcript: Transcript, turn: Turn) -> list[tuple[int, int]]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            doc = self.nlp(transcript.turn_text(turn))
        return [_offsets(turn, s, transcript.text) for s in doc.sents if s.text.strip()]

    def _finish(self, result: TranscriptCoding, transcript: Transcript) -> TranscriptCoding:
        """Sort a transcript's segments into text order, merging overlapping ``turn+N`` segments of a code."""
        result.segments.sort(key=lambda s: (s.start, self.order[s.code_id], s.end))
        merged: list[CodedSegment] = []
        last: dict[str, int] = {}
        for segment in result.segments:
            index = last.get(segment.code_id)
            previous = merged[index] if index is not None else None
            if previous is not None and segment.unit.startswith("turn+") and segment.start < previous.end:
                end = max(previous.end, segment.end)
                merged[index] = CodedSegment(
                    previous.transcript, previous.speaker, previous.role, previous.turn, previous.code_id,
                    previous.code_path, previous.start, end, transcript.text[previous.start:end],
                    previous.matches + segment.matches, previous.coder, previous.unit)
                continue
            last[segment.code_id] = len(merged)
            merged.append(segment)
        result.segments = merged
        result.set_aside.sort(key=lambda h: (h.start, self.order[h.code_id]))
        return result


def _coded_turns(transcript: Transcript, roles: set[str]) -> Iterator[Turn]:
    return (turn for turn in transcript.turns if turn.role in roles)


def _dependency_order(codes: list[Code]) -> Any:
    """Return a function giving the hit codes in an order where ``within`` codes come first."""
    index = {code.id: number for number, code in enumerate(codes)}
    depth: dict[int, int] = {}

    def level(number: int) -> int:
        if number not in depth:
            depth[number] = 0
            depth[number] = 1 + max((level(index[o]) for o in codes[number].within), default=-1)
        return depth[number]

    for number in range(len(codes)):
        level(number)

    def order(found: dict[int, Any]) -> list[int]:
        return sorted(found, key=lambda n: (depth[n], n))

    return order


def _annotated_attrs(nlp: Language) -> set[str]:
    factories = {nlp.get_pipe_meta(name).factory for name in nlp.pipe_names}
    return {attr for attr, needs in ANNOTATING_FACTORIES.items() if needs & factories}


def _wildcard_regex(word: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in word.casefold().split("*")) + "$")


def _sentence_starts(doc: Doc) -> list[int]:
    if len(doc) == 0:
        return [0]
    starts = numpy.flatnonzero(doc.to_array(SENT_START) == 1).tolist()
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return starts


def _sentence_of(sentences: list[int], token: int) -> int:
    return bisect_right(sentences, token) - 1


def _combine(raw: list[tuple[int, int, _Key]], sentences: list[int]) -> tuple[
        list[tuple[int, int, Pattern]], list[tuple[int, int, Pattern]]]:
    """Split a code's raw hits into positive hits and vetoes, joining the sides of ``near`` patterns."""
    hits: list[tuple[int, int, Pattern]] = []
    vetoes: list[tuple[int, int, Pattern]] = []
    sides: dict[int, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    patterns: dict[int, Pattern] = {}
    for begin, end, key in raw:
        pattern = key.pattern
        if key.part >= 0:
            sides.setdefault(pattern.index, ([], []))[key.part].append((begin, end))
            patterns[pattern.index] = pattern
        elif pattern.veto:
            vetoes.append((begin, end, pattern))
        else:
            hits.append((begin, end, pattern))
    for index, (left, right) in sides.items():
        pattern = patterns[index]
        for a in left:
            for b in right:
                first, second = (a, b) if a[0] <= b[0] else (b, a)
                if pattern.ordered and first is not a:
                    continue
                if second[0] - first[1] > pattern.distance:
                    continue
                begin, end = min(a[0], b[0]), max(a[1], b[1])
                if _sentence_of(sentences, begin) != _sentence_of(sentences, end - 1):
                    continue
                (vetoes if pattern.veto else hits).append((begin, end, pattern))
    return hits, vetoes


class _DocInfo:
    """Per-doc token facts as plain lists (no Token objects), built only for docs with hits."""

    def __init__(self, doc: Doc, coder: "Coder", lower: list[int], sentences: list[int]) -> None:
        self.doc = doc
        self.labels = coder.labels
        self.length = len(doc)
        rows = doc.to_array([IDX, LENGTH]).tolist() if len(doc) else []
        self.lower = lower
        self.idx = [r[0] for r in rows]
        self.end = [r[0] + r[1] for r in rows]
        self.sentences = sentences or _sentence_starts(doc)
        self.negators, self.breaks, self.spaces = coder.negator_ids, coder.break_ids, coder.space_ids
        self.parsed = coder.parsed

    def negator(self, begin: int) -> str | None:
        """Return the negating word governing a hit (before it in its clause), or ``None``."""
        floor = self.sentences[_sentence_of(self.sentences, begin)]
        steps = 0
        position = begin - 1
        while position >= floor and steps <= NEGATION_WINDOW:
            lower = self.lower[position]
            if lower in self.negators:
                return self.doc[position].text
            if lower in self.breaks:
                break
            if lower not in self.spaces:
                steps += 1
            position -= 1
        if self.parsed:
            root = self.doc[begin]
            for head in (root, root.head):
                for child in head.children:
                    if child.dep_ == "neg" and child.i < begin:
                        return child.text
        return None

    def match(self, turn: Turn, begin: int, end: int, pattern: Pattern, text: str) -> Match:
        """Return the Match of tokens ``begin:end`` with offsets in the transcript (whose text is ``text``)."""
        start, stop = turn.start + self.idx[begin], turn.start + self.end[end - 1]
        label = self.labels.get(id(pattern)) or pattern.label()
        return Match(start, stop, text[start:stop], label, pattern.kind, pattern.index)

    def offsets(self, turn: Turn, begin: int, end: int, text: str) -> tuple[int, int]:
        """Return the offsets of tokens ``begin:end`` in the transcript, without surrounding white space."""
        start, stop = turn.start + self.idx[begin], turn.start + self.end[end - 1]
        words = text[start:stop]
        return start + len(words) - len(words.lstrip()), stop - len(words) + len(words.rstrip())


def _unit_bounds(unit: str, begin: int, end: int, sentences: list[int], length: int) -> tuple[int, int]:
    if unit == "match":
        return begin, end
    if unit == "sentence":
        number = _sentence_of(sentences, begin)
        return sentences[number], sentences[number + 1] if number + 1 < len(sentences) else length
    return 0, length


def _merge_matches(kept: dict[tuple[int, int], list[Any]]) -> dict[tuple[int, int], list[Any]]:
    """Merge overlapping and adjacent match units (token spans) into one."""
    merged: dict[tuple[int, int], list[Any]] = {}
    current: tuple[int, int] | None = None
    for bounds in sorted(kept):
        if current is not None and bounds[0] <= current[1]:
            found = merged.pop(current)
            current = (current[0], max(current[1], bounds[1]))
            merged[current] = found + kept[bounds]
        else:
            current = bounds
            merged[current] = list(kept[bounds])
    return merged


def _match(doc: Doc, turn: Turn, begin: int, end: int, pattern: Pattern, text: str) -> Match:
    start, stop = turn.start + doc[begin].idx, turn.start + _token_end(doc[end - 1])
    return Match(start, stop, text[start:stop], pattern.label(), pattern.kind,
                 pattern.index)


def _token_end(token: Token) -> int:
    return token.idx + len(token)


def _offsets(turn: Turn, span: Span, text: str) -> tuple[int, int]:
    """Return the span's offsets in the transcript (whose text is ``text``), without surrounding white space."""
    return _char_offsets(turn, span.doc, span.start, span.end, text)


def _char_offsets(turn: Turn, doc: Doc, begin: int, end: int, text: str) -> tuple[int, int]:
    """Return the offsets in the transcript of tokens ``begin:end``, without surrounding white space."""
    if end <= begin:
        return turn.start, turn.start
    start, stop = turn.start + doc[begin].idx, turn.start + _token_end(doc[end - 1])
    words = text[start:stop]
    lead = len(words) - len(words.lstrip())
    trail = len(words) - len(words.rstrip())
    return start + lead, stop - trail


def _unit(transcript: Transcript, turn: Turn, span: Span) -> Unit:
    start, end = _offsets(turn, span, transcript.text)
    return Unit(transcript.id, turn.index, turn.speaker, start, end, transcript.text[start:end])


def _dedupe(matches: list[Match]) -> list[Match]:
    seen: dict[tuple[int, int, str], Match] = {}
    for match in sorted(matches, key=lambda m: (m.start, -m.end)):
        seen.setdefault((match.start, match.end, match.pattern), match)
    return list(seen.values())


def code_transcripts(
    transcripts: Iterable[Transcript], codebook: Codebook, *, model: str | None = None, unit: str = "sentence"
) -> list[CodedSegment]:
    """Code transcripts with a codebook on a fresh pipeline; return the coded segments."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return list(Coder(codebook, build_pipeline(model), unit=unit).code(transcripts))
