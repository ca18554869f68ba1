"""Plain-text transcripts: ``Speaker: text`` turns, optional timestamps and YAML front matter."""

from __future__ import annotations

import re
from pathlib import Path

from qualkit.readers.common import RawTurn, ReadOptions, build_transcript, decode, split_front_matter
from qualkit.transcript import Transcript

TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"
# A turn opens a line: optional [timestamp], a label of one to four capitalised words or an id
# (P07, HT01, Speaker 1, Dr Jones, Felix (Geth)), an optional (timestamp), then a colon.
TURN = re.compile(
    rf"""^[ \t]*(?:\[(?P<ts>{TIME})\][ \t]*)?
    (?P<label>(?:[A-Z][\w.'’-]*|\d+)(?:[ \t]+(?:[A-Z0-9][\w.'’-]*|\((?!{TIME}\))[^()\n]{{1,30}}\)|&|and|de|van|von)){{0,3}})
    [ \t]*(?:\((?P<ts2>{TIME})\))?[ \t]*:(?:[ \t]+|$)""",
    re.VERBOSE | re.MULTILINE,
)
NOT_LABELS = {"note", "notes", "http", "https", "re", "ps", "nb", "eg", "ie"}


def find_turns(text: str, first_line: int = 1) -> list[RawTurn]:
    """Return the turns of ``Speaker: text`` lines; a turn runs until the next label line."""
    heads = [m for m in TURN.finditer(text) if m.group("label").casefold().rstrip(".") not in NOT_LABELS]
    turns = []
    for number, match in enumerate(heads):
        end = heads[number + 1].start() if number + 1 < len(heads) else len(text)
        turns.append(RawTurn(
            speaker=match.group("label"),
            start=match.end(),
            end=end,
            line=text.count("\n", 0, match.start()) + first_line,
            timestamp=match.group("ts") or match.group("ts2"),
        ))
    return turns


def read_text(path: Path, raw: bytes, options: ReadOptions) -> Transcript:
    """Read a plain-text or Markdown transcript."""
    meta, body, skipped = split_front_matter(decode(raw, path), path)
    return build_transcript(path, body, find_turns(body, skipped + 1), options, meta=meta, fmt="text")
