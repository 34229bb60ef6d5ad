"""Partial outputs merged range by range equal one sort of everything."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from screening.data.sorted_merge import key_ranges, merge_sorted

BY, DESC = ["passenger_id", "score", "alert_id"], [False, True, False]


def _parts(tmp_path, seed: int, n: int, k: int) -> tuple[list, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    frame = pl.DataFrame(
        {
            # Few distinct ids (ties across parts) and some nulls.
            "passenger_id": [None if x == 0 else f"P{x:03d}" for x in rng.integers(0, 40, n)],
            "score": rng.integers(0, 5, n) / 4,
            "alert_id": [f"a{i:05d}" for i in rng.permutation(n)],
            "reason": [("=SUM(A1)" if i % 7 == 0 else f"r{i}") for i in range(n)],
        }
    )
    paths = []
    for i, at in enumerate(range(0, n, -(-n // k))):
        paths.append(tmp_path / f"part-{i:06d}.parquet")
        frame.slice(at, -(-n // k)).sort(BY, descending=DESC).write_parquet(paths[-1])
    return paths, frame.sort(BY, descending=DESC, maintain_order=True)


@pytest.mark.parametrize("rows_per_range", [1, 7, 50, 10_000])
def test_parquet_merge_equals_one_sort(tmp_path, rows_per_range):
    parts, expected = _parts(tmp_path, 1, 600, 5)
    out = tmp_path / "out.parquet"
    merge_sorted(parts, out, BY, DESC, rows_per_range=rows_per_range)
    assert pl.read_parquet(out).equals(expected)
    assert not list(tmp_path.glob(".*"))  # no range files left behind


def test_csv_merge_equals_one_sort_with_formula_guard(tmp_path):
    parts, expected = _parts(tmp_path, 2, 300, 3)
    out = tmp_path / "out.csv"
    merge_sorted(parts, out, BY, DESC, rows_per_range=20)
    got = pl.read_csv(out, schema=expected.schema)
    assert got.height == expected.height
    assert got["alert_id"].to_list() == expected["alert_id"].to_list()
    assert (
        got["reason"].str.starts_with("'=").sum() == expected["reason"].str.starts_with("=").sum()
    )
    assert out.read_text().count("passenger_id") == 1  # one header


def test_ranges_never_split_a_key_and_cover_every_row(tmp_path):
    parts, expected = _parts(tmp_path, 3, 500, 4)
    lazy = pl.scan_parquet(parts)
    ranges = key_ranges(lazy, "passenger_id", 30)
    sizes = [lazy.filter(r).select(pl.len()).collect().item() for r in ranges]
    assert sum(sizes) == expected.height
    owners = [lazy.filter(r).select("passenger_id").unique().collect() for r in ranges]
    ids = pl.concat(owners)["passenger_id"]
    assert ids.n_unique() == ids.len()  # each id (and null) in exactly one range
    assert len(ranges) > 5


def test_no_parts_gives_an_empty_file_with_the_schema(tmp_path):
    out = tmp_path / "out.parquet"
    merge_sorted([], out, BY, DESC, schema={c: pl.String for c in BY})
    assert pl.read_parquet(out).columns == BY
