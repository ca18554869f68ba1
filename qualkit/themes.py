"""Theme suggestion: a scikit-learn style estimator over plain strings, and quotes for its themes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from qualkit.segments import CodedSegment, Unit

# Words of talk, not of topic: fillers, hedges and back-channels that fill interview transcripts.
INTERVIEW_FILLERS = frozenset("""
um umm erm er uh uhm ah oh hmm mm mhm yeah yep yes no nah ok okay right well like just really actually
basically literally know mean kind sort think guess maybe bit lot things thing stuff got get gonna wanna
say said says saying go going went laughs laughter inaudible crosstalk pause don didn doesn isn wasn
ve ll re im ive dont cant wont thats theres youre theyre
""".split())
INTERVIEW_STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | INTERVIEW_FILLERS


class ThemeSuggester:
    """Suggest themes in short texts with TF-IDF and non-negative matrix factorisation (NMF).

    Parameters are stored as given; ``fit`` validates them. After ``fit``: ``terms_`` (per theme,
    ``(term, weight)`` pairs, best first), ``weights_`` (texts x themes), ``labels_`` (each text's
    strongest theme, or -1 when it has none), ``vocabulary_size_`` and ``stop_words_``.
    """

    def __init__(
        self,
        n_themes: int = 6,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        max_features: int | None = 5000,
        stop_words: Iterable[str] = (),
        n_terms: int = 10,
        random_state: int = 0,
    ) -> None:
        self.n_themes = n_themes
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.stop_words = stop_words
        self.n_terms = n_terms
        self.random_state = random_state

    def fit(self, texts: Sequence[str], y: Any = None) -> "ThemeSuggester":
        """Learn themes from the texts; return self."""
        if not isinstance(self.n_themes, int) or self.n_themes < 1:
            raise ValueError(f"n_themes must be a positive whole number, got {self.n_themes!r}")
        texts = list(texts)
        if len(texts) < self.n_themes:
            raise ValueError(f"need at least {self.n_themes} texts to suggest {self.n_themes} themes, got {len(texts)}")
        self.stop_words_ = sorted(INTERVIEW_STOP_WORDS | {w.casefold() for w in self.stop_words})
        vectorizer = TfidfVectorizer(
            lowercase=True, stop_words=self.stop_words_, ngram_range=self.ngram_range,
            min_df=min(self.min_df, len(texts)), max_features=self.max_features, sublinear_tf=True,
            token_pattern=r"(?u)\b[^\W\d_][\w'’-]*[^\W\d_]\b",
        )
        matrix = vectorizer.fit_transform(texts)
        n_themes = min(self.n_themes, matrix.shape[1])
        model = NMF(n_components=n_themes, init="nndsvda", random_state=self.random_state, max_iter=500)
        self.weights_ = model.fit_transform(matrix)
        self.components_ = model.components_
        self.vectorizer_ = vectorizer
        terms = vectorizer.get_feature_names_out()
        self.vocabulary_size_ = len(terms)
        self.terms_ = [
            [(str(terms[i]), float(row[i])) for i in np.argsort(row)[::-1][: self.n_terms] if row[i] > 0]
            for row in self.components_
        ]
        strongest = self.weights_.argmax(axis=1)
        self.labels_ = np.where(self.weights_.max(axis=1) > 0, strongest, -1)
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Return the theme weights of new texts."""
        from sklearn.decomposition import non_negative_factorization

        matrix = self.vectorizer_.transform(list(texts))
        weights, _, _ = non_negative_factorization(
            matrix, H=self.components_, n_components=self.components_.shape[0], init="custom",
            update_H=False, random_state=self.random_state,
        )
        return weights


@dataclass(frozen=True)
class SuggestedTheme:
    """A theme suggested from the data: its label, top terms, quotes and prevalence."""

    number: int
    label: str
    terms: tuple[tuple[str, float], ...]
    quotes: tuple[Unit, ...]
    units: int
    participants: tuple[str, ...]


def uncoded_units(units: Iterable[Unit], segments: Iterable[CodedSegment]) -> list[Unit]:
    """Return the units that no coded segment overlaps (what the codebook missed)."""
    coded: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for segment in segments:
        coded.setdefault((segment.transcript, segment.turn), []).append((segment.start, segment.end))
    return [
        unit for unit in units
        if not any(s < unit.end and unit.start < e for s, e in coded.get((unit.transcript, unit.turn), ()))
    ]


def suggest_themes(
    units: Sequence[Unit],
    *,
    n_themes: int = 6,
    n_quotes: int = 3,
    min_quote_words: int = 8,
    random_state: int = 0,
    stop_words: Iterable[str] = (),
) -> tuple[list[SuggestedTheme], ThemeSuggester]:
    """Suggest themes in the units; each theme gets quotes from different participants."""
    suggester = ThemeSuggester(n_themes, random_state=random_state, stop_words=stop_words)
    suggester.fit([unit.text for unit in units])
    themes = []
    for number, terms in enumerate(suggester.terms_):
        members = np.flatnonzero(suggester.labels_ == number)
        ranked = sorted(members, key=lambda i: -suggester.weights_[i, number])
        quotes: list[Unit] = []
        quoted_speakers: set[tuple[str, str]] = set()
        for index in ranked:
            unit = units[index]
            who = (unit.transcript, unit.speaker)
            if len(unit.text.split()) >= min_quote_words and who not in quoted_speakers:
                quotes.append(unit)
                quoted_speakers.add(who)
            if len(quotes) == n_quotes:
                break
        participants = tuple(sorted({units[i].transcript for i in members}))
        label = " / ".join(term for term, _ in terms[:3])
        themes.append(SuggestedTheme(number + 1, label, tuple(terms), tuple(quotes), len(members), participants))
    return themes, suggester
