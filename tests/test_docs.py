"""The README documents every command of the command line and every key of the config file
(as sqlite-utils' tests/test_docs.py does for its commands): a command or key added without
its documentation fails here."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import click
import pytest

from kiosk.cli import cli
from kiosk.settings.config import Config

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    """The README's text under `## title`, up to the next heading of that level."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.MULTILINE | re.DOTALL)
    assert match is not None, f"the README has no section {title!r}"
    return match.group(1)


COMMANDS = sorted(cli.commands)
KEYS = [
    (section.name, key.name)
    for section in dataclasses.fields(Config)
    if section.name != "source"
    for key in dataclasses.fields(section.default_factory())  # type: ignore[misc]
]


def test_there_are_commands_and_keys_to_check() -> None:
    assert {"run", "export", "purge", "screenshots"} <= set(COMMANDS)
    assert ("retention", "visit_days") in KEYS


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_command_table(name: str) -> None:
    table = _section("Command line")
    assert re.search(rf"^\| `{re.escape(name)}[` ]", table, re.MULTILINE), name


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_of_a_command_is_documented(name: str) -> None:
    command = cli.commands[name]
    table = _section("Command line")
    row = re.search(rf"^\| `{re.escape(name)}[` ].*$", table, re.MULTILINE)
    assert row is not None, name
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            option = max(param.opts, key=len)
            assert option in row.group(0), f"{name} {option}"


@pytest.mark.parametrize(("section", "key"), KEYS)
def test_every_config_key_is_in_the_configuration_section(section: str, key: str) -> None:
    block = re.search(r"```toml\n(.*?)```", _section("Configuration"), re.DOTALL)
    assert block is not None
    sections = re.split(r"^\[(\w+)\]$", block.group(1), flags=re.MULTILINE)
    keys_by_section = {
        sections[i]: re.findall(r"^(\w+) =", sections[i + 1], re.MULTILINE)
        for i in range(1, len(sections), 2)
    }
    assert key in keys_by_section.get(section, []), f"[{section}] {key}"
