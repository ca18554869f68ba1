"""JSON transcript exports with speakers and word timings (Reduct's ``segments``/``speaker_name``/``wdlist``).

Also accepted: a list of such segments, and the common ``{"segments": [{"speaker", "text", "start",
"end"}]}`` shapes. Each segment is one turn (a paragraph of the export).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qualkit.errors import TranscriptError
from qualkit.readers.common import ReadOptions, decode
from qualkit.readers.layout import UNKNOWN_SPEAKER, Segment, assemble
from qualkit.transcript import Transcript

SPEAKER_KEYS = ("speaker_name", "speaker", "speakerName", "name", "speaker_label")
TEXT_KEYS = ("text", "transcript", "content", "utterance")
WORD_LISTS = ("wdlist", "words")


def seconds(value: Any) -> str | None:
    """Return seconds as ``HH:MM:SS.mmm``, or None when not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    millis = round(float(value) * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _segment_text(item: dict[str, Any]) -> str:
    for key in WORD_LISTS:
        words = item.get(key)
        if isinstance(words, list) and words:
            parts = []
            for word in words:
                if isinstance(word, dict):
                    parts.append(str(word.get("word", word.get("text", ""))))
                elif isinstance(word, str):
                    parts.append(word)
            joined = "".join(parts) if any(p.endswith(" ") for p in parts) else " ".join(parts)
            if joined.strip():
                return joined
    for key in TEXT_KEYS:
        if isinstance(item.get(key), str):
            return str(item[key])
    return ""


def json_segments(data: Any, path: Path) -> list[Segment]:
    """Return the segments of a parsed JSON export."""
    items = data.get("segments", data.get("utterances", data.get("results"))) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise TranscriptError(f"{path}: JSON has no list of 'segments' (keys: {', '.join(data) if isinstance(data, dict) else type(data).__name__})")
    segments = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise TranscriptError(f"{path}: segment {number} is a {type(item).__name__}, expected an object")
        speaker = next((str(item[k]) for k in SPEAKER_KEYS if item.get(k) not in (None, "")), UNKNOWN_SPEAKER)
        segments.append(Segment(speaker, _segment_text(item), seconds(item.get("start")), seconds(item.get("end")),
                                line=number))
    return segments


def read_json(path: Path, raw: bytes, options: ReadOptions) -> Transcript:
    """Read a JSON transcript export."""
    try:
        data = json.loads(decode(raw, path))
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"{path}, line {exc.lineno}: malformed JSON: {exc.msg}") from None
    return assemble(path, json_segments(data, path), options, fmt="json", merge=False)
