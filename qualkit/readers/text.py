"""Plain-text transcripts: ``Speaker: text`` turns and their variants, timestamps and YAML front matter.

Labels are learned from each file (see learn.py): ``Name:``, ``NAME:``, ``interviewer:``, ``I:``/``P07:``,
``**Name:**``, ``Role (Name):``, ``Name (00:37):`` (Rev), ``Name (00:00:29) - text``, ``Name - text``,
``[00:01:23] Name:``, ``Speaker:<TAB>text``, Otter's ``Name  0:00`` line above the paragraph, and Zoom's
saved captions (``[Name] 19:00:25`` blocks, merged into turns). A cover block becomes attributes; a file
without labels is read as questions and answers or one paragraph per turn, with a warning. The stored
text is the file's text (after front matter), so offsets point into what the user wrote.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from pathlib import Path

from qualkit.readers.common import RawTurn, ReadOptions, build_transcript, decode, split_front_matter
from qualkit.readers.labels import CAPTION, NOT_LABELS, TIME, TURN
from qualkit.readers.layout import Segment, assemble
from qualkit.readers.cues import cue_blocks
from qualkit.readers.inline import inline_heads
from qualkit.readers.numbered import blank_line_numbers
from qualkit.readers.learn import Learned, learn
from qualkit.readers.mdtable import markdown_table
from qualkit.errors import NotTranscriptError
from qualkit.readers.unlabelled import (
    ANSWERER, QUESTIONER, Block, assign, is_title, list_reason, text_blocks, title_lines,
)
from qualkit.transcript import Transcript

__all__ = ["TIME", "TURN", "NOT_LABELS", "find_turns", "read_text", "notes_reason"]

NOTE_PARAGRAPH = re.compile(r"\n[ \t]*\n[ \t]*[(\[][^\n]*[)\]][ \t]*\s*\Z")


def _end_before_notes(text: str, start: int, end: int) -> int:
    """Return where a turn's speech ends: before trailing paragraphs wholly in brackets (transcriber's notes)."""
    while True:
        match = NOTE_PARAGRAPH.search(text, start, end)
        if match is None or match.start() <= start:
            return end
        end = match.start()


def turns_from(text: str, learned: Learned) -> list[RawTurn]:
    """Return the turns the accepted heads open; a turn runs until the next head."""
    turns = []
    heads = learned.heads
    for number, (head, speaker) in enumerate(heads):
        end = heads[number + 1][0].head if number + 1 < len(heads) else len(text)
        if "(" in text[head.start:end] or "[" in text[head.start:end]:
            end = _end_before_notes(text, head.start, end)
        turns.append(RawTurn(speaker=speaker, start=head.start, end=end, line=head.line, timestamp=head.timestamp,
                             head=head.head))
    return turns


def find_turns(text: str, first_line: int = 1) -> list[RawTurn]:
    """Return the turns of a text's learned ``Speaker: text`` lines."""
    return turns_from(text, learn(text, first_line))


def unlabelled_turns(text: str, start: int, path: Path) -> list[RawTurn]:
    """Read a text without labels as questions and answers, or one turn per paragraph; warn which."""
    spans = text_blocks(text, start)
    spans = spans[title_lines(text, spans):]
    if not spans:
        return []
    blocks = [Block(text[a:b]) for a, b in spans]
    listed = list_reason(blocks)
    if listed:
        raise NotTranscriptError(f"{path}: {listed}")
    speakers, how = assign(blocks)
    warnings.warn(f"{path}: no speaker labels; {how}", stacklevel=3)
    turns: list[RawTurn] = []
    asked = QUESTIONER in speakers
    for (a, b), speaker in zip(spans, speakers):
        if asked and turns and turns[-1].speaker == speaker:
            turns[-1] = RawTurn(speaker, turns[-1].start, b, turns[-1].line, head=turns[-1].head)
        else:
            turns.append(RawTurn(speaker, a, b, text.count("\n", 0, a) + 1, head=a))
    return turns


def answers_between(text: str, turns: list[RawTurn], start: int, options: ReadOptions, path: Path) -> list[RawTurn]:
    """When only the interviewer's paragraphs carry labels (``MODERATOR:``) and most paragraphs carry none,
    return turns where the unlabelled paragraphs are the participant's; else an empty list."""
    from qualkit.readers.vocab import label_matches
    from qualkit.readers.roles import forms_of

    asking = forms_of(options.interviewer_labels)
    if not all(label_matches(t.speaker, asking) for t in turns):
        return []
    heads = [t.head if t.head is not None else t.start for t in turns]
    labelled: list[tuple[str, int, int, int]] = []
    pieces: list[tuple[str, int, int, int]] = []
    for number, (a, b) in enumerate(text_blocks(text, start)):
        if a in heads:
            turn = turns[heads.index(a)]
            labelled.append((turn.speaker, turn.start, b, a))
        elif NOTE_LINE.match(text[a:b]) or (a < heads[0] and not pieces and is_title(text[a:b])):
            continue  # a transcriber's note, or a title before the first turn
        else:
            pieces.append((ANSWERER, a, b, a))
    if len(pieces) < len(turns) or len(labelled) != len(turns):
        return []
    result: list[RawTurn] = []
    for speaker, a, b, head in sorted(labelled + pieces, key=lambda piece: piece[3]):
        if result and result[-1].speaker == speaker == ANSWERER:
            result[-1] = RawTurn(speaker, result[-1].start, b, result[-1].line, head=result[-1].head)
        else:
            result.append(RawTurn(speaker, a, b, text.count("\n", 0, a) + 1, head=head))
    names = ", ".join(sorted({repr(t.speaker) for t in turns}))
    warnings.warn(f"{path}: only the interviewer's paragraphs are labelled ({names}); the {len(pieces)} unlabelled "
                  f"paragraphs read as {ANSWERER!r}", stacklevel=3)
    return result


NOTE_LINE = re.compile(r"\A\s*[(\[][^\n]*[)\]]\s*\Z")


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


NOTES_NAMES = re.compile(r"(?:^|[-_. ])(?:readme|source|sources|licen[cs]e|copying|notes?|changelog|citation|authors|"
                         r"contributing|manifest|sha\d*sums|index|todo)(?:$|[-_. ])", re.IGNORECASE)
DOC_LINE = re.compile(r"^(?:#{1,6} |```|\s*[-*+] |\s*\d+\. |\|.*\|$)|https?://", re.MULTILINE)


def notes_reason(path: Path, text: str) -> str | None:
    """Return why a text file found in a folder is a note rather than a transcript, or None.

    A note has no recurring speaker labels and either a notes name (README, SOURCE, LICENSE, ...) or
    the look of documentation (links, headings, lists, tables).
    """
    meta, _, _ = split_front_matter(text, path)
    if meta.get("id") is not None or meta.get("layout") == "document":
        return None  # front matter naming the transcript says it is one (a study folder qualkit wrote)
    if NOTES_NAMES.search(path.name):
        reason = "notes, not a transcript (its name and no speaker turns)"
    else:
        lines = [line for line in text.splitlines() if line.strip()]
        marked = len(DOC_LINE.findall(text))
        if not (lines and marked >= max(2, 0.15 * len(lines))):
            return None  # no look of a note: the labels are learned once, when the file is read
        reason = "notes, not a transcript (links, headings or lists, and no speaker turns)"
    uses = Counter(speaker for _, speaker in learn(text).heads)
    return None if sum(count >= 2 for count in uses.values()) >= 2 else reason


def read_text(path: Path, raw: bytes, options: ReadOptions) -> Transcript:
    """Read a plain-text or Markdown transcript."""
    meta, body, skipped = split_front_matter(decode(raw, path), path)
    if meta.get("layout") == "document":
        return _document(path, body, meta, options)
    body, numbered = blank_line_numbers(body)
    if numbered:
        warnings.warn(f"{path}: {numbered}", stacklevel=2)
    captions = caption_segments(body, skipped + 1)
    if captions is not None:
        segments, preamble = captions
        return assemble(path, segments, options, fmt="zoom-captions", preamble=preamble, meta=meta)
    cues = cue_blocks(body, skipped + 1)
    if cues is not None:
        segments, preamble, how = cues
        warnings.warn(f"{path}: {how}", stacklevel=2)
        return assemble(path, segments, options, fmt="cues", preamble=preamble, meta=meta)
    table = markdown_table(body, skipped + 1)
    if table is not None:
        segments, preamble = table
        warnings.warn(f"{path}: read as a Markdown table of turns ({len(segments)} rows)", stacklevel=2)
        return assemble(path, segments, options, fmt="markdown-table", preamble=preamble, meta=meta, merge=False)
    learned = learn(body, skipped + 1, extra_known=options.known_forms())
    for line, message in learned.warnings:
        warnings.warn(f"{path}, line {line}: {message}", stacklevel=2)
    run_on = inline_heads(body, learned, skipped + 1) if learned.heads else None
    if run_on:
        warnings.warn(f"{path}: {run_on}", stacklevel=2)
    if not learned.heads:
        turns = unlabelled_turns(body, learned.cover_end, path)
    else:
        turns = turns_from(body, learned)
        turns = answers_between(body, turns, learned.cover_end, options, path) or turns
        turns = _without_footer(body, turns, path)
        turns = _without_chat_echoes(body, turns, path)
    return build_transcript(path, body, turns, options, meta=meta, cover=learned.cover, fmt="text",
                            interviewer_names=learned.interviewer_names, participant_names=learned.participant_names)


FOOTER = re.compile(r"\n[ \t]*\n[ \t]*(?P<line>[^\n]*(?:https?://|www\.)[^\s]+?)[ \t]*\s*\Z")


def _without_footer(text: str, turns: list[RawTurn], path: Path) -> list[RawTurn]:
    """Return the turns with a tool's closing line (``Transcribed by https://otter.ai``: one short line ending
    in a link, a paragraph of its own at the end of the file) left out of the last turn, and say so."""
    last = turns[-1] if turns else None
    match = FOOTER.search(text, last.start, last.end) if last else None
    if last is None or match is None or len(match.group("line").split()) > 12:
        return turns
    warnings.warn(f"{path}: the closing line {match.group('line')!r} is read as a tool's footer, not speech",
                  stacklevel=3)
    return [*turns[:-1], RawTurn(last.speaker, last.start, match.start(), last.line, last.timestamp,
                                 last.end_timestamp, last.head)]


# A meeting chat's echoes of other messages (Zoom's and Teams' chat exports): a reaction is no speech, and a
# reply opens with the (cut) message it answers.
REACTION = re.compile(r'\A(?:Reacted to "[\s\S]{0,80}?" with \S{1,12}|Reacted to [\s\S]{0,80}? with "\S{1,12}"'
                      r'|Removed a \S{1,12} reaction from "[\s\S]{0,80}?")\Z')
REPLY = re.compile(r'Replying to "[\s\S]{0,80}?"[ \t]*\n\s*')


def _without_chat_echoes(text: str, turns: list[RawTurn], path: Path) -> list[RawTurn]:
    """Return the turns without a chat export's reactions (``Reacted to "..." with 👍``) and with each reply's
    quote of the message it answers (``Replying to "..."``) left out, saying how many of each."""
    kept: list[RawTurn] = []
    reactions = replies = 0
    for turn in turns:
        words = text[turn.start:turn.end].strip()
        if REACTION.match(words):
            reactions += 1
            continue
        reply = REPLY.match(text, turn.start, turn.end)
        if reply and reply.end() < turn.end:
            replies += 1
            turn = RawTurn(turn.speaker, reply.end(), turn.end, turn.line, turn.timestamp, turn.end_timestamp, turn.head)
        kept.append(turn)
    if reactions or replies:
        warnings.warn(f"{path}: read as a meeting chat: {reactions} reaction(s) ('Reacted to \"...\" with ...') left out "
                      f"and {replies} reply quote(s) ('Replying to \"...\"') kept out of the replies, as they repeat "
                      "other messages", stacklevel=3)
    return kept or turns


def _document(path: Path, body: str, meta: dict, options: ReadOptions) -> Transcript:
    """A text whose front matter says ``layout: document``: one participant turn over the whole text,
    whatever words stand before colons in it (open comments, notes, documents imported from a QDA tool)."""
    start = len(body) - len(body.lstrip())
    end = max(start, len(body.rstrip()))
    speaker = str(meta.get("speaker") or "Participant")
    return build_transcript(path, body, [RawTurn(speaker, start, end, line=1)], options, meta=meta, fmt="document",
                            participant_names=[speaker])
