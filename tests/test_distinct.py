"""distinct() is np.unique's first index and inverse, whichever way it is computed."""

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from screening.linkage.distinct import distinct, first_seen_codes


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
