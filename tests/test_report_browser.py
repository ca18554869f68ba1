"""The HTML reports open in a real headless browser (Debian's chromium) without console errors."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from qualkit.report import write_report
from qualkit.study import StudySettings, run_study
from tests.conftest import FIXTURES

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs Debian's chromium)")
def test_html_reports_open_in_chromium_without_console_errors(tmp_path):
    study = FIXTURES / "report"
    result = run_study(StudySettings(transcripts=(str(study / "transcripts"),), attributes=str(study / "participants.csv"),
                                     codebook=str(study / "codebook.yaml"), n_themes=1))
    write_report(result, tmp_path / "reports")
    for name in ("report.html", "index.html"):
        shot = tmp_path / f"{Path(name).stem}.png"  # kept by pytest under its base temp folder for a look
        with tempfile.TemporaryDirectory(prefix="qualkit-chromium-") as profile:
            run = subprocess.run(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                 "--enable-logging=stderr", "--log-level=0", "--window-size=1200,1800", f"--screenshot={shot}",
                 (tmp_path / "reports" / name).as_uri()],
                capture_output=True, text=True, timeout=120)
        console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
        assert console == [], f"{name}: console messages: {console}"
        assert run.returncode == 0, run.stderr[-2000:]
        assert shot.stat().st_size > 10_000
