"""qualkit: qualitative interview analysis, from transcripts to a thematic report.

The pipeline as Python calls::

    transcripts = read_transcripts(["transcripts_sample"])
    codebook = load_codebook("codebooks/sample.yaml")
    segments = code_transcripts(transcripts, codebook)
    result = run_study(StudySettings())          # all steps at once
    write_report(result, "reports")
"""

__version__ = "0.1.0"

from qualkit.attributes import join_attributes, read_attributes
from qualkit.codebook import Code, Codebook, Pattern, Theme, load_codebook, parse_codebook
from qualkit.coding import Coder, build_pipeline, code_transcripts
from qualkit.compare import codes_by_group
from qualkit.errors import (
    AttributesError, CodebookError, CodingError, ExchangeError, PipelineError, QualkitError, ReportError,
    TranscriptError,
)
from qualkit.readers import ReadOptions, read_transcript, read_transcripts
from qualkit.report import report_context, write_report
from qualkit.segments import CodedSegment, Match, Unit
from qualkit.study import StudyResult, StudySettings, run_study
from qualkit.themes import ThemeSuggester, suggest_themes
from qualkit.transcript import Transcript, Turn

__all__ = [
    "AttributesError", "Code", "CodedSegment", "Codebook", "CodebookError", "Coder", "CodingError",
    "ExchangeError", "Match", "Pattern", "PipelineError", "QualkitError", "ReadOptions", "ReportError",
    "StudyResult", "StudySettings", "Theme", "ThemeSuggester", "Transcript", "TranscriptError", "Turn", "Unit",
    "__version__", "build_pipeline", "code_transcripts", "codes_by_group", "join_attributes", "load_codebook",
    "parse_codebook", "read_attributes", "read_transcript", "read_transcripts", "report_context", "run_study",
    "suggest_themes", "write_report",
]
