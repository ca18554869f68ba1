"""``qualkit ingest``: read transcripts and show what was found, before any coding."""

from __future__ import annotations

import click

from qualkit.cli.common import Output, main, translated_errors
from qualkit.transcript import DEFAULT_INTERVIEWER_LABELS


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--turns", "turns_file", type=Output(dir_okay=False),
              help="Write every turn as a table (.csv, or .parquet when pyarrow is installed).")
@click.option("--skip-bad", is_flag=True, help="Skip unreadable files (listed at the end) instead of stopping.")
@click.option("--alias", "alias_file", type=click.Path(dir_okay=False),
              help="Speaker alias file (YAML or CSV: label as written -> speaker name).")
@click.option("--interviewer", multiple=True, help="Extra interviewer label (repeatable).")
def ingest(paths: tuple[str, ...], turns_file: str | None, skip_bad: bool, alias_file: str | None,
           interviewer: tuple[str, ...]) -> None:
    """Read transcripts and print, per file, the format, speakers with turn and word counts, and warnings."""
    from qualkit.ingest import check_turns_path, format_report, ingest as ingest_files, write_turns
    from qualkit.readers import ReadOptions, load_aliases

    with translated_errors():
        if turns_file:
            check_turns_path(turns_file)  # before reading: a name it cannot be written as is said at once
        options = ReadOptions(aliases=load_aliases(alias_file) if alias_file else {},
                              interviewer_labels=DEFAULT_INTERVIEWER_LABELS + interviewer)
        report = ingest_files(list(paths), options, skip_bad=skip_bad)
        click.echo(format_report(report))
        if turns_file:
            write_turns(report.transcripts, turns_file)
            click.echo(f"Wrote {turns_file}")
