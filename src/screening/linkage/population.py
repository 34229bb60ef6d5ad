"""What scoring knows about the population being screened: how often each name token and
each full name occurs in it. Computed once over the whole manifest (or summed over its
partitions), so partitions screened apart score exactly as one run would.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from screening.linkage.normalize import name_forms
from screening.linkage.scoring import token_counts


@dataclass(frozen=True)
class Population:
    token_counts: pl.DataFrame  # (tok, n Float64) over core name tokens
    token_total: int
    name_counts: pl.DataFrame  # (sorted_core, n UInt32): travellers per order-free full name
    size: int  # travellers


def population_stats(passengers: pl.DataFrame, forms: pl.DataFrame | None = None) -> Population:
    """Token and full-name counts of one manifest (or one partition of it)."""
    forms = name_forms(passengers) if forms is None else forms
    tokens, total = token_counts(forms["core"])
    names = forms.group_by("sorted_core").agg(pl.len().cast(pl.UInt32).alias("n"))
    return Population(tokens, total, names, forms.height)


def combine(parts: list[Population]) -> Population:
    """The population of several partitions together."""
    tokens = pl.concat([p.token_counts for p in parts]).group_by("tok").agg(pl.col("n").sum())
    names = pl.concat([p.name_counts for p in parts]).group_by("sorted_core").agg(pl.col("n").sum())
    return Population(tokens, sum(p.token_total for p in parts), names, sum(p.size for p in parts))
