"""Benchmark the study store on a study of ~1M words with ~20,000 automatic segments.

The corpus is the bundled sample study (transcripts_sample/, codebooks/sample.yaml) repeated under new
ids until it holds the wanted number of participant words. Measured, each command in a fresh process
(wall clock, process start included):

- ``qualkit code`` on the corpus (the baseline) and ``qualkit study code`` on the same corpus in a study
  (a second run of the same codebook: every decision kept), and their ratio (target: <= 1.3);
- ``qualkit study status --json`` with two coders' decisions on a quarter of the segments (target < 2 s);
- a decision saved through an open ``Study`` (as the review page does it): median and slowest of 200
  (target < 50 ms), and the first decision in a fresh process.

Usage::

    python benchmarks/bench_store.py [--words 1000000] [--keep DIR]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qualkit.store import open_study  # noqa: E402

SAMPLE = ROOT / "transcripts_sample"
CODEBOOK = ROOT / "codebooks" / "sample.yaml"


def make_corpus(folder: Path, words: int) -> tuple[int, int]:
    """Write copies of the sample transcripts (new ids) and their attributes; return (files, words)."""
    folder.mkdir(parents=True)
    sources = sorted(SAMPLE.glob("*.txt"))
    with open(SAMPLE / "participants.csv", newline="", encoding="utf-8") as handle:
        sheet = {row["id"]: row for row in csv.DictReader(handle)}
    rows, total, copy = [], 0, 0
    while total < words:
        for source in sources:
            text = source.read_text(encoding="utf-8")
            new_id = f"{source.stem}-{copy:03d}"
            (folder / f"{new_id}.txt").write_text(text.replace(f"id: {source.stem}\n", f"id: {new_id}\n", 1),
                                                  encoding="utf-8")
            rows.append({**sheet[source.stem], "id": new_id})
            total += _participant_words(text, source.stem)
            if total >= words:
                break
        copy += 1
    with open(folder / "participants.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows), total


def _participant_words(text: str, speaker: str) -> int:
    words, current = 0, None
    for line in text.split("---", 2)[-1].splitlines():
        label, colon, rest = line.partition(":")
        if colon and label.strip() and " " not in label.strip():
            current, line = label.strip(), rest
        if current == speaker:
            words += len(line.split())
    return words


CPU: dict[str, float] = {}


def timed(command: list[str]) -> tuple[float, str]:
    """Run a qualkit command in a fresh process; return its wall time and output (stops on failure). Its CPU
    time (user + system) goes into ``CPU``: on a shared machine the wall time also counts waiting."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(["qualkit", *command], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[" ".join(command[:2])] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if done.returncode:
        sys.exit(f"qualkit {' '.join(command)} failed: {done.stderr.strip()}")
    return seconds, done.stdout


def decide_some(folder: Path) -> dict[str, float]:
    """Two coders decide a quarter of the segments; return the per-decision times in milliseconds."""
    times = []
    with open_study(folder) as study:
        segments = study.segments()
        chosen = segments[: len(segments) // 4]
        for n, segment in enumerate(chosen):
            kind = "accept" if n % 3 else "reject"
            began = time.perf_counter()
            study.decide(segment["segment_id"], kind, coder="RH", memo="bench" if n % 10 == 0 else None)
            times.append((time.perf_counter() - began) * 1000)
            other = "accept" if n % 5 else "reject"
            study.decide(segment["segment_id"], other, coder="JB")
    return {"decisions": 2 * len(chosen), "median_ms": statistics.median(times), "slowest_ms": max(times),
            "p95_ms": sorted(times)[int(len(times) * 0.95)]}


def read_times(folder: Path) -> dict[str, float]:
    """Time the reads the review page makes, in milliseconds (each once, on an open study)."""
    times = {}
    with open_study(folder) as study:
        code_id = study.codes()[0]["code_id"]
        for name, call in (("segments() of one code", lambda: study.segments(code_id=code_id)),
                           ("segments() all", study.segments), ("progress()", study.progress),
                           ("set_aside()", study.set_aside)):
            began = time.perf_counter()
            call()
            times[name] = (time.perf_counter() - began) * 1000
    return times


FIRST_DECISION = """
import sys, time
from qualkit.store import open_study
with open_study(sys.argv[1]) as study:
    began = time.perf_counter()
    ids = [row[0] for row in study._db.execute("SELECT segment_id FROM segments LIMIT 1")]
    study.decide(ids[0], "accept", coder="XY")
    print((time.perf_counter() - began) * 1000)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="Build the corpus and study here and keep them.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        base = args.keep or Path(scratch)
        corpus, study, out = base / "corpus", base / "study", base / "coded"
        files, words = make_corpus(corpus, args.words)
        print(f"corpus: {files} transcripts, {words:,} participant words")
        init_s, said = timed(["study", "init", str(study), "-t", str(corpus), "-a", str(corpus / "participants.csv"),
                              "-c", str(CODEBOOK)])
        print(f"qualkit study init: {init_s:.1f} s, CPU {CPU['study init']:.1f} s ({said.strip()})")
        code_s, said = timed(["code", str(corpus), "--codebook", str(CODEBOOK), "--out", str(out)])
        print(f"qualkit code: {code_s:.1f} s, CPU {CPU['code ' + str(corpus)]:.1f} s ({said.splitlines()[0]})")
        decided = decide_some(study)
        print(f"decision saved (open study, {decided['decisions']} decisions): median {decided['median_ms']:.1f} ms, "
              f"p95 {decided['p95_ms']:.1f} ms, slowest {decided['slowest_ms']:.1f} ms")
        began = time.perf_counter()
        first = float(subprocess.run([sys.executable, "-c", FIRST_DECISION, str(study)], capture_output=True,
                                     text=True, check=True, cwd=ROOT).stdout)
        print(f"first decision in a fresh process: {first:.1f} ms (process {time.perf_counter() - began:.1f} s)")
        status_s, said = timed(["study", "status", str(study), "--json"])
        status = json.loads(said)
        print(f"qualkit study status --json: {status_s:.2f} s, CPU {CPU['study status']:.2f} s ({status['auto']} automatic segments, "
              f"{status['accepted']} accepted, {status['rejected']} rejected; alpha "
              f"{(status['agreement'] or {}).get('alpha')})")
        reads = read_times(study)
        print("reads through an open Study (what the review page calls): " +
              ", ".join(f"{name} {ms:.0f} ms" for name, ms in reads.items()))
        study_code_s, said = timed(["study", "code", str(study)])
        print(f"qualkit study code: {study_code_s:.1f} s, CPU {CPU['study code']:.1f} s ({said.strip()})")
        ratio = study_code_s / code_s
        cpu_ratio = CPU["study code"] / CPU["code " + str(corpus)]
        print(f"study code / qualkit code: {ratio:.2f} wall, {cpu_ratio:.2f} CPU (target <= 1.3); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        size = (study / "study.sqlite").stat().st_size
        print(json.dumps({"words": words, "transcripts": files, "segments": status["auto"], "init_s": round(init_s, 2),
                          "qualkit_code_s": round(code_s, 2), "study_code_s": round(study_code_s, 2),
                          "study_code_ratio": round(ratio, 3), "study_code_cpu_ratio": round(cpu_ratio, 3),
                          "status_s": round(status_s, 3), "status_cpu_s": round(CPU["study status"], 3),
                          "decision_median_ms": round(decided["median_ms"], 2),
                          "decision_p95_ms": round(decided["p95_ms"], 2),
                          "decision_slowest_ms": round(decided["slowest_ms"], 2),
                          "first_decision_ms": round(first, 1), "database_mb": round(size / 1e6, 1),
                          "reads_ms": {name: round(ms, 1) for name, ms in reads.items()}}))


if __name__ == "__main__":
    main()
