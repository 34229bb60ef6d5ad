"""A manifest screened in parts, with the whole manifest's population statistics, gives
exactly the alerts of one run: what lets any engine partition the work."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.data.lists import from_generated
from screening.generate.scenario import load_scenario
from screening.generate.world import generate_world
from screening.linkage.matcher import screen_with
from screening.linkage.population import (
    Population,
    combine,
    population_stats,
    sample_bound,
    sample_complete,
)
from screening.linkage.scoring import CountLookup, counts_of
from screening.matchers import get_matcher


@pytest.fixture(scope="module")
def world():
    return generate_world(load_scenario("teaching"), 3)


@pytest.mark.parametrize("matcher", ["default", "bruteforce", "gtas"])
@pytest.mark.parametrize("parts", [2, 7])
def test_partitions_with_the_whole_population_equal_one_run(world, matcher, parts):
    m = get_matcher(matcher)
    rows = from_generated(world["watchlist"], world["watchlist_names"])
    index = m.build(rows)
    passengers = world["passengers"]
    whole = m.screen(index, passengers, 0.05, 10).alerts
    size = -(-passengers.height // parts)
    chunks = [passengers.slice(i * size, size) for i in range(parts)]
    pop = combine([population_stats(c) for c in chunks])
    split = pl.concat([screen_with(m, index, c, 0.05, 10, pop).alerts for c in chunks])
    key = ["passenger_id", "entry_id"]
    assert split.sort(key).equals(whole.sort(key))
    if matcher == "default":
        # Without the whole population each part counts names alone and scores move.
        alone = pl.concat([m.screen(index, c, 0.05, 10).alerts for c in chunks])
        assert not alone.sort(key).equals(whole.sort(key))


@pytest.mark.parametrize("k", [60, 400])
def test_partitions_keeping_sample_rows_under_a_bound_give_the_whole_sample(world, k):
    """A partition keeps only its sample rows under population.sample_bound; together they
    hold the manifest's k smallest hashes, so the combined sample is the one-run sample.
    Where a bound left too few, sample_complete says so (the engine counts again)."""
    passengers = world["passengers"]
    n = passengers.height
    assert n > 2 * k  # the bound is in force
    whole = population_stats(passengers, sample_size=k)
    chunks = [passengers.slice(i * 300, 300) for i in range(-(-n // 300))]
    under = sample_bound(k, n)
    parts = [population_stats(c, sample_size=k, sample_under=under) for c in chunks]
    assert sum(p.sample.height for p in parts) < min(n, k * len(chunks))  # rows dropped
    together = combine(parts, k)
    assert together.sample.equals(whole.sample) and sample_complete(together, k)
    starved = sample_bound(k, n, margin=0.1)
    short = combine([population_stats(c, sample_size=k, sample_under=starved) for c in chunks], k)
    assert not sample_complete(short, k)
    assert sample_bound(k, 2 * k) is None and sample_bound(k, 0) is None


def test_counts_are_looked_up_alike_by_binary_search_and_by_join():
    table = pl.DataFrame({"tok": ["ALI", "KIM", "LEE", "ZHANG"], "n": [3.0, 5.0, 1.0, 2.0]})
    values = pl.Series(["LEE", "NOBODY", "ALI", "ZZZ", "AAA", None, "ALI"])
    expected = [1.0, 0.0, 3.0, 0.0, 0.0, 0.0, 3.0]
    by_search = counts_of(table.sort("tok"), "tok", values)  # sorted: binary search
    by_join = counts_of(table, "tok", values)  # not known to be sorted: a join
    assert by_search.tolist() == expected and by_join.tolist() == expected
    assert counts_of(table.sort("tok"), "tok", values, few=2).tolist() == expected
    hashed = CountLookup.of(table, "tok")
    assert counts_of(table, "tok", values, lookup=lambda: hashed).tolist() == expected
    empty = table.clear()
    assert CountLookup.of(empty, "tok").get(values).tolist() == [0.0] * len(values)


class _Untouchable(pl.DataFrame):
    def __getitem__(self, item):  # type: ignore[override]
        raise AssertionError("the count table was read for no values")

    def join(self, *args, **kwargs):  # type: ignore[override]
        raise AssertionError("the count table was joined for no values")


def test_no_values_are_counted_without_reading_the_table():
    # A flight with no names left to count joined a day's whole table: 10 ms for nothing.
    table = _Untouchable({"tok": ["ALI", "KIM"], "n": [3.0, 5.0]})
    none = pl.Series([], dtype=pl.String)
    got = counts_of(table, "tok", none)
    assert got.dtype == np.float64 and len(got) == 0


@settings(max_examples=30, deadline=None)
@given(
    st.dictionaries(st.text("ABKLZ ", max_size=6), st.integers(1, 9), max_size=30),
    st.lists(st.text("ABKLZ ", max_size=6), min_size=1, max_size=30),
)
def test_hashed_count_lookup_equals_a_join(counts, values):
    table = pl.DataFrame(
        {"tok": list(counts), "n": [float(v) for v in counts.values()]},
        schema={"tok": pl.String, "n": pl.Float64},
    )
    wanted = pl.Series(values, dtype=pl.String)
    by_join = counts_of(table, "tok", wanted, few=0)
    assert CountLookup.of(table, "tok").get(wanted).tolist() == by_join.tolist()


def test_kept_name_forms_serve_only_the_manifest_they_came_from(world):
    """A population prepared ahead keeps its manifest's name forms; another manifest (a
    name changed, a row fewer) gets none and has its own folded; a partition keeps none."""
    from screening.linkage.normalize import SCREENING_FORMS, name_forms

    passengers = world["passengers"]
    pop = population_stats(passengers, keep_forms=True)
    assert pop.forms_of(passengers).equals(name_forms(passengers, SCREENING_FORMS))
    renamed = passengers.with_columns(
        pl.when(pl.int_range(pl.len()) == 5)
        .then(pl.lit("ZZYZX"))
        .otherwise("surname")
        .alias("surname")
    )
    assert pop.forms_of(renamed) is None
    assert pop.forms_of(passengers.head(passengers.height - 1)) is None
    assert population_stats(passengers).forms is None
    assert combine([pop, pop]).forms is None


def test_a_large_manifests_counts_made_side_by_side_equal_those_made_in_turn(world, monkeypatch):
    """From THREADED_FROM travellers (here lowered to one) the token counts, the name
    counts and the sample are made on threads: the same population."""
    import screening.linkage.population as population

    passengers = world["passengers"]
    in_turn = population_stats(passengers, keep_forms=True)
    monkeypatch.setattr(population, "THREADED_FROM", 1)
    side_by_side = population_stats(passengers, keep_forms=True)
    for field in ("token_counts", "name_counts", "sample", "forms"):
        assert getattr(side_by_side, field).equals(getattr(in_turn, field))
    assert (side_by_side.token_total, side_by_side.size) == (in_turn.token_total, in_turn.size)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.none() | st.text("ABKLZé ", max_size=5), st.integers(1, 9), max_size=12),
        min_size=1,
        max_size=9,
    ),
    st.booleans(),
)
def test_count_tables_summed_by_merging_equal_those_sorted_again(tables, sort_them):
    """Sorted tables are merged, not sorted again (`_counts` of a list); a table that is not
    sorted is summed as before; null keys (a traveller with no name) stay first."""
    frames = [
        pl.DataFrame(
            {"sorted_core": list(t), "n": list(t.values())},
            schema={"sorted_core": pl.String, "n": pl.UInt32},
        )
        for t in tables
    ]
    if sort_them:
        frames = [f.sort("sorted_core") for f in frames]
    expected = pl.concat(frames).group_by("sorted_core").agg(pl.col("n").sum()).sort("sorted_core")
    got = combine(
        [Population(f.rename({"sorted_core": "tok"}), 0, name_counts=f, size=0) for f in frames]
    )
    assert got.name_counts.equals(expected)
    assert got.token_counts.equals(expected.rename({"sorted_core": "tok"}))
