"""The study database's schema as numbered migrations, and opening a connection to it.

``PRAGMA user_version`` holds the schema version; ``MIGRATIONS[n]`` takes a database from version ``n``
to ``n + 1``. Each migration runs in one transaction, so a study is never left half-migrated. The
connection runs in autocommit mode: every write says ``BEGIN IMMEDIATE`` itself (see ``transaction``).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import sqlite3
from pathlib import Path
from typing import Iterator

from qualkit.errors import StoreError

DATABASE = "study.sqlite"
APPLICATION_ID = 0x716B7374  # "qkst": marks a SQLite file as a qualkit study
BUSY_TIMEOUT_SECONDS = 30.0

# Version 1: the records a study is made of. Version 2: memos, set-aside hits, units and the indexes the
# review page and ``study status`` need on a large study. Version 3: set-aside hits find their restored
# codings by an index. Migrations are only ever appended.
MIGRATIONS: list[list[str]] = [
    [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE transcripts (
            transcript_id TEXT PRIMARY KEY, position INTEGER NOT NULL, text TEXT NOT NULL,
            attributes TEXT NOT NULL, source TEXT NOT NULL, format TEXT NOT NULL,
            preamble_start INTEGER NOT NULL, preamble_end INTEGER NOT NULL, words INTEGER NOT NULL)""",
        """CREATE TABLE turns (
            transcript_id TEXT NOT NULL REFERENCES transcripts, idx INTEGER NOT NULL, speaker TEXT NOT NULL,
            role TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, timestamp TEXT,
            end_timestamp TEXT, PRIMARY KEY (transcript_id, idx)) WITHOUT ROWID""",
        """CREATE TABLE codebooks (
            version INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, yaml TEXT NOT NULL, source TEXT NOT NULL,
            name TEXT NOT NULL, added_at TEXT NOT NULL)""",
        """CREATE TABLE codes (
            codebook_version INTEGER NOT NULL REFERENCES codebooks, position INTEGER NOT NULL,
            code_id TEXT NOT NULL, path TEXT NOT NULL, name TEXT NOT NULL, definition TEXT NOT NULL,
            include TEXT NOT NULL, exclude TEXT NOT NULL, theme TEXT NOT NULL,
            PRIMARY KEY (codebook_version, code_id)) WITHOUT ROWID""",
        """CREATE TABLE runs (
            run_id INTEGER PRIMARY KEY, codebook_version INTEGER NOT NULL REFERENCES codebooks,
            settings TEXT NOT NULL, qualkit_version TEXT NOT NULL, spacy_version TEXT NOT NULL,
            pipeline TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL,
            kept INTEGER NOT NULL, orphaned INTEGER NOT NULL, new INTEGER NOT NULL, segments INTEGER NOT NULL)""",
        """CREATE TABLE segments (
            segment_id TEXT PRIMARY KEY, origin TEXT NOT NULL, transcript_id TEXT NOT NULL REFERENCES transcripts,
            code_id TEXT NOT NULL, code_path TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            speaker TEXT NOT NULL, role TEXT NOT NULL, turn INTEGER NOT NULL, unit TEXT NOT NULL,
            first_run INTEGER, last_run INTEGER, created_by TEXT, created_at TEXT NOT NULL, hit_id TEXT)""",
        """CREATE TABLE matches (
            run_id INTEGER NOT NULL REFERENCES runs, segment_id TEXT NOT NULL REFERENCES segments,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL, pattern TEXT NOT NULL, kind TEXT NOT NULL)""",
        """CREATE TABLE decisions (
            decision_id INTEGER PRIMARY KEY, segment_id TEXT NOT NULL REFERENCES segments, coder TEXT NOT NULL,
            decision TEXT NOT NULL, recode_to TEXT, memo TEXT, start INTEGER, "end" INTEGER,
            run_id INTEGER, decided_at TEXT NOT NULL)""",
        "CREATE INDEX decisions_segment ON decisions (segment_id, decision_id)",
    ],
    [
        """CREATE TABLE memos (
            memo_id INTEGER PRIMARY KEY, target TEXT NOT NULL, target_id TEXT NOT NULL, text TEXT NOT NULL,
            coder TEXT NOT NULL, written_at TEXT NOT NULL)""",
        """CREATE TABLE set_aside (
            hit_id TEXT PRIMARY KEY, transcript_id TEXT NOT NULL REFERENCES transcripts, code_id TEXT NOT NULL,
            code_path TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, speaker TEXT NOT NULL,
            role TEXT NOT NULL, turn INTEGER NOT NULL, pattern TEXT NOT NULL, status TEXT NOT NULL,
            reason TEXT NOT NULL, unit_start INTEGER NOT NULL, unit_end INTEGER NOT NULL,
            first_run INTEGER NOT NULL, last_run INTEGER NOT NULL)""",
        """CREATE TABLE units (
            transcript_id TEXT NOT NULL REFERENCES transcripts, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            turn INTEGER NOT NULL, speaker TEXT NOT NULL, PRIMARY KEY (transcript_id, start, "end")) WITHOUT ROWID""",
        "CREATE INDEX memos_target ON memos (target, target_id)",
        "CREATE INDEX segments_code ON segments (code_id, last_run)",
        "CREATE INDEX segments_transcript ON segments (transcript_id, start)",
        "CREATE INDEX segments_run ON segments (last_run)",
        "CREATE INDEX matches_segment ON matches (segment_id, run_id)",
        "CREATE INDEX matches_run ON matches (run_id)",
        "CREATE INDEX set_aside_run ON set_aside (last_run, code_id)",
    ],
    [
        "CREATE INDEX segments_hit ON segments (hit_id) WHERE hit_id IS NOT NULL",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)


def database_path(folder: str | Path) -> Path:
    """Return the database file of a study folder."""
    return Path(folder) / DATABASE


def connect(path: Path) -> sqlite3.Connection:
    """Open a study database (which must exist) in WAL mode with a busy timeout; migrate an older schema."""
    try:
        db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                             check_same_thread=False)
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a qualkit study database ({exc})") from None
    if application_id != APPLICATION_ID:
        db.close()
        raise StoreError(f"{path}: not a qualkit study database")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        db.close()
        raise StoreError(f"{path}: the study's schema version {version} is newer than this qualkit knows "
                         f"({SCHEMA_VERSION}); upgrade qualkit to open it")
    _configure(db)
    migrate(db)
    return db


def create(path: Path) -> sqlite3.Connection:
    """Create a new, empty study database at ``path`` with the current schema."""
    db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    _configure(db)
    migrate(db)
    return db


def _configure(db: sqlite3.Connection) -> None:
    db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")


def migrate(db: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema up to ``target``, one transaction per migration; return the version reached."""
    while True:
        with transaction(db):
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version >= target:
                return int(version)
            for statement in MIGRATIONS[version]:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {version + 1}")


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block as one write transaction (taking the write lock at once): all of it, or none of it.

    Inside an open transaction (``Study.batch``), the block joins it: the outer one commits or rolls back."""
    if db.in_transaction:
        yield db
        return
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise StoreError(f"{_file(db)}: cannot write to the study ({exc}); try again") from None
    try:
        yield db
    except sqlite3.Error as exc:
        db.execute("ROLLBACK")
        raise StoreError(f"{_file(db)}: the study was left unchanged: {exc}") from None
    except BaseException:
        db.execute("ROLLBACK")
        raise
    try:
        db.execute("COMMIT")
    except sqlite3.Error as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise StoreError(f"{_file(db)}: the study was left unchanged: {exc}") from None


def _file(db: sqlite3.Connection) -> str:
    for _, name, path in db.execute("PRAGMA database_list"):
        if name == "main":
            return str(path)
    return "study"


@contextlib.contextmanager
def snapshot(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block's reads on one consistent snapshot of the database."""
    if db.in_transaction:
        yield db
        return
    db.execute("BEGIN")
    try:
        yield db
    finally:
        db.execute("COMMIT")


def stable_id(prefix: str, *parts: object) -> str:
    """Return an id derived from its parts (the same parts give the same id in every run and study)."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}{digest[:15]}"


def now() -> str:
    """Return the current time as an ISO 8601 string with microseconds and the UTC offset."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")


def current_run(db: sqlite3.Connection) -> int:
    """Return the latest run's id (0 before the first run)."""
    return int(db.execute("SELECT COALESCE(MAX(run_id), 0) FROM runs").fetchone()[0])
