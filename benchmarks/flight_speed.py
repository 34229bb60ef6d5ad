"""One flight against a built index, with the day's name statistics and with the flight's own.

    python benchmarks/flight_speed.py WORLD [--flights 30] [--min-size 250] [--index DIR]

WORLD is a generated folder (`screening generate -s national-day -o WORLD`). The index is
built (or, with `--index`, mapped from a folder `index_store.save_index` wrote, as
`screening screen --index-cache` keeps it) and the day's population counted, its weights
learned and the list's name information worked out against it once (screen.for_flights),
as a deployment does;
then the first `--flights` flights of at least `--min-size` travellers are screened one by
one (three warm-up runs first). Prints the median, min and max milliseconds per flight.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import polars as pl

from screening.data.lists import from_generated
from screening.linkage.index import build_index
from screening.linkage.index_store import load_index, save_index
from screening.linkage.population import population_stats
from screening.linkage.screen import for_flights, screen
from screening.linkage.settings import Settings


def _times(index, flights: list[pl.DataFrame], population) -> list[float]:
    for f in flights[:3]:
        screen(index, f, population=population)
    out = []
    for f in flights:  # a few dozen flights, not rows
        t = time.perf_counter()
        screen(index, f, population=population)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("world")
    ap.add_argument("--flights", type=int, default=30)
    ap.add_argument("--min-size", type=int, default=250)
    ap.add_argument("--index", help="a saved index folder, mapped instead of built")
    args = ap.parse_args()
    w = args.world
    rows = from_generated(
        pl.read_parquet(f"{w}/watchlist.parquet"), pl.read_parquet(f"{w}/watchlist_names.parquet")
    )
    if args.index and not Path(args.index, "index.json").exists():
        save_index(build_index(rows), Path(args.index))
    index = load_index(Path(args.index)) if args.index else build_index(rows)
    pax = pl.read_parquet(f"{w}/passengers.parquet")
    day = for_flights(
        index, population_stats(pax, sample_size=Settings().estimation.sample_passengers)
    )
    sizes = (
        pax.group_by("flight_id")
        .len()
        .filter(pl.col("len") >= args.min_size)
        .sort("flight_id")
        .head(args.flights)
    )
    flights = [pax.filter(pl.col("flight_id") == f) for f in sizes["flight_id"]]
    print(f"{len(flights)} flights of {sizes['len'].min()}-{sizes['len'].max()} travellers")
    for label, population in (("the day's statistics", day), ("the flight's own", None)):
        t = _times(index, flights, population)
        print(f"{label}: median {statistics.median(t):.1f} ms, min {min(t):.1f}, max {max(t):.1f}")


if __name__ == "__main__":
    main()
