"""Reports: plain run data, the report context, quotes, pseudonyms, charts, and the files a run writes.

``write_report(result, out)`` writes every kind (thematic, appendix, comparison, and the complete
report) as HTML, Markdown and Word, the tables as CSV and XLSX, ``coded_segments.csv``, ``run.json``
and ``index.html``. ``rerender(folder, kinds, formats)`` writes them again from ``run.json``.
"""

from qualkit.report.context import ReportOptions, report_context
from qualkit.report.data import RUN_FILE, load_run, pseudonymise, study_data
from qualkit.report.pseudonyms import Pseudonymiser, load_pseudonyms
from qualkit.report.quotes import QuotePolicy, attribution, choose_quotes, parse_fields
from qualkit.report.writer import (
    FORMATS, KINDS, SEGMENT_COLUMNS, environment, render, render_outputs, rerender, segment_rows, segments_csv,
    write_files, write_report,
)

__all__ = [
    "FORMATS", "KINDS", "Pseudonymiser", "QuotePolicy", "RUN_FILE", "ReportOptions", "SEGMENT_COLUMNS",
    "attribution", "choose_quotes", "environment", "load_pseudonyms", "load_run", "parse_fields", "pseudonymise",
    "render", "render_outputs", "report_context", "rerender", "segment_rows", "segments_csv", "study_data",
    "write_files", "write_report",
]
