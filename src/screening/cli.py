"""The `screening` command line: thin commands, each calling one public function."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from screening import __version__
from screening.generate.scenario import ScenarioError, builtin_scenarios, load_scenario
from screening.generate.summary import corruption_counts, origin_mix, role_shares, table_sizes
from screening.generate.world import World, generate_world
from screening.io import FORMATS, write_tables

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


def _fail(console: Console, message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(2)


def _generate(console: Console, scenario: str, seed: int) -> World:
    try:
        s = load_scenario(scenario)
    except ScenarioError as exc:
        raise _fail(console, str(exc)) from exc
    start = time.perf_counter()
    with console.status(f"generating {s.name} (seed {seed})", spinner="dots"):
        world = generate_world(s, seed)
    console.print(
        f"generated [bold]{s.name}[/] (seed {seed}) in {time.perf_counter() - start:.1f} s",
        highlight=False,
    )
    return world


def _write(console: Console, world: World, out: Path, fmt: str, overwrite: bool) -> None:
    if fmt not in FORMATS:
        raise _fail(console, f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    meta = {
        "scenario": world.scenario.to_dict(),
        "seed": world.seed,
        "screening_version": __version__,
        "polars_version": pl.__version__,
        "format": fmt,
        "tables": {k: len(v) for k, v in world.tables.items()},
    }
    try:
        write_tables(world.tables, out, fmt, meta=meta, overwrite=overwrite)
    except (FileExistsError, OSError) as exc:
        raise _fail(console, str(exc)) from exc
    console.print(f"wrote {len(world.tables)} tables + scenario.json to {out}", highlight=False)


def _print_frame(console: Console, title: str, frame: pl.DataFrame) -> None:
    table = Table(title=title, title_justify="left")
    for col in frame.columns:
        table.add_column(col, justify="right" if frame.schema[col].is_numeric() else "left")
    for row in frame.iter_rows():
        table.add_row(*(f"{v:.4f}" if isinstance(v, float) else str(v) for v in row))
    console.print(table)


def _summary(console: Console, world: World) -> None:
    _print_frame(console, "Tables", table_sizes(world))
    _print_frame(console, "Passengers by role", role_shares(world))
    _print_frame(
        console, "Recorded corruptions of travelling listed people", corruption_counts(world)
    )
    _print_frame(console, "Name origins", origin_mix(world))


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the tables to.")],
    scenario: ScenarioOpt = DEFAULT_SCENARIO,
    seed: SeedOpt = 1,
    fmt: Annotated[str, typer.Option("--format", help="parquet (default) or csv.")] = "parquet",
    overwrite: Annotated[bool, typer.Option(help="Replace a non-empty --out folder.")] = False,
    quiet: Annotated[bool, typer.Option(help="Do not print the summary tables.")] = False,
) -> None:
    """Generate a synthetic travel world (API, PNR, watch list, lost/stolen, truth)."""
    console = Console()
    world = _generate(console, scenario, seed)
    _write(console, world, out, fmt, overwrite)
    if not quiet:
        _summary(console, world)


@app.command()
def run(
    scenario: ScenarioOpt = DEFAULT_SCENARIO,
    seed: SeedOpt = 1,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder (default out/NAME).")
    ] = None,
) -> None:
    """The main job on a scenario: generate it, write it, and summarize what it holds."""
    console = Console()
    world = _generate(console, scenario, seed)
    _write(console, world, out or Path("out") / world.scenario.name, "parquet", overwrite=True)
    _summary(console, world)


@app.command()
def scenarios() -> None:
    """List the built-in scenarios and their sizes."""
    console = Console()
    rows = []
    for name in builtin_scenarios():
        s = load_scenario(name)
        rows.append(
            (
                name,
                s.population.passengers,
                s.population.listed_identities,
                s.population.mated_share,
                s.description,
            )
        )
    frame = pl.DataFrame(
        rows,
        schema=["scenario", "passengers", "listed_identities", "mated_share", "description"],
        orient="row",
    )
    _print_frame(console, "Built-in scenarios", frame)
