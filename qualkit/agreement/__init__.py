"""Agreement between codings: a human coding read and located in the transcripts, and measures on units.

``read_human_coding`` reads qualkit's ``coded_segments.csv`` or a document / code path / text table and
locates every segment; ``compare_codings`` gives precision, recall, F1 and Cohen's kappa per code, pooled
figures, Krippendorff's alpha and the disagreements; ``agree_files`` is ``qualkit agree`` as one call.
Rooms: ``human`` (reading and locating), ``measures`` (the statistics), ``job`` (the one call).
"""

from importlib import import_module
from typing import Any

from qualkit.agreement.human import HumanCoding, UnlocatedSegment, coding_frame, locate, read_human_coding
from qualkit.agreement.measures import (
    AGREEMENT_COLUMNS, Agreement, Disagreement, alpha_across, code_key, cohen_kappa, compare_codings,
    krippendorff_alpha, study_agreement, unit_codes,
)


def __getattr__(name: str) -> Any:
    """Load ``agree_files`` (and with it spaCy, to code the transcripts) on first use, so the measures
    alone load fast (``qualkit study status``)."""
    if name != "agree_files":
        raise AttributeError(f"module 'qualkit.agreement' has no attribute {name!r}")
    return import_module("qualkit.agreement.job").agree_files


__all__ = [
    "AGREEMENT_COLUMNS", "Agreement", "Disagreement", "HumanCoding", "UnlocatedSegment", "agree_files",
    "alpha_across", "code_key", "coding_frame", "cohen_kappa", "compare_codings", "krippendorff_alpha", "locate",
    "read_human_coding", "study_agreement", "unit_codes",
]
