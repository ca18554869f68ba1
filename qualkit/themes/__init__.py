"""Theme suggestion: topics a codebook did not name, as prompts for reading.

``ThemeSuggester`` is a scikit-learn style estimator over plain strings (TF-IDF with NMF, LDA or k-means,
k chosen by stability); ``suggest_themes`` runs it on a study's units (residual or whole corpus) and
returns themes with a label, terms, quotes, sentences and participants by group, and code overlap;
``suggest_from_files`` is ``qualkit themes`` as one call. Rooms: ``model`` (the estimator), ``selection``
(coherence, diversity, stability, choosing k), ``answers`` (what a sentence answers, across the
interviewer's back-channels), ``labels`` (speaker and role words, labels in spoken
words), ``quotes`` (transcribers' marks, what may be quoted, choosing quotes), ``suggest`` (study themes),
``export`` (JSON/CSV forms).
"""

from qualkit.themes.export import CSV_COLUMNS, suggest_from_files, themes_csv, themes_dict, themes_json
from qualkit.themes.model import INTERVIEW_STOP_WORDS, METHODS, ThemeSuggester
from qualkit.themes.selection import npmi_coherence, stability, supported_middle_k, topic_diversity
from qualkit.themes.suggest import (
    SuggestedTheme, ThemeAssignment, ThemeSuggestions, pipeline_lemmatiser, suggest_themes, uncoded_units,
    unit_contexts,
)

__all__ = [
    "CSV_COLUMNS", "INTERVIEW_STOP_WORDS", "METHODS", "SuggestedTheme", "ThemeAssignment", "ThemeSuggester",
    "ThemeSuggestions", "npmi_coherence", "pipeline_lemmatiser", "stability", "suggest_from_files",
    "suggest_themes", "supported_middle_k", "themes_csv", "themes_dict", "themes_json", "topic_diversity",
    "uncoded_units", "unit_contexts",
]
