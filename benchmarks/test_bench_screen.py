"""pytest-benchmark suite for the screening stages on the `standard` scenario (generated
in a fixture, not committed). Not part of the normal test run:

    .venv/bin/python -m pytest benchmarks/test_bench_screen.py --benchmark-only
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from screening.data.lists import from_generated
from screening.generate.scenario import load_scenario
from screening.generate.world import generate_world
from screening.linkage.blocking import fold_document
from screening.linkage.comparisons.names import name_arrays, name_similarity, token_overlap
from screening.linkage.index import build_index
from screening.linkage.normalize import name_forms
from screening.linkage.screen import blocked_candidates, screen


@pytest.fixture(scope="module")
def world():
    return generate_world(load_scenario("standard"), 7)


@pytest.fixture(scope="module")
def index(world):
    return build_index(from_generated(world["watchlist"], world["watchlist_names"]))


@pytest.fixture(scope="module")
def forms(world):
    return name_forms(world["passengers"])


@pytest.fixture(scope="module")
def pairs(world, index, forms):
    doc = world["passengers"].select(fold_document(pl.col("doc_number"))).to_series()
    return blocked_candidates(index, world["passengers"], forms, doc)[:2]


def test_normalize(benchmark, world):
    benchmark.pedantic(name_forms, args=(world["passengers"],), rounds=3)


def test_index_build(benchmark, world):
    rows = from_generated(world["watchlist"], world["watchlist_names"])
    benchmark.pedantic(build_index, args=(rows,), rounds=3)


def test_block(benchmark, world, index, forms):
    doc = world["passengers"].select(fold_document(pl.col("doc_number"))).to_series()
    pi, _, _ = benchmark.pedantic(
        blocked_candidates, args=(index, world["passengers"], forms, doc), rounds=3
    )
    assert len(pi) > 0


def test_compare_names(benchmark, index, forms, pairs):
    pi, li = pairs
    arrays = name_arrays(forms)

    def run():
        s_set = token_overlap(arrays, index.arrays, pi, li)
        return name_similarity(arrays, index.arrays, pi, li, s_set)

    sim, _ = benchmark.pedantic(run, rounds=3)
    assert np.isfinite(sim).all()


def test_whole_screen(benchmark, world, index):
    result = benchmark.pedantic(screen, args=(index, world["passengers"]), rounds=3)
    assert result.alerts.height > 0
