"""Labels for suggested themes: a short phrase from the theme's own sentences and quotes (a frequent
phrase, or the two terms that best set the theme apart), in the words participants used, never a
speaker's name or role, a transcriber's mark, a filler or a lemmatiser's fragment."""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Callable, Collection, Iterable, Sequence

from qualkit.themes.quotes import REDACTION, spoken_words, topic_text
from qualkit.transcript import Transcript

# Words that name who speaks in an interview or focus group, not what it is about.
ROLE_WORDS = frozenset("""
interviewer interviewee participant participants respondent respondents moderator facilitator researcher
speaker speakers transcriber chair note-taker
""".split())
MAX_PHRASE = 3
# A phrase is the label when it scores at least this share of the best single word (a phrase is rarer
# than its words, and says more: ``data provenance`` over ``data``).
PHRASE_SHARE = 0.4
# A second term joins the first (``polar plot and heat map``) when it scores at least this share of the
# first and is said with it in at least two of the theme's sentences; never a third (a word bag).
SECOND_SHARE = 0.5

# Words that, said just before a word, show it used as a thing (``the bus``, ``my carers``, ``at work``) or
# as an action (``I feel``, ``to help``, ``can't live``): English closed classes, not any study's words. A word
# said more often as an action than as a thing (or, alone, in a past form: ``felt``, ``lived``) is a bare verb
# and names no theme (``help``, ``feel``); a phrase is judged by the word before it.
THING_BEFORE = frozenset("""
the a an my your his her our their its this these those some any no every each another much many more less few
fewer of in on at by from with about for into after without through over under per
""".split())
ACTION_BEFORE = frozenset("""
i you we they he she it to can could will would shall should might must do does did not never don't didn't
doesn't can't couldn't won't wouldn't shouldn't i'll you'll we'll they'll i'd you'd we'd they'd i've you've we've
they've i'm you're we're they're
""".split())
# Words that, said just before a word, show it used to describe (``so bad``, ``was useful``, ``felt low``): a
# word said more often so than as a thing is a describing word in this study, whatever else WordNet calls it.
DESCRIBE_BEFORE = frozenset("""
so very too really quite pretty fairly rather extremely incredibly is was were are be been being am feel felt
feels seem seems seemed become became it's that's
""".split())
# A describing word after ``feel`` names a state a theme can be about (``feeling lonely``, ``feeling low``).
FEEL = "feel"
# Dates and numbers say when or how many, never what a theme is about (``contract and march``).
DATE_AND_NUMBER_WORDS = frozenset("""
january february march april june july august september october november december monday tuesday wednesday
thursday friday saturday sunday weekday weekend one two three four five six seven eight nine ten eleven twelve
thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
ninety hundred thousand million first second third fourth fifth sixth seventh eighth ninth tenth twentieth
""".split())

Lemmatise = Callable[[list[str]], list[str]]


def speaker_words(transcripts: Iterable[Transcript]) -> tuple[frozenset[str], frozenset[str]]:
    """Return (words, phrases) naming speakers and roles: speaker labels and the transcripts' attribute
    values (a role such as ``link worker``, a site), lower-cased, with the generic role words.

    ``words`` are single words to keep out of themes: one-word names and roles, every word of a
    speaker label, and the head (last word) of a many-word role (``worker``, ``trainer``);
    ``phrases`` are the whole names and roles, which no label may contain.
    """
    phrases: set[str] = set(ROLE_WORDS)
    words: set[str] = set(ROLE_WORDS)
    for transcript in transcripts:
        for label in {turn.speaker for turn in transcript.turns}:
            parts = _words(label)
            words.update(parts)
            phrases.add(" ".join(parts))
        for key, value in transcript.attributes.items():
            if key.casefold() == "id":
                continue
            parts = _words(str(value))
            if 0 < len(parts) <= 4:
                phrases.add(" ".join(parts))
                words.add(parts[-1])
    phrases.discard("")
    return frozenset(w for w in words if w), frozenset(phrases)


@lru_cache(maxsize=1)
def describing_words() -> frozenset[str]:
    """Return English lemmas that are only adjectives or adverbs in WordNet (``useful``, ``unable``,
    ``quite``): they describe a theme's matter but never name it, so no label ends in one. Read from
    spacy-lookups-data's copy of the WordNet index (no download); empty when it is not installed."""
    try:
        path = resources.files("spacy_lookups_data").joinpath("data", "en_lemma_index.json.gz")
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
            index = json.load(handle)
    except (ModuleNotFoundError, FileNotFoundError, OSError, ValueError):
        return frozenset()
    naming = set(index.get("noun", ())) | set(index.get("verb", ()))
    return frozenset(w for w in set(index.get("adj", ())) | set(index.get("adv", ())) if w not in naming and "_" not in w)


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[^\W\d_]+", text)]


class Labeller:
    """Label themes from their sentences' surface words, scored against the whole corpus.

    Built once per suggestion: it splits every sentence into candidate phrases (runs of up to
    ``MAX_PHRASE`` words that are not stop words, names, roles, marks or fragments, outside set phrases of
    talk such as ``at the moment``), keyed by their
    lemmas so ``plot`` and ``plots`` count together, and remembers each key's commonest spoken form.
    """

    def __init__(self, texts: Sequence[str], lemmatise: Lemmatise, stop_words: Collection[str],
                 blocked_phrases: Collection[str] = ()) -> None:
        self.stop_words = frozenset(stop_words)
        self.blocked = frozenset(blocked_phrases)
        self.blocked_words = frozenset(w for phrase in self.blocked for w in phrase.split())
        sentences = [spoken_words(topic_text(text)) for text in texts]
        distinct = sorted({w.lower() for words in sentences for w in words})
        lemmas = dict(zip(distinct, (lemma.strip() for lemma in lemmatise(distinct))))
        self.lemma = {w: (lemmas.get(w) or w) for w in distinct}
        self.keys: list[frozenset[tuple[str, ...]]] = []
        self.surface: dict[tuple[str, ...], Counter[str]] = {}
        self.df: Counter[tuple[str, ...]] = Counter()
        self.as_thing: Counter[tuple[str, ...]] = Counter()
        self.as_action: Counter[tuple[str, ...]] = Counter()
        self.thing_forms: dict[tuple[str, ...], Counter[str]] = {}
        self.as_described: Counter[tuple[str, ...]] = Counter()
        for words in sentences:
            found: set[tuple[str, ...]] = set()
            for at, run in self._runs(words):
                for n in range(1, MAX_PHRASE + 1):
                    for i in range(len(run) - n + 1):
                        gram = run[i : i + n]
                        key = tuple(self.lemma[w.lower()] for w in gram)
                        if n > 1 and len(set(key)) < n:
                            continue
                        found.add(key)
                        self.surface.setdefault(key, Counter())[" ".join(gram)] += 1
                        self._usage(key, gram, words[at + i - 1].lower().replace("’", "'") if at + i else "")
            keys = frozenset(found)
            self.keys.append(keys)
            self.df.update(keys)
        self.n = max(len(texts), 1)
        self.describing = describing_words()

    def _allowed(self, word: str) -> bool:
        lower = word.lower()
        return (len(lower) > 2 and "'" not in lower and "’" not in lower and lower not in self.stop_words
                and self.lemma.get(lower, lower) not in self.stop_words and not REDACTION.fullmatch(lower)
                and lower not in self.blocked)

    def _runs(self, words: list[str]) -> list[tuple[int, list[str]]]:
        """Return the runs of allowed words, each with the position of its first word."""
        runs: list[tuple[int, list[str]]] = []
        current: list[str] = []
        for at, word in enumerate(words):
            if self._allowed(word):
                current.append(word)
            else:
                if current:
                    runs.append((at - len(current), current))
                current = []
        if current:
            runs.append((len(words) - len(current), current))
        return runs

    def _usage(self, key: tuple[str, ...], gram: list[str], before: str) -> None:
        """Count one use of a phrase as a thing, an action or a description, by the word before it (and a lone
        word's past form)."""
        if before in DESCRIBE_BEFORE:
            self.as_described[key] += 1
        elif before in THING_BEFORE:
            self.as_thing[key] += 1
            self.thing_forms.setdefault(key, Counter())[" ".join(gram)] += 1
        elif before in ACTION_BEFORE or (len(gram) == 1 and gram[0].lower().endswith("ed")
                                         and key[0] != gram[0].lower() and not key[0].endswith("ed")):
            self.as_action[key] += 1

    def is_describing(self, key: tuple[str, ...]) -> bool:
        """Return whether a phrase is said more often to describe than as a thing (``so bad``, ``a bad week``)."""
        return self.as_described[key] >= 2 and self.as_described[key] >= self.as_thing[key]

    def is_action(self, key: tuple[str, ...]) -> bool:
        """Return whether a phrase is said more often as an action than as a thing (``I feel``, ``to help``)."""
        return self.as_action[key] > self.as_thing[key]

    def display(self, key: tuple[str, ...]) -> str:
        """Return the commonest spoken form of a phrase key, lower-cased unless always written in capitals."""
        forms = self.surface.get(key)
        if not forms:
            return " ".join(key)
        form = max(sorted(forms), key=forms.__getitem__)
        return form.lower() if form.lower() in forms or form.istitle() else form

    def name_form(self, key: tuple[str, ...]) -> str:
        """Return a label phrase as spoken: as ``display``, but as its ``-ing`` form when that is how it is said
        as a thing (``breathing`` of ``your breathing``, not ``breathe``)."""
        if len(key) == 2 and key[0] == FEEL:
            return "feeling " + self.display(key[1:])
        shown = self.display(key)
        things = self.thing_forms.get(key)
        if things and not shown.lower().endswith("ing"):
            form = max(sorted(things), key=things.__getitem__)
            if form.lower().endswith("ing"):
                return form.lower()
        return shown

    def term(self, lemma_term: str) -> str:
        """Return a model term (lemmas, e.g. ``datum provenance``) in the words participants used."""
        key = tuple(lemma_term.split())
        if key in self.surface:
            return self.display(key)
        return " ".join(self.display((part,)) if (part,) in self.surface else part for part in key)

    def is_role(self, text: str) -> bool:
        """Return whether a phrase names a speaker or role, or uses a word of one (``link`` of ``link worker``)."""
        return any(word in self.blocked_words for word in text.lower().split())

    def counts(self, members: Sequence[int]) -> Counter[tuple[str, ...]]:
        """Return how many of the members' sentences use each candidate phrase."""
        counts: Counter[tuple[str, ...]] = Counter()
        for i in members:
            counts.update(self.keys[i])
        return counts

    def scores(self, members: Sequence[int], within: Collection[int] = (), favoured: Collection[tuple[str, ...]] = (),
               ) -> list[tuple[float, tuple[str, ...]]]:
        """Return (score, key) of the members' candidate phrases, best first.

        A phrase scores its share p of the members' sentences times log(p / q), q its share of all
        sentences (what it adds to telling the theme apart), doubled when it is one of ``favoured`` (the
        model's top terms). Phrases in fewer than two sentences, or not in the ``within`` sentences
        (the quotes) when given, are left out, as are names and roles."""
        counts = self.counts(members)
        allowed = set().union(*(self.keys[i] for i in within)) if within else None
        size = max(len(members), 1)
        out = []
        for key, count in counts.items():
            if count < 2 or (allowed is not None and key not in allowed) or self.is_role(self.display(key)):
                continue
            share, overall = count / size, self.df[key] / self.n
            if share <= overall:
                continue
            score = share * math.log(share / overall) * (2.0 if key in favoured else 1.0)
            out.append((score, key))
        return sorted(out, key=lambda pair: (-pair[0], pair[1]))

    def names(self, key: tuple[str, ...], actions: bool = False) -> bool:
        """Return whether a phrase can name a theme: its last word is not only an adjective or adverb, nor said
        more often to describe than as a thing (``so bad``), unless the phrase is ``feel`` and that word (a state:
        ``feeling lonely``); it is said more often as a thing than as an action (unless ``actions``); and no word
        of it is a date or a number."""
        state = len(key) == 2 and key[0] == FEEL  # feeling lonely: a state, named by the word that describes it
        return ((state or (key[-1] not in self.describing and not self.is_describing(key[-1:])))
                and (state or actions or not self.is_action(key)) and not any(w in DATE_AND_NUMBER_WORDS for w in key))

    def label(self, members: Sequence[int], quotes: Sequence[int] = (), favoured: Collection[tuple[str, ...]] = (),
              taken: Collection[str] = ()) -> str:
        """Return a theme's label as spoken (see ``label_keys``), '' when nothing qualifies."""
        return self.show(self.label_keys(members, quotes, favoured, taken))

    def show(self, keys: Sequence[tuple[str, ...]]) -> str:
        """Return a label's phrases as spoken, joined by 'and'."""
        return " and ".join(self.name_form(key) for key in keys)

    def holds(self, sentence: int, keys: Sequence[tuple[str, ...]]) -> int:
        """Return how much of a label a sentence says: per phrase, 1 for its head (last) word (``non-linear
        interactions`` says ``feature interactions``' head) and 1 more for the whole phrase."""
        said = self.keys[sentence]
        return sum((key[-1:] in said) + (key in said) for key in keys)

    def label_keys(self, members: Sequence[int], quotes: Sequence[int] = (), favoured: Collection[tuple[str, ...]] = (),
                   taken: Collection[str] = ()) -> tuple[tuple[str, ...], ...]:
        """Return a theme's label, as the keys of its one or two phrases: its best phrase of two or more words when that scores at least
        ``PHRASE_SHARE`` of the best single word, else its best word (or the phrase of it and the next
        word when the two are said side by side: ``feature interactions``, not ``interactions and
        feature``); then, when another phrase or word sharing no word with it scores at least
        ``SECOND_SHARE`` of it and is said with it, ``first and second``. Only phrases that can name
        (see ``names``) count, or, when none does, phrases said as actions (a theme whose sentences share
        only a verb is named by it rather than lost); phrases come from the theme's quotes when any
        qualifies; a label in ``taken`` (another theme's) is passed over; () when nothing qualifies."""
        ranked = self.scores(members, quotes, favoured) or self.scores(members, (), favoured)
        ranked = [(s, k) for s, k in ranked if self.display(k) not in taken]
        ranked = ([(s, k) for s, k in ranked if self.names(k)]
                  or [(s, k) for s, k in ranked if self.names(k, actions=True)])
        if not ranked:
            return ()
        words = [(s, k) for s, k in ranked if len(k) == 1]
        phrases = [(s, k) for s, k in ranked if len(k) > 1]
        best_word = words[0][0] if words else 0.0
        counts = self.counts(members)
        if phrases and phrases[0][0] >= PHRASE_SHARE * best_word:
            first = phrases[0]
        else:
            first = words[0]
            if len(words) > 1 and words[1][0] >= SECOND_SHARE * first[0]:
                side_by_side = self._adjacent(counts, first[1][0], words[1][1][0])
                if side_by_side is not None and self.display(side_by_side) not in taken:
                    first = (first[0], side_by_side)
        first_key = self._widest(first[1], ranked, counts, taken)
        together = [i for i in members if first_key in self.keys[i]]
        second = next(((s, k) for s, k in ranked if s >= SECOND_SHARE * first[0] and not set(k) & set(first_key)
                       and sum(k in self.keys[i] for i in together) >= 2), None)
        if second is None:
            return (first_key,)
        second_key = self._widest(second[1], ranked, counts, taken)
        if set(second_key) & set(first_key):
            second_key = second[1]
        return (first_key, second_key)

    def _widest(self, key: tuple[str, ...], ranked: Sequence[tuple[float, tuple[str, ...]]],
                counts: Counter[tuple[str, ...]], taken: Collection[str]) -> tuple[str, ...]:
        """Return the longest ranked phrase holding ``key`` said in at least ``SECOND_SHARE`` of the
        theme's sentences that use ``key`` (``plot`` said as ``polar plot`` is shown so), else ``key``."""
        def holds(longer: tuple[str, ...]) -> bool:
            return any(longer[i : i + len(key)] == key for i in range(len(longer) - len(key) + 1))

        wider = [k for _, k in ranked if len(k) > len(key) and holds(k) and self.display(k) not in taken
                 and counts.get(k, 0) >= SECOND_SHARE * counts.get(key, 0)]
        return max(wider, key=lambda k: (counts[k], len(k))) if wider else key

    def _adjacent(self, counts: Counter[tuple[str, ...]], one: str, other: str) -> tuple[str, ...] | None:
        """Return the two-word phrase of ``one`` and ``other`` (either order) said most often in the members'
        sentences (``counts``, see ``counts``), when it is said in at least two and can name; else None."""
        pairs = [key for key in ((one, other), (other, one)) if counts.get(key, 0) >= 2 and self.names(key)]
        return max(pairs, key=lambda key: (counts[key], key)) if pairs else None


def blocked_summary(words: Collection[str], limit: int = 12) -> str:
    """Return the speaker and role words for the methods trail (the first ``limit``, then a count)."""
    ordered = sorted(w for w in words if w not in ROLE_WORDS)
    shown = ", ".join(ordered[:limit])
    return shown + (f" and {len(ordered) - limit} more" if len(ordered) > limit else "")


def surface_terms(labeller: Labeller, terms: Sequence[tuple[str, float]], members: Sequence[int] = (),
                  keep: int = 3) -> tuple[tuple[str, float], ...]:
    """Return a theme's model terms in spoken form, merging terms that read the same. With ``members``,
    terms that none of the theme's own sentences uses (words of the questions around them) are left out
    while at least ``keep`` remain."""
    used = labeller.counts(members) if len(members) else None
    merged: dict[str, float] = {}
    for term, weight in terms:
        shown = labeller.term(term)
        if not labeller.is_role(shown):
            merged[shown] = max(merged.get(shown, 0.0), weight)
    if used is None:
        return tuple(merged.items())
    spoken = {labeller.term(t) for t, _ in terms if used.get(tuple(t.split()), 0) > 0}
    kept = [(t, w) for t, w in merged.items() if t in spoken]
    return tuple(kept) if len(kept) >= keep else tuple(merged.items())


__all__ = ["Labeller", "ROLE_WORDS", "blocked_summary", "describing_words", "speaker_words", "surface_terms"]
