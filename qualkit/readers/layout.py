"""Building a clean stored text from speech pieces: used by every reader whose source is not plain text.

Formats such as WebVTT, Word or PDF do not hand qualkit a text whose offsets could be kept, so the
reader collects :class:`Segment` pieces (speaker, words, times) and :func:`assemble` writes them as
``Speaker: words`` paragraphs, merging consecutive pieces of one speaker and recording each turn's span.
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from qualkit.readers.common import RawTurn, ReadOptions, build_transcript
from qualkit.readers.labels import LABEL
from qualkit.readers.learn import learn
from qualkit.errors import NotTranscriptError
from qualkit.readers.unlabelled import ANSWERER, QUESTIONER, Block, assign, list_reason
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
    style: str = ""
    """The formatting the whole paragraph is set in (``b`` bold, ``i`` italic, ``bi``), for unlabelled documents."""


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
    interviewer_names: Iterable[str] = (),
    participant_names: Iterable[str] = (),
    cover: Mapping[str, str] | None = None,
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
    return build_transcript(path, "".join(parts), raw_turns, options, meta=meta, fmt=fmt, cover=cover,
                            interviewer_names=interviewer_names, participant_names=participant_names)


def read_paragraphs(path: Path, paragraphs: Iterable[Paragraph], options: ReadOptions, *, fmt: str,
                    joiner: str = "\n\n") -> Transcript:
    """Read a document's paragraphs as a transcript: labels learned from their openings (see learn.py),
    a bold or tabled speaker taken as given, a cover block kept as attributes; a document without labels
    is read as questions and answers (by question marks or paragraph style) or one turn per paragraph."""
    paras = [p for p in paragraphs if p.text.strip() or p.speaker is not None]
    pieces = [p.text if p.speaker is None else f"{p.speaker}: {p.text}" for p in paras]
    offsets, position = [], 0
    for piece in pieces:
        offsets.append(position)
        position += len(piece) + len(joiner)
    joined = joiner.join(pieces)
    learned = learn(joined, extra_known=options.known_forms())
    if learned.headings:  # a report's bold ``Heading:`` paragraphs name no speakers either
        paras = [p if p.speaker is None else Paragraph(f"{p.speaker}: {p.text}", None, p.timestamp, p.line, p.style)
                 for p in paras]
    starts = [1]
    for piece in pieces[:-1] if learned.warnings else ():
        starts.append(starts[-1] + piece.count("\n") + joiner.count("\n"))
    for line, message in learned.warnings:
        para = paras[bisect_right(starts, line) - 1]
        warnings.warn(f"{path}, {'line' if joiner == chr(10) else 'paragraph'} {para.line}: {message}", stacklevel=3)
    opening: dict[int, tuple[str, str, str | None]] = {}
    for head, speaker in learned.heads:
        number = bisect_right(offsets, head.head) - 1
        if joined[offsets[number]:head.head].strip() == "":
            rest = joined[head.start:offsets[number] + len(pieces[number])]
            opening[number] = (speaker, rest, head.timestamp)
    first = bisect_left(offsets, learned.cover_end) if learned.cover_end else 0
    segments: list[Segment] = []
    preamble = [p.text for p in paras[:first]]
    others = _only_interviewer_labelled(path, paras[first:], opening, options)
    for number, para in enumerate(paras[first:], start=first):
        if others and para.speaker is None and number not in opening and para.text.strip():
            segments.append(Segment(ANSWERER, para.text, line=para.line))
        elif para.speaker is not None:
            segments.append(Segment(para.speaker, para.text, para.timestamp, line=para.line))
        elif number in opening:
            speaker, rest, stamp = opening[number]
            segments.append(Segment(speaker, rest, stamp or para.timestamp, line=para.line))
        elif segments:
            segments.append(Segment(None, para.text, line=para.line))
        else:
            preamble.append(para.text)
    if not segments:  # nothing labelled: every paragraph went to the preamble; start it again
        preamble = [p.text for p in paras[:first]]
        segments = _name_paragraphs(path, paras[first:], preamble)
    if not segments:
        segments, preamble = _unlabelled(path, paras[first:], preamble)
    return assemble(path, segments, options, fmt=fmt, preamble="\n".join(preamble), merge=False,
                    cover=learned.cover, interviewer_names=learned.interviewer_names,
                    participant_names=learned.participant_names)


def _only_interviewer_labelled(path: Path, paras: list[Paragraph], opening: dict[int, tuple[str, str, str | None]],
                               options: ReadOptions) -> bool:
    """Return whether only the interviewer's paragraphs carry labels (a transcriber marked only ``MODERATOR:``)
    while most paragraphs carry none: then those are the participant's; warn saying so."""
    from qualkit.readers.roles import forms_of
    from qualkit.readers.vocab import label_matches

    labelled = {speaker for speaker, _, _ in opening.values()} | {p.speaker for p in paras if p.speaker}
    bare = sum(1 for n, p in enumerate(paras) if p.speaker is None and n not in opening and p.text.strip())
    asking = forms_of(options.interviewer_labels)
    if not labelled or bare < len(opening) or not all(label_matches(s, asking) for s in labelled):
        return False
    warnings.warn(f"{path}: only the interviewer's paragraphs are labelled ({', '.join(map(repr, sorted(labelled)))}); "
                  f"the {bare} unlabelled paragraphs read as {ANSWERER!r}", stacklevel=4)
    return True


NAME_PARAGRAPH = re.compile(rf"[ \t]*(?:{LABEL})[ \t]*:?[ \t]*")


def _name_paragraphs(path: Path, paras: list[Paragraph], preamble: list[str]) -> list[Segment]:
    """Return turns when speakers' names stand in paragraphs of their own above their words (a bold
    ``Jane Smith`` paragraph, then the speech): the names recur and each is followed by speech; else []."""
    from qualkit.readers.vocab import key_of, shape_ok

    named = [n for n, p in enumerate(paras) if NAME_PARAGRAPH.fullmatch(p.text) and shape_ok(p.text.strip(" \t:"))]
    while len(named) > 1 and named[1] == named[0] + 1:
        named.pop(0)  # a title over the first name
    uses = Counter(key_of(paras[n].text.strip(" \t:")) for n in named)
    if (len(named) < 3 or len(uses) > max(2, len(named) // 2) or len(named) < 0.3 * len(paras)
            or any(n + 1 >= len(paras) or n + 1 in named for n in named)):
        return []
    preamble.extend(p.text for p in paras[:named[0]])
    segments: list[Segment] = []
    for number, para in enumerate(paras[named[0]:], start=named[0]):
        if number in named:
            speaker = para.text.strip(" \t:")
        else:
            segments.append(Segment(None if segments and segments[-1].speaker == speaker else speaker, para.text,
                                    para.timestamp, line=para.line))
    names = ", ".join(repr(n) for n in dict.fromkeys(paras[n].text.strip(" \t:") for n in named))
    warnings.warn(f"{path}: speaker names stand in paragraphs of their own above their words ({names}): read as "
                  "labels", stacklevel=4)
    return segments


def _unlabelled(path: Path, paras: list[Paragraph], preamble: list[str]) -> tuple[list[Segment], list[str]]:
    blocks = [p for p in paras if p.text.strip()]
    while len(blocks) > 2 and len(blocks[0].text.split()) <= 8 and not blocks[0].text.rstrip().endswith((".", "?", "!")):
        preamble.append(blocks.pop(0).text)  # a title
    if not blocks:
        return [], preamble
    listed = list_reason([Block(p.text) for p in blocks])
    if listed:
        raise NotTranscriptError(f"{path}: {listed}")
    speakers, how = assign([Block(p.text, p.style) for p in blocks])
    warnings.warn(f"{path}: no speaker labels; {how}", stacklevel=4)
    segments: list[Segment] = []
    asked = QUESTIONER in speakers
    for para, speaker in zip(blocks, speakers):
        same = asked and segments and segments[-1].speaker == speaker
        segments.append(Segment(None if same else speaker, para.text, para.timestamp, line=para.line))
    return segments, preamble


