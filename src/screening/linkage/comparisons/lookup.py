"""Per-pair lookup of the few hits a join found, by one integer key."""

from __future__ import annotations

import numpy as np
import polars as pl


def pair_lookup(
    hits: pl.DataFrame, pi: np.ndarray, code: np.ndarray, all_codes: np.ndarray
) -> np.ndarray:
    """`level` of the hit (p, code) for each pair (pi, code), 0 where there is none.

    Hits are few (a join found them); pairs are many, so each pair looks its hit up by
    one integer key in a sorted array instead of joining on two columns.
    """
    width = int(all_codes.max(initial=0)) + 1
    key = pi.astype(np.int64) * width + code
    hit_key = hits["p"].to_numpy().astype(np.int64) * width + hits["code"].to_numpy()
    if len(hit_key) == 0:
        return np.zeros(len(key), dtype=np.int64)
    order = np.argsort(hit_key)
    pos = np.clip(np.searchsorted(hit_key[order], key), 0, len(hit_key) - 1)
    found = hit_key[order][pos] == key
    return np.where(found, hits["level"].to_numpy()[order][pos], 0)
