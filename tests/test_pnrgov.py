"""PNRGOV reading: a PNR of our own, every GTAS sample, mutated input."""

import re
from pathlib import Path

import polars as pl
import pytest

from screening.data.formats.pnrgov import PnrgovError, read_pnrgov

REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "pnrgov"

OURS = (
    "UNA:+.?*'UNB+IATA:1+XA++260301:0900+1'UNH+1+PNRGOV:11:1:IA+XA123'MSG+:22'"
    "ORG+XA:CDG'TVL+010326:1000+CDG+JFK+XA+123'EQN+1'SRC'RCI+XA:ABC123'"
    "DAT+700:150226:1200'ORG+1A:PAR+12345678:PAR+++T'IFT+4:28::XA+CTCE PELLO..V//EXAMPLE.COM'"
    "IFT+4:28::XA+CTCM 33 1 23 45 67 89'TIF+VARANE+PELLOMR:A:1'"
    "SSR+DOCS:HK::XA:::::/P/FRA/X1234567/FRA/03APR71/M/01JAN30/VARANE/PELLO'"
    "TIF+VARANE+ZOEMRS:A:2'FOP+CC:::VI:XXXX1111:0130'TVL+010326:1000+CDG+JFK+XA+123:Y'"
    "DAT+2:010326:0800'TRI++1:::1'TIF+VARANE+PELLOMR'SSD+22C++++Y'TBD++2:30:700'"
    "UNT+16+1'UNZ+1+1'"
)


def test_our_pnr(tmp_path):
    path = tmp_path / "p.edi"
    path.write_text(OURS)
    bookings, people = read_pnrgov(path)
    b = bookings.row(0, named=True)
    assert (b["record_locator"], b["booking_date"], b["agency"], b["payment_form"]) == (
        "ABC123",
        "2026-02-15",
        "12345678",
        "CC",
    )
    assert (b["contact_email"], b["contact_phone"]) == ("pello_v@example.com", "33123456789")
    assert b["flight_ids"] == ["XA123"]
    assert people.select("surname", "given_names", "dob", "doc_number", "nationality").rows() == [
        ("VARANE", "PELLO", "1971-04-03", "X1234567", "FRA"),
        ("VARANE", "ZOE", None, None, None),
    ]
    # The check-in group names Pello again: his seat and bags, not a third traveller.
    assert people.select("seat", "bags").rows() == [("22C", 2), (None, None)]


def _raw_counts(path: Path) -> tuple[int, int]:
    """(PNRs, travellers) read off the raw text: SRC segments, and per PNR the TIF segments
    before its first TVL (later TIFs are check-in groups naming the same travellers)."""
    text = path.read_bytes().decode("latin-1").replace("\u2019", "'")
    seg = r"(?:^|['*\s])"
    pnrs = re.split(seg + r"SRC(?=['*])", text)[1:]
    travellers = sum(
        len(re.findall(seg + r"TIF[+\-]", re.split(seg + r"TVL[+\-]", p)[0])) for p in pnrs
    )
    return len(pnrs), travellers


SAMPLES = sorted(REAL.iterdir()) if REAL.exists() else []
REJECTED = {"gtas-loader_codeshare.edi"}  # a tag pydifact cannot split: our error, with file


@pytest.mark.skipif(not REAL.exists(), reason=f"real-data folder absent ({REAL})")
@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_gtas_samples(path):
    if path.name in REJECTED:
        with pytest.raises(PnrgovError, match=re.escape(str(path)) + r".*at segment \d+"):
            read_pnrgov(path)
        return
    bookings, people = read_pnrgov(path)
    n_pnr, n_tif = _raw_counts(path)
    assert (bookings.height, people.height) == (max(n_pnr, 1), n_tif)
    assert bookings["record_locator"].null_count() == 0


def test_round_trip_through_pnrgov(tmp_path, teaching):
    """Generated bookings -> one PNRGOV push -> bookings: the same PNRs and travellers."""
    import polars as pl

    from screening.data.formats.pnrgov import write_pnrgov

    path = tmp_path / "push.edi"
    path.write_text(
        write_pnrgov(teaching["bookings"], teaching["booking_passengers"], teaching["flights"])
    )
    bookings, people = read_pnrgov(path)
    fl = teaching["flights"].select("flight_id", "flight_number")
    want = (
        teaching["bookings"]
        .with_columns(pl.col("booking_date").cast(pl.String))
        .explode("flight_ids")
        .join(fl, left_on="flight_ids", right_on="flight_id", how="left")
        .group_by("record_locator", maintain_order=True)
        .agg(pl.exclude("flight_ids", "flight_number").first(), pl.col("flight_number"))
    )
    cols = [
        "record_locator",
        "booking_date",
        "agency",
        "payment_form",
        "contact_phone",
        "contact_email",
    ]
    assert bookings.select(cols).equals(want.select(cols))
    assert bookings["flight_ids"].to_list() == want["flight_number"].to_list()
    pcols = ["record_locator", "surname", "given_names", "doc_number", "nationality"]
    original = teaching["booking_passengers"]
    assert people.select(pcols).equals(original.select(pcols))
    assert people["dob"].equals(original["dob"].cast(pl.String))


@pytest.mark.skipif(not REAL.exists(), reason=f"real-data folder absent ({REAL})")
def test_gtas_pnr_screened_at_the_pnr_stage(tmp_path):
    """A real PNRGOV push goes through `screen --stage pnr`: SSR DOCS dates are typed, the
    listed traveller alerts and the companion in the booking is an associate."""
    from typer.testing import CliRunner

    from screening.cli import app

    wl = tmp_path / "wl.csv"
    wl.write_text(
        "entry_id,surname,given_names,dob,sex,nationality,doc_number,doc_issuer\n"
        "E1,JONES,WILLIAM,1964-07-12,M,,,\n"
    )
    out = tmp_path / "a.csv"
    r = CliRunner().invoke(
        app,
        [
            "screen",
            str(REAL / "gtas-loader_pnr1.txt"),
            "--stage",
            "pnr",
            "--watchlist",
            str(wl),
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    a = pl.read_csv(out)
    hit = a.filter(pl.col("kind") == "watchlist")
    assert hit.select("passenger_id", "entry_id", "dob_evidence").rows() == [
        ("MFN4TI-2", "E1", "exact")
    ]
    assoc = a.filter(pl.col("kind") == "associate")
    assert assoc["passenger_id"].to_list() == ["MFN4TI-1"]
