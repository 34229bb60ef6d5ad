"""How real is a generated world: its name statistics beside the published figures it is
calibrated to (synthetic/reference/names.toml), flagged where outside tolerance."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import polars as pl

from screening.generate.names import KINDS, NameTable, build_name_table
from screening.paths import data_dir

SIZES = (1_000, 2_000, 4_000, 8_000)  # people drawn for the distinct-name counts
TOPS = (1, 3, 5, 10, 100)  # the k of the top-k shares
MIN_PER_RANK = 50  # people per ranked name below which a top-k share is not estimated
STATISTICS = (
    *(f"top{k}_share" for k in TOPS),
    "p_same",
    *(f"distinct_in_{n}" for n in SIZES),
)


def references(data: Path | None = None) -> tuple[dict[tuple[str, str], dict], float]:
    """{(origin, kind): reference table} and the relative tolerance."""
    spec = tomllib.loads(((data or data_dir()) / "reference" / "names.toml").read_text("utf-8"))
    tolerance = float(spec.pop("tolerance"))
    out = {(o, k): v for o, kinds in spec.items() for k, v in kinds.items()}
    return out, tolerance


def spellings(table: NameTable) -> pl.DataFrame:
    """(origin, part, spelling, name): every spelling of a name part people carry, with the
    part's standard form, so that KIM and GIM count as one surname (the first part wins
    where two share a spelling; parts of weight 0, which lend spellings only, are left out:
    the compound JOSE LUIS must not swallow a JOSE with a second name LUIS)."""
    drawn = np.zeros(len(table.native), dtype=bool)  # names a person can carry (weight > 0)
    for ids_, _ in table.pools.values():
        drawn[ids_] = True
    # A female surname form (AKHMETOVA) is its surname (AKHMETOV): one name, two forms.
    male = np.flatnonzero(drawn & (table.female_form != np.arange(len(table.native))))
    drawn[table.female_form[male]] = True
    standard = np.arange(len(table.native))
    standard[table.female_form[male]] = male
    ids = np.repeat(np.arange(len(table.native)), table.var_count)
    keys = np.array([o.key for o in table.origins], dtype=object)
    return (
        pl.DataFrame(
            {
                "origin": keys[table.origin[ids]],
                "part": np.where(table.kind[ids] == KINDS.index("surname"), "surname", "given"),
                "spelling": table.variants,
                "name": table.variants[table.var_start[standard[ids]]],
            }
        )
        .filter(pl.Series(drawn[ids]))
        .unique(["origin", "part", "spelling"], keep="first", maintain_order=True)
    )


def name_draws(
    passengers: pl.DataFrame, truth: pl.DataFrame, table: NameTable | None = None
) -> pl.DataFrame:
    """One row per name draw of the ordinary travellers (a person once, whatever their
    legs; a surname once per booking): origin, kind, and the name — the first surname
    part, and the first given name by sex."""
    people = (
        truth.filter(pl.col("role") == "ordinary")
        .select("passenger_id", "person_id", "origin", "record_locator")
        .join(
            passengers.select("passenger_id", "surname", "given_names", "sex"),
            on="passenger_id",
            maintain_order="left",
        )
        .unique("person_id", keep="first")
        .sort("person_id")
    )
    first = lambda c: pl.col(c).str.split(" ").list.first()  # noqa: E731
    given = people.select(
        "person_id",
        "origin",
        kind=pl.when(pl.col("sex") == "F").then(pl.lit("given_f")).otherwise(pl.lit("given_m")),
        name=first("given_names"),
        whole=pl.col("given_names"),
    ).filter(pl.col("name").is_not_null())
    # Relatives booked together share a surname by descent, not by chance: the surname is
    # drawn once per booking (its first traveller; merging equal surnames instead would also
    # merge unrelated Kims travelling together, and undercount common names).
    surname = (
        people.with_columns(name=first("surname"), party=pl.coalesce("record_locator", "person_id"))
        .unique("party", keep="first", maintain_order=True)
        .select("person_id", "origin", kind=pl.lit("surname"), name="name", whole="surname")
    )
    draws = pl.concat([surname, given])
    if table is None:
        return draws
    # Count names, not spellings: a spelling of a known part becomes that part's standard
    # form (the whole given names first: MIN JUN is one Korean name, not MIN).
    known = spellings(table)
    part = pl.when(pl.col("kind") == "surname").then(pl.lit("surname")).otherwise(pl.lit("given"))
    return (
        draws.with_columns(part=part)
        .join(
            known,
            left_on=["origin", "part", "whole"],
            right_on=["origin", "part", "spelling"],
            how="left",
            maintain_order="left",
        )
        .join(
            known.rename({"name": "by_first"}),
            left_on=["origin", "part", "name"],
            right_on=["origin", "part", "spelling"],
            how="left",
            maintain_order="left",
        )
        .select("person_id", "origin", "kind", name=pl.coalesce("name_right", "by_first", "name"))
        .join(pool_weights(table), on=["origin", "kind", "name"], how="left", maintain_order="left")
        .with_columns(pl.col("weight").fill_null(0.0))
    )


def pool_weights(table: NameTable) -> pl.DataFrame:
    """(origin, kind, name, weight): how common the generator makes each name (its share of
    the pool), by the name's standard form."""
    keys = np.array([o.key for o in table.origins], dtype=object)
    frames = []
    for (o, k), (ids, cdf) in table.pools.items():
        frames.append(
            pl.DataFrame(
                {
                    "origin": keys[o],
                    "kind": KINDS[k],
                    "name": table.variants[table.var_start[ids]],
                    "weight": np.diff(cdf, prepend=0.0) / cdf[-1],
                }
            )
        )
    return pl.concat(frames).group_by("origin", "kind", "name").agg(pl.col("weight").sum())


def statistics(draws: pl.DataFrame, seed: int = 0) -> pl.DataFrame:
    """STATISTICS per (origin, kind) over all draws (top-k shares from 50 k people up;
    p_same, the unbiased pair estimate); distinct_in_N counts the names among the first N
    draws of a seeded random order (null with fewer people)."""
    order = pl.int_range(pl.len()).shuffle(seed=seed).over("origin", "kind")
    picked = draws.with_columns(order=order)
    if "weight" not in picked.columns:  # names of unknown frequency: ranked by their count
        picked = picked.with_columns(weight=pl.lit(0.0))
    counts = picked.group_by("origin", "kind", "name").agg(
        c=pl.len().cast(pl.Float64), first=pl.col("order").min(), weight=pl.col("weight").first()
    )
    # Ranked and measured on the same draws, the top k include names that were merely lucky
    # (the most common of three names of ~3 % each reads ~3.6 %): where the generator's pool
    # says how common a name is, the top k are the pool's, and the share is unbiased.
    ranked = counts.sort(["weight", "c", "name"], descending=[True, True, False]).with_columns(
        rank=pl.int_range(1, pl.len() + 1).over("origin", "kind"),
        n=pl.col("c").sum().over("origin", "kind"),
    )
    n = pl.col("n").first()

    def share(k: int) -> pl.Expr:
        # With fewer than 50 people per name ranked, a flat distribution's share is mostly
        # noise (the top 100 of 3,000 people), so none is given.
        top = pl.col("c").filter(pl.col("rank") <= k).sum() / n
        return pl.when(n >= MIN_PER_RANK * k).then(top).otherwise(None)

    # A name is among the first N draws when its earliest draw is.
    distinct = {
        f"distinct_in_{m}": pl.when(n >= m).then((pl.col("first") < m).sum()).cast(pl.Float64)
        for m in SIZES
    }
    return (
        ranked.group_by("origin", "kind")
        .agg(
            people=n.cast(pl.Int64),
            **{f"top{k}_share": share(k) for k in TOPS},
            p_same=(pl.col("c") * (pl.col("c") - 1)).sum() / (n * (n - 1)),
            **distinct,
        )
        .sort("origin", "kind")
    )


def compare(stats: pl.DataFrame, data: Path | None = None) -> pl.DataFrame:
    """Long table: origin, kind, statistic, world, reference, ratio, noise, ok, source.
    Origins or kinds without a cited reference still show their figures (reference null)."""
    refs, tolerance = references(data)
    long = stats.unpivot(
        index=["origin", "kind", "people"],
        on=list(STATISTICS),
        variable_name="statistic",
        value_name="world",
    )
    ref = pl.DataFrame(
        [
            (o, k, s, float(v[s]), v["source"])
            for (o, k), v in refs.items()
            for s in STATISTICS
            if s in v
        ],
        schema=["origin", "kind", "statistic", "reference", "source"],
        orient="row",
    )
    out = long.join(ref, on=["origin", "kind", "statistic"], how="left", maintain_order="left")
    ratio = pl.col("world") / pl.col("reference")
    # A share measured on a few thousand people has sampling error of its own (a top-1 share
    # of 0.4 % is 12 people of 3,000, give or take 3.5): three binomial standard errors at
    # the reference value, relative to it, are allowed where they exceed the tolerance (three,
    # not two: a world is checked on some sixty statistics at once, and at two one or two of
    # them would be flagged by chance alone).
    p = pl.col("reference")
    noise = pl.when(pl.col("statistic").str.starts_with("top")).then(
        3.0 * (p * (1.0 - p) / pl.col("people")).sqrt() / p
    )
    return out.with_columns(
        ratio=ratio,
        noise=noise,
        ok=pl.when(pl.col("reference").is_null() | pl.col("world").is_null())
        .then(None)
        .otherwise((ratio - 1.0).abs() <= pl.max_horizontal(pl.lit(tolerance), noise)),
    ).sort("origin", "kind", "statistic")


LIST_STATISTICS = (
    "names_per_identity",
    "one_name",
    "six_or_more",
    "low_quality",
    "dob_exact",
    "dob_year",
    "dob_range",
    "dob_unknown",
    "no_nationality",
    "two_nationalities",
    "documents_known",
    "tokens_per_name",
)


def list_statistics(rows: pl.DataFrame) -> dict[str, float]:
    """The shape of a watch list (canonical rows, screening.data.lists): names per identity,
    alias quality, precision of the dates of birth, nationalities, documents, name length."""
    per = rows.group_by("entry_id").agg(
        n=pl.len(),
        dob=pl.col("dob").first(),
        yf=pl.col("dob_year_from").first(),
        yt=pl.col("dob_year_to").first(),
        nat=pl.col("nationalities").first().list.len(),
        docs=pl.col("documents").first().list.len(),
    )
    form = per.select(
        pl.when(pl.col("dob").is_not_null())
        .then(pl.lit("exact"))
        .when(pl.col("yf").is_null())
        .then(pl.lit("unknown"))
        .when(pl.col("yf") == pl.col("yt"))
        .then(pl.lit("year"))
        .otherwise(pl.lit("range"))
    ).to_series()
    parts = rows.select(
        pl.concat_str(
            [pl.col("given_names").fill_null(""), pl.col("surname").fill_null("")], separator=" "
        )
        .str.strip_chars()
        .str.split(" ")
        .list.len()
    ).to_series()
    return {
        "names_per_identity": rows.height / per.height,
        "one_name": float((per["n"] == 1).mean()),
        "six_or_more": float((per["n"] >= 6).mean()),
        "low_quality": float((rows["quality"] == "low").mean()),
        **{f"dob_{k}": float((form == k).mean()) for k in ("exact", "year", "range", "unknown")},
        "no_nationality": float((per["nat"] == 0).mean()),
        "two_nationalities": float((per["nat"] >= 2).mean()),
        "documents_known": float((per["docs"] > 0).mean()),
        "tokens_per_name": float(parts.mean()),
    }


def compare_list(rows: pl.DataFrame, data: Path | None = None) -> pl.DataFrame:
    """statistic, world, reference, ratio, ok for a watch list against the UN list's shape."""
    spec = tomllib.loads(
        ((data or data_dir()) / "reference" / "watchlists.toml").read_text("utf-8")
    )
    _, tolerance = references(data)
    got = list_statistics(rows)
    out = pl.DataFrame(
        {
            "statistic": list(LIST_STATISTICS),
            "world": [got[k] for k in LIST_STATISTICS],
            "reference": [float(spec[k]) for k in LIST_STATISTICS],
        }
    )
    ratio = pl.col("world") / pl.col("reference")
    return out.with_columns(
        ratio=ratio, ok=(ratio - 1.0).abs() <= tolerance, source=pl.lit(spec["source"])
    )


MIN_PEOPLE = 2_000  # name draws below which a world's shares are not compared in reports


def cited(names: pl.DataFrame, shape: pl.DataFrame) -> pl.DataFrame:
    """One long table (origin, kind, statistic, world, reference, ratio, noise, ok) of the name
    statistics that have a cited reference (`compare`) and the watch list's shape
    (`compare_list`, as origin "watch list")."""
    cols = ["origin", "kind", "statistic", "world", "reference", "ratio", "noise", "ok"]
    names = names.filter(pl.col("reference").is_not_null() & pl.col("world").is_not_null())
    shape = shape.with_columns(
        origin=pl.lit("watch list"), kind=pl.lit(""), noise=pl.lit(None, pl.Float64)
    )
    return pl.concat([names.select(cols), shape.select(cols)])


def realism(passengers: pl.DataFrame, truth: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """`cited` for one world, its names from MIN_PEOPLE draws of an origin up: top-k shares
    of a few hundred people say nothing (the top 100 of 150 is everyone)."""
    names = compare(statistics(name_draws(passengers, truth, build_name_table())))
    return cited(names.filter(pl.col("people") >= MIN_PEOPLE), compare_list(rows))
