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
def code(paths: tuple[str, ...], codebook: str, out: str, jobs: int, unit: str, model: str | None,
         interviewer: tuple[str, ...]) -> None:
    """Code transcript files or folders (PATHS) with a codebook; the command for large corpora."""
    from qualkit.coding import code_corpus_files

    began = time.perf_counter()
    with translated_errors():
        summary = code_corpus_files(paths, codebook, out, jobs=jobs, unit=unit, model=model,
                                    interviewer_labels=tuple(interviewer) or DEFAULT_INTERVIEWER_LABELS,
                                    progress=lambda results, n: progress(results, "Coding", n))
    seconds = time.perf_counter() - began
    click.echo(f"Coded {summary.transcripts} transcripts ({summary.words:,} words) in {seconds:.1f} s: "
               f"{summary.segments} segments, {summary.negated} negated and {summary.vetoed} vetoed hits.")
    for path in summary.written:
        click.echo(f"Wrote {path}")
