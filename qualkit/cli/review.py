"""``qualkit review``: the review page for a study, and the same review as a spreadsheet."""

from __future__ import annotations

import getpass
from typing import Any

import click

from qualkit.cli.common import main, translated_errors


def _default_coder() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): the store then asks for --coder
        return ""


CODER = click.option("--coder", default=_default_coder, show_default="your login name",
                     help="Who the decisions are recorded under (a letter, then letters, digits, '_', '.', '-').")


class ServeByDefault(click.Group):
    """A group whose commands are ``export`` and ``import``; anything else serves the page (``review DIR``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["serve", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: Any) -> None:
        formatter.write_usage(ctx.command_path, "DIR [--coder NAME] [--port N] [--no-browser] | export ... | import ...")


@main.group(cls=ServeByDefault)
def review() -> None:
    """Review a study's first pass.

    `qualkit review DIR` serves the review page of study DIR on 127.0.0.1, at an address carrying a random
    token, and opens it in your browser; Ctrl+C stops it. Its options: --coder NAME (who the decisions are
    recorded under; default: your login name), --port N (default: any free port), --no-browser (print the
    address only). `qualkit review export` and `qualkit review import` do the same review as a sheet.
    """


@review.command(hidden=True)
@click.argument("study", metavar="DIR", type=click.Path())
@CODER
@click.option("--port", default=0, show_default="any free port", type=int, help="Port on 127.0.0.1 to serve on.")
@click.option("--no-browser", is_flag=True, help="Print the page's address instead of opening a browser.")
def serve(study: str, coder: str, port: int, no_browser: bool) -> None:
    """Serve the review page of study DIR until Ctrl+C."""
    with translated_errors():
        from qualkit.review import make_review_server

        server = make_review_server(study, coder=coder, port=port)
    click.echo(f"Reviewing {study} as {coder} at {server.url}\n(only this computer can open it; Ctrl+C stops)")
    if not no_browser:
        import webbrowser

        webbrowser.open(server.url)
    import signal

    # Ctrl+C (SIGINT) stops the page even when started from a script or a background job, whose shell
    # starts it with SIGINT ignored (Python then never raises KeyboardInterrupt, and it served on forever).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


@review.command()
@click.argument("study", metavar="DIR", type=click.Path())
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False), help="The .xlsx sheet to write.")
@CODER
def export(study: str, out: str, coder: str) -> None:
    """Write the review of study DIR as a sheet: `segments` (one row per automatic segment; fill in
    decision, recode_to, memo) and `manual` (add passages the codebook missed)."""
    from qualkit.review import export_review

    with translated_errors():
        rows = export_review(study, out, coder=coder)
    click.echo(f"Wrote {out}: {rows} segments to review (decisions shown are {coder}'s).")


@review.command("import")
@click.argument("study", metavar="DIR", type=click.Path())
@click.argument("sheet", metavar="FILE.xlsx", type=click.Path())
@CODER
def import_(study: str, sheet: str, coder: str) -> None:
    """Record a filled-in review sheet in study DIR under --coder; every row is checked before anything
    is written."""
    from qualkit.review import import_review

    with translated_errors():
        done = import_review(study, sheet, coder=coder)
    click.echo(f"Imported {sheet} as {coder}: {done.accepted} accepted, {done.rejected} rejected, {done.recoded} "
               f"recoded, {done.manual} manual codings, {done.memos} memos; {done.unchanged} rows already recorded.")
