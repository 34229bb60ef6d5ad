"""Issue 13's opening table for a generated world: per origin, among up to 8,000 ordinary
travellers, distinct surnames, distinct first given names, and the share whose first given
name + surname is a listed (first given name, surname) pair.

    .venv/bin/python benchmarks/listed_name_share.py out/standard
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from screening.data import lists


def first(col: str) -> pl.Expr:
    return pl.col(col).str.split(" ").list.first()


def table(world: Path, per_origin: int = 8_000) -> tuple[pl.DataFrame, float]:
    passengers = pl.read_parquet(world / "passengers.parquet")
    truth = pl.read_parquet(world / "truth.parquet")
    rows = lists.from_generated(
        pl.read_parquet(world / "watchlist.parquet"),
        pl.read_parquet(world / "watchlist_names.parquet"),
    )
    key = pl.concat_str([first("given_names"), pl.col("surname")], separator="|")
    listed = rows.select(k=key).unique()["k"].implode()
    people = (
        truth.filter(pl.col("role") == "ordinary")
        .select("passenger_id", "person_id", "origin")
        .join(passengers.select("passenger_id", "surname", "given_names"), on="passenger_id")
        .unique("person_id", keep="first")
        .sort("person_id")
        .with_columns(listed=key.is_in(listed))
    )
    out = (
        people.filter(pl.int_range(pl.len()).shuffle(seed=1).over("origin") < per_origin)
        .group_by("origin")
        .agg(
            people=pl.len(),
            distinct_surnames=first("surname").n_unique(),
            distinct_first_given_names=first("given_names").n_unique(),
            listed_share=pl.col("listed").mean(),
        )
        .sort("origin")
    )
    return out, float(people["listed"].mean())


if __name__ == "__main__":
    frame, overall = table(Path(sys.argv[1]))
    with pl.Config(tbl_rows=40, tbl_formatting="MARKDOWN", tbl_hide_column_data_types=True):
        print(frame)
    print(f"all ordinary travellers: {overall:.1%} carry a listed first given name + surname")
