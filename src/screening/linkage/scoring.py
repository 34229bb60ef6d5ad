"""Evidence to one score in [0, 1]: a sum of log2 likelihood ratios (Fellegi–Sunter), then
a logistic curve.

Name agreement is worth the information its tokens carry: -log2 of each token's share of
all name tokens seen (list plus screened population), so agreeing on ZHANG WEI or
MOHAMMED ALI is weak evidence and on a rare name strong. A name's most informative token
counts only where the other name holds it (another surname beside the same given names
agrees on the given names only). Missing fields add nothing.
The other weights are log2(m/u) for agreement levels, with m from the error rates the
generator documents and u from how often unrelated people agree (1/365 for a full date
of birth, 1/60 for a birth year); they are written out in the settings
(screening.linkage.settings.ScoringConfig.field_weights).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl
import pyarrow.compute as pc

from screening.linkage.hashed import Directory, find
from screening.linkage.levels import CONTACT_LEVELS, DOB_LEVELS, DOC_LEVELS, Dob, NameHow
from screening.linkage.settings import ScoringConfig, _default_weights

# Token counts: a (tok, n) table, or what gives the counts of distinct tokens.
TokenCounts = pl.DataFrame | Callable[[pl.Series], np.ndarray]


def token_bits(core: pl.Series, counts: TokenCounts, total: int, cfg: ScoringConfig):
    """Information (bits) of each name: sum over its tokens of -log2(share), capped."""
    return token_parts(core, counts, total, cfg)[0]


def token_parts(
    core: pl.Series, counts: TokenCounts, total: int, cfg: ScoringConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per name: its information (token_bits), its information without its most
    informative token, that token ("" for an empty name) and its place in the name.
    `counts`: a (tok, n) table or a function giving n of each of a Series of distinct
    tokens."""
    table = counts if isinstance(counts, pl.DataFrame) else None
    count = counts if table is None else lambda tokens: counts_of(table, "tok", tokens)
    # The tokens dictionary-encoded through arrow and counted once each: a join of every
    # token against a table cost a flight 1.5 ms, and it had already found the distinct
    # ones to look up.
    lists = core.rechunk().to_arrow()
    size = pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False)
    size = size.astype(np.int64)
    if len(size) == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0, dtype=object), np.zeros(0, np.int64)
    encoded = pc.dictionary_encode(lists.flatten())
    distinct = pl.Series("tok", encoded.dictionary, dtype=pl.String)
    code = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    n_distinct = np.append(count(distinct) if len(distinct) else np.zeros(0), 0.0)
    # One slot per token, and one for a name without any (it is worth 0 bits); a token
    # neither table holds (or a null one) counts 0.
    sizes = np.maximum(size, 1)
    real = np.repeat(size > 0, sizes)
    n = np.zeros(len(real))
    n[real] = n_distinct[code]
    raw = -np.log2((n + 0.5) / (total + 1.0))
    bits = np.where(~real, 0.0, np.clip(raw, 0.0, cfg.token_bits_cap))
    starts = np.concatenate([np.zeros(1, np.int64), np.cumsum(sizes)[:-1]])
    row = np.repeat(np.arange(len(sizes)), sizes)
    b1 = np.maximum.reduceat(bits, starts)
    total_bits = np.add.reduceat(bits, starts)
    # The most informative token: the first of equals, in name order.
    at_max = np.flatnonzero(bits == b1[row])
    # at_max ascends, so each name's first is where its row number changes.
    row_at = row[at_max]
    top_at = at_max[np.flatnonzero(np.diff(row_at, prepend=-1))]
    rest = bits.copy()
    rest[top_at] = -np.inf
    b2 = np.maximum(np.maximum.reduceat(rest, starts), 0.0)
    # Tokens of one name are not independent: they come from one culture's name pool, so
    # the tokens besides the most informative one count only in part.
    w = cfg.extra_token_weight
    full = b1 + w * (total_bits - b1)
    without = b2 + w * (total_bits - b1 - b2)
    # Only the top tokens become Python strings (one name in a partition's tokens: 0.12 s).
    top_code = np.where(real[top_at], code[np.maximum(np.cumsum(real)[top_at] - 1, 0)], -1)
    top = np.full(len(top_at), "", dtype=object)
    if len(distinct):
        top[top_code >= 0] = distinct.gather(top_code[top_code >= 0]).to_numpy()
    # Rounded: sums in another order (a whole manifest against its partitions) must not
    # pick another alias of one identity by the last bit.
    cap = cfg.name_bits_cap
    at_name = top_at - starts
    return np.round(np.minimum(full, cap), 9), np.round(np.minimum(without, cap), 9), top, at_name


def token_counts(*cores: pl.Series) -> tuple[pl.DataFrame, int]:
    """Token frequency table (tok, n) over several core-token series, and the total."""
    parts = [c.explode().drop_nulls() for c in cores if len(c)]
    if not parts:
        return pl.DataFrame(schema={"tok": pl.String, "n": pl.Float64}), 0
    toks = pl.concat(parts)
    counts = toks.value_counts(name="n").rename({toks.name: "tok"}).sort("tok")
    return counts.with_columns(pl.col("n").cast(pl.Float64)), int(toks.len())


@dataclass(frozen=True)
class CountLookup:
    """A (key, n) count table as sorted 64-bit hashes of its keys: a few values are found
    through a hashed.Directory instead of a binary search over strings (a flight's names
    against a day's 700,000 distinct names: that search missed the cache at every step).
    Two keys with one hash would share a count: at 64 bits, about 1 in 10^10 per flight."""

    hashes: np.ndarray  # uint64, sorted
    n: np.ndarray  # float64, in hash order

    @staticmethod
    def of(table: pl.DataFrame, key: str) -> CountLookup:
        h = table[key].hash(seed=0).to_numpy()
        order = np.argsort(h)
        return CountLookup(h[order], table["n"].cast(pl.Float64).to_numpy()[order])

    @cached_property
    def directory(self) -> Directory:
        return Directory.of(self.hashes)

    def get(self, values: pl.Series) -> np.ndarray:
        """`n` of each value, 0 where absent."""
        if len(self.hashes) == 0:
            return np.zeros(len(values))
        at = find(self.hashes, self.directory, values.hash(seed=0).to_numpy())
        return np.where(at >= 0, self.n[np.maximum(at, 0)], 0.0)


def counts_of(
    table: pl.DataFrame,
    key: str,
    values: pl.Series,
    few: int = 50_000,
    lookup: Callable[[], CountLookup] | None = None,
) -> np.ndarray:
    """`n` of each of `values` in a (key, n) count table, 0 where absent. A few values are
    looked up in `lookup()` (CountLookup.of the table, built on first use) or, without
    one, by binary search in a table sorted by `key`: a flight's names against a day's
    counts took 50 ms as a hash join over the whole table, 1.4 ms by string search."""
    if len(values) == 0:  # joined against a day's whole table, nothing cost a flight 10 ms
        return np.zeros(0)
    keys = table[key]
    if len(values) <= few and lookup is not None:
        return lookup().get(values)
    if len(values) <= few and len(keys) and keys.flags["SORTED_ASC"]:
        at = np.minimum(keys.search_sorted(values, side="left").to_numpy(), len(keys) - 1)
        hit = (keys.gather(at) == values).fill_null(False).to_numpy()
        return np.where(hit, table["n"].gather(at).cast(pl.Float64).to_numpy(), 0.0)
    joined = values.to_frame(key).join(table, on=key, how="left", maintain_order="left")
    return joined["n"].fill_null(0).cast(pl.Float64).to_numpy()


def log_odds(
    name_sim: np.ndarray,
    name_bits: np.ndarray,
    dob: np.ndarray,
    dob_width: np.ndarray,
    doc: np.ndarray,
    nat: np.ndarray,
    sex: np.ndarray,
    cfg: ScoringConfig,
    contact: np.ndarray | None = None,
    weights: dict[str, dict[str, float]] | None = None,
    name_edges: tuple[float, ...] = (),
    name_how: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Per-field evidence in bits (the explanation) for every pair; `weights` as learned
    (screening.linkage.estimate), else the settings' hand-set ones."""
    w = weights or cfg.field_weights
    if "name" in w:
        name = learned_name_bits(name_sim, name_bits, w["name"], name_edges, name_how)
    else:
        f = np.clip((name_sim - cfg.name_floor) / (1.0 - cfg.name_floor), 0.0, 1.0)
        f = f**cfg.name_curve
        name = f * name_bits + (1.0 - f) * cfg.name_disagree_bits
        if name_how is not None:
            # Whole names unlike, yet one's most informative part is in the other: not a
            # disagreement. Without learned weights nothing says what it is worth, so it
            # counts neither way (learned, it is a level of its own).
            spared = (name_how == NameHow.SHARED_PART) & (f == 0.0)
            name = np.where(spared, 0.0, name)
    dob_w = np.array([w["dob"][k] for k in DOB_LEVELS])[dob]
    # A birth-year range of 10 years says less than a single year.
    dob_w = np.where(dob == Dob.PARTIAL, dob_w - np.log2(dob_width), dob_w)
    if contact is None:
        contact = np.zeros(len(name_sim), dtype=np.int8)
    contact_table = w.get("contact", _default_weights()["contact"])
    contact_w = np.array([contact_table[k] for k in CONTACT_LEVELS])[contact]
    return {
        "contact": np.where(name_sim >= cfg.contact_min_name, contact_w, 0.0),
        "name": name,
        "dob": dob_w,
        "document": np.array([w["document"][k] for k in DOC_LEVELS])[doc],
        "nationality": np.select(
            [nat == 1, nat == -1], [w["nationality"]["agree"], w["nationality"]["differs"]], 0.0
        ),
        "sex": np.select([sex == 1, sex == -1], [w["sex"]["agree"], w["sex"]["differs"]], 0.0),
    }


def name_levels(similarity: np.ndarray, how: np.ndarray, edges: tuple[float, ...]) -> np.ndarray:
    """Name level of each pair: 0 below the first edge, k from the k-th edge on, and one
    level of its own for names alike only once romanized (NameHow TRANSLITERATION: a
    shared consonant skeleton says less than a spelling as close) and one for names
    unlike as a whole that share their most informative part (NameHow SHARED_PART)."""
    level = np.searchsorted(np.asarray(edges), similarity, side="right").astype(np.int64)
    above = (how == NameHow.TRANSLITERATION) & (level > 0) & (level < len(edges))
    level = np.where(above, len(edges) + 1, level)
    return np.where((level == 0) & (how == NameHow.SHARED_PART), len(edges) + 2, level)


def name_level_labels(edges: tuple[float, ...]) -> tuple[str, ...]:
    return ("below", *(f">={e:g}" for e in edges[:-1]), "exact", "transliteration", "shared part")


def learned_name_bits(
    name_sim: np.ndarray,
    name_bits: np.ndarray,
    table: dict[str, float],
    edges: tuple[float, ...],
    how: np.ndarray | None = None,
) -> np.ndarray:
    """Name evidence with learned levels (estimate.estimate_names): each level counts a
    learned share of the name's information and the rest as a disagreement, interpolated
    between the level edges so that the score does not jump; a transliteration and a
    shared part their own."""
    labels = name_level_labels(edges)
    similar = labels[1 : len(edges) + 1]  # the levels from the first edge to "exact"
    f = np.interp(name_sim, np.asarray(edges), np.array([table[lb] for lb in similar]))
    f = np.where(name_sim >= edges[0], f, 0.0)
    if how is not None:
        level = name_levels(name_sim, how, edges)
        for code, lb in ((len(edges) + 1, "transliteration"), (len(edges) + 2, "shared part")):
            if lb in table:
                f = np.where(level == code, table[lb], f)
    return f * name_bits + (1.0 - f) * table["below"]


def to_score(
    bits: dict[str, np.ndarray], exact_name_and_dob: np.ndarray, cfg: ScoringConfig
) -> np.ndarray:
    """Logistic of the summed evidence. Policy floor: a name and date of birth identical
    to a listed record always alerts, however common the name (GTAS's first rule)."""
    total = sum(bits.values())
    z = (total - cfg.midpoint_bits) / cfg.bits_per_doubling
    score = 1.0 / (1.0 + np.exp2(-z))
    return np.where(exact_name_and_dob, np.maximum(score, cfg.exact_floor), score)
