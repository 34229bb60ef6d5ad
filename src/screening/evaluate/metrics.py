"""FNIR/FPIR over thresholds, operating points and breakdowns (DESIGN.md "Words and metrics").

A mated search is a passenger whose truth has an `entry_id`; it is a hit at threshold t
when a watch-list alert for that very identity scores >= t. FPIR(t) is the share of
non-mated passengers with any watch-list alert >= t. Passengers absent from the alerts
are non-alerted. The operating point for an FPIR target is the lowest threshold whose
FPIR does not exceed it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from screening.linkage.explain import PERSON_KINDS
from screening.schema import AlertKind

TARGETS = (0.001, 0.003, 0.01, 0.03)
# The generator's tag for a traveller whose identity the list gives only a birth year, a
# range or no date of birth (UN 2020: 48.5 % of individuals).
LIST_DOB_PARTIAL = "dob_partial"
BASE_RATE = 8e-6  # true watch-list hits per passenger in real operations (~8 per million)


@dataclass(frozen=True)
class Evaluation:
    passengers: int
    mated: int
    curve: pl.DataFrame  # threshold, fnir, fpir, false_alerts_per_1000, precision
    operating_points: pl.DataFrame  # one row per FPIR target
    by_corruption: pl.DataFrame  # FNIR per corruption type at the first target
    by_origin: pl.DataFrame  # FNIR and FPIR per name origin, with Wilson intervals
    differential: dict  # max, min and max/min of FNIR and FPIR across origins (n >= 30)
    documents: pl.DataFrame  # detection and false alerts of the document checks
    blocking: dict[str, float] = field(default_factory=dict)
    # The differential at every operating point, keyed by its FPIR target ("0.01": {...}).
    differential_at: dict = field(default_factory=dict)
    # FNIR at every operating point apart for identities the list gives a full date of
    # birth and for the others (empty unless the truth tags them: a generated world).
    by_list_dob: pl.DataFrame = field(default_factory=pl.DataFrame)

    def fnir_by_list_dob(self, target: float) -> dict[str, float]:
        """{"full": FNIR, "partial": FNIR} at the `target` point (empty without the tag)."""
        if self.by_list_dob.is_empty():
            return {}
        at = self.by_list_dob.filter((pl.col("fpir_target") - target).abs() < 1e-12)
        return dict(zip(at["list_dob"], at["fnir"], strict=True))

    def to_dict(self) -> dict:
        return {
            "passengers": self.passengers,
            "mated": self.mated,
            "operating_points": self.operating_points.to_dicts(),
            "by_corruption": self.by_corruption.to_dicts(),
            "by_origin": self.by_origin.to_dicts(),
            "differential": self.differential,
            "differential_at": self.differential_at,
            "by_list_dob": self.by_list_dob.to_dicts(),
            "documents": self.documents.to_dicts(),
            "blocking": self.blocking,
            "curve": self.curve.to_dicts(),
        }


def wilson(k: np.ndarray, n: np.ndarray, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """95 % Wilson score interval of k successes in n trials (NaN where n = 0)."""
    k, n = np.asarray(k, float), np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def passenger_scores(alerts: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    """Per passenger: true-identity score (hit), best wrong-identity score, origin, mated."""
    person = alerts.filter(pl.col("kind").is_in(PERSON_KINDS)).select(
        "passenger_id", pl.col("entry_id").alias("alerted"), "score"
    )
    t = truth.select("passenger_id", "entry_id", "origin", "corruptions")
    j = t.join(person, on="passenger_id", how="left")
    right = pl.col("alerted") == pl.col("entry_id")
    return (
        j.group_by("passenger_id", maintain_order=True)
        .agg(
            pl.col("entry_id").first(),
            pl.col("origin").first(),
            pl.col("corruptions").first(),
            pl.col("score").filter(right.fill_null(False)).max().alias("hit"),
            pl.col("score")
            .filter(~right.fill_null(False) & pl.col("alerted").is_not_null())
            .max()
            .alias("wrong"),
        )
        .with_columns(mated=pl.col("entry_id").is_not_null())
    )


def operating_point(non_mated_best: np.ndarray, target: float) -> float:
    """Lowest threshold whose FPIR <= target, given each non-mated passenger's best
    watch-list score (NaN when not alerted)."""
    s = np.sort(non_mated_best[~np.isnan(non_mated_best)])[::-1]
    allowed = math.floor(target * len(non_mated_best) + 1e-9)
    if len(s) <= allowed:
        return float(s[-1]) if len(s) else 0.0  # alert everything that was scored
    # Just above the (allowed+1)-th highest score: those above it stay within budget.
    return float(np.nextafter(s[allowed], np.inf))


def _rates(sc: pl.DataFrame, t: float, n_all: int) -> dict[str, float]:
    mated = sc.filter("mated")
    non = sc.filter(~pl.col("mated"))
    hit = (mated["hit"].fill_null(-1.0) >= t).to_numpy()
    best = non.select(pl.max_horizontal("hit", "wrong").fill_null(-1.0)).to_series()
    fa_non = (best >= t).to_numpy()
    fa_mated = (~hit) & (mated["wrong"].fill_null(-1.0) >= t).to_numpy()
    alerted = int(hit.sum() + fa_non.sum() + fa_mated.sum())
    return {
        "threshold": t,
        "fnir": float(1 - hit.mean()) if len(hit) else float("nan"),
        "fpir": float(fa_non.mean()) if len(fa_non) else float("nan"),
        "false_alerts_per_1000": 1000.0 * (fa_non.sum() + fa_mated.sum()) / max(n_all, 1),
        "precision": float(hit.sum() / alerted) if alerted else float("nan"),
    }


def _curve(sc: pl.DataFrame, grid: np.ndarray, n_all: int) -> pl.DataFrame:
    """_rates at every threshold of `grid` at once: counts of scores at or above each
    threshold by binary search (a mated traveller is a false alert at t when its true
    identity scores below t and a wrong one at or above it)."""
    mated = sc.filter("mated")
    hit = np.sort(mated["hit"].cast(pl.Float64).fill_null(-1.0).to_numpy())
    worst = np.sort(
        mated.select(pl.max_horizontal("hit", "wrong").cast(pl.Float64).fill_null(-1.0))
        .to_series()
        .to_numpy()
    )
    best = np.sort(
        sc.filter(~pl.col("mated"))
        .select(pl.max_horizontal("hit", "wrong").cast(pl.Float64).fill_null(-1.0))
        .to_series()
        .to_numpy()
    )
    t = np.asarray(grid, dtype=np.float64)
    below = lambda a: np.searchsorted(a, t, side="left")  # noqa: E731 - count of a < t
    hits = len(hit) - below(hit)
    fa_non = len(best) - below(best)
    fa_mated = below(hit) - below(worst)
    alerted = hits + fa_non + fa_mated
    with np.errstate(invalid="ignore", divide="ignore"):
        return pl.DataFrame(
            {
                "threshold": t,
                "fnir": 1 - hits / len(hit) if len(hit) else np.full(len(t), np.nan),
                "fpir": fa_non / len(best) if len(best) else np.full(len(t), np.nan),
                "false_alerts_per_1000": 1000.0 * (fa_non + fa_mated) / max(n_all, 1),
                "precision": np.where(alerted > 0, hits / np.maximum(alerted, 1), np.nan),
            }
        )


def evaluate(
    alerts: pl.DataFrame,
    truth: pl.DataFrame,
    targets: tuple[float, ...] = TARGETS,
    base_rate: float = BASE_RATE,
    candidate_pairs: pl.DataFrame | None = None,
    list_size: int | None = None,
    namesakes: pl.DataFrame | None = None,
) -> Evaluation:
    """All metrics of one screening run. `candidate_pairs` (passenger_id, entry_id) and
    `list_size` (identities) add pair completeness and reduction ratio; `namesakes`
    (passenger_id, namesake: screening.evaluate.namesakes) splits each origin's FPIR
    between innocents who carry a listed name and the others."""
    sc = passenger_scores(alerts, truth)
    if namesakes is not None:
        sc = sc.join(namesakes, on="passenger_id", how="left").with_columns(
            pl.col("namesake").fill_null(False)
        )
    n = sc.height
    non_best = (
        sc.filter(~pl.col("mated"))
        .select(pl.max_horizontal("hit", "wrong"))
        .to_series()
        .cast(pl.Float64)
        .fill_null(float("nan"))
        .to_numpy()
    )
    points = []
    for target in targets:
        t = operating_point(non_best, target)
        r = _rates(sc, t, n)
        tpr = 1 - r["fnir"]
        denom = base_rate * tpr + (1 - base_rate) * r["fpir"]
        r |= {
            "fpir_target": target,
            "precision_at_base_rate": base_rate * tpr / denom if denom > 0 else float("nan"),
        }
        points.append(r)
    ops = pl.DataFrame(points).select(
        "fpir_target",
        "threshold",
        "fnir",
        "fpir",
        "false_alerts_per_1000",
        "precision",
        "precision_at_base_rate",
    )
    thresholds = np.unique(
        np.concatenate(
            [[0.0], alerts.filter(pl.col("kind").is_in(PERSON_KINDS))["score"].to_numpy()]
        )
    )
    grid = thresholds if len(thresholds) <= 400 else np.quantile(thresholds, np.linspace(0, 1, 400))
    curve = _curve(sc, grid, n)
    at = float(ops["threshold"][0])
    by_origin, differential = _by_origin(sc, at)
    differential_at = {
        f"{target:g}": _by_origin(sc, float(t))[1]
        for target, t in zip(ops["fpir_target"], ops["threshold"], strict=True)
    }
    blocking = _blocking(sc, candidate_pairs, truth, list_size)
    return Evaluation(
        passengers=n,
        mated=int(sc["mated"].sum()),
        curve=curve,
        operating_points=ops,
        by_corruption=_by_corruption(sc, at),
        by_origin=by_origin,
        differential=differential,
        differential_at=differential_at,
        by_list_dob=_by_list_dob(sc, ops),
        documents=_documents(alerts, truth),
        blocking=blocking,
    )


def _by_corruption(sc: pl.DataFrame, t: float) -> pl.DataFrame:
    mated = (
        sc.filter("mated")
        .with_columns(
            miss=pl.col("hit").fill_null(-1.0) < t,
            c=pl.when(pl.col("corruptions").list.len() > 0)
            .then("corruptions")
            .otherwise(pl.lit(["none"])),
        )
        .explode("c")
    )
    out = mated.group_by("c").agg(pl.len().alias("mated"), pl.col("miss").sum().alias("misses"))
    lo, hi = wilson(out["misses"].to_numpy(), out["mated"].to_numpy())
    return (
        out.rename({"c": "corruption"})
        .with_columns(fnir=pl.col("misses") / pl.col("mated"), fnir_low=lo, fnir_high=hi)
        .sort("fnir", descending=True)
    )


def _by_list_dob(sc: pl.DataFrame, ops: pl.DataFrame) -> pl.DataFrame:
    """FNIR at each operating point of mated travellers whose identity has a full listed
    date of birth and of those whose list gives a year, a range or none: what of FNIR the
    list's dates leave to the name alone."""
    mated = sc.filter("mated")
    partial = pl.col("corruptions").list.contains(LIST_DOB_PARTIAL)
    if not mated.select(partial.any()).item():
        return pl.DataFrame()
    out = (
        mated.select(
            pl.when(partial).then(pl.lit("partial")).otherwise(pl.lit("full")).alias("list_dob"),
            hit=pl.col("hit").fill_null(-1.0),
        )
        .join(ops.select("fpir_target", "threshold"), how="cross")
        .group_by("fpir_target", "list_dob")
        .agg(pl.len().alias("mated"), (pl.col("hit") < pl.col("threshold")).sum().alias("misses"))
        .sort("fpir_target", "list_dob")
    )
    lo, hi = wilson(out["misses"].to_numpy(), out["mated"].to_numpy())
    return out.with_columns(fnir=pl.col("misses") / pl.col("mated"), fnir_low=lo, fnir_high=hi)


def _by_origin(sc: pl.DataFrame, t: float, min_n: int = 30):
    flagged = sc.with_columns(
        miss=pl.col("mated") & (pl.col("hit").fill_null(-1.0) < t),
        fa=~pl.col("mated") & (pl.max_horizontal("hit", "wrong").fill_null(-1.0) >= t),
    )
    split = "namesake" in sc.columns
    out = (
        flagged.group_by("origin")
        .agg(
            pl.col("mated").sum().alias("mated"),
            pl.col("miss").sum().alias("misses"),
            (~pl.col("mated")).sum().alias("non_mated"),
            pl.col("fa").sum().alias("false_alerts"),
            *(
                [
                    (~pl.col("mated") & pl.col("namesake")).sum().alias("namesakes"),
                    (pl.col("fa") & pl.col("namesake")).sum().alias("fa_namesakes"),
                ]
                if split
                else []
            ),
        )
        .sort("origin")
    )
    if split:
        out = out.with_columns(others=pl.col("non_mated") - pl.col("namesakes")).with_columns(
            namesake_share=pl.col("namesakes") / pl.col("non_mated"),
            fpir_namesakes=pl.col("fa_namesakes") / pl.col("namesakes"),
            fpir_others=(pl.col("false_alerts") - pl.col("fa_namesakes")) / pl.col("others"),
        )
    f_lo, f_hi = wilson(out["misses"].to_numpy(), out["mated"].to_numpy())
    p_lo, p_hi = wilson(out["false_alerts"].to_numpy(), out["non_mated"].to_numpy())
    out = out.with_columns(
        fnir=pl.col("misses") / pl.col("mated"),
        fnir_low=f_lo,
        fnir_high=f_hi,
        fpir=pl.col("false_alerts") / pl.col("non_mated"),
        fpir_low=p_lo,
        fpir_high=p_hi,
    )

    def spread(rate: str, n: str) -> dict[str, float | None]:
        r = out.filter(pl.col(n) >= min_n)[rate].drop_nans().drop_nulls()
        if len(r) < 2:
            return {"max": None, "min": None, "max_over_min": None}
        lo, hi = float(r.min()), float(r.max())
        # A zero rate makes the ratio undefined; the max and min still tell the story.
        return {"max": hi, "min": lo, "max_over_min": hi / lo if lo > 0 else None}

    spreads = {"fnir": spread("fnir", "mated"), "fpir": spread("fpir", "non_mated")}
    if split:
        # The matcher's own spread: false alerts among innocents who carry no listed name.
        spreads["fpir_others"] = spread("fpir_others", "others")
        out = out.drop("others", "fa_namesakes")
    return out, spreads | {"min_group_size": min_n}


def _documents(alerts: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for kind, flag in (
        (AlertKind.DOCUMENT_LOST_STOLEN, "doc_lost_stolen"),
        (AlertKind.DOCUMENT_INVALID, "mrz_invalid"),
    ):  # two checks, not data rows
        if flag not in truth.columns:
            continue
        hit = alerts.filter(pl.col("kind") == kind).select("passenger_id").unique()
        t = truth.select("passenger_id", flag).with_columns(
            alerted=pl.col("passenger_id").is_in(hit["passenger_id"].implode())
        )
        planted = t.filter(flag)
        rows.append(
            {
                "check": kind,
                "planted": planted.height,
                "detected": int(planted["alerted"].sum()),
                "detection_rate": planted["alerted"].mean() if planted.height else None,
                "other_alerts": int(t.filter(~pl.col(flag))["alerted"].sum()),
            }
        )
    return pl.DataFrame(rows)


def _blocking(sc, pairs: pl.DataFrame | None, truth: pl.DataFrame, list_size: int | None):
    if pairs is None:
        return {}
    mated = truth.filter(pl.col("entry_id").is_not_null()).select("passenger_id", "entry_id")
    found = mated.join(pairs.unique(), on=["passenger_id", "entry_id"], how="semi").height
    out = {
        "pair_completeness": found / mated.height if mated.height else float("nan"),
        "candidate_pairs": pairs.height,
    }
    if list_size:
        out["reduction_ratio"] = 1.0 - pairs.height / (truth.height * list_size)
    return out
