"""Time and peak memory of `screening generate` per scenario, each in a fresh process.

    python benchmarks/generate_speed.py national-day [standard ...] [--seed 7] [--format csv]

Prints one line per scenario: rows, seconds to generate, seconds to write, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time


def measure(scenario: str, seed: int, fmt: str) -> dict:
    """Generate and write one scenario in this process; report time and peak memory."""
    from screening.data.io import write_tables
    from screening.generate.scenario import load_scenario
    from screening.generate.world import generate_world

    s = load_scenario(scenario)
    t0 = time.perf_counter()
    world = generate_world(s, seed)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        write_tables(world.tables, os.path.join(tmp, "out"), fmt)
    t2 = time.perf_counter()
    return {
        "scenario": scenario,
        "seed": seed,
        "format": fmt,
        "passengers": world["passengers"].height,
        "listed_identities": world["watchlist"].height,
        "generate_s": round(t1 - t0, 2),
        "write_s": round(t2 - t1, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenarios", nargs="+")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.scenarios[0], args.seed, args.format)))
        return
    print(
        f"# {platform.node()} {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    for name in args.scenarios:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                name,
                "--seed",
                str(args.seed),
                "--format",
                args.format,
                "--child",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(
            f"{r['scenario']:>14}: {r['passengers']:>9,} passengers, "
            f"{r['listed_identities']:>7,} identities | generate {r['generate_s']:6.1f} s | "
            f"write {r['format']} {r['write_s']:5.1f} s | peak RSS {r['peak_rss_mib']:,} MiB"
        )


if __name__ == "__main__":
    main()
