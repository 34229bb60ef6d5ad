import polars as pl
import pytest

from screening.data.io import read_table, write_tables
from screening.schema import SchemaError, validate


def test_failed_write_leaves_nothing_behind(tmp_path, teaching, monkeypatch):
    calls = {"n": 0}
    real = pl.DataFrame.write_parquet

    def flaky(self, path, *a, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(self, path, *a, **kw)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", flaky)
    with pytest.raises(OSError, match="disk full"):
        write_tables(teaching.tables, tmp_path / "out", "parquet")
    assert list(tmp_path.iterdir()) == []


def test_read_table_names_the_table_and_column(tmp_path, teaching):
    path = tmp_path / "passengers.csv"
    teaching["passengers"].drop("dob").write_csv(path)
    with pytest.raises(SchemaError, match=r"passengers: missing column\(s\) \['dob'\]"):
        read_table(path, "passengers")
    with pytest.raises(ValueError, match="unknown file type"):
        read_table(tmp_path / "x.xlsx", "passengers")


def test_validate_rejects_broken_frames(teaching):
    p = teaching["passengers"]
    with pytest.raises(SchemaError, match=r"passengers\.dob: expected Date"):
        validate(p.with_columns(pl.col("dob").cast(pl.String)), "passengers")
    with pytest.raises(SchemaError, match=r"passengers\.surname: 1 null value.*row 0"):
        validate(
            p.with_columns(
                pl.when(pl.int_range(pl.len()) == 0)
                .then(None)
                .otherwise("surname")
                .alias("surname")
            ),
            "passengers",
        )
    with pytest.raises(SchemaError, match=r"passengers\.passenger_id: duplicate key"):
        validate(pl.concat([p, p.head(1)]), "passengers")
    with pytest.raises(SchemaError, match="unexpected column"):
        validate(p.with_columns(x=pl.lit(1)), "passengers")
    assert validate(p, "passengers").equals(p)


def _alerts(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {"passenger_id": [f"=P{i}" if i % 3 == 0 else f"P{i}" for i in range(n)], "score": 0.5}
    )


def test_alerts_csv_written_in_slices_equals_one_write(tmp_path, monkeypatch):
    """The CSV goes out a slice at a time (one header, every formula guarded)."""
    from screening.data import io

    whole = tmp_path / "whole.csv"
    io.write_alerts(_alerts(7), whole)
    monkeypatch.setattr(io, "CSV_SLICE_ROWS", 2)
    sliced = tmp_path / "sliced.csv"
    io.write_alerts(_alerts(7), sliced)
    assert sliced.read_bytes() == whole.read_bytes()
    lines = sliced.read_text().splitlines()
    assert len(lines) == 8 and lines[0] == "passenger_id,score" and lines[1] == "'=P0,0.5"
    empty = tmp_path / "empty.csv"
    io.write_alerts(_alerts(0), empty)
    assert empty.read_text().splitlines() == ["passenger_id,score"]


def test_failed_alerts_write_keeps_the_old_file_and_leaves_no_part(tmp_path, monkeypatch):
    """All or nothing: a write that fails half-way leaves the previous output as it was."""
    from screening.data import io

    out = tmp_path / "alerts.csv"
    io.write_alerts(_alerts(3), out)
    before = out.read_bytes()
    monkeypatch.setattr(io, "CSV_SLICE_ROWS", 2)
    calls = {"n": 0}
    real = io.guard_formulas

    def failing(frame):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(frame)

    monkeypatch.setattr(io, "guard_formulas", failing)
    with pytest.raises(OSError, match="disk full"):
        io.write_alerts(_alerts(6), out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alerts.csv"]
