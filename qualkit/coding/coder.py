"""Coding transcripts with a codebook: the ``Coder``, which streams turns through the spaCy pipeline
and turns pattern hits into coded segments and set-aside hits.

spaCy is imported only by the ``coding`` package: this module, ``pipeline`` (building the pipeline),
``matchers`` (the matchers and their prefilters), ``negation`` and ``units`` (token facts and units). No spaCy object leaves them: callers get ``CodedSegment``/``SetAsideHit``/``Unit`` records.
"""

from __future__ import annotations

import warnings
from bisect import bisect_right
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from qualkit.codebook import Code, Codebook, normalise_unit
from qualkit.coding.matchers import MatchKey, MatcherSet
from qualkit.coding.negation import Negation
from qualkit.coding.pipeline import (  # noqa: F401 - re-exported
    DEFAULT_PIPELINE, CaseFoldLookupLemmatizer, annotated_attrs, build_pipeline, own_lemmatizer, pipeline_info,
)
from qualkit.coding.units import (
    DocFacts, Hit, Offsets, combine_near, merge_matches, record_maker, unit_spans, widen_to_context,
)
from qualkit.errors import PipelineError
from qualkit.segments import CodedSegment, Match, SetAsideHit, Unit
from qualkit.transcript import PARTICIPANT, Transcript, Turn

UNITS = ("match", "sentence", "turn", "turn+N")
_ORDER = itemgetter(0, 1, 2)
_segment = record_maker(CodedSegment)
_new_match = record_maker(Match)
_set_aside = record_maker(SetAsideHit)


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
        self.context = [int(u[5:]) if u.startswith("turn+") else -1 for u in self.units]
        self.coded_roles = set(self.roles).union(*(c.roles for c in self.code_list))
        self.code_roles = [frozenset(c.roles or self.roles) for c in self.code_list]
        self.paths = [code.path_label for code in self.code_list]
        self.simple = [not any(p.veto or p.kind == "near" for p in c.patterns) for c in self.code_list]
        # Codes whose single hit in a doc codes its sentence directly (no veto, near, within or context).
        self.plain = [simple and unit == "sentence" and not code.within
                      for simple, unit, code in zip(self.simple, self.units, self.code_list)]
        # Per code: what the inline common case needs, in one tuple.
        self.about = [(code.id, path, plain, code.negation)
                      for code, path, plain in zip(self.code_list, self.paths, self.plain)]
        # The codes a turn is not coded with: by its role (cached per role), and by its speaker for the
        # codes naming speakers.
        self.excluded: dict[str, frozenset[int]] = {}
        self.speaker_codes = [(number, code.speakers) for number, code in enumerate(self.code_list) if code.speakers]
        self.has_within = any(c.within for c in self.code_list)
        self.has_context = any(n >= 0 for n in self.context)
        self.dependants = _dependency_order(self.code_list)
        annotated = annotated_attrs(self.nlp)
        self.parsed = "DEP" in annotated
        self.matchers = MatcherSet(self.nlp, codebook, annotated)
        self.near: list[dict[int, MatchKey]] = [{} for _ in self.code_list]
        for (number, index), key in self.matchers.near_keys.items():
            self.near[number][index] = key
        self.negation = Negation(self.nlp.vocab.strings, self.parsed)
        self.seen: set[int] = set()
        own = own_lemmatizer(self.nlp)  # lists every word the pipeline meets: no doc need be checked for new ones
        self.met, self.observed = (own.met if own is not None else None), 0

    # -- streaming ------------------------------------------------------------------------------------

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
        roles = self.coded_roles
        jobs = ((text, (number, t, turn, text)) for number, t in enumerate(transcripts) for turn in t.turns
                if turn.role in roles for text in (t.turn_text(turn),))
        current: TranscriptCoding | None = None
        current_transcript: Transcript | None = None
        current_number = -1
        for doc, (number, transcript, turn, text) in self.nlp.pipe(jobs, as_tuples=True, batch_size=self.batch_size):
            if number != current_number:
                if current is not None and current_transcript is not None:
                    yield self._finish(current, current_transcript)
                current, current_transcript, current_number = TranscriptCoding(transcript.id), transcript, number
            assert current is not None
            facts = DocFacts(doc)
            if turn.role in self.roles:
                current.words += len(text.split())  # doc.text would rebuild it
                if with_units:
                    spans = unit_spans(facts, turn.start, transcript.text, whole=self.unit.startswith("turn"))
                    current.units.extend(Unit(transcript.id, turn.index, turn.speaker, start, end,
                                              transcript.text[start:end]) for start, end in spans)
            self._code_doc(doc, facts, transcript, turn, current)
        if current is not None and current_transcript is not None:
            yield self._finish(current, current_transcript)

    # -- one doc ----------------------------------------------------------------------------------------

    def _observe(self, new: Iterable[int]) -> None:
        """Note words not seen before (wildcards and lemma requirements they fit, clause breaks); these are
        facts about the words, so noting a word before the doc that holds it changes nothing."""
        strings = self.nlp.vocab.strings
        for lower in new:
            word = strings[lower]
            self.negation.see(word, lower)
            self.matchers.see(word, lower)

    def _code_doc(self, doc: Doc, facts: DocFacts, transcript: Transcript, turn: Turn, out: TranscriptCoding) -> None:
        if self.met is not None:
            if len(self.met) > self.observed:
                self._observe(self.met[self.observed:])
                self.observed = len(self.met)
        elif not facts.lowers <= self.seen:
            new = facts.lowers - self.seen
            self._observe(new)
            self.seen |= new
        hits = self.matchers.match(doc, facts)
        if not hits:
            return
        keys = self.matchers.keys
        by_code: dict[int, list[Hit]] = {}
        for match_id, begin, end in hits:
            key = keys[match_id]
            found = by_code.get(key.code)
            if found is None:
                by_code[key.code] = [(begin, end, key)]
            else:
                found.append((begin, end, key))
        negatable = self.negation.possible(facts)
        coded: dict[str, list[tuple[int, int]]] | None = {} if self.has_within else None
        segments: list[tuple[int, int, int, CodedSegment]] = []
        aside: list[tuple[int, int, SetAsideHit]] = []
        role, speaker, transcript_id, turn_index = turn.role, turn.speaker, transcript.id, turn.index
        excluded = self.excluded.get(role)
        if excluded is None or self.speaker_codes:
            excluded = self._excluded(role, speaker)
        spans: dict[int, tuple[int, int, str]] = {}
        text, base, (idx, ends), starts = transcript.text, turn.start, facts.offsets(len(hits)), facts.sentences
        about, negator = self.about, self.negation.negator
        for number in (self.dependants(by_code) if self.has_within else sorted(by_code)):
            if number in excluded:
                continue
            code_id, path, plain, negation = about[number]
            found = by_code[number]
            start = len(segments)
            if plain and len(found) == 1 and not (negatable and negation and negator(facts, found[0][0]) is not None):
                begin, stop, key = found[0]  # the common case, inline: one hit codes its sentence
                sentence = bisect_right(starts, begin) - 1
                span = spans.get(sentence) or self._sentence(facts, sentence, base, text, spans)
                first, last = base + idx[begin], base + ends[stop - 1]
                segments.append((span[0], number, span[1], _segment(
                    transcript_id, speaker, role, turn_index, code_id, path, span[0], span[1], span[2],
                    (_new_match(first, last, text[first:last], key.label, key.kind, key.index),), "auto", "sentence")))
            elif plain:
                self._code_plain(facts, number, found, transcript, turn, negatable and negation, segments, aside, spans)
            else:
                self._code_hits(facts, number, found, transcript, turn, negatable and negation, coded, segments, aside)
            if coded is not None:
                coded[code_id] = [(s[3].start, s[3].end) for s in segments[start:]]
        if len(segments) > 1:
            segments.sort(key=_ORDER)
        out.segments.extend(s[3] for s in segments)
        if aside:
            aside.sort(key=itemgetter(0, 1))
            out.set_aside.extend(h[2] for h in aside)

    def _excluded(self, role: str, speaker: str) -> frozenset[int]:
        """Return the numbers of the codes a turn of this role and speaker is not coded with."""
        by_role = self.excluded.get(role)
        if by_role is None:
            by_role = self.excluded[role] = frozenset(
                number for number, roles in enumerate(self.code_roles) if role not in roles)
        if not self.speaker_codes:
            return by_role
        return by_role.union(number for number, speakers in self.speaker_codes if speaker not in speakers)

    def _code_hits(
        self, facts: DocFacts, number: int, raw: list[Hit], transcript: Transcript, turn: Turn, negatable: bool,
        coded: dict[str, list[tuple[int, int]]] | None, segments: list[tuple[int, int, int, CodedSegment]],
        aside: list[tuple[int, int, SetAsideHit]],
    ) -> None:
        code = self.code_list[number]
        unit = self.units[number]
        text, base = transcript.text, turn.start
        if self.simple[number]:
            hits, vetoes = raw, []
        else:
            hits, vetoes = combine_near(raw, facts.sentences, self.near[number])
        groups: dict[Any, list[Hit]] = {}
        sentences = facts.sentences if unit == "sentence" else None
        for hit in hits:
            begin = hit[0]
            if negatable:
                negator = self.negation.negator(facts, begin)
                if negator is not None:
                    aside.append(self._aside(facts, hit, number, transcript, turn, "negated",
                                             f"negated by '{negator}'"))
                    continue
            bounds: Any = bisect_right(sentences, begin) - 1 if sentences is not None else (
                (begin, hit[1]) if unit == "match" else 0)
            found = groups.get(bounds)
            if found is None:
                groups[bounds] = [hit]
            else:
                found.append(hit)
        if unit == "match":
            groups = merge_matches(groups)
        idx, ends = facts.offsets()
        for bounds, found in (sorted(groups.items()) if len(groups) > 1 else groups.items()):
            first, last = (facts.sentence_bounds(bounds) if sentences is not None else
                           bounds if unit == "match" else (0, facts.length))
            veto = next((k for b, e, k in vetoes if b < last and e > first), None) if vetoes else None
            start, end = facts.char_span(base, first, last, text)
            if self.context[number] >= 0:
                start, end = widen_to_context(self.nlp, transcript, turn, self.context[number], start, end)
            outside = code.within and coded is not None and not any(
                s < end and e > start for other in code.within for s, e in coded.get(other, ()))
            if veto is not None or outside:
                status = "excluded" if veto is not None else "restricted"
                reason = (f"excluded by '{veto.label[len('exclude '):]}'" if veto is not None else
                          "not inside a passage coded " + " or ".join(f"'{c}'" for c in code.within))
                aside.extend(self._aside(facts, hit, number, transcript, turn, status, reason) for hit in found)
                continue
            segments.append((start, number, end, _segment(
                transcript.id, turn.speaker, turn.role, turn.index, code.id, self.paths[number], start, end,
                text[start:end], self._matches(facts, base, found, text, idx, ends), "auto", unit)))

    def _code_plain(
        self, facts: DocFacts, number: int, raw: list[Hit], transcript: Transcript, turn: Turn, negatable: bool,
        segments: list[tuple[int, int, int, CodedSegment]], aside: list[tuple[int, int, SetAsideHit]],
        spans: dict[int, tuple[int, int, str]],
    ) -> None:
        """Code the sentences of a plain code's hits (no veto, near, within or context): the common case,
        kept short; ``_code_hits`` gives the same records. ``spans`` caches each sentence's offsets and
        text for the doc."""
        text, base = transcript.text, turn.start
        starts = facts.sentences
        groups: dict[int, list[Hit]] = {}
        for hit in raw:
            if negatable:
                negator = self.negation.negator(facts, hit[0])
                if negator is not None:
                    aside.append(self._aside(facts, hit, number, transcript, turn, "negated",
                                             f"negated by '{negator}'"))
                    continue
            sentence = bisect_right(starts, hit[0]) - 1
            found = groups.get(sentence)
            if found is None:
                groups[sentence] = [hit]
            else:
                found.append(hit)
        idx, ends = facts.offsets()
        code_id, path = self.code_list[number].id, self.paths[number]
        for sentence, found in (sorted(groups.items()) if len(groups) > 1 else groups.items()):
            span = spans.get(sentence) or self._sentence(facts, sentence, base, text, spans)
            segments.append((span[0], number, span[1], _segment(
                transcript.id, turn.speaker, turn.role, turn.index, code_id, path, span[0], span[1], span[2],
                self._matches(facts, base, found, text, idx, ends), "auto", "sentence")))

    @staticmethod
    def _sentence(facts: DocFacts, sentence: int, base: int, text: str,
                  spans: dict[int, tuple[int, int, str]]) -> tuple[int, int, str]:
        """Return (and cache) a sentence's transcript offsets and text, trimmed of space."""
        begin, end = facts.sentence_bounds(sentence)
        idx, ends = facts.offsets()
        first, last = base + idx[begin], base + ends[end - 1]
        words = text[first:last]
        if not (words[0].isspace() or words[-1].isspace()):  # nothing to trim (the common case): one slice
            span = spans[sentence] = (first, last, words)
            return span
        first, last = facts.char_span(base, begin, end, text)
        span = spans[sentence] = (first, last, text[first:last])
        return span

    @staticmethod
    def _match(facts: DocFacts, base: int, hit: Hit, text: str) -> Match:
        idx, ends = facts.offsets()
        begin, end, key = hit
        start, stop = base + idx[begin], base + ends[end - 1]
        return _new_match(start, stop, text[start:stop], key.label, key.kind, key.index)

    def _matches(self, facts: DocFacts, base: int, found: list[Hit], text: str, idx: Offsets, ends: Offsets,
                 ) -> tuple[Match, ...]:
        """Return a segment's matches: its one hit's (the common case, from the doc's offsets at hand),
        else its hits' in order and deduplicated."""
        if len(found) == 1:
            begin, stop, key = found[0]
            first, last = base + idx[begin], base + ends[stop - 1]
            return (_new_match(first, last, text[first:last], key.label, key.kind, key.index),)
        return _dedupe(tuple(self._match(facts, base, hit, text) for hit in found))

    def _aside(self, facts: DocFacts, hit: Hit, number: int, transcript: Transcript, turn: Turn, status: str,
               reason: str) -> tuple[int, int, SetAsideHit]:
        match = self._match(facts, turn.start, hit, transcript.text)
        return match.start, number, _set_aside(
            transcript.id, turn.speaker, turn.role, turn.index, self.code_list[number].id, self.paths[number],
            match.start, match.end, match.text, match.pattern, status, reason)

    def _finish(self, result: TranscriptCoding, transcript: Transcript) -> TranscriptCoding:
        """Merge overlapping ``turn+N`` segments of a code (each doc's segments are already in text order)."""
        if not self.has_context:
            return result
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
        return result


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


def _dedupe(matches: tuple[Match, ...]) -> tuple[Match, ...]:
    seen: dict[tuple[int, int, str], Match] = {}
    for match in sorted(matches, key=lambda m: (m.start, -m.end)):
        seen.setdefault((match.start, match.end, match.pattern), match)
    return tuple(seen.values())


def code_transcripts(
    transcripts: Iterable[Transcript], codebook: Codebook, *, model: str | None = None, unit: str = "sentence"
) -> list[CodedSegment]:
    """Code transcripts with a codebook on a fresh pipeline; return the coded segments."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return list(Coder(codebook, build_pipeline(model), unit=unit).code(transcripts))
