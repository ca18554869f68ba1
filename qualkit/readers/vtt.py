"""WebVTT and SubRip captions (Zoom, Teams, Rev, noScribe): cues parsed by webvtt-py, merged into turns.

Speakers come from ``<v Name>`` voice spans (``<v 0>`` numeric voices read as ``Speaker 0``) or from a
``Name:`` prefix in the cue text (Zoom, SRT). Rev gives a voice only on the first cue of a turn: the
speaker is carried to the cues after it. Consecutive cues of one speaker become one turn whose
timestamps are the first cue's start and the last cue's end.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path
from typing import Any

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from qualkit.errors import TranscriptError
from qualkit.readers.common import ReadOptions, decode
from qualkit.readers.layout import UNKNOWN_SPEAKER, Segment, assemble
from qualkit.transcript import Transcript

# Zoom writes ``Name: text``; names may be lower-case handles, carry (Team) or a curly apostrophe.
PREFIX = re.compile(r"^(?P<name>[^\s:<>][^:\n<>]{0,60}?):[ \t]+(?=\S)")
NOTE_ONLY = re.compile(r"^\s*[\(\[][^\)\]]*[\)\]]\s*$")  # (pause), [inaudible]


def _voice_name(voice: str) -> str:
    name = " ".join(voice.strip().lstrip("/").split())
    return f"Speaker {name}" if name.isdigit() else name


def _plausible_prefix(name: str) -> bool:
    words = name.split()
    return 0 < len(words) <= 6 and not name.rstrip().endswith((",", "."))


def cue_segments(captions: list[Any], path: Path) -> list[Segment]:
    """Turn parsed cues into segments, deciding where each cue's speaker comes from."""
    texts = [caption.text for caption in captions]
    voices = [caption.voice for caption in captions]
    prefixes = [PREFIX.match(t) for t in texts]
    prefixed = sum(1 for m in prefixes if m and _plausible_prefix(m.group("name")))
    voiced = sum(1 for v in voices if v)
    use_prefix = not voiced and prefixed >= max(2, 0.5 * len(captions))
    every_cue_named = (voiced if voiced else prefixed) >= 0.9 * len(captions)
    segments: list[Segment] = []
    current: str | None = None
    unnamed = 0
    for number, caption in enumerate(captions):
        text = texts[number]
        speaker: str | None = None
        if voices[number]:
            speaker = _voice_name(voices[number])
        elif use_prefix and prefixes[number] and _plausible_prefix(prefixes[number].group("name")):
            speaker = prefixes[number].group("name").strip()
            text = text[prefixes[number].end():]
        elif voiced or use_prefix:
            if every_cue_named and not NOTE_ONLY.match(text):
                speaker = UNKNOWN_SPEAKER
                unnamed += 1
            else:
                speaker = current  # Rev: the voice is given on a turn's first cue only
        if speaker is None and not (voiced or use_prefix):
            speaker = UNKNOWN_SPEAKER
        current = speaker if speaker != UNKNOWN_SPEAKER else current
        segments.append(Segment(speaker, text, caption.start, caption.end, line=number + 1))
    if not (voiced or use_prefix) and segments:
        warnings.warn(f"{path}: no speaker names in the captions; read as one speaker {UNKNOWN_SPEAKER!r}",
                      stacklevel=3)
    elif unnamed:
        warnings.warn(f"{path}: {unnamed} cue(s) without a speaker name, read as {UNKNOWN_SPEAKER!r}",
                      stacklevel=3)
    return segments


def _parse(path: Path, text: str, kind: str) -> list[Any]:
    try:
        return list(webvtt.from_buffer(io.StringIO(text), format=kind).captions)
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise TranscriptError(f"{path}: not a valid {'SubRip' if kind == 'srt' else 'WebVTT'} file: {exc}") from None
    except (ValueError, IndexError, AttributeError, TypeError) as exc:
        raise TranscriptError(f"{path}: cannot parse captions: {exc}") from None


def read_vtt(path: Path, raw: bytes, options: ReadOptions) -> Transcript:
    """Read a WebVTT caption file (Zoom, Teams, Rev, noScribe) into turns."""
    text = decode(raw, path)
    if not text.endswith("\n"):
        text += "\n"  # Teams' downloads end without a newline
    captions = _parse(path, text, "vtt")
    if not captions:
        raise TranscriptError(f"{path}: WebVTT file has no cues")
    return assemble(path, cue_segments(captions, path), options, fmt="vtt")


def read_srt(path: Path, raw: bytes, options: ReadOptions) -> Transcript:
    """Read a SubRip caption file; speakers are ``Name:`` prefixes in the cue text."""
    text = decode(raw, path).strip("\n") + "\n"
    captions = _parse(path, text, "srt")
    if not captions:
        raise TranscriptError(f"{path}: SubRip file has no cues")
    return assemble(path, cue_segments(captions, path), options, fmt="srt")
