"""Shared by the review tests (no tests here): the fixture study, copies of it, and database dumps."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from qualkit.settings import StudySettings
from qualkit.store import init_study, open_study

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "review"
SETTINGS = StudySettings(transcripts=(str(FIXTURE / "transcripts"),), attributes=str(FIXTURE / "participants.csv"),
                         codebook=str(FIXTURE / "codebook.yaml"), n_themes=1)


@pytest.fixture(scope="session")
def review_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture study, made once per test session (copy it before changing it)."""
    folder = tmp_path_factory.mktemp("review") / "study"
    init_study(folder, SETTINGS).close()
    return folder


@pytest.fixture()
def study_dir(review_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the fixture study for one test."""
    return Path(shutil.copytree(review_template, tmp_path / "study"))


def find(folder: Path, text: str, code_id: str | None = None) -> dict:
    """The one segment of the study whose text starts with ``text`` (and has ``code_id``)."""
    with open_study(folder) as study:
        found = [s for s in study.segments() if s["text"].startswith(text) and code_id in (None, s["code_id"])]
    assert len(found) == 1, f"{len(found)} segments start with {text!r}"
    return found[0]


def dump(folder: Path) -> list[str]:
    """Every row of every table of a study's database as text, to compare a study before and after."""
    db = sqlite3.connect(str(folder / "study.sqlite"))
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return [f"{table}: {row!r}" for table in tables for row in db.execute(f'SELECT * FROM "{table}" ORDER BY 1')]
    finally:
        db.close()
