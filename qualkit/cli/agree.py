"""``qualkit agree``: agreement between two codings of the same transcripts."""

from __future__ import annotations

import json

import click

from qualkit.cli.common import main, translated_errors, write_output


@main.command()
@click.argument("coding_a", type=click.Path())
@click.argument("coding_b", type=click.Path())
@click.option("--transcripts", "-t", multiple=True, required=True, type=click.Path(),
              help="Transcript files or folders the codings refer to (repeatable).")
@click.option("--unit", type=click.Choice(["sentence", "turn"]), default="sentence", show_default=True,
              help="The unit agreement is counted on.")
@click.option("--level", type=click.IntRange(1, 10), default=None,
              help="Compare codes cut to this many levels of their path (1: top-level themes).")
@click.option("--interviewer", multiple=True, help="Interviewer speaker label (repeatable).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the figures as JSON here.")
def agree(coding_a: str, coding_b: str, transcripts: tuple[str, ...], unit: str, level: int | None,
          interviewer: tuple[str, ...], json_path: str | None) -> None:
    """Agreement of CODING_A with CODING_B (the reference): per code and pooled precision, recall, F1,
    Cohen's kappa and Krippendorff's alpha. Each coding is a coded_segments.csv or a document/code_path/segment table."""
    from qualkit.agreement import agree_files
    from qualkit.transcript import DEFAULT_INTERVIEWER_LABELS

    with translated_errors():
        result, codings = agree_files(coding_a, coding_b, transcripts, unit=unit, level=level,
                                      interviewer_labels=interviewer or DEFAULT_INTERVIEWER_LABELS)
    for coding in codings:
        click.echo(coding.summary())
        for lost in coding.unlocated:
            click.echo(f"  not located: line {lost.row}, {lost.document}, {lost.code_path}: {lost.reason}")
    click.echo(f"{result.units} {unit}s; A = {result.coder_a}, B = {result.coder_b} (reference)")
    click.echo(f"{'code':<50} {'A':>5} {'B':>5} {'both':>5} {'prec':>6} {'rec':>6} {'F1':>6} {'kappa':>6}")
    rows = result.to_dict()["codes"] + [{"code": "(all codes, pooled)", **result.to_dict()["overall"]}]
    for row in rows:
        cells = [f"{row[k]:>6.2f}" if row[k] is not None else f"{'-':>6}" for k in ("precision", "recall", "f1", "kappa")]
        click.echo(f"{row['code'][:50]:<50} {row['n_a']:>5} {row['n_b']:>5} {row['n_both']:>5} " + " ".join(cells))
    click.echo(f"Krippendorff's alpha (pooled): {result.overall['alpha']:.3f}; {len(result.disagreements)} disagreements")
    if json_path:
        write_output(json_path, json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
        click.echo(f"Wrote {json_path}")
