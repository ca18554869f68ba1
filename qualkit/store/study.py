"""A study folder and its database: making one (``init_study``), opening one (``open_study``) and the
``Study`` handle every reader and writer goes through."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any, Callable, Iterable

from qualkit.codebook import load_codebook
from qualkit.errors import StoreError
from qualkit.segments import Unit
from qualkit.settings import StudySettings
from qualkit.store import coding_runs, decisions, reading
from qualkit.store.reviewed import ReviewedCoding, build_reviewed, run_info
from qualkit.store.schema import connect, create, database_path, now, snapshot, transaction
from qualkit.store.status import progress_by_code, study_status
from qualkit.transcript import Transcript

Progress = Callable[[list[Transcript]], Iterable[Transcript]]


class Study:
    """An open study: reads return plain dicts and lists; each write is one transaction of new rows."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.database = database_path(self.path)
        self._local = threading.local()
        self._connections: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._lock = threading.Lock()
        self._texts = _Texts(self)
        self._local.db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        """Open a connection for this thread, closing those of threads that have ended (a web server may
        start a thread per request)."""
        db = connect(self.database)
        with self._lock:
            ended = [c for thread, c in self._connections if not thread.is_alive()]
            self._connections = [(t, c) for t, c in self._connections if t.is_alive()]
            self._connections.append((threading.current_thread(), db))
        for old in ended:
            old.close()
        return db

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection (each thread has its own, so a web server's threads never share one)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def close(self) -> None:
        """Close every connection this handle opened."""
        with self._lock:
            for _, db in self._connections:
                db.close()
            self._connections.clear()

    def __enter__(self) -> "Study":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def texts(self) -> dict[str, str]:
        """Transcript texts by id, each read when first needed (transcripts never change once a study is made)."""
        return self._texts

    # -- reading --------------------------------------------------------------------------------------

    def settings(self) -> StudySettings:
        """Return the settings the study was made with."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
        return coding_runs.settings_from_json(row[0]) if row else StudySettings()

    def codes(self) -> list[dict[str, Any]]:
        """Return the current codebook's codes: code_id, path, name, definition, include, exclude, theme."""
        return reading.read_codes(self._db)

    def transcripts(self) -> list[dict[str, Any]]:
        """Return each transcript's transcript_id, speakers, attributes, n_turns and words."""
        return reading.read_transcripts(self._db)

    def transcript(self, transcript_id: str) -> dict[str, Any]:
        """Return one transcript with its text and turns."""
        found = reading.read_transcript(self._db, transcript_id)
        self._texts.setdefault(transcript_id, found["text"])   # its segments need not read the text again
        return found

    def segments(self, *, code_id: str | None = None, transcript_id: str | None = None, pattern: str | None = None,
                 status: str | None = None, coder: str | None = None) -> list[dict[str, Any]]:
        """Return the shown segments with their matches and state (for ``coder``, or the latest of anyone)."""
        if coder is not None:
            decisions.check_coder(coder)
        with snapshot(self._db):
            return reading.read_segments(self._db, self.texts, code_id=code_id, transcript_id=transcript_id,
                                         pattern=pattern, status=status, coder=coder)

    def segment(self, segment_id: str, *, coder: str | None = None) -> dict[str, Any]:
        """Return one segment (``StoreError`` when there is none with this id)."""
        with snapshot(self._db):
            found = reading.read_segments(self._db, self.texts, coder=coder, segment_ids=[segment_id])
        if not found:
            raise StoreError(f"unknown segment id {segment_id!r}")
        return found[0]

    def set_aside(self, *, code_id: str | None = None) -> list[dict[str, Any]]:
        """Return the latest run's negated, excluded and restricted hits, each saying if it was restored."""
        with snapshot(self._db):
            return reading.read_set_aside(self._db, self.texts, code_id)

    def progress(self, *, coder: str | None = None) -> list[dict[str, Any]]:
        """Return per code: code_id, path, reviewed, total (its automatic segments shown)."""
        with snapshot(self._db):
            return progress_by_code(self._db, coder)

    def units(self) -> list[Unit]:
        """Return the units (sentences, or turns) of the coded speakers the runs found, in transcript order."""
        with snapshot(self._db):
            return coding_runs.unit_records(self._db, self.texts)

    def history(self, segment_id: str) -> list[dict[str, Any]]:
        """Return every decision row on a segment, oldest first."""
        return [r.as_dict() for r in decisions.decision_rows(self._db, [segment_id]).get(segment_id, [])]

    def memos(self, *, target: str | None = None, target_id: str | None = None) -> list[dict[str, Any]]:
        """Return memos, oldest first, optionally on one target."""
        return decisions.read_memos(self._db, target, target_id)

    def coders(self) -> list[str]:
        """Return every coder who decided something or wrote a memo."""
        return decisions.read_coders(self._db)

    def runs(self) -> list[dict[str, Any]]:
        """Return every coding run, oldest first."""
        return [run_info(row) for row in self._db.execute("SELECT * FROM runs ORDER BY run_id")]

    def codebooks(self) -> list[dict[str, Any]]:
        """Return every codebook version: version, sha256, source, name, added_at and the YAML text."""
        keys = ("version", "sha256", "source", "name", "added_at", "yaml")
        return [dict(zip(keys, row)) for row in self._db.execute(
            "SELECT version, sha256, source, name, added_at, yaml FROM codebooks ORDER BY version")]

    def status(self, *, agreement: bool = True) -> dict[str, Any]:
        """Return the counts in total, per code and per coder, and the agreement between coders."""
        with snapshot(self._db):
            return study_status(self._db, agreement=agreement)

    def reviewed_coding(self, *, coding: str = "reviewed") -> ReviewedCoding:
        """Return the coding a report stands on (see ``qualkit.store.reviewed_coding``)."""
        with snapshot(self._db):
            transcripts = coding_runs.load_transcripts(self._db)
            for transcript in transcripts:   # the texts are loaded: segments and set-aside hits reuse them
                self._texts.setdefault(transcript.id, transcript.text)
            codebook, _ = coding_runs.current_codebook(self._db)
            run = run_info(self._db.execute("SELECT * FROM runs ORDER BY run_id DESC LIMIT 1").fetchone())
            return build_reviewed(transcripts, codebook, reading.read_segments(self._db, self.texts),
                                  reading.read_set_aside(self._db, self.texts), study_status(self._db),
                                  decisions.read_memos(self._db), self.settings(), run, coding)

    # -- writing --------------------------------------------------------------------------------------

    def batch(self) -> contextlib.AbstractContextManager[Any]:
        """Make the writes inside the block one transaction: all of them land, or none (a review sheet's import)."""
        return transaction(self._db)

    def decide(self, segment_id: str, decision: str, *, coder: str, recode_to: str | None = None,
               memo: str | None = None, start: int | None = None, end: int | None = None,
               expected_version: int | None = None) -> dict[str, Any]:
        """Record a decision (accept, reject, recode or undo) as a new row; return the segment as it is now."""
        decisions.record_decision(self._db, segment_id, decision, coder=coder, recode_to=recode_to, memo=memo,
                                  start=start, end=end, expected_version=expected_version)
        return self.segment(segment_id, coder=coder)

    def add_manual(self, transcript_id: str, code_id: str, start: int, end: int, *, coder: str,
                   memo: str | None = None) -> dict[str, Any]:
        """Code a passage the codebook missed; return the new segment."""
        sid = decisions.insert_manual(self._db, transcript_id, code_id, start, end, coder=coder, memo=memo)
        return self.segment(sid, coder=coder)

    def restore_set_aside(self, hit_id: str, *, coder: str, memo: str | None = None) -> dict[str, Any]:
        """Make a set-aside hit a coding of the unit it sits in; return the new segment."""
        transcript_id, code_id, start, end = reading.set_aside_hit(self._db, hit_id)
        sid = decisions.insert_manual(self._db, transcript_id, code_id, start, end, coder=coder, memo=memo,
                                      origin="restored", hit=hit_id)
        return self.segment(sid, coder=coder)

    def add_memo(self, target: str, target_id: str, text: str, *, coder: str) -> int:
        """Write a memo on the study, a code, a transcript, a segment or a case and code; return its id."""
        return decisions.insert_memo(self._db, target, target_id, text, coder=coder)

    def code(self, codebook_path: str | Path | None = None, *, progress: Progress | None = None) -> dict[str, int]:
        """Run the codebook (a new version from ``codebook_path``, else the study's codebook file as it is now,
        else its latest stored version); return kept, orphaned, new, segments and run_id."""
        codebook, yaml_text = self._codebook_for_run(codebook_path)
        settings = self.settings()
        started = now()
        with snapshot(self._db):
            transcripts = coding_runs.load_transcripts(self._db)
        results, pipeline = coding_runs.code_transcripts(transcripts, codebook, settings, progress)
        return coding_runs.write_run(self._db, codebook, yaml_text, settings, results, pipeline, started)

    def _codebook_for_run(self, codebook_path: str | Path | None) -> tuple[Any, str]:
        if codebook_path is None:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'codebook_file'").fetchone()
            if row and Path(row[0]).is_file():
                codebook_path = row[0]
        if codebook_path is None:
            codebook, version = coding_runs.current_codebook(self._db)
            yaml_text = self._db.execute("SELECT yaml FROM codebooks WHERE version = ?", (version,)).fetchone()[0]
            return codebook, yaml_text
        codebook = load_codebook(codebook_path)
        return codebook, Path(codebook_path).read_bytes().decode("utf-8-sig")


class _Texts(dict):  # type: ignore[type-arg]
    """Transcript texts by id, each read from the study when first asked for."""

    def __init__(self, study: Study) -> None:
        super().__init__()
        self.study = study

    def __missing__(self, transcript_id: str) -> str:
        row = self.study._db.execute("SELECT text FROM transcripts WHERE transcript_id = ?", (transcript_id,)).fetchone()
        if row is None:
            raise KeyError(transcript_id)
        self[transcript_id] = row[0]
        return str(row[0])


def open_study(path: str | Path) -> Study:
    """Open a study folder (an older schema is migrated); ``StoreError`` if it holds no study or a newer one."""
    folder = Path(path)
    if not database_path(folder).is_file():
        raise StoreError(f"{folder}: not a qualkit study folder (no {database_path(folder).name}; make one with "
                         "'qualkit study init')")
    return Study(folder)


def init_study(path: str | Path, settings: StudySettings = StudySettings(), *, force: bool = False,
               progress: Progress | None = None) -> Study:
    """Make a study in folder ``path``: import the transcripts, attributes and codebook, and run the codebook.

    The database is built beside its final place and moved in when complete, so a failure leaves the
    folder as it was. A folder already holding a study is refused unless ``force``.
    """
    from qualkit.inputs import load_study

    folder = Path(path)
    target = database_path(folder)
    if target.exists() and not force:
        raise StoreError(f"{folder}: already holds a study (use --force to replace it)")
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"{folder}: not a folder")
    transcripts, codebook, notes = load_study(settings)
    for note in notes:
        warnings.warn(note, stacklevel=2)
    yaml_text = Path(settings.codebook).read_bytes().decode("utf-8-sig")
    results, pipeline = coding_runs.code_transcripts(transcripts, codebook, settings, progress)
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(".study-*.sqlite*"):  # from an init that was killed: it holds transcript text
        leftover.unlink(missing_ok=True)
    handle, staged = tempfile.mkstemp(prefix=".study-", suffix=".sqlite", dir=folder)
    os.close(handle)
    try:
        db = create(Path(staged))
        try:
            with transaction(db):
                db.executemany("INSERT INTO meta VALUES (?, ?)", [
                    ("settings", coding_runs.settings_json(settings)), ("created", now()),
                    ("codebook_file", str(Path(settings.codebook).resolve())),
                ])
                coding_runs.import_transcripts(db, transcripts)
            coding_runs.write_run(db, codebook, yaml_text, settings, results, pipeline, now())
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(staged, target)
    finally:
        for leftover in (staged, f"{staged}-wal", f"{staged}-shm"):
            Path(leftover).unlink(missing_ok=True)
    return Study(folder)

