"""The README is kept honest by tests: its command table is the CLI, its settings table is config.py.

A command, subcommand or option added to the click group in cli.py without a README row (or a row
without the option) fails here, and so does a row for a command that no longer exists; likewise for
settings in the registry (config.SETTINGS) and the configuration table.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from kommunkvalitet import config
from kommunkvalitet.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _cli_commands() -> dict[str, click.Command]:
    """Every runnable command of the click group by its path ("import snapshot", "sync", ...)."""
    found: dict[str, click.Command] = {}

    def walk(group: click.Group, prefix: str) -> None:
        for name, command in group.commands.items():
            path = f"{prefix}{name}"
            if isinstance(command, click.Group):
                walk(command, path + " ")
            else:
                found[path] = command

    walk(main, "")
    return found


def _readme_commands() -> dict[str, str]:
    """The command table's rows: command path -> its usage text (a command may have several rows)."""
    rows = re.findall(r"^\| `kommunkvalitet ([^`]*)` \|", _section("The command line"), flags=re.M)
    paths = set(_cli_commands())
    out = {}
    for usage in rows:
        words = usage.split()
        path = next((" ".join(words[:n]) for n in (2, 1) if " ".join(words[:n]) in paths), words[0])
        out[path] = f"{out.get(path, '')} {usage}".strip()
    return out


def test_every_cli_command_has_a_readme_row_and_every_row_a_command():
    assert set(_readme_commands()) == set(_cli_commands())


def test_every_option_of_a_command_is_in_its_readme_row():
    readme = _readme_commands()
    missing = []
    for path, command in _cli_commands().items():
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                longest = max(param.opts, key=len)
                if not re.search(rf"{re.escape(longest)}(?![\w-])", readme[path]):
                    missing.append(f"{path} {longest}")
    assert missing == []


def test_the_settings_table_is_the_settings_registry():
    rows = re.findall(r"^\| `([A-Z_]+)` \| ([^|]*) \|", _section("Configuration"), flags=re.M)
    documented = dict(rows)
    assert list(documented) == [s.name for s in config.SETTINGS]  # the same settings, in the same order
    for setting in config.SETTINGS:
        if setting.default:
            assert f"`{setting.default}`" in documented[setting.name], setting.name
        else:
            assert documented[setting.name].strip().startswith(("unset", "generated")), setting.name


def test_the_readme_lists_each_exit_code_of_sync():
    from kommunkvalitet.store.sync import EXIT_LOCKED

    table = _section("The command line")
    for code in (0, 1, 2, EXIT_LOCKED):
        assert re.search(rf"^\| {code} \|", table, flags=re.M), code
