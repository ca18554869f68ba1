"""Benchmark coding a survey table beyond one process: one process, ``--jobs 2`` and ``--engine dask --workers 2``.

The table is generated: free-text responses of 8-20 words (14 on average, like the NHS Friends and Family
Test) cut from the participants' sentences of the bundled sample study, with id, site, date and question
columns, written as CSV until it holds the wanted number of words. The codebook is codebooks/sample.yaml.
Each figure is measured in a fresh process (so peak memory is that run's own). Usage::

    python benchmarks/bench_scale.py [--words 1000000 5000000] [--workers 2]

It prints words/s for each way of running, the 5M/1M time ratio of one process, the Dask cluster's
start-up, per-part time and peak memory per worker, the per-part overhead (the same table coded in
parts of 2,000 and of 50,000 rows in one process, on CPU time), and the cost model's prediction for 10^9
words on 10, 50 and 100 workers: the longer of words / planning rate (the one client reads the table once
for row boundaries and duplicate ids) and start-up (the cluster starts while the client plans), + words /
(workers x words/s of one core) + parts x overhead / workers + output bytes / assembly rate (the one
client copies the parts into the outputs). The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CODEBOOK = ROOT / "codebooks" / "sample.yaml"
SITES = ["Northfield", "Eastbrook", "Westgate", "Southmoor", "Riverside"]
QUESTIONS = ["What was good about your visit?", "What could we do better?", "Anything else?"]


def sentences() -> list[str]:
    """Participant sentences of the sample study, as pools of words."""
    from qualkit.readers import read_transcripts

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        transcripts = read_transcripts(sorted((ROOT / "transcripts_sample").glob("*.txt")))
    found = []
    for transcript in transcripts:
        for turn in transcript.participant_turns():
            found += [s.split() for s in re.split(r"(?<=[.!?])\s+", transcript.turn_text(turn)) if len(s.split()) >= 4]
    return [" ".join(words) for words in found]


def make_table(path: Path, words: int) -> int:
    """Write a survey CSV of about ``words`` words; return its rows."""
    pool = [s.split() for s in sentences()]
    rng = random.Random(0)
    total = rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["response_id", "site", "date", "question", "comment"])
        while total < words:
            length = rng.randint(8, 20)
            text: list[str] = []
            while len(text) < length:
                text += rng.choice(pool)
            text = text[:length]
            rows += 1
            total += length
            writer.writerow([f"FFT{rows:09d}", rng.choice(SITES), f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                             rng.choice(QUESTIONS), " ".join(text)])
    return rows


def measure(kind: str, table: Path, workers: int, part_rows: int) -> dict[str, float]:
    """Code the table one way in this process; return seconds, words, peak memory (MiB), output size and
    engine figures."""
    from qualkit.coding import code_corpus_files
    from qualkit.engine import code_distributed

    out = Path(tempfile.mkdtemp(prefix="qualkit-bench-"))
    options = {"text_column": "comment", "id_column": "response_id"}
    began, cpu = time.perf_counter(), time.process_time()
    figures: dict[str, float] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "one":
            summary = code_corpus_files([table], CODEBOOK, out / "o", **options)
        elif kind == "jobs":
            summary = code_corpus_files([table], CODEBOOK, out / "o", jobs=workers, **options)
        elif kind == "parts":
            summary = code_distributed([table], CODEBOOK, out / "o", engine="local", part_rows=part_rows, **options)
            figures["parts"] = summary.parts
        else:
            summary = code_distributed([table], CODEBOOK, out / "o", engine="dask", workers=workers,
                                       part_rows=part_rows, **options)
            figures.update(parts=summary.parts, plan_seconds=summary.plan_seconds, startup_seconds=summary.startup_seconds,
                           coding_seconds=summary.coding_seconds, shutdown_seconds=summary.shutdown_seconds,
                           part_seconds_mean=sum(summary.part_seconds) / len(summary.part_seconds),
                           worker_peak_mib=max(summary.worker_peak_mib.values()),
                           worker_peaks=len(summary.worker_peak_mib))
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    figures["output_bytes"] = sum(p.stat().st_size for p in (out / "o").rglob("*.csv"))
    if hasattr(summary, "assembly_seconds"):
        figures["assembly_seconds"] = summary.assembly_seconds
    shutil.rmtree(out, ignore_errors=True)
    return {"seconds": seconds, "cpu_seconds": cpu, "words": summary.words, "segments": summary.segments,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, **figures}


def run(kind: str, table: Path, workers: int, part_rows: int) -> dict[str, float]:
    """Measure in a fresh process."""
    command = [sys.executable, __file__, "--measure", kind, str(table), str(workers), str(part_rows)]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", nargs=2, type=int, default=[1_000_000, 5_000_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--measure", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, table, workers, part_rows = args.measure
        print(json.dumps(measure(kind, Path(table), int(workers), int(part_rows))))
        return
    folder = Path(tempfile.mkdtemp(prefix="qualkit-scale-"))
    small, large = args.words
    tables = {}
    for words in (small, large):
        tables[words] = folder / f"survey_{words}.csv"
        rows = make_table(tables[words], words)
        print(f"table of {words:,} words: {rows:,} responses, {tables[words].stat().st_size / 2**20:.0f} MiB", flush=True)
    w = args.workers
    plan = [("one_1m", "one", small, 50_000), (f"jobs{w}_1m", "jobs", small, 50_000),
            (f"dask{w}_1m", "dask", small, 2_000), ("parts_small_1m", "parts", small, 2_000),
            ("parts_large_1m", "parts", small, 50_000), ("one_5m", "one", large, 50_000),
            (f"dask{w}_5m", "dask", large, 10_000)]  # 36 parts each: with 8, one worker ends a part behind
    figures: dict[str, dict[str, float]] = {}
    for label, kind, words, part_rows in plan:
        figures[label] = result = run(kind, tables[words], w, part_rows)
        extra = ""
        if kind == "dask":
            extra = (f"; {result['parts']:.0f} parts of {result['part_seconds_mean']:.2f} s, start-up "
                     f"{result['startup_seconds']:.1f} s, planning {result['plan_seconds']:.1f} s, coding {result['coding_seconds']:.1f} s "
                     f"({result['words'] / result['coding_seconds']:,.0f} words/s), shut-down "
                     f"{result['shutdown_seconds']:.1f} s, peak per worker {result['worker_peak_mib']:.0f} MiB")
        elif kind == "parts":
            extra = f"; {result['parts']:.0f} parts"
        print(f"{label:>15}: {result['words']:>10,.0f} words in {result['seconds']:7.2f} s = "
              f"{result['words'] / result['seconds']:>8,.0f} words/s, peak {result['peak_mib']:.0f} MiB{extra} "
              f"(CPU {result['cpu_seconds']:.1f} s in the parent; load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} cores)", flush=True)
    shutil.rmtree(folder, ignore_errors=True)
    rate = {k: v["words"] / v["seconds"] for k, v in figures.items()}
    small_parts, large_parts = figures["parts_small_1m"], figures["parts_large_1m"]
    # on CPU time (the in-process engine does all its work in the measured process): robust to other load
    overhead = (small_parts["cpu_seconds"] - large_parts["cpu_seconds"]) / max(1, small_parts["parts"] - large_parts["parts"])
    dask = figures[f"dask{w}_5m"]
    contended = dask["words"] / (dask["part_seconds_mean"] * dask["parts"])  # words/s of a worker here
    per_worker = figures["one_5m"]["words"] / figures["one_5m"]["cpu_seconds"]  # words/s of one core's time
    bytes_per_word = figures["one_5m"]["output_bytes"] / figures["one_5m"]["words"]
    assembly_rate = dask["output_bytes"] / max(dask["assembly_seconds"], 1e-3)  # bytes/s copied into the outputs
    plan_rate = dask["words"] / max(dask["plan_seconds"], 1e-3)  # words/s the client reads while planning
    summary = {
        "cores": os.cpu_count(),
        "load_average": round(os.getloadavg()[1], 1),
        "one_process_cpu_words_per_s_1m": round(figures["one_1m"]["words"] / figures["one_1m"]["cpu_seconds"]),
        "one_process_cpu_words_per_s_5m": round(figures["one_5m"]["words"] / figures["one_5m"]["cpu_seconds"]),
        "cpu_time_ratio_5m_1m": round(figures["one_5m"]["cpu_seconds"] / figures["one_1m"]["cpu_seconds"], 3),
        "one_process_words_per_s_1m": round(rate["one_1m"]),
        f"jobs{w}_words_per_s_1m": round(rate[f"jobs{w}_1m"]),
        f"dask{w}_words_per_s_1m": round(rate[f"dask{w}_1m"]),
        "one_process_words_per_s_5m": round(rate["one_5m"]),
        f"dask{w}_words_per_s_5m": round(rate[f"dask{w}_5m"]),
        f"dask{w}_speedup_5m": round(rate[f"dask{w}_5m"] / rate["one_5m"], 3),
        f"dask{w}_coding_words_per_s_5m": round(dask["words"] / dask["coding_seconds"]),
        f"dask{w}_coding_speedup_5m": round(dask["words"] / dask["coding_seconds"] / rate["one_5m"], 3),
        f"jobs{w}_speedup_1m": round(rate[f"jobs{w}_1m"] / rate["one_1m"], 3),
        "time_ratio_5m_1m": round(figures["one_5m"]["seconds"] / figures["one_1m"]["seconds"], 3),
        "words_ratio_5m_1m": round(figures["one_5m"]["words"] / figures["one_1m"]["words"], 3),
        "peak_mib_one_1m": round(figures["one_1m"]["peak_mib"]),
        "peak_mib_one_5m": round(figures["one_5m"]["peak_mib"]),
        "worker_peak_mib_5m": round(dask["worker_peak_mib"]),
        "worker_startup_s": round(dask["startup_seconds"], 2),
        "per_worker_words_per_s": round(per_worker),
        "per_worker_words_per_s_here": round(contended),
        "output_bytes_per_word": round(bytes_per_word, 2),
        "assembly_mib_per_s": round(assembly_rate / 2**20),
        "planning_words_per_s": round(plan_rate),
        "per_part_overhead_s": round(overhead, 4),
    }
    words = 1e9
    for n in (10, 50, 100):
        parts = words / 700_000  # the default part of 50,000 responses of 14 words
        seconds = (max(words / plan_rate, summary["worker_startup_s"]) + words / (n * per_worker)
                   + parts * max(overhead, 0) / n + words * bytes_per_word / assembly_rate)
        summary[f"predicted_minutes_1e9_words_{n}_workers"] = round(seconds / 60, 1)
    print(f"Dask with {w} workers: {summary[f'dask{w}_speedup_5m']:.2f}x one process at 5M words end to end, "
          f"{summary[f'dask{w}_coding_speedup_5m']:.2f}x while coding (this machine has {summary['cores']} cores, "
          f"load average {summary['load_average']} from other work); --jobs {w}: {summary[f'jobs{w}_speedup_1m']:.2f}x "
          f"at 1M. One process on CPU time: {summary['one_process_cpu_words_per_s_5m']:,} words/s, 5M/1M "
          f"{summary['cpu_time_ratio_5m_1m']:.2f}. "
          f"One process 5M/1M time {summary['time_ratio_5m_1m']:.2f}, peak memory {summary['peak_mib_one_1m']} -> "
          f"{summary['peak_mib_one_5m']} MiB. Per worker {summary['per_worker_words_per_s']:,} words/s of a core "
          f"({summary['per_worker_words_per_s_here']:,} here, sharing 2 cores), output {summary['output_bytes_per_word']} "
          f"bytes a word assembled at {summary['assembly_mib_per_s']:,} MiB/s, planning "
          f"{summary['planning_words_per_s']:,} words/s in the client, start-up "
          f"{summary['worker_startup_s']:.1f} s, per-part overhead {summary['per_part_overhead_s']:.3f} s. 10^9 words: "
          + ", ".join(f"{summary[f'predicted_minutes_1e9_words_{n}_workers']:.0f} min on {n} workers" for n in (10, 50, 100)))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
