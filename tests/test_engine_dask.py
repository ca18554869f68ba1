"""The distributed engine on a real 2-worker Dask cluster (processes, bound to 127.0.0.1): output equal to
``--jobs 1`` byte for byte, also when a worker is killed mid-run, after a killed run is resumed, and when a
finished folder is run into again."""

from __future__ import annotations

import json
import logging
import os
import signal
import warnings
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from qualkit.coding import code_corpus_files  # noqa: E402
from qualkit.engine import MANIFEST_FILE, code_distributed  # noqa: E402
from qualkit.errors import EngineError, QualkitError  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SURVEY = ROOT / "tests" / "fixtures" / "survey"
CODEBOOK = SURVEY / "sample_codebook.yaml"
SAMPLE = sorted((ROOT / "transcripts_sample").glob("*.txt"))
OUTPUTS = ("coded_segments.csv", "negated_hits.csv", "vetoed_hits.csv")
PART_BYTES = 12_000  # the corpus below in about 40 parts, so that parts are still running when one finishes


def quietly(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=logging.ERROR) as running:
        with distributed.Client(running) as client:
            client.wait_for_workers(2, timeout=120)
        yield running


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[str]:
    """The sample's 16 transcripts four times over under new names (64 files, about 80,000 words)."""
    folder = tmp_path_factory.mktemp("corpus")
    for copy in range(4):
        for path in SAMPLE:
            (folder / f"{path.stem}-{copy}.txt").write_bytes(path.read_bytes())
    return sorted(str(p) for p in folder.iterdir())


@pytest.fixture(scope="module")
def one_process(tmp_path_factory, corpus: list[str]) -> Path:
    out = tmp_path_factory.mktemp("jobs1")
    quietly(code_corpus_files, corpus, CODEBOOK, out)
    return out


def same_outputs(a: Path, b: Path) -> bool:
    return all((a / name).read_bytes() == (b / name).read_bytes() for name in OUTPUTS)


def run(out: Path, cluster, corpus: list[str], **options):
    return quietly(code_distributed, corpus, CODEBOOK, out, engine="dask", scheduler=cluster.scheduler_address,
                   part_bytes=PART_BYTES, **options)


def test_the_cluster_gives_the_output_of_one_process(tmp_path: Path, cluster, corpus: list[str], one_process: Path):
    summary = run(tmp_path, cluster, corpus)
    assert summary.workers == 2 and summary.parts >= 30
    assert same_outputs(tmp_path, one_process)


def test_a_worker_killed_mid_run_changes_nothing(tmp_path: Path, cluster, corpus: list[str], one_process: Path):
    killed: list[str] = []

    def kill_a_busy_worker(results, total):
        for result in results:
            if not killed:  # the scheduler runs in this process: ask it which worker is running a part
                busy = [state.address for state in list(cluster.scheduler.workers.values()) if state.processing]
                nanny = next((n for n in cluster.workers.values() if busy and n.worker_address == busy[0]), None)
                if nanny is not None:
                    killed.append(busy[0])
                    os.kill(nanny.process.pid, signal.SIGKILL)  # the worker process dies mid-part
            yield result

    summary = run(tmp_path, cluster, corpus, progress=kill_a_busy_worker)
    assert killed, "no worker was busy to kill"
    with distributed.Client(cluster.scheduler_address) as client:
        client.wait_for_workers(2, timeout=120)
        assert killed[0] not in client.scheduler_info()["workers"]  # it died (its nanny started a new one)
    assert len(summary.coded_now) == summary.parts
    assert same_outputs(tmp_path, one_process)
    lines = (tmp_path / "coded_segments.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len((one_process / "coded_segments.csv").read_text(encoding="utf-8").splitlines())


class Interrupted(Exception):
    """Stands for the client being killed."""


def test_a_killed_run_resumed_codes_only_the_missing_parts(tmp_path: Path, cluster, corpus: list[str], one_process: Path):
    def stop_after_four(results, total):
        for number, result in enumerate(results, start=1):
            yield result
            if number == 4:
                raise Interrupted

    with pytest.raises(Interrupted):
        run(tmp_path, cluster, corpus, progress=stop_after_four)
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text())
    assert len(manifest["done"]) == 4
    summary = run(tmp_path, cluster, corpus, resume=True)
    assert summary.already_done == 4
    assert sorted(summary.coded_now) == sorted(set(manifest["names"]) - set(manifest["done"]))
    assert same_outputs(tmp_path, one_process)


def test_a_rerun_into_a_finished_folder_verifies_without_rewriting(tmp_path: Path, cluster, corpus: list[str]):
    run(tmp_path, cluster, corpus)
    stamps = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    again = run(tmp_path, cluster, corpus)
    assert again.verified and again.coded_now == []
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == stamps


def test_a_scheduler_that_is_not_there_is_one_error(tmp_path: Path):
    with pytest.raises(EngineError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"):
        quietly(code_distributed, [str(SAMPLE[0])], CODEBOOK, tmp_path, engine="dask", scheduler="tcp://127.0.0.1:9")


def test_a_problem_with_the_inputs_is_told_before_an_unreachable_scheduler(tmp_path: Path):
    # the plan is made while the cluster is reached: when both fail, the inputs' problem is what to fix first
    with pytest.raises(QualkitError, match=r"no column 'opinion'"):
        quietly(code_distributed, [str(SURVEY / "responses.csv")], CODEBOOK, tmp_path, engine="dask",
                scheduler="tcp://127.0.0.1:9", text_column="opinion")
    assert not (tmp_path / MANIFEST_FILE).exists()


def test_a_lost_scheduler_is_one_error_and_the_manifest_shows_what_is_done(tmp_path: Path, corpus: list[str]):
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    scheduler = subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                               "--no-dashboard", "--host", "127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        with distributed.Client(address, timeout="60s") as client:
            client.wait_for_workers(1, timeout=max(1, deadline - time.monotonic()))

        def kill_the_scheduler(results, total):
            for number, result in enumerate(results, start=1):
                yield result
                if number == 2:
                    scheduler.kill()

        with pytest.raises(EngineError) as error:
            quietly(code_distributed, corpus, CODEBOOK, tmp_path, engine="dask", scheduler=address,
                    part_bytes=PART_BYTES, progress=kill_the_scheduler)
        message = str(error.value)
        assert message.startswith(f"lost the Dask scheduler at {address} (") and "\n" not in message
        done = len(json.loads((tmp_path / MANIFEST_FILE).read_text())["done"])
        assert done >= 2 and f"{done} of " in message and "run again with --resume" in message
    finally:
        for process in (worker, scheduler):
            process.kill()
            process.wait()


def test_a_client_process_killed_mid_run_then_resumed_gives_the_same_output(tmp_path: Path, cluster, corpus: list[str],
                                                                           one_process: Path):
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    # The client takes each finished part 50 ms apart, so the run lasts seconds however fast the machine, and
    # the manifest (saved at most once a second) records parts done before the kill.
    script = (
        "import time, warnings; warnings.simplefilter('ignore')\n"
        "from qualkit.engine import code_distributed\n"
        "def slowly(results, total):\n"
        "    for result in results:\n"
        "        yield result\n"
        "        time.sleep(0.05)\n"
        f"code_distributed({corpus!r}, {str(CODEBOOK)!r}, {str(out)!r}, engine='dask', "
        f"scheduler={cluster.scheduler_address!r}, part_bytes=6000, progress=slowly)\n"
    )
    client = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and client.poll() is None:
            manifest = out / MANIFEST_FILE
            if manifest.exists() and len(json.loads(manifest.read_text())["done"]) >= 3:
                client.kill()  # SIGKILL: no clean-up of any kind
                break
            time.sleep(0.02)
    finally:
        client.kill()
        client.wait()
    assert not (out / "_SUCCESS").exists(), "the run finished before it could be killed"
    recorded = set(json.loads((out / MANIFEST_FILE).read_text())["done"])
    summary = quietly(code_distributed, corpus, CODEBOOK, out, engine="dask", scheduler=cluster.scheduler_address,
                      part_bytes=6000, resume=True)
    assert summary.already_done == len(recorded) >= 3
    assert set(summary.coded_now) == {f"part-{n:05d}" for n in range(summary.parts)} - recorded
    assert same_outputs(out, one_process)


def test_the_workers_find_the_interviewer_named_in_every_file_before_coding(tmp_path: Path, cluster):
    """Each file is its own part: the workers first read who speaks in each, the client finds Sarah in
    every interview, and no part codes her speech (as one process does)."""
    folder = ROOT / "tests" / "fixtures" / "coding" / "recurring"
    codebook = ROOT / "tests" / "fixtures" / "coding" / "codebook.yaml"
    quietly(code_corpus_files, [folder], codebook, tmp_path / "jobs1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = code_distributed([folder], codebook, tmp_path / "dask", engine="dask",
                                   scheduler=cluster.scheduler_address, part_bytes=1)
    assert summary.parts == 4 and summary.speakers_seconds > 0
    assert same_outputs(tmp_path / "dask", tmp_path / "jobs1")
    assert "Sarah" not in (tmp_path / "dask" / "coded_segments.csv").read_text(encoding="utf-8")
    assert sum("'Sarah' speaks in 4 of 4 transcripts" in str(w.message) for w in caught) == 4
