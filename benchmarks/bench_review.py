"""Benchmark the review page and the review sheet on a study of ~1M words with ~20,000 automatic segments.

The corpus is the bundled sample study repeated under new ids (``bench_store.make_corpus``) until it holds
the wanted number of participant words, made into a study once (or reused with ``--study DIR``).
Measured, with the page served by the real server (werkzeug on 127.0.0.1, as ``qualkit review`` serves it):

- the page's first view: the page, its script and style, the sidebar's codes and the first code's
  passages, over HTTP as the browser asks for them, in a fresh server (target < 1 s); the same warm; the
  largest code's queue; every code's progress (fetched after the first passage shows); and, when
  Playwright and Debian's chromium are installed, the first view in a real browser, from navigation
  until the first passage is on screen;
- a decision saved: POST /api/decide over HTTP, median / 95th percentile / slowest of 200 (target < 50 ms);
- ``review export`` of every segment to .xlsx and ``review import`` of it with 2,000 decisions filled in
  (target < 2 s for the export);
- the per-pattern verdicts ``qualkit codebook check DIR`` adds.

Usage::

    python benchmarks/bench_review.py [--words 1000000] [--study DIR] [--keep DIR]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_store import CODEBOOK, make_corpus  # noqa: E402

from qualkit.review import export_review, import_review, make_review_server, pattern_feedback  # noqa: E402
from qualkit.settings import StudySettings  # noqa: E402
from qualkit.store import init_study, open_study  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


def make_study(folder: Path, words: int) -> dict[str, float]:
    corpus = folder.parent / "corpus"
    files, total = make_corpus(corpus, words)
    began = time.perf_counter()
    settings = StudySettings(transcripts=(str(corpus),), attributes=str(corpus / "participants.csv"),
                             codebook=str(CODEBOOK))
    init_study(folder, settings).close()
    return {"transcripts": files, "participant_words": total, "init_seconds": time.perf_counter() - began}


class Client:
    """HTTP/1.0 requests to the running page, with its token and CSRF header, as its script sends them."""

    def __init__(self, server) -> None:
        self.port, self.token, self.csrf = server.port, server.app.config["REVIEW_TOKEN"], server.app.config["REVIEW_CSRF"]

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        headers = {"X-Review-Token": self.token}
        if body is not None:
            headers.update({"Content-Type": "application/json", "X-CSRF-Token": self.csrf,
                            "Origin": f"http://127.0.0.1:{self.port}"})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:200]!r}")
        return response.status, data


def first_view(client: Client) -> tuple[float, int, str]:
    """Time what the page asks for before the first passage shows; return seconds, passages, the code."""
    began = time.perf_counter()
    cpu = time.process_time()
    client.call("GET", "/")
    client.call("GET", "/static/review.js")
    client.call("GET", "/static/review.css")
    overview = json.loads(client.call("GET", "/api/overview")[1])
    first = overview["codes"][0]   # the page opens the first code (or the one last reviewed)
    items = json.loads(client.call("GET", f"/api/queue?mode=code&key={first['code_id']}")[1])["items"]
    return time.perf_counter() - began, time.process_time() - cpu, len(items), first["code_id"]


def browser_first_view(url: str) -> tuple[float, float] | None:
    """Seconds from navigation until the first passage is on screen in headless chromium, as Playwright sees
    it and as the page itself counts it (performance.now() when it is ready); None without a browser."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not CHROMIUM.exists():
        return None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        page = browser.new_page()
        began = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("body[data-ready='1'] #card .passage", timeout=60_000)
        seconds = time.perf_counter() - began
        own = float(page.get_attribute("body", "data-ready-ms") or "nan") / 1000
        browser.close()
    return seconds, own


def decisions(client: Client, study_dir: Path, count: int) -> list[float]:
    with open_study(study_dir) as study:
        pending = [s for s in study.segments(status="pending")][:count]
    times = []
    for number, segment in enumerate(pending):
        body = {"segment_id": segment["segment_id"], "decision": ("accept", "reject")[number % 2],
                "version": segment["version"]}
        began = time.perf_counter()
        client.call("POST", "/api/decide", body)
        times.append(time.perf_counter() - began)
    return times


def fill_sheet(path: Path, rows: int) -> None:
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book["segments"]
    for number in range(2, rows + 2):
        sheet.cell(row=number, column=8, value=("accept", "reject")[number % 2])
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--study", type=Path, help="reuse this study folder (copied; not changed)")
    parser.add_argument("--keep", type=Path, help="keep the study made here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qualkit-bench-review-"))
    figures: dict[str, float] = {"load_average_1min": os.getloadavg()[0], "cpus": os.cpu_count() or 0}
    print(f"machine: {figures['cpus']} CPUs, load average {figures['load_average_1min']:.1f} at the start")
    try:
        study_dir = work / "study"
        if args.study:
            shutil.copytree(args.study, study_dir)
        else:
            made = make_study(study_dir, args.words)
            figures.update(made)
            print(f"study: {made['transcripts']} transcripts, {made['participant_words']:,} participant words, "
                  f"made in {made['init_seconds']:.1f} s")
            if args.keep:
                shutil.copytree(study_dir, args.keep)
        with open_study(study_dir) as study:
            segments = study.segments()
            figures["segments"] = len(segments)
            figures["words"] = sum(t["words"] for t in study.transcripts())
            largest = max({s["code_id"] for s in segments}, key=lambda c: sum(s["code_id"] == c for s in segments))
        print(f"{figures['segments']:,} automatic segments, {figures['words']:,} words (as the study counts them)")

        server = make_review_server(study_dir, coder="bench").start()
        try:
            client = Client(server)
            cold, cold_cpu, passages, code = first_view(client)
            warm, _, _, _ = first_view(client)
            began = time.perf_counter()
            biggest = len(json.loads(client.call("GET", f"/api/queue?mode=code&key={largest}")[1])["items"])
            figures.update(first_view_cold_s=cold, first_view_cold_cpu_s=cold_cpu, first_view_warm_s=warm,
                           first_view_passages=passages,
                           largest_queue_s=time.perf_counter() - began, largest_queue_passages=biggest)
            print(f"first view (page, script, style, sidebar, {passages} passages of {code}): {cold:.3f} s cold "
                  f"(CPU {cold_cpu:.3f} s, server and client), {warm:.3f} s warm (target < 1 s)")
            print(f"largest code's queue ({biggest} passages of {largest}): {figures['largest_queue_s']:.3f} s")
            began = time.perf_counter()
            client.call("GET", "/api/progress")
            figures["all_progress_s"] = time.perf_counter() - began
            print(f"every code's progress for the sidebar (fetched after the first passage shows): "
                  f"{figures['all_progress_s']:.3f} s")
            browser = browser_first_view(server.url)
            if browser is not None:
                figures["first_view_browser_s"], figures["first_view_page_s"] = browser
                print(f"first view in headless chromium, navigation to first passage shown: {browser[0]:.3f} s "
                      f"(by the page's own clock: {browser[1]:.3f} s)")
            times = decisions(client, study_dir, 200)
            figures.update(decision_median_ms=1000 * statistics.median(times),
                           decision_p95_ms=1000 * sorted(times)[int(0.95 * len(times)) - 1],
                           decision_max_ms=1000 * max(times))
            print(f"decision saved over HTTP ({len(times)}): median {figures['decision_median_ms']:.1f} ms, "
                  f"95% {figures['decision_p95_ms']:.1f} ms, slowest {figures['decision_max_ms']:.1f} ms "
                  f"(target < 50 ms)")
        finally:
            server.shutdown()

        sheet = work / "review.xlsx"
        began, cpu = time.perf_counter(), time.process_time()
        rows = export_review(study_dir, sheet, coder="sheet")
        figures.update(export_s=time.perf_counter() - began, export_cpu_s=time.process_time() - cpu, export_rows=rows)
        print(f"review export: {rows:,} rows in {figures['export_s']:.2f} s (CPU {figures['export_cpu_s']:.2f} s; "
              f"target < 2 s), {sheet.stat().st_size / 1e6:.1f} MB")
        fill_sheet(sheet, 2000)
        began, cpu = time.perf_counter(), time.process_time()
        done = import_review(study_dir, sheet, coder="sheet")
        figures.update(import_s=time.perf_counter() - began, import_cpu_s=time.process_time() - cpu)
        print(f"review import: {done.accepted + done.rejected:,} decisions of {rows:,} rows checked and written in "
              f"{figures['import_s']:.2f} s (CPU {figures['import_cpu_s']:.2f} s)")
        began = time.perf_counter()
        verdicts = pattern_feedback(study_dir)
        figures["pattern_feedback_s"] = time.perf_counter() - began
        print(f"per-pattern verdicts ({len(verdicts)} patterns): {figures['pattern_feedback_s']:.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}))


if __name__ == "__main__":
    main()
