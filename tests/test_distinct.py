"""distinct() is np.unique's first index and inverse, whichever way it is computed."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from screening.linkage.distinct import distinct


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
