"""Shared by the store tests (no tests here): the fixture study's settings, copies of a study, table dumps."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from qualkit.settings import StudySettings

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "store"
CODEBOOK_V2 = FIXTURE / "codebook_v2.yaml"
SETTINGS = StudySettings(transcripts=(str(FIXTURE / "transcripts"),), attributes=str(FIXTURE / "participants.csv"),
                         codebook=str(FIXTURE / "codebook.yaml"), n_themes=1)

# The fixture's automatic segments under codebook.yaml: (transcript, code, text).
FIRST_RUN = [
    ("P01", "isolation", "I felt isolated after the move."),
    ("P01", "paperwork", "The paperwork for the new flat never stopped."),
    ("P01", "paperwork", "Our link worker helped with the housing forms."),
    ("P01", "targets", "The targets at work were impossible."),
    ("P02", "isolation", "I was on my own most days before that."),
    ("P02", "paperwork", "The benefits forms were a nightmare."),
    ("P02", "targets", "The targets they set me were fine."),
]


def copy_study(template: Path, folder: Path) -> Path:
    """Copy a closed study folder (its database fully checkpointed) to ``folder``."""
    shutil.copytree(template, folder)
    return folder


def dump(folder: Path) -> list[str]:
    """Return every row of every table of a study's database, as text lines, for before/after comparisons."""
    db = sqlite3.connect(str(folder / "study.sqlite"))
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        lines = [f"user_version {db.execute('PRAGMA user_version').fetchone()[0]}"]
        for table in tables:
            lines += [f"{table} {row!r}" for row in db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
        return lines
    finally:
        db.close()


def find(segments: list[dict], transcript: str, code: str, text: str) -> dict:
    """Return the one segment with this transcript, code and text."""
    found = [s for s in segments if (s["transcript_id"], s["code_id"], s["text"]) == (transcript, code, text)]
    assert len(found) == 1, found
    return found[0]
