"""Random identifiers as vectorized numpy work: document numbers, record locators."""

from __future__ import annotations

import numpy as np
import polars as pl

from screening.data.formats.mrz import to_strings

LETTERS = np.frombuffer(b"ABCDEFGHIJKLMNPRSTUVWXYZ", dtype=np.uint8)  # no O/Q: unreadable on docs
DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
ALNUM = np.frombuffer(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", dtype=np.uint8)


def from_pattern(rng: np.random.Generator, n: int, pattern: str) -> np.ndarray:
    """n strings following `pattern`: L letter, D digit, A letter-or-digit, other chars literal."""
    cols = []
    for ch in pattern:
        alphabet = {"L": LETTERS, "D": DIGITS, "A": ALNUM}.get(ch)
        if alphabet is None:
            cols.append(np.full(n, ord(ch), dtype=np.uint8))
        else:
            cols.append(alphabet[rng.integers(0, len(alphabet), n)])
    mat = np.ascontiguousarray(np.stack(cols, axis=1)) if cols else np.zeros((n, 0), np.uint8)
    return to_strings(mat)


def unique_from_pattern(
    rng: np.random.Generator, n: int, pattern: str, taken: pl.Series | None = None
) -> np.ndarray:
    """Like from_pattern, but every value distinct and none in `taken`."""
    taken = taken if taken is not None else pl.Series([], dtype=pl.String)
    out = from_pattern(rng, n, pattern)
    for _ in range(50):
        values = pl.Series(out, dtype=pl.String)
        bad = (~values.is_first_distinct() | values.is_in(taken.implode())).to_numpy()
        if not bad.any():
            return out
        out[bad] = from_pattern(rng, int(bad.sum()), pattern)
    raise ValueError(f"pattern {pattern!r} cannot give {n} distinct values")


# Passport number layouts; an issuer always uses the same one (chosen by its code).
DOC_PATTERNS = ("LLDDDDDDD", "LDDDDDDDD", "DDDDDDDDD", "LAAAAAAAA")


def passport_numbers(
    rng: np.random.Generator, issuers: np.ndarray, taken: pl.Series | None = None
) -> np.ndarray:
    """Passport numbers in each issuer's layout, distinct across all issuers and `taken`
    (so no traveller shares a number with a listed or lost/stolen document by chance)."""
    out = np.empty(len(issuers), dtype=object)
    uniq, inverse = np.unique(issuers.astype(str), return_inverse=True)
    pattern_of = np.array([sum(map(ord, u)) % len(DOC_PATTERNS) for u in uniq], dtype=np.int64)
    row_pattern = pattern_of[inverse] if len(issuers) else np.zeros(0, np.int64)
    for k, pattern in enumerate(DOC_PATTERNS):
        rows = np.flatnonzero(row_pattern == k)
        if len(rows):
            out[rows] = unique_from_pattern(rng, len(rows), pattern, taken)
    return out


def as_series(*arrays: np.ndarray) -> pl.Series:
    """Object arrays of strings as one polars String series (for `taken`)."""
    parts = [pl.Series(a, dtype=pl.String) for a in arrays if len(a)]
    return pl.concat(parts) if parts else pl.Series([], dtype=pl.String)


def sequential_ids(prefix: str, n: int, start: int = 1) -> np.ndarray:
    """PREFIX0001, PREFIX0002 … zero-padded to one width so they sort as numbers do."""
    width = len(str(start + n - 1))
    nums = np.arange(start, start + n).astype(f"U{width}")
    return (prefix + np.char.zfill(nums, width)).astype(object)


def record_locator_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct six-character PNR record locators."""
    return unique_from_pattern(rng, n, "AAAAAA")
