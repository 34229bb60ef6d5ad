"""Finding a few values in a long sorted array of distinct 64-bit hashes.

A flight's few thousand keys against a list's millions: a binary search misses the cache
at nearly every one of its ~21 steps. Hashes are uniform, so their top bits say where a
value must be: a directory of buckets by top bits (about four hashes each) leaves one
short, contiguous stretch to scan per value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# A bucket wider than this (hashes far from uniform) is searched the usual way.
MAX_SCAN = 64


@dataclass(frozen=True)
class Directory:
    shift: int  # a hash's bucket is hash >> shift
    starts: np.ndarray  # int64: where each bucket starts in the sorted hashes, and the end
    width: int  # the most hashes one bucket holds

    @staticmethod
    def of(hashes: np.ndarray) -> Directory:
        """The directory of sorted, distinct uint64 `hashes`."""
        bits = int(np.clip(np.ceil(np.log2(max(len(hashes), 2))) - 2, 1, 32))
        shift = 64 - bits
        buckets = (hashes >> np.uint64(shift)).astype(np.int64)
        starts = np.searchsorted(buckets, np.arange((1 << bits) + 1), side="left")
        width = int(np.diff(starts).max()) if len(hashes) else 0
        return Directory(shift, starts.astype(np.int64), width)


def find(hashes: np.ndarray, directory: Directory, q: np.ndarray) -> np.ndarray:
    """Where each of `q` is in the sorted, distinct `hashes` (their Directory), -1 where
    it is not."""
    q = np.asarray(q, dtype=np.uint64)
    if len(hashes) == 0 or len(q) == 0:
        return np.full(len(q), -1, dtype=np.int64)
    if directory.width > MAX_SCAN:
        at = np.minimum(np.searchsorted(hashes, q), len(hashes) - 1)
        return np.where(hashes[at] == q, at, -1)
    b = (q >> np.uint64(directory.shift)).astype(np.int64)
    start, end = directory.starts[b], directory.starts[b + 1]
    at = start[:, None] + np.arange(directory.width)[None, :]
    equal = (hashes[np.minimum(at, len(hashes) - 1)] == q[:, None]) & (at < end[:, None])
    return np.where(equal.any(axis=1), start + equal.argmax(axis=1), -1)
