"""The SLTD-like list of lost and stolen travel documents, with planted hits."""

from __future__ import annotations

import numpy as np
import polars as pl

from screening.generate.codes import passport_numbers

STATUSES = ("stolen", "lost", "revoked", "stolen_blank")
_STATUS_P = np.array([0.48, 0.45, 0.05, 0.02])


def lost_stolen_frame(
    rng: np.random.Generator,
    n_records: int,
    issuers: np.ndarray,
    ref: np.datetime64,
    planted_numbers: np.ndarray,
    planted_issuers: np.ndarray,
    taken: pl.Series,
) -> pl.DataFrame:
    """`n_records` random records plus the planted documents, in random order."""
    issuer = issuers[rng.integers(0, len(issuers), n_records)]
    numbers = passport_numbers(rng, issuer, taken=taken)
    all_num = np.concatenate([numbers, planted_numbers]).astype(object)
    all_iss = np.concatenate([issuer, planted_issuers]).astype(object)
    n = len(all_num)
    status = np.asarray(STATUSES, dtype=object)[rng.choice(len(STATUSES), n, p=_STATUS_P)]
    planted = np.arange(n) >= n_records
    # Planted documents are in use, so they were reported stolen or lost, not blank.
    status = np.where(planted & (status == "stolen_blank"), "stolen", status)
    reported = ref - rng.integers(1, 3650, n).astype("timedelta64[D]")
    frame = pl.DataFrame(
        {
            "doc_number": pl.Series(all_num, dtype=pl.String),
            "doc_issuer": pl.Series(all_iss, dtype=pl.String),
            "doc_type": pl.Series(np.full(n, "P", object), dtype=pl.String),
            "status": pl.Series(status, dtype=pl.String),
            "reported": pl.Series(reported),
            "_k": rng.random(n),
        }
    )
    return frame.sort("_k").drop("_k")
