"""Caption cues in a plain-text file: ``0:0:0.0 --> 0:0:5.120`` blocks without a WebVTT or SubRip header.

Teams transcripts copied into a ``.txt`` (time range, speaker line, words), WebVTT saved without its
``WEBVTT`` line, SubRip cues that do not open the file, the whisper command line's ``[start --> end]  words``
lines: each block is a time range, then either a speaker on a line of its own, a ``Name:`` prefix, or a
``<v Name>`` voice, then the words. Which of these a file uses is decided over all its blocks (a caption's
first line is not taken for a name unless the file's blocks open so), and said in a warning, as is a file
whose cues name no one.
"""

from __future__ import annotations

import re
from collections import Counter

from qualkit.readers.labels import numbered
from qualkit.readers.layout import UNKNOWN_SPEAKER, Segment

CUE_TIME = r"\d{1,2}:\d{1,2}(?::\d{1,2})?(?:[.,]\d+)?"
# A cue's time range on a line of its own (its settings, or a ``[Speaker 0]``, after it), or in brackets before the
# words on the same line, as the whisper command line writes its text: ``[00:00.000 --> 00:04.200]  words``.
CUE = re.compile(rf"""^[ \t]*(?:\d+[ \t]*\n[ \t]*)?(?P<open>\[)?(?P<start>{CUE_TIME})[ \t]*-->[ \t]*(?P<end>{CUE_TIME})
    (?(open)\][ \t]*|(?P<tail>[^\n]*)(?:\n|\Z))""", re.MULTILINE | re.VERBOSE)
TAIL_NAME = re.compile(r"^[ \t]*\[(?P<name>[^\]\n]{1,60})\][ \t]*$")
VOICE = re.compile(r"^<v(?:\.[\w.-]+)?[ \t]+(?P<name>[^>]{1,60})>")
PREFIX = re.compile(r"^(?P<name>[^\s:<>][^:\n<>]{0,60}?):[ \t]+(?=\S)")
TAGS = re.compile(r"</?(?:v|c|i|b|u|lang)(?:[. ][^>]*)?>")


def _name_line(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 5 and not line.rstrip().endswith((".", ",", "?", "!", ";")) and not line[:1].islower()


def cue_blocks(text: str, first_line: int = 1) -> tuple[list[Segment], str, str] | None:
    """Return a text's cue blocks as segments, the text before them and how speakers were found; or None
    when the text is not cues (fewer than two, or under half its paragraphs)."""
    if "-->" not in text:
        return None
    found = list(CUE.finditer(text))
    paragraphs = len([p for p in re.split(r"\n[ \t]*\n", text) if p.strip()])
    if len(found) < 2 or len(found) < 0.5 * paragraphs:
        return None
    bodies = []
    for number, match in enumerate(found):
        end = found[number + 1].start() if number + 1 < len(found) else len(text)
        lines = [line.strip() for line in text[match.end():end].split("\n") if line.strip()]
        bodies.append((match, lines))
    firsts = [lines[0] for _, lines in bodies if len(lines) >= 2 and _name_line(lines[0])]
    voiced = sum(1 for _, lines in bodies if lines and VOICE.match(lines[0]))
    prefixed = sum(1 for _, lines in bodies if lines and PREFIX.match(lines[0]))
    tailed = sum(1 for match, _ in bodies if TAIL_NAME.match(match.group("tail") or ""))
    if voiced >= 0.5 * len(bodies):
        how = "voices (<v Name>)"
    elif tailed >= 0.5 * len(bodies):
        how = "a [Name] after each time range"
    elif len(firsts) >= 0.8 * len(bodies) and len(set(firsts)) <= max(2, len(firsts) // 2):
        how = "a speaker line under each time"
    elif prefixed >= 0.5 * len(bodies):
        how = "'Name:' at the start of each cue"
    else:
        how = ""
    segments = []
    for (line, match), (_, lines) in zip(numbered(text, found, first_line), bodies):
        speaker, words = None, lines
        if how.startswith("a [Name]") and (tail := TAIL_NAME.match(match.group("tail") or "")):
            speaker = " ".join(tail.group("name").split())
        elif how.startswith("voices") and lines and (voice := VOICE.match(lines[0])):
            speaker = " ".join(voice.group("name").split())
        elif how.startswith("a speaker") and len(lines) >= 2 and _name_line(lines[0]):
            speaker, words = lines[0].rstrip(":").strip(), lines[1:]
        elif how.startswith("'Name:'") and lines and (prefix := PREFIX.match(lines[0])):
            speaker, words = prefix.group("name").strip(), [lines[0][prefix.end():], *lines[1:]]
        elif not how:
            speaker = UNKNOWN_SPEAKER
        segments.append(Segment(speaker, TAGS.sub("", "\n".join(words)), match.group("start"), match.group("end"), line))
    said = Counter(s.speaker for s in segments if s.speaker)
    note = (f"read as {len(segments)} caption cues (a time range, then the words) with speakers from {how} "
            f"({len(said)} speakers)" if how else
            f"read as {len(segments)} caption cues (a time range, then the words) that name no speaker: one speaker "
            f"{UNKNOWN_SPEAKER!r}")
    return segments, text[:found[0].start()], note
