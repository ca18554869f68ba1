"""Comparison tables: codes by group, as pandas DataFrames."""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from qualkit.codebook import Codebook
from qualkit.segments import CodedSegment
from qualkit.transcript import Transcript

UNKNOWN_GROUP = "(no value)"


def participant_groups(transcripts: Iterable[Transcript], attribute: str) -> dict[str, str]:
    """Return ``{transcript id: group}`` for an attribute; transcripts without it get ``(no value)``."""
    return {t.id: (t.attributes.get(attribute) or UNKNOWN_GROUP) for t in transcripts}


def codes_by_group(
    segments: Iterable[CodedSegment], transcripts: Iterable[Transcript], codebook: Codebook, attribute: str = "group"
) -> pd.DataFrame:
    """Return one row per code and group: segments, participants coded, group size and share (%).

    A participant is a transcript's interviewee; ``share`` is the percentage of the group's
    participants with at least one segment of the code.
    """
    groups = participant_groups(transcripts, attribute)
    sizes = pd.Series(groups).value_counts()
    rows = [(s.code_id, s.transcript, groups.get(s.transcript, UNKNOWN_GROUP)) for s in segments]
    coded = pd.DataFrame(rows, columns=["code_id", "transcript", "group"])
    counts = coded.groupby(["code_id", "group"]).agg(
        segments=("transcript", "size"), participants=("transcript", "nunique")
    )
    table = []
    for code in codebook.codes:
        for group in sorted(sizes.index):
            seg, part = counts.loc[(code.id, group)] if (code.id, group) in counts.index else (0, 0)
            size = int(sizes[group])
            table.append({
                "code_id": code.id, "code": code.path_label, "theme": code.theme, "group": group,
                "segments": int(seg), "participants": int(part), "group_size": size,
                "share": round(100.0 * int(part) / size, 1) if size else 0.0,
            })
    return pd.DataFrame(table, columns=[
        "code_id", "code", "theme", "group", "segments", "participants", "group_size", "share"])
