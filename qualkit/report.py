"""Report rendering: plain data for templates, the Jinja2 environment, and the files a run writes."""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

import jinja2

from qualkit.errors import ReportError
from qualkit.segments import CodedSegment, Unit
from qualkit.study import StudyResult
from qualkit.transcript import Transcript

SEGMENT_COLUMNS = [
    "transcript", "speaker", "role", "turn", "unit", "code_id", "code_path", "start", "end", "text",
    "matched", "match_offsets", "patterns", "coder",
]
QUOTE_WORDS = (8, 60)


def segment_rows(segments: Iterable[CodedSegment]) -> list[dict[str, Any]]:
    """Return coded segments as flat rows (the columns of ``coded_segments.csv``)."""
    return [{
        "transcript": s.transcript, "speaker": s.speaker, "role": s.role, "turn": s.turn, "unit": s.unit,
        "code_id": s.code_id, "code_path": s.code_path, "start": s.start, "end": s.end, "text": s.text,
        "matched": " | ".join(m.text for m in s.matches),
        "match_offsets": " | ".join(f"{m.start}-{m.end}" for m in s.matches),
        "patterns": " | ".join(dict.fromkeys(m.pattern for m in s.matches)),
        "coder": s.coder,
    } for s in segments]


def segments_csv(segments: Iterable[CodedSegment]) -> str:
    """Return ``coded_segments.csv`` as text."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SEGMENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(segment_rows(segments))
    return buffer.getvalue()


def attribution(transcript: Transcript | None, speaker: str, fields: Sequence[str]) -> str:
    """Return e.g. ``HT01, health trainer, Northfield``: the id then the listed attributes."""
    if transcript is None:
        return speaker
    values = [transcript.attributes.get(name, "") for name in fields]
    return ", ".join([transcript.id] + [v for v in values if v])


def choose_quotes(segments: Sequence[CodedSegment], limit: int) -> list[CodedSegment]:
    """Pick up to ``limit`` quotes: one per participant first, of moderate length, never twice the same passage."""
    low, high = QUOTE_WORDS

    def badness(segment: CodedSegment) -> tuple[int, int, int]:
        words = len(segment.text.split())
        return (0 if low <= words <= high else 1, abs(words - 25), segment.start)

    chosen: list[CodedSegment] = []
    seen_passages: set[tuple[str, int, int]] = set()
    for pass_number in (0, 1):
        taken = {s.transcript for s in chosen}
        for segment in sorted(segments, key=badness):
            key = (segment.transcript, segment.start, segment.end)
            if len(chosen) == limit or key in seen_passages:
                continue
            if pass_number == 0 and segment.transcript in taken:
                continue
            chosen.append(segment)
            seen_passages.add(key)
            taken.add(segment.transcript)
    return chosen


def _pieces(text: str, start: int, marks: Iterable[tuple[int, int]]) -> list[dict[str, Any]]:
    """Split a quote into pieces, flagging the matched words (offsets are the transcript's)."""
    pieces, cursor = [], 0
    for m_start, m_end in sorted(set(marks)):
        a, b = max(m_start - start, cursor), min(m_end - start, len(text))
        if a >= b:
            continue
        if a > cursor:
            pieces.append({"text": text[cursor:a], "match": False})
        pieces.append({"text": text[a:b], "match": True})
        cursor = b
    if cursor < len(text):
        pieces.append({"text": text[cursor:], "match": False})
    return pieces


def _quote(item: CodedSegment | Unit, transcripts: dict[str, Transcript], fields: Sequence[str]) -> dict[str, Any]:
    transcript = transcripts.get(item.transcript)
    marks = [(m.start, m.end) for m in getattr(item, "matches", ())]
    timestamp = transcript.turns[item.turn].timestamp if transcript and item.turn < len(transcript.turns) else None
    return {
        "text": item.text, "pieces": _pieces(item.text, item.start, marks),
        "transcript": item.transcript, "speaker": item.speaker, "turn": item.turn + 1, "timestamp": timestamp or "",
        "start": item.start, "end": item.end, "attribution": attribution(transcript, item.speaker, fields),
        "matched": [m.text for m in getattr(item, "matches", ())],
        "patterns": list(dict.fromkeys(m.pattern for m in getattr(item, "matches", ()))),
    }


def report_context(result: StudyResult, attribution_fields: Sequence[str] | None = None) -> dict[str, Any]:
    """Return everything the report templates show, as plain dicts and lists."""
    settings = result.settings
    fields = list(attribution_fields) if attribution_fields is not None else [settings.group_by, "site"]
    transcripts = {t.id: t for t in result.transcripts}
    comparison = result.comparison
    groups = sorted(comparison["group"].unique()) if not comparison.empty else []
    group_sizes = {g: int(comparison.loc[comparison["group"] == g, "group_size"].iloc[0]) for g in groups}
    by_code: dict[str, list[CodedSegment]] = {}
    for segment in result.segments:
        by_code.setdefault(segment.code_id, []).append(segment)

    codes = []
    for code in result.codebook.codes:
        rows = comparison[comparison["code_id"] == code.id]
        found = by_code.get(code.id, [])
        codes.append({
            "id": code.id, "name": code.name, "path": code.path_label, "theme": code.theme,
            "depth": len(code.path) - 1, "definition": code.definition, "include": code.include,
            "exclude": code.exclude, "examples": list(code.examples), "colour": code.colour or "#888888",
            "patterns": [p.label() for p in code.patterns],
            "segments": len(found), "participants": len({s.transcript for s in found}),
            "by_group": [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                         for row in rows[["group", "segments", "participants", "group_size", "share"]].to_dict("records")],
            "quotes": [_quote(s, transcripts, fields) for s in choose_quotes(found, settings.quotes_per_code)],
        })
    themes = []
    for name in result.codebook.top_themes():
        theme = next((t for t in result.codebook.themes if t.path == (name,)), None)
        members = [c for c in codes if c["theme"] == name]
        themes.append({
            "name": name, "description": theme.description if theme else "", "codes": members,
            "segments": sum(c["segments"] for c in members),
            "participants": len({s.transcript for c in members for s in by_code.get(c["id"], [])}),
        })
    suggested = [{
        "number": t.number, "label": t.label, "units": t.units, "participants": len(t.participants),
        "terms": [{"term": term, "weight": round(weight, 3)} for term, weight in t.terms],
        "quotes": [_quote(q, transcripts, fields) for q in t.quotes],
    } for t in result.themes]
    participants = [t for t in result.transcripts]
    return {
        "title": f"Thematic report: {result.codebook.name}",
        "methods": result.methods(),
        "study": {
            "transcripts": len(result.transcripts),
            "participant_words": sum(t.participant_words() for t in participants),
            "group_by": settings.group_by, "groups": [{"name": g, "size": group_sizes[g]} for g in groups],
            "segments": len(result.segments), "units": len(result.units),
            "codes_matched": sum(1 for c in codes if c["segments"]), "codes": len(codes),
        },
        "themes": themes,
        "suggested": suggested,
        "theme_mode": settings.theme_mode,
        "comparison": {
            "groups": [{"name": g, "size": group_sizes[g]} for g in groups],
            "rows": [{"code": c["path"], "name": c["name"], "depth": c["depth"], "cells": c["by_group"]}
                     for c in codes],
        },
        "unmatched_codes": [c["path"] for c in codes if not c["segments"]],
        "warnings": list(result.warnings),
    }


def environment(template_dir: str | Path | None = None) -> jinja2.Environment:
    """Return the Jinja2 environment: the user's template folder first, then the built-in templates."""
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(template_dir)))
    loaders.append(jinja2.PackageLoader("qualkit", "templates"))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "xml"), default_for_string=False),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )


def render(context: dict[str, Any], template: str, template_dir: str | Path | None = None) -> str:
    """Render one template with the report context."""
    try:
        return environment(template_dir).get_template(template).render(**context)
    except jinja2.TemplateError as exc:
        where = f", line {exc.lineno}" if getattr(exc, "lineno", None) else ""
        raise ReportError(f"template {template}{where}: {exc}") from None


def write_report(result: StudyResult, out_dir: str | Path, template_dir: str | Path | None = None) -> list[Path]:
    """Write ``report.html``, ``report.md`` and ``coded_segments.csv`` into ``out_dir``; return their paths.

    Everything is rendered first into a temporary folder beside ``out_dir`` and moved in only when
    all of it succeeded, so a failure never leaves a half-written report.
    """
    out = Path(out_dir)
    context = report_context(result)
    outputs = {
        "report.html": render(context, "report.html.j2", template_dir),
        "report.md": render(context, "report.md.j2", template_dir),
        "coded_segments.csv": segments_csv(result.segments),
    }
    return write_files(out, outputs)


def write_files(out: Path, outputs: dict[str, str | bytes]) -> list[Path]:
    """Write named files into ``out`` all or nothing, via a temporary folder that is always removed."""
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".qualkit-", dir=parent))
    except OSError as exc:
        raise ReportError(f"{out}: cannot write the report here: {exc.strerror}") from None
    try:
        for name, content in outputs.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8", newline="")
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name in outputs:
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, out / name)
            written.append(out / name)
        return written
    except OSError as exc:
        raise ReportError(f"{out}: cannot write the report: {exc.strerror}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
