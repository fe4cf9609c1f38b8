"""Every command has help text in Chinese and is named in the README."""

import re

import pytest
import typer.main

from kjd.cli import app

from ..conftest import REPO


def walk_commands(group, prefix=()):
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        yield path, command
        if hasattr(command, "commands"):
            yield from walk_commands(command, path)


COMMANDS = list(walk_commands(typer.main.get_command(app)))


@pytest.mark.parametrize(
    "path,command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS]
)
def test_command_has_chinese_help(path, command):
    text = command.help or command.short_help or ""
    assert re.search(r"[\u4e00-\u9fff]", text), f"kjd {' '.join(path)} has no help"


@pytest.mark.parametrize(
    "path,command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS]
)
def test_command_is_named_in_readme(path, command):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"kjd {' '.join(path)}" in readme


def test_root_help_lists_exit_codes(runner):
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "130" in result.stdout
    assert "3 已完成但有行未导入" in result.stdout
