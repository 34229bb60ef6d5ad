"""Partial output files merged into one sorted file without holding them all in memory.

A sort of every row at once needs memory in proportion to the rows (10 M alert rows: over
2 GB in polars). Instead the rows are cut into ranges of the first sort key, each range
read from all the parts (row-group statistics skip most of them when the parts are
sorted), sorted alone and appended: memory in proportion to one range.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from screening.data.io import guard_formulas, scratch_folder, write_alerts

ROWS_PER_RANGE = 250_000


def key_ranges(parts: pl.LazyFrame, key: str, rows_per_range: int) -> list[pl.Expr]:
    """Filters that cut the rows into consecutive ranges of `key` (nulls first, as a sort
    puts them) of about `rows_per_range` rows; one key value is never split."""
    counts = parts.group_by(key).agg(n=pl.len()).sort(key, nulls_last=False).collect()
    col = pl.col(key)
    out: list[pl.Expr] = []
    if counts[key].null_count():
        out.append(col.is_null())
        counts = counts.drop_nulls(key)
    if counts.is_empty():
        return out
    bucket = (counts["n"].cum_sum() - counts["n"]) // max(rows_per_range, 1)
    starts = counts.filter(bucket != bucket.shift(1).fill_null(-1))[key].to_list()
    for lo, hi in zip(starts, [*starts[1:], None], strict=True):
        out.append((col >= lo) if hi is None else ((col >= lo) & (col < hi)))
    return out


def merge_sorted(
    parts: Sequence[Path],
    out: Path,
    by: Sequence[str],
    descending: Sequence[bool],
    schema: dict | None = None,
    rows_per_range: int = ROWS_PER_RANGE,
    sorted_parts: bool = False,
) -> None:
    """Parquet `parts` as one file sorted by `by` (Parquet, CSV or JSON by `out`'s suffix),
    equal to sorting them all at once; written beside `out` and moved into place. JSON is
    one document, so it is built whole. `sorted_parts`: each part is sorted by `by`, so
    parts whose `by[0]` ranges (Parquet statistics) follow one another are copied."""
    merge_sorted_groups([parts], out, by, descending, schema, rows_per_range, sorted_parts)


def parts_follow(parts: Sequence[Path], key: str) -> bool:
    """True when each Parquet part's `key` values all come before the next part's, by the
    files' row-group statistics (False where a part has none, or nulls in `key`)."""
    import pyarrow.parquet as pq

    end = None
    for part in parts:
        meta = pq.ParquetFile(part).metadata
        if meta.num_rows == 0:
            continue
        col = meta.schema.names.index(key) if key in meta.schema.names else -1
        if col < 0:
            return False
        lows, highs = [], []
        for g in range(meta.num_row_groups):
            stats = meta.row_group(g).column(col).statistics
            if stats is None or not stats.has_min_max or stats.null_count:
                return False
            lows.append(stats.min)
            highs.append(stats.max)
        if end is not None and not end < min(lows):
            return False
        end = max(highs)
    return True


def merge_sorted_groups(
    groups: Sequence[Sequence[Path]],
    out: Path,
    by: Sequence[str],
    descending: Sequence[bool],
    schema: dict | None = None,
    rows_per_range: int = ROWS_PER_RANGE,
    sorted_parts: bool = False,
) -> None:
    """merge_sorted of each group of parts, the groups one after the other in one file
    (a run's stages: each sorted alone, in their order). With `sorted_parts` (each part
    sorted by `by`), a group whose parts follow one another (parts_follow) is copied as
    it is, without cutting it into key ranges and sorting them."""
    lazies = [
        (pl.scan_parquet(list(g)), sorted_parts and parts_follow(g, by[0])) for g in groups if g
    ]
    order = {"by": list(by), "descending": list(descending), "maintain_order": True}
    if out.suffix == ".json" or not lazies:
        whole = [lazy if done else lazy.sort(**order) for lazy, done in lazies]
        write_alerts(pl.concat(whole or [pl.LazyFrame(schema=schema)]).collect(), out)
        return
    step = max(rows_per_range, 1)
    with scratch_folder(out) as tmp:
        staged = tmp / out.name
        if out.suffix == ".parquet":
            frames = []
            for g, (lazy, done) in enumerate(lazies):
                if done:  # streamed straight from the parts
                    frames.append(lazy)
                    continue
                for i, keep in enumerate(key_ranges(lazy, by[0], step)):
                    file = tmp / f"range-{g:02d}-{i:06d}.parquet"
                    lazy.filter(keep).sort(**order).collect().write_parquet(file)
                    frames.append(pl.scan_parquet(file))
            # A group without rows still gives the file its columns.
            pl.concat(frames or [lazies[0][0]]).sink_parquet(staged)
        else:
            with open(staged, "wb") as f:
                pieces = [_pieces(lazy, done, by[0], step, order) for lazy, done in lazies]
                for i, rows in enumerate(r for p in pieces for r in p):
                    part = guard_formulas(rows.collect())
                    part.write_csv(f, include_header=i == 0)
                if not any(pieces):
                    guard_formulas(lazies[0][0].collect()).write_csv(f)
        os.replace(staged, out)


def _pieces(lazy: pl.LazyFrame, in_order: bool, key: str, step: int, order: dict):
    """A group's rows as frames of about `step` rows, in output order."""
    if in_order:
        n = lazy.select(pl.len()).collect().item()
        return [lazy.slice(at, step) for at in range(0, n, step)]
    return [lazy.filter(keep).sort(**order) for keep in key_ranges(lazy, key, step)]
