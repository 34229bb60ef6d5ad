"""glibc's thresholds are set for a batch run unless the user set them by hand."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys

import pytest

from screening.engines import allocator


class FakeLibc:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append((param, value))
        return 1


@pytest.fixture
def libc(monkeypatch):
    fake = FakeLibc()
    monkeypatch.setattr(allocator.sys, "platform", "linux")
    monkeypatch.setattr(allocator.ctypes.util, "find_library", lambda name: "libc.so.6")
    monkeypatch.setattr(allocator.ctypes, "CDLL", lambda path: fake)
    for name in allocator.environment():
        monkeypatch.delenv(name, raising=False)
    return fake


def test_every_threshold_is_set(libc):
    assert allocator.keep_freed_memory()
    assert sorted(libc.calls) == [(-3, 32 << 20), (-2, 16 << 20), (-1, 64 << 20)]


def test_a_threshold_set_by_hand_wins(libc, monkeypatch):
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
    assert allocator.keep_freed_memory()
    assert [p for p, _ in libc.calls] == [-2, -3]


def test_no_mallopt_is_no_error(monkeypatch):
    monkeypatch.setattr(allocator.sys, "platform", "linux")
    monkeypatch.setattr(allocator.ctypes.util, "find_library", lambda name: None)
    assert not allocator.keep_freed_memory()


def test_environment_names_what_glibc_and_polars_read():
    assert allocator.environment() == {
        "MALLOC_TRIM_THRESHOLD_": str(64 << 20),
        "MALLOC_TOP_PAD_": str(16 << 20),
        "MALLOC_MMAP_THRESHOLD_": str(32 << 20),
        "_RJEM_MALLOC_CONF": "muzzy_decay_ms:10000",
    }


def _polars_allocator_after_cli_import(value: str | None) -> str:
    """What polars handed its allocator in a fresh interpreter that imported the CLI."""
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    if value is not None:
        env["_RJEM_MALLOC_CONF"] = value
    code = "import os, screening.cli, polars; print(os.environ['_RJEM_MALLOC_CONF'])"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_the_cli_sets_polars_allocator_before_polars_reads_it():
    # jemalloc takes the last value of an option: ours must follow polars' own 1 s.
    conf = _polars_allocator_after_cli_import(None)
    assert conf.split(",")[-1] == "muzzy_decay_ms:10000", conf


def test_a_polars_allocator_setting_by_hand_wins():
    conf = _polars_allocator_after_cli_import("narenas:2")
    assert conf.split(",")[-1] == "narenas:2" and "muzzy_decay_ms:10000" not in conf


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_glibc_takes_them(monkeypatch):
    if not hasattr(ctypes.CDLL(None), "mallopt"):
        pytest.skip("this C library has no mallopt")
    for name in allocator.environment():
        monkeypatch.delenv(name, raising=False)
    assert allocator.keep_freed_memory()
