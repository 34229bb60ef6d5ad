"""generate_world: a scenario and a seed in, every table of a synthetic travel world out.

Each stage draws from its own random stream (seed, stage number), so changing one stage
leaves the others' draws alone, and the same scenario and seed give identical frames.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from screening.data.formats.mrz import td3
from screening.generate import contacts
from screening.generate.codes import as_series, record_locator_ids, sequential_ids
from screening.generate.lost_stolen import lost_stolen_frame
from screening.generate.names import build_name_table
from screening.generate.people import original_script
from screening.generate.pnr import pnr_names
from screening.generate.scenario import Scenario
from screening.generate.travel import airports, bookings_frame, build_flights, itineraries
from screening.generate.travellers import ROLES, Travellers, build_travellers
from screening.generate.watchlist import build_watchlist
from screening.schema import validate

STAGES = ("watchlist", "travellers", "flights", "bookings", "documents", "pnr")
TABLES = (
    "passengers",
    "flights",
    "bookings",
    "booking_passengers",
    "watchlist",
    "watchlist_names",
    "documents_lost_stolen",
    "truth",
)


@dataclass(frozen=True)
class World:
    scenario: Scenario
    seed: int
    tables: dict[str, pl.DataFrame]

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.tables[name]


def generate_world(scenario: Scenario, seed: int, part: int | None = None) -> World:
    """Generate every table of `scenario` deterministically from `seed`. With `part`, the
    watch list is the seed's and everything else draws from the part's own streams (see
    generate_parts)."""
    rng = {
        name: np.random.default_rng([seed, i] if part is None or i == 0 else [seed, i, part])
        for i, name in enumerate(STAGES)
    }
    s = scenario
    table = build_name_table(s.population.name_zipf_exponent)
    date = np.datetime64(s.date, "D")
    _, countries = airports()
    residences = np.unique(countries)
    listed = build_watchlist(rng["watchlist"], table, s, date, residences)
    trav, n_bookings = build_travellers(rng["travellers"], table, s, listed, date, residences)

    n_rows_guess = len(trav.booking) * (1 + s.bookings.connection_share)
    n_flights = max(1, int(np.ceil(n_rows_guess / s.bookings.passengers_per_flight)))
    flights = build_flights(rng["flights"], n_flights, date)
    leg1, leg2 = itineraries(rng["bookings"], flights, n_bookings, s.bookings.connection_share)

    r = rng["documents"]
    planted, ls_flag = _plant_lost_stolen(r, trav, s.documents.lost_stolen_share)
    doc_taken = as_series(trav.people.doc_number, listed.people.doc_number)
    sltd = lost_stolen_frame(
        r,
        s.documents.lost_stolen_records,
        residences,
        date,
        trav.people.doc_number[planted],
        trav.people.doc_issuer[planted],
        doc_taken,
    )
    mrz, mrz_bad = _mrz(r, trav, s.documents.mrz_invalid_share)

    rb = rng["bookings"]
    locators = record_locator_ids(rb, n_bookings)
    phone, email, from_list = _booking_contacts(rb, trav, listed, n_bookings)
    bookings = bookings_frame(rb, s, date, locators, flights, leg1, leg2, phone, email)
    bp_id = sequential_ids("BP", len(trav.booking))
    booking_passengers = _booking_passengers(rng["pnr"], table, s, trav, locators, bp_id)

    legs = 1 + (leg2[trav.booking] >= 0)
    row = np.repeat(np.arange(len(trav.booking)), legs)
    second = np.r_[False, row[1:] == row[:-1]] if len(row) else np.zeros(0, bool)
    flight = np.where(second, leg2[trav.booking[row]], leg1[trav.booking[row]])
    order = np.lexsort((rb.random(len(row)), flight))
    row, flight = row[order], flight[order]
    passenger_id = sequential_ids("P", len(row))
    tables = {
        "passengers": _passengers(trav, row, flight, flights.frame, passenger_id, mrz),
        "flights": flights.frame,
        "bookings": bookings,
        "booking_passengers": booking_passengers,
        "watchlist": listed.watchlist,
        "watchlist_names": listed.names,
        "documents_lost_stolen": sltd,
        "truth": _truth(
            table, trav, row, passenger_id, locators, bp_id, ls_flag, mrz_bad, from_list
        ),
    }
    for name, frame in tables.items():
        validate(frame, name)
    return World(scenario=s, seed=seed, tables=tables)


SHARED_TABLES = ("watchlist", "watchlist_names")
# Identifiers that count from 1 in every part: prefixed with the part to stay unique.
_PART_IDS = ("passenger_id", "booking_passenger_id", "person_id", "flight_id", "record_locator")


def generate_parts(scenario: Scenario, seed: int, parts: int) -> Iterator[World]:
    """A world too big for memory, in `parts` worlds of 1/parts of the travellers each,
    all screened against one watch list (the seed's); identifiers get the part's prefix."""
    per = math.ceil(scenario.population.passengers / parts)
    s = replace(scenario, population=replace(scenario.population, passengers=per))
    for k in range(parts):  # one part in memory at a time
        world = generate_world(s, seed, part=k)
        tag = f"{k:03d}-"
        tables = {
            name: frame if name in SHARED_TABLES else _tag_part(frame, tag)
            for name, frame in world.tables.items()
        }
        yield World(scenario=s, seed=seed, tables=tables)


def _tag_part(frame: pl.DataFrame, tag: str) -> pl.DataFrame:
    exprs = [(pl.lit(tag) + pl.col(c)).alias(c) for c in _PART_IDS if c in frame.columns]
    if "flight_ids" in frame.columns:
        exprs.append(pl.col("flight_ids").list.eval(pl.lit(tag) + pl.element()).alias("flight_ids"))
    return frame.with_columns(exprs)


def _plant_lost_stolen(r: np.random.Generator, trav: Travellers, share: float):
    """Travellers whose document is on the lost/stolen list: listed people who drew
    `doc_lost_stolen`, plus a share of everyone else (impostors on found passports)."""
    drew = trav.corruptions.list.contains("doc_lost_stolen").to_numpy()
    others = (trav.role != 0) & (r.random(len(trav.role)) < share)
    flag = drew | others
    return np.flatnonzero(flag), flag


def _mrz(r: np.random.Generator, trav: Travellers, share: float):
    """TD3 MRZ per traveller; a `share` get a wrong composite check digit (bad document)."""
    p = trav.people
    frame = pl.DataFrame(
        {
            "surname": pl.Series(trav.surname, dtype=pl.String),
            "given_names": pl.Series(trav.given, dtype=pl.String),
            "doc_issuer": pl.Series(p.doc_issuer, dtype=pl.String),
            "doc_number": pl.Series(p.doc_number, dtype=pl.String),
            "nationality": pl.Series(p.nationality, dtype=pl.String),
            "dob": pl.Series(p.dob),
            "sex": pl.Series(np.where(p.female, "F", "M").astype(object), dtype=pl.String),
            "doc_expiry": pl.Series(p.doc_expiry),
        }
    )
    mrz = td3(frame)
    bad = r.random(len(frame)) < share
    last = mrz.str.slice(-1, 1).cast(pl.Int32, strict=False).fill_null(0)
    wrong = ((last + 1 + pl.Series(r.integers(0, 9, len(frame)))) % 10).cast(pl.String)
    broken = (
        pl.DataFrame({"m": mrz, "w": wrong})
        .select(
            pl.concat_str([pl.col("m").str.slice(0, pl.col("m").str.len_chars() - 1), pl.col("w")])
        )
        .to_series()
    )
    return pl.select(pl.when(pl.Series(bad)).then(broken).otherwise(mrz)).to_series(), bad


def _booking_contacts(r: np.random.Generator, trav: Travellers, listed, n_bookings: int):
    """Contact of each booking's first traveller; a listed person reuses a known contact
    half of the time (what PNR contact screening can find)."""
    first = np.r_[0, np.flatnonzero(np.diff(trav.booking)) + 1]
    phone = contacts.phones(r, n_bookings)
    email = contacts.emails(r, trav.surname[first], trav.given[first])
    # A mailbox belongs to one person: an innocent booker whose generated address happens
    # to equal a listed one (same name, same two digits) gets another address.
    mail = pl.Series(email, dtype=pl.String)
    taken = mail.is_in(pl.Series(listed.email[listed.email != ""], dtype=pl.String).implode())
    email = (
        pl.select(
            pl.when(taken)
            .then(pl.int_range(n_bookings).cast(pl.String) + "." + mail)
            .otherwise(mail)
        )
        .to_series()
        .to_numpy()
        .astype(object)
    )
    lead_listed = trav.role[first] == 0
    pos = np.searchsorted(listed.entry_id, np.where(lead_listed, trav.entry_id[first], ""))
    pos = np.clip(pos, 0, len(listed.entry_id) - 1)
    known = lead_listed & (listed.phone[pos] != "") & (r.random(n_bookings) < 0.5)
    phone = np.where(known, listed.phone[pos], phone).astype(object)
    email = np.where(known, listed.email[pos], email).astype(object)
    return phone, email, known


def _booking_passengers(r, table, s: Scenario, trav: Travellers, locators, bp_id):
    sur, giv = pnr_names(
        r, table, trav.people, trav.surname, trav.given, s.bookings.pnr_name_variation
    )
    p = trav.people
    docs = r.random(len(bp_id)) < s.bookings.ssr_docs_share
    return pl.DataFrame(
        {
            "booking_passenger_id": pl.Series(bp_id, dtype=pl.String),
            "record_locator": pl.Series(locators[trav.booking], dtype=pl.String),
            "surname": pl.Series(sur, dtype=pl.String),
            "given_names": pl.Series(giv, dtype=pl.String),
            "dob": pl.Series(np.where(docs, p.dob, np.datetime64("NaT"))),
            "doc_number": pl.Series(np.where(docs, p.doc_number, None).tolist(), dtype=pl.String),
            "nationality": pl.Series(np.where(docs, p.nationality, None).tolist(), dtype=pl.String),
        }
    ).with_columns(pl.col("given_names").replace("", None), pl.col("surname").replace("", None))


def _passengers(trav: Travellers, row, flight, flights: pl.DataFrame, pid, mrz: pl.Series):
    p = trav.people.take(row)
    given = np.where(trav.given[row] == "", "FNU", trav.given[row]).astype(object)
    return pl.DataFrame(
        {
            "passenger_id": pl.Series(pid, dtype=pl.String),
            "flight_id": flights["flight_id"].gather(flight),
            "surname": pl.Series(trav.surname[row], dtype=pl.String),
            "given_names": pl.Series(given, dtype=pl.String),
            "dob": pl.Series(p.dob),
            "sex": pl.Series(np.where(p.female, "F", "M").astype(object), dtype=pl.String),
            "nationality": pl.Series(p.nationality, dtype=pl.String),
            "doc_type": pl.Series(np.full(len(row), "P", object), dtype=pl.String),
            "doc_number": pl.Series(p.doc_number, dtype=pl.String),
            "doc_issuer": pl.Series(p.doc_issuer, dtype=pl.String),
            "doc_expiry": pl.Series(p.doc_expiry),
            "residence_country": pl.Series(p.residence, dtype=pl.String),
            "mrz": mrz.gather(row),
        }
    )


def _truth(table, trav: Travellers, row, pid, locators, bp_id, ls_flag, mrz_bad, from_list):
    origin_keys = np.asarray([o.key for o in table.origins], dtype=object)
    role = np.asarray(ROLES, dtype=object)[trav.role[row]]
    first = np.r_[0, np.flatnonzero(np.diff(trav.booking)) + 1]
    contact = np.zeros(len(trav.booking), bool)
    contact[first] = from_list
    return pl.DataFrame(
        {
            "passenger_id": pl.Series(pid, dtype=pl.String),
            "person_id": pl.Series(sequential_ids("T", len(trav.booking))[row], dtype=pl.String),
            "entry_id": pl.Series(trav.entry_id[row].tolist(), dtype=pl.String),
            "role": pl.Series(role, dtype=pl.String),
            "origin": pl.Series(origin_keys[trav.people.origin[row]], dtype=pl.String),
            "original_script": pl.Series(
                original_script(table, trav.people)[row].tolist(), dtype=pl.String
            ),
            "corruptions": trav.corruptions.gather(row),
            "related_entry_id": pl.Series(trav.related_entry[row].tolist(), dtype=pl.String),
            "doc_lost_stolen": pl.Series(ls_flag[row]),
            "mrz_invalid": pl.Series(mrz_bad[row]),
            "contact_from_list": pl.Series(contact[row]),
            "travels_on_listed_document": pl.Series(trav.list_doc[row]),
            "record_locator": pl.Series(locators[trav.booking[row]], dtype=pl.String),
            "booking_passenger_id": pl.Series(bp_id[row], dtype=pl.String),
        }
    )
