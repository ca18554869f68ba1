"""The coding a report stands on: what reviewers accepted, recoded and coded by hand (or, asked for, the
automatic first pass), as the records the rest of qualkit works with."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualkit.codebook import Codebook
from qualkit.errors import StoreError
from qualkit.segments import CodedSegment, Match, SetAsideHit
from qualkit.settings import StudySettings
from qualkit.transcript import Transcript

CODINGS = ("reviewed", "auto")


@dataclass
class ReviewedCoding:
    """A study's coding for a report: ``segments`` with ``segment_ids`` and ``statuses`` parallel to them."""

    transcripts: list[Transcript]
    codebook: Codebook
    codebook_sha256: str
    segments: list[CodedSegment]
    segment_ids: list[str]
    statuses: list[str]
    set_aside: list[SetAsideHit]
    summary: dict[str, Any]
    memos: list[dict[str, Any]]
    settings: StudySettings = field(default_factory=StudySettings)
    run: dict[str, Any] = field(default_factory=dict)
    coding: str = "reviewed"


def reviewed_coding(path: str | Path, *, coding: str = "reviewed") -> ReviewedCoding:
    """Return the study's reviewed coding (accepted, recoded and manual codings) or, with ``coding='auto'``,
    every automatic segment of the latest run; ``summary`` holds the review's numbers."""
    from qualkit.store.study import open_study

    if coding not in CODINGS:
        raise StoreError(f"unknown coding {coding!r} (choose from {', '.join(CODINGS)})")
    with open_study(path) as study:
        return study.reviewed_coding(coding=coding)


def build_reviewed(transcripts: list[Transcript], codebook: Codebook, segments: list[dict[str, Any]],
                   hits: list[dict[str, Any]], status: dict[str, Any], memos: list[dict[str, Any]],
                   settings: StudySettings, run: dict[str, Any], coding: str) -> ReviewedCoding:
    """Assemble a ``ReviewedCoding`` from the study's segment dicts, set-aside hits, status and memos."""
    paths = {c.id: c.path_label for c in codebook.codes}
    texts = {t.id: t.text for t in transcripts}
    records, ids, statuses = [], [], []
    for s in segments:
        if coding == "auto":
            if s["origin"] != "auto" or s["orphaned"]:
                continue
            state, code_id, start, end, coder = "auto", s["code_id"], s["auto_start"], s["auto_end"], "auto"
        else:
            if s["status"] not in ("accepted", "recoded", "manual"):
                continue
            state, start, end, coder = s["status"], s["start"], s["end"], s["decided_by"] or s["created_by"] or ""
            code_id = s["recode_to"] if state == "recoded" else s["code_id"]
            if code_id not in paths:
                continue  # its code left the codebook: shown for review, not reported
        matches = tuple(Match(m["start"], m["end"], m["text"], m["pattern"], m["kind"]) for m in s["matches"]
                        if start <= m["start"] and m["end"] <= end)
        records.append(CodedSegment(s["transcript_id"], s["speaker"], s["role"], s["turn"], code_id,
                                    paths.get(code_id, s["code_path"]), start, end, texts[s["transcript_id"]][start:end],
                                    matches, coder, s["unit"]))
        ids.append(s["segment_id"])
        statuses.append(state)
    set_aside = [SetAsideHit(h["transcript_id"], h["speaker"], h["role"], h["turn"], h["code_id"], h["code_path"],
                             h["start"], h["end"], h["text"], h["pattern"], h["status"], h["reason"])
                 for h in hits if not h["restored"]]
    acceptance = {}
    for row in status["codes"]:
        decided = row["accepted"] + row["rejected"] + row["recoded"]
        acceptance[row["code_id"]] = round(row["accepted"] / decided, 4) if decided else None
    reviewers = sorted({s["decided_by"] for s in segments if s["decided_by"]} |
                       {s["created_by"] for s in segments if s["created_by"]})
    summary = {"automatic": status["auto"], "accepted": status["accepted"], "rejected": status["rejected"],
               "recoded": status["recoded"], "manual": status["manual"], "pending": status["pending"],
               "orphaned": status["orphaned"], "reviewers": reviewers, "per_code_acceptance": acceptance,
               "agreement": status.get("agreement")}
    return ReviewedCoding(transcripts, codebook, codebook.sha256, records, ids, statuses, set_aside, summary, memos,
                          settings, run, coding)


def run_info(row: tuple | None) -> dict[str, Any]:
    """Return a runs-table row as a plain dict (empty before the first run)."""
    if row is None:
        return {}
    keys = ("run_id", "codebook_version", "settings", "qualkit_version", "spacy_version", "pipeline", "started_at",
            "finished_at", "kept", "orphaned", "new", "segments")
    info = dict(zip(keys, row))
    info["settings"] = json.loads(info["settings"])
    info["pipeline"] = json.loads(info["pipeline"])
    return info
