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
    out = np.zeros(len(pi), dtype=np.int64)
    hit_p = hits["p"].to_numpy().astype(np.int64)
    if len(hit_p) == 0 or len(pi) == 0:
        return out
    # Only the pairs of a passenger with a hit can have one: a bit per passenger first.
    has_hit = np.zeros(max(int(hit_p.max()), int(pi.max())) + 1, dtype=bool)
    has_hit[hit_p] = True
    at = np.flatnonzero(has_hit[pi])
    width = int(all_codes.max(initial=0)) + 1
    key = pi[at].astype(np.int64) * width + code[at]
    hit_key = hit_p * width + hits["code"].to_numpy()
    order = np.argsort(hit_key)
    pos = np.clip(np.searchsorted(hit_key[order], key), 0, len(hit_key) - 1)
    found = hit_key[order][pos] == key
    out[at] = np.where(found, hits["level"].to_numpy()[order][pos], 0)
    return out
