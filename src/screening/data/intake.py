"""User files to typed frames, row by row: every bad cell is reported with its row and
field, and never takes the other rows down with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import polars as pl

from screening.data.countries import document_codes

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

# What to do with a bad field: screen it as missing and list it, the same without the list,
# or stop at the first.
OnError = Literal["report", "skip", "fail"]
ON_ERROR: tuple[OnError, ...] = get_args(OnError)


class InputError(ValueError):
    """A user file that cannot be screened at all (missing column, unreadable file)."""


# What became of the row a problem was found in.
SCREENED = "screened without this field"
NOT_SCREENED = "not screened"
PROBLEM_COLUMNS = {
    "file": pl.String,
    "row": pl.Int64,  # 1-based, header = row 1
    "field": pl.String,
    "value": pl.String,
    "problem": pl.String,
    "action": pl.String,  # SCREENED or NOT_SCREENED
}
SEX_CODES = ("M", "F", "X")
UNKNOWN_SEX = ("", "U")  # "unspecified": no evidence, not a problem
REPLACEMENT = "\ufffd"  # what a lossy UTF-8 decoder puts for bytes it could not read


@dataclass(frozen=True)
class Intake:
    frame: pl.DataFrame  # every row that can be screened, typed; unreadable fields null
    problems: pl.DataFrame  # PROBLEM_COLUMNS, one row per bad field

    @property
    def unscreened(self) -> pl.DataFrame:
        """Problems that kept a row from being screened (no name at all)."""
        return self.problems.filter(pl.col("action") == NOT_SCREENED)


def no_problems() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_COLUMNS)


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


def manifest(
    raw: pl.DataFrame,
    source: str,
    row_offset: int = 0,
    read_problems: pl.DataFrame | None = None,
) -> Intake:
    """Typed passengers. A row with a readable name is always screened: an unreadable
    field (impossible date, unknown sex or state code, undecodable bytes) is screened as
    missing, listed in `problems` and noted in the row's `data_quality`; only a row with
    no name at all is left out. `row_offset`: data rows of the file before `raw` (when it
    is one part of a file); `read_problems`: what the file reader found (bytes)."""
    check_columns(raw, MANIFEST_REQUIRED, source)
    f = raw.with_columns(pl.col(c).cast(pl.String).str.strip_chars() for c in raw.columns)
    f = f.with_columns(
        pl.col("sex", "nationality", "doc_issuer").str.to_uppercase(),
        *(pl.col(c).str.to_uppercase() for c in ("residence_country",) if c in f.columns),
    ).with_row_index("_row")
    codes = list(document_codes())
    nulled = {
        "dob": _unreadable_date("dob"),
        "doc_expiry": _unreadable_date("doc_expiry"),
        "sex": ~pl.col("sex").fill_null("").is_in([*SEX_CODES, *UNKNOWN_SEX]),
        **{
            c: _present(c) & ~pl.col(c).is_in(codes)
            for c in ("nationality", "doc_issuer", "residence_country")
            if c in f.columns
        },
    }
    date = "unreadable or impossible date (expected YYYY-MM-DD)"
    state = "unknown state code (expected ISO 3166 alpha-3 or ICAO)"
    why = {
        "dob": date,
        "doc_expiry": date,
        "sex": f"unknown sex code (expected {', '.join(SEX_CODES)} or U)",
        **dict.fromkeys(("nationality", "doc_issuer", "residence_country"), state),
    }
    lossy = [c for c in f.columns if c != "_row" and f.schema[c] == pl.String]
    problems = [
        *(_problem(f.filter(bad), c, why[c], source) for c, bad in nulled.items()),
        *(
            _problem(
                f.filter(pl.col(c).str.contains(REPLACEMENT, literal=True)),
                c,
                "not valid UTF-8 (unreadable bytes replaced by U+FFFD)",
                source,
            )
            for c in lossy
        ),
        _problem(
            f.filter(~_present("passenger_id")),
            "passenger_id",
            "empty identifier (screened as row-N)",
            source,
        ),
    ]
    no_name = _no_name(f)
    unscreened = _problem(
        f.filter(no_name), "surname", "empty name (no surname and no given names)", source
    ).with_columns(action=pl.lit(NOT_SCREENED))
    found = pl.concat([*problems, unscreened])
    if row_offset:
        found = found.with_columns(pl.col("row") + row_offset)
    if read_problems is not None and not read_problems.is_empty():
        found = pl.concat([read_problems.select(list(PROBLEM_COLUMNS)), found])
    found = found.sort("row", maintain_order=True)
    row_no = pl.col("_row").cast(pl.Int64) + 2 + row_offset
    typed = (
        f.with_columns(
            pl.when(bad).then(None).otherwise(pl.col(c)).alias(c) for c, bad in nulled.items()
        )
        .with_columns(
            pl.col("dob", "doc_expiry").str.to_date("%Y-%m-%d", strict=False),
            pl.when(pl.col("sex").is_in(UNKNOWN_SEX))
            .then(None)
            .otherwise(pl.col("sex"))
            .alias("sex"),
            pl.when(_present("passenger_id"))
            .then(pl.col("passenger_id"))
            .otherwise(pl.lit("row-") + row_no.cast(pl.String))
            .alias("passenger_id"),
            _row=row_no,
        )
        .filter(~no_name)
    )
    notes = (
        found.filter(pl.col("action") == SCREENED)
        .group_by("row", maintain_order=True)
        .agg(data_quality=(pl.col("field") + ": " + pl.col("problem")).str.join("; "))
    )
    typed = typed.join(
        notes, left_on="_row", right_on="row", how="left", maintain_order="left"
    ).drop("_row")
    keep = [c for c in (*MANIFEST_REQUIRED, *MANIFEST_OPTIONAL) if c in typed.columns]
    return Intake(typed.select(*keep, "data_quality"), found)


def _present(col: str) -> pl.Expr:
    return pl.col(col).fill_null("") != ""


def _unreadable_date(col: str) -> pl.Expr:
    return _present(col) & pl.col(col).str.to_date("%Y-%m-%d", strict=False).is_null()


def _no_name(f: pl.DataFrame) -> pl.Expr:
    empty = lambda c: pl.col(c).fill_null("").str.replace_all(r"[\s\W_]+", "") == ""  # noqa: E731
    return empty("surname") & empty("given_names")


def _problem(rows: pl.DataFrame, field: str, problem: str, source: str) -> pl.DataFrame:
    return rows.select(
        pl.lit(source).alias("file"),
        (pl.col("_row").cast(pl.Int64) + 2).alias("row"),
        pl.lit(field).alias("field"),
        pl.col(field).cast(pl.String).alias("value"),
        pl.lit(problem).alias("problem"),
        pl.lit(SCREENED).alias("action"),
    )


def watchlist(raw: pl.DataFrame, source: str) -> Intake:
    """Flat watch-list rows (one per name), partial dates allowed. An unreadable date is
    kept as no date (the name still screens); a row with no name or no entry id is left
    out."""
    check_columns(raw, WATCHLIST_REQUIRED, source)
    f = raw.with_columns(pl.col(c).cast(pl.String) for c in raw.columns).with_row_index("_row")
    text = pl.col("dob").str.strip_chars()
    partial = text.str.contains(r"^\d{4}(-(0?[1-9]|1[0-2]))?$") | (
        text.str.to_date("%Y-%m-%d", strict=False).is_not_null()
    )
    bad_dob = (text.fill_null("") != "") & ~partial.fill_null(False)
    left_out = _no_name(f) | ~_present("entry_id")
    found = pl.concat(
        [
            _problem(
                f.filter(bad_dob),
                "dob",
                "unreadable date (expected YYYY-MM-DD, YYYY-MM or YYYY)",
                source,
            ),
            _problem(
                f.filter(_no_name(f)),
                "surname",
                "empty name (no surname and no given names)",
                source,
            ).with_columns(action=pl.lit(NOT_SCREENED)),
            _problem(
                f.filter(~_present("entry_id")), "entry_id", "empty identifier", source
            ).with_columns(action=pl.lit(NOT_SCREENED)),
        ]
    ).sort("row", maintain_order=True)
    good = (
        f.with_columns(pl.when(bad_dob).then(None).otherwise(pl.col("dob")).alias("dob"))
        .filter(~left_out)
        .drop("_row")
    )
    return Intake(good, found)
