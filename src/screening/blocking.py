"""Candidate pairs from cheap keys joined with polars, never all pairs.

Keys (each a string; a row has several):
- `pair`: two of the row's token skeletons, sorted (order-, romanization- and
  particle-proof; survives one dropped or added part when three or more remain);
- `tok`: one token skeleton, only for tokens rare on the list (survives a typo in the
  other part);
- `ini`: initial of the first name part plus the skeleton of the last (survives initials
  and typos in given names);
- `doc`: the OCR-folded document number.
A key shared by more list names than `max_block` is dropped: it would flood every
passenger carrying it with candidates (MOHAMMED + ALI), and the rarer keys of those same
names still find them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl


@dataclass(frozen=True)
class BlockingConfig:
    max_block: int = 300  # list names per key, above which the key is dropped
    max_block_token: int = 40  # the same for single-token keys
    min_token_skeleton: int = 2  # shorter skeletons (ALI -> L) only count inside pairs


def fold_document(doc: pl.Expr) -> pl.Expr:
    """Document number with OCR-confusable letters mapped to digits (O→0, I→1, S→5 …)."""
    e = doc.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    for a, b in zip("OISBZ", "01582", strict=True):
        e = e.str.replace_all(a, b, literal=True)
    return e


def name_keys(forms: pl.DataFrame, cfg: BlockingConfig) -> pl.DataFrame:
    """(row, key, kind) for every name key of every row of a `name_forms` frame."""
    base = forms.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("row"),
        pl.col("skeletons").list.unique().list.sort().alias("sk"),
        pl.col("core"),
        pl.col("skeletons"),
    )
    one = base.select("row", pl.col("sk")).explode("sk").drop_nulls("sk")
    pairs = (
        one.join(one, on="row", suffix="_b")
        .filter(pl.col("sk") < pl.col("sk_b"))
        .select("row", pl.concat_str([pl.lit("p:"), "sk", pl.lit("|"), "sk_b"]).alias("key"))
    )
    tokens = one.filter(pl.col("sk").str.len_chars() >= cfg.min_token_skeleton).select(
        "row", pl.concat_str([pl.lit("t:"), "sk"]).alias("key")
    )
    first_last = base.filter(pl.col("skeletons").list.len() >= 2).select(
        "row",
        pl.concat_str([
            pl.lit("i:"), pl.col("core").list.first().str.slice(0, 1), pl.lit("|"),
            pl.col("skeletons").list.last(),
        ]).alias("key"),
    )  # fmt: skip
    return pl.concat([
        pairs.with_columns(kind=pl.lit("pair")),
        tokens.with_columns(kind=pl.lit("tok")),
        first_last.with_columns(kind=pl.lit("ini")),
    ]).unique(["row", "key"], maintain_order=True)  # fmt: skip


def candidate_pairs(
    p_keys: pl.DataFrame, l_keys: pl.DataFrame, cfg: BlockingConfig
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """(passenger row, list row) arrays of distinct candidate pairs, and key statistics."""
    sizes = l_keys.group_by("key").agg(pl.len().alias("n"), pl.col("kind").first())
    limit = pl.when(pl.col("kind") == "tok").then(cfg.max_block_token).otherwise(cfg.max_block)
    keep = sizes.filter((pl.col("n") <= limit) | (pl.col("kind") == "doc")).select("key")
    dropped = sizes.height - keep.height
    l_ok = l_keys.join(keep, on="key", how="semi")
    pairs = (
        p_keys.select(pl.col("row").alias("p"), "key")
        .join(l_ok.select(pl.col("row").alias("l"), "key"), on="key")
        .select("p", "l")
        .unique()
        .sort("p", "l")
    )
    stats = {"keys": sizes.height, "keys_dropped_common": dropped, "pairs": pairs.height}
    return pairs["p"].to_numpy(), pairs["l"].to_numpy(), stats
