"""Shared fixtures: the small fixture study shipped in tests/fixtures/study, and the real data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
STUDY = FIXTURES / "study"
SHARED_DATA = Path(os.environ.get("QUALKIT_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real third-party data in ../shared/data; tests using it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (set QUALKIT_SHARED_DATA to use it)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def nlp():
    """The default pipeline, built once for the test session."""
    from qualkit.coding import build_pipeline

    return build_pipeline()


@pytest.fixture()
def study_args() -> list[str]:
    """CLI options that point `qualkit run` at the fixture study."""
    return ["-t", str(STUDY / "transcripts"), "-a", str(STUDY / "participants.csv"), "-c", str(STUDY / "codebook.yaml"),
            "--themes", "1"]
