"""UN/EDIFACT PAXLST (API) messages → passenger manifest rows.

pydifact does the syntax (UNA service characters, release character, elements and
components); this module walks the segments itself (its message grouping fails on UNG/UNE)
and is lenient the way real traffic needs: leading blanks and line breaks between
segments, a blank inside a tag (`UNG `), lower-case names under UNOA, non-UTF-8 bytes
(read as Latin-1), junk after UNZ. Anything else is a PaxlstError naming file and segment.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from screening.data.formats.edifact import element as _el
from screening.data.formats.edifact import read_segments
from screening.data.intake import MANIFEST_REQUIRED

TRAVELLER = {"FL": "passenger", "DDU": "passenger", "FM": "crew", "DDT": "crew"}
# Manifest columns as `screening screen` reads them, plus what a PAXLST also tells.
COLUMNS = (*MANIFEST_REQUIRED, "flight_id", "residence_country", "traveller_type", "record_locator")


class PaxlstError(ValueError):
    """A PAXLST file that cannot be read; the message names the file and the segment."""


def _date(yymmdd: str, future: bool = False) -> str | None:
    """YYMMDD → YYYY-MM-DD. Birth dates above 35 are 19xx; expiry dates are always 20xx."""
    if not re.fullmatch(r"\d{6}", yymmdd):
        return None
    yy = int(yymmdd[:2])
    century = 2000 if future or yy <= 35 else 1900
    return f"{century + yy}-{yymmdd[2:4]}-{yymmdd[4:6]}"


def read_paxlst(path: Path) -> pl.DataFrame:
    """All travellers of all messages in a PAXLST file, as manifest rows (text columns)."""
    path = Path(path)
    segments = read_segments(path, PaxlstError)
    rows: list[dict] = []
    flight = ""
    msg = "M"
    person: dict | None = None
    in_doc = False
    for pos, seg in enumerate(segments, start=1):  # segments of one file, not data rows
        tag = seg.tag
        if tag == "UNH":
            msg = _el(seg, 0) or msg
        elif tag == "TDT":
            flight = (_el(seg, 1) or "").replace(" ", "")
        elif tag == "NAD" and _el(seg, 0) in TRAVELLER:
            person = {c: None for c in COLUMNS}
            rows.append(person)
            surname, given, middle = _el(seg, 3, 0), _el(seg, 3, 1), _el(seg, 3, 2)
            person |= {
                "passenger_id": f"{msg}-{len(rows)}",
                "flight_id": flight,
                "surname": surname.upper(),
                "given_names": " ".join(x for x in (given, middle) if x).upper() or None,
                "traveller_type": TRAVELLER[_el(seg, 0)],
            }
            in_doc = False
        elif person is None:
            continue
        elif tag == "ATT" and _el(seg, 0) == "2":
            person["sex"] = _el(seg, 2).upper()[:1] or None
        elif tag == "DTM" and _el(seg, 0, 0) == "329":
            person["dob"] = _date(_el(seg, 0, 1)) or _bad(path, pos, seg, "date of birth")
        elif tag == "NAT":
            person["nationality"] = _el(seg, 1).upper() or None
        elif tag == "LOC" and _el(seg, 0) == "174" and not in_doc:
            person["residence_country"] = _el(seg, 1).upper() or None
        elif tag == "RFF" and _el(seg, 0, 0) == "AVF":
            person["record_locator"] = _el(seg, 0, 1) or None
        elif tag == "DOC":
            in_doc = True
            person["doc_type"] = _el(seg, 0, 0) or None
            person["doc_number"] = _el(seg, 1) or None
        elif in_doc and tag == "DTM" and _el(seg, 0, 0) == "36":
            person["doc_expiry"] = _date(_el(seg, 0, 1), future=True) or _bad(
                path, pos, seg, "expiry"
            )
        elif in_doc and tag == "LOC" and _el(seg, 0) == "91":
            person["doc_issuer"] = _el(seg, 1).upper() or None
    if not rows:
        raise PaxlstError(f"{path}: no traveller (NAD+FL/FM/DDU/DDT) segments")
    return pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String))


def _bad(path: Path, pos: int, seg, what: str) -> str:
    """Keep the raw value so that intake reports the row; note where it came from."""
    return f"{_el(seg, 0, 1)} (segment {pos})"


def write_paxlst(
    passengers: pl.DataFrame, flights: pl.DataFrame, sender: str = "SCREENING"
) -> dict[str, str]:
    """One PAXLST D05B interchange per flight (flight_id → EDIFACT text), with correct
    UNT/CNT counts; pydifact escapes the data (O'NEIL → O?'NEIL)."""
    from pydifact.segments import Segment
    from pydifact.serializer import Serializer

    legs = flights.select(
        "flight_id",
        "carrier",
        "flight_number",
        "origin",
        "destination",
        pl.col("departure").dt.strftime("%y%m%d%H%M").alias("dep"),
        pl.col("arrival").dt.strftime("%y%m%d%H%M").alias("arr"),
    )
    yymmdd = lambda c: pl.col(c).dt.strftime("%y%m%d").fill_null("")  # noqa: E731
    p = passengers.join(legs, on="flight_id").with_columns(
        dob6=yymmdd("dob"), exp6=yymmdd("doc_expiry")
    )
    out = {}
    for (fid,), group in p.group_by("flight_id", maintain_order=True):  # one message per flight
        first = group.row(0, named=True)
        body = [
            Segment("BGM", "745"),
            Segment("TDT", "20", first["flight_number"], "", "", first["carrier"]),
            Segment("LOC", "125", first["origin"]),
            Segment("DTM", ["189", first["dep"], "201"]),
            Segment("LOC", "87", first["destination"]),
            Segment("DTM", ["232", first["arr"], "201"]),
        ]
        for r in group.iter_rows(named=True):  # travellers of one flight (hundreds)
            given = (r["given_names"] or "").split(" ", 1)
            body += [
                Segment("NAD", "FL", "", "", [r["surname"], *given]),
                Segment("ATT", "2", "", r["sex"] or "U"),
                Segment("DTM", ["329", r["dob6"]]),
                Segment("NAT", "2", r["nationality"] or ""),
                Segment("LOC", "174", r["residence_country"] or ""),
                Segment("DOC", [r["doc_type"] or "P", "110", "111"], r["doc_number"] or ""),
                Segment("DTM", ["36", r["exp6"]]),
                Segment("LOC", "91", r["doc_issuer"] or ""),
            ]
        body.append(Segment("CNT", ["42", str(group.height)]))
        ref = str(fid)
        segments = [
            Segment(
                "UNB",
                ["UNOB", "4"],
                sender,
                "RECEIVER",
                [first["dep"][:6], first["dep"][6:]],
                ref,
                "",
                "APIS",
            ),
            Segment("UNH", ref, ["PAXLST", "D", "05B", "UN", "IATA"]),
            *body,
            Segment("UNT", str(len(body) + 2), ref),
            Segment("UNZ", "1", ref),
        ]
        out[str(fid)] = Serializer().serialize(segments, with_una_header=True, break_lines=True)
    return out
