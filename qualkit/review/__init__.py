"""Reviewing a study's first pass: a local review page, the same review as a spreadsheet, pattern feedback.

``make_review_server`` serves the review page (a Flask app bound to 127.0.0.1 behind a random token;
``create_app`` builds the app alone); ``export_review`` / ``import_review`` move a review to and from an
``.xlsx`` sheet (import validates every row before writing anything); ``pattern_feedback`` counts, per
pattern, the hits reviewers accepted and rejected (``study_codebook`` gives the codebook a study applied). Rooms: ``views`` (what the page shows, as plain data),
``app`` (routes and request checks; imports Flask, so it is loaded on first use), ``server``, ``sheet``,
``feedback``. Reads and writes the study only through ``qualkit.store``.
"""

from importlib import import_module
from typing import Any

from qualkit.errors import ReviewError

from qualkit.review.feedback import (
    PatternFeedback, is_study, pattern_feedback, render_pattern_feedback, study_codebook,
)
from qualkit.review.sheet import MANUAL_COLUMNS, SEGMENT_COLUMNS, ImportSummary, export_review, import_review

_WEB = {"create_app": "app", "ReviewServer": "server", "make_review_server": "server"}


def __getattr__(name: str) -> Any:
    """Load the web app (and Flask) on first use."""
    if name not in _WEB:
        raise AttributeError(f"module 'qualkit.review' has no attribute {name!r}")
    try:
        module = import_module(f"qualkit.review.{_WEB[name]}")
    except ModuleNotFoundError as exc:
        if exc.name not in ("flask", "werkzeug"):
            raise
        raise ReviewError("the review page needs Flask: pip install 'qualkit[review]' (the review sheet does not)") \
            from None
    return getattr(module, name)


__all__ = [
    "MANUAL_COLUMNS", "SEGMENT_COLUMNS", "ImportSummary", "PatternFeedback", "ReviewServer", "create_app",
    "export_review", "import_review", "is_study", "make_review_server", "pattern_feedback", "render_pattern_feedback",
    "study_codebook",
]
