"""The docs tell the truth: the README opens with the two commands CI runs, and every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from qualkit.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "qualkit") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found += _commands(command, path)
    return found


COMMANDS = _commands(main)


def _first_block() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert block, "README has no ```bash block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_two_commands_that_make_their_own_virtual_environment():
    install_and_run, install_and_test = _first_block()
    assert README.index("```bash") < README.index("\n## "), "the commands come before the first section"
    for command in (install_and_run, install_and_test):
        # A Debian or Ubuntu Python refuses `pip install` outside a virtual environment.
        assert command.startswith("python3 -m venv "), command
    assert "qualkit run" in install_and_run and "pytest" in install_and_test


def test_ci_runs_the_readme_test_command_unchanged():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _first_block()[1] in ci.splitlines()


@pytest.mark.parametrize("path,command", COMMANDS, ids=[path for path, _ in COMMANDS])
def test_every_command_has_help_and_is_in_the_readme(path: str, command: click.Command):
    assert (command.help or command.short_help or "").strip(), f"{path} has no help text"
    assert f"`{path}" in README, f"{path} is not in the README's commands"
