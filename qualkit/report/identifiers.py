"""Possible identifiers in the quotes a report shows: capitalised names that no pseudonyms file maps.

Without a trained pipeline there is no named-entity recogniser, so the check reads capitalisation: a word
written with a capital inside a sentence of a quote, and never in lower case anywhere in the study's coded
passages, is a name (``Jack``, ``Moor Lane``, ``Eastgate``), unless it is a month, a day, ``I`` or another
word English always capitalises without naming anyone, or a letter or acronym (``B``, ``NHS``). Consecutive
such words are one name. The names are
listed for the researcher to check before the report is shared; none is changed.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterable, Mapping, Sequence

WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
# What may stand between a sentence's end and its first word: closing quotes and brackets, then space; a
# quote's own start, a new line, a colon, or an opening quote or bracket also open a sentence.
OPENS = re.compile(r"(?:^|[.!?…]['\"”’)\]]*\s+|[\n:;]\s*|[\"“‘(\[]\s*|\s[-–—]\s+)$")
# Capitalised always, naming no one: the first person, months, days, and family words used as names.
NAMING_NO_ONE = {
    "i", "i'm", "i've", "i'll", "i'd", "i’m", "i’ve", "i’ll", "i’d", "ok", "okay",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mum", "mam", "mom", "dad", "nan", "nana", "gran", "grandma", "grandad", "granddad", "grandpa", "god",
    "christmas", "easter", "covid", "english",
}
SHOWN = 8


def capitalised_names(text: str) -> list[tuple[int, int, str, bool]]:
    """Return ``(start, end, name, opens)`` for each run of capitalised words inside a sentence of the text;
    ``opens``: its first word opens the sentence (a capital that says nothing by itself, so a run is kept
    only when a word inside the sentence follows it: ``Canal Street is ...``)."""
    names: list[tuple[int, int, str, bool]] = []
    run: list[tuple[re.Match[str], bool]] = []  # the capitalised words so far, each with whether it opens
    for match in WORD.finditer(text):
        capital = match.group(0)[0].isupper()
        opens = capital and bool(OPENS.search(text[: match.start()]))
        if capital and not opens and run and not text[run[-1][0].end(): match.start()].strip():
            run.append((match, opens))
            continue
        _keep(run, text, names)
        run = [(match, opens)] if capital else []
    _keep(run, text, names)
    return names


def _keep(run: list[tuple[re.Match[str], bool]], text: str, names: list[tuple[int, int, str, bool]]) -> None:
    """Add a run of capitalised words to ``names`` unless it is one word opening a sentence."""
    if run and (len(run) > 1 or not run[0][1]):
        start, end = run[0][0].start(), run[-1][0].end()
        names.append((start, end, text[start:end], run[0][1]))


def possible_identifiers(shown: Sequence[Mapping[str, Any]], passages: Iterable[str], known: Iterable[str],
                         ) -> list[dict[str, Any]]:
    """Return the names the shown quotes hold that may identify someone or somewhere: each with the quotes
    holding it and the first one's reference, most quoted first. ``passages`` are the study's coded text
    (a word it ever writes in lower case is not a name); ``known`` names are already public or pseudonyms."""
    lower = Counter(w.casefold() for text in passages for w in WORD.findall(text) if w[0].islower())
    public = {k.casefold() for k in known if k}
    found: dict[str, dict[str, Any]] = {}
    for quote in shown:
        for _, _, name, opens in capitalised_names(quote["text"]):
            words = WORD.findall(name)
            telling = [w for w in words[1 if opens else 0:] if _bare(w) not in NAMING_NO_ONE
                       and not lower[w.casefold()] and not _initials(w)]  # a word only a name is written as
            if not telling or name.casefold() in public or all(w.casefold() in public for w in telling):
                continue
            if opens and lower[words[0].casefold()]:  # a common word opening the sentence is not the name's
                name = name[len(words[0]):].strip()
            key = re.sub(r"['’]s$", "", name)
            entry = found.setdefault(key, {"name": key, "quotes": set(), "first": quote["reference"]})
            entry["quotes"].add(quote["reference"])
    listed = sorted(found.values(), key=lambda e: (-len(e["quotes"]), e["name"]))
    return [{"name": e["name"], "quotes": len(e["quotes"]), "first": e["first"]} for e in listed]


def _bare(word: str) -> str:
    """Return a word in lower case without a possessive or plural ``s`` (``Friday's``, ``Tuesdays``)."""
    folded = re.sub(r"['’]s$", "", word.casefold())
    return folded[:-1] if folded.endswith("s") and folded[:-1] in NAMING_NO_ONE else folded


def _initials(word: str) -> bool:
    """Return whether a word is a letter or an acronym (``B``, ``NHS``, ``GPs``): mostly capitals."""
    return len(word) == 1 or sum(c.isupper() for c in word) * 2 >= len(word)


def identifiers_warning(names: Sequence[Mapping[str, Any]]) -> str | None:
    """Return the one-line warning listing the possible identifiers, or None when there are none."""
    if not names:
        return None
    listed = "; ".join(f"'{n['name']}' ({n['quotes']} quote{'s' * (n['quotes'] != 1)}, first {n['first']})"
                       for n in names[:SHOWN])
    more = f"; and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return (f"the report's quotes hold {len(names)} capitalised name{'s' * (len(names) != 1)} that may identify "
            f"someone or somewhere and that no pseudonyms file maps: {listed}{more}; check them before sharing the "
            "report, and map those that identify with --pseudonyms FILE")
