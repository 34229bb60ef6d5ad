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
# A signature is three 64-bit words: two of bit fields, and one holding the counts beyond
# the cap (bits 0-15), the length (16-31) and whether a bound holds at all (bit 32; not for
# a character outside A-Z and space, nor a string of 65,536 bytes or more).
_LENGTH_SHIFT, _BOUNDED_BIT = np.uint64(16), np.uint64(1 << 32)
_LOW16 = np.uint64(0xFFFF)
_BLOCK = 8_192  # strings signed at a time


def letter_signatures(names: pl.Series) -> np.ndarray:
    """(n, 3) uint64 per string (a null is the empty string): see the module docstring."""
    # Polars steps only where needed: each costs a flight's few hundred names ~50 us.
    if names.dtype != pl.String:
        names = names.cast(pl.String)
    if names.null_count():
        names = names.fill_null("")
    arr = names.to_arrow()
    if arr.type != pa.large_string():  # read by its offsets and bytes below
        arr = arr.cast(pa.large_string())
    n = len(arr)
    out = np.zeros((n, 3), dtype=np.uint64)
    if n == 0:
        return out
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None
        else np.zeros(0, np.uint8)
    )
    # In blocks: a block's counts (28 int64 a string) stay small enough to be reused, not
    # faulted in afresh (1.2 M names at once took 0.35-1.7 s, by blocks of 8,192
    # 0.30-0.34 s).
    for lo in range(0, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        _sign(data[offsets[lo] : offsets[hi]], np.diff(offsets[lo : hi + 1]), out[lo:hi])
    return out


def _sign(data: np.ndarray, lengths: np.ndarray, out: np.ndarray) -> None:
    n = len(lengths)
    width = _SYMBOLS + 1
    row = np.repeat(np.arange(0, n * width, width, dtype=np.int32), lengths)
    row += _SYMBOL[data]
    counts = np.bincount(row, minlength=n * width).reshape(n, width)
    held = np.minimum(counts[:, :_SYMBOLS], _CAP)
    # Two 4-bit fields a byte, 16 bytes a string: viewed as two 64-bit words.
    fields = np.zeros((n, 32), dtype=np.uint8)
    fields[:, :_SYMBOLS] = _THERMOMETER[held]
    out[:, :2] = (fields[:, 0::2] | (fields[:, 1::2] << 4)).view(np.uint64)
    excess = (lengths - counts[:, _SYMBOLS] - held.sum(axis=1)).astype(np.uint64)
    bounded = (counts[:, _SYMBOLS] == 0) & (lengths <= 0xFFFF)
    size = np.minimum(lengths, 0xFFFF).astype(np.uint64)
    out[:, 2] = (
        np.minimum(excess, _LOW16)
        | (size << _LENGTH_SHIFT)
        | np.where(bounded, _BOUNDED_BIT, np.uint64(0))
    )


def ratio_bound(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair of signature rows, an upper bound on fuzz.ratio / 100 (1.0 where none)."""
    ma, mb = a[:, 2], b[:, 2]
    common = (
        np.bitwise_count(a[:, 0] & b[:, 0]).astype(np.int64)
        + np.bitwise_count(a[:, 1] & b[:, 1])
        + np.minimum(ma & _LOW16, mb & _LOW16).astype(np.int64)
    )
    total = ((ma >> _LENGTH_SHIFT) & _LOW16).astype(np.int64) + ((mb >> _LENGTH_SHIFT) & _LOW16)
    bound = 2.0 * common / np.maximum(total, 1)
    bounded = (ma & mb & _BOUNDED_BIT) != 0
    return np.where(bounded & (total > 0), bound, 1.0)
