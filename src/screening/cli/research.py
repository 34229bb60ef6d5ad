"""Commands for research and teaching: evaluate, bench, report."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console

from screening.bench import Engine, read_results, run_bench, run_real_list, write_results
from screening.cli import _fail, _print_frame, app, failed_runs, make_console, print_summary
from screening.cli.screening_cmds import read_settings
from screening.data import intake as intake_mod
from screening.data import lists
from screening.data.discover import generated as _generated
from screening.data.io import read_table, read_user_table
from screening.engines import PARTITION_ROWS
from screening.engines.dask_engine import DaskMissing, dask_client
from screening.evaluate import evaluate
from screening.evaluate.ceiling import ceilings
from screening.evaluate.namesakes import namesakes
from screening.evaluate.stages import StageEvaluation, evaluate_stages
from screening.generate.scenario import ScenarioError, load_scenario
from screening.matchers import BENCH_MATCHERS, bench_matchers, get_matcher


def _read_any(path: Path, table: str | None = None) -> pl.DataFrame:
    """An alerts or truth file (CSV/Parquet/JSON), or a table of a generated folder."""
    if path.is_dir() and table:
        return _generated(path, table)
    if path.suffix == ".json":
        return pl.read_json(path)
    if path.suffix == ".parquet" or table is None:
        return read_user_table(path)
    return read_table(path, table)


@app.command("evaluate")
def evaluate_cmd(
    alerts: Annotated[Path, typer.Argument(help="Alerts from `screening screen`.")],
    truth: Annotated[Path, typer.Option(help="truth.parquet/csv, or a generated folder.")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Write all metrics here.")] = None,
    links: Annotated[
        Path | None,
        typer.Option(help="PNR-to-API links from `screen --links` (link accuracy, transitions)."),
    ] = None,
    threshold: Annotated[
        float, typer.Option(help="Alert threshold for the per-stage workload figures.")
    ] = 0.5,
) -> None:
    """Misses and false alerts of a screening run: FNIR/FPIR, operating points, breakdowns;
    per stage (PNR, API, PNR then API) when the alerts carry more than the API stage."""
    console = make_console()
    try:
        a = _read_any(alerts)
        t = _read_any(truth, "truth")
        link_frame = _read_any(links) if links is not None else None
        if a.is_empty():
            a = pl.DataFrame(
                schema={
                    "passenger_id": pl.String,
                    "entry_id": pl.String,
                    "kind": pl.String,
                    "score": pl.Float64,
                }
            )
        intake_mod.check_columns(a, ("passenger_id", "entry_id", "kind", "score"), str(alerts))
        a = a.with_columns(pl.col("score").cast(pl.Float64), pl.col("entry_id").cast(pl.String))
    except (intake_mod.InputError, ValueError, OSError, pl.exceptions.PolarsError) as exc:
        raise _fail(console, str(exc)) from exc
    if "stage" in a.columns and set(a["stage"].unique()) - {"api"}:
        passengers = _generated(truth, "passengers") if truth.is_dir() else None
        _print_stages(console, evaluate_stages(a, t, link_frame, passengers, threshold), json_out)
        return
    world = _world(truth)
    ev = evaluate(a, t, namesakes=namesakes(*world) if world is not None else None)
    console.print(f"{ev.passengers:,} passengers, {ev.mated:,} mated", highlight=False)
    _print_frame(
        console, "Operating points (lowest threshold with FPIR <= target)", ev.operating_points
    )
    _print_frame(console, "FNIR per corruption at the first operating point", ev.by_corruption)
    if not ev.by_list_dob.is_empty():
        _print_frame(
            console,
            "FNIR where the list gives a full date of birth and where it gives a year, a range "
            "or none",
            ev.by_list_dob,
        )
    _print_frame(
        console,
        "FNIR and FPIR per name origin (95 % Wilson intervals)",
        ev.by_origin.select(
            "origin",
            "mated",
            "fnir",
            "fnir_low",
            "fnir_high",
            "non_mated",
            "fpir",
            "fpir_low",
            "fpir_high",
        ),
    )
    if "fpir_others" in ev.by_origin.columns:
        _print_frame(
            console,
            "False alerts per origin among innocents carrying a listed name (namesakes) "
            "and among the others",
            ev.by_origin.select(
                "origin",
                "non_mated",
                "namesakes",
                "namesake_share",
                "fpir_namesakes",
                "fpir_others",
            ),
        )
    console.print(f"demographic differential: {ev.differential}", highlight=False)
    for target, d in ev.differential_at.items():
        fpir = d["fpir"]
        if fpir["max"] is None:
            continue
        ratio = fpir["max_over_min"]
        ratio = "undefined (an origin has none)" if ratio is None else f"{ratio:.1f}x"
        others = d.get("fpir_others", {})
        among = (
            f"; among innocents carrying no listed name from {others['min']:.4f} to "
            f"{others['max']:.4f}"
            if others.get("max") is not None
            else ""
        )
        console.print(
            f"at FPIR {target}: FPIR per origin from {fpir['min']:.4f} to {fpir['max']:.4f}, "
            f"max/min {ratio}{among}",
            highlight=False,
            soft_wrap=True,
        )
    ceiling = ceilings(world[0], t, world[1]) if world is not None else None
    if ceiling is not None:
        console.print(
            f"ceiling: of {ceiling['mated']:,} mated, {ceiling['unreachable']:,} "
            f"({ceiling['unreachable_share']:.1%}) share no name token or document with their "
            f"identity, and {ceiling['tied']:,} ({ceiling['tied_share']:.1%}) present the same "
            "evidence as an innocent traveller: misses no matcher on these fields avoids",
            highlight=False,
            soft_wrap=True,
        )
    if not ev.documents.is_empty():
        _print_frame(console, "Document checks", ev.documents)
    if json_out is not None:
        out = ev.to_dict() | ({"ceiling": ceiling} if ceiling is not None else {})
        json_out.write_text(json.dumps(out, indent=2, default=str) + "\n")
        console.print(f"wrote {json_out}", highlight=False)


def _world(truth: Path) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """The manifest and the canonical list, where the truth is a generated folder."""
    if not truth.is_dir():
        return None
    try:
        rows = lists.from_generated(
            _generated(truth, "watchlist"), _generated(truth, "watchlist_names")
        )
        return _generated(truth, "passengers"), rows
    except intake_mod.InputError:
        return None


def _print_stages(console: Console, ev: StageEvaluation, json_out: Path | None) -> None:
    wide = ev.summary.drop("unit").with_columns(pl.all().exclude("stage").cast(pl.Float64).round(4))
    per_stage = wide.drop("stage").transpose(
        include_header=True, header_name="metric", column_names=wide["stage"].to_list()
    )
    _print_frame(console, "Per stage (PNR per booking passenger, API per manifest row)", per_stage)
    if not ev.transitions.is_empty():
        _print_frame(
            console, f"PNR alerts (score >= {ev.threshold}) after API evidence", ev.transitions
        )
    assoc = ev.associates
    _print_frame(
        console,
        "Companions of alerted travellers: whole-booking policy vs associate alerts",
        assoc.drop("stage").transpose(
            include_header=True, header_name="count", column_names=assoc["stage"].to_list()
        ),
    )
    for title, values in (("Contact alerts", ev.contacts), ("PNR-to-API links", ev.links)):
        if values:
            console.print(f"{title}: {values}", highlight=False, soft_wrap=True)
    if json_out is not None:
        json_out.write_text(json.dumps(ev.to_dict(), indent=2, default=str) + "\n")
        console.print(f"wrote {json_out}", highlight=False)


def _csv_list(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def _bench_real_list(console, path: Path, matchers, scenarios, seeds, out: Path, model) -> None:
    names = _csv_list(matchers)
    try:
        for name in names:
            get_matcher(name)
        scenario = _csv_list(scenarios or "standard")[0]
        load_scenario(scenario)
        seed = int(_csv_list(seeds)[0])
        with console.status("real-alias benchmark", spinner="dots") as status:
            got = run_real_list(path, names, scenario, seed, status.update, model)
    except (ValueError, ScenarioError, OSError) as exc:  # ListFormatError is a ValueError
        raise _fail(console, str(exc)) from exc
    out.mkdir(parents=True, exist_ok=True)
    got["results"].write_csv(out / "real_list.csv")
    got["classes"].write_csv(out / "real_list_classes.csv")
    headline = [
        c
        for c in (
            "matcher",
            "weights",
            "alias_travellers",
            "fnir_at_fpir_0.001",
            "fnir_at_fpir_0.01",
            "ceiling_unreachable",
            "screen_s",
        )
        if c in got["results"].columns
    ]
    _print_frame(
        console,
        f"Real aliases of {path.name} among {scenario} seed {seed} innocents",
        got["results"].select(headline),
    )
    if not got["classes"].is_empty():
        wide = (
            got["classes"]
            .filter(pl.col("fpir_target") == 0.01)
            .pivot(on="matcher", index=["by", "class", "travellers"], values="fnir")
        )
        _print_frame(console, "FNIR at FPIR 0.01 per alias quality and variation class", wide)
    console.print(
        f"wrote {out / 'real_list.csv'}, {out / 'real_list_classes.csv'}", highlight=False
    )


@app.command("bench")
def bench_cmd(
    scenarios: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated scenarios (default teaching; standard with --real-list)."
        ),
    ] = None,
    matchers: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated matchers (or module:Class); default: "
            f"{','.join(BENCH_MATCHERS)}, and splink where installed."
        ),
    ] = None,
    seeds: Annotated[str, typer.Option(help="Comma-separated seeds.")] = "1",
    out: Annotated[Path, typer.Option(help="Folder for results.csv/json and summary.md.")] = Path(
        "results"
    ),
    stages: Annotated[
        str,
        typer.Option(help="Matchers also compared by stage (PNR, API, PNR then API); '' for none."),
    ] = "default",
    engine: Annotated[
        str, typer.Option(help="local, or dask (API screening in partitions on a cluster).")
    ] = "local",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address.")] = None,
    workers: Annotated[int, typer.Option(help="Local Dask cluster size.")] = 2,
    partition_rows: Annotated[int, typer.Option(help="Rows per Dask partition.")] = PARTITION_ROWS,
    settings: Annotated[
        Path | None,
        typer.Option(help="The default matcher's settings, TOML (`screening describe-settings`)."),
    ] = None,
    real_list: Annotated[
        Path | None,
        typer.Option(
            help="A real list (UN XML, OFAC sdn.csv with alt.csv): its individuals travel "
            "under their other listed names, the list keeps their primary name; FNIR per "
            "alias quality and variation class."
        ),
    ] = None,
) -> None:
    """Run every matcher on every scenario and seed: results table, report and figures."""
    console = make_console()
    model = read_settings(console, settings)
    matchers = matchers or ",".join(bench_matchers())
    if real_list is not None:
        _bench_real_list(console, real_list, matchers, scenarios, seeds, out, model)
        return
    scenarios = scenarios or "teaching"
    try:
        names = _csv_list(matchers)
        for name in names:
            get_matcher(name)
        seed_list = [int(x) for x in _csv_list(seeds)]
        scen = _csv_list(scenarios)
        for sc in scen:
            load_scenario(sc)
    except (ValueError, ScenarioError) as exc:
        raise _fail(console, str(exc)) from exc
    with ExitStack() as stack:
        dask_engine = None
        if engine == "dask":
            try:
                client = stack.enter_context(dask_client(scheduler, workers))
            except DaskMissing as exc:
                raise _fail(console, str(exc)) from exc
            dask_engine = Engine(client, partition_rows)
        elif engine != "local":
            raise _fail(console, f"--engine must be local or dask, not {engine!r}")
        status = stack.enter_context(console.status("benchmark", spinner="dots"))
        bench = run_bench(
            scen,
            names,
            seed_list,
            progress=status.update,
            staged=tuple(_csv_list(stages)) if dask_engine is None else (),
            engine=dask_engine,
            settings=model,
        )
    paths = write_results(bench, out)
    from screening.report import build_report  # altair: 0.18 s of every command

    paths.append(build_report(bench, out / "report.html", figures=out / "figures"))
    print_summary(console, bench.results)
    console.print("wrote " + ", ".join(str(p) for p in paths), highlight=False)
    if code := failed_runs(bench.results):
        raise typer.Exit(code)


@app.command("report")
def report_cmd(
    results: Annotated[Path, typer.Argument(help="A folder written by `screening bench`.")],
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("report.html"),
    figures: Annotated[Path | None, typer.Option(help="Also export each chart as SVG/PNG.")] = None,
) -> None:
    """One self-contained HTML page of the trade-offs (works offline)."""
    console = make_console()
    try:
        bench = read_results(results)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise _fail(console, f"{results}: not a `screening bench` folder ({exc})") from exc
    from screening.report import build_report  # altair: 0.18 s of every command

    path = build_report(bench, out, figures)
    console.print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)", highlight=False)
