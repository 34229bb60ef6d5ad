"""Peak memory of combining sorted partial alert files: one sort of every row, or range by
range (screening.data.sorted_merge). One mode per process, so each peak is its own.

    python benchmarks/combine_memory.py split ALERTS.parquet PARTS_DIR [K]
    python benchmarks/combine_memory.py old|new PARTS_DIR OUT.parquet|OUT.csv
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import polars as pl

from screening.data.sorted_merge import merge_sorted

BY = ["passenger_id", "score", "kind", "alert_id"]
DESC = [False, True, False, False]


def main(mode: str, a: str, b: str, k: str = "10") -> None:
    if mode == "split":
        alerts, folder = pl.read_parquet(a), Path(b)
        folder.mkdir(parents=True, exist_ok=True)
        step = -(-alerts.height // int(k))
        for i in range(int(k)):
            part = alerts.slice(i * step, step).sort(BY, descending=DESC)
            part.write_parquet(folder / f"part-{i:06d}.parquet")
        return
    parts, out = sorted(Path(a).glob("part-*.parquet")), Path(b)
    start = time.perf_counter()
    if mode == "old":
        pl.scan_parquet(parts).sort(BY, descending=DESC).sink_parquet(out)
    else:
        merge_sorted(parts, out, BY, DESC)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{mode} {out.suffix}: {time.perf_counter() - start:.1f} s, peak {peak:,.0f} MiB")


if __name__ == "__main__":
    main(*sys.argv[1:])
