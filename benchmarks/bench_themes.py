"""Benchmark theme suggestion against human themes on every coded study, and its speed and memory on 1M words.

    python benchmarks/bench_themes.py                 # quality on every coded study, 5 seeds, with baselines
    python benchmarks/bench_themes.py --study serdif  # one study
    python benchmarks/bench_themes.py --halves        # also held-out halves: each study split by participants
    python benchmarks/bench_themes.py --level 2       # against second-level codes (20+ sentences): many themes
    python benchmarks/bench_themes.py --scale 1000000 # speed and memory on the sample repeated to 1M words

Studies: the coded studies in ../shared/data (pdpilot: 7 interviews, 8 human top-level themes; serdif: 17
think-aloud sessions, 5 themes from its codebook's grouping), plus any study folder under
benchmarks/fixtures/ (``transcripts/``, ``coded_segments.csv`` with document, code_path, segment, and a
``study.txt`` naming the interviewer labels on one line ``interviewer: A, B``).

Quality: full-corpus mode on participant sentences, k chosen automatically, against the human
top-level themes located in the transcripts. A sentence belongs to a human theme when a segment of that
theme covers at least half of it (or lies inside it). F1: Hungarian best match of suggested themes to
human themes on their sets of sentences, averaged over all human themes. P@5: share of a matched
theme's first five quotes inside human segments of that theme. AMI: suggested theme vs the sentence's human
theme (the first by name when it has several), over human-coded sentences. Coverage: share of sentences given a theme.
Baselines: TF-IDF + NMF k=8 on each sentence's own words, each sentence in its strongest theme (quotes: its
heaviest sentences of 8+ words), and random: 8 random themes with random quotes.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_mutual_info_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qualkit.agreement import read_human_coding, unit_codes  # noqa: E402
from qualkit.codebook import Codebook  # noqa: E402
from qualkit.coding import Coder, build_pipeline  # noqa: E402
from qualkit.readers import ReadOptions, read_transcripts, transcript_files  # noqa: E402
from qualkit.themes import ThemeSuggester, pipeline_lemmatiser, suggest_themes  # noqa: E402

SEEDS = (0, 1, 2, 3, 4)
SHARED = Path(os.environ.get("QUALKIT_SHARED_DATA", ROOT.parent / "shared" / "data"))
FIXTURES = ROOT / "benchmarks" / "fixtures"
SHARED_STUDIES = {"pdpilot": ("Dan",), "serdif": ("Interviewer", "MODERATOR")}
TARGETS = {"shared": (0.35, 0.55), "unseen": (0.25, 0.35)}


@dataclass
class Study:
    """A coded study ready to score: its transcripts, participant sentences and human themes per sentence."""

    name: str
    transcripts: list
    units: list
    human: list
    shared: bool


MIN_LEVEL_SENTENCES = 20


def studies(nlp, only: str | None = None, level: int = 1) -> list[Study]:
    """Return the coded studies found (shared data first, then benchmarks/fixtures/), their human themes
    the first ``level`` parts of each code path (below the top level, only those on 20+ sentences: a
    study with many themes, as focus groups with 17 themes have)."""
    folders = [(SHARED / name, labels, True) for name, labels in SHARED_STUDIES.items()]
    if FIXTURES.is_dir():
        for folder in sorted(p for p in FIXTURES.iterdir() if (p / "coded_segments.csv").is_file()):
            labels = ("Interviewer",)
            meta = folder / "study.txt"
            if meta.is_file():
                for line in meta.read_text().splitlines():
                    if line.lower().startswith("interviewer:"):
                        labels = tuple(x.strip() for x in line.split(":", 1)[1].split(",") if x.strip())
            folders.append((folder, labels, False))
    out = []
    for folder, labels, shared in folders:
        if (only and folder.name != only) or not (folder / "coded_segments.csv").is_file():
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            transcripts = read_transcripts(transcript_files([folder / "transcripts"]), ReadOptions(interviewer_labels=labels))
            units = participant_units(transcripts, nlp)
            coding = read_human_coding(folder / "coded_segments.csv", transcripts)
        human = [{" > ".join(code.split(" > ")[:level]) for code in codes}
                 for codes in unit_codes(units, coding.segments, key="path")]
        if level > 1:
            sizes = Counter(theme for h in human for theme in h)
            human = [{theme for theme in h if sizes[theme] >= MIN_LEVEL_SENTENCES} for h in human]
        themes = sorted({t for h in human for t in h})
        print(f"{folder.name}: {len(transcripts)} transcripts, {len(units)} participant sentences, "
              f"{len(themes)} human themes; {coding.summary()}")
        out.append(Study(folder.name, transcripts, units, human, shared))
    return out


def participant_units(transcripts, nlp):
    units = []
    list(Coder(Codebook("none", "0", ()), nlp).code(transcripts, units))
    return units


def evaluate(human, labels, quotes_by_topic, n_topics):
    """Return F1, P@5, AMI and coverage of one suggestion against the human themes."""
    themes = sorted({t for codes in human for t in codes})
    human_sets = [{i for i, codes in enumerate(human) if t in codes} for t in themes]
    topic_sets = [set(np.flatnonzero(labels == k).tolist()) for k in range(n_topics)]
    f1 = np.zeros((len(human_sets), max(len(topic_sets), 1)))
    for a, h in enumerate(human_sets):
        for b, s in enumerate(topic_sets):
            both = len(h & s)
            f1[a, b] = 2 * both / (len(h) + len(s)) if both else 0.0
    rows, cols = linear_sum_assignment(-f1)
    hits = total = 0
    for a, b in zip(rows, cols):
        for unit_index in (quotes_by_topic[b][:5] if b < len(quotes_by_topic) else ()):
            total += 1
            hits += themes[a] in human[unit_index]
    main = [max(sorted(codes)) if codes else "" for codes in human]
    coded = [i for i, codes in enumerate(human) if codes]
    return {"themes": n_topics, "F1": f1[rows, cols].sum() / len(human_sets), "P@5": hits / total if total else 0.0,
            "AMI": adjusted_mutual_info_score([main[i] for i in coded], [labels[i] for i in coded]),
            "coverage": float(np.mean(labels >= 0))}


def score_study(study: Study, lemmatise, seeds=SEEDS, show: bool = True) -> dict[str, list[dict]]:
    """Return per method the figures of each seed on one study (printing the first seed's themes)."""
    units, human = study.units, study.human
    index = {(u.transcript, u.start): i for i, u in enumerate(units)}
    texts = lemmatise([u.text for u in units])
    rows: dict[str, list[dict]] = {"qualkit (auto k)": [], "TF-IDF + NMF k=8": [], "random k=8": []}
    for seed in seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = suggest_themes(units, study.transcripts, random_state=seed, lemmatise=lemmatise)
        labels = np.full(len(units), -1)
        for a in found.assignments:
            labels[index[(a.document, a.start)]] = a.topic - 1
        quotes = [[index[(q.transcript, q.start)] for q in t.quotes] for t in found.themes]
        rows["qualkit (auto k)"].append(evaluate(human, labels, quotes, len(found.themes)))
        base = ThemeSuggester(8, random_state=seed, turn_weight=0, question_weight=0, window=0, max_df=1.0,
                              refine=0).fit(texts)
        base_quotes = [[i for i in sorted(np.flatnonzero(base.labels_ == k), key=lambda i: -base.weights_[i, k])
                        if len(units[i].text.split()) >= 8][:5] for k in range(base.n_themes_)]
        rows["TF-IDF + NMF k=8"].append(evaluate(human, base.labels_, base_quotes, base.n_themes_))
        rng = np.random.RandomState(seed)
        rand = rng.randint(0, 8, len(units))
        rand_quotes = [[i for i in rng.permutation(np.flatnonzero(rand == k)) if len(units[i].text.split()) >= 8][:5]
                       for k in range(8)]
        rows["random k=8"].append(evaluate(human, rand, rand_quotes, 8))
        if show and seed == seeds[0]:
            print(f"  seed {seed}: k {found.methods['k']}, {len(found.themes)} themes kept"
                  + (f"; dropped: {'; '.join(found.methods['dropped'])}" if found.methods.get("dropped") else ""))
            for t in found.themes:
                print(f"  {t.number:2d}. {t.label}  ({t.units} sentences, {len(t.participants)} participants; "
                      f"terms: {', '.join(term for term, _ in t.terms[:6])})")
                if t.quotes:
                    print(f"      “{t.quotes[0].text}” ({t.quotes[0].transcript})")
    return rows


def print_table(name: str, rows: dict[str, list[dict]], targets: tuple[float, float]) -> bool:
    metrics = ["themes", "F1", "P@5", "AMI", "coverage"]
    print(f"  {'method':<20}" + "".join(f"{m:>18}" for m in metrics))
    for method, results in rows.items():
        cells = []
        for m in metrics:
            values = np.array([r[m] for r in results])
            cells.append(f"{values.mean():.3f} ± {values.std():.3f}")
        print(f"  {method:<20}" + "".join(f"{c:>18}" for c in cells))
    ours = rows["qualkit (auto k)"]
    f1, p5 = np.mean([r["F1"] for r in ours]), np.mean([r["P@5"] for r in ours])
    ok = f1 >= targets[0] and p5 >= targets[1]
    print(f"  {name}: qualkit mean F1 {f1:.3f} (target {targets[0]}), P@5 {p5:.3f} (target {targets[1]}): "
          f"{'met' if ok else 'NOT met'}")
    return ok


def halves(study: Study, seed: int) -> list[Study]:
    """Split a study's transcripts at random into two halves, each a smaller study of its own."""
    ids = sorted({t.id for t in study.transcripts})
    order = np.random.RandomState(seed).permutation(len(ids))
    parts = [{ids[i] for i in order[: len(ids) // 2]}, {ids[i] for i in order[len(ids) // 2 :]}]
    out = []
    for n, part in enumerate(parts):
        keep = [i for i, u in enumerate(study.units) if u.transcript in part]
        out.append(Study(f"{study.name} half {n + 1} (split {seed})", [t for t in study.transcripts if t.id in part],
                         [study.units[i] for i in keep], [study.human[i] for i in keep], study.shared))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=0, help="words for the speed run (0: quality run)")
    parser.add_argument("--study", help="only this study (folder name)")
    parser.add_argument("--halves", action="store_true", help="also score each study's two halves (split by participant)")
    parser.add_argument("--level", type=int, default=1, help="human themes: code paths cut to this many levels (default 1)")
    args = parser.parse_args()
    if args.scale:
        return speed(args.scale)
    nlp = build_pipeline()
    lemmatise = pipeline_lemmatiser(nlp)
    found = studies(nlp, args.study, args.level)
    if not found:
        print(f"no coded study found (looked in {SHARED} and {FIXTURES})")
        return
    met = []
    summary = []
    for study in found:
        print(f"\n== {study.name} ({'shared data' if study.shared else 'fixture'}) ==")
        targets = TARGETS["shared" if study.shared and args.level == 1 else "unseen"]
        rows = score_study(study, lemmatise)
        met.append(print_table(study.name, rows, targets))
        summary.append((study.name, rows))
        if args.halves:
            for split in (0, 2):
                for half in halves(study, split):
                    half_rows = score_study(half, lemmatise, seeds=SEEDS[:3], show=False)
                    print(f"  held-out {half.name}: " + "; ".join(
                        f"{m} F1 {np.mean([r['F1'] for r in rs]):.3f} P@5 {np.mean([r['P@5'] for r in rs]):.3f}"
                        for m, rs in half_rows.items()))
    print("\nsummary (mean over seeds " + ", ".join(map(str, SEEDS)) + "): F1 / P@5")
    print(f"  {'study':<12}" + "".join(f"{m:>22}" for m in summary[0][1]))
    for name, rows in summary:
        print(f"  {name:<12}" + "".join(
            f"{np.mean([r['F1'] for r in rs]):>14.3f} / {np.mean([r['P@5'] for r in rs]):.3f}" for rs in rows.values()))
    print("targets met on every study:", "yes" if all(met) else "NO")


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
    print(f"sentence split: {prepared - began:.1f} s; theme suggestion (lemmatise + fit + labels + quotes): "
          f"{done - prepared:.1f} s wall, {cpu:.1f} s CPU; peak memory {peak:,.0f} MB (targets: < 60 s, < 2,048 MB)")


if __name__ == "__main__":
    main()
