"""JSON transcript exports with speakers and word timings (Reduct's ``segments``/``speaker_name``/``wdlist``).

Also accepted: a list of such segments, and the common ``{"segments": [{"speaker", "text", "start",
"end"}]}`` shapes. Each segment is one turn (a paragraph of the export).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from qualkit.errors import NotTranscriptError, TranscriptError
from qualkit.readers.common import ReadOptions, decode
from qualkit.readers.layout import UNKNOWN_SPEAKER, Segment, assemble
from qualkit.transcript import Transcript

SPEAKER_KEYS = ("speaker_name", "speaker", "speakerName", "name", "speaker_label")
TEXT_KEYS = ("text", "transcript", "content", "utterance")
WORD_LISTS = ("wdlist", "words")


def seconds(value: Any, scale: float = 1.0) -> str | None:
    """Return a time (seconds, or ``scale`` of a second each) as ``HH:MM:SS.mmm``, or None when not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    millis = round(float(value) * scale * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _segment_text(item: dict[str, Any]) -> str:
    """Return a segment's words: its text when it has one (AssemblyAI's ``words`` may be partial), else its
    word list joined (Reduct's ``wdlist``)."""
    for key in TEXT_KEYS:
        if isinstance(item.get(key), str) and item[key].strip():
            return str(item[key])
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
    return ""


def _speaker(item: dict[str, Any]) -> str | None:
    value = next((item[k] for k in SPEAKER_KEYS if item.get(k) not in (None, "")), None)
    if value is None:
        return None
    return f"Speaker {value}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def in_milliseconds(items: list[Any]) -> bool:
    """Return whether a file's times are milliseconds (AssemblyAI): whole numbers whose typical segment
    would last minutes if they were seconds."""
    spans = [(i.get("start"), i.get("end")) for i in items if isinstance(i, dict)]
    spans = [(a, b) for a, b in spans if isinstance(a, (int, float)) and isinstance(b, (int, float))]
    if not spans or not all(float(a).is_integer() and float(b).is_integer() for a, b in spans):
        return False
    lengths = sorted(b - a for a, b in spans)
    return lengths[len(lengths) // 2] >= 200


def json_segments(data: Any, path: Path) -> list[Segment]:
    """Return the segments of a parsed JSON export (times in seconds, or milliseconds when they read so, said)."""
    items = data.get("segments", data.get("utterances", data.get("results"))) if isinstance(data, dict) else data
    if isinstance(items, dict) and isinstance(items.get("utterances"), list):
        items = items["utterances"]  # Deepgram: results.utterances
    if not isinstance(items, list):
        what = f"keys: {', '.join(map(str, data))}" if isinstance(data, dict) else type(data).__name__
        raise NotTranscriptError(f"{path}: not a transcript: its JSON has no list of 'segments' ({what})")
    scale = 0.001 if in_milliseconds(items) else 1.0
    if scale != 1.0:
        warnings.warn(f"{path}: segment times are whole numbers, hundreds or more a segment: read as milliseconds",
                      stacklevel=3)
    segments = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise TranscriptError(f"{path}: segment {number} is a {type(item).__name__}, expected an object")
        segments.append(Segment(_speaker(item) or UNKNOWN_SPEAKER, _segment_text(item),
                                seconds(item.get("start"), scale), seconds(item.get("end"), scale), line=number))
    if segments and not any(_speaker(item) for item in items):
        warnings.warn(f"{path}: no speaker in any segment; read as one speaker {UNKNOWN_SPEAKER!r}", stacklevel=3)
    return segments


def read_json(path: Path, raw: bytes, options: ReadOptions) -> Transcript:
    """Read a JSON transcript export."""
    try:
        data = json.loads(decode(raw, path))
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"{path}, line {exc.lineno}: malformed JSON: {exc.msg}") from None
    return assemble(path, json_segments(data, path), options, fmt="json", merge=False)
