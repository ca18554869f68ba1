"""Theme suggestion as one call on transcript files, and its JSON and CSV forms for evaluation and reuse."""

from __future__ import annotations

import csv
import io
import json
import warnings
from pathlib import Path
from typing import Any, Sequence

from qualkit.codebook import Codebook, load_codebook
from qualkit.coding import Coder, build_pipeline
from qualkit.readers import ReadOptions, SurveyColumns, read_survey_tables, read_transcripts
from qualkit.segments import CodedSegment, Unit
from qualkit.themes.suggest import ThemeSuggestions, pipeline_lemmatiser, suggest_themes, uncoded_units
from qualkit.transcript import DEFAULT_INTERVIEWER_LABELS

CSV_COLUMNS = ["document", "start", "end", "topic", "weight"]


def suggest_from_files(
    paths: Sequence[str | Path], *, codebook: str | Path | None = None, n_themes: int | str = "auto",
    method: str = "nmf", seed: int = 0, interviewer_labels: Sequence[str] = DEFAULT_INTERVIEWER_LABELS,
    unit: str = "sentence", model: str | None = None, text_column: str | None = None, id_column: str | None = None,
) -> ThemeSuggestions:
    """Read transcripts (or survey tables, with ``text_column``) and suggest themes in their participant units.

    With a codebook, themes come from the units no code touched (residual mode); without one, from all.
    """
    if text_column:
        transcripts = read_survey_tables(paths, SurveyColumns(text_column, id_column))
    else:
        transcripts = read_transcripts(paths, ReadOptions(interviewer_labels=tuple(interviewer_labels)))
    book = load_codebook(codebook) if codebook else Codebook("none", "", ())
    nlp = build_pipeline(model)
    units: list[Unit] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        segments: list[CodedSegment] = list(Coder(book, nlp, unit=unit).code(transcripts, units))
    pool = uncoded_units(units, segments) if codebook else units
    found = suggest_themes(pool, transcripts, n_themes=n_themes, method=method, random_state=seed,
                           lemmatise=pipeline_lemmatiser(nlp), segments=segments)
    mode = "residual (units no code touched)" if codebook else "full corpus"
    return ThemeSuggestions(found.themes, found.assignments, {**found.methods, "mode": mode}, found.k_curve)


def themes_dict(found: ThemeSuggestions) -> dict[str, Any]:
    """Return the themes as ``{"method", "topics": [...], "assignments": [...]}`` (the JSON form)."""
    return {
        "method": str(found.methods.get("method", "")),
        "topics": [{
            "id": theme.number, "label": theme.label, "terms": [term for term, _ in theme.terms],
            "quotes": [{"document": q.transcript, "start": q.start, "end": q.end, "text": q.text} for q in theme.quotes],
            "sentences": theme.units, "participants": len(theme.participants),
            "by_group": [{"group": group, "sentences": n, "participants": people, "group_size": size}
                         for group, n, people, size in theme.by_group],
        } for theme in found.themes],
        "assignments": [{"document": a.document, "start": a.start, "end": a.end, "topic": a.topic, "weight": a.weight}
                        for a in found.assignments],
    }


def themes_json(found: ThemeSuggestions) -> str:
    """Return the JSON form of the themes."""
    return json.dumps(themes_dict(found), ensure_ascii=False, indent=2) + "\n"


def themes_csv(found: ThemeSuggestions) -> str:
    """Return the CSV form: one row per unit and its theme (``CSV_COLUMNS``)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(themes_dict(found)["assignments"])
    return buffer.getvalue()
