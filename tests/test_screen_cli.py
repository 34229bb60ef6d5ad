"""`screening screen` on user files: the happy path and each kind of bad input."""

import polars as pl
import pytest
from typer.testing import CliRunner

from screening.cli import app

runner = CliRunner()
HEADER = (
    "passenger_id,surname,given_names,dob,sex,nationality,doc_type,doc_number,doc_issuer,doc_expiry"
)
LIST = (
    "entry_id,surname,given_names,dob,sex,nationality,doc_number,doc_issuer\n"
    "E1,al-Hashimi,Abdul Rahman,1975-03-07,M,IRQ;SYR,AB1234567,IRQ\n"
    "E1,Hashimi,Abu Omar,1975,M,IRQ,,\n"
    "E2,=HYPERLINK(1),Mallory,1980,F,GBR,,\n"
)


@pytest.fixture
def files(tmp_path):
    wl = tmp_path / "list.csv"
    wl.write_text(LIST, encoding="utf-8")

    def manifest(*rows: str, name: str = "m.csv") -> str:
        path = tmp_path / name
        path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
        return str(path)

    return tmp_path, str(wl), manifest


GOOD = [
    "P1,AL HASHIMI,ABDULRAHMAN,1975-03-07,M,IRQ,P,XY0000001,IRQ,2030-01-01",
    "P2,SMITH,JOHN,1980-02-02,M,GBR,P,XY0000002,GBR,2030-01-01",
    "P3,=HYPERLINK(1),MALLORY,1980-05-05,F,GBR,P,XY0000003,GBR,2020-01-01",
]


def test_happy_path_to_stdout(files):
    _, wl, manifest = files
    r = runner.invoke(app, ["screen", manifest(*GOOD), "--watchlist", wl, "--as-of", "2026-03-01"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("alert_id,stage,passenger_id,record_locator,entry_id,name_id,kind")
    body = "\n".join(lines[1:])
    assert ",P1,,E1,E1-1,watchlist," in body
    assert ",P3,,,,document_invalid" in body and "document expired" in body
    assert "P2," not in body
    # Formula injection: a cell starting with = is neutralized in CSV output.
    assert ",=HYPERLINK" not in r.stdout
    assert "screened 3 passengers" in r.stderr


def test_output_formats(files):
    tmp, wl, manifest = files
    for ext in ("csv", "parquet", "json"):
        out = tmp / f"alerts.{ext}"
        r = runner.invoke(app, ["screen", manifest(*GOOD), "--watchlist", wl, "--out", str(out)])
        assert r.exit_code == 0, r.output
        assert out.exists() and out.stat().st_size > 0
    frame = pl.read_parquet(tmp / "alerts.parquet")
    assert frame.filter(pl.col("kind") == "watchlist")["passenger_id"].to_list() == ["P1"]


def test_bad_rows_are_reported_and_the_rest_screened(files):
    tmp, wl, manifest = files
    bad = [
        *GOOD,
        "P4,NASR,OMAR,1975-02-30,M,EGY,P,XY0000004,EGY,2030-01-01",
        "P5,,,1975-02-01,M,EGY,P,XY0000005,EGY,2030-01-01",
    ]
    out = tmp / "alerts.csv"
    r = runner.invoke(app, ["screen", manifest(*bad), "--watchlist", wl, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "2 bad row(s) set aside" in r.stderr
    rejected = pl.read_csv(tmp / "alerts.rejected.csv")
    assert rejected.select("row", "field").rows() == [(5, "dob"), (6, "surname")]
    assert "P1" in out.read_text()

    r = runner.invoke(app, ["screen", manifest(*bad), "--watchlist", wl, "--on-error", "fail"])
    assert r.exit_code == 2
    assert "row 5, field dob" in r.output and "1975-02-30" in r.output


def test_missing_column_wrong_encoding_and_malformed_files(files):
    tmp, wl, _ = files
    missing = tmp / "missing.csv"
    missing.write_text("passenger_id,surname\nP1,SMITH\n", encoding="utf-8")
    r = runner.invoke(app, ["screen", str(missing), "--watchlist", wl])
    assert r.exit_code == 2 and "missing column(s) given_names" in r.output

    latin = tmp / "latin.csv"
    latin.write_bytes(
        (
            HEADER + "\n" + GOOD[1] + "\nP9,MÜLLER,HANS,1970-01-01,M,DEU,P,X1,DEU,2030-01-01\n"
        ).encode("latin-1")
    )
    r = runner.invoke(app, ["screen", str(latin), "--watchlist", wl])
    assert r.exit_code == 2 and "row 3: not valid UTF-8" in r.output

    ragged = tmp / "ragged.csv"
    ragged.write_text(HEADER + "\nP1,A,B,1970-01-01,M,X,P,1,X,2030-01-01,extra,more\n")
    r = runner.invoke(app, ["screen", str(ragged), "--watchlist", wl])
    assert r.exit_code == 2 and "ragged.csv" in r.output
    assert "Traceback" not in r.output

    r = runner.invoke(app, ["screen", str(tmp / "nope.csv"), "--watchlist", wl])
    assert r.exit_code == 2 and "no such file" in r.output


def test_column_mapping_and_generated_folder(files, tmp_path):
    _, wl, _ = files
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(HEADER.replace("surname", "last_name") + "\n" + GOOD[0] + "\n")
    r = runner.invoke(
        app, ["screen", str(renamed), "--watchlist", wl, "--columns", "last_name=surname"]
    )
    assert r.exit_code == 0 and ",P1,,E1," in r.stdout

    out = tmp_path / "world"
    assert (
        runner.invoke(app, ["generate", "-s", "teaching", "--out", str(out), "--quiet"]).exit_code
        == 0
    )
    r = runner.invoke(app, ["screen", str(out), "--out", str(tmp_path / "a.parquet")])
    assert r.exit_code == 0, r.output
    kinds = set(pl.read_parquet(tmp_path / "a.parquet")["kind"])
    assert {"watchlist_document", "document_lost_stolen", "document_invalid"} <= kinds
