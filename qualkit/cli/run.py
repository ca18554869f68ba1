"""``qualkit run``: the main job on a study, writing its report."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from qualkit.cli.common import Output, echo_warnings, main, progress, settings_from, study_options, translated_errors
from qualkit.cli.report import options_from, report_files, report_options


@main.command()
@study_options
@click.option("--out", "-o", default="reports", show_default=True, type=Output(file_okay=False),
              help="Folder the reports are written into.")
@click.option("--human", "human_coding", default=None, type=click.Path(dir_okay=False),
              help="A human coding of some transcripts (coded_segments.csv, or a document / code path / text table, "
                   "as 'qualkit agree' reads): its agreement with this run goes into the appendix and the methods.")
@click.option("--study", "study", default=None, type=click.Path(file_okay=False),
              help="A study folder ('qualkit study init'): report on its transcripts, codebook and coding.")
@click.option("--coding", type=click.Choice(["reviewed", "auto"]), default="reviewed", show_default=True,
              help="With --study: the reviewed coding (accepted, recoded, manual) or every automatic coding.")
@click.option("--skip-bad", is_flag=True, help="Leave out transcripts that cannot be read (listed in the methods trail).")
@report_options
def run(out: str, human_coding: str | None, study: str | None, coding: str, skip_bad: bool, **opts: Any) -> None:
    """Run the main job on a study (default: the bundled sample) and write its report."""
    from qualkit.inputs import check_out
    from qualkit.report import write_report
    from qualkit.study import run_study

    began = time.perf_counter()
    options = options_from(opts)
    settings = replace(settings_from(opts), human_coding=human_coding, study=study, coding=coding, skip_bad=skip_bad)
    with translated_errors():
        check_out(out, settings.transcripts, report_files())
        result = run_study(settings, progress=lambda items: progress(items, "Coding"))
        written = write_report(result, out, options)
    echo_warnings(result.warnings)  # also in the report's warnings; shown here, grouped by file, so they are not missed
    what = "responses" if settings.text_column else "transcripts"  # a survey table's rows are each one response
    click.echo(f"Coded {len(result.transcripts)} {what}: {len(result.segments)} segments, "
               f"{len(result.themes)} suggested themes, in {time.perf_counter() - began:.1f} s.")
    click.echo(f"Wrote {len(written)} files into {out}; open {Path(out) / 'index.html'} for the list.")
