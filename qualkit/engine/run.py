"""Running a plan: on a Dask cluster (a local one of ``workers`` processes, or an existing scheduler), or
in this process, recording each part in the manifest as it arrives and assembling at the end.

Dask is imported here only, and only when the Dask engine runs. The cluster starts, and each worker
builds its pipeline, while this process reads the inputs to make the plan. A task that fails because a
worker died is run again by Dask on another worker; it writes the same part under the same name, so no
row is written twice. A part that fails on bad input stops the run with the input and row named; a lost
scheduler is one error saying how many parts the manifest holds.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from qualkit.codebook import load_codebook
from qualkit.coding import CorpusSummary, check_writable, left_out
from qualkit.engine.manifest import SUCCESS_FILE, Manifest, assemble, open_folder, output_paths
from qualkit.engine.parts import code_part, part_speakers, warm_up
from qualkit.engine.plan import FORMATS, PART_BYTES, PART_ROWS, Job, Part, Plan, make_plan, tell_interviewers
from qualkit.errors import EngineError, QualkitError
from qualkit.readers import Speakers, SurveyReport
from qualkit.transcript import DEFAULT_INTERVIEWER_LABELS

ENGINES = ("local", "dask")
Progress = Callable[[Iterable[dict[str, Any]], int], Iterable[dict[str, Any]]]


@dataclass
class EngineSummary(CorpusSummary):
    """What a run of the engine did: ``CorpusSummary``'s counts and files, and the parts coded now and
    before, and timings."""

    parts: int = 0
    coded_now: list[str] = field(default_factory=list)
    already_done: int = 0
    verified: bool = False
    """True when the folder held this very run, finished: it was checked, and nothing was written."""
    plan_seconds: float = 0.0
    """Planning: reading the inputs once in this process (a survey table's row boundaries and duplicate ids)."""
    startup_seconds: float = 0.0
    speakers_seconds: float = 0.0
    """Transcript files: the workers reading every file once for who speaks in each, before any is coded."""
    coding_seconds: float = 0.0
    """From handing out the parts to the last one done (the cluster's start-up and shut-down apart)."""
    shutdown_seconds: float = 0.0
    assembly_seconds: float = 0.0
    part_seconds: list[float] = field(default_factory=list)
    workers: int = 0
    worker_peak_mib: dict[int, float] = field(default_factory=dict)
    """Peak resident memory of each worker process (by process id) that coded a part now."""


def code_distributed(
    paths: Sequence[str | Path], codebook: str | Path, out: str | Path, *, engine: str = "dask",
    scheduler: str | None = None, workers: int | None = None, resume: bool = False, fmt: str = "csv",
    unit: str = "sentence", model: str | None = None,
    interviewer_labels: tuple[str, ...] = DEFAULT_INTERVIEWER_LABELS, text_column: str | None = None,
    id_column: str | None = None, part_bytes: int = PART_BYTES, part_rows: int = PART_ROWS,
    progress: Progress | None = None,
) -> EngineSummary:
    """Code a corpus part by part, exactly once, into ``out``; the library side of ``qualkit code --engine``.

    The outputs equal ``qualkit code --jobs 1``'s byte for byte (CSV), or are Parquet datasets
    (``fmt="parquet"``). ``progress``, if given, wraps the stream of finished parts (with their number).
    """
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if fmt not in FORMATS:
        raise EngineError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")
    load_codebook(codebook)  # a bad codebook is reported here, before any worker starts
    job = Job(Path(codebook).read_text(encoding="utf-8"), str(codebook), unit, model, tuple(interviewer_labels),
              text_column, id_column, fmt)
    folder = Path(out)
    check_writable(folder)
    connection: _Connection | None = None
    if engine == "dask":  # the cluster starts, and its workers build their pipelines, while the plan is made
        with ThreadPoolExecutor(1, thread_name_prefix="qualkit-plan") as pool:
            planning = pool.submit(_timed_plan, paths, job, part_bytes, part_rows)
            try:
                connection = _connect(scheduler, workers, job)
            except EngineError:
                planning.result()  # a problem with the inputs is told first
                raise
            try:
                plan, planned = planning.result()
            except BaseException:
                connection.close()
                raise
    else:
        plan, planned = _timed_plan(paths, job, part_bytes, part_rows)
    try:
        return _run(plan, job, folder, fmt, resume, planned, connection, progress)
    finally:
        if connection is not None:
            connection.close()


def _timed_plan(paths: Sequence[str | Path], job: Job, part_bytes: int, part_rows: int) -> tuple[Plan, float]:
    began = time.perf_counter()
    plan = make_plan(paths, job, part_bytes=part_bytes, part_rows=part_rows)
    if not plan.parts:
        raise EngineError(f"nothing to code in {', '.join(map(str, paths))}")
    return plan, round(time.perf_counter() - began, 3)


def _run(plan: Plan, job: Job, folder: Path, fmt: str, resume: bool, planned: float,
         connection: _Connection | None, progress: Progress | None) -> EngineSummary:
    """Code the parts of the plan not done yet (on the cluster when connected, else here), then assemble."""
    folder.mkdir(parents=True, exist_ok=True)
    state = open_folder(folder, plan, fmt, resume)
    if not isinstance(state, Manifest):
        return _finished_summary(folder, state)
    summary = EngineSummary(parts=len(plan.parts), already_done=len(state.done), plan_seconds=planned)
    state.save()
    todo = [part for part in plan.parts if part.name not in state.done]
    if connection is not None:
        summary.startup_seconds, summary.workers = connection.startup_seconds, connection.workers
    if todo and todo[0].survey is None:  # transcript files: the study's own interviewers, found across all files
        began = time.perf_counter()
        plan = tell_interviewers(plan, _speakers(plan.parts, job, folder, connection))
        todo = [part for part in plan.parts if part.name not in state.done]
        summary.speakers_seconds = round(time.perf_counter() - began, 3)
    if todo:
        stream = _local(todo, job, folder) if connection is None else _dask(todo, job, folder, plan, connection,
                                                                              summary)
        try:
            for result in (progress(stream, len(todo)) if progress else stream):
                state.record(result)
                summary.coded_now.append(result["name"])
                summary.part_seconds.append(result["seconds"])
                peak = summary.worker_peak_mib
                peak[result["worker"]] = max(peak.get(result["worker"], 0.0), result.get("peak_mib", 0.0))
                for message in result["warnings"]:
                    warnings.warn(message, stacklevel=3)
        finally:
            state.save()  # every part done is on record, however the run ends
            stream.close()  # a stopped run cancels its tasks while the client is still up
            if connection is not None:
                summary.shutdown_seconds = connection.close()
    began = time.perf_counter()
    assemble(state, _totals(plan, state, summary))
    summary.assembly_seconds = round(time.perf_counter() - began, 3)
    summary.written = [*output_paths(folder, fmt).values(), folder / SUCCESS_FILE]
    return summary


def assemble_results(out: str | Path, plan: Plan, results: Iterable[dict[str, Any]], fmt: str = "csv") -> EngineSummary:
    """Record parts coded elsewhere (``code_part`` called from Spark's ``mapPartitions`` or a batch job
    array, writing into ``out``) and assemble the outputs in plan order, as ``code_distributed`` does.

    Parts recorded by an earlier call are kept; a part neither recorded nor given is an EngineError
    naming it (run it and call again).
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    state = open_folder(folder, plan, fmt, resume=True)
    if not isinstance(state, Manifest):
        return _finished_summary(folder, state)
    summary = EngineSummary(parts=len(plan.parts), already_done=len(state.done))
    for result in results:
        state.record(result)
        summary.coded_now.append(result["name"])
    state.save()
    missing = [part.name for part in plan.parts if part.name not in state.done]
    if missing:
        raise EngineError(f"{folder}: {len(missing)} of {len(plan.parts)} parts are not done yet "
                          f"({', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}); code them and assemble again")
    assemble(state, _totals(plan, state, summary))
    summary.written = [*output_paths(folder, fmt).values(), folder / SUCCESS_FILE]
    return summary


def _totals(plan: Plan, manifest: Manifest, summary: EngineSummary) -> dict[str, Any]:
    """Add up the parts' counts into the summary; warn of survey rows left out, per table."""
    reports: dict[str, SurveyReport] = {}  # each part counts its own rows, duplicates (found by the plan) too
    for part in plan.parts:
        result = manifest.done[part.name]
        for key in ("transcripts", "words", "segments", "negated", "vetoed"):
            setattr(summary, key, getattr(summary, key) + result[key])
        left = result["left_out"]
        if left["path"]:
            reports.setdefault(left["path"], SurveyReport(left["path"])).merge(
                SurveyReport(left["path"], 0, dict(left["counts"]), {k: list(v) for k, v in left["rows"].items()}))
    left_out(reports.values(), summary)
    return {key: getattr(summary, key) for key in ("transcripts", "words", "segments", "negated", "vetoed", "parts")} | {
        "left_out": summary.left_out}


def _finished_summary(folder: Path, record: dict[str, Any]) -> EngineSummary:
    counts = record.get("summary", {})
    summary = EngineSummary(verified=True, **{k: counts.get(k, 0) for k in
                                              ("transcripts", "words", "segments", "negated", "vetoed", "parts")})
    summary.already_done = summary.parts
    summary.written = []
    return summary


def _speakers(parts: list[Part], job: Job, out: Path, connection: _Connection | None) -> list[list[Speakers]]:
    """Return who speaks in each part's transcripts, read by the cluster's workers (or here), in plan order."""
    if connection is None:
        return [part_speakers(part, job) for part in parts]
    try:
        return connection.client.gather(connection.client.map(part_speakers, parts, job=job, pure=False))
    except (QualkitError, KeyboardInterrupt):
        raise
    except Exception as exc:  # the scheduler or its connection went away
        reason = " ".join(str(exc).split())
        raise EngineError(f"lost the Dask scheduler at {connection.where} ({type(exc).__name__}: {reason}) while "
                          f"reading who speaks in each file; no part was coded; run again with --resume") from None


def _local(parts: list[Part], job: Job, out: Path) -> Iterator[dict[str, Any]]:
    for part in parts:
        try:
            result = code_part(part, job, str(out))
        except QualkitError as exc:
            raise type(exc)(f"{part.name} ({part.describe()}): {exc}") from None
        yield result


@dataclass
class _Connection:
    """A Dask client (and the local cluster it started), with a warm-up task holding each worker."""

    client: Any
    cluster: Any
    where: str
    startup_seconds: float
    workers: int
    warm: list[Any] = field(default_factory=list)
    closed: bool = False

    def close(self) -> float:
        """Close the client and the local cluster (once); return the seconds it took."""
        if self.closed:
            return 0.0
        self.closed = True
        began = time.perf_counter()
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        return round(time.perf_counter() - began, 3)


def _connect(scheduler: str | None, workers: int | None, job: Job) -> _Connection:
    """Connect to the scheduler, or start a local cluster of ``workers`` processes; have each worker build
    its pipeline and matchers for the job at once (a task of its own), so its first part does not wait."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineError("--engine dask needs Dask (pip install 'qualkit[dask]')") from None
    began = time.perf_counter()
    client = cluster = None
    where = scheduler or "a local cluster"
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:
            count = workers or os.cpu_count() or 1
            cluster = LocalCluster(n_workers=count, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
            client.wait_for_workers(count, timeout=120)
        addresses = sorted(client.scheduler_info().get("workers", {}))
        warm = [client.submit(warm_up, job, workers=[address], allow_other_workers=False, pure=False)
                for address in addresses]
    except (OSError, TimeoutError, RuntimeError) as exc:  # RuntimeError: a local worker failed to start
        for opened in (client, cluster):
            if opened is not None:
                opened.close()
        raise EngineError(f"cannot reach the Dask scheduler at {where}: {exc}") from None
    return _Connection(client, cluster, where, round(time.perf_counter() - began, 3), len(addresses), warm)


def _dask(parts: list[Part], job: Job, out: Path, plan: Plan, connection: _Connection,
          summary: EngineSummary) -> Iterator[dict[str, Any]]:
    """Yield each part's result as the cluster finishes it (in any order)."""
    from distributed import KilledWorker, as_completed

    client, where = connection.client, connection.where
    done = 0
    try:
        handed_out = time.perf_counter()
        shipped = client.scatter(job, broadcast=True)
        salt = hashlib.sha256(f"{plan.id}{out.resolve()}".encode()).hexdigest()[:16]
        futures = {client.submit(code_part, part, shipped, str(out), key=f"qualkit-{part.name}-{salt}", retries=1):
                   part for part in parts}
        try:
            for future in as_completed(futures):
                part = futures[future]
                try:
                    result = future.result()
                except QualkitError as exc:
                    raise type(exc)(f"{part.name} ({part.describe()}): {exc}") from None
                except KilledWorker:
                    raise EngineError(f"{part.name} ({part.describe()}): the workers running it died repeatedly "
                                      f"(out of memory?); {done} of {len(parts)} parts are recorded in "
                                      f"{out / '_manifest.json'}; run again with --resume") from None
                done += 1
                summary.coding_seconds = round(time.perf_counter() - handed_out, 3)
                yield result
        finally:
            client.cancel(list(futures))
    except (QualkitError, GeneratorExit, KeyboardInterrupt):
        raise
    except Exception as exc:  # the scheduler or its connection went away
        reason = " ".join(str(exc).split())
        raise EngineError(f"lost the Dask scheduler at {where} ({type(exc).__name__}: {reason}); {done} of "
                          f"{len(parts)} parts are recorded in {out / '_manifest.json'}; run again with --resume") from None


def folder_is_finished(out: str | Path) -> bool:
    """Return whether a folder holds a finished run (``_SUCCESS``)."""
    return (Path(out) / SUCCESS_FILE).exists()

