"""Quotes for a suggested theme: whole spoken sentences of at least 8 words, one per participant, each
using the theme's own words; transcribers' marks, redactions and fillers never make a quote; those saying the
theme's label, fluently, are shown first."""

from __future__ import annotations

import re
from typing import Collection, Sequence, TypeVar

import numpy as np

from qualkit.segments import Unit

T = TypeVar("T")

MIN_QUOTE_WORDS = 8
HESITATIONS = frozenset("um umm erm er uh uhm ah hmm mm like".split())
# A quote with this many hesitations is halting: a fluent one saying the label is shown before it.
FLUENT_HESITATIONS = 2
MIN_CONTENT_WORDS = 3
# A transcriber's note ([laughs], [inaudible], (pause), (The participant reads the task)) and a redaction
# (XXXX, ***, [name], <redacted>): none is anyone's words.
NOTE = re.compile(r"\[[^\]]*\]|\((?=[^)]*\s)[^)]*\)|\((?:laughs?|laughter|pause|inaudible|sighs?|coughs?)\)|<[^>]*>",
                  re.IGNORECASE)
REDACTION = re.compile(r"x{2,}|\*{2,}|_{2,}|#{2,}|(?:redacted|anonymi[sz]ed|unintelligible|inaudible|crosstalk)",
                       re.IGNORECASE)
# Set phrases of talk whose nouns name no topic (``at the moment``, ``in terms of``, ``of course``, ``for example``):
# their words never make a theme's label or shown terms, so ``moment`` labels no theme (the sample's "I feel"
# theme had been labelled ``moment``) and ``course`` stays free for ``a course of treatment``. They stay in the
# model: taken out of it, F1 and P@5 moved within noise and PDPilot's P@5 fell from .616 to .569.
IDIOMS = re.compile(r"\b(?:" + "|".join(r"\s+".join(phrase.split()) for phrase in """
at the moment|at the minute|at this moment|at that moment|at the time|at that time|at this time|at the same time|
at some point|at this point|at that point|at one point|at the end of the day|at the end|in the end|in terms of|
in fact|in a way|in some ways|in a sense|in any case|in that case|in this case|in general|in particular|
on the other hand|on the whole|by the way|for a while|for the time being|in the meantime|all the time|
most of the time|some of the time|half the time|as a matter of fact|for example|for instance|of course|
first of all|and so on|and so forth|to be honest|the thing is|make sense|makes sense|made sense|making sense
""".replace("\n", "").split("|")) + r")\b", re.IGNORECASE)
# A word, its hyphenated compounds whole (``fixed-term``, ``practice-based``: as the model's tokens are), so no
# half of a compound (``term``) labels a theme.
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\*{2,}|_{2,}|#{2,}")
SENTENCE_START = re.compile(r"^[\"'“‘(]*[A-Z0-9]")
BROKEN_END = re.compile(r"(?:[,;:\-–—/]|\.\.\.|…|,\s*so[.?!]|\b(?:and|but|or|because|cause|the|a|an|of|to|with|for|if|um|uh|er|erm|like|my|our|their|your)[.?!])[\"'”’)]*$",
                        re.IGNORECASE)


def without_notes(text: str) -> str:
    """Return the text with transcribers' notes removed (the words a speaker said)."""
    return NOTE.sub(" ", text)


def topic_text(text: str) -> str:
    """Return the words a speaker said about something: no transcriber's note, no set phrase of talk (``IDIOMS``)."""
    return IDIOMS.sub(" ", without_notes(text))


def spoken_words(text: str) -> list[str]:
    """Return the words a speaker said: no transcriber's note, no redaction mark."""
    return [w for w in WORD.findall(without_notes(text)) if not REDACTION.fullmatch(w)]


def content_words(text: str, stop_words: Collection[str]) -> list[str]:
    """Return the spoken words, lower-cased, that are neither stop words, fillers nor fragments."""
    out = []
    for word in spoken_words(text):
        lower = word.lower().replace("’", "'")
        if len(lower) > 2 and "'" not in lower and lower not in stop_words:
            out.append(lower)
    return out


def is_whole_sentence(text: str) -> bool:
    """Return whether the text opens like a sentence and does not break off (``so I was...``, ``and -``)."""
    stripped = without_notes(text).strip()
    return bool(SENTENCE_START.match(stripped)) and not BROKEN_END.search(stripped)


def quotable(text: str, stop_words: Collection[str], min_words: int = MIN_QUOTE_WORDS) -> bool:
    """Return whether a sentence can be shown as a quote: whole, at least ``min_words`` spoken words and
    ``MIN_CONTENT_WORDS`` words that are not fillers, stop words or marks."""
    return (len(spoken_words(text)) >= min_words and is_whole_sentence(text)
            and len(content_words(text, stop_words)) >= MIN_CONTENT_WORDS)


def choose_quotes(units: Sequence[Unit], members: np.ndarray, score: np.ndarray, allowed: np.ndarray,
                  limit: int, first: np.ndarray | None = None) -> list[Unit]:
    """Return up to ``limit`` of the members, best score first, where ``allowed`` (quotable and using the
    theme's words), at most one per participant (transcript and speaker). With ``first`` (per unit,
    higher is better), the chosen quotes are shown in that order, so the quote a reader would pick
    (the most of the theme's words, the fewest fillers) comes first."""
    ranked = sorted((i for i in members if allowed[i] and score[i] > 0), key=lambda i: (-score[i], i))
    chosen: list[Unit] = []
    seen: set[tuple[str, str]] = set()
    for i in ranked:
        who = (units[i].transcript, units[i].speaker)
        if who in seen:
            continue
        chosen.append(units[i])
        seen.add(who)
        if len(chosen) == limit:
            break
    if first is not None:
        position = {id(unit): n for n, unit in enumerate(chosen)}
        index = {id(units[i]): i for i in ranked}
        chosen.sort(key=lambda unit: (-first[index[id(unit)]], position[id(unit)]))
    return chosen


def hesitations(words: Sequence[str]) -> int:
    """Return a sentence's hesitations: fillers (``um``, ``like``) and words said twice running (``but but``)."""
    bare = [word.strip(".?!;:\"'“”") for word in words]
    return sum(word in HESITATIONS for word in bare) + sum(a == b and a != "" for a, b in zip(bare, bare[1:]))


def label_first(quotes: Sequence[T], held: Sequence[int], hesitant: Sequence[float] = ()) -> list[T]:
    """Return the quotes with those saying the label (``held``: see ``Labeller.holds``) first, the most of it
    first, a fluent one (``hesitant``: fewer than ``FLUENT_HESITATIONS``) before a halting one, and in their
    order otherwise: the first quote a reader sees uses the label's words."""
    halting = [h >= FLUENT_HESITATIONS for h in hesitant] or [False] * len(quotes)
    order = sorted(range(len(quotes)), key=lambda n: (held[n] == 0, halting[n], -held[n], n))
    return [quotes[n] for n in order]
