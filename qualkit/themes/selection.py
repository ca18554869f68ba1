"""Measures for choosing and judging themes: NPMI coherence on the corpus, topic diversity, and
stability of a theme model across seeds (the criterion that picks the number of themes)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment


def npmi_coherence(top_terms: Sequence[Sequence[int]], presence: sparse.spmatrix) -> list[float]:
    """Return each theme's mean NPMI over pairs of its top terms (term ids into ``presence`` columns).

    ``presence`` is a documents x terms matrix; a term occurs in a document when its entry is > 0.
    Pairs never seen together score -1, as in Bouma (2009).
    """
    binary = sparse.csc_matrix(presence, copy=True)
    binary.data = np.ones_like(binary.data)
    n_docs = max(binary.shape[0], 1)
    scores = []
    for terms in top_terms:
        terms = list(terms)
        if len(terms) < 2:
            scores.append(0.0)
            continue
        sub = binary[:, terms]
        joint = (sub.T @ sub).toarray() / n_docs
        single = np.diag(joint).copy()
        values = []
        for i in range(len(terms)):
            for j in range(i + 1, len(terms)):
                p_ij = joint[i, j]
                if p_ij <= 0 or single[i] <= 0 or single[j] <= 0:
                    values.append(-1.0)
                elif p_ij >= 1.0:
                    values.append(1.0)
                else:
                    values.append(float(np.log(p_ij / (single[i] * single[j])) / -np.log(p_ij)))
        scores.append(float(np.mean(values)))
    return scores


def topic_diversity(top_terms: Sequence[Sequence[str]]) -> float:
    """Return the share of unique terms among all themes' top terms (1.0: no theme repeats another's)."""
    flat = [term for terms in top_terms for term in terms]
    return len(set(flat)) / len(flat) if flat else 0.0


def _term_sets(components: np.ndarray, n_terms: int) -> list[set[int]]:
    return [set(np.argsort(row)[::-1][:n_terms].tolist()) for row in components]


def stability(first: np.ndarray, second: np.ndarray, n_terms: int = 10) -> float:
    """Return how alike two theme models are: mean Jaccard of their top terms after best one-to-one matching."""
    a, b = _term_sets(first, n_terms), _term_sets(second, n_terms)
    similarity = np.array([[len(x & y) / len(x | y) if x | y else 0.0 for y in b] for x in a])
    rows, cols = linear_sum_assignment(-similarity)
    return float(similarity[rows, cols].sum() / max(len(a), len(b)))


def supported_middle_k(curve: Sequence[tuple[int, float]], tolerance: float) -> tuple[int, list[int]]:
    """Return the chosen k and the supported ks: of the ``(k, smoothed stability)`` pairs within
    ``tolerance`` of the best, the k nearest the middle of the curve's range (the larger on a tie)."""
    best = max(value for _, value in curve)
    supported = [k for k, value in curve if value >= best - tolerance]
    middle = (min(k for k, _ in curve) + max(k for k, _ in curve)) / 2
    return min(supported, key=lambda k: (abs(k - middle), -k)), supported
