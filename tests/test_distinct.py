"""Distinct values, the pair memo and the ranking of pairs: the same answers whichever way
(numpy, polars, threads at once) they are computed."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from screening.linkage.distinct import Once, PairMemo, distinct, first_seen_codes
from screening.linkage.explain import _ranked


@settings(max_examples=200, deadline=None)
@given(
    arrays(
        np.int64, st.integers(0, 300), elements=st.integers(-(2**62), 2**62) | st.integers(0, 9)
    ),
    st.sampled_from([0, 1, 10**9]),
)
def test_distinct_is_numpys_unique(values, polars_from):
    _, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    got_first, got_inverse = distinct(values, polars_from=polars_from)
    assert got_first.tolist() == first.tolist()
    assert got_inverse.tolist() == inverse.reshape(-1).tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["", "ALI", "ALY", "ZHANG WEI", "zhang wei"]), max_size=40))
def test_first_seen_codes_number_values_in_order_of_first_appearance(values):
    seen: dict[str, int] = {}
    expected = [seen.setdefault(v, len(seen)) for v in values]
    assert first_seen_codes(pl.Series(values, dtype=pl.String)).tolist() == expected


def test_range_positions_concatenate_the_ranges_empty_ones_included():
    from screening.linkage.ragged import range_positions

    got = range_positions(np.array([5, 0, 9, 2]), np.array([2, 0, 3, 1]))
    assert got.tolist() == [5, 6, 9, 10, 11, 2]
    assert range_positions(np.array([], dtype=np.int64), np.array([], dtype=np.int64)).size == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 60), max_size=30), max_size=6))
def test_a_pair_memo_returns_what_was_added_for_exactly_the_codes_added(batches):
    """Codes added in batches (repeats within and across batches) come back with their
    own values, in the order asked; codes never added are not found."""
    value = lambda c: c * 10 + 3  # noqa: E731 - each code's value is its own
    memo, added = PairMemo(), set()
    for batch in batches:
        codes = np.array(batch, np.int64)
        memo.add(codes, {"v": value(codes).astype(np.float32), "w": (codes % 7).astype(np.int8)})
        added |= set(batch)
        ask = np.arange(-1, 62, dtype=np.int64)[::-1]
        found, known = memo.get(ask)
        assert set(ask[found].tolist()) == added and len(memo) == len(added)
        assert known["v"].tolist() == value(ask[found]).astype(np.float32).tolist()
        assert known["w"].tolist() == (ask[found] % 7).tolist()


def test_a_pair_memo_keeps_every_code_added_from_threads_at_once():
    memo = PairMemo()
    batches = [np.arange(k, 200_000, 7, dtype=np.int64) for k in range(8)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda c: memo.add(c, {"v": c * 2}), batches))
    found, known = memo.get(np.arange(200_000, dtype=np.int64))
    assert found.all() and (known["v"] == np.arange(200_000) * 2).all()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 5),  # passenger
            st.integers(0, 8),  # list row (identity: row // 3)
            st.sampled_from([0.2, 0.5, 0.5, 0.9]),  # score: ties on purpose
            st.sampled_from([0.6, 0.8, 0.8]),  # name score
        ),
        max_size=60,
    ),
    st.sampled_from([0.0, 0.5]),
)
def test_ranking_pairs_in_polars_gives_numpys_order(pairs, threshold):
    """A chunk's pairs are ranked by polars, a flight's by numpy: the same positions,
    ties kept in the order the pairs came."""
    p, li, score, name = (
        (np.array(c) for c in zip(*pairs, strict=True))
        if pairs
        else [
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0),
            np.zeros(0),
        ]
    )
    p, li = p.astype(np.int64), li.astype(np.int64)
    entry = li // 3
    by_numpy = _ranked(p, entry, li, score, name, threshold, polars_from=10**9)
    by_polars = _ranked(p, entry, li, score, name, threshold, polars_from=0)
    assert by_polars.tolist() == by_numpy.tolist()


def test_a_value_chunks_share_is_worked_out_once():
    """Chunks in threads asking at once get one value, made by one of them."""
    import threading
    import time

    once, made = Once(), []
    lock = threading.Lock()

    def make() -> list[int]:
        with lock:
            made.append(1)
        time.sleep(0.05)  # the others ask meanwhile
        return [len(made)]

    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda _: once.get(make), range(8)))
    assert made == [1]
    assert all(g is got[0] for g in got)
