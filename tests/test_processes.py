"""Process pools start workers with `spawn`: forking a process whose polars and rapidfuzz
thread pools have run crashes the child (BrokenProcessPool in the nomenklatura peer)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl
from rapidfuzz import process

from screening.matchers.processes import process_pool

SRC = Path(__file__).resolve().parents[1] / "src" / "screening"


def _work(n: int) -> int:
    """Polars and rapidfuzz in the worker, as the peers' workers do."""
    frame = pl.DataFrame({"x": np.arange(n)}).with_columns(y=pl.col("x") * 2)
    sims = process.cdist(["abdul"] * n, ["abdel"], workers=1)
    return int(frame["y"].sum()) + int(sims.shape[0])


def test_pool_after_threaded_work_spawns_and_finishes():
    # Thread pools busy in the parent first: the situation that made fork crash.
    names = [f"name{i}" for i in range(20_000)]
    process.cdist(names[:2_000], names[:2_000], workers=-1)
    pl.DataFrame({"a": names}).group_by("a").len()
    with process_pool(3) as pool:
        assert pool._mp_context.get_start_method() == "spawn"
        assert list(pool.map(_work, [10, 20, 30])) == [100, 400, 900]


def test_every_process_pool_in_the_package_comes_from_process_pool():
    made_elsewhere = [
        f"{p.relative_to(SRC)}:{i}"
        for p in SRC.rglob("*.py")
        if p.name != "processes.py"
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if re.search(r"ProcessPoolExecutor\(|multiprocessing\.Pool\(|get_context\(", line)
    ]
    assert made_elsewhere == []
