"""How far the default matcher is from a model trained on labels, on the same evidence.

    python benchmarks/supervised_reference.py --train W11 W12 W13 W14 --test W7 W1

Each W is a generated folder (`screening generate -s standard --seed S -o W`). Every world
is screened with the default matcher at threshold 0; each alert's evidence (the bits per
field that `screen.pair_evidence` shows, the name similarity and how the names are alike,
the DOB and document levels) becomes a row. A gradient-boosted classifier
(scikit-learn's HistGradientBoostingClassifier, installed with the `peers` extra) learns
from the training worlds' truth which rows are the right identity, then re-scores the test
worlds' alerts; both sets of scores are evaluated as `screening evaluate` does: FNIR at
FPIR 0.001 and 0.01, at 0.001 apart where the list gives a full date of birth and where it
does not, and the per-origin FPIR max/min at the FPIR-0.01 point.

The classifier sees the same candidates and the same evidence, so the gap between the two
FNIRs is what labels could add to the unsupervised weights; FNIR the classifier cannot go
below needs other evidence, not other weights. It is not a ceiling: another model, or more
training worlds, might do better. Test worlds are never trained on.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import polars as pl

from screening.data.discover import generated, watchlist_rows
from screening.evaluate.metrics import evaluate
from screening.linkage.index import build_index
from screening.linkage.levels import DOB_LEVELS, DOC_LEVELS, NAME_HOW
from screening.linkage.screen import pair_evidence, screen

FIELDS = ["contact", "name", "dob", "document", "nationality", "sex"]
CODES = {
    "name_how": list(NAME_HOW),
    "dob_evidence": list(DOB_LEVELS),
    "document_evidence": list(DOC_LEVELS),
}


def features(world: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(alerts of the default matcher at threshold 0 with their evidence, truth)."""
    passengers = generated(world, "passengers")
    index = build_index(watchlist_rows(world)[0])
    alerts = screen(index, passengers, threshold=0.0).alerts
    named = alerts.filter(pl.col("name_id").is_not_null())
    p_row = passengers.select("passenger_id").with_row_index("p")
    l_row = index.rows.select("name_id").with_row_index("l")
    at = named.join(p_row, on="passenger_id", how="left", maintain_order="left").join(
        l_row, on="name_id", how="left", maintain_order="left"
    )
    bits = pair_evidence(index, passengers, at["p"].to_numpy(), at["l"].to_numpy())
    codes = [
        pl.col(c).replace_strict(v, list(range(len(v))), default=-1).alias(c)
        for c, v in CODES.items()
    ]
    out = pl.concat([named, bits.select(FIELDS).rename(lambda c: f"bits_{c}")], how="horizontal")
    return out.with_columns(codes), generated(world, "truth")


def _matrix(frame: pl.DataFrame) -> np.ndarray:
    cols = [f"bits_{f}" for f in FIELDS] + ["name_score", "score", *CODES]
    return frame.select(pl.col(cols).cast(pl.Float64)).to_numpy()


def _labels(frame: pl.DataFrame, truth: pl.DataFrame) -> np.ndarray:
    right = truth.filter(pl.col("entry_id").is_not_null()).select(
        "passenger_id", "entry_id", right=pl.lit(True)
    )
    j = frame.join(right, on=["passenger_id", "entry_id"], how="left", maintain_order="left")
    return j["right"].fill_null(False).to_numpy()


def _points(alerts: pl.DataFrame, truth: pl.DataFrame) -> tuple[dict[float, float], str]:
    """FNIR at each FPIR target; in words, FNIR at FPIR 0.001 where the list gives a full
    date of birth and where it does not, and the per-origin FPIR max/min at FPIR 0.01."""
    ev = evaluate(alerts, truth)
    fnir = {round(p["fpir_target"], 4): p["fnir"] for p in ev.to_dict()["operating_points"]}
    by_dob = ev.fnir_by_list_dob(0.001)
    fpir = ev.differential_at["0.01"]["fpir"]
    ratio = fpir["max_over_min"]
    spread = f"{ratio:.0f}x" if ratio is not None else f"{fpir['max']:.4f} / {fpir['min']:.4f}"
    full, partial = by_dob.get("full", float("nan")), by_dob.get("partial", float("nan"))
    return fnir, f"{full:.3f} / {partial:.3f}; {spread}"


def main() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    ap = argparse.ArgumentParser()
    ap.add_argument("--train", nargs="+", type=Path, required=True)
    ap.add_argument("--test", nargs="+", type=Path, required=True)
    args = ap.parse_args()
    if {w.resolve() for w in args.train} & {w.resolve() for w in args.test}:
        raise SystemExit("a test world is also a training world")
    t0 = time.perf_counter()
    train = [features(w) for w in args.train]
    x = np.vstack([_matrix(f) for f, _ in train])
    y = np.concatenate([_labels(f, t) for f, t in train])
    cats = np.zeros(x.shape[1], dtype=bool)
    cats[-len(CODES) :] = True
    model = HistGradientBoostingClassifier(
        categorical_features=cats, max_iter=300, learning_rate=0.05, random_state=2396
    )
    model.fit(np.where(np.isnan(x), 0.0, x), y)
    print(f"trained on {len(y):,} alerts ({int(y.sum()):,} right) of {len(train)} worlds")
    print(
        "| test world | default FNIR @ 0.001 / 0.01; @ 0.001 with a full / partial listed "
        "date of birth; per-origin FPIR max/min at 0.01 | supervised, the same |"
    )
    print("| --- | --- | --- |")
    for world in args.test:
        frame, truth = features(world)
        x_test = _matrix(frame)
        proba = model.predict_proba(np.where(np.isnan(x_test), 0.0, x_test))[:, 1]
        rescored = frame.with_columns(score=pl.Series(proba))
        (base, base_spread), (sup, sup_spread) = _points(frame, truth), _points(rescored, truth)
        print(
            f"| {world.name} | {base[0.001]:.3f} / {base[0.01]:.3f}; {base_spread} "
            f"| {sup[0.001]:.3f} / {sup[0.01]:.3f}; {sup_spread} |"
        )
    print(f"{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
