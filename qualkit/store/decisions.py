"""Decisions and memos: every one a new row in its own transaction; nothing is updated in place or deleted.

A coder's decisions on a segment form a stack: ``accept``, ``reject``, ``recode`` (and ``manual``, the
creation of a manual coding) push, ``undo`` pops. A segment's state for a coder is the top of that
coder's stack; its state for the study is the most recent top of anyone's.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any, Iterable

from qualkit.errors import StaleDecisionError, StoreError
from qualkit.store.schema import current_run, now, stable_id, transaction

CODER_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,39}")
DECISIONS = ("accept", "reject", "recode", "undo")
MEMO_TARGETS = ("study", "code", "transcript", "segment", "case_code")
STATUS_OF = {"accept": "accepted", "reject": "rejected", "recode": "recoded", "manual": "manual"}


@dataclass(frozen=True)
class DecisionRow:
    """One row of the decisions table."""

    decision_id: int
    segment_id: str
    coder: str
    decision: str
    recode_to: str | None
    memo: str | None
    start: int | None
    end: int | None
    run_id: int | None
    decided_at: str

    def as_dict(self) -> dict[str, Any]:
        """Return the row as a plain dict."""
        return dict(self.__dict__)


_COLUMNS = 'decision_id, segment_id, coder, decision, recode_to, memo, start, "end", run_id, decided_at'


def check_coder(coder: Any) -> str:
    """Return the coder name, or raise ``StoreError`` when it does not have the allowed form."""
    if not isinstance(coder, str) or not CODER_RE.fullmatch(coder):
        raise StoreError(f"unknown coder name format: {coder!r} (a letter, then up to 39 letters, digits, '_', '.' "
                         "or '-')")
    return coder


def decision_rows(db: sqlite3.Connection, segment_ids: Iterable[str] | None = None) -> dict[str, list[DecisionRow]]:
    """Return the decision rows per segment, oldest first (all segments', or only the ones named)."""
    wanted = None if segment_ids is None else set(segment_ids)
    if wanted is not None and len(wanted) <= 50:
        marks = ", ".join("?" * len(wanted))
        cursor = db.execute(f"SELECT {_COLUMNS} FROM decisions WHERE segment_id IN ({marks}) ORDER BY decision_id",
                            tuple(wanted))
    else:
        cursor = db.execute(f"SELECT {_COLUMNS} FROM decisions ORDER BY decision_id")
    rows: dict[str, list[DecisionRow]] = {}
    for row in cursor:
        if wanted is None or row[1] in wanted:
            rows.setdefault(row[1], []).append(DecisionRow(*row))
    return rows


def coder_tops(rows: Iterable[DecisionRow]) -> dict[str, DecisionRow]:
    """Return each coder's decision in force on a segment (coders whose decisions were all undone left out)."""
    stacks: dict[str, list[DecisionRow]] = {}
    for row in rows:
        stack = stacks.setdefault(row.coder, [])
        if row.decision == "undo":
            if stack:
                stack.pop()
        else:
            stack.append(row)
    return {coder: stack[-1] for coder, stack in stacks.items() if stack}


def effective(rows: Iterable[DecisionRow], coder: str | None = None) -> DecisionRow | None:
    """Return the decision in force: the coder's, or the most recent of anyone's; ``None`` when undecided."""
    tops = coder_tops(rows)
    return tops.get(coder) if coder is not None else latest(tops)


def latest(tops: dict[str, DecisionRow]) -> DecisionRow | None:
    """Return the most recent of the coders' decisions in force (``coder_tops``); ``None`` when there is none."""
    return max(tops.values(), key=lambda r: r.decision_id) if tops else None


def segment_status(origin: str, last_run: int | None, current: int, top: DecisionRow | None) -> str:
    """Return a segment's status from its origin, the run that last produced it and the decision in force."""
    if origin != "auto":
        if top is None:
            return "rejected"
        return "manual" if top.decision in ("manual", "accept") else STATUS_OF[top.decision]
    orphaned = (last_run or 0) < current
    if top is None:
        return "orphaned" if orphaned else "pending"
    if orphaned and (top.run_id or 0) <= (last_run or 0):
        return "orphaned"
    return STATUS_OF[top.decision]


# -- writing --------------------------------------------------------------------------------------------


def record_decision(db: sqlite3.Connection, segment_id: str, decision: str, *, coder: str, recode_to: str | None,
                    memo: str | None, start: int | None, end: int | None, expected_version: int | None) -> None:
    """Validate a decision and add it as a new row, in one transaction (raises ``StaleDecisionError``)."""
    check_coder(coder)
    if decision not in DECISIONS:
        raise StoreError(f"unknown decision {decision!r} (choose from {', '.join(DECISIONS)})")
    with transaction(db):
        found = db.execute('SELECT s.transcript_id, s.start, s."end", length(t.text), s.code_id FROM segments s '
                           "JOIN transcripts t USING (transcript_id) WHERE segment_id = ?", (segment_id,)).fetchone()
        if found is None:
            raise StoreError(f"unknown segment id {segment_id!r}")
        version = db.execute("SELECT COUNT(*) FROM decisions WHERE segment_id = ?", (segment_id,)).fetchone()[0]
        if expected_version is not None and version != expected_version:
            raise StaleDecisionError(f"segment {segment_id} changed since the page loaded: reload")
        if decision == "undo" and effective(decision_rows(db, [segment_id]).get(segment_id, []), coder) is None:
            raise StoreError(f"segment {segment_id}: {coder} has no decision on it to undo")
        if decision == "recode":
            if not recode_to:
                raise StoreError(f"segment {segment_id}: a recode needs the code to recode to")
            check_code(db, recode_to)
            if recode_to == found[4]:
                raise StoreError(f"segment {segment_id} already has code {recode_to!r}: accept it instead")
        elif recode_to is not None:
            raise StoreError(f"segment {segment_id}: only a recode takes a code to recode to")
        if (start is None) != (end is None):
            raise StoreError(f"segment {segment_id}: give both start and end of the new span, or neither")
        if start is not None:
            if decision == "undo":
                raise StoreError(f"segment {segment_id}: undo takes no span")
            _check_span(found[0], start, end, found[3])
        db.execute(f"INSERT INTO decisions ({_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (segment_id, coder, decision, recode_to, memo or None, start, end, current_run(db), now()))


def check_code(db: sqlite3.Connection, code_id: str) -> str:
    """Return the code's path in the current codebook, or raise ``StoreError`` for an unknown code id."""
    row = db.execute("SELECT path FROM codes WHERE code_id = ? AND codebook_version = (SELECT COALESCE("
                     "(SELECT codebook_version FROM runs ORDER BY run_id DESC LIMIT 1), "
                     "(SELECT MAX(version) FROM codebooks)))", (code_id,)).fetchone()
    if row is None:
        raise StoreError(f"unknown code id {code_id!r} (not in the study's current codebook)")
    return str(row[0])


def _check_span(transcript_id: str, start: Any, end: Any, length: int) -> None:
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length):
        raise StoreError(f"transcript {transcript_id!r}: span {start}-{end} is not inside its text (0-{length})")


def insert_manual(db: sqlite3.Connection, transcript_id: str, code_id: str, start: int, end: int, *, coder: str,
                  memo: str | None, origin: str = "manual", hit: str | None = None) -> str:
    """Add a manual (or restored) coding and its creating decision in one transaction; return its segment id."""
    check_coder(coder)
    prefix = "m" if origin == "manual" else "r"
    sid = stable_id(prefix, transcript_id, code_id, start, end)
    with transaction(db):
        found = db.execute("SELECT length(text) FROM transcripts WHERE transcript_id = ?", (transcript_id,)).fetchone()
        if found is None:
            raise StoreError(f"unknown transcript {transcript_id!r}")
        _check_span(transcript_id, start, end, found[0])
        path = check_code(db, code_id)
        turn = db.execute('SELECT idx, speaker, role FROM turns WHERE transcript_id = ? AND start <= ? '
                          "ORDER BY start DESC LIMIT 1", (transcript_id, start)).fetchone() or (0, "", "")
        stamp = now()
        db.execute("INSERT OR IGNORE INTO segments (segment_id, origin, transcript_id, code_id, code_path, start, "
                   '"end", speaker, role, turn, unit, created_by, created_at, hit_id) '
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'manual', ?, ?, ?)",
                   (sid, origin, transcript_id, code_id, path, start, end, turn[1], turn[2], turn[0], coder, stamp, hit))
        db.execute(f"INSERT INTO decisions ({_COLUMNS}) VALUES (NULL, ?, ?, 'manual', NULL, ?, NULL, NULL, ?, ?)",
                   (sid, coder, memo or None, current_run(db), stamp))
    return sid


def insert_memo(db: sqlite3.Connection, target: str, target_id: str, text: str, *, coder: str) -> int:
    """Add a memo in one transaction; return its id."""
    check_coder(coder)
    if target not in MEMO_TARGETS:
        raise StoreError(f"unknown memo target {target!r} (choose from {', '.join(MEMO_TARGETS)})")
    if not str(text).strip():
        raise StoreError(f"memo on {target} {target_id!r} is empty")
    with transaction(db):
        _check_target(db, target, str(target_id))
        cursor = db.execute("INSERT INTO memos (target, target_id, text, coder, written_at) VALUES (?, ?, ?, ?, ?)",
                            (target, "" if target == "study" else str(target_id), str(text), coder, now()))
    return int(cursor.lastrowid or 0)


def _check_target(db: sqlite3.Connection, target: str, target_id: str) -> None:
    """Raise ``StoreError`` unless the memo's target exists (a ``case_code`` id is ``TRANSCRIPT|CODE``)."""
    if target == "code":
        check_code(db, target_id)
    elif target == "segment" and not db.execute("SELECT 1 FROM segments WHERE segment_id = ?", (target_id,)).fetchone():
        raise StoreError(f"unknown segment id {target_id!r}")
    elif target in ("transcript", "case_code"):
        transcript_id, bar, code_id = target_id.partition("|")
        if target == "case_code" and not (bar and code_id):
            raise StoreError(f"memo on a case and code: expected 'TRANSCRIPT|CODE', got {target_id!r}")
        if not db.execute("SELECT 1 FROM transcripts WHERE transcript_id = ?", (transcript_id,)).fetchone():
            raise StoreError(f"unknown transcript {transcript_id!r}")
        if code_id:
            check_code(db, code_id)


def read_memos(db: sqlite3.Connection, target: str | None = None, target_id: str | None = None) -> list[dict[str, Any]]:
    """Return memos, oldest first, optionally only those on one target (and target id)."""
    where, params = [], []
    if target is not None:
        where.append("target = ?")
        params.append(target)
    if target_id is not None:
        where.append("target_id = ?")
        params.append(str(target_id))
    sql = "SELECT memo_id, target, target_id, text, coder, written_at FROM memos"
    sql += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY memo_id"
    keys = ("memo_id", "target", "target_id", "text", "coder", "written_at")
    return [dict(zip(keys, row)) for row in db.execute(sql, params)]


def read_coders(db: sqlite3.Connection) -> list[str]:
    """Return every coder who made a decision or wrote a memo, sorted."""
    return sorted(r[0] for r in db.execute("SELECT coder FROM decisions UNION SELECT coder FROM memos"))
