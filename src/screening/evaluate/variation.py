"""How an alias differs from the primary name it stands for, as one measured class.

Real lists show a handful of kinds of variation (Arabic romanizations, articles, BIN/IBN,
ABD AL- compounds, compound names split or glued, kunyas, partial names). Each alias gets
the first class, in the order below, under whose normalization it equals the primary name
(the normalizations are cumulative: `romanization` may also need the articles dropped),
or, when none makes them equal, how their name parts relate.
"""

from __future__ import annotations

import polars as pl

from screening.linkage.normalize import fold, skeleton

CLASSES = (
    "same",  # equal once case, accents and punctuation are folded
    "order",  # the same parts in another order
    "spacing",  # a compound written as one word or two (ABDULRAHMAN / ABDUL RAHMAN)
    "article",  # AL-/EL-/AS-... present in one, absent in the other
    "bin_ibn",  # BIN / IBN / BEN / OULD written differently
    "abd_compound",  # ABDUL / ABDEL / ABD AL written differently
    "romanization",  # the same consonant skeleton: q/k/g, ou/u, e/i, doubled letters
    "kunya",  # a known-by name (ABU ..., UMM ...) the other has not
    "partial",  # some of the primary name's parts only
    "added",  # the primary name's parts and more
    "shares_part",  # some part in common, not the others
    "unrelated",  # no part in common: a different name altogether
)

ARTICLES = ("AL", "EL", "AS", "ASH", "AT", "AZ", "AR", "AD", "AN", "UL", "ED")
BIN_FORMS = ("BIN", "IBN", "BEN", "BINT", "BENT", "OULD", "WALD", "B")
KUNYA = ("ABU", "ABOU", "ABO", "UMM", "OM", "UM")
_ABD = r"^ABD(?:UL|EL|OUL|OL|AL|IL)?"


def _tokens(surname: pl.Series, given: pl.Series) -> pl.Series:
    f = pl.DataFrame({"g": fold(given), "s": fold(surname)})
    full = f.select(pl.concat_str(["g", "s"], separator=" ").str.strip_chars()).to_series()
    return full.str.split(" ").list.eval(pl.element().filter(pl.element() != ""))


def _keys(tokens: pl.Series) -> dict[str, pl.Series]:
    """One key per class: two names of a class agree on its key, not on the earlier ones."""
    f = pl.DataFrame({"t": tokens})
    no_article = pl.col("t").list.eval(pl.element().filter(~pl.element().is_in(ARTICLES)))
    f = f.with_columns(
        same=pl.col("t").list.join(" "),
        order=pl.col("t").list.sort().list.join(" "),
        spacing=pl.col("t").list.sort().list.join(""),
        glued=pl.col("t").list.join(""),
        article=no_article.list.sort().list.join(""),
        _na=no_article,
    )
    f = f.with_columns(
        _bin=pl.col("_na").list.eval(
            pl.when(pl.element().is_in(BIN_FORMS)).then(pl.lit("BIN")).otherwise(pl.element())
        )
    ).with_columns(
        bin_ibn=pl.col("_bin").list.sort().list.join(""),
        _abd=pl.col("_bin").list.eval(pl.element().str.replace(_ABD, "ABD")),
    )
    f = f.with_columns(abd_compound=pl.col("_abd").list.sort().list.join(""))
    flat = f.with_row_index("_r").select("_r", "_abd").explode("_abd")
    flat = flat.with_columns(sk=skeleton(flat["_abd"]))
    sk = flat.group_by("_r", maintain_order=True).agg(pl.col("sk").drop_nulls())
    f = f.with_columns(
        _sk=sk["sk"],
        romanization=sk["sk"].list.sort().list.join(""),
    )
    return {c: f[c] for c in f.columns}


def variation_class(
    primary_surname: pl.Series,
    primary_given: pl.Series,
    alias_surname: pl.Series,
    alias_given: pl.Series,
) -> pl.Series:
    """The CLASSES label of each (primary, alias) pair, row by row."""
    a = _keys(_tokens(primary_surname, primary_given))
    b = _keys(_tokens(alias_surname, alias_given))
    f = pl.DataFrame(
        {f"a_{k}": v for k, v in a.items()} | {f"b_{k}": v for k, v in b.items()}
    ).with_columns(
        _inter=pl.col("a__sk").list.set_intersection("b__sk").list.len(),
        _a=pl.col("a__sk").list.unique().list.len(),
        _b=pl.col("b__sk").list.unique().list.len(),
        _kunya=pl.col("b_t").list.eval(pl.element().is_in(KUNYA)).list.any()
        != pl.col("a_t").list.eval(pl.element().is_in(KUNYA)).list.any(),
    )
    same = lambda k: pl.col(f"a_{k}") == pl.col(f"b_{k}")  # noqa: E731
    label = (
        pl.when(same("same"))
        .then(pl.lit("same"))
        .when(same("order"))
        .then(pl.lit("order"))
        .when(same("spacing") | same("glued"))
        .then(pl.lit("spacing"))
        .when(same("article"))
        .then(pl.lit("article"))
        .when(same("bin_ibn"))
        .then(pl.lit("bin_ibn"))
        .when(same("abd_compound"))
        .then(pl.lit("abd_compound"))
        .when(same("romanization"))
        .then(pl.lit("romanization"))
        .when(pl.col("_kunya"))
        .then(pl.lit("kunya"))
        .when((pl.col("_inter") == pl.col("_b")) & (pl.col("_b") < pl.col("_a")))
        .then(pl.lit("partial"))
        .when((pl.col("_inter") == pl.col("_a")) & (pl.col("_a") < pl.col("_b")))
        .then(pl.lit("added"))
        .when(pl.col("_inter") > 0)
        .then(pl.lit("shares_part"))
        .otherwise(pl.lit("unrelated"))
    )
    return f.select(label.alias("variation")).to_series()
