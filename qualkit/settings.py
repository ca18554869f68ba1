"""Study settings: what decides a run's result, and the bundled sample's paths. Stdlib only, so the
command line can offer its options without loading the NLP stack."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from qualkit.transcript import DEFAULT_INTERVIEWER_LABELS


def _sample_root() -> str:
    """Where the bundled sample study is: the current folder when it holds one (a checkout), else the
    source tree beside the package (an editable install), else ``<prefix>/share/qualkit`` (pip install .)."""
    if Path("transcripts_sample").is_dir() and Path("codebooks", "sample.yaml").is_file():
        return ""
    for root in (Path(__file__).resolve().parent.parent, Path(sys.prefix, "share", "qualkit")):
        if (root / "transcripts_sample").is_dir() and (root / "codebooks" / "sample.yaml").is_file():
            return str(root)
    return ""


_ROOT = _sample_root()
SAMPLE_TRANSCRIPTS = os.path.join(_ROOT, "transcripts_sample")
SAMPLE_ATTRIBUTES = os.path.join(_ROOT, "transcripts_sample", "participants.csv")
SAMPLE_CODEBOOK = os.path.join(_ROOT, "codebooks", "sample.yaml")
SAMPLE_HUMAN_CODING = os.path.join(_ROOT, "transcripts_sample", "coding", "human_coding_RH.csv")


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
    # Further attributes (after group_by) the framework matrix and the appendix show, and codes are counted by.
    also_group_by: tuple[str, ...] = ()
    # Read the transcripts that can be read and list the rest in the methods trail (else any bad file stops the run).
    skip_bad: bool = False
    # A study folder (qualkit study init): its transcripts, codebook and coding; coding 'reviewed' or 'auto'.
    study: str | None = None
    coding: str = "reviewed"
    # Survey free text: the transcripts are tables of responses, this column holding each response (one
    # participant turn) and id_column its id (row numbers without one); the other columns are attributes.
    text_column: str | None = None
    id_column: str | None = None
