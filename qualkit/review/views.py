"""What the review page shows, as plain data: codes with progress, queues of passages in their turn's
context, set-aside hits, a transcript for manual coding. No web framework here, so it is tested alone."""

from __future__ import annotations

import threading
from typing import Any

CONTEXT_LIMIT = 2400   # a turn longer than this (characters) is shown as a window around the passage
CONTEXT_MARGIN = 800
MODES = ("code", "transcript", "pattern")
STATUSES = ("pending", "accepted", "rejected", "recoded", "manual", "orphaned")


class TranscriptCache:
    """Transcripts by id, read once per page server: a study's transcripts never change after import."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, dict[str, Any]] = {}
        self._summaries: list[dict[str, Any]] | None = None
        self._groups: dict[str, str] = {}

    def summaries(self, study: Any) -> list[dict[str, Any]]:
        """Return the study's transcripts without their text (id, speakers, attributes, turns, words)."""
        with self._lock:
            if self._summaries is None:
                self._summaries = study.transcripts()
                by = study.settings().group_by
                self._groups = {t["transcript_id"]: str((t.get("attributes") or {}).get(by, "") or "")
                                for t in self._summaries}
            return self._summaries

    def group(self, study: Any, transcript_id: str) -> str:
        """Return the transcript's group (its value of the study's ``group_by`` attribute, or '')."""
        self.summaries(study)
        return self._groups.get(transcript_id, "")

    def get(self, study: Any, transcript_id: str) -> dict[str, Any]:
        """Return one transcript with its text and turns (turns also keyed by index as ``by_index``)."""
        with self._lock:
            found = self._items.get(transcript_id)
        if found is None:
            found = dict(study.transcript(transcript_id))
            found["by_index"] = {turn["index"]: turn for turn in found["turns"]}
            with self._lock:
                self._items[transcript_id] = found
        return found

    def attributes(self, study: Any, transcript_id: str) -> dict[str, str]:
        """Return a transcript's attributes (empty when it has none)."""
        for item in self.summaries(study):
            if item["transcript_id"] == transcript_id:
                return dict(item.get("attributes") or {})
        return {}


def overview(study: Any, cache: TranscriptCache, *, coder: str) -> dict[str, Any]:
    """Return what the page's sidebar lists: codes, transcripts, coders (progress comes apart: it is slower)."""
    codes = [{"code_id": code["code_id"], "path": code["path"], "name": code.get("name", code["code_id"]),
              "definition": code.get("definition") or "", "include": code.get("include") or "",
              "exclude": code.get("exclude") or ""} for code in study.codes()]
    transcripts = [{"transcript_id": t["transcript_id"], "speakers": list(t.get("speakers") or []),
                    "group": cache.group(study, t["transcript_id"])}
                   for t in cache.summaries(study)]
    return {"coder": coder, "codes": codes, "transcripts": transcripts, "coders": study.coders()}


def progress(study: Any, *, coder: str | None = None) -> dict[str, dict[str, int]]:
    """Return per code how many of its automatic passages are reviewed, of how many."""
    return {row["code_id"]: {"reviewed": row["reviewed"], "total": row["total"]}
            for row in study.progress(coder=coder)}


def queue(study: Any, cache: TranscriptCache, *, mode: str, key: str, pattern: str | None = None,
          status: str | None = None, coder: str | None = None) -> dict[str, Any]:
    """Return the passages to review by code, by transcript or by pattern, in transcript order, and how
    many of the queue's automatic passages are reviewed (``status`` filters the passages, not the count)."""
    if mode == "code":
        found = study.segments(code_id=key, coder=coder)
    elif mode == "transcript":
        found = study.segments(transcript_id=key, coder=coder)
    elif mode == "pattern":
        found = study.segments(code_id=key, pattern=pattern, coder=coder)
    else:
        raise ValueError(f"unknown review mode {mode!r} (choose {', '.join(MODES)})")
    automatic = [s for s in found if s.get("origin") == "auto"]
    reviewed = sum(s["status"] not in ("pending", "orphaned") for s in automatic)
    found.sort(key=lambda s: (s["transcript_id"], s["start"], s["end"], s["code_id"]))
    items = [passage(study, cache, s) for s in found if status is None or s["status"] == status]
    return {"items": items, "progress": {"reviewed": reviewed, "total": len(automatic)}}


def passage(study: Any, cache: TranscriptCache, segment: dict[str, Any]) -> dict[str, Any]:
    """Return one segment as the page shows it: its fields, its turn as context, participant and group."""
    transcript = cache.get(study, segment["transcript_id"])
    low, high, clipped_start, clipped_end = context_span(transcript, segment)
    group = cache.group(study, segment["transcript_id"])
    keep = ("segment_id", "transcript_id", "speaker", "role", "turn", "start", "end", "code_id", "code_path",
            "origin", "status", "recode_to", "memo", "decided_by", "decided_at", "version")
    shown = {name: segment.get(name) for name in keep}
    shown["matches"] = [{"start": m["start"], "end": m["end"], "pattern": m.get("pattern", "")}
                        for m in segment.get("matches") or []]
    shown["patterns"] = list(segment.get("patterns") or [])
    shown["group"] = group
    shown["context"] = {"start": low, "end": high, "text": transcript["text"][low:high],
                        "clipped_start": clipped_start, "clipped_end": clipped_end}
    return shown


def context_span(transcript: dict[str, Any], segment: dict[str, Any]) -> tuple[int, int, bool, bool]:
    """Return the span of a segment's turn (a window of it when long) and whether it was clipped each side."""
    turn = transcript["by_index"].get(segment.get("turn"))
    start, end = segment["start"], segment["end"]
    low, high = (min(turn["start"], start), max(turn["end"], end)) if turn else (start, end)
    left, right = _window(transcript["text"], low, high, start, end)
    return left, right, left > low, right < high


def _window(text: str, low: int, high: int, start: int, end: int) -> tuple[int, int]:
    """Clip a long context to whole words around the passage."""
    if high - low <= CONTEXT_LIMIT:
        return low, high
    left, right = max(low, start - CONTEXT_MARGIN), min(high, end + CONTEXT_MARGIN)
    while left > low and not text[left - 1].isspace():
        left -= 1
    while right < high and not text[right].isspace():
        right += 1
    return left, right


def patterns_of(study: Any, code_id: str, *, coder: str | None = None) -> list[dict[str, Any]]:
    """Return the patterns that fired for a code, each with its passages and how many are reviewed."""
    counts: dict[str, list[int]] = {}
    for segment in study.segments(code_id=code_id, coder=coder):
        if segment.get("origin") != "auto":
            continue
        for label in segment.get("patterns") or []:
            row = counts.setdefault(label, [0, 0])
            row[0] += 1
            row[1] += segment["status"] != "pending"
    return [{"pattern": label, "total": total, "reviewed": reviewed}
            for label, (total, reviewed) in sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))]


def set_aside(study: Any, cache: TranscriptCache, code_id: str) -> list[dict[str, Any]]:
    """Return a code's set-aside hits (negated, excluded, restricted), each with its turn as context."""
    shown = []
    for hit in study.set_aside(code_id=code_id):
        transcript = cache.get(study, hit["transcript_id"])
        turn = _turn_at(transcript, hit["start"])
        low, high = (turn["start"], turn["end"]) if turn else (hit["start"], hit["end"])
        low, high = _window(transcript["text"], min(low, hit["start"]), max(high, hit["end"]), hit["start"], hit["end"])
        speaker = hit.get("speaker") or (turn["speaker"] if turn else "")
        shown.append({**{k: hit.get(k) for k in ("hit_id", "transcript_id", "code_id", "start", "end", "status",
                                                   "reason", "pattern", "restored")},
                      "speaker": speaker, "group": cache.group(study, hit["transcript_id"]),
                      "context": {"start": low, "end": high, "text": transcript["text"][low:high]}})
    shown.sort(key=lambda h: (h["transcript_id"], h["start"]))
    return shown


def _turn_at(transcript: dict[str, Any], offset: int) -> dict[str, Any] | None:
    for turn in transcript["turns"]:
        if turn["start"] <= offset < turn["end"]:
            return turn
    return None


def transcript_view(study: Any, cache: TranscriptCache, transcript_id: str) -> dict[str, Any]:
    """Return a transcript for reading and manual coding: its text, turns and the passages coded in it."""
    transcript = cache.get(study, transcript_id)
    coded = [{"segment_id": s["segment_id"], "start": s["start"], "end": s["end"], "code_id": s["code_id"],
              "status": s["status"], "origin": s.get("origin")}
             for s in study.segments(transcript_id=transcript_id)
             if s["status"] in ("accepted", "recoded", "manual", "pending")]
    return {"transcript_id": transcript_id, "text": transcript["text"],
            "attributes": cache.attributes(study, transcript_id),
            "turns": [{k: turn.get(k) for k in ("index", "speaker", "role", "start", "end", "timestamp")}
                      for turn in transcript["turns"]],
            "coded": coded}
