"""``qualkit code``: code a corpus with a codebook and write the hits as CSV, without a report."""

from __future__ import annotations

import time

import click

from qualkit.cli.common import main, progress, translated_errors
from qualkit.transcript import DEFAULT_INTERVIEWER_LABELS


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--codebook", "-c", required=True, type=click.Path(), help="Codebook YAML file.")
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False),
              help="Folder for coded_segments.csv, negated_hits.csv and vetoed_hits.csv.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each codes whole transcripts).")
@click.option("--unit", default="sentence", show_default=True,
              help="Default span a hit codes: match, sentence, turn or turn+N (codes may set their own).")
@click.option("--model", default=None, help="Installed spaCy pipeline to use (default: blank English with lookup lemmas).")
@click.option("--interviewer", multiple=True,
              help=f"Interviewer speaker label (repeatable; default: {', '.join(DEFAULT_INTERVIEWER_LABELS)}).")
@click.option("--text-column", default=None,
              help="PATHS are survey tables (CSV, XLSX, Parquet): the column holding each response.")
@click.option("--id-column", default=None, help="Survey tables: the column holding each response's id (default: row numbers).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: this machine (--jobs); dask: a Dask cluster, part by part, exactly once (needs qualkit[dask]).")
@click.option("--scheduler", default=None, help="Dask: address of a running scheduler (default: start a local cluster).")
@click.option("--workers", default=None, type=click.IntRange(1, 4096),
              help="Dask: worker processes of the local cluster (default: one per core).")
@click.option("--resume", is_flag=True, help="Finish an unfinished part-by-part run (--engine dask, --format parquet) in --out: code only the missing parts.")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True,
              help="Output format (parquet: a dataset folder per file, with the distributed engine).")
def code(paths: tuple[str, ...], codebook: str, out: str, jobs: int, unit: str, model: str | None,
         interviewer: tuple[str, ...], text_column: str | None, id_column: str | None, engine: str,
         scheduler: str | None, workers: int | None, resume: bool, fmt: str) -> None:
    """Code transcript files or folders, or survey tables (PATHS), with a codebook; the command for large corpora."""
    if engine == "dask" and jobs > 1:
        raise click.UsageError("--jobs is for the local engine; with --engine dask give --workers")
    if engine == "local" and (scheduler or workers):
        raise click.UsageError("--scheduler and --workers need --engine dask")
    labels = tuple(interviewer) or DEFAULT_INTERVIEWER_LABELS
    began = time.perf_counter()
    with translated_errors():
        if engine == "dask" or fmt == "parquet" or resume:
            from qualkit.engine import code_distributed

            summary = code_distributed(
                paths, codebook, out, engine=engine, scheduler=scheduler, workers=workers, resume=resume, fmt=fmt,
                unit=unit, model=model, interviewer_labels=labels, text_column=text_column, id_column=id_column,
                progress=lambda results, n: progress(results, "Coding parts", n))
        else:
            from qualkit.coding import code_corpus_files

            summary = code_corpus_files(paths, codebook, out, jobs=jobs, unit=unit, model=model,
                                        interviewer_labels=labels, text_column=text_column, id_column=id_column,
                                        progress=lambda results, n: progress(results, "Coding", n))
    seconds = time.perf_counter() - began
    if getattr(summary, "verified", False):
        click.echo(f"{out} already holds this run, finished; its outputs match their checksums (nothing written).")
        return
    what = "responses" if text_column else "transcripts"
    click.echo(f"Coded {summary.transcripts} {what} ({summary.words:,} words) in {seconds:.1f} s: "
               f"{summary.segments} segments, {summary.negated} negated and {summary.vetoed} vetoed hits.")
    if summary.left_out:
        reasons = ", ".join(f"{n} {reason}" for reason, n in summary.left_out.items())
        click.echo(f"Left out {sum(summary.left_out.values())} rows ({reasons}); see the warnings above.")
    if hasattr(summary, "coded_now"):
        click.echo(f"Parts: {len(summary.coded_now)} coded now, {summary.already_done} done before, "
                   f"{summary.parts} in all.")
    for path in summary.written:
        click.echo(f"Wrote {path}")
