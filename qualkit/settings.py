"""Study settings: what decides a run's result, and the bundled sample's paths. Stdlib only, so the
command line can offer its options without loading the NLP stack."""

from __future__ import annotations

from dataclasses import dataclass

from qualkit.transcript import DEFAULT_INTERVIEWER_LABELS

SAMPLE_TRANSCRIPTS = "transcripts_sample"
SAMPLE_ATTRIBUTES = "transcripts_sample/participants.csv"
SAMPLE_CODEBOOK = "codebooks/sample.yaml"
SAMPLE_HUMAN_CODING = "transcripts_sample/coding/human_coding_RH.csv"


@dataclass(frozen=True)
class StudySettings:
    """Everything that decides a run's result; recorded in the report's methods trail."""

    transcripts: tuple[str, ...] = (SAMPLE_TRANSCRIPTS,)
    attributes: str | None = SAMPLE_ATTRIBUTES
    codebook: str = SAMPLE_CODEBOOK
    model: str | None = None
    unit: str = "sentence"
    group_by: str = "group"
    interviewer_labels: tuple[str, ...] = DEFAULT_INTERVIEWER_LABELS
    n_themes: int | str = "auto"
    theme_mode: str = "residual"
    theme_method: str = "nmf"
    human_coding: str | None = None
    seed: int = 0
    quotes_per_code: int = 3
