"""Flights, bookings and itineraries: who flies on which leg, booked when and how."""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np
import polars as pl

from screening.generate.codes import from_pattern, sequential_ids
from screening.generate.scenario import Scenario
from screening.paths import data_dir

_CARRIERS = np.array(
    ["XA", "XB", "XC", "XD", "XE", "XF", "XG", "XH", "XJ", "XK", "XL", "XM"], dtype=object
)


def airports() -> tuple[np.ndarray, np.ndarray]:
    """(IATA codes, country codes) of the airports in synthetic/airports.csv."""
    with (data_dir() / "airports.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return (
        np.array([r["iata"] for r in rows], dtype=object),
        np.array([r["country"] for r in rows], dtype=object),
    )


@dataclass(frozen=True)
class Flights:
    frame: pl.DataFrame
    origin: np.ndarray  # int airport index
    dest: np.ndarray
    dep: np.ndarray  # minutes after midnight of the scenario day
    arr: np.ndarray


def build_flights(rng: np.random.Generator, n: int, date: np.datetime64) -> Flights:
    """n flights on one day between distinct airports, with carriers and times.

    Small worlds use fewer airports, so that connections between flights exist.
    """
    codes, _ = airports()
    used = int(np.clip(n // 4, 3, len(codes)))
    origin = rng.integers(0, used, n)
    dest = (origin + rng.integers(1, used, n)) % used
    dep = np.sort(rng.integers(0, 22 * 60, n))
    arr = dep + rng.integers(50, 14 * 60, n)
    carrier = _CARRIERS[rng.integers(0, len(_CARRIERS), n)]
    number = from_pattern(rng, n, "DDDD")
    start = np.datetime64(date, "m")
    frame = pl.DataFrame(
        {
            "flight_id": pl.Series(sequential_ids("F", n), dtype=pl.String),
            "carrier": pl.Series(carrier, dtype=pl.String),
            "flight_number": pl.Series(carrier + number, dtype=pl.String),
            "origin": pl.Series(codes[origin], dtype=pl.String),
            "destination": pl.Series(codes[dest], dtype=pl.String),
            "departure": pl.Series((start + dep.astype("timedelta64[m]")).astype("datetime64[us]")),
            "arrival": pl.Series((start + arr.astype("timedelta64[m]")).astype("datetime64[us]")),
        }
    )
    return Flights(frame=frame, origin=origin, dest=dest, dep=dep, arr=arr)


def itineraries(
    rng: np.random.Generator, flights: Flights, n_bookings: int, connection_share: float
) -> tuple[np.ndarray, np.ndarray]:
    """(first leg, second leg or -1) flight index per booking; connections leave the
    first leg's arrival airport at least an hour after it lands."""
    n_f = len(flights.origin)
    leg1 = rng.integers(0, n_f, n_bookings)
    key = flights.origin.astype(np.int64) * 100_000 + flights.dep
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    want = flights.dest[leg1].astype(np.int64) * 100_000 + flights.arr[leg1] + 60
    lo = np.searchsorted(sorted_key, want, side="left")
    hi = np.searchsorted(
        sorted_key, flights.dest[leg1].astype(np.int64) * 100_000 + 99_999, side="right"
    )
    # No departure late enough that day: connect to any departure from that airport
    # (an overnight connection).
    day_lo = np.searchsorted(sorted_key, flights.dest[leg1].astype(np.int64) * 100_000)
    lo = np.where(hi > lo, lo, day_lo)
    has = (hi > lo) & (rng.random(n_bookings) < connection_share)
    pick = lo + (rng.random(n_bookings) * np.maximum(hi - lo, 1)).astype(np.int64)
    leg2 = np.where(has, order[np.minimum(pick, n_f - 1)], -1)
    return leg1, leg2


def party_sizes(rng: np.random.Generator, total: int, p: tuple[float, ...]) -> np.ndarray:
    """Booking sizes drawn from `p` (sizes 1, 2, ...) that add up to exactly `total`."""
    if total <= 0:
        return np.zeros(0, dtype=np.int64)
    probs = np.asarray(p) / np.sum(p)
    mean = float((np.arange(1, len(p) + 1) * probs).sum())
    sizes = rng.choice(len(p), size=int(total / mean * 1.2) + 10, p=probs) + 1
    cum = np.cumsum(sizes)
    k = int(np.searchsorted(cum, total))
    sizes = sizes[: k + 1].copy()
    sizes[-1] -= int(cum[k] - total)
    return sizes[sizes > 0]


def bookings_frame(
    rng: np.random.Generator,
    s: Scenario,
    date: np.datetime64,
    locators: np.ndarray,
    flights: Flights,
    leg1: np.ndarray,
    leg2: np.ndarray,
    phone: np.ndarray,
    email: np.ndarray,
) -> pl.DataFrame:
    """One row per booking: locator, dates, agency, payment, contacts, itinerary."""
    b = s.bookings
    n = len(locators)
    lead = np.minimum(rng.gamma(1.5, b.lead_days_mean / 1.5, n).astype(np.int64), 330)
    agencies = from_pattern(np.random.default_rng(7), max(b.agencies, 1), "DDDDDDDD")
    agency = np.where(
        rng.random(n) < b.direct_share, "DIRECT", agencies[rng.integers(0, len(agencies), n)]
    )
    forms = list(b.payment_forms)
    w = np.array([b.payment_forms[f] for f in forms])
    payment = np.asarray(forms, dtype=object)[rng.choice(len(forms), size=n, p=w / w.sum())]
    fid = flights.frame["flight_id"].to_numpy().astype(object)
    codes, _ = airports()
    last = np.where(leg2 >= 0, leg2, leg1)
    return pl.DataFrame(
        {
            "record_locator": pl.Series(locators, dtype=pl.String),
            "booking_date": pl.Series(date - lead.astype("timedelta64[D]")),
            "agency": pl.Series(agency.astype(object), dtype=pl.String),
            "payment_form": pl.Series(payment, dtype=pl.String),
            "contact_phone": pl.Series(phone, dtype=pl.String),
            "contact_email": pl.Series(email, dtype=pl.String),
            "flight_ids": pl.DataFrame(
                {
                    "a": pl.Series(fid[leg1], dtype=pl.String),
                    "b": pl.Series(np.where(leg2 >= 0, fid[leg2], ""), dtype=pl.String),
                }
            )
            .select(pl.concat_list("a", "b").list.eval(pl.element().filter(pl.element() != "")))
            .to_series(),
            "origin": pl.Series(codes[flights.origin[leg1]], dtype=pl.String),
            "destination": pl.Series(codes[flights.dest[last]], dtype=pl.String),
        }
    )
