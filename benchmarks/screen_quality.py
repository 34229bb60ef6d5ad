"""Miss rate and speed of the default matcher on a generated scenario (until `screening
evaluate` exists, this is the measuring stick).

    python benchmarks/screen_quality.py standard [--seed 7]

Metrics come from `screening.evaluate` (the same code as `screening evaluate`). Pair
completeness: share of mated passengers whose true identity is among the candidate pairs.
"""

from __future__ import annotations

import argparse
import resource
import time

import polars as pl

from screening.data.lists import from_generated
from screening.evaluate import evaluate
from screening.generate.scenario import load_scenario
from screening.generate.world import generate_world
from screening.matchers import get_matcher


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--matcher", default="default")
    args = ap.parse_args()
    w = generate_world(load_scenario(args.scenario), args.seed)
    w = {k: w[k] for k in ("passengers", "watchlist", "watchlist_names", "truth")}
    t0 = time.perf_counter()
    matcher = get_matcher(args.matcher)
    idx = matcher.build(from_generated(w["watchlist"], w["watchlist_names"]))
    t1 = time.perf_counter()
    res = matcher.screen(idx, w["passengers"], threshold=0.05, top_k=10)
    t2 = time.perf_counter()
    pi, li = res.pairs
    cand = pl.DataFrame(
        {
            "passenger_id": w["passengers"]["passenger_id"].gather(pi),
            "entry_id": idx.rows["entry_id"].gather(li),
        }
    )
    ev = evaluate(
        res.alerts,
        w["truth"],
        targets=(0.001, 0.01),
        candidate_pairs=cand,
        list_size=w["watchlist"].height,
    )
    print(
        f"matcher {args.matcher}, {args.scenario} seed {args.seed}: "
        f"{w['passengers'].height:,} passengers, {idx.size:,} list names, {ev.mated:,} mated"
    )
    print(
        f"index {t1 - t0:.1f} s; screen {t2 - t1:.1f} s "
        f"({w['passengers'].height / (t2 - t1):,.0f} passengers/s); "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )
    print(f"blocking {ev.blocking}; {res.stats}")
    top = float(res.alerts["score"].max() or 0.0)
    for op in ev.operating_points.rows(named=True):
        if op["threshold"] > top:
            print(
                f"FNIR at FPIR {op['fpir_target']}: not reachable (its lowest alerting "
                "score already exceeds this FPIR)"
            )
        else:
            print(
                f"FNIR at FPIR {op['fpir_target']}: {op['fnir']:.4f} "
                f"(threshold {op['threshold']:.4f})"
            )
    at = ev.curve.filter(pl.col("threshold") >= 0.5).head(1)
    if at.height:
        print(f"at score >= 0.5: FNIR {at['fnir'][0]:.4f}, FPIR {at['fpir'][0]:.4f}")
    print(f"demographic differential: {ev.differential}")


if __name__ == "__main__":
    main()
