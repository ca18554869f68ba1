"""Theme suggestion on a study's units: what the codebook missed (residual mode) or the whole corpus,
each theme with its top terms, quotes from different participants, prevalence and overlap with codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from qualkit.segments import CodedSegment, Unit
from qualkit.themes.answers import AnswerKey, answer_contexts
from qualkit.themes.labels import Labeller, blocked_summary, speaker_words, surface_terms
from qualkit.themes.model import INTERVIEW_STOP_WORDS, METHODS, ThemeSuggester
from qualkit.themes.quotes import (
    MIN_QUOTE_WORDS, REDACTION, choose_quotes, content_words, hesitations, label_first, quotable, without_notes,
)
from qualkit.transcript import Transcript

if TYPE_CHECKING:
    from qualkit.compare import Participants

Lemmatise = Callable[[list[str]], list[str]]
QUOTE_TERMS = 1
# A quote should be strongly and mainly about its theme. Ranking by the share of the unit's own words
# instead picked passing mentions (pdpilot: 0.38 of quotes inside the coders' segments of the theme,
# against 0.50 for weight x share).
# Preferring sentences with two of the theme's terms, then centrality (its share of the sentence's own and
# turn weight, the share of its content words that are theme terms) raised serdif from 0.53 to 0.62 of
# quotes inside the coders' segments of the theme and left pdpilot at 0.53 (five quotes per theme kept).
# Its share of the sentence's own words only (not of its turn: a sentence in a long answer about the
# theme is not itself about it) raised serdif from 0.60 to 0.68 and left pdpilot at 0.58 (15 themes), and
# helped or tied on every held-out half of both (pdpilot halves 0.56 -> 0.59, serdif 0.62 -> 0.65).
CENTRAL_TERMS = 2
QUOTE_RANKING = ("chosen first among sentences using at least 2 of the theme's top terms, by the theme's weight in "
                 "the sentence (with its context) x its share of the sentence's weight x its share of the sentence's "
                 "own words' weight x the share of the sentence's content words that are theme terms; shown with "
                 "those saying the label (its head word, or all of it) first, a fluent one before one with 2 or more "
                 "hesitations (fillers, a word said twice running), then most theme terms (up to 2), most content "
                 "words and fewest hesitations")
# A theme is dropped as filler talk when at least this share of its sentences have fewer than two content
# words, and this margin more than in the whole corpus (where short answers are common anyway).
CONTENT_FREE_SHARE = 0.5
CONTENT_FREE_MARGIN = 0.2
RESIDUAL_QUESTION_WEIGHT = 0.5

__all__ = [
    "INTERVIEW_STOP_WORDS", "METHODS", "SuggestedTheme", "ThemeAssignment", "ThemeSuggestions", "ThemeSuggester",
    "pipeline_lemmatiser", "suggest_themes", "uncoded_units", "unit_contexts",
]


@dataclass(frozen=True)
class SuggestedTheme:
    """A theme suggested from the data: its label, top terms, quotes, prevalence and overlap with codes.

    ``by_group`` rows are ``(group, units, participants, group size)``; ``codes`` rows are
    ``(code id, code path, units shared, share of the theme's units in %)``, most shared first.
    """

    number: int
    label: str
    terms: tuple[tuple[str, float], ...]
    quotes: tuple[Unit, ...]
    units: int
    participants: tuple[str, ...]
    by_group: tuple[tuple[str, int, int, int], ...] = ()
    codes: tuple[tuple[str, str, int, float], ...] = ()
    coherence: float = 0.0


@dataclass(frozen=True)
class ThemeAssignment:
    """A unit's theme (see ``ThemeSuggester.labels_``) and that theme's share of the unit's theme weight."""

    document: str
    start: int
    end: int
    topic: int
    weight: float


@dataclass(frozen=True)
class ThemeSuggestions:
    """What a theme suggestion found, with its methods trail and the curve that chose k."""

    themes: tuple[SuggestedTheme, ...]
    assignments: tuple[ThemeAssignment, ...]
    methods: Mapping[str, Any] = field(default_factory=dict)
    k_curve: tuple[Mapping[str, float], ...] = ()


def uncoded_units(units: Iterable[Unit], segments: Iterable[CodedSegment]) -> list[Unit]:
    """Return the units that no coded segment overlaps (what the codebook missed)."""
    coded: dict[str, list[tuple[int, int]]] = {}
    for segment in segments:
        coded.setdefault(segment.transcript, []).append((segment.start, segment.end))
    return [unit for unit in units if not any(s < unit.end and unit.start < e for s, e in coded.get(unit.transcript, ()))]


def pipeline_lemmatiser(nlp: Any, batch_size: int = 256) -> Lemmatise:
    """Return a function that lemmatises texts with a spaCy pipeline (the Coder's), keeping words only.

    With qualkit's default pipeline (lookup lemmas) words are looked up once each after tokenising;
    with another pipeline its own lemmatizer runs.
    """
    if "qualkit_lemmatizer" in nlp.pipe_names:
        table = nlp.get_pipe("qualkit_lemmatizer").lookups.get_table("lemma_lookup", {})
        cache: dict[str, str] = {}

        def lookup(texts: list[str]) -> list[str]:
            out = []
            for doc in nlp.tokenizer.pipe(texts, batch_size=batch_size):
                words = []
                for token in doc:
                    if token.is_alpha:
                        lower = _contraction_stem(token)
                        lemma = cache.get(lower)
                        if lemma is None:
                            lemma = cache[lower] = str(table.get(lower, lower)).lower()
                        words.append(lemma)
                out.append(" ".join(words))
            return out

        return lookup

    def lemmatise(texts: list[str]) -> list[str]:
        wanted = [name for name in nlp.pipe_names if name in ("lemmatizer", "tagger", "attribute_ruler", "tok2vec")]
        with nlp.select_pipes(enable=wanted):
            return [" ".join(_contraction_stem(t) if _contraction_stem(t) != t.lower_ else (t.lemma_ or t.lower_).lower()
                             for t in doc if t.is_alpha)
                    for doc in nlp.pipe(texts, batch_size=batch_size)]

    return lemmatise


def _contraction_stem(token: Any) -> str:
    """Return a token in lower case, or the word it stands for when it is the stem of a contraction
    (``ca`` of ``can't``, ``wo`` of ``won't``), so no theme is made of fragments."""
    following = token.nbor() if token.i + 1 < len(token.doc) else None
    if following is not None and not token.whitespace_ and (
            following.text[:1] in ("'", "’") or following.lower_ in ("n't", "n’t")):
        return str(token.norm_).lower()
    return str(token.lower_)


def unit_contexts(units: Sequence[Unit], transcripts: Sequence[Transcript]) -> tuple[list[str], list[str]]:
    """Return, per unit, the text of its answer (its turn, joined across the interviewer's back-channels
    such as ``Mhm.``) and of the interviewer's question before it (the last turn that is not a back-channel)."""
    answers, questions, _ = answer_contexts(units, transcripts)
    return answers, questions


def suggest_themes(
    units: Sequence[Unit],
    transcripts: Sequence[Transcript] = (),
    *,
    n_themes: int | str = "auto",
    method: str = "nmf",
    context: bool = True,
    n_quotes: int = 5,
    min_quote_words: int = MIN_QUOTE_WORDS,
    random_state: int = 0,
    stop_words: Iterable[str] = (),
    lemmatise: Lemmatise | None = None,
    segments: Sequence[CodedSegment] = (),
    group_by: str = "group",
    vectors: np.ndarray | None = None,
    residual: bool | None = None,
    quote_terms: int | None = None,
) -> ThemeSuggestions:
    """Suggest themes in the units; each theme gets a label, terms, quotes, and its sentences and
    participants by group.

    With ``context`` (and the transcripts) each unit also sees its turn and the interviewer's question
    before it. ``segments`` (the codebook's coding) give each theme's overlap with codes.
    ``residual`` (default: true when segments are given and none touches a unit) marks the units as
    what the codebook missed: the questions before them are often about coded topics, so the
    question weighs ``RESIDUAL_QUESTION_WEIGHT`` and a unit's turn is only its uncoded units.
    Speakers' names and roles (labels and attribute values), transcribers' notes and redaction marks
    never enter the model. A quote is a whole sentence of at least ``min_quote_words`` spoken words
    using at least ``quote_terms`` of its theme's top terms, one per participant. A theme is dropped
    when it has no label or no quote, or when most of its sentences say nothing but fillers and marks.
    """
    lemmatise = lemmatise or _lower
    if residual is None:
        residual = bool(segments) and not any(_codes_per_unit(units, segments))
    quote_terms = QUOTE_TERMS if quote_terms is None else quote_terms
    names, roles = speaker_words(transcripts)
    texts = lemmatise([without_notes(unit.text) for unit in units])
    marks = {word for text in texts for word in text.split() if REDACTION.fullmatch(word)}
    own_stop = set(stop_words) | names | marks
    turn_texts = question_texts = None
    if context and transcripts:
        turn_raw, question_raw, answers = answer_contexts(units, transcripts)
        turn_raw = [without_notes(text) for text in turn_raw]
        turn_texts = (_joined_turns(units, texts, answers) if residual
                      else _turn_lemmas(units, texts, turn_raw, lemmatise, answers))
        question_texts = _lemmatise_unique(lemmatise, [without_notes(text) for text in question_raw])
    suggester = ThemeSuggester(n_themes, method=method, random_state=random_state, stop_words=own_stop,
                               **({"question_weight": RESIDUAL_QUESTION_WEIGHT} if residual else {}))
    suggester.fit(texts, turns=turn_texts, questions=question_texts, vectors=vectors,
                  groups=[unit.transcript for unit in units] if context else None)
    weights = suggester.weights_
    totals = weights.sum(axis=1)
    shares = np.divide(weights, totals[:, None], out=np.zeros_like(weights), where=totals[:, None] > 0)
    groups, people = _groups_and_people(transcripts, group_by)  # a focus group's participant speakers each count
    group_sizes = people.sizes(groups)
    stop = frozenset(suggester.stop_words_)
    raw = [unit.text for unit in units]
    labeller = Labeller(raw, lemmatise, stop, roles)
    term_counts = _top_term_counts(suggester)
    uses_terms = term_counts >= max(quote_terms, 0)
    can_quote = np.array([quotable(text, stop, min_quote_words) for text in raw], dtype=bool)
    content = np.array([len(content_words(text, stop)) for text in raw], dtype=float)
    quote_scores = _quote_scores(weights, shares, np.asarray(suggester.own_weights_, dtype=weights.dtype),
                                 term_counts, content)
    content_free = content < 2
    words = [text.lower().replace(",", " ").split() for text in raw]
    spoken = np.array([max(len(w), 1) for w in words], dtype=float)
    hesitant = np.array([hesitations(w) for w in words], dtype=float)
    filler_share = max(CONTENT_FREE_SHARE, float(content_free.mean()) + CONTENT_FREE_MARGIN) if len(units) else 1.0
    coded = _codes_per_unit(units, segments)
    labels = np.asarray(suggester.labels_).copy()
    themes: list[SuggestedTheme] = []
    dropped: list[str] = []
    kept: list[int] = []
    index = {(u.transcript, u.start): i for i, u in enumerate(units)}
    for number, terms in enumerate(suggester.terms_):
        members = np.flatnonzero(labels == number)
        quotes = choose_quotes(units, members, quote_scores[:, number], can_quote & uses_terms[:, number], n_quotes,
                               first=np.minimum(term_counts[:, number], 2) + (content - 2 * hesitant) / spoken)
        favoured = {tuple(term.split()) for term, _ in terms}
        quoted = [index[(q.transcript, q.start)] for q in quotes]
        keys = labeller.label_keys(members, quoted, favoured, {t.label for t in themes})
        label = labeller.show(keys)
        quotes = label_first(quotes, [labeller.holds(i, keys) for i in quoted], [hesitant[i] for i in quoted])
        shown = surface_terms(labeller, terms, members)
        if not label or not quotes or (len(members) and content_free[members].mean() >= filler_share):
            why = "no quote" if not quotes else "no label" if not label else "mostly fillers and marks"
            dropped.append(f"{' / '.join(t for t, _ in shown[:3])} ({why})")
            labels[members] = -1
            continue
        labels[members] = len(themes)
        kept.append(number)
        themes.append(SuggestedTheme(
            number=len(themes) + 1, label=label, terms=shown, quotes=tuple(quotes), units=len(members),
            participants=tuple(sorted(people.who((units[i].transcript, units[i].speaker) for i in members))),
            by_group=_by_group(units, members, groups, group_sizes, people), codes=_overlap(members, coded),
            coherence=round(float(suggester.coherence_[number]), 4),
        ))
    assignments = tuple(
        ThemeAssignment(unit.transcript, unit.start, unit.end, int(label) + 1,
                        round(float(shares[i, kept[label]]), 4))
        for i, (unit, label) in enumerate(zip(units, labels)) if label >= 0
    )
    methods = {
        "method": method, "k": suggester.n_themes_, "k_chosen_by": suggester.k_criterion_, "seed": random_state,
        "k_before_merging": sum(len(m) for m in suggester.merged_),
        "units": len(units), "context": (
            f"each unit's TF-IDF plus {suggester.turn_weight} x its turn's (joined across the interviewer's "
            f"back-channels: no question mark, no word of their own){' (its uncoded units only)' if residual else ''}"
            f" and {suggester.question_weight} x the interviewer's preceding question's (the last turn that is not a "
            f"back-channel, nor by someone recording the session), then its neighbours within {suggester.window} units of the same "
            f"transcript weighted {suggester.window_decay}^distance" if turn_texts is not None
            else "the unit's own words only"),
        "assignment": (f"each sentence to its strongest theme, then up to {suggester.refine} rounds of moving it to the theme "
                       "whose centroid (the mean of its sentences' vectors, with their context) it is most like, times the "
                       "square root of that theme's weight in it relative to its strongest" if suggester.refine > 0
                       else "each sentence to its strongest theme"),
        "vocabulary_size": suggester.vocabulary_size_, "ngram_range": list(suggester.ngram_range),
        "stop_words": "English stop words, interview fillers/hedges and generic speech words (tell, ask, "
                      "come, start, talk, look, people, year, ...), transcribers' notes and redaction marks, and "
                      "speakers' names and roles" + (f" ({blocked_summary(names)})" if blocked_summary(names) else "") + (
            f" plus the study's own: {', '.join(sorted(set(stop_words)))}" if stop_words else ""),
        "lemmatised": lemmatise is not _lower, "diversity": round(suggester.diversity_, 4),
        "coherence_npmi": round(float(np.mean(suggester.coherence_)), 4) if suggester.coherence_ else 0.0,
        "min_quote_words": min_quote_words,
        "labels": "the theme's best phrase (up to 3 words, as spoken) in its quotes, by p x log(p / q), p its share of "
                  "the theme's sentences and q of all sentences (x2 for the model's top terms); else its best word, "
                  "with the next when said together with it; never a speaker's name or a role word, a word of a set phrase "
                  "of talk (at the moment, in terms of, of course), a describing "
                  "word, a word said more often as an action than a thing (I feel, to help), a date or a number",
        "quotes": f"whole sentences of at least {min_quote_words} spoken words using at least {quote_terms} of the "
                  f"theme's top {suggester.n_terms} terms, one per participant, {QUOTE_RANKING}",
        "dropped": dropped,
        "residual": bool(residual),
    }
    return ThemeSuggestions(tuple(themes), assignments, methods, tuple(suggester.k_scores_))


def _quote_scores(weights: np.ndarray, shares: np.ndarray, local: np.ndarray, term_counts: np.ndarray,
                  content: np.ndarray) -> np.ndarray:
    """Return, per unit and theme, how well the unit shows the theme (see ``QUOTE_RANKING``).

    Sentences using at least ``CENTRAL_TERMS`` of the theme's top terms come first (the score's whole
    part); within each tier, the theme's weight x its share of the unit's weights x its share of the
    unit's weight in its own words (``local``: not its turn, question or neighbours) x the share of the unit's
    content words that are the theme's top terms: a sentence centred on the theme, not one passing by it.
    """
    term_share = np.minimum(term_counts / np.maximum(content, 1.0)[:, None], 1.0)
    totals = local.sum(axis=1, keepdims=True)
    local_shares = np.divide(local, totals, out=np.zeros_like(local), where=totals > 0)
    centrality = weights * shares * local_shares * term_share
    return (term_counts >= CENTRAL_TERMS) + centrality / (1.0 + centrality)


def _lower(texts: list[str]) -> list[str]:
    return [text.lower() for text in texts]


def _lemmatise_unique(lemmatise: Lemmatise, texts: list[str]) -> list[str]:
    distinct = list(dict.fromkeys(texts))
    done = dict(zip(distinct, lemmatise(distinct)))
    return [done[text] for text in texts]


def _turn_lemmas(units: Sequence[Unit], lemmas: list[str], turn_raw: list[str], lemmatise: Lemmatise,
                 answers: Sequence[AnswerKey] | None = None) -> list[str]:
    """Return each unit's answer (``answers``: its key per unit; default its turn), lemmatised: joined from
    its units' lemmas when the units cover the whole answer, else lemmatised afresh (once per distinct answer)."""
    keys = _answer_keys(units, answers)
    parts: dict[AnswerKey, list[int]] = {}
    for i, key in enumerate(keys):
        parts.setdefault(key, []).append(i)
    joined: dict[AnswerKey, str] = {}
    missing: dict[str, None] = {}
    for key, members in parts.items():
        raw = turn_raw[members[0]]
        covered = sum(len(units[i].text.split()) for i in members)
        if covered >= len(raw.split()):
            joined[key] = " ".join(lemmas[i] for i in members)
        else:
            missing[raw] = None
    fresh = dict(zip(missing, lemmatise(list(missing)))) if missing else {}
    return [joined.get(key) or fresh.get(turn_raw[i], "") for i, key in enumerate(keys)]


def _joined_turns(units: Sequence[Unit], lemmas: list[str], answers: Sequence[AnswerKey] | None = None) -> list[str]:
    """Return each unit's answer (default: its turn) as the lemmas of the given units of that answer (in
    residual mode: its uncoded part)."""
    keys = _answer_keys(units, answers)
    parts: dict[AnswerKey, list[str]] = {}
    for key, lemma in zip(keys, lemmas):
        parts.setdefault(key, []).append(lemma)
    joined = {key: " ".join(values) for key, values in parts.items()}
    return [joined[key] for key in keys]


def _answer_keys(units: Sequence[Unit], answers: Sequence[AnswerKey] | None) -> list[AnswerKey]:
    return list(answers) if answers is not None else [(unit.transcript, unit.turn) for unit in units]


def _top_term_counts(suggester: ThemeSuggester) -> np.ndarray:
    """Return, per unit and theme, how many of the theme's top terms the unit's own words use."""
    vocabulary = suggester.vectorizer_.vocabulary_
    present = suggester.own_.tocsc()
    present.data = np.ones_like(present.data)
    counts = np.zeros((present.shape[0], len(suggester.terms_)), dtype=np.int32)
    for number, terms in enumerate(suggester.terms_):
        ids = [vocabulary[term] for term, _ in terms if term in vocabulary]
        if ids:
            counts[:, number] = np.asarray(present[:, ids].sum(axis=1)).ravel()
    return counts


def _by_group(units: Sequence[Unit], members: np.ndarray, groups: Mapping[str, str],
              sizes: Mapping[str, int], people: Participants) -> tuple[tuple[str, int, int, int], ...]:
    if not groups:
        return ()
    rows = []
    for group in sorted(sizes):
        inside = [units[i] for i in members if groups.get(units[i].transcript) == group]
        rows.append((group, len(inside), people.count((u.transcript, u.speaker) for u in inside), sizes[group]))
    return tuple(rows)


def _codes_per_unit(units: Sequence[Unit], segments: Sequence[CodedSegment]) -> list[set[tuple[str, str]]]:
    by_transcript: dict[str, list[CodedSegment]] = {}
    for segment in segments:
        by_transcript.setdefault(segment.transcript, []).append(segment)
    return [{(s.code_id, s.code_path) for s in by_transcript.get(u.transcript, ()) if s.start < u.end and u.start < s.end}
            for u in units]


def _overlap(members: np.ndarray, coded: list[set[tuple[str, str]]]) -> tuple[tuple[str, str, int, float], ...]:
    counts: dict[tuple[str, str], int] = {}
    for i in members:
        for code in coded[i]:
            counts[code] = counts.get(code, 0) + 1
    total = max(len(members), 1)
    return tuple((cid, path, n, round(100.0 * n / total, 1))
                 for (cid, path), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _groups_and_people(transcripts: Sequence[Transcript], group_by: str) -> tuple[dict[str, str], Participants]:
    """Return ``{transcript id: group}`` and the study's participants (``qualkit.compare``: each participant
    speaker of a transcript; a one-to-one interview's one named by the transcript id). Imported here, as
    ``qualkit.compare`` brings pandas, which theme suggestion does not otherwise need."""
    from qualkit.compare import Participants, participant_groups

    return participant_groups(transcripts, group_by), Participants.of(transcripts)
