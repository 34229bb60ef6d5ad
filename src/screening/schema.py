"""The column contracts of every table, and validate() to enforce them at boundaries."""

from __future__ import annotations

from enum import StrEnum

import polars as pl


class AlertKind(StrEnum):
    """What an alert is about (the `kind` column of the alerts)."""

    WATCHLIST = "watchlist"  # a listed person, by name
    WATCHLIST_DOCUMENT = "watchlist_document"  # a listed person, by the document too
    CONTACT = "contact"  # a booking sharing a listed identity's phone or e-mail
    ASSOCIATE = "associate"  # travelling with an alerted traveller
    DOCUMENT_LOST_STOLEN = "document_lost_stolen"
    DOCUMENT_INVALID = "document_invalid"  # MRZ check digits wrong


S, D, DT, B = pl.String, pl.Date, pl.Datetime("us"), pl.Boolean
LS = pl.List(pl.String)

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "passengers": {
        "passenger_id": S,
        "flight_id": S,
        "surname": S,
        "given_names": S,
        "dob": D,
        "sex": S,
        "nationality": S,
        "doc_type": S,
        "doc_number": S,
        "doc_issuer": S,
        "doc_expiry": D,
        "residence_country": S,
        "mrz": S,
    },
    "flights": {
        "flight_id": S,
        "carrier": S,
        "flight_number": S,
        "origin": S,
        "destination": S,
        "departure": DT,
        "arrival": DT,
    },
    "bookings": {
        "record_locator": S,
        "booking_date": D,
        "agency": S,
        "payment_form": S,
        "contact_phone": S,
        "contact_email": S,
        "flight_ids": LS,
        "origin": S,
        "destination": S,
    },
    "booking_passengers": {
        "booking_passenger_id": S,
        "record_locator": S,
        "surname": S,
        "given_names": S,
        "dob": D,
        "doc_number": S,
        "nationality": S,
    },
    "watchlist": {
        "entry_id": S,
        "list_name": S,
        "category": S,
        "reference": S,
        "dob": D,
        "dob_year_from": pl.Int16,
        "dob_year_to": pl.Int16,
        "dob_kind": S,
        "sex": S,
        "nationalities": LS,
        "documents": LS,
        "document_issuers": LS,
        "phones": LS,
        "emails": LS,
    },
    "watchlist_names": {
        "entry_id": S,
        "name_id": S,
        "surname": S,
        "given_names": S,
        "original_script": S,
        "is_primary": B,
        "quality": S,
    },
    "documents_lost_stolen": {
        "doc_number": S,
        "doc_issuer": S,
        "doc_type": S,
        "status": S,
        "reported": D,
    },
    "truth": {
        "passenger_id": S,
        "person_id": S,
        "entry_id": S,
        "role": S,
        "origin": S,
        "original_script": S,
        "corruptions": LS,
        "related_entry_id": S,
        "doc_lost_stolen": B,
        "mrz_invalid": B,
        "contact_from_list": B,
        "travels_on_listed_document": B,
        "record_locator": S,
        "booking_passenger_id": S,
    },
}

# Columns that must never be null (identifiers and the fields every record has).
REQUIRED: dict[str, tuple[str, ...]] = {
    "passengers": ("passenger_id", "flight_id", "surname", "given_names"),
    "flights": ("flight_id", "origin", "destination", "departure"),
    "bookings": ("record_locator", "booking_date"),
    "booking_passengers": ("booking_passenger_id", "record_locator"),
    "watchlist": ("entry_id", "list_name", "category"),
    "watchlist_names": ("entry_id", "name_id", "is_primary", "quality"),
    "documents_lost_stolen": ("doc_number", "doc_issuer", "status"),
    "truth": ("passenger_id", "person_id", "role", "origin"),
}

UNIQUE: dict[str, str] = {
    "passengers": "passenger_id",
    "flights": "flight_id",
    "bookings": "record_locator",
    "booking_passengers": "booking_passenger_id",
    "watchlist": "entry_id",
    "watchlist_names": "name_id",
    "truth": "passenger_id",
}


class SchemaError(ValueError):
    """A frame that breaks its table's contract; the message names table and column."""


def validate(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Check columns, dtypes, required values and unique keys; return the frame."""
    expected = SCHEMAS[table]
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise SchemaError(f"{table}: missing column(s) {missing}")
    extra = [c for c in frame.columns if c not in expected]
    if extra:
        raise SchemaError(f"{table}: unexpected column(s) {extra}")
    for col, dtype in expected.items():
        if frame.schema[col] != dtype:
            raise SchemaError(f"{table}.{col}: expected {dtype}, got {frame.schema[col]}")
    for col in REQUIRED[table]:
        nulls = frame[col].null_count()
        if nulls:
            row = frame.with_row_index().filter(pl.col(col).is_null())["index"][0]
            raise SchemaError(f"{table}.{col}: {nulls} null value(s), first at row {row}")
    key = UNIQUE.get(table)
    if key is not None and frame[key].n_unique() != len(frame):
        dup = frame[key].filter(frame[key].is_duplicated())[0]
        raise SchemaError(f"{table}.{key}: duplicate key {dup!r}")
    return frame.select(list(expected))


def empty_list_if_null(col: str) -> pl.Expr:
    """A list-of-strings column with nulls as empty lists (fill_null with a list literal
    panics in polars 2.1 when a whole chunk is null)."""
    c = pl.col(col).cast(pl.List(pl.String))
    return pl.when(c.is_null()).then(pl.lit([], dtype=pl.List(pl.String))).otherwise(c).alias(col)
