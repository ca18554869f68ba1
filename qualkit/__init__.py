"""qualkit: qualitative interview analysis, from transcripts to a thematic report.

The pipeline as Python calls::

    transcripts = read_transcripts(["transcripts_sample"])
    codebook = load_codebook("codebooks/sample.yaml")
    segments = code_transcripts(transcripts, codebook)
    result = run_study(StudySettings())          # all steps at once
    write_report(result, "reports")
"""

__version__ = "0.1.0"

from importlib import import_module
from typing import Any

# Public names and the module each lives in; imported on first use so that `qualkit --help`
# and small scripts do not pay for spaCy, scikit-learn and pandas until they need them.
_EXPORTS = {
    "join_attributes": "attributes", "read_attributes": "attributes",
    "Code": "codebook", "Codebook": "codebook", "Pattern": "codebook", "Theme": "codebook",
    "load_codebook": "codebook", "parse_codebook": "codebook",
    "Coder": "coding", "build_pipeline": "coding", "code_transcripts": "coding",
    "codes_by_group": "compare",
    "AttributesError": "errors", "CodebookError": "errors", "CodingError": "errors", "ExchangeError": "errors",
    "PipelineError": "errors", "QualkitError": "errors", "ReportError": "errors", "TranscriptError": "errors",
    "ReadOptions": "readers", "read_transcript": "readers", "read_transcripts": "readers",
    "report_context": "report", "write_report": "report",
    "CodedSegment": "segments", "Match": "segments", "Unit": "segments",
    "StudyResult": "study", "StudySettings": "study", "run_study": "study",
    "ThemeSuggester": "themes", "suggest_themes": "themes",
    "Transcript": "transcript", "Turn": "transcript",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'qualkit' has no attribute {name!r}")
    value = getattr(import_module(f"qualkit.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


__all__ = [
    "AttributesError", "Code", "CodedSegment", "Codebook", "CodebookError", "Coder", "CodingError",
    "ExchangeError", "Match", "Pattern", "PipelineError", "QualkitError", "ReadOptions", "ReportError",
    "StudyResult", "StudySettings", "Theme", "ThemeSuggester", "Transcript", "TranscriptError", "Turn", "Unit",
    "__version__", "build_pipeline", "code_transcripts", "codes_by_group", "join_attributes", "load_codebook",
    "parse_codebook", "read_attributes", "read_transcript", "read_transcripts", "report_context", "run_study",
    "suggest_themes", "write_report",
]
