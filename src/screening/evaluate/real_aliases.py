"""The real-alias benchmark: listed people travelling under their other listed names.

From a real list (UN XML, OFAC SDN): the list keeps each individual's primary name only;
each individual travels under each of their other Latin-script names with the listed date
of birth, sex and first nationality, among innocent travellers of a generated world. How
the alias differs from the primary name is its variation class (evaluate.variation), so
FNIR is measured per real kind of variation and per alias quality.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from screening.data.intake import MANIFEST_REQUIRED
from screening.evaluate.metrics import passenger_scores, wilson
from screening.evaluate.variation import variation_class

# Travel documents are written in Latin letters (ICAO 9303): an alias in another script
# (the UN list's original-script names) is never what a manifest carries.
_NOT_LATIN = r"[^\x00-\x7F\u00C0-\u024F\u1E00-\u1EFF]"


@dataclass(frozen=True)
class AliasWorld:
    list_rows: pl.DataFrame  # canonical rows, primary names only
    passengers: pl.DataFrame  # alias travellers first, then the innocents
    truth: pl.DataFrame  # passenger_id, entry_id, origin, corruptions, quality, variation
    dropped: dict[str, int]  # aliases not used, by reason


def _name_number(name_id: pl.Expr) -> pl.Expr:
    return name_id.str.extract(r"-(\d+)$").cast(pl.Int64)


def alias_world(
    rows: pl.DataFrame, innocents: pl.DataFrame, innocent_truth: pl.DataFrame, seed: int = 0
) -> AliasWorld:
    """The benchmark world of a canonical real list and generated innocents (their truth
    gives their name origin)."""
    names = (
        rows.select("entry_id", "name_id", "surname", "given_names", "quality")
        .unique("name_id", keep="first", maintain_order=True)
        .with_columns(n=_name_number(pl.col("name_id")))
    )
    primary_n = names.group_by("entry_id").agg(pl.col("n").min().alias("primary_n"))
    names = names.join(primary_n, on="entry_id")
    primary = names.filter(pl.col("n") == pl.col("primary_n"))
    aliases = names.filter(pl.col("n") != pl.col("primary_n"))
    text = pl.concat_str([pl.col("surname"), pl.col("given_names")], ignore_nulls=True)
    latin = aliases.filter(~text.str.contains(_NOT_LATIN))
    paired = latin.join(
        primary.select("entry_id", p_surname="surname", p_given="given_names"), on="entry_id"
    )
    paired = paired.with_columns(
        variation=variation_class(
            paired["p_surname"], paired["p_given"], paired["surname"], paired["given_names"]
        )
    )
    # Equal once folded: the list would hold the traveller's exact name.
    usable = paired.filter(pl.col("variation") != "same").sort("name_id")
    dropped = {
        "other_script": aliases.height - latin.height,
        "same_as_primary": paired.height - usable.height,
    }
    ident = _identity(rows, seed)
    travellers = usable.join(ident, on="entry_id", how="left").with_columns(
        passenger_id=pl.format("RA{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(6))
    )
    # A manifest row; the traveller's own document is unknown (never the listed one).
    listed = travellers.select(
        pl.col(c)
        if c in ("passenger_id", "surname", "given_names", "dob", "sex", "nationality")
        else pl.lit(None, pl.Date if c == "doc_expiry" else pl.String).alias(c)
        for c in MANIFEST_REQUIRED
    )
    keep = [c for c in innocents.columns if c in listed.columns]
    passengers = pl.concat([listed, innocents.select(keep)], how="diagonal_relaxed")
    truth = pl.concat(
        [
            travellers.select(
                "passenger_id",
                "entry_id",
                pl.lit("listed_alias").alias("origin"),
                pl.concat_list(
                    pl.col("variation"), pl.concat_str([pl.lit("quality:"), "quality"])
                ).alias("corruptions"),
                "quality",
                "variation",
            ),
            innocent_truth.select(
                "passenger_id",
                pl.lit(None, pl.String).alias("entry_id"),
                "origin",
                pl.lit([], pl.List(pl.String)).alias("corruptions"),
            ),
        ],
        how="diagonal_relaxed",
    )
    list_rows = rows.join(primary.select("name_id"), on="name_id", how="semi")
    return AliasWorld(list_rows, passengers, truth, dropped)


def _identity(rows: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Per identity, what its traveller presents: the first exact DOB (else a day drawn in
    the listed year range), the listed sex and first nationality."""
    per = rows.group_by("entry_id", maintain_order=True).agg(
        pl.col("dob").drop_nulls().first().alias("dob"),
        pl.col("dob_year_from").drop_nulls().first().alias("y_from"),
        pl.col("dob_year_to").drop_nulls().first().alias("y_to"),
        pl.col("sex").drop_nulls().first().alias("sex"),
        pl.col("nationalities").list.first().drop_nulls().first().alias("nationality"),
    )
    per = per.sort("entry_id")
    rng = np.random.default_rng(seed)
    span = (per["y_to"].fill_null(per["y_from"]) - per["y_from"]).fill_null(0).to_numpy()
    year = per["y_from"].to_numpy(allow_copy=True).astype(float) + np.floor(
        rng.random(per.height) * (span + 1)
    )
    day = rng.integers(0, 365, per.height)
    drawn = pl.DataFrame({"y": year, "d": day}).select(
        pl.when(pl.col("y").is_nan())
        .then(None)
        .otherwise(
            pl.date(pl.col("y").fill_nan(2000).cast(pl.Int32), 1, 1) + pl.duration(days=pl.col("d"))
        )
        .alias("drawn")
    )
    return per.with_columns(dob=pl.coalesce("dob", drawn["drawn"])).select(
        "entry_id", "dob", "sex", "nationality"
    )


def per_class(alerts: pl.DataFrame, truth: pl.DataFrame, threshold: float, by: str) -> pl.DataFrame:
    """FNIR of the alias travellers per `by` (variation or quality) at one threshold."""
    scores = passenger_scores(alerts, truth).select("passenger_id", "hit")
    mated = truth.filter(pl.col("entry_id").is_not_null()).join(
        scores, on="passenger_id", how="left"
    )
    out = (
        mated.with_columns(miss=pl.col("hit").fill_null(-1.0) < threshold)
        .group_by(by)
        .agg(pl.len().alias("travellers"), pl.col("miss").sum().alias("misses"))
        .sort(by)
    )
    lo, hi = wilson(out["misses"].to_numpy(), out["travellers"].to_numpy())
    return out.with_columns(fnir=pl.col("misses") / pl.col("travellers"), fnir_low=lo, fnir_high=hi)
