"""Innocent namesakes: travellers who carry a listed name, whatever the matcher.

How often a group's innocent travellers are flagged depends on the list as much as on the
matcher. An innocent who carries a name the list holds (order-free, as normalized) brings
the name evidence a listed traveller would; a group the list names often has many of them,
a group it never names has none. Counting them per origin, and the false alerts among them
and among the others apart, separates the spread a list's composition brings from the
spread a matcher adds.
"""

from __future__ import annotations

import polars as pl

from screening.linkage.normalize import name_forms


def namesakes(passengers: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """(passenger_id, namesake): whether each traveller's order-free name is one the list
    holds. `rows`: the canonical watch list (screening.data.lists), one row per name."""
    listed = name_forms(rows)["sorted_core"].unique()
    key = name_forms(passengers)["sorted_core"]
    # An empty name (nothing readable) is nobody's namesake.
    hit = key.is_in(listed.implode()) & (key.str.len_chars() > 0)
    return pl.DataFrame({"passenger_id": passengers["passenger_id"], "namesake": hit})
