"""The spaCy pipeline and the matchers that apply a codebook. The only module that imports spaCy."""

from __future__ import annotations

import re
import warnings
from typing import Any, Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Span, Token

from qualkit.codebook import Code, Codebook, Pattern
from qualkit.errors import CodebookError, PipelineError
from qualkit.segments import CodedSegment, Match, Unit
from qualkit.transcript import PARTICIPANT, Transcript, Turn

DEFAULT_PIPELINE = "blank:en"
UNITS = ("sentence", "turn")
KEY_SEPARATOR = "\x1f"


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


class Coder:
    """Applies a codebook's patterns to transcripts with spaCy matchers built once.

    ``unit`` is ``sentence`` (default) or ``turn``: the span a hit codes. ``roles`` are the speaker
    roles coded (participants only by default).
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
        if unit not in UNITS:
            raise PipelineError(f"unknown unit {unit!r} (choose from {', '.join(UNITS)})")
        self.codebook = codebook
        self.nlp = nlp or build_pipeline()
        self.unit = unit
        self.roles = roles
        self.batch_size = batch_size
        self.codes = {code.id: code for code in codebook.codes}
        self.order = {code_id: number for number, code_id in enumerate(self.codes)}
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self.tokens = Matcher(self.nlp.vocab, validate=True)
        self._add_patterns()

    def _add_patterns(self) -> None:
        phrases: list[tuple[str, str]] = []
        for code in self.codebook.codes:
            for pattern in code.patterns:
                key = _key(code, pattern)
                if pattern.kind == "phrase":
                    phrases.append((key, pattern.value))
                else:
                    self._add_token_pattern(code, pattern, key)
        texts = [text for _, text in phrases]
        for (key, _), doc in zip(phrases, self.nlp.pipe(texts)):
            self.phrases.add(key, [doc])

    def _add_token_pattern(self, code: Code, pattern: Pattern, key: str) -> None:
        try:
            self.tokens.add(key, [pattern.value])
        except (ValueError, TypeError) as exc:
            details = re.findall(r"^- \[pattern -> (\d+) -> (\w+).*?\]\] (.*)$|^- \[pattern -> (\d+) -> (\w+)\] (.*)$", str(exc), flags=re.MULTILINE)
            found = [tuple(part for part in groups if part) for groups in details]
            detail = "; ".join(f"token {int(n) + 1}, {where}: {what}" for n, where, what in found[:1])
            raise CodebookError(
                f"{self.codebook.source}, line {pattern.line}, code {code.name!r}, pattern {pattern.index}: "
                f"invalid token pattern: {detail or str(exc).splitlines()[0]}"
            ) from None

    def code(self, transcripts: Iterable[Transcript], units: list[Unit] | None = None) -> Iterator[CodedSegment]:
        """Yield the coded segments of each transcript, in transcript and text order.

        When ``units`` is a list, the coded role's sentences (or turns) are appended to it as well.
        """
        jobs = ((t.turn_text(turn), (t, turn)) for t in transcripts for turn in t.turns if turn.role in self.roles)
        for doc, (transcript, turn) in self.nlp.pipe(jobs, as_tuples=True, batch_size=self.batch_size):
            spans = list(doc.sents) if self.unit == "sentence" else [doc[:]]
            if units is not None:
                units.extend(_unit(transcript, turn, span) for span in spans)
            yield from self._segments(doc, spans, transcript, turn)

    def _segments(self, doc: Doc, spans: list[Span], transcript: Transcript, turn: Turn) -> Iterator[CodedSegment]:
        hits = self.phrases(doc) + self.tokens(doc)
        if not hits:
            return
        strings = self.nlp.vocab.strings
        grouped: dict[tuple[int, str], list[Match]] = {}
        for match_id, begin, end in hits:
            code_id, pattern_label = strings[match_id].split(KEY_SEPARATOR, 1)
            span = doc[begin:end]
            unit_index = _unit_index(spans, span.start)
            start = turn.start + span.start_char
            grouped.setdefault((unit_index, code_id), []).append(
                Match(start, start + len(span.text), span.text, pattern_label)
            )
        order = self.order
        for (unit_index, code_id), matches in sorted(grouped.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])):
            start, end = _offsets(turn, spans[unit_index])
            code = self.codes[code_id]
            yield CodedSegment(
                transcript=transcript.id, speaker=turn.speaker, role=turn.role, turn=turn.index,
                code_id=code.id, code_path=code.path_label, start=start, end=end,
                text=transcript.text[start:end], matches=tuple(_dedupe(matches)), unit=self.unit,
            )


def _key(code: Code, pattern: Pattern) -> str:
    return f"{code.id}{KEY_SEPARATOR}{pattern.label()}"


def _unit_index(spans: list[Span], token_index: int) -> int:
    for number, span in enumerate(spans):
        if span.start <= token_index < span.end:
            return number
    return len(spans) - 1


def _offsets(turn: Turn, span: Span) -> tuple[int, int]:
    """Return the span's offsets in the transcript, without surrounding white space."""
    text = span.text
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    return turn.start + span.start_char + lead, turn.start + span.end_char - trail


def _unit(transcript: Transcript, turn: Turn, span: Span) -> Unit:
    start, end = _offsets(turn, span)
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
