"""The ``switchboard`` command line. Each subcommand lives in its own module with a
``register(subparsers)`` function that adds its parser and sets ``func``."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from app.cli import exits

# Modules providing subcommands, in help order.
COMMAND_MODULES = (
    "app.cli.serve",
    "app.cli.migrate",
    "app.cli.connectors",
    "app.cli.invoke",
    "app.cli.secrets",
    "app.cli.templates",
    "app.cli.apikey",
    "app.cli.deploy",
    "app.cli.inbound",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="switchboard",
        description="Switchboard: a Python connector runtime for Camunda 8.",
        epilog="Exit codes (every command): "
        + "; ".join(f"{code} {meaning}" for code, meaning in exits.TABLE.items())
        + ". See docs/cli.md.",
    )
    parser.add_argument("--version", action="version", version=f"switchboard {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # subcommand not present in this build
            raise
        module.register(subparsers)
    _describe_commands(parser)
    return parser


def _describe_commands(parser: argparse.ArgumentParser) -> None:
    """Give every subcommand (nested ones too) a description: its one-line help, as a
    sentence, unless the command wrote a longer one."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help for choice in action._choices_actions}
        for name, sub in action.choices.items():
            if sub.description is None and helps.get(name):
                text = str(helps[name])
                sub.description = text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
            _describe_commands(sub)


def _version() -> str:
    try:
        return version("switchboard-runtime")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return exits.ARGPARSE_USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return exits.INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`switchboard connectors | head -1`): not an error of ours.
        # Point stdout at devnull so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return exits.OK


if __name__ == "__main__":
    sys.exit(main())
