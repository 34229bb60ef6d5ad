"""What an encoded list gives away: a frequency attack (Kuzu, Kantarcioglu, Durham and
Malin 2011). Equal names under one key give equal filters; an attacker who knows how
common names are (here: another sample of the calibrated world's travellers) lines up
the most frequent filters with the most frequent names. We score the guesses against the
truth the attacker does not have."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl


@dataclass(frozen=True)
class AttackResult:
    reidentified: int  # encoded list rows whose name the attacker guessed right
    rows: int  # encoded list rows
    groups_attacked: int  # distinct filters seen at least `min_count` times

    @property
    def share(self) -> float:
        return self.reidentified / self.rows if self.rows else 0.0


def filter_groups(name_clk: np.ndarray) -> np.ndarray:
    """An integer per row, equal for equal filters (a content hash of each row)."""
    words = np.ascontiguousarray(name_clk, dtype=np.uint64)
    frame = pl.DataFrame({f"w{i}": words[:, i] for i in range(words.shape[1])})
    return frame.select(pl.struct(pl.all()).hash(seed=0)).to_series().to_numpy()


def frequency_attack(
    name_clk: np.ndarray, true_names: pl.Series, public_names: pl.Series, min_count: int = 2
) -> AttackResult:
    """Rank alignment of filter frequencies (rows seen `min_count` times or more) with
    name frequencies in `public_names`; `true_names` (one per row, the same normal form
    as `public_names`) only scores the guesses."""
    groups = filter_groups(name_clk)
    rows = pl.DataFrame({"g": groups, "truth": true_names})
    freq = (
        rows.group_by("g")
        .agg(pl.len().alias("n"), pl.col("truth"))
        .filter(pl.col("n") >= min_count)
        .sort(["n", "g"], descending=[True, False])
        .with_row_index("rank")
    )
    names = (
        public_names.drop_nulls()
        .filter(public_names.drop_nulls() != "")
        .value_counts(name="m")
        .rename({public_names.name: "guess"})
        .sort(["m", "guess"], descending=[True, False])
        .with_row_index("rank")
    )
    guessed = freq.join(names.select("rank", "guess"), on="rank", how="inner")
    right = guessed.explode("truth").filter(pl.col("truth") == pl.col("guess")).height
    return AttackResult(right, len(groups), freq.height)
