"""An imported project as a study folder: transcripts as ``.txt``, attributes, codebook, codings."""

from __future__ import annotations

import csv
import io
import re
import warnings
from pathlib import Path
from typing import Mapping, Sequence

import yaml

from qualkit.errors import NotTranscriptError, TranscriptError
from qualkit.readers import ReadOptions, read_text
from qualkit.transcript import Transcript, Turn

NO_TURNS_SPEAKER = "Participant"
# A text is read as a document, not an interview, when its ``Word:`` labels do not behave like speakers.
MANY_LABELS, RUNS = 5, 0.4  # this many labels, and this share of turns following their own label (topics, headings)
RETURNS = 1.5              # ... coming back seldom: at most this many runs of turns per label (speakers come back)
ONCE_TURNS = 1 / 3         # labels used once speaking this share of the turns (comments, not a few one-off voices)
PREAMBLE_SHARE = 0.2       # or this share of the text comes before the first label
ENOUGH_TURNS = 6           # below this many turns the labels are too few to tell; the text stays an interview


def front_matter(transcript_id: str, *, document: bool = False) -> str:
    """Return the YAML front matter that keeps a transcript's id whatever its file is called (and, for a
    text that is not an interview, ``layout: document`` so that it reads back as one turn)."""
    fields = {"id": transcript_id, **({"layout": "document"} if document else {})}
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True, width=100_000) + "---\n"


def transcript_file(transcript_id: str, text: str, attributes: Mapping[str, str],
                    options: ReadOptions | None = None) -> tuple[str, Transcript, int, list[str]]:
    """Return (file content, the Transcript the plain-text reader reads from it, offset shift, the
    reader's warnings without the file name).

    The file is front matter then ``text``, which the reader gives back exactly. Text the reader
    refuses for having no ``Speaker:`` turns is stored as one turn of ``Participant`` (prefixed
    ``Participant: ``); the shift is that prefix's length, to add to every offset into ``text``.
    """
    options = options or ReadOptions()
    head = front_matter(transcript_id)
    for prefix in ("", f"{NO_TURNS_SPEAKER}: "):
        content = head + prefix + text
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                transcript = read_text(Path(f"{transcript_id}.txt"), content.encode("utf-8"), options)
        except NotTranscriptError as exc:  # a list of codes, a topic guide: a source all the same
            return _kept_whole(transcript_id, text, attributes, options, [str(exc).split(": ", 1)[-1]])
        except TranscriptError as exc:
            if prefix or "no speaker turns" not in str(exc):
                raise TranscriptError(str(exc).split(": ", 1)[-1]) from None
            continue
        said = [str(w.message).removeprefix(f"{transcript_id}.txt").lstrip(":, ") for w in caught]
        if transcript.id == transcript_id and transcript.text != prefix + text and not prefix:
            return _kept_whole(transcript_id, text, attributes, options, said)
        if transcript.text != prefix + text or transcript.id != transcript_id:
            raise TranscriptError("its text would not read back exactly from a .txt file")
        return content, transcript.with_attributes(attributes), len(prefix), said
    raise AssertionError("unreachable")


DOCUMENT, INTERVIEW, UNDECIDED = "document", "interview", "undecided"


def _kept_whole(transcript_id: str, text: str, attributes: Mapping[str, str], options: ReadOptions,
                said: list[str]) -> tuple[str, Transcript, int, list[str]]:
    """Return a source the reader would rewrite (caption cues, a Markdown table, numbered lines) as one
    unlabelled document, so its text and the codings' offsets stay as the project has them."""
    content = front_matter(transcript_id, document=True) + text
    transcript = read_text(Path(f"{transcript_id}.txt"), content.encode("utf-8"), options)
    why = said[0] if said else "its layout"
    how = "its text would be rewritten as read"
    if why.startswith("not a transcript: "):
        how, why = "not an interview", why.removeprefix("not a transcript: ")
    return content, transcript.with_attributes(attributes), 0, [
        f"{how} ({why}); kept as it is, as one unlabelled document (a single '{transcript.turns[0].speaker}' turn)"]


def not_speakers(transcript: Transcript) -> str:
    """Return why the ``Word:`` labels the reader found in a text are not a set of speakers (``''`` if they are,
    or if the text has too few turns to tell: see :func:`label_evidence`)."""
    verdict, reason = label_evidence(transcript)
    return reason if verdict == DOCUMENT else ""


def label_evidence(transcript: Transcript) -> tuple[str, str]:
    """Return whether a text's ``Word:`` labels are a document's, speakers' or too few to tell, and why.

    Speakers recur, take turns and come back; the words before colons in comments, documents or notes do
    not: labels used once speak much of the text (comments), five or more labels come in runs that seldom
    come back (topics or headings), or much of the text comes before the first label. A text with an
    interviewer is an interview (a focus group's many speakers have a moderator). A text with fewer than
    ``ENOUGH_TURNS`` turns is too small to be called a document by how its labels recur (``UNDECIDED``: it
    stays an interview); one whose speakers come back after others spoke is an interview after a long preamble.
    """
    turns = transcript.turns
    if any(t.role == "interviewer" for t in turns):
        return INTERVIEW, ""
    counts: dict[str, int] = {}
    for turn in turns:
        counts[turn.speaker] = counts.get(turn.speaker, 0) + 1
    enough = len(turns) >= ENOUGH_TURNS
    small = f"but its {len(turns)} turns are too few to tell a document from a short conversation"
    once = sum(1 for n in counts.values() if n == 1)
    if len(counts) >= 3 and once * 2 >= len(counts) and once >= ONCE_TURNS * len(turns):
        reason = f"{once} of its {len(counts)} labels are used once"
        return (DOCUMENT, reason) if enough else (UNDECIDED, f"{reason}, {small}")
    same = sum(a.speaker == b.speaker for a, b in zip(turns, turns[1:])) / max(len(turns) - 1, 1)
    runs = 1 + sum(a.speaker != b.speaker for a, b in zip(turns, turns[1:]))
    if len(counts) >= MANY_LABELS and same >= RUNS and runs <= RETURNS * len(counts):
        return DOCUMENT, f"its {len(counts)} labels come in runs: {same:.0%} of turns follow their own label"
    before = turns[0].start / max(len(transcript.text), 1) if turns else 0.0
    if before > PREAMBLE_SHARE:
        reason = f"{before:.0%} of the text comes before its first label"
        if sum(1 for n in counts.values() if n >= 2) < 2 or runs <= len(counts):
            return DOCUMENT, reason
        if not enough:
            return UNDECIDED, f"{reason}, {small}"
        return INTERVIEW, f"{reason}, but its speakers take turns and come back: read as a preamble"
    return INTERVIEW, ""


def as_document(transcript: Transcript) -> Transcript:
    """Return the transcript as one participant turn over its whole text (a document, not an interview)."""
    text = transcript.text
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    turn = Turn(0, NO_TURNS_SPEAKER, "participant", start, max(start, end))
    return Transcript(transcript.id, text, (turn,), transcript.attributes, transcript.source, "document", (0, 0))


def file_names(ids: Sequence[str]) -> dict[str, str]:
    """Return a safe, unique ``.txt`` file name per transcript id (the id itself lives in the front matter)."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for transcript_id in ids:
        base = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "_", transcript_id).strip(" .")[:100] or "transcript"
        candidate, number = base, 2
        while candidate.casefold() in used:
            candidate = f"{base}-{number}"
            number += 1
        used.add(candidate.casefold())
        names[transcript_id] = f"{candidate}.txt"
    return names


def attributes_csv(attributes: Mapping[str, Mapping[str, str]]) -> str:
    """Return ``participants.csv``: an ``id`` column then one column per attribute (every cell quoted)."""
    columns = list(dict.fromkeys(k for row in attributes.values() for k in row if k != "id"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(["id", *columns])
    for transcript_id, row in attributes.items():
        writer.writerow([transcript_id, *(row.get(c, "") for c in columns)])
    return buffer.getvalue()
