"""``qualkit run``: the main job on a study, writing its report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from qualkit.cli.common import echo_warnings, main, progress, settings_from, study_options, translated_errors
from qualkit.cli.report import options_from, report_options


@main.command()
@study_options
@click.option("--out", "-o", default="reports", show_default=True, type=click.Path(file_okay=False),
              help="Folder the reports are written into.")
@report_options
def run(out: str, **opts: Any) -> None:
    """Run the main job on a study (default: the bundled sample) and write its report."""
    from qualkit.report import write_report
    from qualkit.study import run_study

    began = time.perf_counter()
    options = options_from(opts)
    with translated_errors():
        result = run_study(settings_from(opts), progress=lambda items: progress(items, "Coding"))
        written = write_report(result, out, options)
    echo_warnings(result.warnings)  # also in the report's warnings; shown here, grouped by file, so they are not missed
    click.echo(f"Coded {len(result.transcripts)} transcripts: {len(result.segments)} segments, "
               f"{len(result.themes)} suggested themes, in {time.perf_counter() - began:.1f} s.")
    click.echo(f"Wrote {len(written)} files into {out}; open {Path(out) / 'index.html'} for the list.")
