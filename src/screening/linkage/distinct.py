"""Distinct values of an integer array and the map back, as `np.unique` gives them.

Screening takes the distinct pairs of names, list rows and passenger rows of millions of
candidate pairs, several times per chunk; numpy sorts them single-threaded, polars ranks
them in a third to a half of the time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import polars as pl

T = TypeVar("T")

# Below this many values numpy's sort is quicker than polars' fixed cost (a flight).
POLARS_FROM = 100_000


def distinct(values: np.ndarray, polars_from: int = POLARS_FROM) -> tuple[np.ndarray, np.ndarray]:
    """(first, inverse): where each distinct value first occurs, in sorted order of the
    values, and each element's position among them (np.unique's return_index and
    return_inverse)."""
    if len(values) < max(polars_from, 1):
        _, first, inverse = np.unique(values, return_index=True, return_inverse=True)
        return first, inverse.reshape(-1)
    inverse = (pl.Series(values).rank("dense") - 1).cast(pl.Int64).to_numpy()
    first = np.full(int(inverse.max()) + 1, len(values), np.int64)
    np.minimum.at(first, inverse, np.arange(len(values)))
    return first, inverse


def first_seen_codes(keys: pl.Series) -> np.ndarray:
    """0, 1, 2 ... per distinct value of `keys` in order of first appearance (int64),
    numbered through a hash join: a dense rank sorts strings (5 M list names: 3.2 s
    against 0.9 s)."""
    frame = keys.to_frame("k")
    codes = frame.unique(maintain_order=True).with_row_index("code")
    joined = frame.join(codes, on="k", how="left", maintain_order="left", nulls_equal=True)
    return joined["code"].cast(pl.Int64).to_numpy()


class PairMemo:
    """Values worked out for integer-coded pairs earlier in one run, so that later chunks
    look them up instead of computing them again: a day's common names meet the same
    list names in every chunk (national-day: 9.8 M distinct name pairs chunk by chunk,
    7.8 M in the whole manifest). The values must be the pair's alone, whatever else is
    in its chunk. Chunks run in threads: a lookup reads one snapshot, additions are
    merged into a new one under a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: tuple[np.ndarray, dict[str, np.ndarray]] = (np.zeros(0, np.int64), {})

    def __len__(self) -> int:
        return len(self._snapshot[0])

    def get(self, codes: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(found per code, the values of the codes found, in their order)."""
        keys, values = self._snapshot
        # The codes searched in sorted order: neighbouring searches read neighbouring keys
        # (2 M codes among 6 M keys: 2.3 s in the chunk's order, 0.4 s sorted first).
        order = np.argsort(codes)
        at = np.empty(len(codes), np.int64)
        at[order] = np.minimum(np.searchsorted(keys, codes[order]), max(len(keys) - 1, 0))
        found = keys[at] == codes if len(keys) else np.zeros(len(codes), bool)
        return found, {k: v[at[found]] for k, v in values.items()}

    def add(self, codes: np.ndarray, values: dict[str, np.ndarray]) -> None:
        """Remember `values` (arrays beside `codes`) of codes not remembered yet."""
        with self._lock:
            keys, old = self._snapshot
            # Distinct new codes only: another chunk may have added some meanwhile.
            fresh, first = np.unique(codes, return_index=True)
            at = np.searchsorted(keys, fresh)
            if len(keys):
                new = keys[np.minimum(at, len(keys) - 1)] != fresh
                at, first, fresh = at[new], first[new], fresh[new]
            merged = {
                k: np.insert(old[k], at, v[first]) if k in old else v[first]
                for k, v in values.items()
            }
            self._snapshot = (np.insert(keys, at, fresh), merged)


class Once:
    """A value one manifest's chunks share, worked out by the first chunk that asks (the
    others wait for it under a lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: object = None

    def get(self, make: Callable[[], T]) -> T:
        with self._lock:
            if self._value is None:
                self._value = make()
            return self._value  # type: ignore[return-value]
