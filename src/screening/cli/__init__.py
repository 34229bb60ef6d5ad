"""The `screening` command line: thin commands, each calling one public function.

The commands live in three modules by purpose (`world`: make data; `screening`: screen it;
`research`: evaluate, benchmark, report); this module holds the app and what they share.
"""

from __future__ import annotations

import os
import textwrap
from typing import Annotated

from screening.engines.allocator import POLARS_ALLOCATOR

# Before polars is imported, which is when its allocator reads its settings; a value the
# user set wins. Here and not in the package: a program that imports `screening` keeps
# its own allocator settings.
os.environ.setdefault(*POLARS_ALLOCATOR)

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
    from screening.evaluate.results import not_run

    failed = not_run(results).filter(pl.col("status") == "failed")
    err = make_console(stderr=True)
    for r in failed.iter_rows(named=True):  # one line per failed run: a few
        err.print(
            f"[bold red]failed:[/] {escape(r['matcher'])} on {escape(r['scenario'])} "
            f"seed {r['seed']}: {escape(str(r['note']))}",
            highlight=False,
        )
    return 1 if failed.height else 0


def print_summary(console: Console, results: pl.DataFrame) -> None:
    """The benchmark summary as a table a person reads at 80 columns, and what did not run."""
    from screening.evaluate.results import not_run, summary_table

    table = summary_table(results)
    if not table.is_empty():
        table = table.with_columns(pl.col("passengers_per_s", "peak_mib").round(0).cast(pl.Int64))
        # A value shared by every row goes in the title: one column less to fit.
        scenarios = table["scenario"].unique(maintain_order=True).to_list()
        if len(scenarios) == 1:
            table = table.drop("scenario")
        seeds = table["seeds"].unique().to_list()
        if len(seeds) == 1:
            table = table.drop("seeds")
        where = f" on {scenarios[0]}" if len(scenarios) == 1 else ""
        runs = f"{seeds[0]} seed(s) each" if len(seeds) == 1 else "mean over seeds"
        title = f"Benchmark{where} ({runs}; empty: FPIR target not reachable)"
        _print_frame(console, title, table, decimals=3)
    for r in not_run(results).iter_rows(named=True):  # skipped or failed runs: a few
        console.print(
            f"{r['matcher']} on {r['scenario']} seed {r['seed']}: {r['status']} ({r['note']})",
            highlight=False,
            markup=False,
        )


def _fail(console: Console, message: str) -> typer.Exit:
    # Messages quote file names and values: brackets in them are text, not markup.
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _cell(v: object, decimals: int = 4) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.{decimals}f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def _print_frame(console: Console, title: str, frame: pl.DataFrame, decimals: int = 4) -> None:
    """A frame as a table with human titles; headers wrap at words, values are never cut."""
    table = Table()
    cells = {col: [_cell(v, decimals) for v in frame[col]] for col in frame.columns}
    for col, column in cells.items():
        numeric = frame.schema[col].is_numeric()
        widest = max((len(c) for c in column), default=0)
        # Titles are wrapped here, between words, to the width of the values (rich shrinks
        # columns of equal width poorly and then crops the table); names are never wrapped.
        longest_word = max(len(w) for w in label(col).split())
        header = textwrap.fill(
            label(col), width=max(widest, longest_word, 6), break_long_words=False
        )
        table.add_column(
            header,
            justify="right" if numeric else "left",
            overflow="fold",
            no_wrap=not numeric and widest <= 24,  # an identifier, not a sentence
        )
    for row in zip(*cells.values(), strict=True):  # a printed table: dozens of rows
        table.add_row(*row)
    # The title is a message (never wrapped: users grep it); the table wraps in its cells.
    console.print(title, highlight=False, markup=False)
    console.print(table, soft_wrap=False)


# The commands register themselves on `app` when imported.
from screening.cli import research, screening_cmds, world  # noqa: E402, F401
