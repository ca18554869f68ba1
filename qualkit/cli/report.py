"""``qualkit report``: re-render report kinds and formats from a finished run, without coding again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from qualkit.cli.common import Output, main, translated_errors

KIND_CHOICES = ["thematic", "appendix", "comparison", "report", "all"]
FORMAT_CHOICES = ["html", "md", "docx", "tables", "all"]


def report_options(func: Any) -> Any:
    """The options that shape a report without changing the coding (shared by run and report)."""
    options = [
        click.option("--template-dir", type=click.Path(file_okay=False, exists=True), default=None,
                     help="Folder of templates overriding the built-in ones (see docs/templates.md)."),
        click.option("--pseudonyms", type=click.Path(dir_okay=False), default=None,
                     help="CSV (real,pseudonym) or YAML (real: pseudonym) mapping applied to every quote and table."),
        click.option("--attribution", default=None, metavar="FIELDS",
                     help='Fields a quote is credited with, e.g. "id, group, site" (id, speaker or attribute names; '
                          "default: id, the --group-by attribute, site)."),
        click.option("--quotes", "quotes_per_code", type=click.IntRange(0, 50), default=None,
                     help="At most this many quotes per code (default: 3)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def options_from(opts: dict[str, Any]) -> Any:
    """Build ReportOptions from the report options."""
    from qualkit.report import QuotePolicy, ReportOptions, parse_fields

    quotes = opts.pop("quotes_per_code", None)
    attribution = opts.pop("attribution", None)
    return ReportOptions(
        attribution=parse_fields(attribution) if attribution else None,
        quotes=QuotePolicy(per_code=quotes) if quotes is not None else None,
        pseudonyms=opts.pop("pseudonyms", None), template_dir=opts.pop("template_dir", None),
    )


def report_files() -> list[str]:
    """The names of the files a run writes that a user may have files of (report.md, run.json, ...)."""
    from qualkit.report import KINDS, RUN_FILE

    return [f"{kind}.{ext}" for kind in KINDS for ext in ("html", "md", "docx")] + [
        RUN_FILE, "index.html", "tables.xlsx", "coded_segments.csv"]


@main.command()
@click.option("--from", "source", required=True, type=click.Path(file_okay=False, exists=True),
              help="Output folder of a finished 'qualkit run' (holding run.json).")
@click.option("--kind", "-k", type=click.Choice(KIND_CHOICES), multiple=True, default=["all"], show_default=True,
              help="Report kind to render (repeatable).")
@click.option("--format", "-f", "formats", type=click.Choice(FORMAT_CHOICES), multiple=True, default=["all"],
              show_default=True, help="Format to render (repeatable); 'tables' is the CSV files and tables.xlsx.")
@click.option("--out", "-o", type=Output(file_okay=False), default=None,
              help="Folder to write into (default: the --from folder).")
@report_options
def report(source: str, kind: tuple[str, ...], formats: tuple[str, ...], out: str | None, **opts: Any) -> None:
    """Re-render reports from a finished run's run.json, e.g. with other templates or pseudonyms."""
    from qualkit.report import FORMATS, KINDS, rerender

    kinds = KINDS if "all" in kind else tuple(dict.fromkeys(kind))
    chosen = FORMATS if "all" in formats else tuple(dict.fromkeys(formats))
    from qualkit.inputs import check_out

    with translated_errors():
        if out is not None:
            check_out(out, writes=report_files())
        written = rerender(source, kinds, chosen, options_from(opts), out)
    click.echo(f"Wrote {len(written)} files into {Path(out or source)}.")
