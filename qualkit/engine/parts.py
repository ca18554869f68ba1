"""The part function: code one part of the plan on a worker and write its rows under the part's name.

It is a plain function of plain data (a part, a job and the output folder), so Dask, Spark's
``mapPartitions`` or a loop can call it. Each worker thread builds its pipeline and matchers once per
job (from the codebook's text, never a pickled pipeline) and keeps them. Rows are written to a
temporary name and renamed when complete, so a part is either absent or whole, and a task run twice
writes the same bytes under the same name. What it returns is small: counts, checksums and the
readers' warnings.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time
import uuid
import warnings
from pathlib import Path
from typing import Any, Iterator

from qualkit.codebook import parse_codebook
from qualkit.coding import (
    Coder, CorpusSummary, TranscriptCoding, build_pipeline, hit_row, quiet_gc, source_transcripts, stream_coding,
)
from qualkit.engine.plan import Job, Part
from qualkit.readers import ReadOptions, Speakers, SurveyColumns, SurveyPart, SurveyReport, speakers_in
from qualkit.segments import SEGMENT_COLUMNS, SET_ASIDE_COLUMNS, segment_row

PARTS_FOLDER = "_parts"
KINDS = ("segments", "negated", "vetoed")
_CACHE = threading.local()


def coder_for(job: Job) -> Coder:
    """Return this thread's coder for the job, building the pipeline and matchers on first use."""
    cached: dict[str, Coder] = getattr(_CACHE, "coders", None) or {}
    _CACHE.coders = cached
    key = job.key()
    if key not in cached:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            book = parse_codebook(job.codebook_text, source=job.codebook_source)
            cached.clear()  # one job at a time per worker thread
            cached[key] = Coder(book, build_pipeline(job.model), unit=job.unit)
    return cached[key]


def warm_up(job: Job) -> int:
    """Build this worker thread's pipeline and matchers for the job before its first part; return its process id."""
    coder_for(job)
    return os.getpid()


def part_speakers(part: Part, job: Job) -> list[Speakers]:
    """Read a part's transcript files for who speaks in each (no text kept): the first pass, whose results
    from every part decide the study's own interviewers (``study_interviewers``) before any part is coded."""
    return speakers_in(part.files, ReadOptions(interviewer_labels=job.interviewer_labels))


def part_paths(out: str | Path, part: Part, fmt: str) -> dict[str, Path]:
    """Return where a part's files go: ``DIR/_parts/part-00000.segments.csv`` and so on."""
    folder = Path(out) / PARTS_FOLDER
    return {kind: folder / f"{part.name}.{kind}.{fmt}" for kind in KINDS}


def code_part(part: Part, job: Job, out: str) -> dict[str, Any]:
    """Code one part and write its files; return its name, counts, file checksums and warnings."""
    began = time.perf_counter()
    coder = coder_for(job)
    report = SurveyReport(part.survey["path"] if part.survey else "")
    summary = CorpusSummary()
    with warnings.catch_warnings(record=True) as caught, quiet_gc():
        warnings.simplefilter("always")
        results = coder_results(coder, part, job, report)
        paths = part_paths(out, part, job.format)
        digests = _write(results, paths, job.format, summary)
    return {
        "name": part.name, "files": digests, "transcripts": summary.transcripts, "words": summary.words,
        "segments": summary.segments, "negated": summary.negated, "vetoed": summary.vetoed,
        "left_out": {"path": report.path, "counts": report.left_out, "rows": report.rows},
        "warnings": [str(w.message) for w in caught], "seconds": round(time.perf_counter() - began, 4),
        "worker": os.getpid(), "peak_mib": round(_peak_mib(), 1),
    }


def _peak_mib() -> float:
    """Return this process's peak resident memory in MiB (0 where the platform does not say)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def coder_results(coder: Coder, part: Part, job: Job, report: SurveyReport) -> Iterator[TranscriptCoding]:
    """Yield the codings of a part's transcripts (or survey responses), in plan order, streamed through one
    ``nlp.pipe``."""
    options = ReadOptions(interviewer_labels=job.interviewer_labels)
    columns = SurveyColumns(job.text_column or "", job.id_column)
    found = dict(part.interviewers)
    sources: list[Any] = list(part.files)
    if part.survey is not None:
        spec = part.survey
        sources = [SurveyPart(spec["path"], spec["start"], spec["stop"], spec["first_row"], tuple(spec["skip"]),
                              part.size)]
    return coder.code_each(transcript for source in sources for transcript in
                           source_transcripts(source, options, columns=columns, report=report, interviewers=found))


def _write(results: Iterator[TranscriptCoding], paths: dict[str, Path], fmt: str,
           summary: CorpusSummary) -> dict[str, dict[str, Any]]:
    """Write the part's files under temporary names, then rename each; return their checksums."""
    folder = next(iter(paths.values())).parent
    folder.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex  # a second run of the same task never writes into this one's files
    temporary = {kind: path.with_name(f".{path.name}.{token}.tmp") for kind, path in paths.items()}
    try:
        if fmt == "parquet":
            _write_parquet(results, temporary, summary)
        else:
            handles = [temporary[kind].open("w", newline="", encoding="utf-8") for kind in KINDS]
            try:
                stream_coding(results, handles, summary, header=False)
            finally:
                for handle in handles:
                    handle.close()
        digests = {kind: {"file": paths[kind].name, "sha256": file_sha256(temporary[kind]),
                          "bytes": temporary[kind].stat().st_size} for kind in KINDS}
        for kind in KINDS:
            os.replace(temporary[kind], paths[kind])
        return digests
    finally:
        for path in temporary.values():
            path.unlink(missing_ok=True)


def _write_parquet(results: Iterator[TranscriptCoding], paths: dict[str, Path], summary: CorpusSummary) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    for result in results:
        summary.transcripts += 1
        summary.words += result.words
        summary.segments += len(result.segments)
        rows["segments"].extend(segment_row(s) for s in result.segments)
        for hit in result.set_aside:
            rows["negated" if hit.status == "negated" else "vetoed"].append(hit_row(hit))
    summary.negated, summary.vetoed = len(rows["negated"]), len(rows["vetoed"])
    for kind in KINDS:
        schema = parquet_schema(SEGMENT_COLUMNS if kind == "segments" else SET_ASIDE_COLUMNS)
        table = pa.Table.from_pylist(rows[kind], schema=schema)
        pq.write_table(table, paths[kind], compression="zstd")


def parquet_schema(columns: list[str]) -> Any:
    """Return the Parquet schema of a coding file: offsets and turns as integers, the rest as text."""
    import pyarrow as pa

    numbers = {"turn", "start", "end"}
    return pa.schema([(name, pa.int64() if name in numbers else pa.string()) for name in columns])


def file_sha256(path: Path) -> str:
    """Return the sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(io.DEFAULT_BUFFER_SIZE * 64), b""):
            digest.update(block)
    return digest.hexdigest()
