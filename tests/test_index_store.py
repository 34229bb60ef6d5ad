"""A saved index loads back equal to the built one and screens the same alerts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from screening.data import lists
from screening.linkage.index import build_index
from screening.linkage.index_store import load_index, save_index
from screening.linkage.screen import screen


def test_a_saved_index_loads_equal_and_screens_the_same(research, tmp_path):
    rows = lists.from_generated(research["watchlist"], research["watchlist_names"])
    built = build_index(rows)
    folder = save_index(built, tmp_path / "index")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # renamed into place
    loaded = load_index(folder)
    for f in dataclasses.fields(built):
        a, b = getattr(built, f.name), getattr(loaded, f.name)
        if f.name == "blocks":
            for name in ("plain", "refined", "common", "common_exact"):
                x, y = getattr(a, name), getattr(b, name)
                assert np.array_equal(x.hashes, y.hashes) and np.array_equal(x.rows, y.rows)
            assert (a.stats, a.hash_join_from) == (b.stats, b.hash_join_from)
        elif f.name in ("arrays", "bounds"):
            assert a.keys() == b.keys()
            assert all(np.array_equal(a[k], b[k]) for k in a)
        elif isinstance(a, np.ndarray):
            assert np.array_equal(a, b), f.name
        elif hasattr(a, "equals"):
            assert a.equals(b), f.name
        else:
            assert a == b, f.name
    passengers = research["passengers"]
    expected = screen(built, passengers, threshold=0.0).alerts
    assert screen(loaded, passengers, threshold=0.0).alerts.equals(expected)
    # Without Python strings of its own (what each Dask worker maps): gathered per chunk.
    bare = load_index(folder, with_name_arrays=False)
    assert bare.arrays == {}
    assert screen(bare, passengers, threshold=0.0).alerts.equals(expected)
    # Built only to be saved (the Dask engine's build): no strings, the same index saved.
    for_saving = build_index(rows, with_name_arrays=False)
    assert for_saving.arrays == {}
    assert screen(for_saving, passengers, threshold=0.0).alerts.equals(expected)


def test_a_folder_that_is_not_an_index_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a saved watch-list index"):
        load_index(tmp_path)
    (tmp_path / "index.json").write_text('{"format": 0}')
    with pytest.raises(ValueError, match="index format 0"):
        load_index(tmp_path)


def test_a_saved_frame_maps_back_as_one_chunk(tmp_path):
    # polars writes 131,072 rows per batch; a list column gathered across chunks is
    # copied whole first, which cost a flight more than its own screening.
    import polars as pl

    from screening.linkage.index_store import mapped_frame, write_frame

    n = 300_000
    frame = pl.DataFrame(
        {"core": [["ALI", "HASSAN"], ["WEI"]] * (n // 2), "dob": list(range(n))}
    ).with_columns(pl.col("dob").cast(pl.Date))
    write_frame(frame, tmp_path / "f.arrow")
    mapped = mapped_frame(tmp_path / "f.arrow")
    assert mapped.n_chunks("all") == [1, 1]
    assert mapped.equals(frame)
