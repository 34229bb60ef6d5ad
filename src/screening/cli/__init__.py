"""The `screening` command line: thin commands, each calling one public function.

The commands live in three modules by purpose (`world`: make data; `screening`: screen it;
`research`: evaluate, benchmark, report); this module holds the app and what they share.
"""

from __future__ import annotations

from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(
    help="Travel-data screening simulator: synthetic API/PNR worlds, watch lists, evaluation.",
    no_args_is_help=True,
    add_completion=False,
)

DEFAULT_SCENARIO = "teaching"
MAIN_JOB_MATCHERS = ("default", "exact", "soundex", "gtas", "ofac", "bruteforce")

ScenarioOpt = Annotated[
    str, typer.Option("--scenario", "-s", help="Built-in scenario name or path to a TOML file.")
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed; same seed, same bytes.")]


def _fail(console: Console, message: str) -> typer.Exit:
    # Messages quote file names and values: brackets in them are text, not markup.
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _print_frame(console: Console, title: str, frame: pl.DataFrame) -> None:
    table = Table(title=title, title_justify="left")
    for col in frame.columns:
        table.add_column(col, justify="right" if frame.schema[col].is_numeric() else "left")
    for row in frame.iter_rows():
        table.add_row(*(f"{v:.4f}" if isinstance(v, float) else str(v) for v in row))
    console.print(table)


# The commands register themselves on `app` when imported.
from screening.cli import research, screening_cmds, world  # noqa: E402, F401
