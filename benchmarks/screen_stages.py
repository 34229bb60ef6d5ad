"""PNR, API and PNR then API on a generated scenario: what each stage catches and costs,
what API evidence does to PNR alerts, companions, PNR-to-API link accuracy (ours and an
exact-name baseline), and time per step.

    python benchmarks/screen_stages.py standard [--seed 1] [--matcher default]

Figures come from `screening.evaluate.stages` (the same code as `screening evaluate`).
"""

from __future__ import annotations

import argparse
import resource
import time

import polars as pl

from screening.data.lists import from_generated
from screening.evaluate.stages import evaluate_stages, link_accuracy
from screening.generate.scenario import load_scenario
from screening.generate.world import generate_world
from screening.matchers import get_matcher
from screening.travel.reconcile import LinkConfig, link_bookings
from screening.travel.stages import StageData, run_stages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--matcher", default="default")
    ap.add_argument("--threshold", type=float, default=0.5)
    args = ap.parse_args()
    w = generate_world(load_scenario(args.scenario), args.seed)
    rows = from_generated(w["watchlist"], w["watchlist_names"])
    matcher = get_matcher(args.matcher)
    index = matcher.build(rows)
    data = StageData.from_world(w)
    laps = {}
    for stages in (("pnr",), ("api",), ("pnr", "api", "pnr+api")):
        t0 = time.perf_counter()
        run = run_stages(matcher, index, rows, data, stages, threshold=0.05)
        laps[",".join(stages)] = time.perf_counter() - t0
    t0 = time.perf_counter()
    link_bookings(w["passengers"], w["bookings"], w["booking_passengers"])
    laps["link only"] = time.perf_counter() - t0
    ev = evaluate_stages(
        run.alerts, w["truth"], run.links, w["passengers"], args.threshold, run.pairs
    )
    exact = link_bookings(
        w["passengers"], w["bookings"], w["booking_passengers"], LinkConfig(exact_names_only=True)
    )
    pl.Config.set_tbl_cols(20)
    pl.Config.set_tbl_width_chars(200)
    print(
        f"{args.scenario} seed {args.seed}, matcher {args.matcher}: "
        f"{w['passengers'].height:,} manifest rows, "
        f"{w['booking_passengers'].height:,} booking passengers, {rows.height:,} list names"
    )
    summary = ev.summary.drop("unit").with_columns(pl.exclude("stage").cast(pl.Float64).round(4))
    print(
        summary.drop("stage").transpose(
            include_header=True, header_name="metric", column_names=summary["stage"].to_list()
        )
    )
    print("PNR alerts after API evidence:")
    print(ev.transitions)
    print("Companions:")
    print(
        ev.associates.drop("stage").transpose(
            include_header=True, header_name="count", column_names=ev.associates["stage"].to_list()
        )
    )
    print("contact alerts:", ev.contacts)
    print("links (ours):", ev.links)
    print("links (exact names, GTAS-like):", link_accuracy(exact, w["truth"]))
    print("seconds:", {k: round(v, 2) for k, v in laps.items()})
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
