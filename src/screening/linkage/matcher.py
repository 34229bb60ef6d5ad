"""The matcher protocol: index a watch list once, screen manifests into scored alerts.

Every matcher, ours and the baselines, returns the same alert frame, so one evaluation
serves all. A researcher's matcher is any class with `name`, `build(rows)` and
`screen(index, passengers, threshold, top_k)`. A matcher whose scores depend on the
screened population (name frequencies) also takes the keyword `population`
(screening.linkage.population.Population), so that a manifest screened in partitions
scores exactly as one run. A matcher that can hand its alerts over a part of the
manifest at a time, so that a run holds one part's, also has `screen_chunks` (same
arguments, yielding (first row, rows, result) per part).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any, Protocol

import polars as pl

from screening.linkage.screen import ScreenResult


class TooManyPairs(RuntimeError):
    """A matcher declines a run it would take far too long on (the bench skips it)."""


class Matcher(Protocol):
    name: str

    def build(self, rows: pl.DataFrame) -> Any:
        """Index canonical watch-list rows (screening.data.lists) once."""
        ...

    def screen(
        self, index: Any, passengers: pl.DataFrame, threshold: float, top_k: int
    ) -> ScreenResult:
        """Scored watch-list alerts (columns of screening.linkage.explain.ALERT_COLUMNS)."""
        ...


def screen_with(
    matcher: Matcher,
    index: Any,
    passengers: pl.DataFrame,
    threshold: float,
    top_k: int,
    population: Any = None,
) -> ScreenResult:
    """matcher.screen, with the whole manifest's population when the matcher takes one."""
    if population is not None and "population" in inspect.signature(matcher.screen).parameters:
        return matcher.screen(index, passengers, threshold, top_k, population=population)
    return matcher.screen(index, passengers, threshold, top_k)


def screen_parts(
    matcher: Matcher,
    index: Any,
    passengers: pl.DataFrame,
    threshold: float,
    top_k: int,
    population: Any = None,
) -> Iterator[tuple[int, int, ScreenResult]]:
    """(first row, rows, result) per part of `passengers`: the matcher's `screen_chunks` where
    it has one, else one part, screen_with's."""
    chunks = getattr(matcher, "screen_chunks", None)
    if chunks is None:
        yield (
            0,
            passengers.height,
            screen_with(matcher, index, passengers, threshold, top_k, population),
        )
    else:
        yield from chunks(index, passengers, threshold, top_k, population=population)
