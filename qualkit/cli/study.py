"""``qualkit study``: make a study folder, run its codebook again keeping every decision, and show its state."""

from __future__ import annotations

import json
from typing import Any

import click

from qualkit.cli.common import Output, main, progress, settings_from, study_options, translated_errors


@main.group()
def study() -> None:
    """A study folder: its transcripts, codebook versions, coding runs and every reviewer's decision."""


@study.command()
@click.argument("folder", metavar="DIR", type=Output(file_okay=False))
@study_options
@click.option("--force", is_flag=True, help="Replace a study the folder already holds (its decisions are lost).")
def init(folder: str, force: bool, **opts: Any) -> None:
    """Make a study in DIR: import the transcripts, attributes and codebook (default: the sample) and code them."""
    from qualkit.store import init_study

    with translated_errors():
        with init_study(folder, settings_from(opts), force=force,
                        progress=lambda items: progress(items, "Coding")) as made:
            status = made.status(agreement=False)
            n_transcripts, n_codes = len(made.transcripts()), len(made.codes())
    click.echo(f"Made a study in {folder}: {n_transcripts} transcripts, {n_codes} codes, "
               f"{status['auto']} automatic segments awaiting review.")


@study.command()
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False))
@click.option("--codebook", "-c", default=None, type=click.Path(dir_okay=False),
              help="A new version of the codebook (default: the study's codebook file as it is now).")
def code(folder: str, codebook: str | None) -> None:
    """Run the codebook on the study again; decisions stay with segments it produces again."""
    from qualkit.store import open_study

    with translated_errors():
        with open_study(folder) as opened:
            found = opened.code(codebook, progress=lambda items: progress(items, "Coding"))
    click.echo(f"Run {found['run_id']}: {found['segments']} automatic segments; decisions kept {found['kept']}, "
               f"orphaned {found['orphaned']}; {found['new']} new segments await review.")


@study.command()
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (totals at the top, 'codes' per code).")
def status(folder: str, as_json: bool) -> None:
    """Show per code and in total how many segments are pending, accepted, rejected, recoded, manual and
    orphaned; per coder; and the agreement between coders."""
    from qualkit.store import open_study, render_status

    with translated_errors():
        with open_study(folder) as opened:
            found = opened.status()
    if as_json:
        click.echo(json.dumps(found, indent=2))
    else:
        click.echo(render_status(found), nl=False)
