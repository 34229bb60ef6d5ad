"""User files to typed frames, row by row: every bad cell is reported with its row and
field, and never takes the other rows down with it."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

MANIFEST_REQUIRED = (
    "passenger_id",
    "surname",
    "given_names",
    "dob",
    "sex",
    "nationality",
    "doc_type",
    "doc_number",
    "doc_issuer",
    "doc_expiry",
)
MANIFEST_OPTIONAL = ("flight_id", "mrz", "residence_country")
WATCHLIST_REQUIRED = (
    "entry_id",
    "surname",
    "given_names",
    "dob",
    "sex",
    "nationality",
    "doc_number",
    "doc_issuer",
)
WATCHLIST_OPTIONAL = ("list_name", "category", "quality", "name_id")


class InputError(ValueError):
    """A user file that cannot be screened at all (missing column, unreadable file)."""


@dataclass(frozen=True)
class Intake:
    frame: pl.DataFrame  # the good rows, typed
    rejected: pl.DataFrame  # file, row (1-based, header = row 1), field, value, problem


def check_columns(frame: pl.DataFrame, required: tuple[str, ...], source: str) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source}: missing column(s) {', '.join(missing)} (found: {', '.join(frame.columns)})"
        )


def rename_columns(frame: pl.DataFrame, spec: str | None, source: str) -> pl.DataFrame:
    """Apply `old=new,old2=new2` to the frame's header."""
    if not spec:
        return frame
    mapping = {}
    for part in spec.split(","):
        if "=" not in part:
            raise InputError(f"--columns: expected old=new pairs, got {part!r}")
        old, new = (x.strip() for x in part.split("=", 1))
        if old not in frame.columns:
            raise InputError(f"{source}: --columns names {old!r}, which is not a column")
        mapping[old] = new
    return frame.rename(mapping)


def manifest(raw: pl.DataFrame, source: str, row_offset: int = 0) -> Intake:
    """Typed passengers: dates parsed as dates, names checked, bad rows set aside.
    `row_offset`: data rows of the file before `raw` (when it is one part of a file)."""
    check_columns(raw, MANIFEST_REQUIRED, source)
    f = raw.with_columns(pl.col(c).cast(pl.String) for c in raw.columns).with_row_index("_row")
    problems = [
        _bad_date(f, "dob", source),
        _bad_date(f, "doc_expiry", source),
        _empty_name(f, source),
        _empty(f, "passenger_id", source),
    ]
    rejected = pl.concat(problems)
    good = f.join(
        rejected.select(pl.col("row").cast(pl.UInt32) - 2).rename({"row": "_row"}),
        on="_row",
        how="anti",
    )
    typed = good.with_columns(
        pl.col("dob").str.strip_chars().str.to_date("%Y-%m-%d", strict=False),
        pl.col("doc_expiry").str.strip_chars().str.to_date("%Y-%m-%d", strict=False),
        pl.col("sex").str.to_uppercase(),
        pl.col("nationality", "doc_issuer").str.to_uppercase(),
    ).drop("_row")
    keep = [c for c in (*MANIFEST_REQUIRED, *MANIFEST_OPTIONAL) if c in typed.columns]
    return Intake(typed.select(keep), rejected.with_columns(pl.col("row") + row_offset))


def _problem(rows: pl.DataFrame, field: str, problem: str, source: str) -> pl.DataFrame:
    return rows.select(
        pl.lit(source).alias("file"),
        (pl.col("_row").cast(pl.Int64) + 2).alias("row"),
        pl.lit(field).alias("field"),
        pl.col(field).cast(pl.String).alias("value"),
        pl.lit(problem).alias("problem"),
    )


def _bad_date(f: pl.DataFrame, col: str, source: str) -> pl.DataFrame:
    text = pl.col(col).str.strip_chars()
    bad = f.filter(
        (text.fill_null("") != "") & text.str.to_date("%Y-%m-%d", strict=False).is_null()
    )
    return _problem(bad, col, "unreadable or impossible date (expected YYYY-MM-DD)", source)


def _empty_name(f: pl.DataFrame, source: str) -> pl.DataFrame:
    empty = lambda c: pl.col(c).fill_null("").str.replace_all(r"[\s\W_]+", "") == ""  # noqa: E731
    bad = f.filter(empty("surname") & empty("given_names"))
    return _problem(bad, "surname", "empty name (no surname and no given names)", source)


def _empty(f: pl.DataFrame, col: str, source: str) -> pl.DataFrame:
    return _problem(
        f.filter(pl.col(col).fill_null("").str.strip_chars() == ""), col, "empty identifier", source
    )


def watchlist(raw: pl.DataFrame, source: str) -> Intake:
    """Flat watch-list rows (one per name): partial dates allowed, bad rows set aside."""
    check_columns(raw, WATCHLIST_REQUIRED, source)
    f = raw.with_columns(pl.col(c).cast(pl.String) for c in raw.columns).with_row_index("_row")
    text = pl.col("dob").str.strip_chars()
    partial = text.str.contains(r"^\d{4}(-\d{1,2})?$") | (
        text.str.to_date("%Y-%m-%d", strict=False).is_not_null()
    )
    bad_dob = _problem(
        f.filter((text.fill_null("") != "") & ~partial.fill_null(False)),
        "dob",
        "unreadable date (expected YYYY-MM-DD, YYYY-MM or YYYY)",
        source,
    )
    rejected = pl.concat([bad_dob, _empty_name(f, source), _empty(f, "entry_id", source)])
    good = f.join(
        rejected.select((pl.col("row") - 2).cast(pl.UInt32).alias("_row")), on="_row", how="anti"
    ).drop("_row")
    return Intake(good, rejected)
