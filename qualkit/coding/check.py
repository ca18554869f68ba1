"""``qualkit codebook check``: a codebook's structural problems, and how each code and pattern fares on a corpus."""

from __future__ import annotations

import statistics
import warnings
from dataclasses import dataclass, field
from typing import Iterable

from qualkit.codebook import Code, Codebook, Pattern
from qualkit.coding.coder import Coder
from qualkit.transcript import Transcript

BROAD_FACTOR = 5
BROAD_MINIMUM = 10
KWIC_LINES = 3
KWIC_WIDTH = 40


@dataclass
class PatternStats:
    """How one pattern of a code fared: hits that coded, hits set aside, units and a few contexts."""

    code_id: str
    index: int
    label: str
    line: int
    hits: int = 0
    set_aside: int = 0
    units: int = 0
    contexts: list[str] = field(default_factory=list)


@dataclass
class CodeStats:
    """How one code fared: hits, units coded, participants reached, negated and vetoed hits."""

    code_id: str
    path: str
    hits: int = 0
    units: int = 0
    participants: int = 0
    negated: int = 0
    vetoed: int = 0


@dataclass
class CheckReport:
    """Everything ``qualkit codebook check`` reports; ``corpus`` is False when no transcripts were given."""

    codebook: Codebook
    problems: list[str]
    corpus: bool = False
    transcripts: int = 0
    words: int = 0
    codes: list[CodeStats] = field(default_factory=list)
    patterns: list[PatternStats] = field(default_factory=list)
    never: list[PatternStats] = field(default_factory=list)
    broad: list[PatternStats] = field(default_factory=list)
    broad_median: float = 0.0
    shared: list[tuple[str, str, int]] = field(default_factory=list)


def structural_problems(codebook: Codebook) -> list[str]:
    """Return the codebook's structural problems: codes without patterns or definitions, repeated patterns."""
    problems = []
    owners: dict[str, list[Code]] = {}
    for code in codebook.codes:
        where = f"code '{code.id}' (line {code.line})"
        if not code.patterns:
            problems.append(f"{where} has no patterns: it is never applied automatically")
        if not code.definition:
            problems.append(f"{where} has no definition")
        labels = [p.label() for p in code.patterns]
        for label in sorted({label for label in labels if labels.count(label) > 1}):
            problems.append(f"{where} repeats pattern '{label}'")
        for label in dict.fromkeys(labels):
            owners.setdefault(label, []).append(code)
    for label, codes in owners.items():
        if len(codes) > 1:
            problems.append(f"pattern '{label}' is in codes " + ", ".join(f"'{c.id}' (line {c.line})" for c in codes))
    return problems


def check_codebook(codebook: Codebook, transcripts: Iterable[Transcript] = (), coder: Coder | None = None) -> CheckReport:
    """Check a codebook's structure and, when transcripts are given, how every code and pattern fares on them."""
    report = CheckReport(codebook, structural_problems(codebook))
    items = list(transcripts)
    if not items:
        return report
    coder = coder or Coder(codebook)
    report.corpus, report.transcripts = True, len(items)
    codes = {c.id: CodeStats(c.id, c.path_label) for c in codebook.codes}
    patterns = {(c.id, p.index): _pattern_stats(c, p) for c in codebook.codes for p in c.patterns}
    vetoes = {(c.id, p.label()[len("exclude "):]): (c.id, p.index) for c in codebook.codes for p in c.patterns if p.veto}
    reached: dict[str, set[tuple[str, str]]] = {c: set() for c in codes}
    spans: dict[tuple[str, int, int], set[str]] = {}
    texts = {t.id: t.text for t in items}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for result in coder.code_each(items):
            report.words += result.words
            for segment in result.segments:
                stats = codes[segment.code_id]
                stats.units += 1
                stats.hits += len(segment.matches)
                reached[segment.code_id].add((segment.transcript, segment.speaker))
                for index in {m.pattern_index for m in segment.matches}:
                    patterns[(segment.code_id, index)].units += 1
                for match in segment.matches:
                    found = patterns[(segment.code_id, match.pattern_index)]
                    found.hits += 1
                    _add_context(found, texts[segment.transcript], match.start, match.end)
                    spans.setdefault((segment.transcript, match.start, match.end), set()).add(segment.code_id)
            for hit in result.set_aside:
                stats = codes[hit.code_id]
                if hit.status == "negated":
                    stats.negated += 1
                else:
                    stats.vetoed += 1
                for key, pattern in patterns.items():
                    if key[0] == hit.code_id and pattern.label == hit.pattern and not pattern.label.startswith("exclude "):
                        pattern.set_aside += 1
                veto = vetoes.get((hit.code_id, hit.reason[len("excluded by '"):-1])) if hit.status == "excluded" else None
                if veto is not None:
                    patterns[veto].hits += 1
    for code_id, people in reached.items():
        codes[code_id].participants = len(people)
    report.codes = list(codes.values())
    report.patterns = list(patterns.values())
    report.never = [p for p in report.patterns if p.hits == 0 and p.set_aside == 0]
    counts = [p.hits for p in report.patterns if p.hits]
    report.broad_median = statistics.median(counts) if counts else 0.0
    report.broad = sorted((p for p in report.patterns
                           if p.hits >= max(BROAD_MINIMUM, BROAD_FACTOR * report.broad_median)), key=lambda p: -p.hits)
    pairs: dict[tuple[str, str], int] = {}
    for owners in spans.values():
        ordered = sorted(owners)
        for number, first in enumerate(ordered):
            for second in ordered[number + 1:]:
                pairs[(first, second)] = pairs.get((first, second), 0) + 1
    report.shared = sorted(((a, b, n) for (a, b), n in pairs.items()), key=lambda x: (-x[2], x[0], x[1]))
    return report


def _pattern_stats(code: Code, pattern: Pattern) -> PatternStats:
    return PatternStats(code.id, pattern.index, pattern.label(), pattern.line)


def _add_context(stats: PatternStats, text: str, start: int, end: int) -> None:
    if len(stats.contexts) >= KWIC_LINES:
        return
    before, after = text[max(0, start - KWIC_WIDTH * 2):start], text[end:end + KWIC_WIDTH * 2]
    left = (" ".join(before.split()) + (" " if before[-1:].isspace() else ""))[-KWIC_WIDTH:]
    right = ((" " if after[:1].isspace() else "") + " ".join(after.split()))[:KWIC_WIDTH]
    stats.contexts.append(f"{left:>{KWIC_WIDTH}}[{' '.join(text[start:end].split())}]{right}")


def render_check(report: CheckReport) -> str:
    """Return the check report as plain text, as ``qualkit codebook check`` prints it."""
    book = report.codebook
    count = sum(len(c.patterns) for c in book.codes)
    lines = [f"Codebook {book.source}: {len(book.codes)} codes, {count} patterns.", "", "Structure:"]
    lines += [f"  - {p}" for p in report.problems] or ["  no problems found"]
    if not report.corpus:
        return "\n".join(lines) + "\n"
    lines += ["", f"Corpus: {report.transcripts} transcripts, {report.words:,} words coded.", "",
              "Codes:", f"  {'code':<24} {'hits':>6} {'units':>6} {'people':>6} {'negated':>7} {'vetoed':>6}"]
    lines += [f"  {c.code_id:<24} {c.hits:>6} {c.units:>6} {c.participants:>6} {c.negated:>7} {c.vetoed:>6}"
              for c in report.codes]
    lines += ["", "Patterns:", f"  {'code':<24} {'#':>2} {'hits':>6} {'units':>6} {'aside':>6}  pattern"]
    lines += [f"  {p.code_id:<24} {p.index:>2} {p.hits:>6} {p.units:>6} {p.set_aside:>6}  {p.label}"
              for p in report.patterns]
    lines += ["", f"Patterns that never match ({len(report.never)}):"]
    lines += [f"  - {p.code_id}, pattern {p.index} (line {p.line}): {p.label}" for p in report.never] or ["  none"]
    lines += ["", f"Patterns matching far more than the rest (>= {BROAD_FACTOR}x the median of "
                  f"{report.broad_median:g} hits, and >= {BROAD_MINIMUM}):"]
    lines += [f"  - {p.code_id}, pattern {p.index} (line {p.line}): {p.label}: {p.hits} hits" for p in report.broad] \
        or ["  none"]
    lines += ["", "Codes coding the same words (matches in common):"]
    lines += [f"  - {a} and {b}: {n}" for a, b, n in report.shared] or ["  none"]
    lines += ["", f"Keyword in context (up to {KWIC_LINES} per pattern):"]
    for p in report.patterns:
        if p.contexts:
            lines.append(f"  {p.code_id}, pattern {p.index}: {p.label}")
            lines += [f"    {context}" for context in p.contexts]
    return "\n".join(lines) + "\n"
