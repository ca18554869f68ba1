"""Reading a study: codes, transcripts, segments with their state, set-aside hits and review progress.

Everything is returned as plain dicts and lists. A segment is shown when it is manual, when the latest
run produced it, or when it is decided (an orphan: a decided segment the latest run no longer produces).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from qualkit.errors import StoreError
from qualkit.store.schema import current_run
from qualkit.store.decisions import DecisionRow, decision_rows, effective, segment_status

CODE_KEYS = ("code_id", "path", "name", "definition", "include", "exclude", "theme")


def read_codes(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Return the current codebook's codes in codebook order."""
    return [dict(zip(CODE_KEYS, row)) for row in db.execute(
        f"SELECT {', '.join(CODE_KEYS)} FROM codes WHERE codebook_version = (SELECT COALESCE("
        "(SELECT codebook_version FROM runs ORDER BY run_id DESC LIMIT 1), (SELECT MAX(version) FROM codebooks))) "
        "ORDER BY position")]


def read_transcripts(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Return each transcript's id, speakers, attributes, number of turns and participant words."""
    speakers: dict[str, list[str]] = {}
    turns: dict[str, int] = {}
    for tid, speaker in db.execute("SELECT transcript_id, speaker FROM turns ORDER BY transcript_id, idx"):
        turns[tid] = turns.get(tid, 0) + 1
        if speaker not in speakers.setdefault(tid, []):
            speakers[tid].append(speaker)
    return [{"transcript_id": tid, "speakers": speakers.get(tid, []), "attributes": json.loads(attributes),
             "n_turns": turns.get(tid, 0), "words": words}
            for tid, attributes, words in db.execute(
                "SELECT transcript_id, attributes, words FROM transcripts ORDER BY position")]


def read_transcript(db: sqlite3.Connection, transcript_id: str) -> dict[str, Any]:
    """Return one transcript with its text and turns; ``StoreError`` for an unknown id."""
    row = db.execute("SELECT transcript_id, text, attributes, source, format, words FROM transcripts "
                     "WHERE transcript_id = ?", (transcript_id,)).fetchone()
    if row is None:
        raise StoreError(f"unknown transcript {transcript_id!r}")
    turns = [dict(zip(("index", "speaker", "role", "start", "end", "timestamp"), t)) for t in db.execute(
        'SELECT idx, speaker, role, start, "end", timestamp FROM turns WHERE transcript_id = ? ORDER BY idx',
        (transcript_id,))]
    return {"transcript_id": row[0], "text": row[1], "attributes": json.loads(row[2]), "source": row[3],
            "format": row[4], "words": row[5], "speakers": list(dict.fromkeys(t["speaker"] for t in turns)),
            "n_turns": len(turns), "turns": turns}


_SEGMENT_COLUMNS = ('segment_id, origin, transcript_id, code_id, code_path, start, "end", speaker, role, turn, unit, '
                    "first_run, last_run, created_by, created_at, hit_id")


def read_segments(db: sqlite3.Connection, texts: dict[str, str], *, code_id: str | None = None,
                  transcript_id: str | None = None, pattern: str | None = None, status: str | None = None,
                  coder: str | None = None, segment_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Return the shown segments (see the module) with their matches and state, in transcript and text order."""
    current = current_run(db)
    where = ["(s.origin != 'auto' OR s.last_run = ? OR s.segment_id IN (SELECT segment_id FROM decisions))"]
    params: list[Any] = [current]
    for column, value in (("code_id", code_id), ("transcript_id", transcript_id)):
        if value is not None:
            where.append(f"s.{column} = ?")
            params.append(value)
    if segment_ids is not None:
        where.append(f"s.segment_id IN ({', '.join('?' * len(segment_ids))})")
        params.extend(segment_ids)
    clause = " AND ".join(where)
    rows = db.execute(f"SELECT {', '.join('s.' + c.strip() for c in _SEGMENT_COLUMNS.split(','))} FROM segments s "
                      f"JOIN transcripts t USING (transcript_id) WHERE {clause} ORDER BY t.position, s.start, s.\"end\", "
                      "s.code_id", params).fetchall()
    few = [r[0] for r in rows] if len(rows) <= 50 else None
    decisions = decision_rows(db, few)
    matches = _matches(db, clause, params, texts)
    memos = _segment_memos(db, few)
    paths = {c["code_id"]: c["path"] for c in read_codes(db)}
    result = []
    for row in rows:
        segment = _segment(row, decisions.get(row[0], []), matches, memos, texts, current, coder, paths)
        if segment is None:
            continue
        if status is not None and segment["status"] != status:
            continue
        if pattern is not None and pattern not in segment["patterns"]:
            continue
        result.append(segment)
    return result


def _matches(db: sqlite3.Connection, clause: str, params: list[Any], texts: dict[str, str]) -> dict[str, list[dict]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for sid, tid, start, end, pattern, kind in db.execute(
            f'SELECT m.segment_id, s.transcript_id, m.start, m."end", m.pattern, m.kind FROM matches m '
            f"JOIN segments s ON s.segment_id = m.segment_id AND m.run_id = s.last_run WHERE {clause} "
            "ORDER BY m.segment_id, m.start", params):
        found.setdefault(sid, []).append({"start": start, "end": end, "text": texts[tid][start:end],
                                          "pattern": pattern, "kind": kind})
    for sid, tid, start, end, pattern, kind in db.execute(
            f'SELECT s.segment_id, s.transcript_id, h.start, h."end", h.pattern, h.status FROM segments s '
            f"JOIN set_aside h ON h.hit_id = s.hit_id WHERE {clause}", params):
        found.setdefault(sid, []).append({"start": start, "end": end, "text": texts[tid][start:end],
                                          "pattern": pattern, "kind": kind})
    return found


def _segment_memos(db: sqlite3.Connection, few: list[str] | None) -> dict[str, tuple[str, str]]:
    sql = "SELECT target_id, text, written_at FROM memos WHERE target = 'segment'"
    if few is not None:
        sql += f" AND target_id IN ({', '.join('?' * len(few))})"
    found: dict[str, tuple[str, str]] = {}
    for target_id, text, written in db.execute(sql + " ORDER BY memo_id", few or ()):
        found[target_id] = (written, text)
    return found


def _segment(row: tuple, decisions: list[DecisionRow], matches: dict[str, list[dict]], memos: dict[str, tuple],
             texts: dict[str, str], current: int, coder: str | None, paths: dict[str, str]) -> dict[str, Any] | None:
    (sid, origin, tid, code_id, code_path, start, end, speaker, role, turn, unit, first_run, last_run, created_by,
     created_at, hit) = row
    anyone = effective(decisions)
    if origin == "auto" and last_run != current and anyone is None:
        return None  # produced by an earlier run, undecided: not part of the study any more
    top = anyone if coder is None else effective(decisions, coder)
    state = segment_status(origin, last_run, current, top)
    span_start, span_end = (top.start, top.end) if top is not None and top.start is not None else (start, end)
    memo = memos.get(sid)
    for r in decisions:
        if r.memo and (memo is None or r.decided_at >= memo[0]):
            memo = (r.decided_at, r.memo)
    found = matches.get(sid, [])
    recode_to = top.recode_to if top is not None and top.decision == "recode" else None
    return {
        "segment_id": sid, "transcript_id": tid, "speaker": speaker, "role": role, "turn": turn,
        "start": span_start, "end": span_end, "text": texts[tid][span_start:span_end],
        "code_id": code_id, "code_path": code_path, "origin": origin, "unit": unit,
        "matches": found, "patterns": list(dict.fromkeys(m["pattern"] for m in found)),
        "status": state, "recode_to": recode_to, "recode_path": paths.get(recode_to) if recode_to else None,
        "memo": memo[1] if memo else None,
        "decided_by": top.coder if top is not None else None, "decided_at": top.decided_at if top is not None else None,
        "version": len(decisions), "auto_start": start, "auto_end": end,
        "orphaned": origin == "auto" and last_run != current, "created_by": created_by,
    }


def read_set_aside(db: sqlite3.Connection, texts: dict[str, str], code_id: str | None = None) -> list[dict[str, Any]]:
    """Return the latest run's set-aside hits, each saying whether it was restored as a coding."""
    sql = ('SELECT h.hit_id, h.transcript_id, h.code_id, h.code_path, h.start, h."end", h.speaker, h.role, h.turn, '
           "h.pattern, h.status, h.reason, h.unit_start, h.unit_end, "
           "EXISTS (SELECT 1 FROM segments s WHERE s.hit_id = h.hit_id) FROM set_aside h "
           "JOIN transcripts t USING (transcript_id) WHERE h.last_run = ?")
    params: list[Any] = [current_run(db)]
    if code_id is not None:
        sql += " AND h.code_id = ?"
        params.append(code_id)
    keys = ("hit_id", "transcript_id", "code_id", "code_path", "start", "end", "speaker", "role", "turn", "pattern",
            "status", "reason", "unit_start", "unit_end", "restored")
    hits = []
    for row in db.execute(sql + " ORDER BY t.position, h.start, h.code_id", params):
        hit = dict(zip(keys, row))
        hit["restored"] = bool(hit["restored"])
        hit["text"] = texts[hit["transcript_id"]][hit["start"]:hit["end"]]
        hits.append(hit)
    return hits


def set_aside_hit(db: sqlite3.Connection, hit_id: str) -> tuple[str, str, int, int]:
    """Return a set-aside hit's transcript, code and unit span; ``StoreError`` for an unknown hit id."""
    row = db.execute("SELECT transcript_id, code_id, unit_start, unit_end FROM set_aside WHERE hit_id = ?",
                     (hit_id,)).fetchone()
    if row is None:
        raise StoreError(f"unknown set-aside hit id {hit_id!r}")
    return row[0], row[1], int(row[2]), int(row[3])
