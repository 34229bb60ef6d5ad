"""Which reader a user's input needs: a folder from `screening generate` (whole tables or
tables in parts), a UN list XML, an OFAC SDN CSV, a canonical Parquet list, a flat CSV or
Parquet list, a PNRGOV file. The CLI and the engines name a path; this finds its tables."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from screening.data import intake, lists
from screening.data.formats.edifact import looks_like_edifact
from screening.data.formats.ofac_sdn import looks_like_sdn, read_ofac_sdn
from screening.data.formats.pnrgov import read_pnrgov
from screening.data.formats.un_list import read_un_xml
from screening.data.io import read_table, read_user_table


def generated(folder: Path, table: str) -> pl.DataFrame:
    """One table of a generated world, whole or written in parts (generate --partitions)."""
    if (folder / table).is_dir():
        return read_table(folder / table, table)
    for ext in ("parquet", "csv"):
        path = folder / f"{table}.{ext}"
        if path.exists():
            return read_table(path, table)
    raise intake.InputError(f"{folder}: no {table}.parquet or {table}.csv in this folder")


def optional(folder: Path, table: str) -> pl.DataFrame | None:
    """A generated table the folder may lack (None then)."""
    present = (folder / table).is_dir() or any(folder.glob(f"{table}.*"))
    return generated(folder, table) if present else None


def watchlist_rows(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Canonical list rows (screening.data.lists) from any list format, and the problems a
    flat file's intake found (intake.PROBLEM_COLUMNS; empty for the other formats)."""
    if path.is_dir():
        rows = lists.from_generated(
            generated(path, "watchlist"), generated(path, "watchlist_names")
        )
    elif path.suffix == ".xml":
        rows = read_un_xml(path)
    elif path.suffix == ".csv" and looks_like_sdn(path):
        rows = read_ofac_sdn(path)
    elif path.suffix == ".parquet" and "nationalities" in pl.read_parquet_schema(path):
        rows = lists.canonical(pl.read_parquet(path), str(path))
    else:
        flat = intake.watchlist(read_user_table(path, strict=False), str(path))
        return lists.from_flat(flat.frame), flat.problems
    return rows, intake.no_problems()


def lost_stolen(path: Path) -> pl.DataFrame:
    """The lost/stolen documents list from a generated folder or a file."""
    frame = generated(path, "documents_lost_stolen") if path.is_dir() else read_user_table(path)
    intake.check_columns(frame, ("doc_number", "doc_issuer", "status"), str(path))
    return frame


def bookings(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(bookings, booking_passengers) from a generated folder or a PNRGOV file."""
    if path.is_dir():
        return generated(path, "bookings"), generated(path, "booking_passengers")
    if looks_like_edifact(path):
        found, people = read_pnrgov(path)
        # The reader keeps dates as text (ISO); an unreadable one is no date, not an error:
        # a PNR date of birth is optional evidence.
        day = lambda c: pl.col(c).str.to_date("%Y-%m-%d", strict=False)  # noqa: E731
        return found.with_columns(day("booking_date")), people.with_columns(day("dob"))
    raise intake.InputError(
        f"{path}: bookings must be a folder from `screening generate` or a PNRGOV file"
    )
