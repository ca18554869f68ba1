"""Agreement of two coding files over their transcripts, as one call."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Sequence

from qualkit.agreement.checks import check_located, check_shared_codes
from qualkit.agreement.measures import Agreement, compare_codings
from qualkit.codebook import Codebook
from qualkit.coding import Coder, build_pipeline
from qualkit.agreement.human import HumanCoding, read_human_coding
from qualkit.readers import ReadOptions, read_transcripts
from qualkit.segments import Unit
from qualkit.transcript import DEFAULT_INTERVIEWER_LABELS


def agree_files(
    coding_a: str | Path, coding_b: str | Path, transcripts: Sequence[str | Path], *, unit: str = "sentence",
    level: int | None = None, interviewer_labels: Sequence[str] = DEFAULT_INTERVIEWER_LABELS,
) -> tuple[Agreement, tuple[HumanCoding, HumanCoding]]:
    """Read two codings of the transcripts and return their agreement over participant units, and the codings."""
    read = read_transcripts(transcripts, ReadOptions(interviewer_labels=tuple(interviewer_labels)))
    a = read_human_coding(coding_a, read)
    b = read_human_coding(coding_b, read)
    for coding in (a, b):
        check_located(coding, read)
    check_shared_codes(a, b, level)
    units: list[Unit] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        list(Coder(Codebook("none", "", ()), build_pipeline(), unit=unit).code(read, units))
    name_a, name_b = a.coder, b.coder if b.coder != a.coder else f"{b.coder} (B)"
    return compare_codings(units, a.segments, b.segments, coder_a=name_a, coder_b=name_b, unit=unit, level=level), (a, b)
