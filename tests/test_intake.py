"""Intake of user manifests: every row with a readable name is screened, whatever else is
wrong with it; problems name file, row and field."""

from __future__ import annotations

import polars as pl
import pytest

from screening.data import intake
from screening.engines.partitions import Job, load, plan

HEADER = (
    "passenger_id,surname,given_names,dob,sex,nationality,doc_type,doc_number,doc_issuer,doc_expiry"
)
ROWS = [
    "P1,NASR,OMAR,1975-02-30,m,egy,P,X1,EGY,2030-01-01",
    "P2,SMITH,JOHN,1980-01-01,U,GBR,P,X2,GBD,",
    "P3,,,1980-01-01,M,GBR,P,X3,GBR,2030-01-01",
    "P4,LEE,MIN,1990-05-05,M,KOR,P,X4,KOR,2030-01-01",
]


def _raw(rows: list[str]) -> pl.DataFrame:
    return pl.read_csv((HEADER + "\n" + "\n".join(rows) + "\n").encode(), infer_schema=False)


def test_bad_fields_are_missing_and_noted_not_fatal():
    got = intake.manifest(_raw(ROWS), "m.csv", row_offset=100)
    f = got.frame
    assert f["passenger_id"].to_list() == ["P1", "P2", "P4"]
    assert f["dob"].to_list()[0] is None and f["sex"].to_list() == ["M", None, "M"]
    assert f["nationality"].to_list() == ["EGY", "GBR", "KOR"]
    assert f["doc_issuer"][1] == "GBD"  # an ICAO code is a code
    assert f["data_quality"].to_list() == [
        "dob: unreadable or impossible date (expected YYYY-MM-DD)",
        None,
        None,
    ]
    # Rows are the file's: header is row 1, and 100 data rows came before this part.
    assert got.problems.select("file", "row", "field", "action").rows() == [
        ("m.csv", 102, "dob", intake.SCREENED),
        ("m.csv", 104, "surname", intake.NOT_SCREENED),
    ]
    assert got.unscreened.height == 1


def test_a_partition_with_undecodable_bytes_is_screened(tmp_path):
    """The Dask engine reads row ranges: bytes that are not UTF-8 become U+FFFD, and the
    row is screened and reported, not the partition lost."""
    path = tmp_path / "m.csv"
    body = (HEADER + "\n" + "\n".join(ROWS) + "\n").encode()
    path.write_bytes(
        body + "P5,M\xdcLLER,HANS,1970-01-01,M,DEU,P,X5,DEU,2030-01-01\n".encode("latin-1")
    )
    parts = plan(path, 3)
    assert [(p.offset, p.length) for p in parts] == [(0, 3), (3, 2)]
    frame, problems = load(parts[1], Job())
    assert frame["passenger_id"].to_list() == ["P4", "P5"]
    assert frame["surname"][1] == "M\ufffdLLER"
    assert problems.select("row", "field").rows() == [(6, "surname")]
    assert "not valid UTF-8" in problems["problem"][0]
    with pytest.raises(intake.InputError):
        load(parts[1], Job(on_error="fail"))


def test_a_list_name_with_an_unreadable_date_is_kept_without_it():
    raw = pl.DataFrame(
        {
            "entry_id": ["E1", "E1", "", "E3"],
            "surname": ["HASHIMI", "HASHIMI", "DOE", ""],
            "given_names": ["ABU OMAR", "OMAR", "JANE", ""],
            "dob": ["1975-13", "1975-03", "1980", "1990"],
            "sex": ["M", "M", "F", "M"],
            "nationality": ["IRQ", "IRQ", "USA", "USA"],
            "doc_number": [None, None, None, None],
            "doc_issuer": [None, None, None, None],
        }
    )
    got = intake.watchlist(raw, "list.csv")
    assert got.frame.select("entry_id", "given_names", "dob").rows() == [
        ("E1", "ABU OMAR", None),
        ("E1", "OMAR", "1975-03"),
    ]
    assert got.problems.select("row", "field", "action").rows() == [
        (2, "dob", intake.SCREENED),
        (4, "entry_id", intake.NOT_SCREENED),
        (5, "surname", intake.NOT_SCREENED),
    ]
