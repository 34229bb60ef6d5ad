"""Synthetic phone numbers and e-mail addresses (reserved example domains only)."""

from __future__ import annotations

import numpy as np
import polars as pl

from screening.generate.codes import from_pattern

_CALLING = np.array(
    ["1", "7", "20", "33", "44", "49", "86", "90", "91", "98", "234", "971"], dtype=object
)
_DOMAINS = np.array(["example.com", "example.net", "example.org", "mail.example"], dtype=object)


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    cc = _CALLING[rng.integers(0, len(_CALLING), n)]
    return ("+" + cc + from_pattern(rng, n, "DDDDDDDDD")).astype(object)


def emails(rng: np.random.Generator, surname: np.ndarray, given: np.ndarray) -> np.ndarray:
    """given.surname42@example.org style addresses built from the document name."""
    n = len(surname)
    frame = pl.DataFrame(
        {
            "s": pl.Series(surname, dtype=pl.String),
            "g": pl.Series(given, dtype=pl.String),
            "d": pl.Series(from_pattern(rng, n, "DD"), dtype=pl.String),
            "dom": pl.Series(_DOMAINS[rng.integers(0, len(_DOMAINS), n)], dtype=pl.String),
        }
    )
    clean = lambda e: e.fill_null("").str.to_lowercase().str.replace_all(r"[^a-z]", "")  # noqa: E731
    local = pl.concat_str(
        [
            clean(pl.col("g").str.split(" ").list.first()),
            pl.lit("."),
            clean(pl.col("s")),
            pl.col("d"),
        ]
    ).str.strip_chars(".")
    out = frame.select(pl.concat_str([local, pl.lit("@"), pl.col("dom")])).to_series()
    return out.to_numpy().astype(object)
