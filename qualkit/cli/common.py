"""What the commands share: the click group, error translation, progress bars and the study options."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any, Iterable, Iterator, TypeVar

import click

from qualkit import __version__
from qualkit.errors import QualkitError
from qualkit.settings import SAMPLE_ATTRIBUTES, SAMPLE_CODEBOOK, SAMPLE_TRANSCRIPTS, StudySettings
from qualkit.transcript import DEFAULT_INTERVIEWER_LABELS

T = TypeVar("T")


@contextlib.contextmanager
def translated_errors() -> Iterator[None]:
    """Turn library errors into one clear message and exit code 1; show library warnings on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except QualkitError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # a file the library opened or wrote: unreadable, unwritable, a folder, gone
            raise click.ClickException(os_error_line(exc)) from None
        finally:
            echo_warnings(str(warning.message) for warning in caught)


def os_error_line(exc: OSError) -> str:
    """One line naming the file and what the system said (``[Errno 13] Permission denied: 'x'`` -> ``x: ...``)."""
    if exc.filename is None:
        return str(exc)
    return f"{exc.filename}: {exc.strerror or exc}"


FILE_OF = re.compile(r"^(?P<file>[^\n]*?\.[A-Za-z0-9]{1,8})(?:, (?:line|paragraph|row) \d+)?: ")


def echo_warnings(messages: Iterable[str]) -> None:
    """Print warnings on stderr once each, those about one file together (in order of first mention).

    ``qualkit ingest``, ``run``, ``code`` and ``themes`` print the readers' per-file warnings this way.
    """
    groups: dict[str, list[str]] = {}
    for message in dict.fromkeys(messages):
        match = FILE_OF.match(message)
        groups.setdefault(match.group("file") if match else "", []).append(message)
    for messages_of_file in groups.values():
        for message in messages_of_file:
            click.echo(f"warning: {message}", err=True)


INTERRUPTED = "interrupted: stopped before finishing; nothing new was written and earlier output is unchanged"


class Interruptible(click.Group):
    """The command group: Ctrl-C at any moment prints one line and exits 130, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, turning an interrupt into one line and exit code 130."""
        try:
            return super().invoke(ctx)
        except click.BadParameter as exc:
            if not isinstance(exc.param and exc.param.type, click.Path):
                raise
            # a file or folder that is missing or of the wrong kind is bad input (exit 1), not a usage slip
            raise click.ClickException(exc.format_message()) from None
        except KeyboardInterrupt:
            click.echo(f"\n{INTERRUPTED}", err=True)
            ctx.exit(130)


class Output(click.Path):
    """An output file or folder (``file_okay``/``dir_okay`` as for click.Path), refused before any work is
    done when nothing can be written there: under a file, or in a folder that cannot be written to."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        """Return the path when it can be written; fail naming it and the reason otherwise."""
        path = super().convert(value, param, ctx)
        problem = unwritable(Path(path))
        if problem:  # as write_output says it, had it been found at the end
            raise click.ClickException(f"{path}: cannot write: {problem}")
        return path


def unwritable(target: Path) -> str | None:
    """Return why nothing can be written at ``target`` (a file, or a folder, to make or replace), or None."""
    place = target if target.is_dir() else next((p for p in target.parents if p.exists()), Path("."))
    if not place.is_dir():
        return f"{place} is a file, not a folder"
    try:  # permissions alone do not tell (root, read-only mounts, network shares): try
        handle, probe = tempfile.mkstemp(prefix=".qualkit-probe-", dir=place)
    except OSError as exc:
        return f"{place}: {exc.strerror or exc}"
    os.close(handle)
    os.unlink(probe)
    return None


def write_output(path: str, text: str) -> None:
    """Write a command's output file (creating its folder); an unwritable place is one clear error."""
    target = Path(path)
    problem = unwritable(target)
    if problem is not None:
        raise click.ClickException(f"{path}: cannot write: {problem}")
    staged = target.with_name(f".{target.name}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staged.write_text(text, encoding="utf-8")
        staged.replace(target)  # a previous file is replaced only by a whole new one
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            staged.unlink()


def progress(items: Iterable[T], label: str, length: int | None = None) -> Iterable[T]:
    """Show a progress bar on a terminal; stay quiet when stderr is piped."""
    if not sys.stderr.isatty():
        return items
    return _bar(items, label, length)


def _bar(items: Iterable[T], label: str, length: int | None) -> Iterator[T]:
    with click.progressbar(items, length=length, label=label, file=sys.stderr, show_pos=True) as bar:
        yield from bar


class ThemeCount(click.ParamType):
    """A number of themes (1-50) or ``auto``."""

    name = "N|auto"

    def convert(self, value: Any, param: Any, ctx: Any) -> int | str:
        """Return ``auto`` or the whole number given."""
        if isinstance(value, int) or str(value).strip().casefold() == "auto":
            return value if isinstance(value, int) else "auto"
        try:
            number = int(value)
        except ValueError:
            self.fail(f"{value!r} is neither a whole number nor 'auto'", param, ctx)
        if not 1 <= number <= 50:
            self.fail(f"{number} is not between 1 and 50", param, ctx)
        return number


def study_options(func: Any) -> Any:
    """The options that choose a study (shared by run, export, ...)."""
    options = [
        click.option("--transcripts", "-t", multiple=True, default=[SAMPLE_TRANSCRIPTS], show_default=True,
                     type=click.Path(), help="Transcript files or folders (repeat for several)."),
        click.option("--attributes", "-a", default=SAMPLE_ATTRIBUTES, show_default=True, type=click.Path(),
                     help="Participants' attributes sheet (.csv/.xlsx) with an 'id' column; '' for none."),
        click.option("--codebook", "-c", default=SAMPLE_CODEBOOK, show_default=True, type=click.Path(),
                     help="Codebook YAML file."),
        click.option("--model", default=None, help="Installed spaCy pipeline to use (default: blank English with lookup lemmas)."),
        click.option("--unit", default="sentence", show_default=True,
                     help="The span a pattern hit codes: match, sentence, turn or turn+N (codes may set their own)."),
        click.option("--group-by", multiple=True, default=["group"], show_default=True,
                     help="Attribute to compare groups by; repeat for more (the framework matrix shows them all)."),
        click.option("--interviewer", multiple=True,
                     help=f"Interviewer speaker label (repeatable; default: {', '.join(DEFAULT_INTERVIEWER_LABELS)})."),
        click.option("--themes", "n_themes", default="auto", show_default=True, type=ThemeCount(),
                     help="Number of themes to suggest, or 'auto' to choose it from the data."),
        click.option("--seed", default=0, show_default=True, type=int, help="Random seed for theme suggestion."),
        click.option("--text-column", default=None,
                     help="Read --transcripts as survey tables (CSV/XLSX/Parquet): the column holding each response's "
                          "text (one participant turn each; the other columns are attributes)."),
        click.option("--id-column", default=None,
                     help="Survey tables: the column holding each response's id (default: row numbers)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def settings_from(opts: dict[str, Any]) -> StudySettings:
    """Build StudySettings from the study options."""
    attributes = opts["attributes"] or None
    if opts.get("text_column") and attributes == SAMPLE_ATTRIBUTES:
        attributes = None  # a survey table's own columns are its attributes, never the bundled sample's sheet
    return StudySettings(
        transcripts=tuple(opts["transcripts"]), attributes=attributes, codebook=opts["codebook"],
        model=opts["model"], unit=opts["unit"], group_by=_first(opts["group_by"]),
        also_group_by=tuple(dict.fromkeys(opts["group_by"]))[1:] if not isinstance(opts["group_by"], str) else (),
        interviewer_labels=tuple(opts["interviewer"]) or DEFAULT_INTERVIEWER_LABELS,
        n_themes=opts["n_themes"], seed=opts["seed"],
        text_column=opts.get("text_column"), id_column=opts.get("id_column"),
    )


def _first(values: Any) -> str:
    return values if isinstance(values, str) else (values[0] if values else "group")


@click.group(cls=Interruptible, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qualkit")
def main() -> None:
    """qualkit: qualitative interview analysis. Ingest transcripts, apply a codebook, suggest themes,
    compare groups and write a report."""
