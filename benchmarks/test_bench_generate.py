"""pytest-benchmark suite for the generator stages (not part of the normal test run).

.venv/bin/python -m pytest benchmarks/ --benchmark-only
"""

from __future__ import annotations

import numpy as np
import pytest

from screening.generate.names import build_name_table
from screening.generate.scenario import load_scenario
from screening.generate.world import generate_world


@pytest.fixture(scope="module")
def table():
    return build_name_table()


def test_build_name_pools(benchmark):
    benchmark(build_name_table)


def test_sample_one_million_surnames(benchmark, table):
    origin = np.random.default_rng(0).integers(0, len(table.origins), 1_000_000).astype(np.int16)
    benchmark(lambda: table.sample(np.random.default_rng(1), origin, 2))


@pytest.mark.parametrize("scenario", ["teaching", "standard"])
def test_generate_world(benchmark, scenario):
    s = load_scenario(scenario)
    world = benchmark.pedantic(generate_world, args=(s, 7), rounds=3, iterations=1)
    assert world["passengers"].height > 0
