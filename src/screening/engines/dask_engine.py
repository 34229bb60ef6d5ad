"""The Dask engine: the same per-partition screening on a cluster.

With a scheduler address it joins an existing cluster; with `workers` it starts a
LocalCluster of worker processes. On a LocalCluster with an output folder, the index is
built in a process of its own and saved there, and each worker maps it from disk
(linkage.index_store); on a cluster elsewhere the watch list goes to one worker, which
builds the index, and the index (it carries the list rows) is copied to the others. The
client never holds the index; the lost/stolen list, flights and population statistics are
broadcast once; nothing big is sent with each task. A LocalCluster's workers start with
glibc keeping freed memory (engines.allocator); workers started elsewhere do so only if
their environment holds `allocator.environment()`.
A worker lost mid-run costs only its tasks: the scheduler reruns them elsewhere (up to
`distributed.scheduler.allowed-failures`), and each partial file is written atomically.
"""

from __future__ import annotations

import resource
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from screening.engines import allocator
from screening.engines.partitions import (
    Job,
    Partition,
    PartResult,
    estimation_of,
    learned,
    population_of,
    rows_of,
    save_list_information,
    screen_partition,
)
from screening.linkage.estimate import Model
from screening.linkage.population import Population, combine, sample_bound, sample_complete
from screening.matchers.processes import process_pool
from screening.travel.documents import prepare_lost_stolen
from screening.travel.notify import identity_states


class DaskMissing(RuntimeError):
    """Dask is not installed (the optional extra screening[dask])."""


def _distributed():
    try:
        from dask import distributed
    except ImportError as exc:
        raise DaskMissing(
            "--engine dask needs Dask: pip install 'screening[dask]' "
            "(or: pip install 'dask[distributed]')"
        ) from exc
    return distributed


def memory_limit_of(text: str) -> str | float:
    """A worker budget as Dask takes it: 'auto', a size ('16GiB') or a fraction (0.8)."""
    try:
        fraction = float(text)
    except ValueError:
        from dask.utils import parse_bytes

        if text != "auto":
            try:
                parse_bytes(text)
            except ValueError as exc:
                raise ValueError(
                    f"--worker-memory: {text!r} is not a size (16GiB) or a fraction"
                ) from exc
        return text
    if not 0 < fraction <= 1:
        raise ValueError(f"--worker-memory: a fraction must be in (0, 1], not {text}")
    return fraction


@contextmanager
def dask_client(
    scheduler: str | None = None, workers: int | None = None, memory_limit: str = "auto"
) -> Iterator:
    """A client of the cluster at `scheduler`, or of a LocalCluster of `workers` processes
    (one thread each: the screening code is vectorized and uses the core itself), each with
    `memory_limit` (see memory_limit_of)."""
    distributed = _distributed()
    with ExitStack() as stack:
        if scheduler is not None:
            yield stack.enter_context(distributed.Client(scheduler))
            return
        # Set before each worker process starts (glibc reads them once): Dask's own 64 KiB
        # trim threshold made a worker fault its chunks' pages in again and again (see
        # engines.allocator); a variable set in this process's environment still wins.
        from dask import config

        environ = config.get("distributed.nanny.pre-spawn-environ") | allocator.environment()
        stack.enter_context(config.set({"distributed.nanny.pre-spawn-environ": environ}))
        cluster = stack.enter_context(
            distributed.LocalCluster(
                n_workers=workers or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: no clash with another cluster
                # One worker builds the index while the others wait: with a 5 M-name list
                # its peak (~9 GiB) passes an even share of a 24 GiB machine.
                memory_limit=memory_limit_of(memory_limit),
            )
        )
        client = stack.enter_context(distributed.Client(cluster))
        # A broadcast scatter reaches only the workers already up: without the wait a slow
        # machine scatters the lists to one worker, and killing it loses them for good.
        client.wait_for_workers(workers or 1, timeout=120)
        yield client


@dataclass(frozen=True)
class DaskRun:
    parts: list[PartResult]
    seconds: dict[str, float]
    worker_peak_mib: dict[str, float]  # peak resident memory of each worker process
    model: Model | None = None  # the weights learned from the manifest (default matcher)
    # Each worker's highest proportional share of memory (Linux PSS, sampled): its own
    # pages plus its share of the mapped index, which the resident peak counts whole in
    # every worker.
    worker_pss_mib: dict[str, float | None] = field(default_factory=dict)
    index_said: str = ""  # with an index cache: loaded from it, or built and saved there


def _build(matcher: str, list_rows: pl.DataFrame, settings=None):
    from screening.matchers import get_matcher

    return get_matcher(matcher, settings).build(list_rows)


def _index_on_disk(
    client, job: Job, list_rows: pl.DataFrame, cache: Path | None = None
) -> tuple[dict, str]:
    """(shared task arguments, what happened in words) when the index is saved where every
    worker maps it (see linkage.index_store): in `cache` under the list's and settings'
    fingerprint, where a later run finds it, else in the job's folder. Another matcher's
    index is broadcast as it is."""
    folder = str(Path(job.out_dir) / "index")
    saved, said = None, ""
    if cache is not None:
        from screening.linkage.index_store import index_fingerprint  # pyarrow: only here
        from screening.matchers import get_matcher

        settings = get_matcher(job.matcher, job.settings).settings
        saved = str(Path(cache) / index_fingerprint(list_rows, settings))
        if (Path(saved) / "index.json").exists():
            return {"index": saved, "list_rows": None}, f"index loaded from {saved}"
    # The rows go to the builder as a file it maps: pickled through the pool's pipe, a
    # 5.2 M-name list cost 2.9 s to dump and 8.6 s to load, and 2 GB on the client.
    rows_file = _saved(list_rows, Path(job.out_dir) / "list_rows.arrow")
    with process_pool(1) as pool:  # spawned: forking after polars' threads can hang
        built = pool.submit(
            _build_and_save, job.matcher, rows_file, job.settings, saved or folder, folder
        ).result()
    if isinstance(built, str):
        if saved is not None:
            said = (
                f"index built and saved to {saved}"
                if built == saved
                else f"index built; not saved to {cache} (cannot be written)"
            )
        return {"index": built, "list_rows": None}, said
    return {
        "index": client.scatter(built, broadcast=True, hash=False),
        "list_rows": client.scatter(list_rows, broadcast=True, hash=False),
    }, said


def _build_and_save(
    matcher: str,
    list_rows: pl.DataFrame | str,
    settings,
    folder: str,
    fallback: str | None = None,
):
    """The folder a WatchlistIndex was saved in (`fallback` where `folder` cannot be
    written: a cache must not stop the run); another kind of index itself. `list_rows`:
    the rows, or a file write_frame wrote them to."""
    from screening.linkage.index import WatchlistIndex, build_index
    from screening.linkage.index_store import mapped_frame, save_index
    from screening.matchers import get_matcher
    from screening.matchers.default import DefaultMatcher

    if isinstance(list_rows, str):
        list_rows = mapped_frame(Path(list_rows))

    allocator.keep_freed_memory()  # a 5 M-name build: 72 -> 63 s, the kernel's 60 -> 37 s
    chosen = get_matcher(matcher, settings)
    if isinstance(chosen, DefaultMatcher):  # saved, its Python strings would be dropped
        index = build_index(list_rows, chosen.settings, with_name_arrays=False)
    else:
        index = chosen.build(list_rows)
    if not isinstance(index, WatchlistIndex):
        return index
    try:
        save_index(index, Path(folder))
    except OSError:
        if fallback is None or fallback == folder:
            raise
        save_index(index, Path(fallback))
        return fallback
    return folder


def _index_on_workers(client, job: Job, list_rows: pl.DataFrame) -> dict:
    """Shared task arguments when the workers may not share this machine's disks: the
    index is built on the worker the list is sent to, then copied to the others."""
    distributed = _distributed()
    # To that worker only: the default matcher's index carries the list rows, so a second
    # copy beside it would only add to the build's peak.
    rows = client.scatter(list_rows, hash=False)
    # Built where it is used, then copied worker to worker: the client never holds it.
    index = client.submit(_build, job.matcher, rows, job.settings, pure=False)
    distributed.wait(index)
    if client.submit(_carries_rows, index, pure=False).result():
        shared = {"list_rows": None}
    else:
        client.replicate([rows])
        shared = {"list_rows": rows}
    del rows  # released on the workers when no task needs it
    client.replicate([index])
    return shared | {"index": index}


def _two_workers(client, future) -> tuple[list[str], list[str]]:
    """([the worker holding `future`], [another worker, or that one if it is alone]): two
    tasks on its result run side by side, not one after the other on one thread."""
    holders = sorted(next(iter(client.who_has([future]).values()), ()))
    every = sorted(client.scheduler_info()["workers"])
    first = holders[0] if holders else every[0]
    rest = [w for w in every if w != first]
    return [first], [rest[0] if rest else first]


def _carries_rows(index) -> bool:
    from screening.linkage.index import WatchlistIndex

    return isinstance(index, WatchlistIndex)


def _saved(frame: pl.DataFrame, path: Path) -> str:
    from screening.linkage.index_store import write_frame  # pyarrow: only here

    write_frame(frame, path)
    return str(path)


def _population(
    client, parts: list[Partition], job: Job, sample_under: int | None, fan_in: int = 8
):
    """A future of the manifest's population: each partition's names counted, the counts
    summed on the workers `fan_in` at a time (a tree), never on the client. A partition's
    count carries its sample rows whose hash is at most `sample_under`
    (population.sample_bound; None: up to 50,000 of its travellers, all of a 50,000-row
    one, which gathered to the client were 2 GB for 105 partitions). Each group of
    partitions is submitted with its sum, so that Dask sums a group as soon as it is
    counted, rather than holding every partition's count until the last is done."""
    sample = estimation_of(job).sample_passengers
    level = []
    for i in range(0, len(parts), fan_in):
        counted = client.map(
            population_of, parts[i : i + fan_in], job=job, sample_under=sample_under, pure=False
        )
        level.append(client.submit(combine, counted, sample, pure=False))
    while len(level) > 1:
        level = [
            client.submit(combine, level[i : i + fan_in], sample, pure=False)
            for i in range(0, len(level), fan_in)
        ]
    return level[0]


def _exact_sample(client, combined, parts: list[Partition], job: Job, sample_under: int | None):
    """`combined` (a future of the population counted with `sample_under`) if its sample
    holds the manifest's k smallest hashes; else the population counted again with every
    sample row (the bounded partitions kept fewer than k together: about never at
    sample_bound's margin)."""
    k = estimation_of(job).sample_passengers
    if sample_under is None or client.submit(sample_complete, combined, k, pure=False).result():
        return combined
    recounted = _population(client, parts, job, None)
    _distributed().wait(recounted)
    return recounted


def _model_of(population: Population) -> Model | None:
    return population.model


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class _PssPeak:
    """The highest proportional set size (Linux PSS: a process's own pages plus its share
    of pages it maps with others, such as the saved index) of this process: what a worker
    costs the machine at its worst, which the resident peak overstates by counting the
    shared index whole in each worker.

    The kernel adds a PSS up page by page: 50-140 ms of CPU for a worker mapping a 5 M-name
    index (read every second, a tenth of the machine on a 10 M run: `smaps_account` was the
    busiest function in a profile of the workers). So a thread reads the resident size
    (`statm`, ~15 us) every `every` seconds and the PSS only where it is `again_mib` above
    the size at the last read: at each new high, where a new PSS peak comes with one (the
    shared pages a worker maps count in both), and at the end. The peak is found within
    `again_mib`."""

    def __init__(self, every: float = 1.0, again_mib: float = 64.0) -> None:
        self.peak = _pss_mib()
        self._at_read = _rss_mib()
        self._again = again_mib
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(every,), daemon=True)
        self._thread.start()

    def _sample(self, every: float) -> None:
        while not self._stop.wait(every):
            rss = _rss_mib()
            if rss is not None and self._at_read is not None and rss < self._at_read + self._again:
                continue
            self._at_read = rss
            self.peak = max(self.peak or 0.0, _pss_mib() or 0.0)

    def stop(self) -> float | None:
        self._stop.set()
        self._thread.join()
        return max(self.peak or 0.0, _pss_mib() or 0.0) or None


def _start_pss_peak(dask_worker) -> None:
    if _pss_mib() is not None:  # Linux
        dask_worker.screening_pss_peak = _PssPeak()


def _stop_pss_peak(dask_worker) -> float | None:
    """The worker's sampled PSS peak; None off Linux or for a worker started mid-run."""
    sampler = getattr(dask_worker, "screening_pss_peak", None)
    return None if sampler is None else sampler.stop()


def _rss_mib() -> float | None:
    """The resident size (every page mapped, shared ones whole), from a few counters."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize() / 2**20
    except (OSError, IndexError, ValueError):  # not Linux
        return None


def _pss_mib() -> float | None:
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:  # not Linux
        return None
    return None


def run_dask(
    parts: list[Partition],
    job: Job,
    list_rows: pl.DataFrame,
    lost_stolen: pl.DataFrame | None = None,
    flights: pl.DataFrame | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[str], None] = lambda _: None,
    client=None,
    memory_limit: str = "auto",
    index_cache: Path | None = None,
) -> DaskRun:
    """Screen every partition on a Dask cluster; partial outputs as `job` says. With
    `index_cache` (a LocalCluster's workers share this machine's disk) the default
    matcher's index is mapped from there when this list was built before, else built and
    saved there."""
    distributed = _distributed()

    laps: dict[str, float] = {}
    t0 = time.perf_counter()
    with ExitStack() as stack:
        if client is None:
            client = stack.enter_context(dask_client(scheduler, workers, memory_limit))
        client.run(_start_pss_peak)
        laps["cluster_s"] = time.perf_counter() - t0
        # Counting names needs no index: the workers count them while it is built (a 10 M
        # manifest's minute of counting ran after the build's two, the workers idle).
        under = sample_bound(estimation_of(job).sample_passengers, rows_of(parts))
        combined = _population(client, parts, job, under)
        on_disk = scheduler is None and job.out_dir is not None
        if on_disk:
            # Workers on this machine: the index is built in a process of its own (its
            # peak, ~9 GiB for a 5 M-name list, is returned to the system when it exits)
            # and saved where every worker maps it, rather than sent worker to worker.
            progress("building the index")
            shared, said = _index_on_disk(client, job, list_rows, index_cache)
        else:
            said = ""
            progress("building the index on a worker")
            shared = _index_on_workers(client, job, list_rows)
        laps["index_s"] = time.perf_counter() - t0 - sum(laps.values())
        # The other shared tables only after the build, so that they never add to its peak.
        if lost_stolen is not None:
            lost_stolen = prepare_lost_stolen(lost_stolen)
            if on_disk:  # mapped by this machine's workers, like the index, not sent to each
                lost_stolen = _saved(lost_stolen, Path(job.out_dir) / "lost_stolen.arrow")
        # The list's notify states once for all partitions (each computing them from a
        # 5 M-name list cost 0.9 s: ~95 s of CPU on a 10 M run).
        identities = identity_states(list_rows)
        for name, value in (
            ("lost_stolen", lost_stolen),
            ("flights", flights),
            ("identities", identities),
        ):
            shared[name] = (
                value
                if value is None or isinstance(value, str)
                else client.scatter(value, broadcast=True, hash=False)
            )
        laps["scatter_s"] = time.perf_counter() - t0 - sum(laps.values())
        progress(f"counting names in {len(parts)} partitions")
        distributed.wait(combined)
        combined = _exact_sample(client, combined, parts, job, under)
        laps["population_s"] = time.perf_counter() - t0 - sum(laps.values())
        progress("learning the weights from the manifest")
        # Learned once, where the index is, then copied to every worker with the population.
        # Beside it, on another worker, the list's name information once for all
        # partitions, saved where every worker maps it.
        learner, other = _two_workers(client, combined)
        population = client.submit(
            learned,
            shared["index"],
            combined,
            pure=False,
            workers=learner,
            allow_other_workers=True,
        )
        info = None
        if on_disk:
            path = str(Path(job.out_dir) / "list_information.arrow")
            info = client.submit(
                save_list_information,
                shared["index"],
                combined,
                path,
                pure=False,
                workers=other,
                allow_other_workers=True,
            )
        distributed.wait(population)
        client.replicate([population])
        shared["list_information"] = None if info is None else info.result()
        model = client.submit(_model_of, population, pure=False).result()
        laps["estimate_s"] = time.perf_counter() - t0 - sum(laps.values())
        progress(f"screening {len(parts)} partitions")
        futures = client.map(
            screen_partition, parts, job=job, population=population, pure=False, **shared
        )
        results = client.gather(futures)
        laps["screen_s"] = time.perf_counter() - t0 - sum(laps.values())
        peaks = client.run(_peak_mib)
        pss = client.run(_stop_pss_peak)
    return DaskRun(
        sorted(results, key=lambda r: r.number), laps, peaks, model, pss, index_said=said
    )
