"""The spaCy pipeline qualkit codes with: blank English with a sentencizer and a case-folding lookup
lemmatizer, or an installed trained pipeline. Part of the ``coding`` package, the only one that imports spaCy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import spacy
from spacy.attrs import LEMMA, LOWER, ORTH
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Token

from qualkit.errors import PipelineError

DEFAULT_PIPELINE = "blank:en"
# The key under which the lemmatizer keeps, in ``doc.user_data``, what it read of a doc: its lower-case ids
# (a list), their set and the lemma ids (an array), so that the coder does not read them again.
TOKEN_IDS = "qualkit.token_ids"
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


class CaseFoldLookupLemmatizer(Lemmatizer):
    """spaCy's lookup lemmatizer, looking words up in lower case so that "Felt" -> "feel".

    ``lemma_ids`` maps each lower-case word id it has met to its lemma id: a token's lemma is a function
    of its lower-case form (see ``own_lemmatizer``). ``met`` lists those word ids in the order first met.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lemma_ids: dict[int, int] = {}
        self.met: list[int] = []
        self._table: Any = None

    def __call__(self, doc: Doc) -> Doc:
        """Set every token's lemma in one array write: each lower-case word is looked up once per run and
        its lemma id cached (the same lemmas as looking each token up, at a fraction of the cost). What it
        read of the doc is kept under ``TOKEN_IDS`` for the coder."""
        if self.mode != "lookup" or not self.overwrite or not len(doc):
            return super().__call__(doc)
        cache = self.lemma_ids
        if self._table is None:
            self._table = self.lookups.get_table("lemma_lookup", {})
        lowers = doc.to_array(LOWER).tolist()
        present = set(lowers)
        missing = present.difference(cache)
        if missing:
            strings, table = doc.vocab.strings, self._table
            for lower in missing:
                word = strings[lower]
                cache[lower] = strings.add(table.get(word, word))
            self.met.extend(missing)
        lemmas = np.fromiter(map(cache.__getitem__, lowers), dtype=np.uint64, count=len(lowers))
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        doc.user_data[TOKEN_IDS] = (lowers, present, lemmas)
        return doc

    def lookup_lemmatize(self, token: Token) -> list[str]:
        """Return the lower-case lookup lemma of the token (the lower-cased word if none)."""
        table = self.lookups.get_table("lemma_lookup", {})
        lower = token.lower_
        return [table.get(lower, lower)]


@Language.factory("qualkit_lemmatizer", default_config={"mode": "lookup", "overwrite": True, "model": None})
def make_lemmatizer(nlp: Language, name: str, model: Any, mode: str, overwrite: bool) -> CaseFoldLookupLemmatizer:
    """Build the case-folding lookup lemmatizer (a spaCy factory)."""
    return CaseFoldLookupLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite)


def own_lemmatizer(nlp: Language) -> CaseFoldLookupLemmatizer | None:
    """Return qualkit's lemmatizer when it is last in the pipeline (as in the default one): then every doc's
    lemmas are a function of its lower-case words (``lemma_ids``) and every word of every doc is in ``met``."""
    last = nlp.get_pipe(nlp.pipe_names[-1]) if nlp.pipe_names else None
    if isinstance(last, CaseFoldLookupLemmatizer) and last.mode == "lookup" and last.overwrite:
        return last
    return None


OPENING_BRACKETS = ("[", "(")


@Language.component("qualkit_bracket_sentences")
def bracket_sentences(doc: Doc) -> Doc:
    """Start a sentence at an opening bracket rather than just after it, so that a transcriber's note
    such as "[laughs]" opens the next sentence instead of leaving "[" on the end of the last one."""
    if len(doc) < 3:
        return doc
    square, round_ = (doc.vocab.strings[b] for b in OPENING_BRACKETS)
    words = doc.to_array(ORTH)
    positions = np.flatnonzero((words == square) | (words == round_)).tolist()
    for i in positions:
        if 0 < i < len(doc) - 1 and doc[i + 1].is_sent_start and not doc[i].is_sent_start:
            doc[i + 1].is_sent_start = False
            doc[i].is_sent_start = True
    return doc


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
    nlp.add_pipe("qualkit_bracket_sentences")
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


def annotated_attrs(nlp: Language) -> set[str]:
    """Return the token attributes (POS, DEP, ...) that some component of the pipeline sets."""
    factories = {nlp.get_pipe_meta(name).factory for name in nlp.pipe_names}
    return {attr for attr, needs in ANNOTATING_FACTORIES.items() if needs & factories}
