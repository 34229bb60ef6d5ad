"""Name evidence: rapidfuzz `process.cpdist` over aligned arrays of the pairs' name forms,
several scorers, so that reordering, compounds, romanization, dropped parts and initials
each have a form on which they look alike. Nothing here loops over pairs in Python."""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from screening.linkage.comparisons.letters import letter_signatures, ratio_bound
from screening.linkage.levels import (
    NameHow,
)
from screening.linkage.normalize import gives_initial, list_skeletons, sorted_tokens
from screening.linkage.settings import NameViews

NAME_FIELDS = ("sorted_core", "compact_gs", "compact_sg", "skeleton_sorted", "initials_sorted")
# A list name is compared glued given-surname only (the traveller's name in both orders is
# compared against it): its surname-given glue is never read.
LIST_NAME_FIELDS = tuple(f for f in NAME_FIELDS if f != "compact_sg")
# The forms whose letters bound a view before it is scored (name_similarity), and what
# bound_arrays gives of a list's names (an index holds them: WatchlistIndex.bounds).
BOUNDED_FIELDS = ("sorted_core", "compact_gs", "compact_sg", "initials_sorted")
LIST_BOUND_KEYS = (
    *(f"letters:{f}" for f in BOUNDED_FIELDS if f in LIST_NAME_FIELDS),
    "core_bits",
)


def name_arrays(
    forms: pl.DataFrame, fields: tuple[str, ...] = NAME_FIELDS, with_bounds: bool = True
) -> dict[str, np.ndarray]:
    """Object arrays of the name forms among `fields` (gathering them by pair index copies
    references, not strings), plus the number of core tokens, and the sorted skeleton's
    64-bit hash as `skeleton_hash`: two skeletons are compared for equality by it (0.006
    against 0.077 s per 100,000 travellers as strings; two that differ share one about
    once in 10^19 pairs); and, `with_bounds`, bound_arrays."""
    out = {c: forms[c].to_numpy().astype(object, copy=False) for c in fields if c in forms.columns}
    if "skeleton_sorted" in out:
        out["skeleton_hash"] = forms["skeleton_sorted"].hash(seed=0).to_numpy()
        out["skeleton_bits"] = token_bits(forms["skeleton_sorted"])
    out["n_core"] = forms["core"].list.len().to_numpy()
    if with_bounds:
        out |= bound_arrays(forms, fields)
    return out


def bound_arrays(forms: pl.DataFrame, fields: tuple[str, ...]) -> dict[str, np.ndarray]:
    """What bounds a pair's views before they are scored: the letter signatures of the
    BOUNDED_FIELDS among `fields` (`letters:<form>`) and the sorted core tokens' 64-bit
    signature (`core_bits`: two names whose bits share none share no token)."""
    out: dict[str, np.ndarray] = {}
    for c in BOUNDED_FIELDS:
        if c in fields and c in forms.columns:
            if c == "compact_sg" and "letters:compact_gs" in out:
                # The same tokens glued in the other order: the same letters.
                out[f"letters:{c}"] = out["letters:compact_gs"]
            else:
                out[f"letters:{c}"] = letter_signatures(forms[c])
    if "sorted_core" in fields and "sorted_core" in forms.columns:
        out["core_bits"] = token_bits(forms["sorted_core"])
    return out


def token_bits(names: pl.Series) -> np.ndarray:
    """A 64-bit signature of each space-separated name, one bit per token (by its hash):
    a name whose tokens are all among another's has its bits among the other's."""
    parts = names.to_frame("n").select(pl.col("n").fill_null("").str.split(" "))
    lens = parts.select(pl.col("n").list.len()).to_series().to_numpy()
    if len(lens) == 0:
        return np.zeros(0, dtype=np.uint64)
    h = parts.select(pl.col("n").explode().hash(seed=1)).to_series().to_numpy()
    bits = np.left_shift(np.uint64(1), h % np.uint64(64))
    # Every name has one token at least ("" splits to [""]): the starts are in range.
    starts = np.zeros(len(lens), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    return np.bitwise_or.reduceat(bits, starts)


# Pairs from which cpdist's threads pay for their start (~0.1 ms a call on 2 cores): a
# token-set or partial ratio of 300 pairs took 0.14-0.18 ms on one thread, 0.24-0.30 ms on
# all; of 1,100 pairs 0.69-0.73 against 0.50-0.59 ms. (A plain ratio was faster on one
# thread up to 20,000 pairs alone, but a national day screened two chunks at once ran no
# faster with it so: left threaded there.)
THREADED_FROM = 1_000
# Margin between a bound and a score: cpdist rounds its ratios to float32.
_MARGIN = 1e-6


def _cp(scorer, q: np.ndarray, c: np.ndarray) -> np.ndarray:
    if len(q) == 0:
        return np.zeros(0, dtype=np.float32)
    workers = -1 if len(q) >= THREADED_FROM else 1
    return process.cpdist(q, c, scorer=scorer, dtype=np.float32, workers=workers) / 100.0


def token_overlap(
    p: dict, lst: dict, pi: np.ndarray, li: np.ndarray, floor: float | None = None
) -> np.ndarray:
    """fuzz.token_set_ratio of the order-free names: the cheap first look at every pair.
    With `floor`: NaN, not scored, where the letters prove it below `floor`."""
    out = np.full(len(pi), np.nan, dtype=np.float32)
    apart = _apart(p, lst, pi, li)
    todo = np.ones(len(pi), dtype=bool)
    key = "letters:sorted_core"
    if floor is not None and key in p and key in lst:
        at = np.flatnonzero(apart)
        todo[at] = ratio_bound(p[key][pi[at]], lst[key][li[at]]) + _MARGIN >= floor
    # Names apart have a token-set ratio equal to the plain ratio of their sorted tokens,
    # which costs a third as much (1.6 M pairs of a national day's chunk: 0.28 against
    # 0.75 s on one thread): about half of what the first look scores.
    plain, sets = np.flatnonzero(todo & apart), np.flatnonzero(todo & ~apart)
    out[plain] = _cp(fuzz.ratio, p["sorted_core"][pi[plain]], lst["sorted_core"][li[plain]])
    out[sets] = _cp(fuzz.token_set_ratio, p["sorted_core"][pi[sets]], lst["sorted_core"][li[sets]])
    return out


def initialled(forms: pl.DataFrame) -> np.ndarray:
    """Per name, whether it gives a part as an initial (HASSAN A K S)."""
    return forms.select(gives_initial(pl.col("core"))).to_series().to_numpy()


def initials_ratio(p: dict, lst: dict, pi: np.ndarray, li: np.ndarray) -> np.ndarray:
    """fuzz.ratio of the traveller's order-free name against the list name's initials
    form (TEHRANI A H against A H TEHRANY for TEHRANY ALIDARIUSH HOSSEIN)."""
    return _cp(fuzz.ratio, p["sorted_core"][pi], lst["initials_sorted"][li])


def skeleton_order_ratio(p: dict, lst: dict, pi: np.ndarray, li: np.ndarray) -> np.ndarray:
    """fuzz.ratio of each pair's order-free names with their tokens in the order of their
    consonant skeletons: a transliterated name then lines up with its original, which the
    spelling order of token_set_ratio can tear apart (JEHAD KANSO MOHAMED against JIHAD
    MUHAMMAD QANSU: 0.51 by spelling order, 0.72 by skeleton order)."""
    return _cp(
        fuzz.ratio,
        skeleton_ordered(p["sorted_core"][pi]),
        skeleton_ordered(lst["sorted_core"][li]),
    )


def skeleton_ordered(names: np.ndarray) -> np.ndarray:
    """Each space-separated name with its tokens ordered by skeleton, then spelling."""
    if len(names) == 0:
        return np.zeros(0, dtype=object)
    tokens = pl.Series("t", names, dtype=pl.String).fill_null("").str.split(" ")
    return sorted_tokens(tokens, by=list_skeletons(tokens)).to_numpy().astype(object, copy=False)


def _apart(p: dict, lst: dict, pi: np.ndarray, li: np.ndarray) -> np.ndarray:
    """Per pair, whether the two names surely share no token and repeat none: then
    token_set_ratio is the plain ratio of their sorted tokens, which their letters bound.
    Token signatures tell both (`core_bits`: a name with as many bits as tokens repeats
    none); a collision of bits only leaves a pair to token_set_ratio. (Skeletons would
    not do: blocking pairs names by them, nearly every pair shares one.)"""
    if any("core_bits" not in d or "n_core" not in d for d in (p, lst)):
        return np.zeros(len(pi), dtype=bool)
    b_p, b_l = p["core_bits"][pi], lst["core_bits"][li]
    distinct = (np.bitwise_count(b_p) == p["n_core"][pi]) & (
        np.bitwise_count(b_l) == lst["n_core"][li]
    )
    return ((b_p & b_l) == 0) & distinct


def skeleton_subset(p: dict, lst: dict, pi: np.ndarray, li: np.ndarray) -> np.ndarray:
    """Per pair, whether every token skeleton of the shorter name is among the longer's,
    two at least, the names of different lengths: a part of the name in another
    romanization (MOHAMMAD HOSSEIN BAQERI for MOHAMMAD BAGHERI)."""
    n_p, n_l = p["n_core"][pi], lst["n_core"][li]
    # Signatures first (one integer operation per pair), the strings only for the pairs
    # whose bits allow a subset: 434,000 of a chunk's 491,000 pairs were compared before.
    b_p, b_l = p["skeleton_bits"][pi], lst["skeleton_bits"][li]
    inside = ((b_p & ~b_l) == 0) | ((b_l & ~b_p) == 0)
    look = np.flatnonzero((n_p != n_l) & (np.minimum(n_p, n_l) >= 2) & inside)
    out = np.zeros(len(pi), dtype=bool)
    q, c = p["skeleton_sorted"][pi[look]], lst["skeleton_sorted"][li[look]]
    out[look] = _cp(fuzz.token_set_ratio, q, c) >= 0.999
    return out


def token_presence(
    tokens: np.ndarray, names: np.ndarray, absent: float = 0.6, present: float = 0.85
) -> np.ndarray:
    """How surely each token appears in the name beside it, in [0, 1]: its best alignment
    anywhere in that name (fuzz.partial_ratio), 0 up to `absent`, 1 from `present` (one
    edit in a six-letter token leaves 0.83-0.86)."""
    s = _cp(fuzz.partial_ratio, tokens, names)
    return np.clip((s - absent) / (present - absent), 0.0, 1.0)


def skeleton_in(
    wanted: pl.Series,
    which: np.ndarray,
    owner: np.ndarray,
    skeletons: pl.Series,
    shortest: int = 2,
) -> np.ndarray:
    """Per pair, 1.0 where the token skeleton `wanted[which]` is among the token skeletons
    of the name it is looked for in (`skeletons[owner]`, a list of strings per name), else
    0.0: the token is in that name in some romanization. The cheap presence for names too
    unlike as a whole for partial_ratio to be worth paying; skeletons shorter than
    `shortest` (ALI -> L) are found nowhere. Matched as 64-bit (name, skeleton) keys in a
    hash set: a string search per pair cost a day's screening 2 s, a binary search 0.7 s."""
    found = np.zeros(len(which))
    # Flattened through arrow: a flight's few hundred names pay no polars explode.
    lists = skeletons.rechunk().to_arrow()
    offsets = np.asarray(lists.offsets)
    flat = pl.Series(lists.flatten())
    if len(which) == 0 or len(flat) == 0:
        return found
    name = np.repeat(np.arange(len(skeletons)), np.diff(offsets))
    have = _keyed(name, flat)
    length = wanted.to_frame("w").select(pl.col("w").str.len_chars().fill_null(0))
    long = (length.to_series().to_numpy() >= shortest)[which]
    want = _keyed(np.asarray(owner), wanted.gather(which))
    if len(want) <= 50_000:  # a flight: numpy's sort beats building a hash set
        # The names' keys sorted and searched (np.isin sorts both sides together: a
        # flight's two calls 1.1 ms against 0.26).
        have = np.sort(have)
        hit = have[np.minimum(np.searchsorted(have, want), len(have) - 1)] == want
    else:
        hit = pl.Series(want).is_in(pl.Series(have).implode()).to_numpy()
    found[hit & long] = 1.0
    return found


def _keyed(name: np.ndarray, skel: pl.Series) -> np.ndarray:
    """One 64-bit key per (name number, skeleton); two pairs share one about 1 in 10^19."""
    with np.errstate(over="ignore"):  # wraps modulo 2**64 on purpose
        mixed = name.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return skel.hash(seed=0).to_numpy() ^ mixed


def _may_beat(
    p: dict,
    lst: dict,
    p_field: str,
    l_field: str,
    pi: np.ndarray,
    li: np.ndarray,
    weight: float,
    best: np.ndarray,
) -> np.ndarray:
    """Per pair, whether the ratio of the two forms, times `weight`, could reach `best`
    (every pair where either side has no letter signature)."""
    pk, lk = f"letters:{p_field}", f"letters:{l_field}"
    if pk not in p or lk not in lst:
        return np.ones(len(pi), dtype=bool)
    return ratio_bound(p[pk][pi], lst[lk][li]) * weight + _MARGIN >= best


def name_similarity(
    p: dict,
    lst: dict,
    pi: np.ndarray,
    li: np.ndarray,
    s_set: np.ndarray,
    views: NameViews | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(similarity in [0, 1], a `NameHow` level) per pair: the best of several views."""
    v = views or NameViews()
    same = v.identical
    q, c = p["sorted_core"][pi], lst["sorted_core"][li]
    s_sort = _cp(fuzz.ratio, q, c)
    # Only an identical skeleton counts: compared by hash (name_arrays), not scored (a
    # fifth of the comparisons' time).
    same_skel = p["skeleton_hash"][pi] == lst["skeleton_hash"][li]
    p_tokens, l_tokens = p["n_core"][pi], lst["n_core"][li]
    # token_set_ratio is 1.0 for any subset (ALI vs MOHAMMED ALI HASSAN): discount it by
    # how much of the longer name the shorter one covers.
    cover = np.minimum(p_tokens, l_tokens) / np.maximum(np.maximum(p_tokens, l_tokens), 1)
    s_skel = np.where(same_skel, v.skeleton_base + v.skeleton_slope * s_sort, 0.0)
    s_token_set = s_set * (v.token_set_base + v.token_set_cover * cover)
    others = np.maximum(np.maximum(s_sort, s_skel), s_token_set)
    # The glued and initials views are scored only where their letters allow them to be
    # the best view (letters.ratio_bound): 43 % and 80 % of a national day's pairs cannot.
    # Where the others make the names identical the glued view is scored anyway: it tells
    # a reordered name from the same one. A view left out is below the best, so the best
    # and which view gives it are those of scoring every view.
    cg = lst["compact_gs"][li]
    identical = others >= same
    s_compact = np.zeros(len(pi), dtype=np.float32)
    # Both glues hold the same letters: one bound serves both.
    at = np.flatnonzero(
        _may_beat(p, lst, "compact_gs", "compact_gs", pi, li, v.compact, others) | identical
    )
    for field in ("compact_gs", "compact_sg"):
        s_compact[at] = np.maximum(s_compact[at], _cp(fuzz.ratio, p[field][pi[at]], cg[at]))
    others = np.maximum(others, s_compact * v.compact)
    may = _may_beat(p, lst, "sorted_core", "initials_sorted", pi, li, v.initials, others)
    at = np.flatnonzero(may)
    s_init = np.zeros(len(pi), dtype=np.float32)
    s_init[at] = _cp(fuzz.ratio, q[at], lst["initials_sorted"][li[at]])
    views = [
        s_sort,
        s_compact * v.compact,
        s_skel,
        s_token_set,
        s_init * v.initials,
    ]
    # The best view and its index (the first of equals), kept as a running maximum: a
    # stacked (pairs, 5) array and its row-wise argmax cost a partition of 100,000
    # travellers 0.2 s of its 1.1 s here.
    sim = np.asarray(views[0], dtype=np.float64)
    best = np.zeros(len(sim), dtype=np.int8)
    for k, view in enumerate(views[1:], start=1):
        better = view > sim
        sim = np.where(better, view, sim)
        best[better] = k
    # A part of the name in another romanization (MOHAMMAD HOSSEIN BAQERI for MOHAMMAD
    # BAGHERI): every token skeleton of the shorter name among the longer's, two at least.
    # Worth a transliteration's share of the token-set view; looked for only where it
    # would be the best view.
    sub = v.skeleton_base * (v.token_set_base + v.token_set_cover * cover)
    look = np.flatnonzero(sub > sim)
    found = look[skeleton_subset(p, lst, pi[look], li[look])]
    sim[found] = sub[found]
    best[found] = 5
    # The views above, in order: sorted tokens, compact, skeleton, token set, initials,
    # skeleton set.
    view_how = [NameHow.SPELLING, NameHow.COMPOUND, NameHow.TRANSLITERATION, NameHow.PARTIAL]
    how = np.select(
        [sim >= same, *(best == k for k in range(4)), best == 4, best == 5],
        [NameHow.EXACT, *view_how, NameHow.INITIALS, NameHow.PARTIAL],
    )
    # Same tokens in another order count as "reordered" when the raw order differs.
    how = np.where((how == NameHow.EXACT) & (s_compact < same), NameHow.REORDERED, how)
    return np.clip(sim, 0.0, 1.0).astype(np.float32), how.astype(np.int8)
