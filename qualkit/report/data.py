"""A finished run as plain, JSON-safe data (``run.json``): what reports are rendered from, without coding again."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from qualkit.errors import ReportError
from qualkit.report.identifiers import WORD, word_cases
from qualkit.report.pseudonyms import Pseudonymiser
from qualkit.report.quotes import quote_span
from qualkit.study import StudyResult
from qualkit.transcript import Transcript

RUN_FILE = "run.json"
RUN_FORMAT = "qualkit-run"
RUN_VERSION = 1
KNOWN_FIELDS = {"settings", "transcripts", "codebook", "segments", "units", "themes", "comparison", "pipeline",
                "created", "warnings", "set_aside", "segment_ids", "statuses", "memos", "skipped", "review",
                "human_coding"}


def plain(value: Any) -> Any:
    """Return a value as JSON-safe plain data (numpy scalars, tuples, DataFrames and dataclasses included)."""
    if isinstance(value, pd.DataFrame):
        return {"columns": [str(c) for c in value.columns], "rows": [plain(r) for r in value.to_dict("records")]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _segment(segment: Any, transcript: Transcript | None = None, min_words: int = 8) -> dict[str, Any]:
    """A coded segment as plain data; with its transcript, also the whole sentences around it that a quote
    shows (``quote_before``/``quote_after``, offsets ``quote_start``/``quote_end``) when they differ."""
    data = _plain_segment(segment)
    around = _sentences_around(segment, transcript, min_words)
    if around is not None and around[1:] != (segment.start, segment.end):
        text, start, end = around
        data.update(quote_start=start, quote_end=end, quote_before=text[start:segment.start],
                    quote_after=text[segment.end:end])
    return data


def _hit(hit: Any, transcript: Transcript | None) -> dict[str, Any]:
    """A set-aside hit as plain data, with the sentence around it (``passage``, ``passage_start``/``_end``)."""
    data = dataclasses.asdict(hit)
    around = _sentences_around(hit, transcript, 1)
    if around is not None:
        text, start, end = around
        data.update(passage_start=start, passage_end=end, passage=text[start:end])
    return data


def _sentences_around(item: Any, transcript: Transcript | None, min_words: int) -> tuple[str, int, int] | None:
    """The transcript's text and the span of whole sentences of its turn around a segment or hit
    (``quote_span``); None without the transcript or the turn."""
    if transcript is None or not 0 <= item.turn < len(transcript.turns):
        return None
    turn = transcript.turns[item.turn]
    return (transcript.text,
            *quote_span(transcript.text, (turn.start, turn.end), item.start, item.end, min_words))


def _plain_segment(segment: Any) -> dict[str, Any]:
    return {
        "transcript": segment.transcript, "speaker": segment.speaker, "role": getattr(segment, "role", ""),
        "turn": segment.turn, "unit": getattr(segment, "unit", ""), "code_id": getattr(segment, "code_id", ""),
        "code_path": getattr(segment, "code_path", ""), "start": segment.start, "end": segment.end,
        "text": segment.text, "coder": getattr(segment, "coder", ""),
        "matches": [{"start": m.start - segment.start, "end": m.end - segment.start, "text": m.text,
                     "pattern": m.pattern} for m in getattr(segment, "matches", ())],
    }


def _speaker_words(transcript: Transcript) -> list[dict[str, Any]]:
    """Each participant speaker of a transcript (role participant) and the words they spoke, in order of first
    turn, as ``{"speaker", "words"}`` (a list, not a mapping, so pseudonyms replace the names)."""
    words: dict[str, int] = {}
    for turn in transcript.participant_turns():
        words[turn.speaker] = words.get(turn.speaker, 0) + len(transcript.turn_text(turn).split())
    return [{"speaker": speaker, "words": n} for speaker, n in words.items()]


def study_data(result: StudyResult) -> dict[str, Any]:
    """Return the run's result as plain data: everything the reports need, but not whole transcripts.

    Segment and quote ``start``/``end`` are offsets into the transcript; match offsets are relative
    to the segment's text. Fields added to ``StudyResult`` later are kept: DataFrames under
    ``tables``, anything else under ``extra``.
    """
    codebook = result.codebook
    texts = {t.id: t for t in result.transcripts}
    data: dict[str, Any] = {
        "format": RUN_FORMAT, "version": RUN_VERSION, "pseudonymised": False,
        "settings": plain(result.settings), "methods": plain(result.methods()), "warnings": list(result.warnings),
        "codebook": {
            "name": codebook.name, "version": codebook.version, "description": codebook.description,
            "themes": [{"name": t.name, "path": list(t.path), "description": t.description} for t in codebook.themes],
            "top_themes": list(codebook.top_themes()),
            "codes": [{
                "id": c.id, "name": c.name, "path": c.path_label, "path_parts": list(c.path), "theme": c.theme,
                "depth": len(c.path) - 1, "definition": c.definition, "include": c.include, "exclude": c.exclude,
                "examples": list(c.examples), "colour": c.colour or "#888888",
                "patterns": [p.label() for p in c.patterns],
                "pattern_kinds": sorted({"exclude" if p.veto else p.kind for p in c.patterns}),
            } for c in codebook.codes],
        },
        "transcripts": [{
            "id": t.id, "attributes": {str(k): str(v) for k, v in t.attributes.items()},
            "participant_words": t.participant_words(),
            "participant_speakers": _speaker_words(t),
            "timestamps": {str(turn.index): turn.timestamp for turn in t.turns if turn.timestamp},
        } for t in result.transcripts],
        "segments": [_segment(s, texts.get(s.transcript)) for s in result.segments],
        "reviewed": bool(result.statuses),
        "units": len(result.units),
        "suggested": [{
            "number": t.number, "label": t.label, "units": t.units, "participants": list(t.participants),
            "by_group": [{"group": g, "units": u, "participants": n, "group_size": size} for g, u, n, size in t.by_group],
            "terms": [{"term": term, "weight": round(float(weight), 3)} for term, weight in t.terms],
            # A theme quote is one whole sentence already: shown as it is, never joined to its neighbour.
            "quotes": [_segment(q) for q in t.quotes],
        } for t in result.themes],
        "comparison": plain(result.comparison)["rows"],
        # How the study writes the themes' words (not its text), for the identifiers check on labels and terms.
        "theme_words": word_cases(
            (t.turn_text(turn) for t in result.transcripts for turn in t.participant_turns()),
            {w for t in result.themes for text in (t.label, *(term for term, _ in t.terms)) for w in WORD.findall(text)}),
        "set_aside": [_hit(hit, texts.get(hit.transcript)) for hit in result.set_aside],
        "tables": {}, "extra": {},
    }
    data["extra"].update(memos=plain(result.memos), skipped=plain(result.skipped), review=plain(result.review))
    for segment, segment_id, status in zip(data["segments"], result.segment_ids, result.statuses):
        segment.update(segment_id=segment_id, status=status)
    for name, value in vars(result).items():
        if name in KNOWN_FIELDS or name.startswith("_"):
            continue
        if isinstance(value, pd.DataFrame):
            data["tables"][name] = plain(value)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            rows = plain(value)
            data["tables"][name] = {"columns": list(dict.fromkeys(k for r in rows for k in r)), "rows": rows}
        else:
            data["extra"][name] = plain(value)
    return data


def pseudonymise(data: dict[str, Any], pseudonymiser: Pseudonymiser) -> dict[str, Any]:
    """Return the run data with every real name replaced, match offsets moved to the new quote text."""
    if not pseudonymiser:
        return data

    def segment(item: dict[str, Any]) -> dict[str, Any]:
        text, spans = pseudonymiser.text_and_spans(item["text"], [(m["start"], m["end"]) for m in item["matches"]])
        matches = [{**pseudonymiser.data(m), "start": a, "end": b} for m, (a, b) in zip(item["matches"], spans)]
        return {**pseudonymiser.data({k: v for k, v in item.items() if k not in ("text", "matches")}),
                "text": text, "matches": matches}

    rest = {k: v for k, v in data.items() if k not in ("segments", "suggested")}
    out = pseudonymiser.data(rest)
    out["segments"] = [segment(s) for s in data["segments"]]
    out["suggested"] = [{**pseudonymiser.data({k: v for k, v in t.items() if k != "quotes"}),
                         "quotes": [segment(q) for q in t["quotes"]]} for t in data["suggested"]]
    out["pseudonymised"] = True
    return out


def run_json(data: dict[str, Any]) -> str:
    """Return the run data as the text of ``run.json``."""
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def load_run(folder: str | Path) -> dict[str, Any]:
    """Read ``run.json`` from a finished run's output folder."""
    file = Path(folder) / RUN_FILE
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{file}: not found (is {folder} the output folder of 'qualkit run'?)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{file}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ReportError(f"{file}, line {exc.lineno}, column {exc.colno}: malformed JSON: {exc.msg}") from None
    if not isinstance(data, dict) or data.get("format") != RUN_FORMAT:
        raise ReportError(f"{file}: not a qualkit run file (no \"format\": \"{RUN_FORMAT}\")")
    if data.get("version") != RUN_VERSION:
        raise ReportError(f"{file}: run file version {data.get('version')!r} is not supported (expected {RUN_VERSION})")
    for key, kind in REQUIRED_KEYS.items():
        if key not in data:
            raise ReportError(f"{file}: run file has no {key!r} (is it whole? run 'qualkit run' again to rewrite it)")
        if not isinstance(data[key], kind):
            raise ReportError(f"{file}: {key!r} should be a {kind.__name__}, got {type(data[key]).__name__}")
    for key in CODEBOOK_KEYS:
        if key not in data["codebook"]:
            raise ReportError(f"{file}: run file's 'codebook' has no {key!r} (run 'qualkit run' again to rewrite it)")
    return data


REQUIRED_KEYS: dict[str, type] = {
    "settings": dict, "methods": dict, "warnings": list, "codebook": dict, "transcripts": list, "segments": list,
    "units": int, "suggested": list, "comparison": list,
}
CODEBOOK_KEYS = ("name", "version", "description", "themes", "top_themes", "codes")
