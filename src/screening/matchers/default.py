"""The default matcher: blocking keys, multi-view name similarity, frequency-aware
Fellegi–Sunter scoring (screening.linkage.screen)."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from screening.linkage.index import WatchlistIndex, build_index
from screening.linkage.population import Population
from screening.linkage.screen import ScreenResult, screen, screen_chunks
from screening.linkage.settings import Settings


class DefaultMatcher:
    name = "default"
    index_kind = "watchlist_index"

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()

    def build(self, rows: pl.DataFrame) -> WatchlistIndex:
        return build_index(rows, self.settings)

    def screen(
        self,
        index: WatchlistIndex,
        passengers: pl.DataFrame,
        threshold: float,
        top_k: int,
        population: Population | None = None,
    ) -> ScreenResult:
        return screen(index, passengers, threshold=threshold, top_k=top_k, population=population)

    def screen_chunks(
        self,
        index: WatchlistIndex,
        passengers: pl.DataFrame,
        threshold: float,
        top_k: int,
        population: Population | None = None,
    ) -> Iterator[tuple[int, int, ScreenResult]]:
        """screen() a chunk of passengers at a time (screening.linkage.screen.screen_chunks)."""
        return screen_chunks(
            index, passengers, threshold=threshold, top_k=top_k, population=population
        )
