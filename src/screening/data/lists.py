"""Watch lists in one canonical shape for matching: one row per name, identity fields
repeated on each of its names.

From the generator's two tables (`watchlist` + `watchlist_names`) or from a flat file
(one row per name; `dob` as YYYY-MM-DD, YYYY-MM or YYYY; nationalities separated by `;`).
"""

from __future__ import annotations

import polars as pl

from screening.schema import empty_list_if_null

LIST_COLUMNS = {
    "entry_id": pl.String,
    "name_id": pl.String,
    "surname": pl.String,
    "given_names": pl.String,
    "quality": pl.String,
    "list_name": pl.String,
    "category": pl.String,
    "dob": pl.Date,
    "dob_year_from": pl.Int32,
    "dob_year_to": pl.Int32,
    "sex": pl.String,
    "nationalities": pl.List(pl.String),
    "documents": pl.List(pl.String),
    "phones": pl.List(pl.String),
    "emails": pl.List(pl.String),
}


CONTACTS = ("phones", "emails")


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """LIST_COLUMNS in order and type; absent columns are null, absent lists empty (a list
    written before contacts were part of the shape still loads)."""
    out = []
    for c, t in LIST_COLUMNS.items():
        if c in frame.columns:
            out.append(pl.col(c).cast(t))
        elif isinstance(t, pl.List):
            out.append(pl.lit([], t).alias(c))
        else:
            out.append(pl.lit(None, t).alias(c))
    lists = [c for c, t in LIST_COLUMNS.items() if isinstance(t, pl.List)]
    return frame.select(out).with_columns(*(empty_list_if_null(c) for c in lists))


def from_generated(watchlist: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """Canonical list rows from the generator's watch-list tables."""
    ident = watchlist.select(
        "entry_id",
        "list_name",
        "category",
        "dob",
        "dob_year_from",
        "dob_year_to",
        "sex",
        "nationalities",
        "documents",
        "phones",
        "emails",
    )
    return conform(names.join(ident, on="entry_id", how="left", maintain_order="left"))


def parse_partial_date(col: str) -> list[pl.Expr]:
    """`dob`, `dob_year_from`, `dob_year_to` from text: full, year-month or year-only dates."""
    text = pl.col(col).cast(pl.String).str.strip_chars()
    g = text.str.extract_groups(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
    year = g.struct.field("1").cast(pl.Int32)
    full = text.str.to_date("%Y-%m-%d", strict=False)
    return [
        full.alias("dob"),
        year.alias("dob_year_from"),
        year.alias("dob_year_to"),
    ]


def from_flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Canonical list rows from a flat one-row-per-name frame (columns as strings)."""
    f = frame
    name_id = (
        pl.col("name_id")
        if "name_id" in f.columns
        else pl.concat_str(
            [
                pl.col("entry_id"),
                pl.lit("-"),
                (pl.int_range(pl.len()).over("entry_id") + 1).cast(pl.String),
            ]
        )
    )
    docs = pl.col("doc_number") if "doc_number" in f.columns else pl.lit(None, pl.String)

    def split(col: str, case: str = "") -> pl.Expr:
        raw = pl.col(col) if col in f.columns else pl.lit(None, pl.String)
        item = pl.element().str.strip_chars()
        item = {"upper": item.str.to_uppercase(), "lower": item.str.to_lowercase()}.get(case, item)
        return raw.fill_null("").str.split(";").list.eval(item.filter(item != ""))

    out = f.with_columns(
        name_id.alias("name_id"),
        split("nationality", "upper").alias("nationalities"),
        split("phone").alias("phones"),
        split("email", "lower").alias("emails"),
        *(parse_partial_date("dob") if "dob" in f.columns else []),
    )
    # Documents of an identity are known on all of its names.
    doc_table = f.select("entry_id", docs.alias("doc")).drop_nulls("doc")
    known = doc_table.group_by("entry_id").agg(pl.col("doc").unique().sort().alias("documents"))
    out = out.join(known, on="entry_id", how="left", maintain_order="left")
    return conform(out).with_columns(pl.col("quality").fill_null("good"))


def canonical(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """A frame already in canonical form (e.g. from `screening lists import`), checked."""
    missing = [c for c in LIST_COLUMNS if c not in frame.columns and c not in CONTACTS]
    if missing:
        raise ValueError(f"{source}: not a canonical watch list, missing {', '.join(missing)}")
    return conform(frame)
