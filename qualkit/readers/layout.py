"""Building a clean stored text from speech pieces: used by every reader whose source is not plain text.

Formats such as WebVTT, Word or PDF do not hand qualkit a text whose offsets could be kept, so the
reader collects :class:`Segment` pieces (speaker, words, times) and :func:`assemble` writes them as
``Speaker: words`` paragraphs, merging consecutive pieces of one speaker and recording each turn's span.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from qualkit.readers.common import RawTurn, ReadOptions, build_transcript
from qualkit.readers.labels import label_of
from qualkit.transcript import Transcript

UNKNOWN_SPEAKER = "Unknown"


@dataclass(frozen=True)
class Segment:
    """A piece of speech as a source gives it: who (None: not said), the words, and optional times."""

    speaker: str | None
    text: str
    timestamp: str | None = None
    end_timestamp: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of a document, with the speaker its formatting names (a bold label), if any."""

    text: str
    speaker: str | None = None
    timestamp: str | None = None
    line: int = 0


def _clean(text: str) -> str:
    """Collapse the whitespace of one piece of speech, keeping paragraph breaks as single newlines."""
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def assemble(
    path: Path,
    segments: Iterable[Segment],
    options: ReadOptions,
    *,
    fmt: str,
    preamble: str = "",
    meta: Mapping[str, Any] | None = None,
    merge: bool = True,
) -> Transcript:
    """Write segments as ``Speaker: words`` paragraphs and return the Transcript with the turns' spans.

    Consecutive segments of one speaker become one turn (``merge``); a segment without a speaker
    continues the previous turn, or joins the preamble when no turn has started.
    """
    merged: list[list[Any]] = []  # [speaker, [texts], timestamp, end_timestamp, line]
    pre = [_clean(preamble)] if preamble.strip() else []
    for seg in segments:
        words = _clean(seg.text)
        if seg.speaker is None or (merged and merge and seg.speaker == merged[-1][0]):
            if merged:
                if words:
                    merged[-1][1].append(words)
                merged[-1][3] = seg.end_timestamp or merged[-1][3]
            elif words:
                pre.append(words)
            continue
        merged.append([" ".join(seg.speaker.split()), [words] if words else [], seg.timestamp,
                       seg.end_timestamp, seg.line])
    parts: list[str] = []
    offset = 0
    if pre:
        parts.append("\n\n".join(pre) + "\n\n")
        offset = len(parts[0])
    raw_turns = []
    for speaker, texts, timestamp, end_timestamp, line in merged:
        name = options.canonical(speaker)
        head = offset
        label = f"{name}: "
        body = " ".join(texts)
        start = offset + len(label)
        raw_turns.append(RawTurn(speaker, start, start + len(body), line, timestamp, end_timestamp, head=head))
        chunk = f"{label}{body}\n\n"
        parts.append(chunk)
        offset += len(chunk)
    return build_transcript(path, "".join(parts), raw_turns, options, meta=meta, fmt=fmt)


def paragraphs_to_segments(paragraphs: Iterable[Paragraph]) -> tuple[list[Segment], str]:
    """Turn document paragraphs into segments: a paragraph opening a turn (bold label or ``Label:``)
    starts one, any other continues the turn before it. Returns (segments, preamble text)."""
    segments: list[Segment] = []
    preamble: list[str] = []
    for para in paragraphs:
        if para.speaker is not None:
            segments.append(Segment(para.speaker, para.text, para.timestamp, line=para.line))
            continue
        found = label_of(para.text)
        if found is not None:
            label, rest, ts = found
            segments.append(Segment(label, rest, ts or para.timestamp, line=para.line))
        elif segments:
            segments.append(Segment(None, para.text, line=para.line))
        elif para.text.strip():
            preamble.append(para.text)
    return segments, "\n".join(preamble)
