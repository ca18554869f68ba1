"""Pattern feedback: per pattern, how many of the passages it coded reviewers accepted, rejected or recoded.

This is what tells a researcher which pattern to fix; ``qualkit codebook check`` shows it for a study.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualkit.codebook import Codebook, parse_codebook
from qualkit.errors import StoreError
from qualkit.store import DATABASE, open_study


@dataclass
class PatternFeedback:
    """Reviewers' verdicts on the automatic passages one pattern of a code fired on."""

    code_id: str
    pattern: str
    passages: int = 0
    accepted: int = 0
    rejected: int = 0
    recoded: int = 0
    pending: int = 0

    @property
    def precision(self) -> float | None:
        """The share of reviewed passages reviewers kept under this code (None before any review)."""
        reviewed = self.accepted + self.rejected + self.recoded
        return self.accepted / reviewed if reviewed else None


def pattern_feedback(study: Any) -> list[PatternFeedback]:
    """Count, per code and pattern, the reviewers' latest verdicts on the automatic passages it coded.

    ``study`` is an open ``qualkit.store.Study`` or a study folder. A passage several patterns fired on
    counts for each of them; orphaned passages (no longer produced by the codebook) are left out.
    """
    if isinstance(study, (str, Path)):
        with open_study(study) as opened:
            return pattern_feedback(opened)
    found: dict[tuple[str, str], PatternFeedback] = {}
    order = {code["code_id"]: number for number, code in enumerate(study.codes())}
    for segment in study.segments():
        if segment.get("origin") == "manual" or segment["status"] in ("orphaned", "manual"):
            continue
        for label in segment.get("patterns") or []:
            row = found.setdefault((segment["code_id"], label), PatternFeedback(segment["code_id"], label))
            row.passages += 1
            status = segment["status"]
            if status in ("accepted", "rejected", "recoded", "pending"):
                setattr(row, status, getattr(row, status) + 1)
    return sorted(found.values(), key=lambda r: (order.get(r.code_id, len(order)), -r.passages, r.pattern))


def render_pattern_feedback(rows: list[PatternFeedback], study_name: str) -> str:
    """Return the pattern feedback as the plain-text section ``qualkit codebook check`` prints."""
    lines = [f"Reviewers' verdicts per pattern (study {study_name}; kept = accepted of reviewed):",
             f"  {'code':<24} {'passages':>8} {'accepted':>8} {'rejected':>8} {'recoded':>7} {'pending':>7} "
             f"{'kept':>5}  pattern"]
    for row in rows:
        kept = f"{row.precision:.0%}" if row.precision is not None else "-"
        lines.append(f"  {row.code_id:<24} {row.passages:>8} {row.accepted:>8} {row.rejected:>8} {row.recoded:>7} "
                     f"{row.pending:>7} {kept:>5}  {row.pattern}")
    if not rows:
        lines.append("  no automatic passages yet (run `qualkit study code`)")
    return "\n".join(lines) + "\n"


def is_study(path: str | Path) -> bool:
    """Whether ``path`` is a study folder (it holds a study database)."""
    return Path(path, DATABASE).is_file()


def study_codebook(study_path: str | Path) -> Codebook:
    """Return the codebook a study's latest run applied (its stored YAML, parsed again)."""
    with open_study(study_path) as study:
        runs, books = study.runs(), study.codebooks()
    if not books:
        raise StoreError(f"{study_path}: the study holds no codebook")
    version = runs[-1]["codebook_version"] if runs else books[-1]["version"]
    book = next(b for b in books if b["version"] == version)
    return parse_codebook(book["yaml"], f"{book['source']} (version {version} in study {Path(study_path).name})",
                          book["sha256"])
