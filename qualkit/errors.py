"""Errors raised by qualkit. Every message names the file, the place and the problem."""

from __future__ import annotations


class QualkitError(Exception):
    """Base class for every error qualkit raises on bad input."""


class TranscriptError(QualkitError):
    """A transcript could not be read or has no usable speaker turns."""


class NotTranscriptError(TranscriptError):
    """A readable file that is not a transcript (notes, a list of codes, a table of codings): a folder skips it."""


class AttributesError(QualkitError):
    """A participants' attributes sheet is missing, malformed or does not fit the transcripts."""


class CodebookError(QualkitError):
    """A codebook is missing, malformed or refers to something that does not exist."""


class PipelineError(QualkitError):
    """The spaCy pipeline asked for cannot be built or lacks what a pattern needs."""


class ExchangeError(QualkitError):
    """A REFI-QDA project or codebook cannot be read or written."""


class ReportError(QualkitError):
    """A report cannot be rendered or written."""


class CodingError(QualkitError):
    """A human or imported coding cannot be read or located in its transcripts."""


class StoreError(QualkitError):
    """A study folder's database is missing, too new, or was asked to do something it cannot."""


class StaleDecisionError(StoreError):
    """A decision was made on a segment that changed since the page showing it was loaded."""


class ReviewError(QualkitError):
    """A review page cannot be served, or a review spreadsheet cannot be exported or imported."""


class OutputError(QualkitError):
    """An output folder cannot be written, or holds a finished run that would be appended to."""


class EngineError(QualkitError):
    """The distributed engine cannot start, lost its scheduler, or a part of the plan failed."""
