"""The Dask engine gives the local engine's alerts, on a real LocalCluster of worker
processes, survives a killed worker, and leaves nothing behind when a run fails."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from screening.cli import app

distributed = pytest.importorskip("dask.distributed")

runner = CliRunner()


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dask") / "world"
    r = runner.invoke(app, ["generate", "-s", "teaching", "--seed", "5", "-o", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture(scope="module")
def local(world, tmp_path_factory) -> pl.DataFrame:
    out = tmp_path_factory.mktemp("local") / "alerts.parquet"
    r = runner.invoke(app, ["screen", str(world), "--out", str(out), "--threshold", "0.05"])
    assert r.exit_code == 0, r.output
    return pl.read_parquet(out)


def test_two_worker_processes_give_the_local_alerts(world, local, tmp_path):
    out = tmp_path / "alerts.parquet"
    notes = tmp_path / "notes.csv"
    r = runner.invoke(
        app,
        [
            "screen",
            str(world),
            "--engine",
            "dask",
            "--workers",
            "2",
            "--partition-rows",
            "300",
            "--threshold",
            "0.05",
            "--out",
            str(out),
            "--notifications",
            str(notes),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "2 Dask worker(s)" in r.output and "7 partitions" in r.output
    # Each worker's highest share of memory, the mapped index split between them (Linux).
    pss = re.search(
        r"worker peak PSS MiB \(the mapped index shared\): ([\d,]+), ([\d,]+);", r.output
    )
    assert pss and all(float(v.replace(",", "")) > 50 for v in pss.groups()), r.output
    assert pl.read_parquet(out).equals(local)  # same alerts, scores and order
    assert set(pl.read_csv(notes)["alert_id"]) <= set(local["alert_id"])
    assert not list(tmp_path.glob(".*partial*"))


def test_partitioned_dataset_output(world, local, tmp_path):
    """One file per partition; with more partitions than the engine sums at a time, the
    populations are summed in a tree of several levels and give the same alerts."""
    out = tmp_path / "alerts"  # no extension: one Parquet file per partition
    r = runner.invoke(
        app,
        [
            "screen",
            str(world),
            "--engine",
            "dask",
            "--workers",
            "1",
            "--partition-rows",
            "100",
            "--threshold",
            "0.05",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    files = sorted(out.glob("part-*.parquet"))
    rows = pl.read_parquet(world / "passengers.parquet").height
    assert len(files) == -(-rows // 100)  # one file per partition of 100 rows
    got = pl.read_parquet(files).sort(["passenger_id", "alert_id"])
    assert got.equals(local.sort(["passenger_id", "alert_id"]))


def test_an_index_cache_serves_later_runs_and_the_local_engine(world, local, tmp_path):
    """The first Dask run builds the index into the cache, the second maps it, and the
    local engine finds the same folder; a cache that cannot be written only costs the
    saving. The alerts stay the local engine's."""
    cache = tmp_path / "cache"

    def dask_run(name: str, cache_dir: Path) -> str:
        out = tmp_path / f"{name}.parquet"
        args = ["screen", str(world), "--engine", "dask", "--workers", "1"]
        args += ["--partition-rows", "700", "--threshold", "0.05", "--out", str(out)]
        r = runner.invoke(app, [*args, "--index-cache", str(cache_dir)])
        assert r.exit_code == 0, r.output
        assert pl.read_parquet(out).equals(local)
        return r.stderr

    assert "index built and saved to" in dask_run("first", cache)
    assert "index loaded from" in dask_run("second", cache)
    assert len(list(cache.iterdir())) == 1
    out = tmp_path / "local.parquet"
    args = ["screen", str(world), "--threshold", "0.05", "--index-cache", str(cache)]
    r = runner.invoke(app, [*args, "--out", str(out)])
    assert r.exit_code == 0 and "index loaded from" in r.stderr, r.output
    assert pl.read_parquet(out).equals(local)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert "not saved to" in dask_run("uncached", blocked)


def test_a_killed_worker_is_survived(world, local, tmp_path):
    from screening.data.lists import from_generated
    from screening.engines.dask_engine import run_dask
    from screening.engines.partitions import Job, combine_output, plan, staging

    rows = from_generated(
        pl.read_parquet(world / "watchlist.parquet"),
        pl.read_parquet(world / "watchlist_names.parquet"),
    )
    sltd = pl.read_parquet(world / "documents_lost_stolen.parquet")
    flights = pl.read_parquet(world / "flights.parquet")
    parts = plan(world, 20)  # ~100 small partitions: the run lasts long enough to kill one
    out = tmp_path / "alerts.parquet"
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        staging(out) as tmp,
    ):
        # Both workers must hold the scattered lists, or killing the only holder loses them.
        client.wait_for_workers(2, timeout=120)
        job = Job(threshold=0.05, as_of=dt.date(2026, 3, 1), out_dir=str(tmp))
        pids = client.run(os.getpid)
        result: dict = {}
        thread = threading.Thread(
            target=lambda: result.update(
                run=run_dask(parts, job, rows, sltd, flights, client=client)
            )
        )
        thread.start()
        written = tmp / "alerts"
        deadline = time.monotonic() + 60
        # A finished partition is a renamed part file (a dot-file is one being written).
        while not list(written.glob("part-*.parquet")) and time.monotonic() < deadline:
            time.sleep(0.01)
        done_at_kill = len(list(written.glob("part-*.parquet")))
        os.kill(next(iter(pids.values())), signal.SIGKILL)
        thread.join(timeout=120)
        assert "run" in result, "the run did not finish after a worker was killed"
        assert 0 < done_at_kill < len(parts)
        # The list's name information was worked out once and mapped by the partitions.
        assert (tmp / "list_information.arrow").exists()
        combine_output(tmp, "alerts", out)
    assert pl.read_parquet(out).equals(local)


def test_partitions_read_the_list_information_their_run_saved(world, tmp_path):
    """A partition given the list's name information saved once for the run gets the
    alerts of one that works it out itself, and one given other figures scores otherwise
    (the file is what it reads). Only the settings-driven matchers have such information."""
    from screening.data.lists import from_generated
    from screening.engines.partitions import (
        Job,
        learned,
        plan,
        save_list_information,
        screen_partition,
    )
    from screening.linkage.index_store import write_frame
    from screening.linkage.population import population_stats
    from screening.matchers import get_matcher

    rows = from_generated(
        pl.read_parquet(world / "watchlist.parquet"),
        pl.read_parquet(world / "watchlist_names.parquet"),
    )
    index = get_matcher("default").build(rows)
    population = learned(index, population_stats(pl.read_parquet(world / "passengers.parquet")))
    part = plan(world, 700)[0]
    job = Job(threshold=0.05, as_of=dt.date(2026, 3, 1), notifications=False)

    def alerts(**saved) -> pl.DataFrame:
        run = screen_partition(part, job, index, None, population, **saved)
        return run.frames["alerts"]

    plain = alerts()
    assert plain.height > 10
    path = save_list_information(index, population, str(tmp_path / "info.arrow"))
    assert path == str(tmp_path / "info.arrow")
    assert alerts(list_information=path).equals(plain)
    halved = pl.read_ipc(path).with_columns(pl.col("full", "without") / 2)
    write_frame(halved, tmp_path / "halved.arrow")
    other = alerts(list_information=str(tmp_path / "halved.arrow"))
    assert not other["score"].equals(plain["score"])
    peer_index = object()  # a peer matcher's own index (Splink's model, say)
    assert save_list_information(peer_index, population, str(tmp_path / "none.arrow")) is None
    assert not (tmp_path / "none.arrow").exists()


def test_a_failed_run_leaves_no_output(tmp_path):
    manifest = tmp_path / "m.csv"
    wl = tmp_path / "wl.csv"
    wl.write_text(
        "entry_id,surname,given_names,dob,sex,nationality,doc_number,doc_issuer\n"
        "E1,SMITH,JOHN,1970-01-01,M,GBR,,\n"
    )
    rows = [f"P{i},SMITH,JOHN,1970-01-01,M,GBR,P,X{i:07d},GBR,2030-01-01" for i in range(50)]
    rows[37] = "P37,SMITH,JOHN,1970-02-30,M,GBR,P,X37,GBR,2030-01-01"  # impossible date
    manifest.write_text(
        "passenger_id,surname,given_names,dob,sex,nationality,doc_type,doc_number,doc_issuer,"
        "doc_expiry\n" + "\n".join(rows) + "\n"
    )
    out = tmp_path / "alerts.parquet"
    args = [
        "screen",
        str(manifest),
        "--watchlist",
        str(wl),
        "--engine",
        "dask",
        "--workers",
        "1",
        "--partition-rows",
        "10",
        "--out",
        str(out),
    ]
    r = runner.invoke(app, [*args, "--on-error", "fail"])
    assert r.exit_code == 2 and "row 39, field dob" in r.output
    assert not out.exists() and not list(tmp_path.glob(".*partial*"))
    # Reported instead: the bad row is set aside with its row in the file, the rest screened.
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "row 39, field dob" in r.output
    assert pl.read_parquet(out)["passenger_id"].n_unique() == 49


def test_local_engine_never_imports_dask(world, tmp_path):
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from screening.cli import app\n"
        f"args = ['screen', {str(world)!r}, '--out', {str(tmp_path / 'a.csv')!r}]\n"
        "r = CliRunner().invoke(app, args)\n"
        "assert r.exit_code == 0, r.output\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_dask_is_a_clear_message(world, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)
    r = runner.invoke(
        app, ["screen", str(world), "--engine", "dask", "--out", str(tmp_path / "a.parquet")]
    )
    assert r.exit_code == 2 and "screening[dask]" in r.output


def test_pnr_stages_are_refused_on_dask(world, tmp_path):
    r = runner.invoke(
        app,
        [
            "screen",
            str(world),
            "--engine",
            "dask",
            "--stage",
            "all",
            "--out",
            str(tmp_path / "a.parquet"),
        ],
    )
    assert r.exit_code == 2 and "API stage" in r.output


def test_bench_on_dask_gives_the_local_metrics(tmp_path):
    cols = ["matcher", "fnir_at_fpir_0.001", "fnir_at_fpir_0.01", "pair_completeness"]
    got = {}
    for engine in ("local", "dask"):
        out = tmp_path / engine
        r = runner.invoke(
            app,
            [
                "bench",
                "--scenarios",
                "teaching",
                "--matchers",
                "default,gtas",
                "--engine",
                engine,
                "--workers",
                "2",
                "--partition-rows",
                "700",
                "--out",
                str(out),
            ],
        )
        assert r.exit_code == 0, r.output
        got[engine] = pl.read_csv(out / "results.csv").select(cols)
    assert got["dask"].equals(got["local"])


def test_worker_memory_is_checked_before_anything_runs(tmp_path):
    from screening.engines.dask_engine import memory_limit_of

    assert memory_limit_of("auto") == "auto"
    assert memory_limit_of("16GiB") == "16GiB"
    assert memory_limit_of("0.8") == 0.8
    for bad in ("lots", "0", "1.5"):
        with pytest.raises(ValueError, match="--worker-memory"):
            memory_limit_of(bad)
    out = str(tmp_path / "a.parquet")
    args = ["screen", str(tmp_path), "--engine", "dask", "--workers", "1", "--out", out]
    r = CliRunner().invoke(app, [*args, "--worker-memory", "lots"])
    assert r.exit_code != 0 and "--worker-memory" in r.output


def test_local_workers_start_with_the_allocator_settings(monkeypatch):
    from screening.engines import allocator
    from screening.engines.dask_engine import dask_client

    for name in allocator.environment():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MALLOC_TOP_PAD_", "4096")  # set by hand: passed on as it is
    names = tuple(allocator.environment())
    with dask_client(workers=1) as client:
        seen = client.run(lambda: {k: os.environ.get(k) for k in names})
    (env,) = seen.values()
    assert env == allocator.environment() | {"MALLOC_TOP_PAD_": "4096"}


def test_partitions_ship_only_sample_rows_under_a_bound_and_the_sample_stays_exact():
    """The first pass keeps each partition's sample rows under population.sample_bound; the
    combined sample is the one-run sample, and where a bound left too few the population is
    counted again rather than learned from a short sample."""
    from dataclasses import replace

    from screening.engines.dask_engine import _exact_sample, _population, dask_client
    from screening.engines.partitions import Job, in_memory
    from screening.generate.scenario import load_scenario
    from screening.generate.world import generate_world
    from screening.linkage.population import population_stats, sample_bound
    from screening.linkage.settings import Settings

    passengers = generate_world(load_scenario("teaching"), 3)["passengers"]
    k, n = 60, passengers.height
    estimation = replace(Settings().estimation, sample_passengers=k)
    job = Job(settings=replace(Settings(), estimation=estimation))
    whole = population_stats(passengers, sample_size=k).sample
    parts = in_memory(passengers, 300)
    with dask_client(workers=1) as client:
        for margin, recounted in ((2.0, False), (0.1, True)):
            under = sample_bound(k, n, margin)
            counted = _population(client, parts, job, under)
            distributed.wait(counted)
            exact = _exact_sample(client, counted, parts, job, under)
            assert (exact is not counted) == recounted
            assert exact.result().sample.equals(whole)
            assert counted.result().sample.equals(whole) != recounted


linux_only = pytest.mark.skipif(
    not Path("/proc/self/smaps_rollup").exists(), reason="Linux proportional set sizes"
)


@linux_only
def test_a_workers_pss_is_read_at_each_new_resident_high_only(monkeypatch):
    # Adding up a PSS costs a worker mapping a big index 50-140 ms of CPU: read once a
    # second it took a tenth of the machine. The resident size says when it can have grown.
    from screening.engines import dask_engine

    sizes = [1000.0] * 30 + [1100.0] * 30 + [900.0] * 30 + [1050.0] * 30
    ticks = []

    def resident() -> float:
        ticks.append(1)
        return sizes[min(len(ticks), len(sizes)) - 1]

    monkeypatch.setattr(dask_engine, "_rss_mib", resident)
    reads = []
    monkeypatch.setattr(dask_engine, "_pss_mib", lambda: reads.append(1) or 500.0 + len(reads))
    sampler = dask_engine._PssPeak(every=0.001)
    deadline = time.monotonic() + 30
    while len(ticks) <= len(sizes) and time.monotonic() < deadline:  # every size seen
        time.sleep(0.01)
    peak = sampler.stop()
    assert len(ticks) > len(sizes)
    # At the start, at 1100 (100 above 1000), and at the end: not at every tick, not at
    # 900, nor at 1050 (under 64 MiB above the 1100 of the last read).
    assert len(reads) == 3
    assert peak == 503.0


@linux_only
def test_a_workers_pss_peak_catches_a_passing_high():
    from screening.engines import dask_engine

    sampler = dask_engine._PssPeak(every=0.01)
    base = sampler.peak
    held = np.ones(256 * 2**20 // 8)  # 256 MiB, every page written
    # Read each time the resident size has grown 64 MiB: the peak is found within that.
    deadline = time.monotonic() + 20
    while sampler.peak < base + 256 - 64 - 16 and time.monotonic() < deadline:
        time.sleep(0.01)
    del held
    assert sampler.stop() >= base + 256 - 64 - 16
