"""Negation: whether a negator ("not", "never", "n't", ...) governs a hit in its clause.

A doc without any negator word is never scanned. With a parsing pipeline, a ``neg`` dependant of the
hit or of its head counts too. Part of the ``coding`` package, the only one that imports spaCy.
"""

from __future__ import annotations

from spacy.strings import StringStore

from qualkit.coding.units import DocFacts

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


class Negation:
    """Finds the negator governing a hit, from lower-case word ids (grown as new words are seen)."""

    def __init__(self, strings: StringStore, parsed: bool) -> None:
        self.negators = frozenset(strings.add(word) for word in NEGATORS)
        self.breaks = {strings.add(word) for word in CLAUSE_BREAKS}
        self.spaces: set[int] = set()
        self.parsed = parsed

    def see(self, word: str, lower: int) -> None:
        """Note a new word: white space is skipped in the window, punctuation ends a clause."""
        if word.isspace():
            self.spaces.add(lower)
        elif not any(ch.isalnum() for ch in word):
            self.breaks.add(lower)

    def possible(self, facts: DocFacts) -> bool:
        """Return whether any hit of the doc can be negated (it holds a negator, or the pipeline parses)."""
        return self.parsed or not self.negators.isdisjoint(facts.lowers)

    def negator(self, facts: DocFacts, begin: int) -> str | None:
        """Return the negating word governing a hit starting at token ``begin``, or ``None``."""
        governed = facts.negated
        if governed is None:
            governed = facts.negated = self._governed(facts)
        position = governed.get(begin)
        if position is not None:
            return facts.doc[position].text
        if self.parsed:
            root = facts.doc[begin]
            for head in (root, root.head):
                for child in head.children:
                    if child.dep_ == "neg" and child.i < begin:
                        return str(child.text)
        return None

    def _governed(self, facts: DocFacts) -> dict[int, int]:
        """Map each token a negator of the doc governs to that negator's position, walking forward from
        each negator once per doc: the nearest negator before the token, in its sentence, with no clause
        break between and at most ``NEGATION_WINDOW`` words (white space not counted) between them."""
        lower = facts.lower
        present = self.negators.intersection(facts.lowers)
        if not present:
            return {}
        positions: list[int] = []
        for word in present:
            position = lower.index(word)
            try:
                while True:
                    positions.append(position)
                    position = lower.index(word, position + 1)
            except ValueError:
                pass
        positions.sort()
        starts = set(facts.sentences)
        negators, breaks, spaces = self.negators, self.breaks, self.spaces
        governed: dict[int, int] = {}
        for negator in positions:
            steps = 0
            for position in range(negator + 1, facts.length):
                if position in starts:
                    break
                governed[position] = negator
                word = lower[position]
                if word in negators or word in breaks:
                    break
                if word not in spaces:
                    steps += 1
                    if steps > NEGATION_WINDOW:
                        break
        return governed
