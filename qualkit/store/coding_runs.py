"""Filling a study: importing transcripts and codebook versions, and coding runs that keep decisions.

A run codes the stored transcripts first (no lock held, so reviewers keep deciding meanwhile), then
writes everything in one transaction: the codebook version, the run, its segments (an id derived from
transcript, code and span, so a segment produced again is the same segment and keeps its decisions),
their matches, the set-aside hits and the units. A run killed at any moment leaves the study as it was.
"""

from __future__ import annotations

import json
import sqlite3
from bisect import bisect_right
from dataclasses import asdict, fields
from typing import Any, Callable, Iterable

from qualkit import __version__
from qualkit.codebook import Codebook, parse_codebook
from qualkit.segments import CodedSegment, SetAsideHit, Unit
from qualkit.settings import StudySettings
from qualkit.store.decisions import decision_rows, effective
from qualkit.store.schema import now, stable_id, transaction
from qualkit.transcript import Transcript, Turn

Progress = Callable[[list[Transcript]], Iterable[Transcript]]


def segment_id(transcript_id: str, code_id: str, start: int, end: int) -> str:
    """Return an automatic segment's stable id."""
    return stable_id("s", transcript_id, code_id, start, end)


def hit_id(hit: SetAsideHit) -> str:
    """Return a set-aside hit's stable id."""
    return stable_id("h", hit.transcript, hit.code_id, hit.start, hit.end, hit.status)


# -- settings and transcripts -------------------------------------------------------------------------


def settings_json(settings: StudySettings) -> str:
    """Return the settings as JSON (tuples as lists)."""
    return json.dumps({k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(settings).items()})


def settings_from_json(text: str) -> StudySettings:
    """Return the settings stored as JSON (keys this qualkit does not know are ignored)."""
    data = json.loads(text)
    known = {f.name for f in fields(StudySettings)}
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in known}
    return StudySettings(**values)


def import_transcripts(db: sqlite3.Connection, transcripts: list[Transcript]) -> None:
    """Store the transcripts with their turns and attributes (inside the caller's transaction)."""
    db.executemany(
        "INSERT INTO transcripts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(t.id, n, t.text, json.dumps(dict(t.attributes)), t.source, t.format, t.preamble[0], t.preamble[1],
          t.participant_words()) for n, t in enumerate(transcripts)])
    db.executemany(
        "INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(t.id, turn.index, turn.speaker, turn.role, turn.start, turn.end, turn.timestamp, turn.end_timestamp)
         for t in transcripts for turn in t.turns])


def load_transcripts(db: sqlite3.Connection) -> list[Transcript]:
    """Return the stored transcripts, in import order, as ``Transcript`` records."""
    turns: dict[str, list[Turn]] = {}
    for row in db.execute('SELECT transcript_id, idx, speaker, role, start, "end", timestamp, end_timestamp '
                          "FROM turns ORDER BY transcript_id, idx"):
        turns.setdefault(row[0], []).append(Turn(*row[1:]))
    return [Transcript(tid, text, tuple(turns.get(tid, ())), json.loads(attributes), source, fmt, (p0, p1))
            for tid, text, attributes, source, fmt, p0, p1 in db.execute(
                "SELECT transcript_id, text, attributes, source, format, preamble_start, preamble_end "
                "FROM transcripts ORDER BY position")]


# -- codebooks ------------------------------------------------------------------------------------------


def store_codebook(db: sqlite3.Connection, codebook: Codebook, yaml_text: str) -> int:
    """Store a codebook version (once per content hash) with its codes; return its version number."""
    found = db.execute("SELECT version FROM codebooks WHERE sha256 = ?", (codebook.sha256,)).fetchone()
    if found:
        return int(found[0])
    cursor = db.execute("INSERT INTO codebooks (sha256, yaml, source, name, added_at) VALUES (?, ?, ?, ?, ?)",
                        (codebook.sha256, yaml_text, codebook.source, codebook.name, now()))
    version = int(cursor.lastrowid or 0)
    db.executemany("INSERT INTO codes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [(version, n, c.id, c.path_label, c.name, c.definition, c.include, c.exclude, c.theme)
                    for n, c in enumerate(codebook.codes)])
    return version


def current_codebook(db: sqlite3.Connection) -> tuple[Codebook, int]:
    """Return the codebook of the latest run (or the latest stored version) and its version number."""
    row = db.execute("SELECT c.version, c.yaml, c.source, c.sha256 FROM codebooks c "
                     "LEFT JOIN runs r ON r.codebook_version = c.version "
                     "ORDER BY r.run_id IS NULL, r.run_id DESC, c.version DESC LIMIT 1").fetchone()
    version, yaml_text, source, sha256 = row
    return parse_codebook(yaml_text, source=source, sha256=sha256), int(version)


# -- a coding run -------------------------------------------------------------------------------------


def code_transcripts(transcripts: list[Transcript], codebook: Codebook, settings: StudySettings,
                     progress: Progress | None = None) -> tuple[list[Any], dict[str, str]]:
    """Code the transcripts (no database involved); return the per-transcript codings and pipeline info."""
    from qualkit.coding import Coder, build_pipeline, pipeline_info

    nlp = build_pipeline(settings.model)
    coder = Coder(codebook, nlp, unit=settings.unit)
    results = list(coder.code_each(progress(transcripts) if progress else transcripts, with_units=True))
    return results, pipeline_info(nlp)


def write_run(db: sqlite3.Connection, codebook: Codebook, yaml_text: str, settings: StudySettings,
              results: list[Any], pipeline: dict[str, str], started: str) -> dict[str, int]:
    """Write one coding run in one transaction; return ``kept``, ``orphaned``, ``new``, ``segments``, ``run_id``."""
    with transaction(db):
        version = store_codebook(db, codebook, yaml_text)
        cursor = db.execute(
            "INSERT INTO runs (codebook_version, settings, qualkit_version, spacy_version, pipeline, started_at, "
            "finished_at, kept, orphaned, new, segments) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0)",
            (version, settings_json(settings), __version__, pipeline.get("spacy_version", ""), json.dumps(pipeline),
             started, now()))
        run_id = int(cursor.lastrowid or 0)
        stamp = now()
        segments = [s for r in results for s in r.segments]
        insert_segments(db, run_id, segments, stamp)
        insert_set_aside(db, run_id, results)
        db.executemany("INSERT OR IGNORE INTO units VALUES (?, ?, ?, ?, ?)",
                       [(u.transcript, u.start, u.end, u.turn, u.speaker) for r in results for u in r.units])
        counts = run_counts(db, run_id)
        db.execute("UPDATE runs SET kept = ?, orphaned = ?, new = ?, segments = ? WHERE run_id = ?",
                   (counts["kept"], counts["orphaned"], counts["new"], len(segments), run_id))
    return {**counts, "segments": len(segments), "run_id": run_id}


def insert_segments(db: sqlite3.Connection, run_id: int, segments: list[CodedSegment], stamp: str) -> None:
    """Upsert the run's automatic segments (a segment produced again keeps its id) and store their matches."""
    rows, matches = [], []
    for s in segments:
        sid = segment_id(s.transcript, s.code_id, s.start, s.end)
        rows.append((sid, s.transcript, s.code_id, s.code_path, s.start, s.end, s.speaker, s.role, s.turn, s.unit,
                     run_id, run_id, stamp))
        matches.extend((run_id, sid, m.start, m.end, m.pattern, m.kind) for m in s.matches)
    db.executemany(
        "INSERT INTO segments (segment_id, origin, transcript_id, code_id, code_path, start, \"end\", speaker, role, "
        "turn, unit, first_run, last_run, created_at) VALUES (?, 'auto', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (segment_id) DO UPDATE SET last_run = excluded.last_run, code_path = excluded.code_path, "
        "unit = excluded.unit", rows)
    db.executemany('INSERT INTO matches (run_id, segment_id, start, "end", pattern, kind) VALUES (?, ?, ?, ?, ?, ?)',
                   matches)


def insert_set_aside(db: sqlite3.Connection, run_id: int, results: list[Any]) -> None:
    """Upsert the run's set-aside hits, each with the unit it sits in (the span it codes if restored)."""
    rows = []
    for result in results:
        spans = sorted((u.start, u.end) for u in result.units)
        starts = [start for start, _ in spans]
        for hit in result.set_aside:
            unit_start, unit_end = _unit_around(spans, starts, hit)
            rows.append((hit_id(hit), hit.transcript, hit.code_id, hit.code_path, hit.start, hit.end, hit.speaker,
                         hit.role, hit.turn, hit.pattern, hit.status, hit.reason, unit_start, unit_end, run_id, run_id))
    db.executemany(
        "INSERT INTO set_aside VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hit_id) DO UPDATE "
        "SET last_run = excluded.last_run, reason = excluded.reason, pattern = excluded.pattern, "
        "code_path = excluded.code_path", rows)


def _unit_around(spans: list[tuple[int, int]], starts: list[int], hit: SetAsideHit) -> tuple[int, int]:
    at = bisect_right(starts, hit.start) - 1
    if at >= 0 and spans[at][0] <= hit.start and hit.end <= spans[at][1]:
        return spans[at]
    return hit.start, hit.end


def run_counts(db: sqlite3.Connection, run_id: int) -> dict[str, int]:
    """Count decided automatic segments kept and orphaned by the run, and segments new in it."""
    last_runs = dict(db.execute("SELECT segment_id, last_run FROM segments WHERE origin = 'auto' AND segment_id IN "
                                "(SELECT segment_id FROM decisions)"))
    kept = orphaned = 0
    for sid, rows in decision_rows(db, list(last_runs)).items():
        if effective(rows) is None:
            continue
        if last_runs[sid] == run_id:
            kept += 1
        else:
            orphaned += 1
    new = db.execute("SELECT COUNT(*) FROM segments WHERE first_run = ?", (run_id,)).fetchone()[0]
    return {"kept": kept, "orphaned": orphaned, "new": int(new)}


def unit_records(db: sqlite3.Connection, texts: dict[str, str]) -> list[Unit]:
    """Return the stored units (sentences or turns of the coded speakers) as ``Unit`` records."""
    return [Unit(tid, turn, speaker, start, end, texts[tid][start:end]) for tid, start, end, turn, speaker in
            db.execute('SELECT u.transcript_id, u.start, u."end", u.turn, u.speaker FROM units u '
                       "JOIN transcripts t USING (transcript_id) ORDER BY t.position, u.start")]
