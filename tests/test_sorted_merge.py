"""Partial outputs merged range by range equal one sort of everything."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest

from screening.data.sorted_merge import key_ranges, merge_sorted

BY, DESC = ["passenger_id", "score", "alert_id"], [False, True, False]


def _parts(tmp_path, seed: int, n: int, k: int) -> tuple[list, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    frame = pl.DataFrame(
        {
            # Few distinct ids (ties across parts) and some nulls.
            "passenger_id": [None if x == 0 else f"P{x:03d}" for x in rng.integers(0, 40, n)],
            "score": rng.integers(0, 5, n) / 4,
            "alert_id": [f"a{i:05d}" for i in rng.permutation(n)],
            "reason": [("=SUM(A1)" if i % 7 == 0 else f"r{i}") for i in range(n)],
        }
    )
    paths = []
    for i, at in enumerate(range(0, n, -(-n // k))):
        paths.append(tmp_path / f"part-{i:06d}.parquet")
        frame.slice(at, -(-n // k)).sort(BY, descending=DESC).write_parquet(paths[-1])
    return paths, frame.sort(BY, descending=DESC, maintain_order=True)


@pytest.mark.parametrize("rows_per_range", [1, 7, 50, 10_000])
def test_parquet_merge_equals_one_sort(tmp_path, rows_per_range):
    parts, expected = _parts(tmp_path, 1, 600, 5)
    out = tmp_path / "out.parquet"
    merge_sorted(parts, out, BY, DESC, rows_per_range=rows_per_range)
    assert pl.read_parquet(out).equals(expected)
    assert not list(tmp_path.glob(".*"))  # no range files left behind


def test_csv_merge_equals_one_sort_with_formula_guard(tmp_path):
    parts, expected = _parts(tmp_path, 2, 300, 3)
    out = tmp_path / "out.csv"
    merge_sorted(parts, out, BY, DESC, rows_per_range=20)
    got = pl.read_csv(out, schema=expected.schema)
    assert got.height == expected.height
    assert got["alert_id"].to_list() == expected["alert_id"].to_list()
    assert (
        got["reason"].str.starts_with("'=").sum() == expected["reason"].str.starts_with("=").sum()
    )
    assert out.read_text().count("passenger_id") == 1  # one header


def test_ranges_never_split_a_key_and_cover_every_row(tmp_path):
    parts, expected = _parts(tmp_path, 3, 500, 4)
    lazy = pl.scan_parquet(parts)
    ranges = key_ranges(lazy, "passenger_id", 30)
    sizes = [lazy.filter(r).select(pl.len()).collect().item() for r in ranges]
    assert sum(sizes) == expected.height
    owners = [lazy.filter(r).select("passenger_id").unique().collect() for r in ranges]
    ids = pl.concat(owners)["passenger_id"]
    assert ids.n_unique() == ids.len()  # each id (and null) in exactly one range
    assert len(ranges) > 5


def test_no_parts_gives_an_empty_file_with_the_schema(tmp_path):
    out = tmp_path / "out.parquet"
    merge_sorted([], out, BY, DESC, schema={c: pl.String for c in BY})
    assert pl.read_parquet(out).columns == BY


def _in_order_parts(tmp_path, n: int, k: int) -> tuple[list, pl.DataFrame]:
    """Parts each sorted, each one's passengers all after the previous one's."""
    rng = np.random.default_rng(4)
    frame = pl.DataFrame(
        {
            "passenger_id": [f"P{x:03d}" for x in np.sort(rng.integers(0, 90, n))],
            "score": rng.integers(0, 5, n) / 4,
            "alert_id": [f"a{i:05d}" for i in rng.permutation(n)],
            "reason": [("=SUM(A1)" if i % 7 == 0 else f"r{i}") for i in range(n)],
        }
    ).sort(BY, descending=DESC)
    cuts = np.flatnonzero(frame["passenger_id"].ne(frame["passenger_id"].shift(1)).to_numpy())
    bounds = [0, *cuts[len(cuts) // k :: len(cuts) // k][: k - 1].tolist(), n]
    paths = []
    for i, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        paths.append(tmp_path / f"part-{i:06d}.parquet")
        frame.slice(lo, hi - lo).write_parquet(paths[-1])
    return paths, frame


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".json"])
def test_groups_in_order_are_copied_as_they_are(tmp_path, suffix):
    """A group whose parts follow one another gives the rows of one sort, as a merged
    group does; groups stay in their order."""
    from screening.data.sorted_merge import merge_sorted_groups

    ordered, expected = (
        _in_order_parts(tmp_path / "a", 400, 4) if (tmp_path / "a").mkdir() is None else None
    )
    shuffled, expected_b = _parts(tmp_path, 5, 300, 3)
    assert len(ordered) == 4
    out = tmp_path / f"out{suffix}"
    merge_sorted_groups([ordered, shuffled], out, BY, DESC, rows_per_range=30, sorted_parts=True)
    both = pl.concat([expected, expected_b])
    if suffix == ".parquet":
        assert pl.read_parquet(out).equals(both)
    elif suffix == ".csv":
        got = pl.read_csv(out, schema=both.schema)
        assert got["alert_id"].to_list() == both["alert_id"].to_list()
        assert (
            got["reason"].str.starts_with("'=").sum() == both["reason"].str.starts_with("=").sum()
        )
        assert out.read_text().count("passenger_id") == 1
    else:
        assert pl.read_json(out)["alert_id"].to_list() == both["alert_id"].to_list()


def test_spooled_parts_in_passenger_order_are_flagged_and_others_merged(tmp_path):
    """Spooled's parts that begin after the previous one ended are told apart; either way
    its file is the sorted run."""
    from screening.data.sorted_merge import parts_follow
    from screening.travel.output import NOTIFICATION_COLUMNS, OUTPUT_COLUMNS, Spooled

    def alerts(ids: list[str]) -> pl.DataFrame:
        cols = {c: [None] * len(ids) for c in OUTPUT_COLUMNS}
        cols |= {"passenger_id": ids, "alert_id": [f"api:{i}:{n}" for n, i in enumerate(ids)]}
        cols |= {"score": [0.5] * len(ids), "kind": ["watchlist"] * len(ids)}
        return pl.DataFrame(cols, schema=OUTPUT_COLUMNS)

    none = pl.DataFrame(schema=NOTIFICATION_COLUMNS)
    for name, chunks, in_order in (
        ("follow", [["P1", "P2"], ["P3"], ["P4", "P5"]], True),
        ("cross", [["P1", "P3"], ["P2"], ["P4"]], False),  # an associate across chunks
    ):
        (tmp_path / name).mkdir()
        sink = Spooled(tmp_path / name)
        for ids in chunks:
            sink.add("api", alerts(ids), none)
        parts = sorted((tmp_path / name).glob("alerts-*.parquet"))
        assert parts_follow(parts, "passenger_id") is in_order
        out = tmp_path / f"{name}.parquet"
        sink.write(out)
        got = pl.read_parquet(out)["passenger_id"].to_list()
        assert got == sorted(p for ids in chunks for p in ids)


@pytest.mark.parametrize(
    "case",
    [
        "follow",  # appended as they come, moved into place
        "stages",  # pnr then api: each stage's passengers start again
        "cross",  # an associate across chunks: what was appended goes back to Parquet
        "earlier stage",  # a pnr part after an api part
        "formula",  # a cell a spreadsheet would run: spooled, guarded when written
        "same passenger",  # in two parts: their rows merged by score and id
    ],
)
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_target_takes_the_parts_as_they_come_and_is_the_merged_file(tmp_path, case, suffix):
    """Spooled told its CSV or Parquet target appends parts that follow one another to
    it; at the first that does not, it falls back to merging. The file is the same
    either way (byte for byte as CSV)."""
    from screening.travel.output import NOTIFICATION_COLUMNS, OUTPUT_COLUMNS, Spooled

    def alerts(stage: str, ids: list[str], reason: str = "name 1.0") -> pl.DataFrame:
        cols = {c: [None] * len(ids) for c in OUTPUT_COLUMNS}
        cols |= {"passenger_id": ids, "alert_id": [f"{stage}:{i}:{n}" for n, i in enumerate(ids)]}
        cols |= {"score": [0.5] * len(ids), "kind": ["watchlist"] * len(ids)}
        cols |= {
            "stage": [stage] * len(ids),
            "reason": [reason] * len(ids),
            "notify": [""] * len(ids),
        }
        return pl.DataFrame(cols, schema=OUTPUT_COLUMNS)

    parts = {
        "follow": [("api", ["P1", "P2"]), ("api", ["P3"]), ("api", ["P4", "P5"])],
        "stages": [("pnr", ["P2", "P3"]), ("api", ["P1"]), ("api", ["P4"])],
        "cross": [("api", ["P1", "P3"]), ("api", ["P4"]), ("api", ["P2"]), ("api", ["P5"])],
        "earlier stage": [("api", ["P1"]), ("pnr", ["P2"]), ("api", ["P3"])],
        "formula": [("api", ["P1"]), ("api", ["P2"], "=HYPERLINK()"), ("api", ["P3"])],
        "same passenger": [("api", ["P1", "P2"]), ("api", ["P2", "P3"])],
    }[case]
    none = pl.DataFrame(schema=NOTIFICATION_COLUMNS)
    files = {}
    for how in ("merged", "direct"):
        (tmp_path / how).mkdir()
        out = tmp_path / how / f"alerts{suffix}"
        sink = Spooled(tmp_path / how / "spool", direct=out if how == "direct" else None)
        (tmp_path / how / "spool").mkdir()
        for stage, ids, *reason in parts:
            sink.add(stage, alerts(stage, ids, *reason), none)
        sink.write(out)
        appended = not list((tmp_path / how / "spool").glob("alerts-*.parquet"))
        files[how] = out.read_bytes() if suffix == ".csv" else pl.read_parquet(out)
        expect_appended = case in ("follow", "stages") or (case == "formula" and suffix != ".csv")
        assert appended is (how == "direct" and expect_appended)
    if suffix == ".csv":
        assert files["direct"] == files["merged"]
        got = pl.read_csv(tmp_path / "direct" / "alerts.csv", schema=OUTPUT_COLUMNS)
    else:
        assert files["direct"].equals(files["merged"])
        got = files["direct"]
    expected = sorted(
        ((s, i) for s, ids, *_ in parts for i in ids),
        key=lambda x: (["pnr", "api"].index(x[0]), x[1]),
    )
    assert list(zip(got["stage"], got["passenger_id"], strict=True)) == expected
    if case == "formula":  # guarded in CSV only
        assert got["reason"].to_list()[1] == ("'" if suffix == ".csv" else "") + "=HYPERLINK()"


def test_parts_that_follow_one_another_are_told_by_their_statistics(tmp_path):
    """merge_sorted(sorted_parts=True) copies parts whose key ranges follow one another
    (as the Dask engine's partitions of a manifest in passenger order); parts that
    overlap, or carry null keys, are merged; either way the file is one sort."""
    from screening.data.sorted_merge import parts_follow

    (tmp_path / "a").mkdir()
    ordered, expected = _in_order_parts(tmp_path / "a", 400, 4)
    shuffled, expected_b = _parts(tmp_path, 6, 300, 3)
    assert parts_follow(ordered, "passenger_id")
    assert not parts_follow(list(reversed(ordered)), "passenger_id")
    assert not parts_follow(shuffled, "passenger_id")  # overlapping, with nulls
    for parts, want in (
        (ordered, expected),
        (list(reversed(ordered)), expected),
        (shuffled, expected_b),
    ):
        out = tmp_path / "out.parquet"
        merge_sorted(parts, out, BY, DESC, rows_per_range=30, sorted_parts=True)
        assert pl.read_parquet(out).equals(want)
