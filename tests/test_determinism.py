import hashlib

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from screening.data.io import write_tables
from screening.generate.scenario import Scenario
from screening.generate.world import TABLES, generate_world
from tests.conftest import scenario_with


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_gives_byte_identical_files(tmp_path, teaching):
    for fmt in ("parquet", "csv"):
        again = generate_world(teaching.scenario, teaching.seed)
        a = write_tables(teaching.tables, tmp_path / f"a-{fmt}", fmt, meta={"seed": 3})
        b = write_tables(again.tables, tmp_path / f"b-{fmt}", fmt, meta={"seed": 3})
        assert [p.name for p in a] == [p.name for p in b]
        assert _digests(tmp_path / f"a-{fmt}") == _digests(tmp_path / f"b-{fmt}")
        assert {f"{t}.{fmt}" for t in TABLES} | {"scenario.json"} == {p.name for p in a}


def test_another_seed_gives_another_world(teaching):
    other = generate_world(teaching.scenario, teaching.seed + 1)
    assert not other["passengers"].equals(teaching["passengers"])
    assert not other["watchlist_names"].equals(teaching["watchlist_names"])


TINY = scenario_with(
    Scenario(),
    population={"passengers": 300, "listed_identities": 40, "mated_share": 0.05},
    documents={"lost_stolen_records": 50},
)


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_any_seed_is_reproducible(seed):
    a, b = generate_world(TINY, seed), generate_world(TINY, seed)
    for name in TABLES:
        assert_frame_equal(a[name], b[name])
    assert a["passengers"].height > 0
    assert a["truth"]["passenger_id"].equals(a["passengers"]["passenger_id"])
    assert isinstance(a["passengers"], pl.DataFrame)
