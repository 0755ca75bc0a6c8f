"""The README's command synopsis matches the command line: every subcommand and option it
shows exists, and every subcommand of ``kpi`` is shown."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from kpi_toolkit.cli import _parser

ROOT = Path(__file__).resolve().parents[1]


def _subcommands() -> dict[str, set[str]]:
    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {
        name: {option for action in p._actions for option in action.option_strings}
        for name, p in sub.choices.items()
    }


def _synopsis() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## The command line", 1)[1].split("```")[1]
    lines: list[str] = []
    for line in block.splitlines():
        if line.startswith("kpi "):
            lines.append(line)
        elif line.startswith(" ") and lines:  # a continued line
            lines[-1] += line
    return lines


def test_every_option_in_the_readme_exists() -> None:
    commands = _subcommands()
    for line in _synopsis():
        name = line.split()[1]
        assert name in commands, f"README shows `kpi {name}`, which does not exist"
        for option in re.findall(r"(?<![\w-])--[a-z][a-z-]*", line):
            assert option in commands[name], f"README: `kpi {name} {option}` does not exist"


def test_every_command_is_in_the_readme() -> None:
    shown = {line.split()[1] for line in _synopsis()}
    assert set(_subcommands()) <= shown
