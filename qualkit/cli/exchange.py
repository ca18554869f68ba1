"""``qualkit export`` and ``qualkit import``: REFI-QDA projects (.qdpx) and codebooks (.qdc)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import click

from qualkit.cli.common import Output, main, settings_from, study_options, translated_errors


@main.group(name="export")
def export_group() -> None:
    """Export a study or a codebook for other QDA tools (REFI-QDA)."""


@main.group(name="import")
def import_group() -> None:
    """Import a project or a codebook from other QDA tools (REFI-QDA)."""


@export_group.command(name="qdpx")
@study_options
@click.option("--out", "-o", required=True, type=Output(dir_okay=False), help="The .qdpx file to write.")
@click.option("--study", "study_dir", type=click.Path(file_okay=False), default=None,
              help="Export a study folder (qualkit study): its reviewed coding, each coding under its coder.")
@click.option("--codings", type=click.Choice(["auto", "human", "both", "reviewed"]), default=None,
              help="Which codings: qualkit's auto-coding (default), the human coding, or both (as two users); "
                   "with --study: reviewed (default) or auto.")
@click.option("--human", type=click.Path(dir_okay=False), default=None,
              help="A human coding file (coded_segments.csv, coder = the person's name).")
@click.option("--positions", type=click.Choice(["characters", "utf16"]), default=None,
              help="How selection positions count: Unicode characters (the standard's, default) or UTF-16 code "
                   "units (NVivo's: an emoji counts two).")
@click.option("--for", "for_tool", type=click.Choice(["nvivo"]), default=None,
              help="Write for one tool: --for nvivo is --positions utf16.")
@click.option("--ids", type=click.Path(dir_okay=False), default=None,
              help="GUIDs to keep (guids.json of an imported study; default: the guids.json beside the codebook).")
def export_qdpx(out: str, study_dir: str | None, codings: str | None, human: str | None, positions: str | None,
                for_tool: str | None, ids: str | None, **opts: Any) -> None:
    """Export a study (default: the bundled sample) as a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA, ..."""
    from qualkit.refi import export_reviewed, export_study

    if for_tool == "nvivo" and positions == "characters":
        raise click.UsageError("--for nvivo writes UTF-16 positions; it cannot go with --positions characters")
    if study_dir is None and codings == "reviewed":
        raise click.UsageError("--codings reviewed needs --study (a study folder made by qualkit study)")
    if study_dir is not None and codings in ("human", "both"):
        raise click.UsageError("with --study, --codings is reviewed (the default) or auto")
    unit = "utf16" if for_tool == "nvivo" else positions or "characters"
    with translated_errors():
        if study_dir:
            path, segments, notes = export_reviewed(study_dir, out, coding=codings or "reviewed", positions=unit, ids=ids)
        else:
            path, segments, notes = export_study(settings_from(opts), out, codings or "auto", human, positions=unit, ids=ids)
    for note in notes:
        click.echo(f"warning: {note}", err=True)
    users = Counter("qualkit (auto)" if s.coder == "auto" else s.coder for s in segments)
    listed = sorted(users.items(), key=lambda item: (item[0] != "qualkit (auto)", item[0]))
    click.echo(f"Wrote {path}: {len(segments)} codings ({', '.join(f'{u}: {n}' for u, n in listed) or 'none'}).")


@import_group.command(name="qdpx")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--out", "-o", required=True, type=Output(file_okay=False), help="The study folder to write.")
@click.option("--lenient", is_flag=True, help="Import what is sound when the project has errors, and list them.")
@click.option("--force", is_flag=True, help="Replace the study files already in the folder.")
def import_qdpx(file: str, out: str, lenient: bool, force: bool) -> None:
    """Import a REFI-QDA project (.qdpx, or a .qde) as a study folder that `qualkit run` accepts."""
    from qualkit.refi import import_study, study_files

    with translated_errors():
        project = import_study(file, out, lenient=lenient, force=force)
    for note in project.notes:
        click.echo(f"warning: {note}", err=True)
    users = Counter(s.coder for s in project.segments)
    codes = len(project.codebook.codes) if project.codebook else 0
    click.echo(f"Imported {len(project.transcripts)} transcripts, {codes} codes and {len(project.segments)} codings "
               f"({', '.join(f'{u}: {n}' for u, n in users.items()) or 'none'}) from {project.origin or 'an unnamed tool'}.")
    for label, count in Counter(v for v in project.conventions.values() if v != "no selections").items():
        click.echo(f"Positions read as {label}: {count} source{'s' if count != 1 else ''}.")
    click.echo(f"Wrote {out}/ ({', '.join(study_files(out))}).")


@export_group.command(name="qdc")
@click.option("--codebook", "-c", default="codebooks/sample.yaml", show_default=True, type=click.Path(dir_okay=False),
              help="Codebook YAML file.")
@click.option("--out", "-o", required=True, type=Output(dir_okay=False), help="The .qdc file to write.")
def export_qdc(codebook: str, out: str) -> None:
    """Export a codebook as a REFI-QDA .qdc (patterns cannot be held by a .qdc and are left out)."""
    from qualkit.codebook import load_codebook
    from qualkit.refi import write_qdc

    with translated_errors():
        book = load_codebook(codebook)
        write_qdc(book, out)
    click.echo(f"Wrote {out}: {len(book.themes)} themes and {len(book.codes)} codes.")


@import_group.command(name="qdc")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--out", "-o", required=True, type=Output(dir_okay=False), help="The codebook YAML file to write.")
@click.option("--lenient", is_flag=True, help="Import a codebook that does not follow the schema.")
def import_qdc(file: str, out: str, lenient: bool) -> None:
    """Import a REFI-QDA .qdc codebook as qualkit YAML (add patterns to it to auto-code)."""
    from pathlib import Path

    from qualkit.refi import read_qdc, write_text

    with translated_errors():
        book, text, notes = read_qdc(file, lenient=lenient)
        write_text(Path(out), text)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"Wrote {out}: {len(book.themes)} themes and {len(book.codes)} codes.")
