"""PAXLST reading: a message of our own, the GTAS samples, hostile and mutated input."""

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from screening.cli import app
from screening.data.formats.paxlst import PaxlstError, read_paxlst

REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "paxlst"

# Synthetic travellers; custom separators (element *, terminator $) and a released quote.
OURS = (
    "UNA:*.? $UNB*UNOA:4*TESTAIR*RECEIVER*260301:0900*1**APIS$UNH*M1*PAXLST:D:05B:UN:IATA$"
    "BGM*745$TDT*20*XA123***XA$LOC*125*CDG$DTM*189:2603011000:201$LOC*87*JFK$"
    "NAD*FL***O?'VARANE:PELLO:ZED$ATT*2**M$DTM*329:710403$NAT*2*FRA$LOC*174*FRA$"
    "RFF*AVF:ABC123$DOC*P:110:111*X1234567$DTM*36:300101$LOC*91*FRA$"
    "NAD*FM***TALIQ:ZARKAN$ATT*2**F$DTM*329:051231$CNT*42:1$UNT*17*M1$UNZ*1*1$"
    "trailing junk that real senders append"
)


def test_our_message(tmp_path):
    path = tmp_path / "m.edi"
    path.write_text(OURS, encoding="ascii")
    rows = read_paxlst(path).rows(named=True)
    assert len(rows) == 2
    a, b = rows
    assert (a["surname"], a["given_names"], a["dob"], a["sex"], a["nationality"]) == (
        "O'VARANE",
        "PELLO ZED",
        "1971-04-03",
        "M",
        "FRA",
    )
    assert (a["doc_type"], a["doc_number"], a["doc_issuer"], a["doc_expiry"]) == (
        "P",
        "X1234567",
        "FRA",
        "2030-01-01",
    )
    assert (a["flight_id"], a["record_locator"], a["residence_country"]) == (
        "XA123",
        "ABC123",
        "FRA",
    )
    assert (b["traveller_type"], b["dob"], b["doc_number"]) == ("crew", "2005-12-31", None)


GTAS = {  # file: (travellers, passenger or crew) — counted by reading the messages
    "gtas_Test1.txt": (8, "crew"),
    "gtas_Test3.txt": (260, "passenger"),
    "gtas_airline2.edi": (10, "passenger"),
    "gtas_apisMessage.txt": (2, "passenger"),
    "gtas_multiple_flight_leg_apis.txt": (2, "passenger"),
}


@pytest.mark.skipif(not REAL.exists(), reason=f"real-data folder absent ({REAL})")
@pytest.mark.parametrize(("name", "expected"), GTAS.items())
def test_gtas_samples(name, expected):
    rows = read_paxlst(REAL / name)
    assert (rows.height, rows["traveller_type"].unique().to_list()) == (expected[0], [expected[1]])
    assert rows["surname"].null_count() == 0


def test_screen_accepts_paxlst(tmp_path):
    path = tmp_path / "manifest.txt"
    path.write_text(OURS, encoding="ascii")
    wl = tmp_path / "list.csv"
    wl.write_text(
        "entry_id,surname,given_names,dob,sex,nationality,doc_number,doc_issuer\n"
        "E1,O'Varane,Pello Zed,1971-04-03,M,FRA,,\n"
    )
    r = CliRunner().invoke(
        app, ["screen", str(path), "--watchlist", str(wl), "--as-of", "2026-03-01"]
    )
    assert r.exit_code == 0, r.output
    assert "api:M1-1:watchlist:E1," in r.stdout


def test_not_paxlst(tmp_path):
    path = tmp_path / "x.edi"
    path.write_text("UNB+UNOA:4+A+B+260301:0900+1'UNH+1+PAXLST'BGM+745'UNT+3+1'UNZ+1+1'")
    with pytest.raises(PaxlstError, match="no traveller"):
        read_paxlst(path)


def test_round_trip_through_paxlst(tmp_path, teaching):
    """Our frames -> one PAXLST message per flight -> frames: the same travellers."""
    import polars as pl

    from screening.data.formats.paxlst import write_paxlst

    messages = write_paxlst(teaching["passengers"], teaching["flights"])
    assert len(messages) == teaching["flights"].height
    frames = []
    for fid, text in messages.items():
        assert text.count("\nNAD+FL") == int((teaching["passengers"]["flight_id"] == fid).sum())
        path = tmp_path / f"{fid}.edi"
        path.write_text(text, encoding="utf-8")
        frames.append(read_paxlst(path).with_columns(flight_ref=pl.lit(fid)))
    back = pl.concat(frames)
    cols = [
        "surname",
        "given_names",
        "sex",
        "nationality",
        "doc_type",
        "doc_number",
        "doc_issuer",
        "residence_country",
    ]
    original = teaching["passengers"].with_columns(
        pl.col("dob").cast(pl.String), pl.col("doc_expiry").cast(pl.String)
    )
    assert back.select(*cols, "dob", "doc_expiry").equals(
        original.select(*cols, "dob", "doc_expiry")
    )
    assert back["flight_ref"].equals(original["flight_id"].alias("flight_ref"))


def test_generate_format_paxlst_and_screen_a_flight(tmp_path):
    out = tmp_path / "w"
    r = CliRunner().invoke(
        app, ["generate", "-s", "teaching", "--out", str(out), "--format", "paxlst", "--quiet"]
    )
    assert r.exit_code == 0, r.output
    edi = sorted((out / "paxlst").glob("*.edi"))
    assert edi and (out / "passengers.parquet").exists()
    assert (out / "pnrgov" / "push.edi").read_text().startswith("UNA")
    # The flight read back from EDIFACT screens exactly as its rows in passengers.parquet,
    # less the MRZ line PAXLST does not carry (its check-digit alerts need it).
    first = pl.read_parquet(out / "passengers.parquet").sort("flight_id")
    flight = first.filter(pl.col("flight_id") == first["flight_id"][0]).drop("mrz")
    flight.write_csv(tmp_path / "flight.csv")
    got = {}
    for name, source in (("edi", edi[0]), ("csv", tmp_path / "flight.csv")):
        target = tmp_path / f"{name}.csv"
        args = ["screen", str(source), "--watchlist", str(out), "--as-of", "2026-03-01"]
        r = CliRunner().invoke(app, [*args, "--out", str(target)])
        assert r.exit_code == 0, r.output
        assert f"screened {flight.height} passengers" in r.stderr
        got[name] = pl.read_csv(target).select("kind", "entry_id", "score").sort(pl.all())
    assert got["edi"].height > 0 and got["edi"].equals(got["csv"])


def test_trailer_counts(tmp_path, teaching):
    """Our writers' UNT counts are right; a wrong count in a sender's message warns."""
    import warnings

    from screening.data.formats.edifact import EdifactCountWarning
    from screening.data.formats.paxlst import write_paxlst
    from screening.data.formats.pnrgov import read_pnrgov, write_pnrgov

    text = next(iter(write_paxlst(teaching["passengers"], teaching["flights"]).values()))
    (tmp_path / "a.edi").write_text(text)
    (tmp_path / "b.edi").write_text(
        write_pnrgov(teaching["bookings"], teaching["booking_passengers"], teaching["flights"])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", EdifactCountWarning)
        read_paxlst(tmp_path / "a.edi")
        read_pnrgov(tmp_path / "b.edi")
    (tmp_path / "c.edi").write_text(text.replace("UNT+", "UNT+9"))
    with pytest.warns(EdifactCountWarning, match="UNT says 9"):
        read_paxlst(tmp_path / "c.edi")
