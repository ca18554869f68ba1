"""``qualkit run``: the main job on a study, writing its report."""

from __future__ import annotations

import time
from typing import Any

import click

from qualkit.cli.common import main, progress, settings_from, study_options, translated_errors


@main.command()
@study_options
@click.option("--out", "-o", default="reports", show_default=True, type=click.Path(file_okay=False),
              help="Folder the report is written into.")
def run(out: str, **opts: Any) -> None:
    """Run the main job on a study (default: the bundled sample) and write its report."""
    from qualkit.report import write_report
    from qualkit.study import run_study

    began = time.perf_counter()
    with translated_errors():
        result = run_study(settings_from(opts), progress=lambda items: progress(items, "Coding"))
        written = write_report(result, out)
    click.echo(f"Coded {len(result.transcripts)} transcripts: {len(result.segments)} segments, "
               f"{len(result.themes)} suggested themes, in {time.perf_counter() - began:.1f} s.")
    for path in written:
        click.echo(f"Wrote {path}")
