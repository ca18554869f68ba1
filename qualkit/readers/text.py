"""Plain-text transcripts: ``Speaker: text`` turns and their variants, timestamps and YAML front matter.

Handled layouts: ``Name:``, ``NAME:``, ``I:``/``P07:``, ``Name (00:37):`` (Rev), ``Name (00:00:29) - text``,
``[00:01:23] Name:``, ``Speaker:<TAB>text``, Otter's ``Name  0:00`` line above the paragraph, and Zoom's
saved captions (``[Name] 19:00:25`` blocks, merged into turns). The stored text is the file's text
(after front matter), so offsets point into what the user wrote; Zoom captions are rewritten as turns.
"""

from __future__ import annotations

import re
from pathlib import Path

from qualkit.readers.common import RawTurn, ReadOptions, build_transcript, decode, split_front_matter
from qualkit.readers.labels import CAPTION, NOT_LABELS, OTTER, TIME, TURN
from qualkit.readers.layout import Segment, assemble
from qualkit.transcript import Transcript

__all__ = ["TIME", "TURN", "NOT_LABELS", "find_turns", "read_text"]


def _heads(text: str) -> list[re.Match[str]]:
    heads = [m for m in TURN.finditer(text) if m.group("label").casefold().rstrip(".") not in NOT_LABELS]
    otter = list(OTTER.finditer(text))
    if len(otter) >= 2:
        taken = {m.start() for m in heads}
        heads = sorted(heads + [m for m in otter if m.start() not in taken], key=lambda m: m.start())
    timed = [m for m in heads if m.groupdict().get("ts") or m.groupdict().get("ts2")]
    if len(timed) >= 3 and len(timed) >= 0.8 * len(heads):
        # Every real turn carries a time: an untimed ``Word:`` inside a paragraph is speech.
        heads = timed
    return heads


def find_turns(text: str, first_line: int = 1) -> list[RawTurn]:
    """Return the turns of ``Speaker: text`` lines; a turn runs until the next label line."""
    heads = _heads(text)
    turns = []
    line, counted = first_line, 0
    for number, match in enumerate(heads):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        end = heads[number + 1].start() if number + 1 < len(heads) else len(text)
        whole = match.group(0)
        head = match.start() + len(whole) - len(whole.lstrip(" \t"))
        groups = match.groupdict()
        turns.append(RawTurn(
            speaker=match.group("label"),
            start=match.end(),
            end=end,
            line=line,
            timestamp=groups.get("ts") or groups.get("ts2"),
            head=head,
        ))
    return turns


def caption_segments(text: str, first_line: int = 1) -> tuple[list[Segment], str] | None:
    """Return Zoom saved-caption blocks as segments (and the text before them), or None if not that layout."""
    blocks = list(CAPTION.finditer(text))
    if len(blocks) < 2 or len(blocks) < 0.5 * text.count("\n\n"):
        return None
    segments = []
    line, counted = first_line, 0
    for number, match in enumerate(blocks):
        end = blocks[number + 1].start() if number + 1 < len(blocks) else len(text)
        line += text.count("\n", counted, match.start())
        counted = match.start()
        segments.append(Segment(match.group("label"), text[match.end():end], match.group("ts"), line=line))
    return segments, text[: blocks[0].start()]


def read_text(path: Path, raw: bytes, options: ReadOptions) -> Transcript:
    """Read a plain-text or Markdown transcript."""
    meta, body, skipped = split_front_matter(decode(raw, path), path)
    captions = caption_segments(body, skipped + 1)
    if captions is not None:
        segments, preamble = captions
        return assemble(path, segments, options, fmt="zoom-captions", preamble=preamble, meta=meta)
    return build_transcript(path, body, find_turns(body, skipped + 1), options, meta=meta, fmt="text")
