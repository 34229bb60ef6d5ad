"""Process pools that are safe to start from a process already running polars and rapidfuzz.

Forking copies a process whose polars and rapidfuzz thread pools hold locks mid-flight; the
child then deadlocks or segfaults in libc (seen: `BrokenProcessPool` in the nomenklatura
peer). Every pool in the project is made here, with the `spawn` start method: workers start
a fresh interpreter and import what they need. Like every spawn pool, it re-imports the
caller's `__main__`: a script that starts one needs the `if __name__ == "__main__":` guard.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

START_METHOD = "spawn"


def process_pool(tasks: int) -> ProcessPoolExecutor:
    """A spawn-context pool with one worker per core, never more than `tasks`."""
    workers = max(1, min(os.cpu_count() or 1, tasks))
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(START_METHOD))
