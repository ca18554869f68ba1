"""Agreement between codings: a human coding read and located in the transcripts, and measures on units.

``read_human_coding`` reads qualkit's ``coded_segments.csv`` or a document / code path / text table and
locates every segment; ``compare_codings`` gives precision, recall, F1 and Cohen's kappa per code, pooled
figures, Krippendorff's alpha and the disagreements; ``agree_files`` is ``qualkit agree`` as one call.
Rooms: ``human`` (reading and locating), ``measures`` (the statistics), ``job`` (the one call).
"""

from qualkit.agreement.human import HumanCoding, UnlocatedSegment, coding_frame, locate, read_human_coding
from qualkit.agreement.job import agree_files
from qualkit.agreement.measures import (
    AGREEMENT_COLUMNS, Agreement, Disagreement, alpha_across, code_key, cohen_kappa, compare_codings,
    krippendorff_alpha, study_agreement, unit_codes,
)

__all__ = [
    "AGREEMENT_COLUMNS", "Agreement", "Disagreement", "HumanCoding", "UnlocatedSegment", "agree_files",
    "alpha_across", "code_key", "coding_frame", "cohen_kappa", "compare_codings", "krippendorff_alpha", "locate",
    "read_human_coding", "study_agreement", "unit_codes",
]
