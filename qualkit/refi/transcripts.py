"""An imported project as a study folder: transcripts as ``.txt``, attributes, codebook, codings."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Mapping, Sequence

import yaml

from qualkit.errors import TranscriptError
from qualkit.readers import ReadOptions, read_text
from qualkit.transcript import Transcript

NO_TURNS_SPEAKER = "Participant"


def front_matter(transcript_id: str) -> str:
    """Return the YAML front matter that keeps a transcript's id whatever its file is called."""
    return "---\n" + yaml.safe_dump({"id": transcript_id}, allow_unicode=True, width=100_000) + "---\n"


def transcript_file(transcript_id: str, text: str, attributes: Mapping[str, str],
                    options: ReadOptions | None = None) -> tuple[str, Transcript, int]:
    """Return (file content, the Transcript the plain-text reader reads from it, offset shift).

    The file is front matter then ``text``, which the reader gives back exactly. Text without
    ``Speaker:`` turns is stored as one turn of ``Participant`` (prefixed ``Participant: ``); the
    shift is that prefix's length, to add to every offset into ``text``.
    """
    options = options or ReadOptions()
    head = front_matter(transcript_id)
    for prefix in ("", f"{NO_TURNS_SPEAKER}: "):
        content = head + prefix + text
        try:
            transcript = read_text(Path(f"{transcript_id}.txt"), content.encode("utf-8"), options)
        except TranscriptError as exc:
            if prefix or "no speaker turns" not in str(exc):
                raise TranscriptError(str(exc).split(": ", 1)[-1]) from None
            continue
        if transcript.text != prefix + text or transcript.id != transcript_id:
            raise TranscriptError("its text would not read back exactly from a .txt file")
        return content, transcript.with_attributes(attributes), len(prefix)
    raise AssertionError("unreachable")


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
