"""Evidence for candidate pairs, computed for all pairs at once.

Names: rapidfuzz `process.cpdist` over aligned arrays of the pairs' name forms, several
scorers, so that reordering, compounds, romanization, dropped parts and initials each
have a form on which they look alike. Dates, documents, nationality and sex: numpy and
polars on the pair arrays. Nothing here loops over pairs in Python.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from screening.linkage.levels import (
    Dob,
    Document,
    NameHow,
    Nationality,
    Sex,
)

NAME_FIELDS = ("sorted_core", "compact_gs", "compact_sg", "skeleton_sorted", "initials_sorted")


def name_arrays(forms: pl.DataFrame) -> dict[str, np.ndarray]:
    """Object arrays of the name forms (gathering them by pair index copies references,
    not strings), plus the number of core tokens."""
    out = {c: forms[c].to_numpy().astype(object) for c in NAME_FIELDS}
    out["n_core"] = forms["core"].list.len().to_numpy()
    return out


def _cp(scorer, q: np.ndarray, c: np.ndarray) -> np.ndarray:
    if len(q) == 0:
        return np.zeros(0, dtype=np.float32)
    return process.cpdist(q, c, scorer=scorer, dtype=np.float32, workers=-1) / 100.0


def token_overlap(p: dict, lst: dict, pi: np.ndarray, li: np.ndarray) -> np.ndarray:
    """fuzz.token_set_ratio of the order-free names: the cheap first look at every pair."""
    return _cp(fuzz.token_set_ratio, p["sorted_core"][pi], lst["sorted_core"][li])


def name_similarity(
    p: dict, lst: dict, pi: np.ndarray, li: np.ndarray, s_set: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(similarity in [0, 1], a `NameHow` level) per pair: the best of several views."""
    q, c = p["sorted_core"][pi], lst["sorted_core"][li]
    s_sort = _cp(fuzz.ratio, q, c)
    cg = lst["compact_gs"][li]
    s_compact = np.maximum(
        _cp(fuzz.ratio, p["compact_gs"][pi], cg), _cp(fuzz.ratio, p["compact_sg"][pi], cg)
    )
    s_skel = _cp(fuzz.ratio, p["skeleton_sorted"][pi], lst["skeleton_sorted"][li])
    s_init = _cp(fuzz.ratio, q, lst["initials_sorted"][li])
    p_tokens, l_tokens = p["n_core"][pi], lst["n_core"][li]
    # token_set_ratio is 1.0 for any subset (ALI vs MOHAMMED ALI HASSAN): discount it by
    # how much of the longer name the shorter one covers.
    cover = np.minimum(p_tokens, l_tokens) / np.maximum(np.maximum(p_tokens, l_tokens), 1)
    views = np.stack(
        [
            s_sort,
            s_compact * 0.99,
            np.where(s_skel >= 0.999, 0.90 + 0.1 * s_sort, 0.0),
            s_set * (0.85 + 0.12 * cover),
            s_init * 0.95,
        ],
        axis=1,
    )
    best = views.argmax(axis=1)
    sim = views.max(axis=1)
    # The views above, in order: sorted tokens, compact, skeleton, token set, initials.
    view_how = [NameHow.SPELLING, NameHow.COMPOUND, NameHow.TRANSLITERATION, NameHow.PARTIAL]
    how = np.select(
        [sim >= 0.999, *(best == v for v in range(4)), best == 4],
        [NameHow.EXACT, *view_how, NameHow.INITIALS],
    )
    # Same tokens in another order count as "reordered" when the raw order differs.
    how = np.where((how == NameHow.EXACT) & (s_compact < 0.999), NameHow.REORDERED, how)
    return np.clip(sim, 0.0, 1.0).astype(np.float32), how.astype(np.int8)


def dob_evidence(p_dob: pl.Series, lst: pl.DataFrame, pi: np.ndarray, li: np.ndarray):
    """A `Dob` level per pair. Dates are compared as dates, never as text."""
    pd = p_dob.gather(pi).cast(pl.Date)
    ld = lst["dob"].gather(li)
    y_from = lst["dob_year_from"].gather(li).cast(pl.Int32)
    y_to = lst["dob_year_to"].gather(li).cast(pl.Int32)
    f = pl.DataFrame({"p": pd, "l": ld, "yf": y_from, "yt": y_to})
    py, pm, pdd = pl.col("p").dt.year(), pl.col("p").dt.month(), pl.col("p").dt.day()
    ly, lm, ldd = pl.col("l").dt.year(), pl.col("l").dt.month(), pl.col("l").dt.day()
    level = (
        pl.when(pl.col("p").is_null() | (pl.col("l").is_null() & pl.col("yf").is_null()))
        .then(Dob.MISSING)
        .when(pl.col("p") == pl.col("l"))
        .then(Dob.EXACT)
        .when((py == ly) & (pm == ldd) & (pdd == lm))
        .then(Dob.SWAP)
        .when((pl.col("p") - pl.col("l")).dt.total_days().abs() <= 1)
        .then(Dob.NEAR)
        .when(pl.col("l").is_null() & (py >= pl.col("yf")) & (py <= pl.col("yt")))
        .then(Dob.PARTIAL)
        .when(pl.col("l").is_null() & (py >= pl.col("yf") - 1) & (py <= pl.col("yt") + 1))
        .then(Dob.PARTIAL_NEAR)
        .when(py == ly)
        .then(Dob.SAME_YEAR)
        .otherwise(Dob.DIFFERS)
    )
    width = (pl.col("yt") - pl.col("yf") + 1).fill_null(1).clip(1, None)
    out = f.select(level.alias("level"), width.alias("width"))
    return out["level"].to_numpy().astype(np.int8), out["width"].to_numpy()


def document_evidence(
    p_doc_folded: pl.Series,
    p_doc: pl.Series,
    l_docs: pl.DataFrame,
    l_entry_code: np.ndarray,
    l_has_doc: np.ndarray,
    pi: np.ndarray,
    li: np.ndarray,
) -> np.ndarray:
    """A `Document` level per pair: is the passenger's document one of the identity's?

    The few passenger-document matches are found by one join of passengers with the
    list's documents; pairs then look them up by integer (passenger row, entry code).
    """
    passengers = pl.DataFrame({"p": np.arange(len(p_doc)), "d": p_doc, "fd": p_doc_folded})
    hits = (
        passengers.filter(pl.col("fd").str.len_chars() > 0)
        .join(l_docs, left_on="fd", right_on="doc_folded")
        .select(
            "p",
            "code",
            level=pl.when(pl.col("d") == pl.col("doc"))
            .then(Document.EXACT)
            .otherwise(Document.OCR),
        )
        .group_by("p", "code")
        .agg(pl.col("level").min())
    )
    matched = pair_lookup(hits, pi, l_entry_code[li], l_entry_code)
    has_p = (p_doc.fill_null("").str.len_chars() > 0).to_numpy()[pi]
    unmatched = np.where(has_p & l_has_doc[li], Document.DIFFERS, Document.MISSING)
    level = np.where(matched > 0, matched, unmatched)
    return level.astype(np.int8)


def pair_lookup(
    hits: pl.DataFrame, pi: np.ndarray, code: np.ndarray, all_codes: np.ndarray
) -> np.ndarray:
    """`level` of the hit (p, code) for each pair (pi, code), 0 where there is none.

    Hits are few (a join found them); pairs are many, so each pair looks its hit up by
    one integer key in a sorted array instead of joining on two columns.
    """
    width = int(all_codes.max(initial=0)) + 1
    key = pi.astype(np.int64) * width + code
    hit_key = hits["p"].to_numpy().astype(np.int64) * width + hits["code"].to_numpy()
    if len(hit_key) == 0:
        return np.zeros(len(key), dtype=np.int64)
    order = np.argsort(hit_key)
    pos = np.clip(np.searchsorted(hit_key[order], key), 0, len(hit_key) - 1)
    found = hit_key[order][pos] == key
    return np.where(found, hits["level"].to_numpy()[order][pos], 0)


def nationality_evidence(p_nat: pl.Series, l_nats: pl.Series, pi, li) -> np.ndarray:
    """A `Nationality` level per pair: agree when the passenger's is one of the identity's."""
    f = pl.DataFrame({"p": p_nat.gather(pi), "l": l_nats.gather(li)})
    return (
        f.select(
            pl.when(pl.col("p").is_null() | (pl.col("l").list.len().fill_null(0) == 0))
            .then(Nationality.MISSING)
            .when(pl.col("l").list.contains(pl.col("p")))
            .then(Nationality.AGREE)
            .otherwise(Nationality.DIFFERS)
        )
        .to_series()
        .to_numpy()
        .astype(np.int8)
    )


def sex_evidence(p_sex: pl.Series, l_sex: pl.Series, pi, li) -> np.ndarray:
    a = p_sex.gather(pi).to_numpy()
    b = l_sex.gather(li).to_numpy()
    known = np.isin(a, ["M", "F"]) & np.isin(b, ["M", "F"])
    agree = np.where(a == b, Sex.AGREE, Sex.DIFFERS)
    return np.where(known, agree, Sex.MISSING).astype(np.int8)
