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
