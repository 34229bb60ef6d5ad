"""Letter signatures: an upper bound on a pair's Indel similarity (fuzz.ratio) from the
letters the two strings hold, one popcount per pair, so that a name view that cannot be a
pair's best is not scored.

Two strings share at most sum over letters of min(count in one, count in the other)
characters in any common subsequence, so fuzz.ratio <= 2 * that / (len one + len other).
The counts of A-Z and space, up to four each, are unary bit fields in two 64-bit words
(min of two counts = popcount of the AND); what a letter has beyond four is summed apart
and bounded by the lesser sum. Folded names hold only A-Z and spaces; a string with any
other character gets no bound (1.0).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

_SYMBOLS = 27  # A-Z, space
_CAP = 4  # counts held exactly per letter; beyond, only their sum
# Each byte's symbol: A-Z 0-25, space 26, anything else 27 (no bound for that string).
_SYMBOL = np.full(256, _SYMBOLS, dtype=np.uint8)
_SYMBOL[65:91] = np.arange(26)
_SYMBOL[32] = 26
_THERMOMETER = np.array([(1 << k) - 1 for k in range(_CAP + 1)], dtype=np.uint8)
# Columns of a signature: two words of bit fields, the counts beyond the cap, the length,
# and whether a bound holds at all (0: a character outside A-Z and space).
EXCESS, LENGTH, BOUNDED = 2, 3, 4


def letter_signatures(names: pl.Series) -> np.ndarray:
    """(n, 5) uint64 per string (a null is the empty string): see the module docstring."""
    # Polars steps only where needed: each costs a flight's few hundred names ~50 us.
    if names.dtype != pl.String:
        names = names.cast(pl.String)
    if names.null_count():
        names = names.fill_null("")
    arr = names.to_arrow()
    if arr.type != pa.large_string():  # read by its offsets and bytes below
        arr = arr.cast(pa.large_string())
    n = len(arr)
    out = np.zeros((n, 5), dtype=np.uint64)
    if n == 0:
        return out
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None
        else np.zeros(0, np.uint8)
    )
    symbol = _SYMBOL[data[offsets[0] : offsets[-1]]]
    lengths = np.diff(offsets)
    row = np.repeat(np.arange(0, n * (_SYMBOLS + 1), _SYMBOLS + 1), lengths)
    counts = np.bincount(row + symbol, minlength=n * (_SYMBOLS + 1)).reshape(n, _SYMBOLS + 1)
    held = np.minimum(counts[:, :_SYMBOLS], _CAP)
    # Two 4-bit fields a byte, 16 bytes a string: viewed as two 64-bit words.
    fields = np.zeros((n, 32), dtype=np.uint8)
    fields[:, :_SYMBOLS] = _THERMOMETER[held]
    out[:, :2] = (fields[:, 0::2] | (fields[:, 1::2] << 4)).view(np.uint64)
    out[:, EXCESS] = lengths - counts[:, _SYMBOLS] - held.sum(axis=1)
    out[:, LENGTH] = lengths
    out[:, BOUNDED] = counts[:, _SYMBOLS] == 0
    return out


def ratio_bound(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair of signature rows, an upper bound on fuzz.ratio / 100 (1.0 where none)."""
    common = (
        np.bitwise_count(a[:, 0] & b[:, 0]).astype(np.int64)
        + np.bitwise_count(a[:, 1] & b[:, 1])
        + np.minimum(a[:, EXCESS], b[:, EXCESS]).astype(np.int64)
    )
    total = (a[:, LENGTH] + b[:, LENGTH]).astype(np.int64)
    bound = 2.0 * common / np.maximum(total, 1)
    return np.where((a[:, BOUNDED] & b[:, BOUNDED]).astype(bool) & (total > 0), bound, 1.0)
