"""Reading a user's manifest CSV with bad fields: seconds to decode, parse and check it.

    python benchmarks/intake_speed.py [--rows 1000000] [--bad-share 0.01] [--latin1-share 0.001]

Writes a CSV of `rows` travellers in which a share has an impossible date of birth, an
unknown sex and an unknown state code, and a share of rows is written in Latin-1; prints
the seconds of read_user_file (bytes, Latin-1 rows) and intake.manifest (checks), and how
many rows were screened.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

HEADER = (
    b"passenger_id,surname,given_names,dob,sex,nationality,doc_type,doc_number,doc_issuer,"
    b"doc_expiry\n"
)


def write_manifest(path: Path, rows: int, bad_share: float, latin1_share: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    bad = rng.random(rows) < bad_share
    latin = rng.random(rows) < latin1_share
    with path.open("wb") as fh:  # a benchmark fixture: one line per row is the point
        fh.write(HEADER)
        for i in range(rows):
            dob = "1975-02-30" if bad[i] else f"19{50 + i % 50}-0{1 + i % 9}-1{i % 10}"
            sex, nat = ("Q", "ZZZ") if bad[i] else ("M", "EGY")
            surname = "MÜLLER" if latin[i] else "NASR"
            line = f"P{i},{surname},OMAR,{dob},{sex},{nat},P,X{i:08d},EGY,2030-01-01\n"
            fh.write(line.encode("latin-1" if latin[i] else "utf-8"))


def main() -> None:
    from screening.data import intake
    from screening.data.io import read_user_file

    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--bad-share", type=float, default=0.01)
    ap.add_argument("--latin1-share", type=float, default=0.001)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "manifest.csv"
        write_manifest(path, args.rows, args.bad_share, args.latin1_share, args.seed)
        t0 = time.perf_counter()
        got = read_user_file(path)
        t1 = time.perf_counter()
        checked = intake.manifest(got.frame, str(path), read_problems=got.problems)
        t2 = time.perf_counter()
    print(
        f"{args.rows:,} rows ({args.bad_share:.1%} with bad fields, {args.latin1_share:.2%} "
        f"Latin-1): read {t1 - t0:.2f} s, checks {t2 - t1:.2f} s; screened "
        f"{checked.frame.height:,}, problems {checked.problems.height:,}; peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
