"""The benchmark suite: every matcher on every scenario and seed, one tidy results table.

Data are generated once per (scenario, seed) and shared by all matchers; matchers that
use the same index type share one built index. Peak memory is the process's peak resident
set while the matcher builds and screens, above what it held before.
"""

from __future__ import annotations

import json
import os
import platform
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib.metadata import version
from pathlib import Path

import polars as pl

from screening.data.lists import from_generated
from screening.engines import PARTITION_ROWS
from screening.evaluate import evaluate
from screening.evaluate.ceiling import ceilings
from screening.evaluate.gallery import gallery
from screening.evaluate.namesakes import namesakes
from screening.evaluate.results import BenchResults, not_run, summary_table
from screening.evaluate.stages import evaluate_stages
from screening.generate.calibration import realism
from screening.generate.scenario import load_scenario
from screening.generate.world import generate_world
from screening.linkage.explain import PERSON_KINDS
from screening.linkage.index import WatchlistIndex
from screening.linkage.matcher import TooManyPairs
from screening.linkage.normalize import name_forms
from screening.linkage.screen import pair_evidence
from screening.linkage.settings import Settings
from screening.matchers import get_matcher, matcher_class, takes_settings
from screening.matchers.default import DefaultMatcher
from screening.privacy.attack import frequency_attack
from screening.privacy.match import PrivateMatcher
from screening.travel.stages import StageData, run_stages

LIBRARIES = ("numpy", "polars", "rapidfuzz", "jellyfish", "faker", "anyascii")


def _rss() -> int:
    """Resident set size in bytes (Linux /proc; 0 where unavailable)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _high_water() -> int | None:
    """The kernel's peak RSS of this process in bytes (VmHWM), None where unavailable."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


def _reset_high_water() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0: write 5 to clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return _high_water() is not None


@dataclass
class PeakMemory:
    """Peak RSS while the block runs, above the start: the kernel's exact high-water mark
    where it can be reset (Linux; this also resets what getrusage reports), else RSS sampled
    every 10 ms (short peaks can be missed)."""

    peak: int = 0

    def __enter__(self) -> PeakMemory:
        self.exact = _reset_high_water()
        self.start = _rss()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = None
        if not self.exact:
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak = max(self.peak, _rss(), (_high_water() or 0) if self.exact else 0)

    @property
    def mib(self) -> float:
        return (self.peak - self.start) / 2**20


def machine() -> dict[str, str | int | None]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
    } | {lib: version(lib) for lib in LIBRARIES}


def run_bench(
    scenarios: list[str],
    matchers: list[str],
    seeds: list[int],
    progress: Callable[[str], None] = lambda _: None,
    staged: tuple[str, ...] = (),
    engine: Engine | None = None,
    settings: Settings | None = None,
    worlds: dict | None = None,
) -> BenchResults:
    """One row per scenario × seed × matcher with the headline metrics and costs; for the
    `staged` matchers also the PNR / API / PNR-then-API comparison. With a Dask `engine`
    the API screening runs in partitions on its cluster (peak memory: the largest worker).
    `worlds`: worlds already generated, by (scenario, seed), used instead of generating."""
    rows = []
    details: dict[str, list[pl.DataFrame]] = {
        "curves": [],
        "by_corruption": [],
        "by_origin": [],
        "examples": [],
        "stages": [],
        "transitions": [],
        "realism": [],
        "gallery": [],
    }
    for scenario in scenarios:  # dozens of runs at most, each vectorized inside
        s = load_scenario(scenario)
        for seed in seeds:
            progress(f"{scenario} seed {seed}: generating")
            world = (worlds or {}).get((scenario, seed)) or generate_world(s, seed)
            list_rows = from_generated(world["watchlist"], world["watchlist_names"])
            passengers, truth = world["passengers"], world["truth"]
            details["realism"].append(
                realism(passengers, truth, list_rows).with_columns(
                    **_lit({"scenario": scenario, "seed": seed})
                )
            )
            details["gallery"].append(
                gallery(passengers, truth, world["watchlist_names"]).with_columns(
                    **_lit({"scenario": scenario, "seed": seed})
                )
            )
            # What the data allows, whatever the matcher (computed once per world).
            ceiling = ceilings(passengers, truth, list_rows)
            carriers = namesakes(passengers, list_rows)
            public: dict[str, pl.Series] = {}  # the attacker's name frequencies, if needed
            built: dict[tuple[str, bool], object] = {}
            for name in matchers:
                progress(f"{scenario} seed {seed}: {name}")
                # --settings describe the default matcher's model; the others keep theirs.
                own = settings if settings and takes_settings(matcher_class(name)) else None
                m = get_matcher(name, own)
                # Matchers sharing an index kind share the built index, unless settings change it.
                kind = (getattr(m, "index_kind", name), own is not None)
                try:
                    if engine is not None:
                        alerts, pairs, stats, t0, t1, t2, peak = engine.screen(
                            name, list_rows, world, own
                        )
                    else:
                        with PeakMemory() as mem:
                            t0 = time.perf_counter()
                            if kind not in built:
                                built[kind] = m.build(list_rows)
                            t1 = time.perf_counter()
                            res = m.screen(built[kind], passengers, 0.05, 10)
                            t2 = time.perf_counter()
                        peak = mem.mib
                except TooManyPairs as exc:  # a slow peer on a scenario too big for it
                    progress(str(exc))
                    rows.append(_not_run(scenario, seed, name, "skipped", str(exc)))
                    continue
                except Exception as exc:
                    reason = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
                    progress(f"{name} failed: {reason}")
                    rows.append(_not_run(scenario, seed, name, "failed", reason))
                    continue
                if engine is None:
                    alerts, stats = res.alerts, res.stats
                    pi, li = res.pairs
                    pairs = pl.DataFrame(
                        {
                            "passenger_id": passengers["passenger_id"].gather(pi),
                            "entry_id": list_rows["entry_id"].gather(li),
                        }
                    )
                ev = evaluate(
                    alerts,
                    truth,
                    (0.001, 0.01),
                    candidate_pairs=pairs,
                    list_size=world["watchlist"].height,
                    namesakes=carriers,
                )
                ops = {round(r["fpir_target"], 6): r for r in ev.operating_points.rows(named=True)}
                top = float(alerts["score"].max() or 0.0)
                reach = {t: ops[t]["threshold"] <= top for t in ops}
                run = {"scenario": scenario, "seed": seed, "matcher": name}
                details["curves"].append(ev.curve.with_columns(**_lit(run)))
                details["by_corruption"].append(ev.by_corruption.with_columns(**_lit(run)))
                details["by_origin"].append(ev.by_origin.with_columns(**_lit(run)))
                details["examples"].append(
                    _examples(
                        alerts, truth, passengers, list_rows, _fs_index(m, built.get(kind))
                    ).with_columns(**_lit(run))
                )
                if name in staged and engine is None:
                    progress(f"{scenario} seed {seed}: {name} by stage")
                    st = stage_comparison(world, m, built[kind], list_rows)
                    details["stages"].append(st["stages"].with_columns(**_lit(run)))
                    details["transitions"].append(st["transitions"].with_columns(**_lit(run)))
                rows.append(
                    {
                        "scenario": scenario,
                        "seed": seed,
                        "matcher": name,
                        "status": "ok",
                        "note": None,
                        "passengers": passengers.height,
                        "list_names": list_rows.height,
                        "mated": ev.mated,
                        "fnir_at_fpir_0.001": ops[0.001]["fnir"] if reach[0.001] else None,
                        "fnir_at_fpir_0.01": ops[0.01]["fnir"] if reach[0.01] else None,
                        # What the matcher does where the list's date of birth is whole.
                        "fnir_at_fpir_0.001_full_list_dob": (
                            ev.fnir_by_list_dob(0.001).get("full") if reach[0.001] else None
                        ),
                        "false_alerts_per_1000_at_0.01": ops[0.01]["false_alerts_per_1000"],
                        "precision_at_base_rate_0.01": ops[0.01]["precision_at_base_rate"],
                        "pair_completeness": ev.blocking.get("pair_completeness"),
                        "ceiling_unreachable": ceiling["unreachable_share"],
                        "ceiling_tied": ceiling["tied_share"],
                        "pairs_compared": stats.get("pairs_compared", stats.get("pairs")),
                        "index_s": round(t1 - t0, 3),
                        "screen_s": round(t2 - t1, 3),
                        "passengers_per_s": passengers.height / max(t2 - t1, 1e-9),
                        "peak_mib": round(peak, 1),
                        "reidentified_share": _reidentified(
                            m, built.get(kind), list_rows, s, seed, public
                        ),
                    }
                )

    def cat(k: str) -> pl.DataFrame:
        return pl.concat(details[k], how="diagonal_relaxed") if details[k] else pl.DataFrame()

    return BenchResults(
        pl.from_dicts(rows, infer_schema_length=None) if rows else pl.DataFrame(),
        cat("curves"),
        cat("by_corruption"),
        cat("by_origin"),
        cat("examples"),
        cat("stages"),
        cat("transitions"),
        cat("realism"),
        cat("gallery"),
    )


def origin_spread(
    scenario: str, seed: int, passengers: int = 20_000, identities: int = 1_000
) -> pl.DataFrame:
    """FNIR and FPIR per name origin of the default matcher at its FPIR-0.01 operating
    point, on a world of `scenario`'s kind made larger: per-origin intervals need
    thousands of travellers per origin, more than a classroom world has (2.4 s)."""
    s = load_scenario(scenario)
    s = replace(
        s, population=replace(s.population, passengers=passengers, listed_identities=identities)
    )
    world = generate_world(s, seed)
    rows = from_generated(world["watchlist"], world["watchlist_names"])
    m = get_matcher("default")
    res = m.screen(m.build(rows), world["passengers"], 0.05, 10)
    ev = evaluate(
        res.alerts, world["truth"], (0.01,), namesakes=namesakes(world["passengers"], rows)
    )
    return ev.by_origin.with_columns(
        scenario=pl.lit(scenario),
        seed=pl.lit(seed),
        passengers=pl.lit(world["passengers"].height),
        list_names=pl.lit(rows.height),
        threshold=pl.lit(float(ev.operating_points["threshold"][0])),
    )


def run_real_list(
    path: Path,
    matchers: list[str],
    scenario: str = "standard",
    seed: int = 1,
    progress: Callable[[str], None] = lambda _: None,
    settings: Settings | None = None,
) -> dict[str, pl.DataFrame]:
    """The real-alias benchmark (evaluate.real_aliases) of a UN XML or OFAC SDN list among
    the innocents of a generated world: one results row per matcher, FNIR per variation
    class and per alias quality at each operating point."""
    from screening.data.discover import watchlist_rows
    from screening.evaluate.real_aliases import alias_world, per_class

    real, _ = watchlist_rows(Path(path))
    progress(f"{scenario} seed {seed}: generating the innocents")
    world = generate_world(load_scenario(scenario), seed)
    innocent = world["truth"].filter(pl.col("entry_id").is_null())
    passengers = world["passengers"].join(innocent, on="passenger_id", how="semi")
    aw = alias_world(real, passengers, innocent, seed)
    if aw.truth["entry_id"].is_not_null().sum() == 0:
        # An OFAC sdn.csv keeps a.k.a. names in alt.csv beside it; without one, or on a
        # list with no second names, there is no traveller to find: say so, not nan.
        raise ValueError(
            f"{path}: no listed individual has a second name in Latin script to travel "
            f"under ({aw.dropped['other_script']} in other scripts, "
            f"{aw.dropped['same_as_primary']} equal to the primary name once folded); an "
            "OFAC sdn.csv needs its alt.csv in the same folder"
        )
    ceiling = ceilings(aw.passengers, aw.truth, aw.list_rows)
    results, classes = [], []
    for name in matchers:
        progress(f"real list: {name}")
        own = settings if settings and takes_settings(matcher_class(name)) else None
        m = get_matcher(name, own)
        try:
            with PeakMemory() as mem:
                t0 = time.perf_counter()
                index = m.build(aw.list_rows)
                t1 = time.perf_counter()
                res = m.screen(index, aw.passengers, 0.05, 10)
                t2 = time.perf_counter()
        except TooManyPairs as exc:
            results.append({"matcher": name, "status": "skipped", "note": str(exc)})
            continue
        ev = evaluate(res.alerts, aw.truth, (0.001, 0.01))
        row = {"list": Path(path).name, "matcher": name, "status": "ok", "note": None}
        row |= {
            "weights": weights_used(m, res),
            "alias_travellers": ev.mated,
            "innocents": ev.passengers - ev.mated,
            "identities": aw.list_rows["entry_id"].n_unique(),
        }
        for op in ev.operating_points.iter_rows(named=True):
            t = op["fpir_target"]
            row[f"fnir_at_fpir_{t:g}"] = op["fnir"]
            for by in ("quality", "variation"):
                part = per_class(res.alerts, aw.truth, op["threshold"], by)
                classes.append(
                    part.rename({by: "class"}).with_columns(
                        matcher=pl.lit(name), by=pl.lit(by), fpir_target=pl.lit(t)
                    )
                )
        row |= {
            "ceiling_unreachable": ceiling["unreachable_share"],
            "ceiling_tied": ceiling["tied_share"],
            "index_s": round(t1 - t0, 3),
            "screen_s": round(t2 - t1, 3),
            "peak_mib": round(mem.mib, 1),
        } | {f"dropped_{k}": v for k, v in aw.dropped.items()}
        results.append(row)
    return {
        "results": pl.from_dicts(results, infer_schema_length=None),
        "classes": pl.concat(classes, how="diagonal_relaxed") if classes else pl.DataFrame(),
    }


def weights_used(matcher, result) -> str | None:
    """'learned' or 'hand-set' for the default matcher (a manifest with too few namesakes
    of the list keeps the hand-set weights: a real list among generated travellers does),
    None for the others."""
    if not isinstance(matcher, DefaultMatcher):
        return None
    return "learned" if result.model is not None else "hand-set"


class Engine:
    """Screen a benchmark world on a Dask cluster (the same partitions as the CLI)."""

    def __init__(self, client, partition_rows: int = PARTITION_ROWS) -> None:
        self.client, self.partition_rows = client, partition_rows

    def screen(self, matcher: str, list_rows: pl.DataFrame, world, settings=None):
        from screening.engines.dask_engine import run_dask
        from screening.engines.partitions import Job, in_memory

        parts = in_memory(world["passengers"], self.partition_rows)
        job = Job(
            matcher=matcher,
            threshold=0.05,
            top_k=10,
            as_of=world.scenario.date,
            settings=settings,
        )
        t0 = time.perf_counter()
        run = run_dask(parts, job, list_rows, client=self.client)
        t2 = time.perf_counter()
        t1 = t0 + run.seconds.get("index_s", 0.0) + run.seconds.get("cluster_s", 0.0)
        alerts = pl.concat([p.frames["alerts"] for p in run.parts])
        pairs = pl.concat([p.frames["pairs"] for p in run.parts])
        stats: dict = {}  # pairs compared are counted per partition, not gathered
        peak = max(run.worker_peak_mib.values(), default=0.0)
        return alerts, pairs, stats, t0, t1, t2, peak


def stage_comparison(world, matcher, index, list_rows: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """PNR, API and PNR then API on one world: the per-stage table (with companions and
    link accuracy) and what API evidence did to the PNR alerts, at threshold 0.5."""
    data = StageData.from_world(world)
    t0 = time.perf_counter()
    run = run_stages(matcher, index, list_rows, data, threshold=0.05)
    seconds = time.perf_counter() - t0
    ev = evaluate_stages(run.alerts, world["truth"], run.links, world["passengers"], 0.5, run.pairs)
    stages = ev.summary.join(ev.associates, on="stage").with_columns(
        link_accuracy=pl.lit(ev.links.get("accuracy")),
        contact_detection=pl.lit(ev.contacts.get("detection_rate")),
        stages_s=pl.lit(round(seconds, 3)),
    )
    return {"stages": stages, "transitions": ev.transitions}


def _not_run(scenario: str, seed: int, matcher: str, status: str, note: str) -> dict:
    """The results row of a run that produced no alerts: skipped (declined) or failed."""
    return {"scenario": scenario, "seed": seed, "matcher": matcher, "status": status, "note": note}


def _lit(run: dict) -> dict[str, pl.Expr]:
    return {k: pl.lit(v) for k, v in run.items()}


def _reidentified(matcher, index, list_rows: pl.DataFrame, s, seed: int, public: dict):
    """For a private matcher: the share of its encoded list a frequency attack names,
    knowing the name frequencies of another list of the same world (seed + 100)."""
    if not isinstance(matcher, PrivateMatcher) or index is None:
        return None
    if "names" not in public:
        other = generate_world(s, seed + 100)["watchlist_names"]
        public["names"] = name_forms(other)["sorted_core"]
    truth = name_forms(list_rows)["sorted_core"].gather(index.list_row)
    return frequency_attack(index.name_clk, truth, public["names"]).share


def _fs_index(matcher, index):
    """The index when the matcher scores with the core's evidence (its bits explain its
    scores), else None."""
    return index if isinstance(matcher, DefaultMatcher) else None


# The fields an alert's evidence is split into, in the order a waterfall stacks them.
EVIDENCE_FIELDS = ("name", "dob", "document", "nationality", "sex", "contact")


def _examples(
    alerts: pl.DataFrame,
    truth: pl.DataFrame,
    passengers: pl.DataFrame,
    list_rows: pl.DataFrame,
    index: object = None,
    n: int = 60,
) -> pl.DataFrame:
    """Watch-list alerts across the score range, each marked true or false, with the
    traveller's and the listed name and, for the default matcher, the evidence in bits
    per field (`bits_name` ...): what the report's slider and waterfall show."""
    a = alerts.filter(pl.col("kind").is_in(PERSON_KINDS))
    a = a.join(
        truth.select("passenger_id", pl.col("entry_id").alias("true_entry"), "origin"),
        on="passenger_id",
        how="left",
    )
    a = a.with_columns(correct=(pl.col("entry_id") == pl.col("true_entry")).fill_null(False))
    a = a.sort("score", descending=True)
    step = max(1, a.height // n)
    a = a.gather_every(step).head(n)
    full = lambda frame: pl.concat_str(  # noqa: E731
        [frame["surname"].fill_null(""), frame["given_names"].fill_null("")], separator=", "
    )
    p = passengers.select("passenger_id", traveller=full(passengers)).with_row_index("_p")
    lst = list_rows.select("name_id", listed=full(list_rows)).with_row_index("_l")
    a = a.join(p, on="passenger_id", how="left", maintain_order="left").join(
        lst, on="name_id", how="left", maintain_order="left"
    )
    out = a.select(
        "passenger_id", "entry_id", "score", "correct", "reason", "traveller", "listed", "origin"
    )
    if isinstance(index, WatchlistIndex) and a.height and a["_l"].null_count() == 0:
        bits = pair_evidence(index, passengers, a["_p"].to_numpy(), a["_l"].to_numpy())
        return out.with_columns(
            [bits[f].alias(f"bits_{f}") for f in EVIDENCE_FIELDS if f in bits.columns]
        )
    return out.with_columns([pl.lit(None, pl.Float64).alias(f"bits_{f}") for f in EVIDENCE_FIELDS])


def write_results(bench: BenchResults, out: Path) -> list[Path]:
    """results.csv, results.json (with the machine), summary.md, and the detail tables."""
    out.mkdir(parents=True, exist_ok=True)
    results = bench.results
    for name, frame in bench.tables().items():
        frame.write_csv(out / f"{name}.csv")
    (out / "results.json").write_text(
        json.dumps({"machine": machine(), "results": results.to_dicts()}, indent=2) + "\n"
    )
    (out / "summary.md").write_text(summary_markdown(results))
    return [out / "results.csv", out / "results.json", out / "summary.md"]


def _read_optional(path: Path) -> pl.DataFrame:
    """A detail table a run may have left empty (no stages, no larger world)."""
    if not path.exists():
        return pl.DataFrame()
    try:
        return pl.read_csv(path)
    except pl.exceptions.NoDataError:
        return pl.DataFrame()


def read_results(folder: Path) -> BenchResults:
    """The tables `write_results` wrote."""
    tables = {
        n: pl.read_csv(folder / f"{n}.csv")
        for n in ("results", "curves", "by_corruption", "by_origin", "examples")
    }
    # Results written before the stage comparison existed have no stage tables.
    for n in ("stages", "transitions", "realism", "gallery", "fairness"):
        path = folder / f"{n}.csv"
        tables[n] = _read_optional(path)
    return BenchResults(**tables)


def summary_markdown(results: pl.DataFrame) -> str:
    """Mean over seeds per scenario and matcher; "n/r" where FPIR target is not reachable."""
    m = machine()
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {m['platform']}, {m['cores']} cores, Python {m['python']}; "
        + ", ".join(f"{lib} {m[lib]}" for lib in LIBRARIES)
        + ".",
        "",
        "| scenario | matcher | seeds | FNIR @ FPIR 0.001 | FNIR @ FPIR 0.01 | pair completeness "
        "| passengers/s | peak MiB |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    fmt = lambda v, p=3: "n/r" if v is None else f"{v:.{p}f}"  # noqa: E731
    for r in summary_table(results).iter_rows(named=True):  # one line per scenario x matcher
        lines.append(
            f"| {r['scenario']} | {r['matcher']} | {r['seeds']} | {fmt(r['fnir_at_fpir_0.001'])} "
            f"| {fmt(r['fnir_at_fpir_0.01'])} | {fmt(r['pair_completeness'])} "
            f"| {r['passengers_per_s']:,.0f} | {r['peak_mib']:,.0f} |"
        )
    lines += [
        f"| {r['scenario']} | {r['matcher']} | {r['status']} (seed {r['seed']}): {r['note']} "
        "|||||| "
        for r in not_run(results).iter_rows(named=True)  # skipped or failed runs: a few
    ]
    lines += ["", "n/r: the matcher's lowest alerting score already exceeds that FPIR.", ""]
    return "\n".join(lines)
