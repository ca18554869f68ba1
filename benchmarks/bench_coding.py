"""Benchmark the coding engine against the bare spaCy pipeline on ~1M and ~5M words of real transcripts.

The corpus is the real interviews and podcast transcripts in ../shared/data (pdpilot, metamuse),
repeated under new ids until it holds the wanted number of coded words. The codebook has 200 codes
with 10 patterns each (lemma phrases, exact phrases, wildcards, and 20 token patterns with optional
tokens), drawn from the corpus vocabulary so that they hit. Each figure is measured in a fresh process
(so peak memory is that run's own). Usage::

    python benchmarks/bench_coding.py [--words 1000000 5000000] [--data ../shared/data] [--sample]

"bare" is the pipeline qualkit codes with (its lookup lemmatizer sets a doc's lemmas in one array write);
"bare_stock" is the same pipeline with spaCy's own lemmatizer, one token at a time, as it was when the
issue measured coding at 0.49x (dense) and 0.67x (sample) of the bare pipeline.

"code_csv" is coding plus the CSV rows ``qualkit code`` writes (to a null device, so no disk time): the
whole single-process cost of ``qualkit code`` but reading files.

With ``--sample`` the corpus is the bundled sample study (transcripts_sample/) repeated and the codebook
is codebooks/sample.yaml: a realistic hit density, far below the generated codebook's one hit per 7 words.

Each figure above is one run on a machine that may be shared; the "interleaved" line measures the ratios
again in one process, bare, match, code and code+csv alternately (``--repeat`` rounds after a warm-up, median of
the pairs), which is the steadier comparison under other load. "match" is the pipeline with the codebook's spaCy
matchers (and qualkit's prefilters) and no coding: the ceiling of any coding that uses these matchers. The
"scaling" line likewise times coding the smaller and the larger corpus alternately in one process for the 5M/1M
time ratio.

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qualkit.codebook import Codebook, load_codebook, parse_codebook  # noqa: E402
from qualkit.coding import Coder, build_pipeline  # noqa: E402
from qualkit.coding import CorpusSummary, code_corpus, code_rows_in_pool, stream_coding  # noqa: E402
from qualkit.coding.units import DocFacts  # noqa: E402 - the matchers' own input, to time matching alone
from qualkit.readers import ReadOptions, read_many  # noqa: E402
from qualkit.transcript import DEFAULT_INTERVIEWER_LABELS, PARTICIPANT, Transcript  # noqa: E402

DATA = Path(os.environ.get("QUALKIT_SHARED_DATA", ROOT.parent / "shared" / "data"))
OPTIONS = ReadOptions(interviewer_labels=DEFAULT_INTERVIEWER_LABELS + ("Dan",))
STOP = {
    "the", "a", "an", "and", "or", "but", "i", "you", "it", "to", "of", "in", "that", "is", "was", "be", "so",
    "like", "we", "they", "this", "for", "on", "with", "have", "do", "not", "what", "just", "know", "yeah",
    "um", "uh", "mean", "think", "there", "at", "as", "are", "if", "my", "me", "he", "she", "can", "about",
}


SAMPLE = "--sample" in sys.argv


def base_transcripts(data: Path) -> list[Transcript]:
    """Read the real transcripts the corpus is made of (the sample study's with ``--sample``)."""
    if SAMPLE:
        files = sorted((ROOT / "transcripts_sample").glob("*.txt"))
        return [t for f in files for t in read_many(f, ReadOptions())]
    files = sorted((data / "pdpilot" / "transcripts").glob("*.txt"))
    files += sorted((data / "metamuse" / "rev_original").glob("*.txt"))
    files += sorted((data / "metamuse" / "plaintext_timestamped").glob("*.txt"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [t for f in files for t in read_many(f, OPTIONS)]


def coded_words(transcript: Transcript) -> int:
    return sum(len(transcript.turn_text(t).split()) for t in transcript.turns if t.role == PARTICIPANT)


def corpus(base: list[Transcript], words: int) -> Iterator[Transcript]:
    """Yield copies of the base transcripts under new ids until ``words`` coded words are reached."""
    total, copy = 0, 0
    while total < words:
        for transcript in base:
            yield dataclasses.replace(transcript, id=f"{transcript.id}-{copy}")
            total += coded_words(transcript)
            if total >= words:
                return
        copy += 1


def make_codebook(base: list[Transcript], nlp) -> Codebook:
    """Build 200 codes x 10 patterns from the corpus vocabulary (deterministic)."""
    lemmas: collections.Counter[str] = collections.Counter()
    bigrams: collections.Counter[tuple[str, str]] = collections.Counter()
    trigrams: collections.Counter[tuple[str, str, str]] = collections.Counter()
    texts = [t.turn_text(turn) for t in base for turn in t.turns if turn.role == PARTICIPANT]
    for doc in nlp.pipe(texts):
        words = [(tok.lower_, tok.lemma_) for tok in doc if tok.is_alpha]
        lemmas.update(lemma for _, lemma in words if lemma not in STOP and len(lemma) > 3)
        bigrams.update((a[1], b[1]) for a, b in zip(words, words[1:]) if a[1] not in STOP or b[1] not in STOP)
        trigrams.update((a[0], b[0], c[0]) for a, b, c in zip(words, words[1:], words[2:]) if c[0] not in STOP)
    rng = random.Random(0)
    single = sorted(w for w, n in lemmas.items() if 2 <= n <= 40)
    pairs = sorted(" ".join(p) for p, n in bigrams.items() if 2 <= n <= 20)
    triples = sorted(t for t, n in trigrams.items() if 2 <= n <= 20)
    lines = ["name: benchmark", "themes:"]
    for theme in range(20):
        lines += [f"  - name: Theme {theme}", "    codes:"]
        for code in range(10):
            number = theme * 10 + code
            patterns = [json.dumps(w) for w in rng.sample(single, 3)]
            patterns += [json.dumps(p) for p in rng.sample(pairs, 2)]
            patterns += [json.dumps({"exact": p}) for p in rng.sample(pairs, 2)]
            patterns += [json.dumps(w[: max(4, len(w) - 3)] + "*") for w in rng.sample(single, 2)]
            if number % 10 == 0:
                a, b, c = rng.choice(triples)
                patterns.append(json.dumps([{"LOWER": a}, {"LOWER": b, "OP": "?"}, {"LOWER": c}]))
            elif number % 10 == 5:
                a, b, c = rng.choice(triples)
                patterns.append(json.dumps([{"LOWER": a}, {"IS_ALPHA": True, "OP": "?"}, {"LOWER": c}]))
            else:
                patterns.append(json.dumps(rng.choice(single)))
            lines += [f"      - name: Code {number}", "        patterns:"]
            lines += [f"          - {p}" for p in patterns]
    return parse_codebook("\n".join(lines) + "\n", source="<benchmark>")


def measure(kind: str, words: int, jobs: int, data: Path) -> dict[str, float]:
    """Time one run in this process; return seconds, words and peak memory (MiB, self + workers)."""
    nlp = build_pipeline()
    if kind == "bare_stock":  # the pipeline as the issue measured it: spaCy's lemmatizer, one token at a time
        from spacy.pipeline import Lemmatizer

        lemmatizer = nlp.get_pipe("qualkit_lemmatizer")
        type(lemmatizer).__call__ = Lemmatizer.__call__  # type: ignore[method-assign]
    base = base_transcripts(data)
    counted = 0
    if kind.startswith("bare"):
        texts = ((t.turn_text(turn), None) for t in corpus(base, words) for turn in t.turns if turn.role == PARTICIPANT)
        began, cpu = time.perf_counter(), time.process_time()
        for doc, _ in nlp.pipe(texts, as_tuples=True, batch_size=64):
            counted += 0
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        counted = sum(coded_words(t) for t in corpus(base, words))
        hits = 0
    elif kind == "code_csv":  # what `qualkit code` does: coding and its CSV rows (to a null device, not a disk)
        book = load_codebook(ROOT / "codebooks" / "sample.yaml") if SAMPLE else make_codebook(base, nlp)
        coder = Coder(book, nlp)
        summary = CorpusSummary()
        with open(os.devnull, "w", encoding="utf-8", newline="") as sink:
            began, cpu = time.perf_counter(), time.process_time()
            stream_coding(code_corpus(corpus(base, words), coder), (sink, sink, sink), summary)
            seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        counted, hits = summary.words, summary.segments + summary.negated + summary.vetoed
    else:
        book = load_codebook(ROOT / "codebooks" / "sample.yaml") if SAMPLE else make_codebook(base, nlp)
        coder = Coder(book, nlp)
        hits = 0
        began, cpu = time.perf_counter(), time.process_time()
        if jobs > 1:  # as `qualkit code --jobs N`: each worker codes whole transcripts and returns their rows
            for chunk in code_rows_in_pool(list(corpus(base, words)), coder, jobs):
                counted += chunk.summary.words
                hits += chunk.summary.segments + chunk.summary.negated + chunk.summary.vetoed
        else:
            for result in code_corpus(corpus(base, words), coder):
                counted += result.words
                hits += len(result.segments) + len(result.set_aside)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "cpu_seconds": cpu, "words": counted, "peak_mib": peak, "worker_peak_mib": workers, "hits": hits}


def interleaved(words: int, repeat: int, data: Path) -> dict[str, float]:
    """Time the bare pipeline, coding and coding with CSV rows alternately in this one process, ``repeat``
    times after a warm-up; return the median ratio of each pair (wall clock and CPU), robust to other load."""
    nlp = build_pipeline()
    base = base_transcripts(data)
    book = load_codebook(ROOT / "codebooks" / "sample.yaml") if SAMPLE else make_codebook(base, nlp)
    coder = Coder(book, nlp)

    def bare(size: int) -> None:
        texts = ((t.turn_text(turn), None) for t in corpus(base, size) for turn in t.turns if turn.role == PARTICIPANT)
        for _ in nlp.pipe(texts, as_tuples=True, batch_size=64):
            pass

    def match(size: int) -> None:  # the pipeline and the codebook's matchers (with their prefilters), no coding
        texts = ((t.turn_text(turn), None) for t in corpus(base, size) for turn in t.turns if turn.role == PARTICIPANT)
        for doc, _ in nlp.pipe(texts, as_tuples=True, batch_size=64):
            coder.matchers.match(doc, DocFacts(doc))

    def code(size: int) -> None:
        for _ in code_corpus(corpus(base, size), coder):
            pass

    def code_csv(size: int) -> None:
        with open(os.devnull, "w", encoding="utf-8", newline="") as sink:
            stream_coding(code_corpus(corpus(base, size), coder), (sink, sink, sink), CorpusSummary())

    runs: dict[str, list[tuple[float, float]]] = {"bare": [], "match": [], "code": [], "code_csv": []}
    for step in (bare, code, match, code_csv):
        step(words // 5)  # warm-up: the vocabulary, caches and matchers grown once (by coding: see Coder._observe)
    for _ in range(repeat):
        for name, step in (("bare", bare), ("match", match), ("code", code), ("code_csv", code_csv)):
            began, cpu = time.perf_counter(), time.process_time()
            step(words)
            runs[name].append((time.perf_counter() - began, time.process_time() - cpu))
    ratio = {}
    for name in ("match", "code", "code_csv"):
        pairs = list(zip(runs["bare"], runs[name]))
        ratio[f"{name}_ratio"] = statistics.median(b[0] / c[0] for b, c in pairs)
        ratio[f"{name}_cpu_ratio"] = statistics.median(b[1] / c[1] for b, c in pairs)
    return ratio


def scaling(small: int, large: int, repeat: int, data: Path) -> dict[str, float]:
    """Time coding ``small`` and ``large`` words alternately in this one process, ``repeat`` times after a
    warm-up; return the median ratio of the large run's time to the small one's (wall clock and CPU)."""
    nlp = build_pipeline()
    base = base_transcripts(data)
    book = load_codebook(ROOT / "codebooks" / "sample.yaml") if SAMPLE else make_codebook(base, nlp)
    coder = Coder(book, nlp)

    def code(size: int) -> tuple[float, float]:
        began, cpu = time.perf_counter(), time.process_time()
        for _ in code_corpus(corpus(base, size), coder):
            pass
        return time.perf_counter() - began, time.process_time() - cpu

    code(small // 5)
    pairs = [(code(small), code(large)) for _ in range(repeat)]
    return {"time_ratio": statistics.median(b[0] / a[0] for a, b in pairs),
            "cpu_ratio": statistics.median(b[1] / a[1] for a, b in pairs)}


def run(kind: str, words: int, jobs: int, data: Path, *more: str) -> dict[str, float]:
    """Measure in a fresh process."""
    extra = ["--sample"] if SAMPLE else []
    command = [sys.executable, __file__, "--measure", kind, str(words), str(jobs), "--data", str(data), *extra, *more]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", nargs=2, type=int, default=[1_000_000, 5_000_000])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--sample", action="store_true", help="the sample study and codebook (realistic density)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of the interleaved bare/code/code+csv comparison at the smaller size (median)")
    args = parser.parse_args()
    if args.measure:
        kind, words, jobs = args.measure
        if kind == "interleaved":
            print(json.dumps(interleaved(int(words), int(jobs), args.data)))
        elif kind == "scaling":
            print(json.dumps(scaling(int(words), args.words[1], int(jobs), args.data)))
        else:
            print(json.dumps(measure(kind, int(words), int(jobs), args.data)))
        return
    if not args.data.is_dir():
        sys.exit(f"real data folder {args.data} is absent (set QUALKIT_SHARED_DATA)")
    small, large = args.words
    figures: dict[str, dict[str, float]] = {}
    for label, kind, words, jobs in [("bare_1m", "bare", small, 1), ("bare_stock_1m", "bare_stock", small, 1),
                                     ("code_1m", "code", small, 1), ("code_csv_1m", "code_csv", small, 1),
                                     ("code_1m_jobs2", "code", small, 2), ("bare_5m", "bare", large, 1),
                                     ("code_5m", "code", large, 1)]:
        figures[label] = result = run(kind, words, jobs, args.data)
        print(f"{label:>14}: {result['words']:>9,.0f} words in {result['seconds']:6.2f} s = "
              f"{result['words'] / result['seconds']:>9,.0f} words/s, peak {result['peak_mib']:.0f} MiB"
              + (f" (workers {result['worker_peak_mib']:.0f} MiB)" if jobs > 1 else "")
              + (f", {result['hits']:,} hits" if kind.startswith("code") else "")
              + f" (CPU {result['cpu_seconds']:.2f} s in the parent)", flush=True)
    mixed = run("interleaved", small, args.repeat, args.data)
    print(f"   interleaved: in one process, {args.repeat} rounds of bare, match, code, code+csv at {small:,} words "
          f"(median): code {mixed['code_ratio']:.3f}x the bare pipeline (CPU {mixed['code_cpu_ratio']:.3f}x), code+csv "
          f"{mixed['code_csv_ratio']:.3f}x (CPU {mixed['code_csv_cpu_ratio']:.3f}x); the pipeline with the codebook's "
          f"spaCy matchers alone, before any coding, {mixed['match_ratio']:.3f}x (CPU {mixed['match_cpu_ratio']:.3f}x)",
          flush=True)
    scaled = run("scaling", small, args.repeat, args.data, "--words", str(small), str(large))
    print(f"       scaling: in one process, {args.repeat} rounds of coding {small:,} then {large:,} words (median): "
          f"time ratio {scaled['time_ratio']:.3f} (CPU {scaled['cpu_ratio']:.3f}) for "
          f"{figures['code_5m']['words'] / figures['code_1m']['words']:.3f}x the words", flush=True)
    rate = {k: v["words"] / v["seconds"] for k, v in figures.items()}
    summary = {
        "words_per_s_1m": round(rate["code_1m"]),
        "bare_words_per_s_1m": round(rate["bare_1m"]),
        "ratio_to_bare_1m": round(rate["code_1m"] / rate["bare_1m"], 3),
        "ratio_to_stock_bare_1m": round(rate["code_1m"] / rate["bare_stock_1m"], 3),
        "cpu_ratio_to_stock_bare_1m": round(figures["bare_stock_1m"]["cpu_seconds"] / figures["code_1m"]["cpu_seconds"], 3),
        "words_per_s_5m": round(rate["code_5m"]),
        "bare_words_per_s_5m": round(rate["bare_5m"]),
        "time_ratio_5m_1m": round(figures["code_5m"]["seconds"] / figures["code_1m"]["seconds"], 3),
        "words_ratio_5m_1m": round(figures["code_5m"]["words"] / figures["code_1m"]["words"], 3),
        "mem_ratio_5m_1m": round(figures["code_5m"]["peak_mib"] / figures["code_1m"]["peak_mib"], 3),
        "peak_mib_1m": round(figures["code_1m"]["peak_mib"]),
        "peak_mib_5m": round(figures["code_5m"]["peak_mib"]),
        "jobs2_speedup": round(figures["code_1m"]["seconds"] / figures["code_1m_jobs2"]["seconds"], 3),
        "hits_1m": figures["code_1m"]["hits"],
        "cpu_ratio_to_bare_1m": round(figures["bare_1m"]["cpu_seconds"] / figures["code_1m"]["cpu_seconds"], 3),
        "cpu_time_ratio_5m_1m": round(figures["code_5m"]["cpu_seconds"] / figures["code_1m"]["cpu_seconds"], 3),
        "csv_ratio_to_bare_1m": round(rate["code_csv_1m"] / rate["bare_1m"], 3),
        "csv_cpu_ratio_to_bare_1m": round(figures["bare_1m"]["cpu_seconds"] / figures["code_csv_1m"]["cpu_seconds"], 3),
        **{f"interleaved_{k}": round(v, 3) for k, v in mixed.items()},
        "interleaved_time_ratio_5m_1m": round(scaled["time_ratio"], 3),
        "interleaved_cpu_time_ratio_5m_1m": round(scaled["cpu_ratio"], 3),
        "bare_time_ratio_5m_1m": round(figures["bare_5m"]["seconds"] / figures["bare_1m"]["seconds"], 3),
    }
    target = 0.9 if SAMPLE else 0.8
    print(f"coding runs at {summary['ratio_to_bare_1m']:.2f}x the bare pipeline (target >= {target}) and "
          f"{summary['ratio_to_stock_bare_1m']:.2f}x the bare pipeline with spaCy's own per-token lemmatizer (the "
          f"floor before the array lemmatizer); 5M/1M time {summary['time_ratio_5m_1m']:.2f} (<= 5.2; the bare "
          f"pipeline's own {summary['bare_time_ratio_5m_1m']:.2f} in these runs), memory "
          f"{summary['mem_ratio_5m_1m']:.2f} (<= 1.2); --jobs 2 speed-up {summary['jobs2_speedup']:.2f}. On CPU time "
          f"(robust to other load): {summary['cpu_ratio_to_bare_1m']:.2f}x the bare pipeline, "
          f"{summary['cpu_ratio_to_stock_bare_1m']:.2f}x the stock one, 5M/1M {summary['cpu_time_ratio_5m_1m']:.2f}. "
          f"Coding with its CSV rows (as qualkit code): {summary['csv_ratio_to_bare_1m']:.2f}x the bare pipeline "
          f"(CPU {summary['csv_cpu_ratio_to_bare_1m']:.2f}x)")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
