"""Commands that screen: screen, lists import."""

from __future__ import annotations

import datetime as dt
import json
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console

from screening import intake as intake_mod
from screening import lists
from screening.cli import _fail, app
from screening.documents import invalid_document_alerts, lost_stolen_alerts
from screening.formats.edifact import looks_like_edifact
from screening.formats.ofac_sdn import looks_like_sdn, read_ofac_sdn
from screening.formats.paxlst import read_paxlst
from screening.formats.un_list import read_un_xml
from screening.io import read_table, read_user_table, write_alerts
from screening.matchers import get_matcher

ON_ERROR = ("report", "skip", "fail")


def _load_lists(err: Console, watchlist: Path, lost_stolen: Path | None):
    """Canonical list rows and the lost/stolen frame from a generated folder or files."""
    if watchlist.is_dir():
        rows = lists.from_generated(
            _generated(watchlist, "watchlist"), _generated(watchlist, "watchlist_names")
        )
    elif watchlist.suffix == ".xml":
        rows = read_un_xml(watchlist)
    elif watchlist.suffix == ".csv" and looks_like_sdn(watchlist):
        rows = read_ofac_sdn(watchlist)
    elif watchlist.suffix == ".parquet" and "nationalities" in pl.read_parquet_schema(watchlist):
        rows = lists.canonical(pl.read_parquet(watchlist), str(watchlist))
    else:
        intake = intake_mod.watchlist(read_user_table(watchlist), str(watchlist))
        _report(err, intake.rejected, "report", None)
        rows = lists.from_flat(intake.frame)
    sltd = None
    if lost_stolen is not None:
        sltd = (
            _generated(lost_stolen, "documents_lost_stolen")
            if lost_stolen.is_dir()
            else read_user_table(lost_stolen)
        )
        intake_mod.check_columns(sltd, ("doc_number", "doc_issuer", "status"), str(lost_stolen))
    return rows, sltd


def _scenario_day(manifest: Path) -> dt.date:
    """The day a generated world's flights leave (its scenario.json), else today."""
    meta = manifest / "scenario.json" if manifest.is_dir() else None
    if meta is not None and meta.exists():
        return dt.date.fromisoformat(json.loads(meta.read_text())["scenario"]["date"])
    return dt.date.today()


def _generated(folder: Path, table: str) -> pl.DataFrame:
    for ext in ("parquet", "csv"):
        path = folder / f"{table}.{ext}"
        if path.exists():
            return read_table(path, table)
    raise intake_mod.InputError(f"{folder}: no {table}.parquet or {table}.csv in this folder")


def _report(err: Console, rejected: pl.DataFrame, on_error: str, out: Path | None) -> None:
    if rejected.is_empty():
        return
    first = rejected.row(0, named=True)
    where = f"{first['file']}: row {first['row']}, field {first['field']}: {first['problem']}"
    if on_error == "fail":
        raise intake_mod.InputError(f"{where} (value {first['value']!r})")
    if on_error == "report":
        side = out.with_name(out.stem + ".rejected.csv") if out else None
        if side is not None:
            rejected.write_csv(side)
        err.print(
            f"{rejected.height} bad row(s) set aside, first: {where}"
            + (f"; all listed in {side}" if side else ""),
            highlight=False,
            soft_wrap=True,
        )


@app.command("screen")
def screen_cmd(
    manifest: Annotated[
        Path, typer.Argument(help="CSV/Parquet manifest, or a folder from `screening generate`.")
    ],
    watchlist: Annotated[
        Path | None, typer.Option(help="Watch list file (one row per name) or generated folder.")
    ] = None,
    lost_stolen: Annotated[Path | None, typer.Option(help="Lost/stolen documents file.")] = None,
    threshold: Annotated[float, typer.Option(help="Lowest score alerted (0: all).")] = 0.5,
    top_k: Annotated[int, typer.Option(help="At most this many identities per passenger.")] = 10,
    matcher: Annotated[
        str, typer.Option(help="default, exact, soundex, bruteforce, gtas, or module:Class.")
    ] = "default",
    out: Annotated[
        Path | None, typer.Option(help="Alerts file (.csv, .parquet, .json); stdout if absent.")
    ] = None,
    columns: Annotated[
        str | None, typer.Option(help="Rename manifest columns: old=new,...")
    ] = None,
    on_error: Annotated[
        str, typer.Option(help="Bad rows: report (set aside, screen the rest), skip, or fail.")
    ] = "report",
    as_of: Annotated[
        str | None,
        typer.Option(
            help="Date for expiry checks (YYYY-MM-DD); default: the generated "
            "scenario's date, else today."
        ),
    ] = None,
) -> None:
    """Screen a manifest against a watch list (and lost/stolen documents): explained alerts."""
    err = Console(stderr=True)
    if on_error not in ON_ERROR:
        raise _fail(err, f"--on-error must be one of {', '.join(ON_ERROR)}")
    try:
        start = time.perf_counter()
        if manifest.is_dir():
            passengers = _generated(manifest, "passengers")
            watchlist = watchlist or manifest
            if lost_stolen is None and any(manifest.glob("documents_lost_stolen.*")):
                lost_stolen = manifest
        else:
            raw = (
                read_paxlst(manifest)
                if looks_like_edifact(manifest)
                else intake_mod.rename_columns(read_user_table(manifest), columns, str(manifest))
            )
            intake = intake_mod.manifest(raw, str(manifest))
            _report(err, intake.rejected, on_error, out)
            passengers = intake.frame
        if watchlist is None:
            raise intake_mod.InputError("--watchlist is required unless MANIFEST is a folder")
        rows, sltd = _load_lists(err, watchlist, lost_stolen)
        day = dt.date.fromisoformat(as_of) if as_of else _scenario_day(manifest)
        chosen = get_matcher(matcher)
    except (intake_mod.InputError, ValueError, OSError) as exc:  # ListFormatError is a ValueError
        raise _fail(err, str(exc)) from exc
    with err.status("screening", spinner="dots") if err.is_terminal else nullcontext():
        index = chosen.build(rows)
        result = chosen.screen(index, passengers, threshold, top_k)
        parts = [result.alerts, invalid_document_alerts(passengers, day)]
        if sltd is not None:
            parts.append(lost_stolen_alerts(passengers, sltd))
        alerts = pl.concat(parts).sort(["passenger_id", "score"], descending=[False, True])
    seconds = time.perf_counter() - start
    text = write_alerts(alerts, out)
    if text is not None:
        typer.echo(text, nl=False)
    kinds = ", ".join(f"{n} {k}" for k, n in alerts["kind"].value_counts().sort("kind").iter_rows())
    rate = passengers.height / max(seconds, 1e-9)
    err.print(
        f"screened {passengers.height:,} passengers against {rows.height:,} list names "
        f"({chosen.name}): "
        f"{alerts.height:,} alerts ({kinds or 'none'}) in {seconds:.1f} s ({rate:,.0f} "
        "passengers/s)",
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
    console = Console()
    try:
        if file.suffix == ".xml":
            rows = read_un_xml(file)
        elif file.suffix == ".csv" and looks_like_sdn(file):
            rows = read_ofac_sdn(file)
        else:
            intake = intake_mod.watchlist(read_user_table(file), str(file))
            _report(console, intake.rejected, "report", None)
            rows = lists.from_flat(intake.frame)
    except (intake_mod.InputError, ValueError, OSError) as exc:
        raise _fail(console, str(exc)) from exc
    rows.write_parquet(out)
    console.print(
        f"wrote {out}: {rows['entry_id'].n_unique():,} identities, {rows.height:,} name rows",
        highlight=False,
    )
