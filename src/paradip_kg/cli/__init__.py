"""The `paradip-kg` command line: build, stats, query, validate, import, export, serve, push, harvest, restore.

Exit codes: 0 success (or: the data conforms), 1 the data does not conform / the build
failed validation, 2 bad input (unreadable file, malformed query, bad table row).
Each module adds its commands to the group of `common`; a new command goes in a module of its own.
"""

from __future__ import annotations

import sys

import click

from paradip_kg.cli import building, checking, harvest, reading, restore, serving  # noqa: F401  (they register the commands)
from paradip_kg.cli.common import cli
from paradip_kg.errors import ParadipError

__all__ = ["cli", "main"]


def main() -> None:
    try:
        cli(prog_name="paradip-kg")
    except ParadipError as exc:  # a bug of ours, or an environment problem
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
