"""The default matcher: blocking keys, multi-view name similarity, frequency-aware
Fellegi–Sunter scoring (screening.linkage.screen)."""

from __future__ import annotations

import polars as pl

from screening.linkage.index import WatchlistIndex, build_index
from screening.linkage.population import Population
from screening.linkage.screen import ScreenResult, screen
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
