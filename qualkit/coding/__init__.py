"""Coding: applying a codebook to transcripts with spaCy, the only package that imports spaCy.

``build_pipeline`` makes the pipeline once per run; ``Coder`` streams turns through it and returns
``CodedSegment`` / ``SetAsideHit`` / ``Unit`` records (no spaCy object leaves this package);
``code_corpus_files`` codes a corpus without a report (streamed, or a fork pool); ``check_codebook``
measures a codebook against a corpus. Rooms: ``pipeline``, ``matchers`` (phrase and token matchers with
prefilters), ``negation``, ``units`` (units and proximity), ``coder``, ``corpus``, ``check``.
"""

from qualkit.coding.check import CheckReport, CodeStats, PatternStats, check_codebook, render_check, structural_problems
from qualkit.coding.coder import UNITS, Coder, TranscriptCoding, code_transcripts
from qualkit.coding.corpus import (
    NEGATED_FILE, SEGMENTS_FILE, VETOED_FILE, CorpusSummary, check_writable, code_corpus, code_corpus_files,
    code_rows_in_pool, hit_row, left_out, quiet_gc, source_transcripts, stream_coding, write_corpus_coding,
)
from qualkit.coding.pipeline import DEFAULT_PIPELINE, build_pipeline, pipeline_info

__all__ = [
    "DEFAULT_PIPELINE", "NEGATED_FILE", "SEGMENTS_FILE", "UNITS", "VETOED_FILE", "CheckReport", "CodeStats", "Coder",
    "CorpusSummary", "PatternStats", "TranscriptCoding", "build_pipeline", "check_codebook", "check_writable",
    "code_corpus", "code_corpus_files", "code_rows_in_pool", "code_transcripts", "hit_row", "left_out", "pipeline_info",
    "quiet_gc", "render_check", "source_transcripts", "stream_coding", "structural_problems", "write_corpus_coding",
]
