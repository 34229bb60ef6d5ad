import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.linkage.hashed import Directory, find

u64 = st.integers(0, 2**64 - 1)


def _exact(hashes: np.ndarray, q: np.ndarray) -> np.ndarray:
    at = np.minimum(np.searchsorted(hashes, q), max(len(hashes) - 1, 0))
    return (
        np.where((len(hashes) > 0) & (hashes[at] == q), at, -1)
        if len(hashes)
        else -np.ones(len(q), np.int64)
    )


@settings(max_examples=60, deadline=None)
@given(st.sets(u64, max_size=300), st.lists(u64, max_size=50), st.integers(0, 3))
def test_directory_finds_what_a_binary_search_finds(values, others, crowd):
    # `crowd` piles values into one bucket (far from uniform: more steps per bucket).
    crowded = {v >> (crowd * 16) for v in values} if crowd else values
    hashes = np.array(sorted(crowded), dtype=np.uint64)
    q = np.array([*list(crowded)[:50], *others], dtype=np.uint64)
    d = Directory.of(hashes)
    assert np.array_equal(find(hashes, d, q), _exact(hashes, q))


def test_a_crowded_bucket_is_searched_to_its_end():
    # Every hash in bucket 0, 200 wide: a search that stopped short of the bucket's
    # width (or ran past its end) would miss 199 or find the absent 200.
    hashes = np.arange(200, dtype=np.uint64)
    d = Directory.of(hashes)
    assert d.width == 200
    q = np.array([0, 5, 198, 199, 200, 2**63, 2**64 - 1], dtype=np.uint64)
    assert find(hashes, d, q).tolist() == [0, 5, 198, 199, -1, -1, -1]


@settings(max_examples=60, deadline=None)
@given(st.lists(u64, max_size=300), st.lists(u64, max_size=50))
def test_a_day_and_a_flight_find_the_same_list_keys(values, others):
    """HashedKeys.contains: a day's many keys (a hash set) and a flight's few (the
    directory) answer alike, repeated and top-bit keys included."""
    from screening.linkage.blocking import HashedKeys

    keys = HashedKeys.of(
        pl.DataFrame(
            {"key": np.array(values, np.uint64), "l": np.arange(len(values), dtype=np.int64)}
        )
    )
    q = np.array([*values[:50], *others], dtype=np.uint64)
    day, flight = keys.contains(q, hash_join_from=-1), keys.contains(q, hash_join_from=10**9)
    assert np.array_equal(day, flight)
    assert np.array_equal(flight, np.isin(q, np.array(values, np.uint64)))
