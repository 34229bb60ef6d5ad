"""The local engine against Dask with 1 and 2 worker processes on one generated folder:
wall time, passengers per second, peak memory of the client process and of each worker.

    python benchmarks/dask_scaling.py out/national-day [--workers 1,2] [--partition-rows 100000]

Each run is a separate `screening screen` process (so peaks do not mix); outputs go to a
temporary folder and are compared: the engines must give identical alerts.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl


def _run(args: list[str]) -> tuple[float, float, str]:
    """(seconds, peak MiB of the process and anything it waited for, its stderr)."""
    code = "import sys; from screening.cli import app; sys.argv[0] = 'screening'; app()"
    t0 = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    peak_kib = int(done.stderr.strip().splitlines()[-1])
    return seconds, peak_kib / 1024, done.stderr


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--partition-rows", type=int, default=100_000)
    args = ap.parse_args()
    n = pl.scan_parquet(args.folder / "passengers.parquet").select(pl.len()).collect().item()
    tmp = Path(tempfile.mkdtemp())
    rows = []
    local_out = tmp / "local.parquet"
    s, peak, _ = _run(["screen", str(args.folder), "--out", str(local_out)])
    rows.append(("local", s, n / s, f"{peak:,.0f}", ""))
    local = pl.read_parquet(local_out)
    for w in [int(x) for x in args.workers.split(",")]:
        out = tmp / f"dask{w}.parquet"
        s, peak, err = _run(
            [
                "screen",
                str(args.folder),
                "--engine",
                "dask",
                "--workers",
                str(w),
                "--partition-rows",
                str(args.partition_rows),
                "--out",
                str(out),
            ]
        )
        workers = re.search(r"worker peak MiB: ([\d,\s]+);", err)
        client = re.search(r"client peak MiB: ([\d,]+);", err)
        same = pl.read_parquet(out).equals(local)
        rows.append(
            (
                f"dask, {w} worker(s)",
                s,
                n / s,
                client.group(1) if client else f"{peak:,.0f}",
                (workers.group(1) if workers else "?") + ("" if same else "  ALERTS DIFFER"),
            )
        )
    print(f"{args.folder}: {n:,} passengers, partitions of {args.partition_rows:,} rows")
    print("| engine | seconds | passengers/s | client peak MiB | worker peak MiB |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, s, rate, peak, workers in rows:
        print(f"| {name} | {s:.1f} | {rate:,.0f} | {peak} | {workers} |")


if __name__ == "__main__":
    main()
