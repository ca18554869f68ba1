"""Coding a whole corpus without a report: streamed through one pipeline, or a fork pool of workers.

Each worker reads and codes whole transcripts and sends back only their coded segments and set-aside
hits (never spaCy Docs); the parent writes them out as they arrive, so memory stays flat however large
the corpus.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import multiprocessing
import os
import shutil
import signal
import warnings
from dataclasses import asdict, dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from qualkit.codebook import load_codebook
from qualkit.coding.coder import Coder, TranscriptCoding, build_pipeline
from qualkit.errors import OutputError, PipelineError
from qualkit.readers import (
    ReadOptions, SeenIds, StudyInterviewers, SurveyColumns, SurveyPart, SurveyReport, apply_interviewers,
    plan_survey, read_many, read_survey, speakers_in, study_interviewers, survey_files, survey_sources, transcript_files,
)
from qualkit.segments import SEGMENT_COLUMNS, SET_ASIDE_COLUMNS, SetAsideHit, segment_values
from qualkit.transcript import DEFAULT_INTERVIEWER_LABELS, Transcript

SEGMENTS_FILE = "coded_segments.csv"
NEGATED_FILE = "negated_hits.csv"
VETOED_FILE = "vetoed_hits.csv"
Source = Path | Transcript | list[Transcript]

POOL_PART_ROWS = 5_000  # a survey table is coded in a pool in parts of this many rows (about 70,000 words)
_WORKER: dict[str, Any] = {}
COUNTS = ("transcripts", "words", "segments", "negated", "vetoed")


@dataclass
class CorpusSummary:
    """What ``code_corpus_files`` did: counts and the files it wrote."""

    transcripts: int = 0
    words: int = 0
    segments: int = 0
    negated: int = 0
    vetoed: int = 0
    written: list[Path] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)
    """Survey rows left out by reason (``empty``, ``duplicate``, ``undecodable``), each also warned of."""

    def add(self, other: "CorpusSummary") -> None:
        """Add another part's counts of transcripts, words, segments and set-aside hits."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def source_transcripts(source: Source | SurveyPart, options: ReadOptions, *, columns: SurveyColumns | None = None,
                       report: SurveyReport | None = None,
                       interviewers: Mapping[str, StudyInterviewers] | None = None) -> Iterable[Transcript]:
    """Return the transcripts of one source: a transcript file (with the study's own interviewers found
    across files, ``study_interviewers``, applied), transcripts given, or a part of a survey table (read
    with ``columns``, its rows left out counted in ``report``). Shared by every way of coding a corpus."""
    if isinstance(source, SurveyPart):
        return read_survey(source.path, columns or SurveyColumns(""), part=source, report=report)
    if isinstance(source, list):
        return source
    if isinstance(source, Transcript):
        return [source]
    return apply_interviewers(read_many(source, options), interviewers or {})


@dataclass
class CodedRows:
    """One source's coding as written rows (the text of the three CSV files, without headers), with its
    counts, the readers' warnings and, for a part of a survey table, the rows it left out."""

    texts: tuple[str, str, str]
    summary: CorpusSummary
    warnings: list[str]
    report: SurveyReport | None = None


def _code_rows(source: Source | SurveyPart) -> CodedRows:
    """In a pool worker: read one source (a transcript file, or a part of a survey table), code it and write
    its rows, so that the parent only copies text (it neither reads the inputs nor unpickles records)."""
    coder: Coder = _WORKER["coder"]
    summary, buffers = CorpusSummary(), (io.StringIO(), io.StringIO(), io.StringIO())
    report = SurveyReport(source.path) if isinstance(source, SurveyPart) else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transcripts = source_transcripts(source, _WORKER["options"], columns=_WORKER["columns"], report=report,
                                         interviewers=_WORKER["interviewers"])
        stream_coding(coder.code_each(transcripts), buffers, summary, header=False)
    texts = (buffers[0].getvalue(), buffers[1].getvalue(), buffers[2].getvalue())
    return CodedRows(texts, summary, [str(w.message) for w in caught], report)


def code_rows_in_pool(
    sources: Sequence[Source | SurveyPart], coder: Coder, jobs: int, *, options: ReadOptions | None = None,
    interviewers: Mapping[str, StudyInterviewers] | None = None, columns: SurveyColumns | None = None,
) -> Iterator[CodedRows]:
    """Yield each source's written rows, in order, coded by a fork pool of ``jobs`` processes sharing the
    coder built here (each returns text, never records); parts of survey tables (``plan_survey``) need their
    ``columns``. Needs the ``fork`` start method (Linux, macOS); raises ``PipelineError`` otherwise."""
    _WORKER.update(coder=coder, options=options or ReadOptions(), interviewers=interviewers or {}, columns=columns)
    if "fork" not in multiprocessing.get_all_start_methods():
        raise PipelineError(f"--jobs {jobs} needs the 'fork' start method, which this system lacks; use --jobs 1")
    with quiet_gc(), multiprocessing.get_context("fork").Pool(jobs, initializer=_ignore_interrupt) as pool:
        yield from pool.imap(_code_rows, sources)


def write_rows(chunks: Iterable[CodedRows], files: Sequence[Any], summary: CorpusSummary,
               reports: dict[str, SurveyReport]) -> None:
    """Write the three CSV files from rows written in pool workers (headers first), passing on the readers'
    warnings and adding the counts to ``summary`` and each survey part's rows left out to its table's report."""
    _headers(files)
    for chunk in chunks:
        for message in chunk.warnings:
            warnings.warn(message, stacklevel=2)
        for file, text in zip(files, chunk.texts):
            file.write(text)
        summary.add(chunk.summary)
        if chunk.report is not None:
            reports[chunk.report.path].merge(chunk.report)


def _read_each(sources: Iterable[Source], options: ReadOptions,
               interviewers: Mapping[str, StudyInterviewers] | None) -> Iterator[Transcript]:
    """Yield the transcripts of each source in turn, passing on the readers' warnings as a pool worker's
    are (so one stream through the pipeline codes them all, not one ``nlp.pipe`` per source)."""
    for source in sources:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            transcripts = list(source_transcripts(source, options, interviewers=interviewers))
        for warning in caught:
            warnings.warn(str(warning.message), stacklevel=2)
        yield from transcripts


def code_corpus(
    sources: Iterable[Source], coder: Coder, *, options: ReadOptions | None = None,
    interviewers: Mapping[str, StudyInterviewers] | None = None,
) -> Iterator[TranscriptCoding]:
    """Yield the coding of each transcript (read from a path, or given), in order, streamed through one
    ``nlp.pipe`` in this process (``code_rows_in_pool`` codes in several). ``interviewers`` (from
    ``study_interviewers``) names, per transcript id, the study's own interviewers found across files."""
    with quiet_gc():
        yield from coder.code_each(_read_each(sources, options or ReadOptions(), interviewers))


def _ignore_interrupt() -> None:
    """In a pool worker: leave Ctrl-C to the parent, which stops the pool and says so in one line (workers
    would otherwise each print a KeyboardInterrupt traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def quiet_gc() -> Iterator[None]:
    """Keep the garbage collector off the long-lived objects (pipeline, matchers, inputs) while coding.

    The objects alive at the start are frozen (a fork pool's workers then also leave the shared pages
    untouched) and young collections run less often: coding allocates many small records, and each full
    collection would walk every frozen object again. Both are restored afterwards.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 10_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def write_corpus_coding(results: Iterable[Any], out: str | Path,
                        write: Callable[[Iterable[Any], Sequence[Any], CorpusSummary], None] | None = None,
                        ) -> CorpusSummary:
    """Write coded segments, negated hits and vetoed hits to CSV files in ``out`` as results arrive
    (``TranscriptCoding`` records, or what ``write`` takes in place of ``stream_coding``).

    The files are streamed under temporary names and renamed only when every transcript is done, so
    an error part-way (a bad transcript) leaves no half-written coding behind.
    """
    folder = Path(out)
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot make the output folder ({exc.strerror})") from None
    summary = CorpusSummary()
    paths = [folder / SEGMENTS_FILE, folder / NEGATED_FILE, folder / VETOED_FILE]
    partial = [path.with_name(f".{path.name}.partial") for path in paths]
    done = False
    try:
        try:
            _stream(results, partial, summary, write or stream_coding)
            for temporary, final in zip(partial, paths):
                os.replace(temporary, final)
        except OSError as exc:
            if exc.filename is None or Path(exc.filename).parent != folder:
                raise
            raise OutputError(f"{folder}: cannot write the coding there ({exc.strerror})") from None
        done = True
    finally:
        for temporary in partial:
            temporary.unlink(missing_ok=True)
        if created and not done:
            shutil.rmtree(folder, ignore_errors=True)
    summary.written = paths
    return summary


def _stream(results: Iterable[Any], paths: list[Path], summary: CorpusSummary,
            write: Callable[[Iterable[Any], Sequence[Any], CorpusSummary], None]) -> None:
    with paths[0].open("w", newline="", encoding="utf-8") as seg_file, \
            paths[1].open("w", newline="", encoding="utf-8") as neg_file, \
            paths[2].open("w", newline="", encoding="utf-8") as vet_file:
        write(results, (seg_file, neg_file, vet_file), summary)


def stream_coding(results: Iterable[TranscriptCoding], files: Sequence[Any], summary: CorpusSummary, *,
                  header: bool = True) -> None:
    """Write codings as CSV rows to three open text files (segments, negated, vetoed), counting them in
    ``summary``; without ``header`` only the rows (a part of a corpus, assembled later)."""
    if header:
        _headers(files)
    segments, negated, vetoed = (csv.writer(file, lineterminator="\n") for file in files[:3])
    for result in results:
        summary.transcripts += 1
        summary.words += result.words
        summary.segments += len(result.segments)
        segments.writerows(map(segment_values, result.segments))
        for hit in result.set_aside:
            (negated if hit.status == "negated" else vetoed).writerow(_hit_values(hit))
            summary.negated += hit.status == "negated"
            summary.vetoed += hit.status != "negated"


def _headers(files: Sequence[Any]) -> None:
    """Write the header rows of the three files (segments, negated, vetoed)."""
    for file, columns in zip(files, (SEGMENT_COLUMNS, SET_ASIDE_COLUMNS, SET_ASIDE_COLUMNS)):
        csv.writer(file, lineterminator="\n").writerow(columns)


_hit_values = attrgetter(*SET_ASIDE_COLUMNS)  # a set-aside hit's row values, in column order


def hit_row(hit: SetAsideHit) -> dict[str, Any]:
    """Return a set-aside hit as a flat row of the negated or vetoed hits file."""
    return asdict(hit)


def code_corpus_files(
    paths: Sequence[str | Path], codebook: str | Path, out: str | Path, *, jobs: int = 1, unit: str = "sentence",
    model: str | None = None, interviewer_labels: tuple[str, ...] = DEFAULT_INTERVIEWER_LABELS,
    progress: Callable[[Iterable[TranscriptCoding], int | None], Iterable[TranscriptCoding]] | None = None,
    text_column: str | None = None, id_column: str | None = None,
) -> CorpusSummary:
    """Code transcript files with a codebook and write the CSV files; the library side of ``qualkit code``.

    With ``text_column`` the paths are survey tables (CSV, XLSX, Parquet; folders of them), streamed:
    each response is one participant turn, ``id_column`` its id, other columns attributes. ``progress``,
    if given, wraps the stream of results (per transcript, with the number of files, ``None`` for surveys; with
    ``jobs`` > 1, per file or survey part, with their number), e.g. for a progress bar.
    """
    book = load_codebook(codebook)
    check_writable(out)
    coder = Coder(book, build_pipeline(model), unit=unit)
    options = ReadOptions(interviewer_labels=interviewer_labels)
    columns = SurveyColumns(text_column, id_column) if text_column else None
    files = survey_files(paths) if columns else transcript_files(paths)  # a folder's attributes sheet is left out
    jobs = max(1, min(jobs, os.cpu_count() or 1))
    # Transcripts are read twice: first for who speaks in each file (the study's own interviewers are
    # found across files, as when a study is read whole), then one at a time to be coded.
    interviewers = None if columns else study_interviewers(speakers_in(files, options))
    if jobs > 1 and (columns or len(files) > 1):
        return _code_files_in_pool(files, coder, out, jobs, options, interviewers, columns, progress)
    report = SurveyReport()
    sources: Iterable[Source]
    if columns:
        sources, count = survey_sources(files, columns, report=report), None
    else:
        sources, count = files, len(files)
    results = code_corpus(sources, coder, options=options, interviewers=interviewers)
    summary = write_corpus_coding(progress(results, count) if progress else results, out)
    summary.left_out = dict(report.left_out)
    return summary


def _code_files_in_pool(
    files: list[Path], coder: Coder, out: str | Path, jobs: int, options: ReadOptions,
    interviewers: Mapping[str, StudyInterviewers] | None, columns: SurveyColumns | None, progress: Any,
) -> CorpusSummary:
    """Code files (or survey tables split into parts of ``POOL_PART_ROWS`` rows, duplicate ids found first
    across all of them) in a fork pool, each worker reading its own inputs and writing its own rows."""
    reports: dict[str, SurveyReport] = {}
    sources: list[Source | SurveyPart] = list(files)
    if columns is not None:
        seen, sources = SeenIds(), []
        for path in files:  # each part counts its own rows left out (the duplicates the plan found too)
            reports[str(path)] = SurveyReport(str(path))
            parts = plan_survey(path, columns, POOL_PART_ROWS, seen=seen, report=SurveyReport(str(path)))
            # A worker reads an XLSX sheet from its top down to its rows: one run of rows per worker
            sources.extend(_joined(parts, jobs) if path.suffix.lower() in (".xlsx", ".xlsm") else parts)
    chunks = code_rows_in_pool(sources, coder, min(jobs, len(sources)) or 1, options=options,
                               interviewers=interviewers, columns=columns)
    summary = write_corpus_coding(progress(chunks, len(sources)) if progress else chunks, out,
                                  lambda results, handles, total: write_rows(results, handles, total, reports))
    left_out(reports.values(), summary)
    return summary


def left_out(reports: Iterable[SurveyReport], summary: CorpusSummary) -> None:
    """Add each survey table's rows left out to ``summary`` by reason, and warn of them, one line a table."""
    for report in reports:
        for reason, count in report.left_out.items():
            summary.left_out[reason] = summary.left_out.get(reason, 0) + count
        if report.message():
            warnings.warn(report.message() or "", stacklevel=3)


def _joined(parts: list[SurveyPart], groups: int) -> list[SurveyPart]:
    """Return consecutive parts of one table joined into at most ``groups`` parts of about equal size."""
    size = -(-len(parts) // groups)
    return [SurveyPart(run[0].path, run[0].start, run[-1].stop, run[0].first_row,
                       tuple(row for part in run for row in part.skip), sum(part.size for part in run))
            for run in (parts[at:at + size] for at in range(0, len(parts), size))]


def check_writable(out: str | Path) -> None:
    """Raise ``OutputError`` unless ``out`` is, or can be made, a folder this process can write into."""
    folder = Path(out)
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise OutputError(f"{existing}: is a file, not a folder; cannot write the coding to {folder}")
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{folder}: cannot write here (no permission to write in {existing})")
