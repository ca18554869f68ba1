"""Benchmark theme suggestion against human themes (pdpilot), and its speed and memory on 1M words.

    python benchmarks/bench_themes.py                 # quality on ../shared/data/pdpilot, 5 seeds
    python benchmarks/bench_themes.py --scale 1000000 # speed and memory on the sample repeated to 1M words

Quality: full-corpus mode on participant sentences, k chosen automatically, against the 8 human
top-level themes located in the transcripts. A unit (sentence) belongs to a human theme when a
segment of that theme covers at least half of it (or lies inside it). Best-match F1: Hungarian
matching of suggested themes to human themes on their sets of units, averaged over all human themes.
AMI: suggested theme vs the human theme covering most of the unit, over human-coded units. Quote
precision: share of a matched theme's top-5 quotes inside human segments of that theme. Coverage:
share of units given a theme. Diversity: unique top-10 terms over all top-10 terms.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_mutual_info_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qualkit.agreement import unit_codes  # noqa: E402
from qualkit.codebook import Codebook  # noqa: E402
from qualkit.coding import Coder, build_pipeline  # noqa: E402
from qualkit.agreement import read_human_coding  # noqa: E402
from qualkit.readers import ReadOptions, read_transcripts, transcript_files  # noqa: E402
from qualkit.themes import ThemeSuggester  # noqa: E402
from qualkit.themes import npmi_coherence, topic_diversity  # noqa: E402
from qualkit.themes import pipeline_lemmatiser, suggest_themes  # noqa: E402

SEEDS = (0, 1, 2, 3, 4)
DATA = Path(os.environ.get("QUALKIT_SHARED_DATA", ROOT.parent / "shared" / "data")) / "pdpilot"


def participant_units(transcripts, nlp):
    units = []
    list(Coder(Codebook("none", "0", ()), nlp).code(transcripts, units))
    return units


def evaluate(units, labels, quotes_by_topic, human, n_topics, top_terms, presence):
    """Return the quality figures of one suggestion against the human themes."""
    themes = sorted({t for codes in human for t in codes})
    human_sets = [{i for i, codes in enumerate(human) if t in codes} for t in themes]
    topic_sets = [set(np.flatnonzero(labels == k).tolist()) for k in range(n_topics)]
    f1 = np.zeros((len(human_sets), len(topic_sets)))
    for a, h in enumerate(human_sets):
        for b, s in enumerate(topic_sets):
            both = len(h & s)
            f1[a, b] = 2 * both / (len(h) + len(s)) if both else 0.0
    rows, cols = linear_sum_assignment(-f1)
    best_f1 = f1[rows, cols].sum() / len(human_sets)
    coded = [i for i, codes in enumerate(human) if codes]
    ami = adjusted_mutual_info_score([human_main[i] for i in coded], [labels[i] for i in coded])
    hits = total = 0
    for a, b in zip(rows, cols):
        for unit_index in quotes_by_topic[b][:5]:
            total += 1
            hits += themes[a] in human[unit_index]
    return {
        "themes": n_topics, "F1": best_f1, "AMI": ami, "quote_precision": hits / total if total else 0.0,
        "NPMI": float(np.mean(npmi_coherence(top_terms, presence))) if top_terms else 0.0,
        "diversity": topic_diversity([[str(t) for t in terms] for terms in top_terms]),
        "coverage": float(np.mean(labels >= 0)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=0, help="words for the speed run (0: quality run)")
    args = parser.parse_args()
    if args.scale:
        return speed(args.scale)
    global human_main
    transcripts = read_transcripts(transcript_files([DATA / "transcripts"]), ReadOptions(interviewer_labels=("Dan",)))
    nlp = build_pipeline()
    units = participant_units(transcripts, nlp)
    coding = read_human_coding(DATA / "coded_segments.csv", transcripts)
    print(f"pdpilot: {len(transcripts)} interviews, {len(units)} participant sentences; {coding.summary()}")
    top = [{code.split(" > ")[0] for code in codes} for codes in unit_codes(units, coding.segments, key="path")]
    human_main = unit_main_theme(units, coding.segments)
    lemmatise = pipeline_lemmatiser(nlp)
    texts = lemmatise([u.text for u in units])
    rows = {"qualkit (auto k)": [], "baseline NMF k=8": [], "random k=8": []}
    for seed in SEEDS:
        found = suggest_themes(units, transcripts, random_state=seed, lemmatise=lemmatise)
        index = {(u.transcript, u.start): i for i, u in enumerate(units)}
        labels = np.full(len(units), -1)
        for a in found.assignments:
            labels[index[(a.document, a.start)]] = a.topic - 1
        quotes = [[index[(q.transcript, q.start)] for q in t.quotes] for t in found.themes]
        base = ThemeSuggester(8, random_state=seed, turn_weight=0, question_weight=0, max_df=1.0).fit(texts)
        presence = base.own_
        vocab = base.vectorizer_.vocabulary_
        terms = [[vocab[t] for t, _ in th.terms if t in vocab] for th in found.themes]
        rows["qualkit (auto k)"].append(evaluate(units, labels, quotes, top, len(found.themes), terms, presence))
        base_quotes = [sorted(np.flatnonzero(base.labels_ == k), key=lambda i: -base.weights_[i, k])
                       for k in range(base.n_themes_)]
        base_quotes = [[i for i in q if len(units[i].text.split()) >= 8][:5] for q in base_quotes]
        base_terms = [[vocab[t] for t, _ in terms] for terms in base.terms_]
        rows["baseline NMF k=8"].append(evaluate(units, base.labels_, base_quotes, top, base.n_themes_, base_terms, presence))
        rng = np.random.RandomState(seed)
        rand = rng.randint(0, 8, len(units))
        rand_quotes = [[i for i in rng.permutation(np.flatnonzero(rand == k)) if len(units[i].text.split()) >= 8][:5]
                       for k in range(8)]
        rand_terms = [rng.choice(presence.shape[1], 10, replace=False).tolist() for _ in range(8)]
        rows["random k=8"].append(evaluate(units, rand, rand_quotes, top, 8, rand_terms, presence))
        if seed == SEEDS[0]:
            print("k curve (k:smoothed stability, * within tolerance of the best):", ", ".join(
                f"{c['k']}:{c['smoothed']:.2f}{'*' if c.get('supported') else ''}" for c in found.k_curve),
                f"-> k {len(found.themes)}")
            for t in found.themes:
                print(f"  {t.number:2d} {t.units:4d} {t.label}")
    metrics = ["themes", "F1", "quote_precision", "AMI", "NPMI", "diversity", "coverage"]
    print(f"\n{'method':<20}" + "".join(f"{m:>20}" for m in metrics))
    for name, results in rows.items():
        cells = []
        for m in metrics:
            values = np.array([r[m] for r in results])
            cells.append(f"{values.mean():.2f} ± {values.std():.2f} [{values.min():.2f}]")
        print(f"{name:<20}" + "".join(f"{c:>20}" for c in cells))
    print("(mean ± sd [min] over seeds " + ", ".join(map(str, SEEDS)) + ")")
    print("qualkit per seed: " + "; ".join(
        f"seed {seed}: k {r['themes']}, F1 {r['F1']:.2f}, quotes {r['quote_precision']:.2f}, AMI {r['AMI']:.2f}"
        for seed, r in zip(SEEDS, rows["qualkit (auto k)"])))
    targets = {"F1": 0.30, "quote_precision": 0.50, "AMI": 0.20, "diversity": 0.75, "coverage": 0.95}
    ours = rows["qualkit (auto k)"]
    ok = all(r[m] >= v for r in ours for m, v in targets.items()) and all(5 <= r["themes"] <= 15 for r in ours)
    print("targets met on every seed:", "yes" if ok else "NO")


def unit_main_theme(units, segments):
    """Return, per unit, the top-level human theme covering most of it ('' when none)."""
    by_doc = {}
    for s in segments:
        by_doc.setdefault(s.transcript, []).append(s)
    main = []
    for u in units:
        cover = {}
        for s in by_doc.get(u.transcript, ()):
            overlap = min(u.end, s.end) - max(u.start, s.start)
            if overlap > 0:
                theme = s.code_path.split(" > ")[0]
                cover[theme] = cover.get(theme, 0) + overlap
        main.append(max(sorted(cover), key=cover.get) if cover else "")
    return main


def speed(words: int) -> None:
    """Suggest themes on the sample study repeated to about ``words`` participant words; print time and memory."""
    from qualkit.transcript import Transcript

    transcripts = read_transcripts(sorted((ROOT / "transcripts_sample").glob("*.txt")))
    nlp = build_pipeline()
    base_units = participant_units(transcripts, nlp)
    per_copy = sum(len(u.text.split()) for u in base_units)
    copies = max(1, -(-words // per_copy))
    big = [Transcript(f"{t.id}-{n}", t.text, t.turns, t.attributes) for n in range(copies) for t in transcripts]
    began = time.perf_counter()
    units = participant_units(big, nlp)
    lemmatise = pipeline_lemmatiser(nlp)
    prepared = time.perf_counter()
    cpu = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = suggest_themes(units, big, lemmatise=lemmatise)
    done = time.perf_counter()
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{sum(len(u.text.split()) for u in units):,} participant words, {len(units):,} sentences, "
          f"{len(found.themes)} themes (k auto)")
    print(f"sentence split: {prepared - began:.1f} s; theme suggestion (lemmatise + fit + quotes): {done - prepared:.1f} s "
          f"wall, {cpu:.1f} s CPU; "
          f"peak memory {peak:,.0f} MB")


if __name__ == "__main__":
    main()
