"""``qualkit codebook``: check a codebook against a corpus, and convert it to and from spreadsheets."""

from __future__ import annotations

from pathlib import Path

import click

from qualkit.cli.common import Output, main, translated_errors
from qualkit.transcript import DEFAULT_INTERVIEWER_LABELS

SHEETS = (".csv", ".xlsx")


@main.group()
def codebook() -> None:
    """Check codebooks and convert them (YAML <-> sheets; import also reads Word and Markdown tables and other tools' JSON/YAML)."""


@codebook.command()
@click.argument("codebook_file", metavar="CODEBOOK", type=click.Path())
@click.argument("transcripts", nargs=-1, type=click.Path())
@click.option("--model", default=None, help="Installed spaCy pipeline to use (default: blank English with lookup lemmas).")
@click.option("--interviewer", multiple=True,
              help=f"Interviewer speaker label (repeatable; default: {', '.join(DEFAULT_INTERVIEWER_LABELS)}).")
@click.option("--study", "study_dir", type=click.Path(), metavar="DIR",
              help="A study folder: also show, per pattern, how many of its passages reviewers accepted and rejected.")
def check(codebook_file: str, transcripts: tuple[str, ...], model: str | None, interviewer: tuple[str, ...],
          study_dir: str | None) -> None:
    """Report a codebook's structural problems; with TRANSCRIPTS, per code and pattern: hits, units,
    participants, patterns that never match or match far more than the rest, shared matches, and contexts.
    CODEBOOK may be a study folder (its current codebook, with the reviewers' verdicts per pattern)."""
    from qualkit.coding import check_codebook, render_check
    from qualkit.codebook import load_codebook
    from qualkit.coding import Coder, build_pipeline
    from qualkit.readers import ReadOptions, read_transcripts
    from qualkit.review import is_study, pattern_feedback, render_pattern_feedback, study_codebook

    with translated_errors():
        if study_dir is None and is_study(codebook_file):
            study_dir = codebook_file
        book = study_codebook(codebook_file) if codebook_file == study_dir else load_codebook(codebook_file)
        verdicts = pattern_feedback(study_dir) if study_dir is not None else None
        options = ReadOptions(interviewer_labels=tuple(interviewer) or DEFAULT_INTERVIEWER_LABELS)
        found = read_transcripts(transcripts, options) if transcripts else []
        coder = Coder(book, build_pipeline(model))  # builds the matchers: a pattern spaCy refuses is an error here
        click.echo(render_check(check_codebook(book, found, coder)), nl=False)
        if verdicts is not None:
            click.echo("\n" + render_pattern_feedback(verdicts, Path(study_dir).name), nl=False)


@codebook.command("import")
@click.argument("sheet", type=click.Path())
@click.option("--out", "-o", required=True, type=Output(dir_okay=False), help="YAML codebook to write.")
def import_(sheet: str, out: str) -> None:
    """Convert a codebook to YAML: a .csv/.tsv/.xlsx sheet, a Word or Markdown table, or another tool's JSON/YAML
    (a 'Parent > Child' path column, or Theme / Category / Code columns, each description column describing the
    column on its left); each reading chosen for you is said."""
    from qualkit.codebook import read_codebook_table, write_codebook_yaml

    with translated_errors():
        book = read_codebook_table(sheet)
        written = write_codebook_yaml(book, out)
    click.echo(f"Wrote {written}: {len(book.themes)} themes, {len(book.codes)} codes.")


@codebook.command()
@click.argument("codebook_file", metavar="CODEBOOK", type=click.Path())
@click.option("--out", "-o", required=True, type=Output(dir_okay=False), help="Sheet to write (.csv or .xlsx).")
def export(codebook_file: str, out: str) -> None:
    """Write a YAML codebook as a .csv/.xlsx sheet (patterns kept as JSON in a 'patterns' column)."""
    from qualkit.codebook import load_codebook
    from qualkit.codebook import write_codebook_table

    if Path(out).suffix.lower() not in SHEETS:
        raise click.BadParameter(f"{out}: write a .csv or .xlsx sheet (.qdc is written by the REFI-QDA export)",
                                 param_hint="--out")
    with translated_errors():
        book = load_codebook(codebook_file)
        written = write_codebook_table(book, out)
    click.echo(f"Wrote {written}: {len(book.themes)} themes, {len(book.codes)} codes.")
