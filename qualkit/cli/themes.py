"""``qualkit themes``: suggest themes in transcripts and write them as JSON or CSV."""

from __future__ import annotations

from typing import Any

import click

from qualkit.cli.common import Output, main, translated_errors, write_output


def _k(value: str) -> int | str:
    if value == "auto":
        return value
    if not value.isdigit() or int(value) < 1:
        raise click.BadParameter(f"expected a positive whole number or 'auto', got {value!r}")
    return int(value)


@main.command()
@click.argument("transcripts", nargs=-1, required=True, type=click.Path())
@click.option("--codebook", "-c", type=click.Path(), help="Codebook YAML: suggest themes in what it did not code.")
@click.option("--themes", "--k", "k", default="auto", show_default=True, metavar="N|AUTO",
              help="Number of themes, or 'auto' to choose it from the data (as qualkit run's --themes).")
@click.option("--method", type=click.Choice(["nmf", "lda", "kmeans"]), default="nmf", show_default=True,
              help="Theme model.")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option("--interviewer", multiple=True, help="Interviewer speaker label (repeatable).")
@click.option("--text-column", default=None,
              help="Read TRANSCRIPTS as survey tables (CSV/XLSX/Parquet): the column holding each response's text.")
@click.option("--id-column", default=None, help="Survey tables: the column holding each response's id (default: row numbers).")
@click.option("--json", "json_path", type=Output(dir_okay=False), help="Write the themes as JSON here.")
@click.option("--csv", "csv_path", type=Output(dir_okay=False), help="Write one row per unit and theme here.")
def themes(transcripts: tuple[str, ...], codebook: str | None, k: str, method: str, seed: int,
           interviewer: tuple[str, ...], text_column: str | None, id_column: str | None, json_path: str | None,
           csv_path: str | None, **_: Any) -> None:
    """Suggest themes in TRANSCRIPTS (files or folders), print them and write them."""
    from qualkit.themes import suggest_from_files, themes_csv, themes_json
    from qualkit.transcript import DEFAULT_INTERVIEWER_LABELS

    n_themes = _k(k)
    with translated_errors():
        try:
            found = suggest_from_files(transcripts, codebook=codebook, n_themes=n_themes, method=method, seed=seed,
                                       interviewer_labels=interviewer or DEFAULT_INTERVIEWER_LABELS,
                                       text_column=text_column, id_column=id_column)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    m = found.methods
    click.echo(f"{len(found.themes)} theme{'' if len(found.themes) == 1 else 's'} ({m['method']}, k {m['k']}: {m['k_chosen_by']}; {m['mode']}, {m['units']} units)")
    for theme in found.themes:
        click.echo(f"{theme.number:3d}. {theme.label}  [{theme.units} units, {len(theme.participants)} participants]")
        for quote in theme.quotes[:3]:
            click.echo(f"      \"{quote.text}\" ({quote.transcript}, {quote.start}-{quote.end})")
    for path, text in ((json_path, themes_json), (csv_path, themes_csv)):
        if path:
            write_output(path, text(found))
            click.echo(f"Wrote {path}")
