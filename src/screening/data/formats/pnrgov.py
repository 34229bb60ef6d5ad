"""UN/EDIFACT PNRGOV messages → bookings and booking passengers.

Reads what screening needs from each PNR (from SRC to the next SRC): record locator (RCI),
last transaction / booking date (DAT+700), the booking originator (ORG, agency for type T),
contacts (IFT 4:28 CTC... and ADD phone), payment form (FOP), itinerary (TVL), names (TIF,
titles removed), SSR DOCS passport data, and from check-in groups seats (SSD) and bags
(TBD) of the travellers they name.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import polars as pl

from screening.data.formats.edifact import element as _el
from screening.data.formats.edifact import read_segments

# Titles glued to the given name (JOHNMR). DR is left alone: ALEXANDR is a name.
TITLES = r"(?:MRS|MR|MS|MX|MSTR|MISS|CHD|INF)$"
BOOKING_COLUMNS = {
    "record_locator": pl.String,
    "booking_date": pl.String,
    "agency": pl.String,
    "payment_form": pl.String,
    "contact_phone": pl.String,
    "contact_email": pl.String,
    "flight_ids": pl.List(pl.String),
}
PASSENGER_COLUMNS = {
    "booking_passenger_id": pl.String,
    "record_locator": pl.String,
    "surname": pl.String,
    "given_names": pl.String,
    "dob": pl.String,
    "doc_number": pl.String,
    "nationality": pl.String,
    "seat": pl.String,
    "bags": pl.Int32,
}
MONTHS = {
    m: i
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}


class PnrgovError(ValueError):
    """A PNRGOV file that cannot be read; the message names the file and the segment."""


def _ddmmmyy(text: str) -> str | None:
    m = re.fullmatch(r"(\d{2})([A-Z]{3})(\d{2})", text.strip().upper())
    if not m or m.group(2) not in MONTHS:
        return None
    yy = int(m.group(3))
    return f"{1900 + yy if yy > 35 else 2000 + yy}-{MONTHS[m.group(2)]:02d}-{m.group(1)}"


def _date6(ddmmyy: str) -> str | None:
    if not re.fullmatch(r"\d{6}", ddmmyy):
        return None
    return f"20{ddmmyy[4:6]}-{ddmmyy[2:4]}-{ddmmyy[0:2]}"


def read_pnrgov(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(bookings, booking passengers) of every PNR in a PNRGOV file."""
    path = Path(path)
    segments = read_segments(path, PnrgovError)
    bookings: list[dict] = []
    people: list[dict] = []
    pnr: dict | None = None
    person: dict | None = None
    in_itinerary, pnr_start = False, 0
    for seg in segments:  # segments of one file
        tag = seg.tag
        if tag == "SRC":
            pnr = {
                "record_locator": None,
                "booking_date": None,
                "agency": None,
                "payment_form": None,
                "contact_phone": None,
                "contact_email": None,
                "flight_ids": [],
            }
            bookings.append(pnr)
            person = None
            in_itinerary = False
            pnr_start = len(people)
        elif pnr is None:
            continue
        elif tag == "RCI" and pnr["record_locator"] is None:
            pnr["record_locator"] = _el(seg, 0, 1) or None
        elif tag == "DAT" and _el(seg, 0, 0) == "700" and pnr["booking_date"] is None:
            pnr["booking_date"] = _date6(_el(seg, 0, 1))
        elif tag == "ORG" and person is None and pnr["agency"] is None:
            pnr["agency"] = _el(seg, 1, 0) or _el(seg, 0, 0) or None
        elif tag == "IFT" and _el(seg, 0, 1) == "28":
            _contact(pnr, _el(seg, 1))
        elif tag == "FOP" and pnr["payment_form"] is None:
            pnr["payment_form"] = _el(seg, 0, 0) or None
        elif tag == "TVL":
            carrier, number = _el(seg, 3, 0), _el(seg, 4, 0)
            if carrier and number:
                pnr["flight_ids"].append(f"{carrier}{number}")
            in_itinerary = True
        elif tag == "TIF" and in_itinerary:
            # Check-in groups name a traveller already listed: seats and bags go to them.
            given = re.sub(TITLES, "", _el(seg, 1, 0).upper()).strip() or None
            key = (_el(seg, 0, 0).upper() or None, given)
            person = next(
                (q for q in people[pnr_start:] if (q["surname"], q["given_names"]) == key), None
            )
        elif tag == "SSD" and person is not None:
            person["seat"] = _el(seg, 0) or person["seat"]
        elif tag == "TBD" and person is not None:
            count = _el(seg, 1, 0)
            person["bags"] = int(count) if re.fullmatch(r"[0-9]+", count) else person["bags"]
        elif tag == "TIF":
            given = re.sub(TITLES, "", _el(seg, 1, 0).upper()).strip() or None
            person = {
                "booking_passenger_id": None,
                "record_locator": pnr["record_locator"],
                "surname": _el(seg, 0, 0).upper() or None,
                "given_names": given,
                "dob": None,
                "doc_number": None,
                "nationality": None,
                "seat": None,
                "bags": None,
            }
            people.append(person)
        elif tag == "SSR" and _el(seg, 0, 0) == "DOCS" and person is not None:
            _docs(person, seg)
    if not bookings:
        raise PnrgovError(f"{path}: no PNR (SRC segment) in the file")
    for b in bookings:
        b["flight_ids"] = list(dict.fromkeys(b["flight_ids"]))
    for i, p in enumerate(people, start=1):
        p["booking_passenger_id"] = f"{p['record_locator']}-{i}"
    return (
        pl.DataFrame(bookings, schema=BOOKING_COLUMNS),
        pl.DataFrame(people, schema=PASSENGER_COLUMNS),
    )


def _contact(pnr: dict, text: str) -> None:
    """IFT 4:28 OSI contacts: CTCE (e-mail, // for @, .. for _), CTCM/CTCH/CTCB/CTCR phones."""
    m = re.match(r"CTC([EMHBRPT])\s*(.*)", text.strip().upper())
    if not m:
        return
    kind, value = m.groups()
    if kind == "E" and pnr["contact_email"] is None:
        pnr["contact_email"] = value.replace("//", "@").replace("..", "_").lower() or None
    elif kind != "E" and pnr["contact_phone"] is None:
        pnr["contact_phone"] = re.sub(r"[^\d+]", "", value) or None


def _docs(person: dict, seg) -> None:
    """SSR DOCS free text: /type/issuer/number/nationality/DOB/sex/expiry/surname/given."""
    raw = next((e for e in map(str, _flat(seg)) if "/" in e), "")
    parts = raw.split("/")
    if len(parts) >= 6:
        person["doc_number"] = parts[3].strip() or None
        person["nationality"] = parts[4].strip().upper() or None
        person["dob"] = _ddmmmyy(parts[5])


def _flat(seg) -> list[str]:
    out: list[str] = []
    for e in seg.elements:
        out += e if isinstance(e, list) else [e]
    return out


def write_pnrgov(
    bookings: pl.DataFrame,
    passengers: pl.DataFrame,
    flights: pl.DataFrame,
    sender: str = "SCREENING",
) -> str:
    """All bookings as one PNRGOV push (one Gr.1 per PNR), readable by `read_pnrgov`.

    Titles are written apart from the given names (`PELLO MX`), so that no name is cut by
    title stripping; MX because the bookings carry no sex.
    """
    from pydifact.segments import Segment
    from pydifact.serializer import Serializer

    number = dict(
        zip(flights["flight_id"], flights["carrier"] + "|" + flights["flight_number"], strict=True)
    )
    people = passengers.group_by("record_locator", maintain_order=True).agg(pl.all())
    b = bookings.join(people, on="record_locator", how="left")
    body = [Segment("MSG", ["", "22"]), Segment("EQN", str(b.height))]
    for r in b.iter_rows(named=True):  # one group per PNR (a push holds thousands at most)
        body += [_src(), Segment("RCI", [sender[:2], r["record_locator"]])]
        if r["booking_date"] is not None:
            body.append(Segment("DAT", ["700", r["booking_date"].strftime("%d%m%y"), "0000"]))
        body.append(Segment("ORG", [sender[:2], "HDQ"], r["agency"] or "DIRECT"))
        if r["contact_email"]:
            mail = r["contact_email"].upper().replace("_", "..").replace("@", "//")
            body.append(Segment("IFT", ["4", "28"], f"CTCE {mail}"))
        if r["contact_phone"]:
            body.append(Segment("IFT", ["4", "28"], f"CTCM {r['contact_phone']}"))
        for i, surname in enumerate(r["surname"] or []):
            given = r["given_names"][i]
            body.append(Segment("TIF", surname or "", f"{given} MX" if given else "MX"))
            if r["doc_number"][i]:
                dob = r["dob"][i].strftime("%d%b%y").upper() if r["dob"][i] else ""
                nat = r["nationality"][i] or ""
                docs = f"/P/{nat}/{r['doc_number'][i]}/{nat}/{dob}/U"
                body.append(Segment("SSR", ["DOCS", "HK", "", sender[:2], "", "", "", "", docs]))
        if r["payment_form"]:
            body.append(Segment("FOP", r["payment_form"]))
        for fid in r["flight_ids"] or []:
            carrier, flight = number[fid].split("|")
            body.append(Segment("TVL", "", "", "", carrier, flight.removeprefix(carrier)))
    segments = [
        Segment("UNB", ["IATA", "1"], sender, "RECEIVER", ["260101", "0000"], "1"),
        Segment("UNH", "1", ["PNRGOV", "11", "1", "IA"], "PUSH"),
        *body,
        Segment("UNT", str(len(body) + 2), "1"),
        Segment("UNZ", "1", "1"),
    ]
    return Serializer().serialize(segments, with_una_header=True, break_lines=True)


def _src():
    """The (mandatory, empty) SRC segment that opens a PNR; pydifact warns about it."""
    from pydifact.segments import Segment

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Segment("SRC")
