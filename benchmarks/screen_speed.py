"""Screening speed: index build, a whole day's manifest, and single flights.

    python benchmarks/screen_speed.py national-day [--seed 7] [--flights 20]

Prints: index build seconds; the full manifest end to end (frames in → alerts out,
threshold 0.5) with passengers/s and the process's peak RSS; and the median and 95th
percentile time to screen one flight (its real passenger list) against the same index.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import polars as pl

from screening.data.lists import from_generated
from screening.generate.scenario import load_scenario
from screening.generate.world import generate_world
from screening.linkage.index import build_index
from screening.linkage.screen import screen


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--flights", type=int, default=20)
    args = ap.parse_args()
    world = generate_world(load_scenario(args.scenario), args.seed)
    passengers = world["passengers"]
    rows = from_generated(world["watchlist"], world["watchlist_names"])
    del world
    print(
        f"{args.scenario}: {passengers.height:,} passengers, {rows.height:,} list names; "
        f"peak RSS after generation {_rss_mib():,.0f} MiB"
    )
    t0 = time.perf_counter()
    index = build_index(rows)
    t1 = time.perf_counter()
    print(f"index build {t1 - t0:.1f} s")
    flights = passengers.group_by("flight_id").len().sort("flight_id")
    pick = np.random.default_rng(0).choice(flights.height, args.flights, replace=False)
    times = []
    for f in flights["flight_id"].gather(pick):  # a few dozen flights, not rows
        one = passengers.filter(pl.col("flight_id") == f)
        s = time.perf_counter()
        screen(index, one, threshold=0.5)
        times.append((time.perf_counter() - s) * 1000)
    sizes = flights["len"].gather(pick)
    print(
        f"one flight ({sizes.min()}-{sizes.max()} passengers): median {np.median(times):.0f} ms,"
        f" p95 {np.percentile(times, 95):.0f} ms"
    )
    # A full 300-seat flight: 300 passengers drawn from the whole day.
    times = []
    rng = np.random.default_rng(1)
    for _ in range(args.flights):
        one = passengers.gather(rng.choice(passengers.height, 300, replace=False))
        s = time.perf_counter()
        screen(index, one, threshold=0.5)
        times.append((time.perf_counter() - s) * 1000)
    print(
        f"one 300-passenger flight: median {np.median(times):.0f} ms, "
        f"p95 {np.percentile(times, 95):.0f} ms"
    )
    t2 = time.perf_counter()
    result = screen(index, passengers, threshold=0.5)
    t3 = time.perf_counter()
    print(
        f"whole manifest: {t3 - t2:.1f} s ({passengers.height / (t3 - t2):,.0f} passengers/s),"
        f" {result.alerts.height:,} watch-list alerts; peak RSS {_rss_mib():,.0f} MiB"
    )
    print(f"stages: {result.stats}")


if __name__ == "__main__":
    main()
