"""Where `screening screen` spends its CPU: each part of an API-stage run, one after another.

    python benchmarks/cpu_by_part.py WORLD [--threshold 0] [--chunk 166660]

WORLD is a generated folder (`screening generate -s national-day -o WORLD`). The parts the
CLI runs side by side in threads (index and population; roles and document checks beside
the chunks; two chunks at a time) run here in turn, each timed by the process's CPU (all
threads: polars and rapidfuzz work in their own) and by the wall clock. Their sum is what
the run would cost with no thread ever waiting; the CLI's own CPU is higher by what
running them together costs. Uses the stages' private parts: it follows their names.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import polars as pl

from screening.data.lists import from_generated
from screening.linkage.index import build_index
from screening.linkage.population import population_stats
from screening.linkage.screen import (
    Manifest,
    Remembered,
    _name_ids,
    _screen_chunk,
    blocked_candidates,
    learn,
)
from screening.linkage.settings import Settings
from screening.travel import stages
from screening.travel.notify import identity_states
from screening.travel.output import Spooled
from screening.travel.reconcile import LINK_COLUMNS
from screening.travel.stages import StageData


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("world")
    ap.add_argument("--threshold", type=float, default=0.0)
    ap.add_argument("--chunk", type=int, default=166_660)
    args = ap.parse_args()
    w = Path(args.world)
    spent: dict[str, list[float]] = {}

    def part(name, f, *a):
        cpu, wall = time.process_time(), time.perf_counter()
        out = f(*a)
        x = spent.setdefault(name, [0.0, 0.0, 0])
        x[0] += time.process_time() - cpu
        x[1] += time.perf_counter() - wall
        x[2] += 1
        return out

    pax = part("read", pl.read_parquet, w / "passengers.parquet")
    rows = part(
        "read",
        lambda: from_generated(
            pl.read_parquet(w / "watchlist.parquet"), pl.read_parquet(w / "watchlist_names.parquet")
        ),
    )
    data = StageData(
        passengers=pax,
        flights=pl.read_parquet(w / "flights.parquet"),
        lost_stolen=pl.read_parquet(w / "documents_lost_stolen.parquet"),
        as_of=dt.date.fromisoformat(
            json.loads((w / "scenario.json").read_text())["scenario"]["date"]
        ),
    )
    index = part("index build", build_index, rows)
    sample = Settings().estimation.sample_passengers
    population = part("population and name forms", population_stats, pax, None, sample, True)
    population = replace(population, model=part("learning", learn, index, population))
    links = pl.DataFrame(schema=LINK_COLUMNS)  # the API stage alone: no bookings
    roles = part("traveller roles", stages._api_roles, pax, links, data, False)
    groups = part("groups", stages._api_groups, pax, links)
    documents = part("document checks", stages._document_alerts, pax, data)
    identities = part("identity states", identity_states, rows)
    forms = population.forms_of(pax)
    # As screen_chunks does: names numbered for the whole manifest, pairs shared by chunks.
    name_id = part("name numbers", _name_ids, pax)
    remembered = Remembered()
    sink = Spooled(Path(tempfile.mkdtemp()))
    for at in range(0, pax.height, args.chunk):
        m = part(
            "chunks: manifest",
            Manifest.of,
            index,
            pax.slice(at, args.chunk),
            population,
            0,
            forms.slice(at, args.chunk),
            name_id[at : at + args.chunk],
            remembered,
        )
        res = part(
            "chunks: screening", _screen_chunk, index, m, args.threshold, 10, blocked_candidates
        )
        mine = documents.filter(pl.col("_row").is_between(at, at + args.chunk - 1)).drop("_row")
        alerts = pl.concat([res.alerts, mine], how="diagonal_relaxed")
        alerts, note = part(
            "finishing", stages._finish, alerts, "api", groups, roles, identities, None, False
        )
        part("spooling", sink.add, "api", alerts, note)
    part("writing", sink.write, Path(tempfile.mkdtemp()) / "alerts.parquet")
    total = sum(v[0] for v in spent.values())
    print(f"{pax.height:,} travellers, {rows.height:,} list names, threshold {args.threshold}")
    print(f"{'part':28s} {'CPU s':>7s} {'wall s':>7s} calls")
    for name, (cpu, wall, n) in spent.items():
        print(f"{name:28s} {cpu:7.2f} {wall:7.2f} {n:5d}")
    print(f"{'all':28s} {total:7.2f}")


if __name__ == "__main__":
    main()
