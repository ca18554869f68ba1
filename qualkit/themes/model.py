"""The theme model: a scikit-learn style estimator over plain strings (TF-IDF with context, then NMF, LDA or k-means)."""

from __future__ import annotations

import warnings
from typing import Any, Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.decomposition import NMF, LatentDirichletAllocation
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from qualkit.themes.selection import npmi_coherence, stability, supported_middle_k, topic_diversity

# Words of talk, not of topic: fillers, hedges and back-channels that fill interview transcripts.
INTERVIEW_FILLERS = frozenset("""
um umm erm er uh uhm ah oh hmm mm mhm yeah yep yes no nah ok okay right well like just really actually
basically literally know mean kind sort think guess maybe bit lot things thing stuff got get gonna wanna
say said says saying go going went laughs laughter inaudible unintelligible crosstalk pause don didn doesn
isn wasn ve ll re im ive dont cant wont thats theres youre theyre be have do would could should will can
let want need make use way time good great yes sure pretty probably definitely something anything
doe bite laugh pause whatever somebody someone everybody everyone
honestly obviously anyway absolutely totally exactly alright cos cause gon na wan thank thanks cheers bye hello
""".split())
# Generic verbs of conversation and everyday nouns of telling: they answer "what was said", not "about what".
INTERVIEW_SPEECH_WORDS = frozenset("""
tell ask come start talk look give take put keep try happen remember call mention explain wonder
people person bloke fella lady guy year ago day week today yesterday
""".split())
INTERVIEW_STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | INTERVIEW_FILLERS | INTERVIEW_SPEECH_WORDS
METHODS = ("nmf", "lda", "kmeans", "vectors")
TEXTS_PER_THEME = 10
TOKEN_PATTERN = r"(?u)\b[^\W\d_][\w'’-]*[^\W\d_]\b"


class ThemeSuggester:
    """Suggest themes in short texts: TF-IDF then NMF (default), LDA, k-means, or k-means on vectors.

    Each text may also see its context: ``fit(texts, turns=..., questions=...)`` adds the TF-IDF of
    the text's whole turn (times ``turn_weight``) and of the interviewer's question before it (times
    ``question_weight``) to the text's own, so a short sentence is placed by what it answers.
    Each theme's terms are ranked by relevance (``relevance`` = 1.0: by weight alone), so its top
    terms say what sets it apart. ``n_themes="auto"`` picks the number in ``k_range`` by stability of top
    terms across subsamples (Greene et al. 2014), fitted on at most ``selection_sample`` texts: of the k
    whose smoothed stability is within ``stability_tolerance`` of the best (indistinguishable at this
    sample size), the one nearest the middle of the range (see ``_choose_k``).

    After ``fit``: ``terms_`` (per theme, ``(term, weight)`` pairs, best first), ``weights_`` (texts x
    themes), ``labels_`` (each text's theme, or -1 when it has none: its strongest, then ``refine`` rounds of
    moving it to the theme whose centroid it is nearest, see ``_refine``), ``n_themes_``,
    ``k_scores_`` (the selection curve), ``k_criterion_``, ``merged_`` (per theme, the factorisation's
    themes joined in it: with ``n_themes="auto"`` and documents given, themes whose shares rise and fall
    together over passages are merged, see ``_merge``), ``coherence_``, ``diversity_``,
    ``vocabulary_size_`` and ``stop_words_``.
    """

    def __init__(
        self,
        n_themes: int | str = "auto",
        *,
        method: str = "nmf",
        k_range: tuple[int, int] = (10, 20),
        turn_weight: float = 1.0,
        question_weight: float = 2.0,
        window: int = 6,
        window_decay: float = 0.7,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        max_df: float = 0.5,
        max_features: int | None = 5000,
        stop_words: Iterable[str] = (),
        n_terms: int = 10,
        n_seeds: int = 3,
        selection_sample: int = 1500,
        stability_tolerance: float = 0.1,
        relevance: float = 0.6,
        prune: float = 0.02,
        merge_below: float | None = None,
        min_themes: int = 5,
        refine: int = 3,
        random_state: int = 0,
    ) -> None:
        self.n_themes = n_themes
        self.method = method
        self.k_range = k_range
        self.turn_weight = turn_weight
        self.question_weight = question_weight
        self.window = window
        self.window_decay = window_decay
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.stop_words = stop_words
        self.n_terms = n_terms
        self.n_seeds = n_seeds
        self.selection_sample = selection_sample
        self.stability_tolerance = stability_tolerance
        self.relevance = relevance
        self.prune = prune
        self.merge_below = merge_below
        self.min_themes = min_themes
        self.refine = refine
        self.random_state = random_state

    def _validate(self, n_texts: int) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown method {self.method!r} (choose from {', '.join(METHODS)})")
        if self.n_themes != "auto" and (not isinstance(self.n_themes, int) or self.n_themes < 1):
            raise ValueError(f"n_themes must be a positive whole number or 'auto', got {self.n_themes!r}")
        low, high = self.k_range
        if not (1 <= low <= high):
            raise ValueError(f"k_range must be (low, high) with 1 <= low <= high, got {self.k_range!r}")
        smallest = self._k_range(n_texts)[0] if self.n_themes == "auto" else int(self.n_themes)
        if n_texts < smallest:
            raise ValueError(f"need at least {smallest} texts to suggest {smallest} themes, got {n_texts}")

    def fit(
        self, texts: Sequence[str], y: Any = None, *, turns: Sequence[str] | None = None,
        questions: Sequence[str] | None = None, groups: Sequence[str] | None = None,
        vectors: np.ndarray | None = None,
    ) -> "ThemeSuggester":
        """Learn themes from the texts (with their turns, questions, documents or word vectors if given); return self.

        ``groups`` names each text's document, texts in speaking order: each text then also sees its
        neighbours within ``window`` texts of the same document, weighted ``window_decay ** distance``.
        The linear algebra runs on one BLAS thread: the models are many and small (tens of themes), and
        BLAS threads spinning over them took three times the CPU and wall time of one thread.
        """
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(list(texts), turns, questions, groups, vectors)

    def _fit(self, texts: list[str], turns: Sequence[str] | None, questions: Sequence[str] | None,
             groups: Sequence[str] | None, vectors: np.ndarray | None) -> "ThemeSuggester":
        self._validate(len(texts))
        if self.method == "vectors" and vectors is None:
            raise ValueError("method 'vectors' needs the texts' vectors (a pipeline with word vectors)")
        self.stop_words_ = sorted(INTERVIEW_STOP_WORDS | {w.casefold() for w in self.stop_words})
        vectorizer = TfidfVectorizer(
            lowercase=True, stop_words=self.stop_words_, ngram_range=self.ngram_range,
            min_df=min(self.min_df, len(texts)), max_df=self.max_df if len(texts) >= 20 else 1.0,
            max_features=self.max_features, sublinear_tf=True, token_pattern=TOKEN_PATTERN, dtype=np.float32,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            own = vectorizer.fit_transform(texts)
        self.vectorizer_ = vectorizer
        self.own_ = own
        matrix = normalize(own)
        for context, weight in ((turns, self.turn_weight), (questions, self.question_weight)):
            if context is not None and weight > 0:
                if len(context) != len(texts):
                    raise ValueError(f"context has {len(context)} entries for {len(texts)} texts")
                matrix = matrix + weight * normalize(_transform_unique(vectorizer, context))
        matrix = normalize(sparse.csr_matrix(matrix))
        local = matrix
        if groups is not None and self.window > 0:
            if len(groups) != len(texts):
                raise ValueError(f"groups has {len(groups)} entries for {len(texts)} texts")
            matrix = _prune(normalize(_smooth(matrix, np.asarray(groups), self.window, self.window_decay)), self.prune)
        features = normalize(vectors) if self.method == "vectors" and vectors is not None else matrix
        terms = vectorizer.get_feature_names_out()
        self.vocabulary_size_ = len(terms)
        self.k_range_ = self._k_range(len(texts))
        if self.n_themes == "auto":
            self.n_themes_, self.k_scores_ = self._choose_k(features, matrix)
            self.k_criterion_ = (
                f"stability of top-{self.n_terms} terms across {self.n_seeds} random 80% subsamples (at most "
                f"{self.selection_sample} texts), k in {self.k_range_[0]}-{self.k_range_[1]} (at most one theme per "
                f"{TEXTS_PER_THEME} texts), smoothed over neighbouring k; "
                f"of the k within {self.stability_tolerance} of the most stable, the one nearest the middle of the range"
            ) + (f"; then themes sharing passages merged (1 - correlation of their passage shares below "
                 f"{self.merge_below}, at least {self.min_themes} themes)" if self.merge_below is not None and groups is not None else "")
        else:
            self.n_themes_ = int(min(int(self.n_themes), matrix.shape[1], len(texts)))
            self.k_scores_ = []
            self.k_criterion_ = "set by the user" + (
                "" if self.n_themes_ == int(self.n_themes) else
                f" ({self.n_themes} asked; at most {self.n_themes_} possible with {len(texts)} texts and "
                f"{matrix.shape[1]} terms)")
        self.weights_, self.components_ = self._factorise(features, matrix, self.n_themes_, self.random_state)
        self.merged_ = [[number] for number in range(self.n_themes_)]
        if self.merge_below is not None and groups is not None and self.n_themes == "auto":
            self._merge(np.asarray(groups))
        components = self.components_.T.astype(np.float32)
        self.own_weights_ = np.asarray(normalize(own) @ components)
        self.local_weights_ = np.asarray(local @ components)
        ranking = _relevance(self.components_, self.relevance)
        top = [[i for i in np.argsort(-rank, kind="stable")[: self.n_terms] if row[i] > 0]
               for rank, row in zip(ranking, self.components_)]
        self.terms_ = [[(str(terms[i]), float(row[i])) for i in ids] for ids, row in zip(top, self.components_)]
        self.coherence_ = npmi_coherence(top, own)
        self.diversity_ = topic_diversity([[t for t, _ in terms] for terms in self.terms_])
        strongest = self.weights_.argmax(axis=1)
        self.labels_ = _refine(features, self.weights_, np.where(self.weights_.max(axis=1) > 0, strongest, -1), self.refine)
        return self

    def _merge(self, groups: np.ndarray) -> None:
        """Merge themes that share passages: each text's theme shares, smoothed over its neighbours in its
        document, correlated across texts; themes are joined (average linkage) while the distance
        1 - correlation stays below ``merge_below``, keeping at least ``min_themes``. Facets of one
        theme talked about in the same stretches become one; themes that compete stay apart."""
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import squareform

        k = self.weights_.shape[1]
        if k <= self.min_themes:
            return
        totals = self.weights_.sum(axis=1, keepdims=True)
        shares = np.divide(self.weights_, totals, out=np.zeros_like(self.weights_), where=totals > 0)
        smoothed = _smooth(sparse.csr_matrix(shares), groups, self.window, self.window_decay).toarray()
        with np.errstate(invalid="ignore", divide="ignore"):
            correlation = np.nan_to_num(np.corrcoef(smoothed.T), nan=0.0)
        distance = np.clip(1.0 - correlation, 0.0, 2.0)
        np.fill_diagonal(distance, 0.0)
        tree = linkage(squareform(distance, checks=False), "average")
        clusters = fcluster(tree, t=self.merge_below, criterion="distance") - 1
        if clusters.max() + 1 < self.min_themes:
            clusters = fcluster(tree, t=self.min_themes, criterion="maxclust") - 1
        order = sorted(range(clusters.max() + 1), key=lambda c: int(np.flatnonzero(clusters == c)[0]))
        groups_of = [np.flatnonzero(clusters == c).tolist() for c in order]
        if len(groups_of) == k:
            return
        join = np.zeros((k, len(groups_of)), dtype=self.weights_.dtype)
        for new, members in enumerate(groups_of):
            join[members, new] = 1.0
        self.weights_ = self.weights_ @ join
        self.components_ = join.T.astype(self.components_.dtype) @ self.components_
        self.merged_ = groups_of
        self.n_themes_ = len(groups_of)

    def _factorise(self, features: Any, matrix: Any, k: int, seed: int, init: str = "nndsvdar") -> tuple[np.ndarray, np.ndarray]:
        """Return (texts x themes weights, themes x terms components) for one model."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            if self.method == "nmf":
                model = NMF(n_components=k, init=init, random_state=seed, max_iter=400, tol=1e-4)
                weights = model.fit_transform(features)
                return weights, model.components_
            if self.method == "lda":
                lda = LatentDirichletAllocation(n_components=k, learning_method="batch", max_iter=30, random_state=seed)
                weights = lda.fit_transform(features)
                return weights, lda.components_
            km = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(features)
            weights = np.zeros((features.shape[0], k))
            weights[np.arange(features.shape[0]), km.labels_] = 1.0
            components = np.vstack([
                np.asarray(matrix[km.labels_ == c].mean(axis=0)).ravel() if np.any(km.labels_ == c)
                else np.zeros(matrix.shape[1]) for c in range(k)
            ])
            return weights, components

    def _k_range(self, n_texts: int) -> tuple[int, int]:
        """Return ``k_range`` for this many texts: at most one theme per ``TEXTS_PER_THEME`` texts (and
        at least 2), so a small corpus is not cut into themes too small to quote from five people."""
        low, high = self.k_range
        high = min(high, max(2, n_texts // TEXTS_PER_THEME))
        return min(low, high), high

    def _choose_k(self, features: Any, matrix: Any) -> tuple[int, list[dict[str, float]]]:
        """Return the k in ``k_range`` whose models agree best across random 80% subsamples, and the curve.

        Each k is fitted on ``n_seeds`` subsamples of at most ``selection_sample`` texts; its stability
        is the mean matched Jaccard similarity of the models' top terms (Greene et al. 2014), smoothed
        over k-1, k, k+1. Stability from a few subsamples is noisy (on interview corpora the smoothed
        curve is often flat within about 0.1) and favours small k, so taking its maximum picks k almost
        at random; instead every k within ``stability_tolerance`` of the best smoothed value counts as
        equally supported, and among those the one nearest the middle of ``k_range`` is chosen (the
        larger on a tie). Each row of the curve also keeps the mean NPMI coherence of the first model.
        """
        rng = np.random.RandomState(self.random_state)
        n = features.shape[0]
        size = min(self.selection_sample, max(int(0.8 * n), 1))
        samples = [np.sort(rng.choice(n, size, replace=False)) for _ in range(self.n_seeds)]
        low, high = self._k_range(n)
        high = max(low, min(high, size, matrix.shape[1]))
        scores = []
        for k in range(low, high + 1):
            models = [self._factorise(features[rows], matrix[rows], k, self.random_state + s)[1]
                      for s, rows in enumerate(samples)]
            pairs = [stability(models[i], models[j], self.n_terms)
                     for i in range(len(models)) for j in range(i + 1, len(models))]
            top = [np.argsort(row)[::-1][: self.n_terms] for row in models[0]]
            coherence = float(np.mean(npmi_coherence(top, self.own_[samples[0]])))
            scores.append({"k": k, "stability": round(float(np.mean(pairs)) if pairs else 1.0, 4),
                           "coherence": round(coherence, 4)})
        values = [s["stability"] for s in scores]
        for i, row in enumerate(scores):
            row["smoothed"] = round(float(np.mean(values[max(i - 1, 0) : i + 2])), 4)
        chosen, supported = supported_middle_k([(s["k"], s["smoothed"]) for s in scores], self.stability_tolerance)
        for row in scores:
            row["supported"] = float(row["k"] in supported)
        return int(chosen), scores

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Return the theme weights of new texts (their own words only)."""
        from sklearn.decomposition import non_negative_factorization

        matrix = normalize(self.vectorizer_.transform(list(texts)))
        with threadpool_limits(limits=1, user_api="blas"):
            weights, _, _ = non_negative_factorization(
                matrix, H=self.components_.astype(matrix.dtype), n_components=self.components_.shape[0],
                init="custom", update_H=False, random_state=self.random_state,
            )
        return weights


def _refine(features: Any, weights: np.ndarray, labels: np.ndarray, rounds: int) -> np.ndarray:
    """Return each text's theme after ``rounds`` of moving it to the theme whose centroid (the mean of its texts'
    features, with their context) it is most like, times the square root of the theme's weight in it relative
    to its strongest: spherical k-means started from the factorisation, which keeps a text near its theme's
    weight but gathers the texts a theme's words describe. Texts without features keep no theme.

    Measured (bench_themes.py, mean of seeds 0-4, F1 / P@5, 3 rounds against none): PDPilot .344 / .616 to
    .347 / .601, serdif .323 / .648 to .326 / .640, the GENNOVATE focus groups .320 / .231 to .325 / .259, wac
    .221 / .429 to .234 / .422. F1 rose on every study's held-out halves (PDPilot .398 to .401, serdif .309 to
    .311, GENNOVATE .374 to .382, wac .273 to .275) and at the second level of codes (wac .096 to .117).
    """
    if rounds <= 0 or weights.shape[1] < 2:
        return labels
    rows = normalize(sparse.csr_matrix(features))
    has = np.asarray(abs(rows).sum(axis=1)).ravel() > 0
    peak = np.maximum(weights.max(axis=1, keepdims=True), 1e-12)
    near = np.sqrt(np.clip(weights / peak, 0.0, None))
    for _ in range(rounds):
        keep = np.flatnonzero(labels >= 0)
        members = sparse.csr_matrix((np.ones(len(keep), dtype=np.float32), (labels[keep], keep)),
                                    shape=(weights.shape[1], rows.shape[0]))
        centroids = normalize(members @ rows)
        similarity = np.asarray((rows @ centroids.T).todense()) * near
        moved = np.where(has & (labels >= 0), similarity.argmax(axis=1), -1)
        if np.array_equal(moved, labels):
            break
        labels = moved
    return labels


def _relevance(components: np.ndarray, weight: float) -> np.ndarray:
    """Return term relevance per theme (Sievert and Shirley 2014): ``weight * log p(term | theme) +
    (1 - weight) * log(p(term | theme) / p(term))``; 1.0 ranks by weight alone."""
    rows = components / np.maximum(components.sum(axis=1, keepdims=True), 1e-12)
    overall = components.sum(axis=0) / max(float(components.sum()), 1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_rows = np.log(np.maximum(rows, 1e-12))
        lift = log_rows - np.log(np.maximum(overall, 1e-12))
    return weight * log_rows + (1 - weight) * lift


def _prune(matrix: sparse.csr_matrix, threshold: float) -> sparse.csr_matrix:
    """Drop entries below ``threshold`` (faint traces of distant neighbours) and re-normalise the rows."""
    if threshold <= 0:
        return matrix
    matrix = sparse.csr_matrix(matrix)
    matrix.data[matrix.data < threshold] = 0
    matrix.eliminate_zeros()
    return normalize(matrix)


def _smooth(matrix: sparse.csr_matrix, groups: np.ndarray, window: int, decay: float) -> sparse.csr_matrix:
    """Add to each row its neighbours within ``window`` rows of the same group, weighted ``decay ** distance``."""
    n = matrix.shape[0]
    positions = np.arange(n)
    out = matrix.copy()
    for distance in range(1, window + 1):
        for sign in (1, -1):
            other = positions + sign * distance
            ok = (other >= 0) & (other < n)
            ok[ok] &= groups[other[ok]] == groups[ok]
            shift = sparse.csr_matrix((ok.astype(np.float32) * decay ** distance, (positions, np.where(ok, other, 0))),
                                      shape=(n, n))
            out = out + shift @ matrix
    return sparse.csr_matrix(out)


def _transform_unique(vectorizer: TfidfVectorizer, texts: Sequence[str]) -> sparse.csr_matrix:
    """Transform texts once per distinct text (a turn is shared by all its sentences)."""
    index: dict[str, int] = {}
    rows = [index.setdefault(text, len(index)) for text in texts]
    unique = vectorizer.transform(list(index))
    return unique[rows]
