"""OFAC SDN legacy CSV (`sdn.csv`, optional `alt.csv` beside it) → canonical list rows.

No header row, `-0- ` for null, a trailing Ctrl-Z byte. Individuals only by default.
Names are `SURNAME, Given`; DOBs (`19 Jun 1951`, `Sep 1938`, `1946`, `circa 1951`,
`1951 to 1953`), passports, nationality and gender are read out of the Remarks text.
Each DOB form becomes its own row per name, as in the UN importer.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from screening.data.formats.un_list import APPROX_YEARS, ListFormatError, country_code
from screening.data.lists import conform
from screening.schema import empty_list_if_null

SDN_COLUMNS = [
    "ent_num",
    "name",
    "sdn_type",
    "program",
    "title",
    "call_sign",
    "vess_type",
    "tonnage",
    "grt",
    "vess_flag",
    "vess_owner",
    "remarks",
]
ALT_COLUMNS = ["ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"]
LIST_NAME = "OFAC-SDN"


def looks_like_sdn(path: Path) -> bool:
    """An OFAC legacy file: no header, `-0-` nulls (checked on the first line)."""
    with Path(path).open("rb") as fh:
        first = fh.readline()
    return b"-0-" in first and not first.lower().startswith(b"ent_num")


def _read(path: Path, columns: list[str]) -> pl.DataFrame:
    data = Path(path).read_bytes().rstrip(b"\x1a\r\n")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # OFAC files are ASCII; older copies are Latin-1
    try:
        frame = pl.read_csv(
            io.StringIO(text), has_header=False, new_columns=columns, infer_schema=False
        )
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as exc:
        # polars can panic (not raise) on some malformed CSV; both are our error here
        raise ListFormatError(f"{path}: not an OFAC legacy CSV: {exc}".splitlines()[0]) from exc
    if frame.width != len(columns):
        raise ListFormatError(f"{path}: expected {len(columns)} columns, found {frame.width}")
    return frame.with_columns(
        pl.when(pl.col(c).str.strip_chars() == "-0-")
        .then(None)
        .otherwise(pl.col(c).str.strip_chars())
        .alias(c)
        for c in columns
    )


def read_ofac_sdn(path: Path, individuals_only: bool = True) -> pl.DataFrame:
    """Canonical list rows (screening.data.lists.LIST_COLUMNS) from sdn.csv (+ alt.csv)."""
    path = Path(path)
    sdn = _read(path, SDN_COLUMNS)
    if individuals_only:
        sdn = sdn.filter(pl.col("sdn_type") == "individual")
    if sdn.is_empty():
        raise ListFormatError(f"{path}: no individuals")
    sdn = sdn.with_columns(entry_id=pl.concat_str([pl.lit("SDN-"), "ent_num"]))
    names = sdn.select("entry_id", "ent_num", "name", pl.lit("good").alias("quality"))
    alt = path.with_name("alt.csv")
    if alt.exists():
        a = _read(alt, ALT_COLUMNS).join(sdn.select("ent_num", "entry_id"), on="ent_num")
        names = pl.concat(
            [
                names,
                a.select(
                    "entry_id",
                    "ent_num",
                    pl.col("alt_name").alias("name"),
                    pl.when(pl.col("alt_remarks").str.to_lowercase().str.contains("weak"))
                    .then(pl.lit("low"))
                    .otherwise(pl.lit("good"))
                    .alias("quality"),
                ),
            ]
        )
    names = names.drop_nulls("name").with_columns(
        name_id=pl.concat_str(
            ["entry_id", pl.lit("-"), (pl.int_range(pl.len()).over("entry_id") + 1).cast(pl.String)]
        ),
        surname=pl.col("name").str.split(",").list.first().str.strip_chars(),
        given_names=pl.col("name")
        .str.split(",")
        .list.slice(1)
        .list.join(",")
        .str.strip_chars()
        .replace("", None),
    )
    ident = _identity_fields(sdn)
    rows = names.join(ident, on="entry_id", how="left").explode("dob_forms").unnest("dob_forms")
    return conform(rows.with_columns(list_name=pl.lit(LIST_NAME)))


def _identity_fields(sdn: pl.DataFrame) -> pl.DataFrame:
    r = pl.col("remarks").fill_null("")
    out = sdn.select(
        "entry_id",
        pl.col("program").alias("category"),
        r.str.extract(r"Gender (Male|Female)", 1)
        .replace({"Male": "M", "Female": "F"})
        .alias("sex"),
        r.str.extract_all(r"Passport ([A-Za-z0-9-]+)")
        .list.eval(pl.element().str.replace("Passport ", ""))
        .list.unique()
        .alias("documents"),
        r.str.extract_all(r"nationality [^;.]+").alias("nat_text"),
        r.str.extract_all(r"DOB [^;]+").alias("dob_text"),
    )
    nat = out.select("entry_id", "nat_text").explode("nat_text").drop_nulls("nat_text")
    nat = nat.with_columns(
        name=pl.col("nat_text").str.replace("nationality ", "").str.strip_chars()
    )
    codes = {n: country_code(n) for n in nat["name"].unique().to_list()}  # distinct countries
    nat = nat.with_columns(code=pl.col("name").replace_strict(codes, default=None))
    nats = (
        nat.drop_nulls("code")
        .group_by("entry_id")
        .agg(pl.col("code").unique().sort().alias("nationalities"))
    )
    dob = out.select("entry_id", "dob_text").explode("dob_text")
    dob = dob.with_columns(
        _dob_struct(pl.col("dob_text").str.replace("DOB ", "").str.strip_chars())
    )
    dobs = dob.group_by("entry_id").agg(pl.col("dob_forms"))
    return (
        out.drop("nat_text", "dob_text")
        .join(nats, on="entry_id", how="left")
        .join(dobs, on="entry_id", how="left")
        .with_columns(empty_list_if_null("nationalities"))
    )


def _dob_struct(t: pl.Expr) -> pl.Expr:
    """One DOB text as a struct of (dob, dob_year_from, dob_year_to)."""
    exact = t.str.to_date("%d %b %Y", strict=False)
    rng = t.str.extract_groups(
        r"^(?:\d{1,2} [A-Za-z]{3} )?(\d{4}) to (?:\d{1,2} [A-Za-z]{3} )?(\d{4})$"
    )
    lo, hi = rng.struct.field("1").cast(pl.Int32), rng.struct.field("2").cast(pl.Int32)
    circa = t.str.extract(r"^circa (\d{4})$", 1).cast(pl.Int32)
    year = t.str.extract(r"^(?:[A-Za-z]{3} )?(\d{4})$", 1).cast(pl.Int32)
    y_from = pl.coalesce(exact.dt.year(), lo, circa - APPROX_YEARS, year)
    y_to = pl.coalesce(exact.dt.year(), hi, circa + APPROX_YEARS, year)
    return pl.struct(
        exact.alias("dob"), y_from.alias("dob_year_from"), y_to.alias("dob_year_to")
    ).alias("dob_forms")
