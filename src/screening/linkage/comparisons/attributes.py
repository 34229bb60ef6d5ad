"""Nationality and sex evidence."""

from __future__ import annotations

import numpy as np
import polars as pl

from screening.linkage.levels import (
    Nationality,
    Sex,
)


def nationality_evidence(p_nat: pl.Series, l_nats: pl.Series, pi, li) -> np.ndarray:
    """A `Nationality` level per pair: agree when the passenger's is one of the identity's."""
    f = pl.DataFrame({"p": p_nat.gather(pi), "l": l_nats.gather(li)})
    return (
        f.select(
            pl.when(pl.col("p").is_null() | (pl.col("l").list.len().fill_null(0) == 0))
            .then(Nationality.MISSING)
            .when(pl.col("l").list.contains(pl.col("p")))
            .then(Nationality.AGREE)
            .otherwise(Nationality.DIFFERS)
        )
        .to_series()
        .to_numpy()
        .astype(np.int8)
    )


def sex_evidence(p_sex: pl.Series, l_sex: pl.Series, pi, li) -> np.ndarray:
    a = p_sex.gather(pi).to_numpy()
    b = l_sex.gather(li).to_numpy()
    known = np.isin(a, ["M", "F"]) & np.isin(b, ["M", "F"])
    agree = np.where(a == b, Sex.AGREE, Sex.DIFFERS)
    return np.where(known, agree, Sex.MISSING).astype(np.int8)
