"""The study store under stress: a killed `study code`, concurrent writers, and an older schema migrated."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qualkit.store import SCHEMA_VERSION, init_study, open_study
from tests.test_store_support import CODEBOOK_V2, FIXTURE, SETTINGS, copy_study, dump, find

ROOT = Path(__file__).resolve().parent.parent
V1_STUDY = FIXTURE / "study_v1"

# Runs `study code` in a child process with one step of the run replaced by itself followed by SIGKILL (or,
# with "pause", by itself followed by a signal file and a pause), so a test can act at that exact moment.
CHILD = """
import json, os, signal, sys, time
from pathlib import Path
from qualkit.store import coding_runs, open_study
folder, step, action, codebook = sys.argv[1:5]
original = getattr(coding_runs, step)
def replaced(*args, **kwargs):
    result = original(*args, **kwargs)
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    Path(folder, "reached").write_text(step)
    time.sleep(float(action))
    return result
setattr(coding_runs, step, replaced)
with open_study(folder) as study:
    print(json.dumps(study.code(codebook)))
"""


def _child(folder: Path, step: str, action: str, codebook: Path = CODEBOOK_V2) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CHILD, str(folder), step, action, str(codebook)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reliability") / "study"
    with init_study(folder, SETTINGS) as study:
        for segment in study.segments()[:3]:
            study.decide(segment["segment_id"], "accept", coder="RH", memo="checked")
        study.add_memo("study", "", "before the run", coder="RH")
    return folder


@pytest.fixture()
def folder(template: Path, tmp_path: Path) -> Path:
    return copy_study(template, tmp_path / "study")


@pytest.mark.parametrize("step", ["code_transcripts", "store_codebook", "insert_segments", "insert_set_aside",
                                  "run_counts"])
def test_killed_study_code_leaves_the_study_as_it_was(folder: Path, step: str):
    before = dump(folder)
    child = _child(folder, step, "kill")
    child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL
    assert dump(folder) == before
    with open_study(folder) as study:  # and the study works on
        assert study.code(CODEBOOK_V2)["kept"] == 2
    db = sqlite3.connect(str(folder / "study.sqlite"))
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()


def test_decision_during_study_code_is_kept(folder: Path):
    child = _child(folder, "insert_segments", "1.5")  # holds the write lock for 1.5 s
    while not (folder / "reached").exists():
        assert child.poll() is None, child.communicate()
        time.sleep(0.02)
    with open_study(folder) as study:
        segment = find(study.segments(), "P02", "targets", "The targets they set me were fine.")
        decided = study.decide(segment["segment_id"], "reject", coder="JB")  # waits for the run's commit
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        assert decided["status"] == "rejected"
        assert [r["decision"] for r in study.history(segment["segment_id"])] == ["reject"]
        assert len(study.runs()) == 2 and json.loads(out)["run_id"] == 2


def test_decision_while_the_run_codes_counts_in_the_run(folder: Path):
    child = _child(folder, "code_transcripts", "1.0")  # coding done, nothing written yet
    while not (folder / "reached").exists():
        assert child.poll() is None, child.communicate()
        time.sleep(0.02)
    with open_study(folder) as study:
        gone = find(study.segments(), "P02", "paperwork", "The benefits forms were a nightmare.")
        study.decide(gone["segment_id"], "accept", coder="JB")
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        assert json.loads(out)["orphaned"] == 2  # the one decided before the run and this one
        assert study.segment(gone["segment_id"])["status"] == "orphaned"


DECIDER = """
import sys
from qualkit.store import open_study
folder, coder, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
import time
while time.time() < start:
    time.sleep(0.001)
with open_study(folder) as study:
    ids = [s["segment_id"] for s in study.segments()]
    for n in range(40):
        study.decide(ids[n % len(ids)], "accept" if n % 2 else "reject", coder=coder, memo=f"{coder} {n}")
"""


def test_two_processes_deciding_at_once_lose_nothing(folder: Path):
    start = time.time() + 2
    children = [subprocess.Popen([sys.executable, "-c", DECIDER, str(folder), coder, str(start)], cwd=ROOT,
                                 stderr=subprocess.PIPE, text=True) for coder in ("AB", "CD")]
    for child in children:
        assert child.wait(timeout=120) == 0, child.stderr.read() if child.stderr else ""
    with open_study(folder) as study:
        rows = [r for s in study.segments() for r in study.history(s["segment_id"]) if r["coder"] in ("AB", "CD")]
    assert sorted(r["memo"] for r in rows) == sorted(f"{c} {n}" for c in ("AB", "CD") for n in range(40))


def test_threads_sharing_one_study_lose_nothing(folder: Path):
    with open_study(folder) as study:
        ids = [s["segment_id"] for s in study.segments()]
        errors: list[BaseException] = []

        def decide(coder: str) -> None:
            try:
                for n in range(25):
                    study.decide(ids[n % len(ids)], "accept", coder=coder, memo=f"{coder} {n}")
                    study.segments()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=decide, args=(f"T{n}",)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        memos = [r["memo"] for sid in ids for r in study.history(sid) if r["coder"].startswith("T")]
    assert sorted(memos) == sorted(f"T{t} {n}" for t in range(4) for n in range(25))


def test_older_schema_is_migrated_and_keeps_its_decisions(tmp_path: Path):
    folder = tmp_path / "old"
    shutil.copytree(V1_STUDY, folder)
    db = sqlite3.connect(str(folder / "study.sqlite"))
    assert db.execute("PRAGMA user_version").fetchone() == (1,)
    db.close()
    with open_study(folder) as study:
        segments = study.segments()
        assert [(s["transcript_id"], s["code_id"], s["status"], s["decided_by"]) for s in segments if s["decided_by"]] == [
            ("P01", "isolation", "accepted", "RH"), ("P01", "paperwork", "rejected", "RH")]
        assert study.set_aside() == [] and study.memos() == []
        study.add_memo("study", "", "migrated", coder="RH")
        result = study.code()
        assert (result["kept"], result["orphaned"]) == (2, 0)
        assert len(study.set_aside()) == 1
    db = sqlite3.connect(str(folder / "study.sqlite"))
    assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    db.close()


def test_a_study_held_too_long_by_another_writer_gives_one_line(folder: Path, monkeypatch: pytest.MonkeyPatch):
    from qualkit.errors import StoreError
    from qualkit.store import schema

    monkeypatch.setattr(schema, "BUSY_TIMEOUT_SECONDS", 0.2)
    other = sqlite3.connect(str(folder / "study.sqlite"), isolation_level=None)
    with open_study(folder) as study:
        sid = study.segments()[0]["segment_id"]
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError, match=r"study.sqlite: cannot write to the study \(database is locked\); try again"):
            study.decide(sid, "accept", coder="RH")
        other.execute("ROLLBACK")
        assert study.decide(sid, "accept", coder="RH")["status"] == "accepted"
    other.close()


INIT_CHILD = """
import os, signal, sys
from qualkit.store import coding_runs, init_study
sys.path.insert(0, os.getcwd())
from tests.test_store_support import SETTINGS
original = coding_runs.write_run
def replaced(*args, **kwargs):
    original(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
coding_runs.write_run = replaced
init_study(sys.argv[1], SETTINGS, force=True)
"""


def test_killed_init_force_keeps_the_old_study_and_leaves_nothing_for_long(folder: Path):
    before = dump(folder)
    child = subprocess.run([sys.executable, "-c", INIT_CHILD, str(folder)], cwd=ROOT, capture_output=True, timeout=120)
    assert child.returncode == -signal.SIGKILL
    assert dump(folder) == before
    assert list(folder.glob(".study-*"))  # the half-made database a SIGKILL leaves ...
    init_study(folder, SETTINGS, force=True).close()
    assert sorted(p.name for p in folder.iterdir()) == ["study.sqlite"]  # ... goes with the next init


def test_a_thread_per_request_does_not_pile_up_connections(folder: Path):
    with open_study(folder) as study:
        sid = study.segments()[0]["segment_id"]
        for n in range(30):
            thread = threading.Thread(target=study.decide, args=(sid, "accept"), kwargs={"coder": f"T{n}"})
            thread.start()
            thread.join()
        assert len(study._connections) <= 2  # noqa: SLF001 - the handle's own bookkeeping is what is tested
        assert sorted(r["coder"] for r in study.history(sid) if r["coder"].startswith("T")) == sorted(
            f"T{n}" for n in range(30))
