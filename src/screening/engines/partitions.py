"""Manifests in partitions: plan them (row ranges of files, so inputs larger than memory
stream), load one, screen one, and combine the partial outputs atomically.

Nothing here imports Dask: the functions are plain and picklable, and any engine (Dask,
a process pool, a loop) can run them.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from screening.data import intake as intake_mod
from screening.data.io import scratch_folder as staging  # noqa: F401 - the CLI's name
from screening.data.sorted_merge import merge_sorted
from screening.linkage.population import Population, population_stats
from screening.linkage.settings import AlertConfig, Settings
from screening.matchers import get_matcher
from screening.schema import SCHEMAS
from screening.travel.stages import OUTPUT_COLUMNS, StageData, run_stages


@dataclass(frozen=True)
class Partition:
    """Rows [offset, offset + length) of one file, or an in-memory frame."""

    number: int
    path: str | None = None
    offset: int = 0
    length: int = 0
    generated: bool = False  # a `screening generate` table: typed, no intake needed
    frame: pl.DataFrame | None = None


@dataclass(frozen=True)
class Job:
    """Everything a partition needs besides the shared index and lists."""

    matcher: str = "default"
    threshold: float = AlertConfig.threshold
    top_k: int = AlertConfig.top_k
    as_of: dt.date | None = None
    columns: str | None = None  # --columns old=new,...
    on_error: str = "report"
    out_dir: str | None = None  # where partial outputs go; None: return the frames
    settings: Settings | None = None  # the default matcher's model (--settings); None: defaults
    notifications: bool = True  # also the notification records (--notifications)


@dataclass(frozen=True)
class PartResult:
    number: int
    rows: int
    alerts: int
    problems: pl.DataFrame  # intake.PROBLEM_COLUMNS
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)  # when not written


def _count(path: Path) -> int:
    if path.suffix == ".parquet":
        return pl.scan_parquet(path).select(pl.len()).collect().item()
    return pl.scan_csv(path, infer_schema=False).select(pl.len()).collect().item()


def plan(manifest: Path, rows_per_partition: int) -> list[Partition]:
    """Partitions of a manifest file, of a folder from `screening generate`, or of a folder
    of Parquet files (a partitioned dataset): row ranges of at most `rows_per_partition`."""
    manifest = Path(manifest)
    generated = False
    if manifest.is_dir():
        own = (
            sorted((manifest / "passengers").glob("part-*.parquet"))
            or sorted(manifest.glob("passengers.parquet"))
            or sorted(manifest.glob("passengers.csv"))
        )
        files = own or sorted(manifest.glob("*.parquet"))
        generated = bool(own)
        if not files:
            raise intake_mod.InputError(f"{manifest}: no passengers table or Parquet files")
    else:
        if not manifest.exists():
            raise intake_mod.InputError(f"{manifest}: no such file")
        if manifest.suffix not in (".parquet", ".csv", ".txt", ".tsv"):
            raise intake_mod.InputError(
                f"{manifest}: the Dask engine reads CSV or Parquet manifests (convert "
                "EDIFACT with the local engine first)"
            )
        files = [manifest]
    parts: list[Partition] = []
    for f in files:  # a handful of files
        try:
            n = _count(f)
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise intake_mod.InputError(f"{f}: cannot be read ({exc})") from exc
        for offset in range(0, n, rows_per_partition):
            parts.append(
                Partition(
                    len(parts), str(f), offset, min(rows_per_partition, n - offset), generated
                )
            )
    return parts


def in_memory(frame: pl.DataFrame, rows_per_partition: int) -> list[Partition]:
    """Partitions of a frame already in memory (benchmarks)."""
    return [
        Partition(i, frame=frame.slice(offset, rows_per_partition))
        for i, offset in enumerate(range(0, frame.height, rows_per_partition))
    ]


def load(part: Partition, job: Job) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(typed passengers, problems) of one partition; row numbers are the file's."""
    if part.frame is not None:
        return part.frame, intake_mod.no_problems()
    path = Path(part.path)
    if part.generated:
        lazy = (
            pl.scan_parquet(path)
            if path.suffix == ".parquet"
            else pl.scan_csv(path, schema=SCHEMAS["passengers"])
        )
        frame = lazy.slice(part.offset, part.length).collect()
        return read_table_frame(frame), intake_mod.no_problems()
    try:
        if path.suffix == ".parquet":
            raw = pl.scan_parquet(path).slice(part.offset, part.length).collect()
        else:
            raw = pl.read_csv(
                path,
                infer_schema=False,
                separator="\t" if path.suffix == ".tsv" else ",",
                skip_rows_after_header=part.offset,
                n_rows=part.length,
                # Bytes that are not UTF-8 become U+FFFD: intake reports those fields and
                # screens the row (a partition cannot go back to the bytes as Latin-1).
                encoding="utf8-lossy" if job.on_error != "fail" else "utf8",
            )
    except (pl.exceptions.PolarsError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise intake_mod.InputError(
            f"{path}: rows {part.offset + 2}-{part.offset + part.length + 1}: {first}"
        ) from exc
    raw = intake_mod.rename_columns(raw, job.columns, str(path))
    got = intake_mod.manifest(raw, str(path), row_offset=part.offset)
    if job.on_error == "fail" and not got.problems.is_empty():
        r = got.problems.row(0, named=True)
        raise intake_mod.InputError(
            f"{r['file']}: row {r['row']}, field {r['field']}: {r['problem']} "
            f"(value {r['value']!r})"
        )
    return got.frame, got.problems


def read_table_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """A slice of a generated passengers table in its schema (as read_table gives)."""
    schema = SCHEMAS["passengers"]
    return frame.select([pl.col(c).cast(t) for c, t in schema.items() if c in frame.columns])


def population_of(part: Partition, job: Job, sample_under: int | None = None) -> Population:
    """Name statistics of one partition (first pass; summed by the engine), its sample rows
    only those whose hash is at most `sample_under` (population.sample_bound)."""
    frame, _ = load(part, job)
    k = estimation_of(job).sample_passengers
    return population_stats(frame, sample_size=k, sample_under=sample_under)


def rows_of(parts: list[Partition]) -> int:
    """Travellers in all partitions, as planned."""
    return sum(p.frame.height if p.frame is not None else p.length for p in parts)


def estimation_of(job: Job):
    return (job.settings or Settings()).estimation


def learned(index, population: Population) -> Population:
    """The population with what the default matcher learns from it (screen.learned: once
    per manifest, before its partitions are screened); unchanged for other matchers."""
    from screening.linkage.index import WatchlistIndex
    from screening.linkage.screen import learned as learned_from

    index = resolve_index(index)
    if not isinstance(index, WatchlistIndex):
        return population
    return learned_from(index, population)


def save_list_information(index, population: Population, path: str) -> str | None:
    """The list side of name information for every list name (screen.ListInformation),
    saved to `path` for the workers to map; None for a matcher whose index is not a
    WatchlistIndex (a peer's).
    Each partition worked it out again for its ~400,000 candidate list names: a 10 M
    run's partitions spent ~0.25 s of CPU each on it."""
    from screening.linkage.index import WatchlistIndex
    from screening.linkage.index_store import write_frame
    from screening.linkage.screen import ListInformation

    index = resolve_index(index)
    if not isinstance(index, WatchlistIndex):
        return None
    write_frame(ListInformation.of(index, population).to_frame(), Path(path))
    return path


@dataclass(frozen=True, eq=False)
class _Same:
    """A population compared by identity (a worker's tasks share the one it was sent)."""

    population: Population

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.population is self.population

    def __hash__(self) -> int:
        return id(self.population)


@functools.lru_cache(maxsize=1)
def _informed(same: _Same, path: str) -> Population:
    """The population with the list information saved at `path`, once per process: a copy
    made per partition loses the count lookups a population builds on first use (from the
    whole manifest's counts), and every partition built them again."""
    from screening.linkage.index_store import cached_frame
    from screening.linkage.screen import ListInformation

    info = ListInformation.of_frame(cached_frame(path))
    return replace(same.population, list_information=info)


def resolve_index(index):
    """The index itself, or the one saved in the folder `index` names (loaded once per
    process: see linkage.index_store)."""
    if isinstance(index, str):
        from screening.linkage.index_store import cached_index

        return cached_index(index)
    return index


def screen_partition(
    part: Partition,
    job: Job,
    index,
    list_rows: pl.DataFrame | None,
    population: Population,
    lost_stolen: pl.DataFrame | str | None = None,
    flights: pl.DataFrame | None = None,
    identities: pl.DataFrame | None = None,
    list_information: str | None = None,
) -> PartResult:
    """The API stage on one partition with the whole manifest's population; the alerts and
    notifications go to `job.out_dir` (written atomically) or come back as frames.
    `identities`: notify.identity_states of the list, computed once for every partition;
    `list_information`: the file save_list_information wrote for this population."""
    frame, problems = load(part, job)
    index = resolve_index(index)
    if list_information is not None:
        population = _informed(_Same(population), list_information)
    if list_rows is None:  # the index carries them (one copy per worker, not two)
        list_rows = index.rows
    if isinstance(lost_stolen, str):  # saved where this machine's workers map it
        from screening.linkage.index_store import cached_frame

        lost_stolen = cached_frame(lost_stolen)
    data = StageData(passengers=frame, flights=flights, lost_stolen=lost_stolen, as_of=job.as_of)
    run = run_stages(
        get_matcher(job.matcher, job.settings),
        index,
        list_rows,
        data,
        ("api",),
        job.threshold,
        job.top_k,
        population=population,
        # Written runs keep no candidate pairs (a partition's are a million rows) and
        # build notification records only when asked for.
        keep_pairs=job.out_dir is None,
        notifications=job.notifications,
        identities=identities,
    )
    out = {"alerts": run.alerts, "notifications": run.notifications}
    if job.out_dir is None:
        out["pairs"] = run.pairs["api"]
        return PartResult(part.number, frame.height, run.alerts.height, problems, out)
    for name in ("alerts", "notifications") if job.notifications else ("alerts",):
        target = Path(job.out_dir) / name / f"part-{part.number:06d}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        # A retried task (its worker died) rewrites the file whole: write, then rename.
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
        out[name].write_parquet(tmp)
        os.replace(tmp, target)
    return PartResult(part.number, frame.height, run.alerts.height, problems)


def combine_output(staged: Path, name: str, out: Path) -> None:
    """The partial files of `name` as one sorted file (Parquet/CSV/JSON by extension), or as a
    partitioned Parquet dataset when `out` has no extension; moved into place atomically."""
    parts = sorted((staged / name).glob("part-*.parquet"))
    schema = OUTPUT_COLUMNS if name == "alerts" else None
    if not out.suffix:
        target = staged / f"{name}.dataset"
        (staged / name).rename(target)
        if out.exists():
            shutil.rmtree(out)
        os.replace(target, out)
        return
    by, descending = (
        (["passenger_id", "score", "kind", "alert_id"], [False, True, False, False])
        if name == "alerts"
        else (["alert_id", "state"], [False, False])
    )
    # Range by range: memory for one range of rows, not for every alert of the run; each
    # partition's rows come sorted (run_stages), so partitions in passenger order are
    # copied as they are.
    merge_sorted(parts, out, by, descending, schema, sorted_parts=True)
