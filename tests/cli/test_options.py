"""One option set across commands: -o/--out for what a command writes, --option for loader options,
--root NAME=DIR where a command reads several datasets; the shared parsers reject malformed items."""

import pytest
import typer

from wearclip.cli import app
from wearclip.cli.common import names, pairs
from wearclip.errors import UsageError


def commands(group=None, prefix=()):
    """(path, click command) of every command of the CLI."""
    group = group or typer.main.get_command(app)
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_every_output_option_is_out_with_short_o_and_o_means_nothing_else():
    seen = 0
    for path, command in commands():
        for param in command.params:
            if param.name == "out":
                seen += 1
                assert set(param.opts) == {"-o", "--out"}, path
            else:
                assert "-o" not in param.opts, (path, param.name)
            if param.name == "option":
                assert param.opts == ["--option"], path
    assert seen >= 7


@pytest.mark.parametrize("command", ["evaluate", "experiment"])
def test_commands_of_several_datasets_take_root_as_repeatable_name_dir(command):
    param = next(p for p in dict(commands())[(command,)].params if p.name == "root")
    assert param.multiple and "NAME=DIR" in param.help


def test_lists_and_pairs():
    assert names(" walking, cycling ,,brushing teeth ") == ["walking", "cycling", "brushing teeth"]
    with pytest.raises(UsageError, match="--activities: walking given more than once"):
        names("walking,walking", "--activities")
    assert pairs(["mobifall = ../data/m", "uci-hapt=/x=y"], "--root") == {"mobifall": "../data/m", "uci-hapt": "/x=y"}
    for bad in (["mobifall"], ["=x"], ["a="], ["a=1", "a=2"]):
        with pytest.raises(UsageError, match="--root"):
            pairs(bad, "--root")
