"""Ragged ranges of a flat array as the flat positions they cover, without a Python loop."""

from __future__ import annotations

import numpy as np


def range_positions(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """starts[0] .. starts[0] + lengths[0] - 1, then starts[1] ..., one array (int64)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    # Each position is its range's start plus its place within the range.
    before = np.cumsum(lengths) - lengths
    return np.repeat(np.asarray(starts, dtype=np.int64) - before, lengths) + np.arange(total)
