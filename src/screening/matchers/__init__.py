"""Pluggable matchers: index a watch list once, screen manifests into scored alerts.

Every matcher, ours and the baselines, returns the same alert frame, so one evaluation
serves all. A researcher's matcher is any class with `name`, `build(rows)` and
`screen(index, passengers, threshold, top_k)`; pass it as `module:Class`. A matcher whose
scores depend on the screened population (name frequencies) also takes the keyword
`population` (screening.linkage.population.Population), so that a manifest screened in
partitions scores exactly as one run.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from typing import Any, Protocol

import polars as pl

from screening.screen import ScreenResult


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
        """Scored watch-list alerts (columns of screening.screen.ALERT_COLUMNS)."""
        ...


def registry() -> dict[str, type]:
    from screening.matchers.baselines import (
        BruteForceMatcher,
        ExactMatcher,
        GtasMatcher,
        OfacMatcher,
        SoundexMatcher,
    )
    from screening.matchers.default import DefaultMatcher

    found = {
        m.name: m
        for m in (
            DefaultMatcher,
            ExactMatcher,
            SoundexMatcher,
            BruteForceMatcher,
            GtasMatcher,
            OfacMatcher,
        )
    }
    return found | peers()


PEER_EXTRA = "pip install 'screening[peers]'"


def peers() -> dict[str, type]:
    """Peer matchers whose libraries are installed (optional extra screening[peers])."""
    out: dict[str, type] = {}
    if importlib.util.find_spec("splink") is not None:
        from screening.matchers.splink_peer import SplinkMatcher

        out[SplinkMatcher.name] = SplinkMatcher
    if importlib.util.find_spec("nomenklatura") is not None:
        from screening.matchers.nomenklatura_peer import NOMENKLATURA

        out |= {m.name: m for m in NOMENKLATURA}
    return out


PEER_NAMES = ("splink", "nomenklatura-logic-v2", "nomenklatura-logic-v1", "nomenklatura-ofac")


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


def get_matcher(spec: str) -> Matcher:
    """A registered matcher by name, or `package.module:Class` for your own."""
    if ":" in spec:
        module, _, cls = spec.partition(":")
        try:
            return getattr(importlib.import_module(module), cls)()
        except (ImportError, AttributeError) as exc:
            raise ValueError(f"--matcher {spec}: cannot load ({exc})") from exc
    known = registry()
    if spec in PEER_NAMES and spec not in known:
        raise ValueError(f"matcher {spec!r} needs its library: {PEER_EXTRA}")
    if spec not in known:
        raise ValueError(f"unknown matcher {spec!r}; known: {', '.join(sorted(known))}")
    return known[spec]()
