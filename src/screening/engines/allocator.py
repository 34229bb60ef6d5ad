"""The allocators of a long batch run keep the memory a chunk frees for the next.

NumPy arrays, rapidfuzz's results and Python's strings come from glibc's malloc. By default
glibc gives freed memory back to the kernel early (an adaptive mmap threshold, a 128 KiB trim
threshold; Dask's workers even start with 64 KiB), and every chunk then faults the same pages
in again: on a million-traveller run that was 10-11 s of the kernel's time out of ~57 s of CPU.
Polars' frames come from its own jemalloc, which polars sets to hand freed pages back within
a second (see POLARS_ALLOCATOR).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

# mallopt parameters (malloc.h) and the values set: arrays up to 32 MiB (glibc's largest
# mmap threshold) come from the heap, and up to 64 MiB freed at a heap's top stays mapped,
# so a chunk's arrays reuse the last chunk's pages. Measured on five 100,000-traveller
# partitions of the 10 M world in a worker thread: 30.4 s with Dask's 64 KiB trim threshold;
# 25.3 s and +0.14 GB peak with these; 25.5 s and +0.28 GB keeping 1 GiB with 256 MiB of pad.
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
SETTINGS = {
    M_TRIM_THRESHOLD: ("MALLOC_TRIM_THRESHOLD_", 64 << 20),
    M_TOP_PAD: ("MALLOC_TOP_PAD_", 16 << 20),
    M_MMAP_THRESHOLD: ("MALLOC_MMAP_THRESHOLD_", 32 << 20),
}


# Polars' jemalloc reads this variable once, when polars is imported; polars puts its own
# `dirty_decay_ms:500,muzzy_decay_ms:1000` first (pola-rs/polars#18088: memory handed back
# to a notebook's system) and what the variable holds after, which wins. Pages freed stay
# lazily freed (MADV_FREE: reused without a fault unless the kernel needs them) for 10 s
# instead of 1 s. The 1 M CSV run at threshold 0, three rounds each: 31.1 / 31.9 / 30.2 ->
# 30.2 / 29.5 / 28.9 s, the kernel's time 8.0 -> 6.4 s, peak RSS +0.1-0.2 GB (3.3-3.5 ->
# 3.5-3.6 GB); never purging them (-1) was 27.8-29.8 s at 4.3-4.4 GB. Dask's nanny lets
# the parent's environment win over pre-spawn-environ, so its workers inherit the value
# the command line set (a program that imported polars itself passes polars' own on).
POLARS_ALLOCATOR = ("_RJEM_MALLOC_CONF", "muzzy_decay_ms:10000")


def environment() -> dict[str, str]:
    """The same settings as environment variables, for a process about to be started."""
    return {name: str(value) for name, value in SETTINGS.values()} | dict([POLARS_ALLOCATOR])


def keep_freed_memory() -> bool:
    """Set glibc's thresholds in this process (where glibc is the C library and the user
    set none of them); True if they were set."""
    path = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    if path is None:
        return False
    try:
        mallopt = ctypes.CDLL(path).mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    done = True
    for param, (env, value) in SETTINGS.items():
        if env in os.environ:  # set by hand for this process: that wins
            continue
        done &= bool(mallopt(param, value))
    return done
