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

from screening.evaluate.labels import label

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


# Width of tables written to a file, a pipe or a test runner: fixed, so what a user greps
# or a test reads never depends on COLUMNS, the terminal or the length of a path.
FILE_WIDTH = 120


def make_console(stderr: bool = False) -> Console:
    """A console that never hard-wraps a message; tables fit the terminal, or FILE_WIDTH
    off a terminal."""
    console = Console(stderr=stderr, soft_wrap=True)
    if console.is_terminal:
        return console
    return Console(stderr=stderr, soft_wrap=True, width=FILE_WIDTH)


def failed_runs(results: pl.DataFrame) -> int:
    """Say on stderr which benchmark runs failed; the exit code the command should end with."""
    if "status" not in results.columns:
        return 0
    failed = results.filter(pl.col("status") == "failed")
    err = make_console(stderr=True)
    for r in failed.iter_rows(named=True):  # one line per failed run: a few
        err.print(
            f"[bold red]failed:[/] {escape(r['matcher'])} on {escape(r['scenario'])} "
            f"seed {r['seed']}: {escape(str(r['note']))}",
            highlight=False,
        )
    return 1 if failed.height else 0


def _fail(console: Console, message: str) -> typer.Exit:
    # Messages quote file names and values: brackets in them are text, not markup.
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _print_frame(console: Console, title: str, frame: pl.DataFrame) -> None:
    """A frame as a table with human titles; headers wrap at words, values are never cut."""
    table = Table(title=title, title_justify="left")
    for col in frame.columns:
        table.add_column(
            label(col),
            justify="right" if frame.schema[col].is_numeric() else "left",
            overflow="fold",
        )
    for row in frame.iter_rows():
        table.add_row(*(f"{v:.4f}" if isinstance(v, float) else str(v) for v in row))
    console.print(table)


# The commands register themselves on `app` when imported.
from screening.cli import research, screening_cmds, world  # noqa: E402, F401
