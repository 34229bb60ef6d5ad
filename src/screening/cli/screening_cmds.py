"""Commands that screen: screen, lists import."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.markup import escape

from screening.cli import _fail, _print_frame, app, make_console
from screening.data import discover
from screening.data import intake as intake_mod
from screening.data.formats.edifact import looks_like_edifact
from screening.data.formats.paxlst import read_paxlst
from screening.data.intake import ON_ERROR
from screening.data.io import read_user_file, scratch_folder, write_alerts
from screening.engines import ENGINES, PARTITION_ROWS, allocator
from screening.linkage.population import population_stats
from screening.linkage.settings import Settings, SettingsError, load_settings, to_toml
from screening.matchers import get_matcher
from screening.matchers.default import DefaultMatcher
from screening.travel.output import Spooled
from screening.travel.stages import STAGES, StageData, run_stages


def _load_lists(err: Console, watchlist: Path, lost_stolen: Path | None):
    """Canonical list rows and the lost/stolen frame; a flat list's problems are reported."""
    rows, problems = discover.watchlist_rows(watchlist)
    _report(err, problems, "report", None)
    return rows, discover.lost_stolen(lost_stolen) if lost_stolen is not None else None


def _scenario_day(manifest: Path) -> dt.date:
    """The day a generated world's flights leave (its scenario.json), else today."""
    meta = manifest / "scenario.json" if manifest.is_dir() else None
    if meta is not None and meta.exists():
        return dt.date.fromisoformat(json.loads(meta.read_text())["scenario"]["date"])
    return dt.date.today()


def _report(err: Console, problems: pl.DataFrame, on_error: str, out: Path | None) -> None:
    """Say what was wrong with the input; rows that could not be screened, always and loudly.
    `fail` stops at the first problem; `skip` screens the same without listing them."""
    if problems.is_empty():
        return
    first = problems.row(0, named=True)
    where = f"{first['file']}: row {first['row']}, field {first['field']}: {first['problem']}"
    if on_error == "fail":
        raise intake_mod.InputError(f"{where} (value {first['value']!r})")
    if on_error == "report":
        side = out.with_name(out.stem + ".problems.csv") if out else None
        if side is not None:
            problems.write_csv(side)
        rows = problems.select("file", "row").unique().height
        err.print(
            escape(
                f"{problems.height:,} problem(s) in {rows:,} row(s); every row with a name was "
                f"screened, unreadable fields as missing (noted in data_quality); first: {where}"
                + (f"; all listed in {side}" if side else "")
            ),
            highlight=False,
        )
    unscreened = problems.filter(pl.col("action") == intake_mod.NOT_SCREENED)
    if not unscreened.is_empty():
        rows = ", ".join(str(r) for r in unscreened["row"].head(10))
        more = "" if unscreened.height <= 10 else f" and {unscreened.height - 10:,} more"
        err.print(
            f"[bold red]NOT SCREENED: {unscreened.height:,} row(s) with no name[/] "
            f"({escape(first['file'])} row(s) {rows}{more})",
            highlight=False,
        )


def _stages(spec: str) -> tuple[str, ...]:
    chosen = STAGES if spec == "all" else tuple(x.strip() for x in spec.split(",") if x.strip())
    bad = [x for x in chosen if x not in STAGES]
    if bad or not chosen:
        raise intake_mod.InputError(
            f"--stage {spec!r}: choose from {', '.join(STAGES)}, a comma-separated list, or all"
        )
    return chosen


def _inputs(manifest: Path, stages, bookings: Path | None, columns, on_error, out, err):
    """Passengers, flights and bookings for the chosen stages."""
    passengers = flights = pnr = None
    if manifest.is_dir():
        passengers = discover.optional(manifest, "passengers") if stages != ("pnr",) else None
        flights = discover.optional(manifest, "flights")
        # The API stage alone reads the manifest alone (as the Dask engine does); pass
        # --bookings to have its companions and whole itineraries too.
        if bookings is None and any(s != "api" for s in stages):
            bookings = manifest
    elif stages == ("pnr",):
        bookings = manifest
    else:
        if looks_like_edifact(manifest):
            raw, read_problems = read_paxlst(manifest), None
        else:
            got = read_user_file(manifest, strict=on_error == "fail")
            raw = intake_mod.rename_columns(got.frame, columns, str(manifest))
            read_problems = got.problems
        intake = intake_mod.manifest(raw, str(manifest), read_problems=read_problems)
        _report(err, intake.problems, on_error, out)
        passengers = intake.frame
    if bookings is not None:
        pnr = discover.bookings(bookings)
    elif any(s != "api" for s in stages):
        raise intake_mod.InputError(f"--stage {','.join(stages)} needs --bookings (PNR)")
    return passengers, flights, pnr


@app.command("screen")
def screen_cmd(
    manifest: Annotated[
        Path,
        typer.Argument(
            help="CSV/Parquet/PAXLST manifest, a PNRGOV file with --stage pnr, or a folder "
            "from `screening generate`."
        ),
    ],
    watchlist: Annotated[
        Path | None, typer.Option(help="Watch list file (one row per name) or generated folder.")
    ] = None,
    lost_stolen: Annotated[Path | None, typer.Option(help="Lost/stolen documents file.")] = None,
    stage: Annotated[
        str,
        typer.Option(
            help="api (the manifest), pnr (bookings), pnr+api (manifest with its linked "
            "bookings), a comma-separated list, or all."
        ),
    ] = "api",
    bookings: Annotated[
        Path | None,
        typer.Option(help="PNR bookings (generated folder or PNRGOV file) for pnr stages."),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(help="Lowest score alerted (0: all); default 0.5, or the settings'."),
    ] = None,
    top_k: Annotated[
        int | None,
        typer.Option(
            help="At most this many identities per passenger; default 10, or the settings'."
        ),
    ] = None,
    matcher: Annotated[
        str, typer.Option(help="default, exact, soundex, bruteforce, gtas, or module:Class.")
    ] = "default",
    settings: Annotated[
        Path | None,
        typer.Option(
            help="The default matcher's settings, TOML (`screening describe-settings` prints them)."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Alerts file (.csv, .parquet, .json); stdout if absent.")
    ] = None,
    notifications: Annotated[
        Path | None,
        typer.Option(help="Write one record per alert and state to notify (.csv/.parquet)."),
    ] = None,
    links: Annotated[
        Path | None, typer.Option(help="Write the PNR-to-API links (.csv/.parquet).")
    ] = None,
    columns: Annotated[
        str | None, typer.Option(help="Rename manifest columns: old=new,...")
    ] = None,
    on_error: Annotated[
        str,
        typer.Option(
            help="Bad fields: report (screen them as missing, list them in ALERTS.problems.csv), "
            "skip (screen the same, list nothing), or fail (stop at the first)."
        ),
    ] = "report",
    as_of: Annotated[
        str | None,
        typer.Option(
            help="Date for expiry checks (YYYY-MM-DD); default: the generated "
            "scenario's date, else today."
        ),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="local (this process) or dask (a Dask cluster, API stage).")
    ] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (tcp://host:8786) to join.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Start a local Dask cluster of N worker processes.")
    ] = None,
    partition_rows: Annotated[
        int, typer.Option(help="Manifest rows per Dask partition.")
    ] = PARTITION_ROWS,
    worker_memory: Annotated[
        str,
        typer.Option(
            help="Memory budget of each local Dask worker (16GiB, or 0.8 of this machine's "
            "memory); Dask restarts a worker at 95 % of it. 'auto': the machine's memory "
            "shared between the workers."
        ),
    ] = "auto",
    explain_model: Annotated[
        bool,
        typer.Option(
            help="Print the weights learned from this manifest (m, u and bits per level); "
            "they are always written to ALERTS.model.json beside --out."
        ),
    ] = False,
    secret_file: Annotated[
        Path | None,
        typer.Option(
            help="With an encoded --watchlist (`screening lists encode`): the shared secret; "
            "screens the API stage without seeing the listed names."
        ),
    ] = None,
    index_cache: Annotated[
        Path | None,
        typer.Option(
            help="Folder to keep the built watch-list index in (default matcher; local "
            "engine, or Dask with --workers): later runs against the same list and settings "
            "map it instead of building it again."
        ),
    ] = None,
) -> None:
    """Screen a manifest or bookings against a watch list (and lost/stolen documents):
    explained alerts, companions as associates, and the states to notify."""
    err = make_console(stderr=True)
    if on_error not in ON_ERROR:
        raise _fail(err, f"--on-error must be one of {', '.join(ON_ERROR)}")
    model = read_settings(err, settings)
    alerting = (model or Settings()).alerts
    threshold = alerting.threshold if threshold is None else threshold
    top_k = alerting.top_k if top_k is None else top_k
    if engine not in ENGINES:
        raise _fail(err, f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    allocator.keep_freed_memory()  # a chunk reuses the pages the last one freed
    if secret_file is not None:
        if watchlist is None:
            raise _fail(err, "--secret-file needs --watchlist, an encoded list")
        opts = {"columns": columns, "on_error": on_error, "out": out}
        _screen_private(
            err, manifest, watchlist, secret_file, opts | {"threshold": threshold, "top_k": top_k}
        )
        return
    if engine == "dask" and index_cache is not None and scheduler is not None:
        raise _fail(
            err,
            "--index-cache with --engine dask needs a local cluster (--workers): the workers "
            "of a cluster elsewhere may not see this folder",
        )
    if engine == "dask":
        _screen_dask(
            err,
            manifest,
            watchlist,
            lost_stolen,
            _DaskOptions(
                stage,
                threshold,
                top_k,
                matcher,
                out,
                notifications,
                columns,
                on_error,
                as_of,
                scheduler,
                workers,
                partition_rows,
                model,
                explain_model,
                worker_memory,
                index_cache,
            ),
        )
        return
    try:
        start = time.perf_counter()
        stages = _stages(stage)
        passengers, flights, pnr = _inputs(manifest, stages, bookings, columns, on_error, out, err)
        if manifest.is_dir():
            watchlist = watchlist or manifest
            if lost_stolen is None and (
                any(manifest.glob("documents_lost_stolen.*"))
                or (manifest / "documents_lost_stolen").is_dir()
            ):
                lost_stolen = manifest
        if watchlist is None:
            raise intake_mod.InputError("--watchlist is required unless MANIFEST is a folder")
        chosen = get_matcher(matcher, model)
        # The manifest's statistics are worked out while the lists are read and the index
        # built (a CSV list took 0.5 s before they began; should the lists fail, the exit
        # waits for them).
        ahead = _population_ahead(chosen, passengers, stages)
        rows, sltd = _load_lists(err, watchlist, lost_stolen)
        day = dt.date.fromisoformat(as_of) if as_of else _scenario_day(manifest)
        data = StageData(
            passengers=passengers,
            flights=flights,
            bookings=pnr[0] if pnr else None,
            booking_passengers=pnr[1] if pnr else None,
            lost_stolen=sltd,
            as_of=day,
        )
    except (intake_mod.InputError, ValueError, OSError) as exc:  # ListFormatError is a ValueError
        raise _fail(err, str(exc)) from exc
    # With --out the alerts are spooled chunk by chunk and merged sorted into the file,
    # so memory does not grow with them (threshold 0 emits millions); else held. A CSV
    # or Parquet file takes the chunks' alerts as they come while they follow one another.
    with (
        err.status("screening", spinner="dots") if err.is_terminal else nullcontext(),
        scratch_folder(out) if out is not None else nullcontext() as spool_dir,
    ):
        index = _index(err, chosen, rows, index_cache)
        population = ahead.result() if ahead is not None else None
        sink = Spooled(spool_dir, direct=out) if spool_dir is not None else None
        try:
            run = run_stages(
                chosen,
                index,
                rows,
                data,
                stages,
                threshold,
                top_k,
                sink=sink,
                population=population,
                keep_pairs=False,
                notifications=notifications is not None,
            )
        except ValueError as exc:
            raise _fail(err, str(exc)) from exc
        if sink is not None:
            sink.write(out, notifications)
        # The output file's writing counts: a threshold-0 run writes millions of rows.
        seconds = time.perf_counter() - start
    _write_run(err, run, out, notifications, links, stages, spooled=sink is not None)
    kinds = sink.kinds if sink is not None else Counter(run.alerts["kind"].to_list())
    _write_models(err, run.models, out, explain_model)
    screened = " and ".join(
        f"{f.height:,} {what}"
        for f, what in ((passengers, "passengers"), (pnr[1] if pnr else None, "booking passengers"))
        if f is not None
    )
    _print_screened(err, screened, rows.height, chosen.name, stages, run, kinds, seconds)


def _population_ahead(chosen, passengers: pl.DataFrame | None, stages) -> Future | None:
    """The manifest's name statistics and forms, worked out in a thread while the index is
    built (they do not depend on it; a national day's 5 s beside the index's 5 s). For the
    default matcher on the API stage alone: pnr+api screens travellers enriched from
    their bookings, whose own sample it learns from."""
    if passengers is None or stages != ("api",) or not isinstance(chosen, DefaultMatcher):
        return None
    pool = ThreadPoolExecutor(1)
    sample = chosen.settings.estimation.sample_passengers
    job = pool.submit(population_stats, passengers, None, sample, True)
    pool.shutdown(wait=False)
    return job


def _index(err: Console, chosen, rows: pl.DataFrame, cache: Path | None):
    """The matcher's index of `rows`: built, or with `cache` mapped from a saved one."""
    if cache is None:
        return chosen.build(rows)
    _cacheable(err, chosen, cache)
    from screening.linkage.index_store import cached_build  # pyarrow: only when asked

    index, said = cached_build(rows, chosen.settings, cache)
    err.print(escape(said))
    return index


def _cacheable(err: Console, chosen, cache: Path | None) -> None:
    """Refuse --index-cache for a matcher whose index cannot be saved."""
    if cache is not None and not isinstance(chosen, DefaultMatcher):
        raise _fail(err, f"--index-cache works with the default matcher, not {chosen.name}")


def _write_run(
    err: Console, run, out: Path | None, notifications, links, stages, spooled: bool
) -> None:
    """The alerts (to `out`, or stdout) and notifications unless they were spooled
    there already, and the links where asked for."""
    written = [(links, run.links)]
    if not spooled:
        text = write_alerts(run.alerts, out)
        if text is not None:
            typer.echo(text, nl=False)
        written.append((notifications, run.notifications))
    for path, frame in written:
        if path is not None:
            write_alerts(frame, path)
    if "pnr+api" in stages and run.links.is_empty():
        err.print(
            "warning: no booking passenger was linked to the manifest; do the bookings' "
            "flight ids match the manifest's flight_id?",
            highlight=False,
            soft_wrap=True,
        )


def _write_models(err: Console, models: dict, out: Path | None, explain: bool) -> None:
    """What the matcher learned, per stage: to ALERTS.model.json, and printed if asked."""
    if out is not None and models:
        side = out.with_name(out.stem + ".model.json")
        side.write_text(
            json.dumps({stage: m.summary() for stage, m in models.items()}, indent=2) + "\n"
        )
    if not explain:
        return
    if not models:
        err.print(
            "no weights were learned (estimation off, too few travellers or namesakes to "
            "learn from, or a matcher that learns none): the settings' weights were used"
        )
    for stage, m in models.items():
        _print_frame(
            err,
            f"Weights learned from the {stage} travellers: EM over {m.candidate_pairs:,} "
            f"namesake pairs ({m.iterations} iterations, "
            f"{'converged' if m.converged else 'NOT converged'}, share same person "
            f"{m.match_share:.3f}), u of DOB and document from {m.random_pairs:,} random "
            f"pairs"
            + (
                f"; name levels by EM over {m.name_pairs:,} candidate identities of sampled "
                f"travellers ({m.name_iterations} iterations, "
                f"{'converged' if m.name_converged else 'NOT converged'}; bits: a level's "
                f"evidence for an average name, share: of the name's own information)"
                if m.name_pairs
                else ""
            )
            + (
                f"; name evidence capped by the travellers of {m.density['sampled']:,} "
                f"sampled at least as close to a list name ({m.density['min_sightings']} "
                f"or more: {m.density['list_names_crowded']:,} list names have that many)"
                if m.density
                else ""
            )
            + f"; {m.seconds:.2f} s",
            m.table,
            decimals=6,
        )


def _print_screened(
    err: Console, screened: str, list_names: int, matcher: str, stages, run, kinds, seconds: float
) -> None:
    """One line: what was screened, the alerts by kind (`kinds`: kind -> count), the time."""
    text = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    err.print(
        f"screened {screened} against {list_names:,} list names ({matcher}, stage "
        f"{','.join(stages)}): {sum(kinds.values()):,} alerts ({text or 'none'}) in "
        f"{seconds:.1f} s"
        + (f"; {run.links.height:,} PNR-to-API links" if run.links.height else ""),
        highlight=False,
        soft_wrap=True,
    )


@dataclass(frozen=True)
class _DaskOptions:
    stage: str
    threshold: float
    top_k: int
    matcher: str
    out: Path | None
    notifications: Path | None
    columns: str | None
    on_error: str
    as_of: str | None
    scheduler: str | None
    workers: int | None
    partition_rows: int
    settings: Settings | None = None
    explain_model: bool = False
    worker_memory: str = "auto"
    index_cache: Path | None = None


def _peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _screen_dask(err: Console, manifest: Path, watchlist, lost_stolen, o: _DaskOptions) -> None:
    """`screen --engine dask`: partitions of the manifest on a Dask cluster."""
    from screening.engines.partitions import Job, combine_output, plan, staging

    try:
        from screening.engines.dask_engine import DaskMissing, memory_limit_of, run_dask
    except ImportError as exc:  # pragma: no cover - the module itself imports no Dask
        raise _fail(err, str(exc)) from exc
    start = time.perf_counter()
    try:
        if _stages(o.stage) != ("api",):
            raise intake_mod.InputError(
                "--engine dask screens the API stage; PNR stages need whole bookings and "
                "flights together (use the local engine)"
            )
        if o.out is None:
            raise intake_mod.InputError(
                "--engine dask writes to --out (a .parquet/.csv/.json file, or a folder "
                "without extension for a partitioned Parquet dataset)"
            )
        if o.partition_rows < 1:
            raise intake_mod.InputError("--partition-rows must be at least 1")
        memory_limit_of(o.worker_memory)
        parts = plan(manifest, o.partition_rows)
        flights = None
        if manifest.is_dir():
            watchlist = watchlist or manifest
            flights = discover.optional(manifest, "flights")
            if lost_stolen is None and (
                any(manifest.glob("documents_lost_stolen.*"))
                or (manifest / "documents_lost_stolen").is_dir()
            ):
                lost_stolen = manifest
        if watchlist is None:
            raise intake_mod.InputError("--watchlist is required unless MANIFEST is a folder")
        rows, sltd = _load_lists(err, watchlist, lost_stolen)
        day = dt.date.fromisoformat(o.as_of) if o.as_of else _scenario_day(manifest)
        chosen = get_matcher(o.matcher, o.settings)
    except (intake_mod.InputError, ValueError, OSError) as exc:
        raise _fail(err, str(exc)) from exc
    _cacheable(err, chosen, o.index_cache)
    out = o.out
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with staging(out) as tmp:
            job = Job(
                o.matcher,
                o.threshold,
                o.top_k,
                day,
                o.columns,
                o.on_error,
                str(tmp),
                o.settings,
                o.notifications is not None,
            )
            with err.status("dask", spinner="dots") if err.is_terminal else nullcontext() as st:
                progress = st.update if st is not None else (lambda _: None)
                run = run_dask(
                    parts,
                    job,
                    rows,
                    sltd,
                    flights,
                    o.scheduler,
                    o.workers,
                    progress=progress,
                    memory_limit=o.worker_memory,
                    index_cache=o.index_cache,
                )
            combine_output(tmp, "alerts", out)
            if o.notifications is not None:
                combine_output(tmp, "notifications", o.notifications)
    except (DaskMissing, intake_mod.InputError) as exc:
        raise _fail(err, str(exc)) from exc
    if run.index_said:
        err.print(escape(run.index_said))
    _write_models(err, {"api": run.model} if run.model else {}, out, o.explain_model)
    problems = [p.problems for p in run.parts if not p.problems.is_empty()]
    if problems:
        _report(err, pl.concat(problems), "report" if o.on_error == "fail" else o.on_error, out)
    n = sum(p.rows for p in run.parts)
    alerts = sum(p.alerts for p in run.parts)
    seconds = time.perf_counter() - start
    peaks = ", ".join(f"{v:,.0f}" for v in run.worker_peak_mib.values())
    pss = ", ".join("?" if v is None else f"{v:,.0f}" for v in run.worker_pss_mib.values())
    err.print(
        f"screened {n:,} passengers in {len(parts)} partitions on {len(run.worker_peak_mib)} "
        f"Dask worker(s) against {rows.height:,} list names ({o.matcher}): {alerts:,} alerts "
        f"in {seconds:.1f} s ({n / max(seconds, 1e-9):,.0f} passengers/s); worker peak MiB: "
        f"{peaks} (a mapped index counted whole in each); worker peak PSS MiB (the mapped index "
        f"shared): {pss}; "
        f"client peak MiB: {_peak_mib():,.0f}; wrote {out}; seconds: "
        + ", ".join(f"{k.removesuffix('_s')} {v:.1f}" for k, v in run.seconds.items()),
        highlight=False,
        soft_wrap=True,
    )


lists_app = typer.Typer(help="Watch-list files: import real lists into the canonical form.")
app.add_typer(lists_app, name="lists")


@lists_app.command("import")
def lists_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="UN list XML, OFAC sdn.csv (alt.csv beside it), or a flat CSV/Parquet."
        ),
    ],
    out: Annotated[Path, typer.Option(help="Canonical watch list (.parquet).")] = Path(
        "watchlist.parquet"
    ),
) -> None:
    """Convert a list to the canonical one-row-per-name watch list `screen` reads."""
    console = make_console()
    try:
        rows, problems = discover.watchlist_rows(file)
        _report(make_console(stderr=True), problems, "report", None)
    except (intake_mod.InputError, ValueError, OSError) as exc:
        raise _fail(console, str(exc)) from exc
    rows.write_parquet(out)
    console.print(
        f"wrote {out}: {rows['entry_id'].n_unique():,} identities, {rows.height:,} name rows",
        highlight=False,
    )


@lists_app.command("encode")
def lists_encode(
    file: Annotated[
        Path, typer.Argument(help="A watch list (any format `screen` reads) or generated folder.")
    ],
    secret_file: Annotated[
        Path, typer.Option(help="The secret shared with the screening side (>= 16 bytes).")
    ],
    out: Annotated[Path, typer.Option(help="Encoded list (.parquet).")] = Path(
        "watchlist.clk.parquet"
    ),
    salt: Annotated[
        str, typer.Option(help="none, or birth_year (hardens against frequency attacks).")
    ] = "none",
) -> None:
    """Encode a watch list as keyed Bloom filters for screening without sharing the names:
    entry and name ids stay readable, names, dates and nationalities do not."""
    from screening.privacy.encode import EncodingConfig, encode, read_secret, write_encoded

    console = make_console()
    err = make_console(stderr=True)
    try:
        secret = read_secret(secret_file)
        cfg = EncodingConfig(salt=salt)
        rows, _ = _load_lists(err, file, None)
        encoded = encode(secret, rows, cfg, listed=True)
        write_encoded(encoded, cfg, out)
    except (intake_mod.InputError, ValueError, OSError) as exc:
        raise _fail(console, str(exc)) from exc
    console.print(
        f"wrote {out}: {encoded.height:,} encodings of {rows.height:,} list names "
        f"({cfg.bits}-bit filters, salt {cfg.salt})",
        highlight=False,
    )


def _screen_private(
    err: Console, manifest: Path, watchlist: Path, secret_file: Path, o: dict
) -> None:
    """`screen --secret-file`: the API stage against an encoded list."""
    from screening.privacy.encode import read_encoded, read_secret
    from screening.privacy.match import PrivateIndex, PrivateMatcher

    start = time.perf_counter()
    try:
        secret = read_secret(secret_file)
        encoded, cfg = read_encoded(watchlist)
        passengers, _, _ = _inputs(
            manifest, ("api",), None, o["columns"], o["on_error"], o["out"], err
        )
    except (intake_mod.InputError, ValueError, OSError) as exc:
        raise _fail(err, str(exc)) from exc
    matcher = PrivateMatcher(secret, cfg)
    res = matcher.screen(PrivateIndex.of(encoded, cfg), passengers, o["threshold"], o["top_k"])
    text = write_alerts(res.alerts, o["out"])
    if text is not None:
        typer.echo(text, nl=False)
    err.print(
        f"screened {passengers.height:,} passengers against {encoded.height:,} encoded list "
        f"names (private, stage api): {res.alerts.height:,} alerts in "
        f"{time.perf_counter() - start:.1f} s",
        highlight=False,
        soft_wrap=True,
    )


def read_settings(console: Console, path: Path | None) -> Settings | None:
    """--settings FILE, checked (the error names the file and the key), or None."""
    if path is None:
        return None
    try:
        return load_settings(path)
    except SettingsError as exc:
        raise _fail(console, str(exc)) from exc


@app.command("describe-settings")
def describe_settings(
    settings: Annotated[
        Path | None, typer.Option(help="A settings file to check and print in full.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the TOML here instead.")] = None,
) -> None:
    """The default matcher's model as TOML: blocking, comparisons, scoring weights, alerts.
    Edit a copy and pass it to `screen` or `bench` with --settings."""
    console = make_console()
    text = to_toml(read_settings(make_console(stderr=True), settings) or Settings())
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {out}")
