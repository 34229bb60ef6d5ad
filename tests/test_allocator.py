"""glibc's thresholds are set for a batch run unless the user set them by hand."""

from __future__ import annotations

import ctypes
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


def test_environment_names_what_glibc_reads():
    assert allocator.environment() == {
        "MALLOC_TRIM_THRESHOLD_": str(64 << 20),
        "MALLOC_TOP_PAD_": str(16 << 20),
        "MALLOC_MMAP_THRESHOLD_": str(32 << 20),
    }


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_glibc_takes_them(monkeypatch):
    if not hasattr(ctypes.CDLL(None), "mallopt"):
        pytest.skip("this C library has no mallopt")
    for name in allocator.environment():
        monkeypatch.delenv(name, raising=False)
    assert allocator.keep_freed_memory()
