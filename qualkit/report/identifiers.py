"""Possible identifiers in the quotes a report shows: capitalised names that no pseudonyms file maps.

Without a trained pipeline there is no named-entity recogniser, so the check reads capitalisation: a word
written with a capital inside a sentence of a quote, and never in lower case anywhere in the study's coded
passages, is a name (``Jack``, ``Moor Lane``, ``Eastgate``), unless it is a month, a day, ``I`` or another
word English always capitalises without naming anyone, or a letter or acronym (``B``, ``NHS``). Consecutive
such words are one name. A suggested theme's label or term, shown in lower case (``fatima``), is read the
same way: it is listed when one of its words is, wherever the study writes it, written with a capital inside a
sentence and never in lower case. The names are listed for the researcher to check before the report is
shared; none is changed, in the quotes or in the themes.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterable, Mapping, Sequence

WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
POSSESSIVE = re.compile(r"['’]s$")  # Fatima's is Fatima
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
# How far back a sentence's opening is looked for: more than any run of closing quotes and spaces.
LOOK_BACK = 64


def capitalised_names(text: str) -> list[tuple[int, int, str, bool]]:
    """Return ``(start, end, name, opens)`` for each run of capitalised words inside a sentence of the text;
    ``opens``: its first word opens the sentence (a capital that says nothing by itself, so a run is kept
    only when a word inside the sentence follows it: ``Canal Street is ...``)."""
    names: list[tuple[int, int, str, bool]] = []
    run: list[tuple[re.Match[str], bool]] = []  # the capitalised words so far, each with whether it opens
    for match in WORD.finditer(text):
        capital = match.group(0)[0].isupper()
        opens = capital and bool(OPENS.search(text, max(0, match.start() - LOOK_BACK), match.start()))
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
    lower = lower_case_words(passages)
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
            key = POSSESSIVE.sub("", name)
            entry = found.setdefault(key, {"name": key, "quotes": set(), "first": quote["reference"]})
            entry["quotes"].add(quote["reference"])
    listed = sorted(found.values(), key=lambda e: (-len(e["quotes"]), e["name"]))
    return [{"name": e["name"], "quotes": len(e["quotes"]), "first": e["first"], "source": "quotes"} for e in listed]


def theme_identifiers(suggested: Sequence[Mapping[str, Any]], passages: Sequence[str], known: Iterable[str],
                      cases: Iterable[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """Return the suggested themes' labels and terms that may identify someone or somewhere, in the order the
    report shows them: each holds a word that ``passages`` (the study's participant text) write with a capital
    inside a sentence and never in lower case, that English does not always capitalise and that is no acronym
    (as written) and no ``known`` value. ``cases`` (from ``word_cases``) add how the whole study writes the
    themes' words, beyond the passages a run file keeps. ``where`` (also ``first``) says which themes show it."""
    lower, capitals = lower_case_words(passages), _capitalised_inside(passages)
    for case in cases:
        lower[case["word"]] += int(case["lower"])
        if case["capitalised"]:
            capitals.setdefault(case["word"], set()).update(case["capitalised"])
    public = {k.casefold() for k in known if k}

    def names_someone(word: str) -> bool:
        key = POSSESSIVE.sub("", word.casefold())
        written = capitals.get(key, ())
        return bool(written) and _bare(word) not in NAMING_NO_ONE and not lower[key] and not lower[word.casefold()] \
            and key not in public and not any(_initials(w) for w in written)

    found: dict[str, dict[str, Any]] = {}
    for theme in suggested:
        shown = [(theme.get("label") or "", "label")] + [(t["term"], "terms") for t in theme.get("terms", ())]
        for text, part in shown:
            if not text or text.casefold() in public or not any(names_someone(w) for w in WORD.findall(text)):
                continue
            entry = found.setdefault(text.casefold(), {"name": text, "where": []})
            place = f"theme {theme['number']}'s {part}"
            if place not in entry["where"]:
                entry["where"].append(place)
    return [{"name": e["name"], "quotes": 0, "first": ", ".join(e["where"]), "where": ", ".join(e["where"]),
             "source": "themes"} for e in found.values()]


def word_cases(passages: Iterable[str], words: Iterable[str]) -> list[dict[str, Any]]:
    """Return how the passages (a study's whole participant text) write each of the words (the suggested themes'
    label and term words): ``lower``, the times in lower case, and ``capitalised``, its forms with a capital
    inside a sentence; words the passages never write are left out. A run keeps these, not the text, so the
    check on theme labels and terms reads every sentence of the study, saved or not."""
    wanted = {form for w in words for form in (w.casefold(), POSSESSIVE.sub("", w.casefold()))}
    if not wanted:
        return []
    mentions = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(wanted, key=len, reverse=True))) + r")\b", re.I)
    texts = [text for text in passages if mentions.search(text)]
    lower, capitals = lower_case_words(texts), _capitalised_inside(texts)
    return [{"word": w, "lower": lower[w], "capitalised": sorted(capitals.get(w, ()))}
            for w in sorted(wanted) if lower[w] or w in capitals]


def lower_case_words(passages: Iterable[str]) -> Counter[str]:
    """Return how often the passages write each word (case-folded) in lower case: such a word is no name."""
    return Counter(w.casefold() for text in passages for w in WORD.findall(text) if w[0].islower())


def _capitalised_inside(passages: Iterable[str]) -> dict[str, set[str]]:
    """Return, per word (case-folded, without a possessive ``'s``), how the passages write it with a capital
    inside a sentence (``{"fatima": {"Fatima", "Fatima's"}}``); a capital opening a sentence says nothing."""
    written: dict[str, set[str]] = {}
    for text in passages:
        for _, _, name, opens in capitalised_names(text):
            for word in WORD.findall(name)[1 if opens else 0:]:
                written.setdefault(POSSESSIVE.sub("", word.casefold()), set()).add(word)
    return written


def _bare(word: str) -> str:
    """Return a word in lower case without a possessive or plural ``s`` (``Friday's``, ``Tuesdays``)."""
    folded = POSSESSIVE.sub("", word.casefold())
    return folded[:-1] if folded.endswith("s") and folded[:-1] in NAMING_NO_ONE else folded


def _initials(word: str) -> bool:
    """Return whether a word is a letter or an acronym (``B``, ``NHS``, ``GPs``): mostly capitals."""
    return len(word) == 1 or sum(c.isupper() for c in word) * 2 >= len(word)


def identifiers_warning(names: Sequence[Mapping[str, Any]]) -> str | None:
    """Return the one-line warning listing the possible identifiers (in quotes, then in suggested themes'
    labels and terms), or None when there are none."""
    if not names:
        return None
    quoted = [n for n in names if n.get("source", "quotes") == "quotes"]
    themed = [n for n in names if n.get("source") == "themes"]
    said = []
    if quoted:
        listed = _listed([f"'{n['name']}' ({n['quotes']} quote{'s' * (n['quotes'] != 1)}, first {n['first']})"
                          for n in quoted])
        said.append(f"the report's quotes hold {len(quoted)} capitalised name{'s' * (len(quoted) != 1)} that may "
                    f"identify someone or somewhere and that no pseudonyms file maps: {listed}")
    if themed:
        listed = _listed([f"'{n['name']}' ({n['where']})" for n in themed])
        said.append(f"suggested themes' labels and terms hold {len(themed)} more: {listed}" if quoted else
                    f"the report's suggested themes' labels and terms hold {len(themed)} word{'s' * (len(themed) != 1)} "
                    "that the study writes only as a name, that may identify someone or somewhere and that no "
                    f"pseudonyms file maps: {listed}")
    return "; ".join(said) + ("; check them before sharing the report, and map those that identify with "
                              "--pseudonyms FILE")


def _listed(items: Sequence[str]) -> str:
    """Return the first ``SHOWN`` items joined by '; ', and how many more."""
    more = f"; and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return "; ".join(items[:SHOWN]) + more
