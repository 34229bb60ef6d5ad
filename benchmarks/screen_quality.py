"""Miss rate and speed of the default matcher on a generated scenario (until `screening
evaluate` exists, this is the measuring stick).

    python benchmarks/screen_quality.py standard [--seed 7]

FNIR at FPIR t: the lowest threshold whose FPIR (share of non-mated passengers with any
watch-list alert at or above it) does not exceed t; FNIR = share of mated passengers
whose true identity is not alerted at that threshold. Pair completeness: share of mated
passengers whose true identity is among the candidate pairs.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import polars as pl

from screening.generate.scenario import load_scenario
from screening.generate.world import generate_world
from screening.lists import from_generated
from screening.matchers import get_matcher


def fnir_at_fpir(alerts: pl.DataFrame, truth: pl.DataFrame, targets=(0.001, 0.01)) -> dict:
    mated = truth.filter(pl.col("entry_id").is_not_null())
    non = truth.filter(pl.col("entry_id").is_null())
    hit = (
        mated.join(alerts, on=["passenger_id", "entry_id"], how="left")
        .group_by("passenger_id")
        .agg(pl.col("score").max().fill_null(0.0))
    )
    fa = (
        non.join(alerts, on="passenger_id", how="left")
        .group_by("passenger_id")
        .agg(pl.col("score").max().fill_null(0.0))
    )
    s_m, s_n = np.sort(hit["score"].to_numpy()), np.sort(fa["score"].to_numpy())
    out = {}
    for t in targets:
        k = int(np.floor(t * len(s_n)))  # allowed false alerts
        thr = np.nextafter(s_n[len(s_n) - k - 1], 2) if k < len(s_n) else 0.0
        thr = max(thr, 1e-9)  # a score of 0 (no alert) never counts as alerted
        out[t] = (float(np.mean(s_m < thr)), float(thr))
    return out


def rates_at(alerts: pl.DataFrame, truth: pl.DataFrame, thr: float) -> tuple[float, float]:
    """(FNIR, FPIR) when alerting at score >= thr."""
    a = alerts.filter(pl.col("score") >= thr)
    mated = truth.filter(pl.col("entry_id").is_not_null())
    non = truth.filter(pl.col("entry_id").is_null())
    hit = mated.join(a, on=["passenger_id", "entry_id"], how="semi").height / mated.height
    fa = non.join(a, on="passenger_id", how="semi").height / non.height
    return 1.0 - hit, fa


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
    truth = w["truth"]
    pi, li = res.pairs
    cand = pl.DataFrame(
        {
            "passenger_id": w["passengers"]["passenger_id"].gather(pi),
            "entry_id": idx.rows["entry_id"].gather(li),
        }
    ).unique()
    mated = truth.filter(pl.col("entry_id").is_not_null())
    pc = mated.join(cand, on=["passenger_id", "entry_id"], how="semi").height / mated.height
    print(
        f"matcher {args.matcher}, {args.scenario} seed {args.seed}: "
        f"{w['passengers'].height:,} passengers, "
        f"{idx.size:,} list names, {mated.height:,} mated"
    )
    print(
        f"index {t1 - t0:.1f} s; screen {t2 - t1:.1f} s "
        f"({w['passengers'].height / (t2 - t1):,.0f} passengers/s); "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )
    print(f"candidate pairs {len(pi):,}; pair completeness {pc:.4f}; {res.stats}")
    for t, (fnir, thr) in fnir_at_fpir(res.alerts, truth).items():
        if thr > 1.0:
            print(
                f"FNIR at FPIR {t}: not reachable (its lowest alerting score already "
                "exceeds this FPIR)"
            )
        else:
            print(f"FNIR at FPIR {t}: {fnir:.4f} (threshold {thr:.4f})")
    fnir, fpir = rates_at(res.alerts, truth, 0.5)
    print(f"at score >= 0.5: FNIR {fnir:.4f}, FPIR {fpir:.4f}")


if __name__ == "__main__":
    main()
