"""What a generated world contains, as small frames for the CLI and tests."""

from __future__ import annotations

import polars as pl

from screening.generate.world import World


def table_sizes(world: World) -> pl.DataFrame:
    return pl.DataFrame(
        {"table": list(world.tables), "rows": [len(f) for f in world.tables.values()]}
    )


def role_shares(world: World) -> pl.DataFrame:
    """Passengers per role (listed, family, namesake, ordinary) and their share."""
    truth = world["truth"]
    return (
        truth.group_by("role")
        .agg(pl.len().alias("passengers"))
        .with_columns(share=pl.col("passengers") / len(truth))
        .sort("passengers", descending=True)
    )


def corruption_counts(world: World) -> pl.DataFrame:
    """How many mated passengers carry each recorded corruption."""
    listed = world["truth"].filter(pl.col("role") == "listed")
    return (
        listed.select(pl.col("corruptions").explode().alias("corruption"))
        .drop_nulls()
        .group_by("corruption")
        .agg(pl.len().alias("passengers"))
        .sort(["passengers", "corruption"], descending=[True, False])
    )


def origin_mix(world: World) -> pl.DataFrame:
    truth = world["truth"]
    return (
        truth.group_by("origin")
        .agg(pl.len().alias("passengers"))
        .with_columns(share=pl.col("passengers") / len(truth))
        .sort(["passengers", "origin"], descending=[True, False])
    )
