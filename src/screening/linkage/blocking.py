"""Candidate pairs from cheap keys joined with polars, never all pairs.

Keys (each a 64-bit hash, see `KEY_KINDS`; a row has several):
- `pair`: two of the row's token skeletons, sorted (order-, romanization- and
  particle-proof; survives one dropped or added part when three or more remain);
- `triple`: three of the row's token skeletons, sorted: where every pair of a long name
  is over-common (HUSSEIN + MOHAMMED + ALI), three parts still find it past one added
  or dropped part;
- `tok`: one token skeleton, only for tokens carried by few listed identities (survives a
  typo in the other part; the aliases of one identity count once);
- `ini`: initial of the first name part plus the skeleton of the last (survives initials
  and typos in given names);
- `inits`: the given names' initials and the surname's skeleton (HASSAN A K S meets
  HASSAN ABDULLAH KHALED SAID); a traveller has one only where he gives an initial;
- `word`: a token as spelled, where its skeleton is a single letter (AZZOUZ -> S), for
  spellings carried by few listed identities (a surname given alone finds its identity);
- `doc`: the OCR-folded document number;
- `exact`: the whole order-free name (refined by birth year when common, never dropped:
  an exact copy is always compared, by a passenger without a birth year too).
A key shared by more list names than `max_block` would flood every passenger carrying it
with candidates (MOHAMMED + ALI): it is used only combined with the birth year (a year's
block while it holds at most `max_block_refined` names or `refined_block_identities`
identities), and the rarer keys of those same names still find them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from screening.linkage.hashed import Directory, find
from screening.linkage.normalize import gives_initial
from screening.linkage.settings import BlockingConfig


def fold_document(doc: pl.Expr) -> pl.Expr:
    """Document number with OCR-confusable letters mapped to digits (O→0, I→1, S→5 …)."""
    e = doc.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    for a, b in zip("OISBZ", "01582", strict=True):
        e = e.str.replace_all(a, b, literal=True)
    return e


# The kinds of key. Keys are 64-bit hashes, never strings: the pair and triple keys of a
# list (tens of millions for 5 M names) and of a day's travellers cost three times the CPU
# as text, built and grouped, as hashed from each token's hash. A collision of two keys
# only adds candidate pairs (or, for a list key, puts two keys' names in one block).
KEY_KINDS = pl.Enum(["exact", "pair", "triple", "tok", "ini", "doc", "born", "word", "inits"])
# Seeds keep the kinds hashed from the same values apart (a token's key and its pair's).
_TEXT_SEED, _PAIR_SEED, _TRIPLE_SEED, _TOKEN_KEY_SEED, _YEAR_SEED, _WORD_SEED = range(6)
# Kinds of a single token: their blocks count listed identities, under max_block_token.
_ONE_TOKEN = ("tok", "word")


def text_key(text: pl.Expr) -> pl.Expr:
    """The key of a text that names its kind ("x:ALI MOHAMMED", "d:X1234567")."""
    return text.hash(seed=_TEXT_SEED)


def document_key(folded: pl.Expr) -> pl.Expr:
    """The key of an OCR-folded document number: the list's and the travellers' alike."""
    return text_key(pl.concat_str([pl.lit("d:"), folded]))


def year_key(key: pl.Expr, year: pl.Expr) -> pl.Expr:
    """An over-common key refined by one birth year (the same on both sides)."""
    return pl.struct(key.alias("k"), year.cast(pl.Int64).alias("y")).hash(seed=_YEAR_SEED)


def key_frame(keys: pl.LazyFrame | pl.DataFrame, kind: str) -> pl.LazyFrame | pl.DataFrame:
    """`keys` (row, key) with their kind."""
    return keys.with_columns(kind=pl.lit(kind, KEY_KINDS))


def folded_documents(doc: pl.Series) -> pl.Series:
    """fold_document over a series of document numbers."""
    return pl.DataFrame({"d": doc}).select(fold_document(pl.col("d"))).to_series()


def name_keys(forms: pl.DataFrame, cfg: BlockingConfig, travellers: bool = False) -> pl.DataFrame:
    """(row, key, kind) for every name key of every row of a `name_forms` frame (of
    `travellers`: `inits` keys only for names that give an initial)."""
    # One lazy query collected by the streaming engine: a 5 M-name list makes tens of
    # millions of pair and triple keys, which held at once doubled the build's memory.
    base = forms.lazy().select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("row"),
        pl.col("skeletons").list.unique().alias("sk"),
        pl.col("core"),
        pl.col("skeletons"),
    )
    one = base.select("row", "sk").explode("sk").drop_nulls("sk")
    # Pairs and triples from the tokens' hashes, in hash order: any order both sides share
    # makes a set of skeletons one key.
    hashed = one.select("row", text_key(pl.col("sk")).alias("h"))
    two = hashed.join(hashed, on="row", suffix="_b").filter(pl.col("h") < pl.col("h_b"))
    pairs = two.select("row", pl.struct("h", "h_b").hash(seed=_PAIR_SEED).alias("key"))
    triples = (
        two.join(hashed.rename({"h": "h_c"}), on="row")
        .filter(pl.col("h_b") < pl.col("h_c"))
        .select("row", pl.struct("h", "h_b", "h_c").hash(seed=_TRIPLE_SEED).alias("key"))
    )
    tokens = one.filter(pl.col("sk").str.len_chars() >= cfg.min_token_skeleton).select(
        "row", pl.col("sk").hash(seed=_TOKEN_KEY_SEED).alias("key")
    )
    # A token as spelled where its skeleton is short enough to be shared by thousands
    # (AZZOUZ -> S, NOOUNE -> N): that skeleton's key is over-common, the spelling rare.
    words = (
        base.select("row", pl.col("core").alias("w"), pl.col("skeletons").alias("s"))
        .explode("w", "s")
        .filter(
            (pl.col("w").str.len_chars() >= cfg.min_word)
            & (pl.col("s").str.len_chars() <= cfg.max_word_skeleton)
        )
        .select("row", pl.col("w").hash(seed=_WORD_SEED).alias("key"))
        .unique()
    )
    first_last = base.filter(pl.col("skeletons").list.len() >= 2).select(
        "row",
        text_key(
            pl.concat_str(
                [
                    pl.lit("i:"),
                    pl.col("core").list.first().str.slice(0, 1),
                    pl.lit("|"),
                    pl.col("skeletons").list.last(),
                ]
            )
        ).alias("key"),
    )
    # The given names' initials and the surname's skeleton (HASSAN A K S and HASSAN
    # ABDULLAH KHALED SAID): where a name gives initials, its other keys are the crowded
    # initial+surname or the surname alone. A traveller writing every given name in full
    # has those and needs none of these.
    head = pl.col("core").list.head(pl.col("core").list.len() - 1)
    inits = base.filter(pl.col("core").list.len() >= 2)
    if travellers:
        inits = inits.filter(gives_initial(head))
    inits = inits.select(
        "row",
        text_key(
            pl.concat_str(
                [
                    pl.lit("n:"),
                    head.list.eval(pl.element().str.slice(0, 1)).list.join(""),
                    pl.lit("|"),
                    pl.col("skeletons").list.last(),
                ]
            )
        ).alias("key"),
    )
    exact = (
        forms.lazy()
        .select(pl.int_range(pl.len(), dtype=pl.Int64).alias("row"), "sorted_core")
        .filter(pl.col("sorted_core") != "")
        .select("row", text_key(pl.concat_str([pl.lit("x:"), pl.col("sorted_core")])).alias("key"))
    )
    made = {
        "exact": exact,
        "pair": pairs,
        "triple": triples,
        "tok": tokens,
        "ini": first_last,
        "word": words,
        "inits": inits,
    }
    used = [key_frame(made[kind], kind) for kind in made if kind in cfg.keys]
    if not used:  # documents only
        return pl.DataFrame(schema={"row": pl.Int64, "key": pl.UInt64, "kind": KEY_KINDS})
    # Distinct by construction (each kind has its seed or prefix, skeleton sets are
    # deduplicated): a unique() here cost a day's manifest ~1 s and changed nothing.
    keys = pl.concat(used)
    # A flight's few hundred names are quicker in memory (the streaming engine's set-up
    # cost a 300-passenger flight 4 ms).
    return keys.collect(engine="streaming" if forms.height > 50_000 else "in-memory")


@dataclass(frozen=True)
class HashedKeys:
    """List rows by key hash, sorted, so that lookups are numpy searchsorted calls."""

    hashes: np.ndarray  # uint64, sorted
    rows: np.ndarray  # int64 list row of each hash

    @staticmethod
    def of(frame: pl.DataFrame) -> HashedKeys:
        h = frame["key"].to_numpy()
        order = np.argsort(h, kind="stable")
        return HashedKeys(h[order], frame["l"].to_numpy().astype(np.int64)[order])

    @cached_property
    def _distinct(self) -> tuple[np.ndarray, np.ndarray, Directory]:
        """The distinct hashes, where each one's run starts (and the end), and their
        Directory: a flight's few keys are found by it (built on the first small lookup;
        a day's manifest joins instead)."""
        new = np.r_[True, self.hashes[1:] != self.hashes[:-1]] if len(self.hashes) else []
        first = np.flatnonzero(new)
        uniq = self.hashes[first]
        return uniq, np.r_[first, len(self.hashes)].astype(np.int64), Directory.of(uniq)

    def _runs(self, q_hash: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        uniq, starts, directory = self._distinct
        if len(uniq) == 0:
            return np.zeros(len(q_hash), np.int64), np.zeros(len(q_hash), np.int64)
        at = find(uniq, directory, q_hash)
        found = at >= 0
        lo = np.where(found, starts[np.maximum(at, 0)], 0)
        return lo, np.where(found, starts[np.maximum(at, 0) + 1], 0)

    def lookup(
        self,
        q_hash: np.ndarray,
        q_row: np.ndarray,
        hash_join_from: int = BlockingConfig.hash_join_from,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(query row, list row) for every list row sharing a query's key."""
        if len(q_hash) > hash_join_from:  # a day's manifest: polars' hash join is faster
            j = pl.DataFrame({"h": q_hash, "p": q_row}).join(
                pl.DataFrame({"h": self.hashes, "l": self.rows}), on="h"
            )
            return j["p"].to_numpy(), j["l"].to_numpy()
        # Queries in hash order: neighbouring queries read neighbouring buckets.
        order = np.argsort(q_hash, kind="stable")
        q_hash, q_row = q_hash[order], q_row[order]
        lo, hi = self._runs(q_hash)
        count = hi - lo
        total = int(count.sum())
        if total == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        start = np.repeat(lo - np.concatenate([[0], np.cumsum(count)[:-1]]), count)
        return np.repeat(q_row, count), self.rows[start + np.arange(total)]

    def contains(
        self, q_hash: np.ndarray, hash_join_from: int = BlockingConfig.hash_join_from
    ) -> np.ndarray:
        if not len(self.hashes):
            return np.zeros(len(q_hash), bool)
        if len(q_hash) > hash_join_from:
            # A day's millions against a hash set: a binary search each, in random order,
            # cost a chunk's 1.4 M keys 0.12 s against 14,000 common keys, this 0.02 s.
            return pl.Series(q_hash).is_in(pl.Series(self.hashes).implode()).to_numpy()
        return find(*self._distinct[::2], q_hash) >= 0


@dataclass(frozen=True)
class ListBlocks:
    """The list side of blocking, which does not depend on the passengers: keys small
    enough to use alone, and over-common keys refined by each listed birth year."""

    plain: HashedKeys
    refined: HashedKeys  # keys "<key>#<year>"
    common: HashedKeys  # keys only used with a birth year
    stats: dict[str, int]
    # Every list name of an over-common exact-name key: what a passenger without a birth
    # year meets, so that an exact copy of a listed name is compared even undated.
    common_exact: HashedKeys | None = None
    hash_join_from: int = BlockingConfig.hash_join_from  # BlockingConfig's, at build time


def list_blocks(
    l_keys: pl.DataFrame,
    l_years: pl.DataFrame,
    cfg: BlockingConfig,
    identity: pl.Series | None = None,
) -> ListBlocks:
    """Split the list's keys by block size; `l_years` has `year_from`, `year_to` per row,
    `identity` an integer per row (a single-token key's rows of one identity count once
    when cfg.token_block_identities)."""
    by_identity = cfg.token_block_identities and identity is not None
    size = pl.len()
    if by_identity:
        l_keys = l_keys.with_columns(e=identity.gather(l_keys["row"]))
        one_token = pl.col("kind").first().is_in(_ONE_TOKEN)
        size = pl.when(one_token).then(pl.col("e").n_unique()).otherwise(size)
    # Lazy, collected by the streaming engine: a 5 M-name list has tens of millions of keys,
    # and the frames between them held at once were the largest part of a build.
    sizes = (
        l_keys.lazy()
        .group_by("key")
        .agg(size.alias("n"), pl.col("kind").first())
        .collect(engine="streaming")
    )
    limit = (
        pl.when(pl.col("kind").is_in(_ONE_TOKEN)).then(cfg.max_block_token).otherwise(cfg.max_block)
    )
    small = (pl.col("n") <= limit) | (pl.col("kind") == "doc")
    keep = sizes.lazy().filter(small).select("key")
    # A common spelled token is not refined by year: its skeleton's key already is.
    common = sizes.filter(~small & (pl.col("kind") != "word")).select("key", "kind")
    l_all = l_keys.lazy().select(pl.col("row").alias("l"), "key")
    ly = l_years.lazy().with_row_index("l").with_columns(pl.col("l").cast(pl.Int64))
    dated = (pl.col("year_from").is_not_null()) & (
        pl.col("year_to") - pl.col("year_from") <= cfg.max_year_span
    )
    refined = (
        l_all.join(common.lazy(), on="key")
        .join(ly.filter(dated), on="l")
        .with_columns(y=pl.int_ranges(pl.col("year_from"), pl.col("year_to") + 1))
        .explode("y")
        .select("l", "kind", year_key(pl.col("key"), pl.col("y")).alias("key"))
    )
    # A block is small by its names or by its identities: one identity's dozen aliases
    # born the same year (AHMED MOHAMMED OMAR and its spellings) are one candidate, and
    # counted as names they dropped the block its own traveller needed.
    if identity is None:
        with_id = refined.with_columns(e=pl.col("l"))
    else:
        ids = pl.DataFrame({"l": np.arange(len(identity), dtype=np.int64), "e": identity})
        with_id = refined.join(ids.lazy(), on="l")
    ref_sizes = with_id.group_by("key").agg(pl.len(), pl.col("e").n_unique().alias("ids"))
    # An exact copy of a listed name is always compared: exact-name keys are refined by
    # birth year but never dropped, and their undated list names stay unrefined.
    refined = (
        refined.join(ref_sizes, on="key")
        .filter(
            (pl.col("len") <= cfg.max_block_refined)
            | (pl.col("ids") <= cfg.refined_block_identities)
            | (pl.col("kind") == "exact")
        )
        .select("l", "key")
        .collect(engine="streaming")
    )
    exact_common = common.lazy().filter(pl.col("kind") == "exact")
    undated_exact = l_all.join(exact_common, on="key", how="semi").join(
        ly.filter(~dated), on="l", how="semi"
    )
    plain = pl.concat([l_all.join(keep, on="key", how="semi"), undated_exact]).collect(
        engine="streaming"
    )
    stats = {
        "keys": sizes.height,
        "keys_common": common.height,
        "keys_refined_by_year": refined["key"].n_unique(),
    }
    common_keys = common.select("key", pl.lit(0, pl.Int64).alias("l"))
    common_exact = l_all.join(exact_common, on="key", how="semi").collect(engine="streaming")
    return ListBlocks(
        HashedKeys.of(plain),
        HashedKeys.of(refined),
        HashedKeys.of(common_keys),
        stats,
        HashedKeys.of(common_exact),
        cfg.hash_join_from,
    )


def candidate_pairs(
    p_keys: pl.DataFrame, blocks: ListBlocks, p_year: pl.Series
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """(passenger row, list row) arrays of distinct candidate pairs, and key statistics.

    A key shared by too many list names is not used alone: it is refined by birth year
    (`p_year` per passenger row), so MOHAMMED ALI born 1980 meets only the MOHAMMED ALIs
    whose listed birth years cover 1980.
    """
    rows = p_keys["row"].to_numpy().astype(np.int64)
    h = p_keys["key"].to_numpy()
    cut = blocks.hash_join_from
    p1, l1 = blocks.plain.lookup(h, rows, cut)
    common = blocks.common.contains(h, cut)
    year = p_year.cast(pl.Int32).to_numpy()[rows[common]] if common.any() else np.zeros(0)
    dated = ~np.isnan(year.astype(float)) if len(year) else np.zeros(0, bool)
    ref = pl.DataFrame({"key": h[common][dated], "y": year[dated].astype(np.int64)})
    ref_keys = ref.select(year_key(pl.col("key"), pl.col("y"))).to_series().to_numpy()
    p2, l2 = blocks.refined.lookup(ref_keys, rows[common][dated], cut)
    # Undated passengers (no DOB, or one unreadable) cannot use a refined key: their exact
    # name meets every list name that carries it (other common keys match nothing there).
    p3, l3 = np.zeros(0, np.int64), np.zeros(0, np.int64)
    if blocks.common_exact is not None and (~dated).any():
        p3, l3 = blocks.common_exact.lookup(h[common][~dated], rows[common][~dated], cut)
    p = np.concatenate([p1, p2, p3])
    li = np.concatenate([l1, l2, l3])
    n_l = int(max(li.max(initial=0), 0)) + 1
    code = pl.Series(p * n_l + li).unique().sort().to_numpy()
    stats = blocks.stats | {"pairs": len(code)}
    return code // n_l, code % n_l, stats
