"""Baseline matchers, run (not quoted) through the same evaluation as the default.

- `exact`: the normalized, order-free name equals a listed name.
- `soundex`: legacy airline practice: Soundex of the surname + first initial + birth year.
- `bruteforce`: every passenger against every list name (Jaro-Winkler via rapidfuzz
  `cdist`, in chunks), then the default scoring: what blocking would lose, it does not.
- `ofac`: OFAC Sanctions List Search style: whole-name Jaro-Winkler or per-token
  Jaro-Winkler with Soundex, the better of the two; names only.
- `gtas`: the open-source GTAS system's published rule (gtasDefault): exact first name,
  last name and DOB → 1.0; else birth years within 3 and (equal metaphone strings and
  Jaro-Winkler of the full names >= 0.95 → 0.9, or Jaro-Winkler >= 0.95 and identical
  DOB → 0.8). GTAS scans every list item; here its candidates come from our blocking, so
  its figures are for its decision rule, not its cost. jellyfish's Metaphone stands in
  for Apache's Double Metaphone.
"""

from __future__ import annotations

import jellyfish
import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from screening.linkage.blocking import folded_documents
from screening.linkage.explain import ScoredPairs, explain, rank_pairs
from screening.linkage.index import WatchlistIndex, build_index, list_names
from screening.linkage.levels import Dob, NameHow
from screening.linkage.normalize import fold, name_forms
from screening.linkage.screen import ScreenResult, blocked_candidates, evidence, screen
from screening.linkage.settings import BlockingConfig


class _Base:
    name = "base"
    index_kind = "watchlist_index"  # shares the default matcher's WatchlistIndex

    def build(self, rows: pl.DataFrame) -> WatchlistIndex:
        return build_index(rows)


def _result(index, passengers, pi, li, score, sim, how, threshold, top_k, stats):
    dob, docl, nat = evidence(index, passengers, pi, li)
    best = rank_pairs(index, ScoredPairs(pi, li, score, sim, how, dob, docl, nat), threshold, top_k)
    return ScreenResult(explain(best, passengers), (pi, li), stats)


def _join_pairs(left: pl.DataFrame, right: pl.DataFrame, on: str):
    pairs = left.join(right, on=on).select("p", "l").unique().sort("p", "l")
    return pairs["p"].to_numpy(), pairs["l"].to_numpy()


class ExactMatcher(_Base):
    """Normalized exact name; graded only by the date of birth so curves can be drawn."""

    name = "exact"

    def screen(self, index, passengers, threshold, top_k):
        forms = name_forms(passengers)
        p = forms.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("p"), "sorted_core")
        lst = index.forms.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("l"), "sorted_core")
        pi, li = _join_pairs(p.filter(pl.col("sorted_core") != ""), lst, "sorted_core")
        dob, _, _ = evidence(index, passengers, pi, li)
        score = np.select([dob == Dob.EXACT, dob == Dob.MISSING], [1.0, 0.8], 0.6)
        ones = np.ones(len(pi), np.float32)
        return _result(
            index,
            passengers,
            pi,
            li,
            score,
            ones,
            np.zeros(len(pi), np.int8),
            threshold,
            top_k,
            {"pairs": len(pi)},
        )


def _soundex_keys(frame: pl.DataFrame, row: str) -> pl.DataFrame:
    """Surname Soundex + first initial, per row (codes computed on distinct surnames)."""
    sur = fold(frame["surname"]).str.split(" ").list.last().fill_null("")
    uniq = sur.unique().to_list()
    codes = dict(zip(uniq, [jellyfish.soundex(u) if u else "" for u in uniq], strict=True))
    initial = fold(frame["given_names"]).str.slice(0, 1)
    return pl.DataFrame(
        {
            row: np.arange(frame.height, dtype=np.int64),
            "key": sur.replace_strict(codes, return_dtype=pl.String) + "|" + initial,
        }
    ).filter(pl.col("key").str.len_chars() > 2)


class SoundexMatcher(_Base):
    """Legacy rule: Soundex(surname) + first initial + birth year (any year if unlisted)."""

    name = "soundex"

    def screen(self, index, passengers, threshold, top_k):
        years = passengers.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("p"),
            pl.col("dob").cast(pl.Date).dt.year().alias("y"),
        )
        p = _soundex_keys(passengers, "p").join(years, on="p")
        l_years = index.rows.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("l"),
            pl.coalesce(pl.col("dob").dt.year(), "dob_year_from").alias("yf"),
            pl.coalesce(pl.col("dob").dt.year(), "dob_year_to").alias("yt"),
        )
        lst = _soundex_keys(index.rows, "l").join(l_years, on="l")
        j = (
            p.join(lst, on="key")
            .filter(
                pl.col("yf").is_null()
                | pl.col("y").is_null()
                | ((pl.col("y") >= pl.col("yf")) & (pl.col("y") <= pl.col("yt")))
            )
            .select("p", "l")
            .unique()
            .sort("p", "l")
        )
        pi, li = j["p"].to_numpy(), j["l"].to_numpy()
        ones = np.ones(len(pi))
        return _result(
            index,
            passengers,
            pi,
            li,
            ones,
            ones,
            np.full(len(pi), NameHow.SPELLING, np.int8),
            threshold,
            top_k,
            {"pairs": len(pi)},
        )


def exhaustive_candidates(
    index, passengers, forms, doc_folded, cutoff: float = 0.75, cells: int = 20_000_000
):
    """Every pair whose order-free names have Jaro-Winkler >= cutoff, plus document hits:
    cdist over all passengers x all list names, a chunk of passengers at a time."""
    q = forms["sorted_core"].to_numpy().astype(object)
    c = list_names(index, np.arange(index.size))[0]["sorted_core"]
    step = max(1, cells // max(len(c), 1))
    ps, ls = [], []
    for start in range(0, len(q), step):  # chunks, not rows: dozens of iterations
        m = process.cdist(
            q[start : start + step],
            c,
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=cutoff,
            dtype=np.float32,
            workers=-1,
        )
        r, k = np.nonzero(m)
        ps.append(r + start)
        ls.append(k)
    pi = np.concatenate(ps) if ps else np.zeros(0, np.int64)
    li = np.concatenate(ls) if ls else np.zeros(0, np.int64)
    d = pl.DataFrame({"p": np.arange(len(doc_folded)), "doc_folded": doc_folded}).filter(
        pl.col("doc_folded").str.len_chars() >= BlockingConfig.min_document_length
    )
    rows = pl.DataFrame({"l": np.arange(index.size), "code": index.entry_code})
    doc_pairs = d.join(index.docs, on="doc_folded").join(rows, on="code").select("p", "l")
    pairs = pl.concat([pl.DataFrame({"p": pi, "l": li}), doc_pairs.cast(pl.Int64)]).unique()
    pairs = pairs.sort("p", "l")
    return pairs["p"].to_numpy(), pairs["l"].to_numpy(), {"pairs": pairs.height}


class BruteForceMatcher(_Base):
    """All pairs (Jaro-Winkler >= 0.75 on order-free names), then the default scoring."""

    name = "bruteforce"

    def screen(self, index, passengers, threshold, top_k, population=None):
        return screen(
            index,
            passengers,
            threshold,
            top_k,
            candidates=exhaustive_candidates,
            population=population,
        )


class GtasMatcher(_Base):
    """GTAS gtasDefault decision rule on blocked candidates."""

    name = "gtas"

    def screen(self, index, passengers, threshold, top_k):
        forms, pi, li, stats = _blocked(index, passengers)
        full_p = _full_names(forms)
        full_l = _full_names(index.forms)
        jw = process.cpdist(
            full_p[pi],
            full_l[li],
            scorer=JaroWinkler.normalized_similarity,
            dtype=np.float32,
            workers=-1,
        )
        meta_p, meta_l = _metaphones(forms), _metaphones(index.forms)
        same_meta = meta_p[pi] == meta_l[li]
        pdob = passengers["dob"].cast(pl.Date)
        lst = index.rows
        p_year = pdob.dt.year().to_numpy()[pi].astype(float)
        l_year = lst.select(pl.coalesce(pl.col("dob").dt.year(), "dob_year_from"))
        l_year = l_year.to_series().to_numpy()[li]
        l_year = l_year.astype(float)
        gap_ok = np.abs(p_year - l_year) <= 3  # NaN (no DOB) compares False: no fuzzy hit
        same_dob = (pdob.gather(pi) == lst["dob"].gather(li)).fill_null(False).to_numpy()
        exact = (full_p[pi] == full_l[li]) & same_dob
        score = np.select(
            [exact, gap_ok & same_meta & (jw >= 0.95), gap_ok & (jw >= 0.95) & same_dob],
            [1.0, 0.9, 0.8],
            0.0,
        )
        keep = score > 0
        how = np.where(exact[keep], NameHow.EXACT, NameHow.SPELLING).astype(np.int8)
        return _result(
            index,
            passengers,
            pi[keep],
            li[keep],
            score[keep],
            jw[keep],
            how,
            threshold,
            top_k,
            stats,
        )


def _blocked(index: WatchlistIndex, passengers: pl.DataFrame):
    """Name forms and the default blocking's candidate pairs, for rule-based baselines."""
    forms = name_forms(passengers)
    folded = folded_documents(passengers["doc_number"].cast(pl.String))
    return forms, *blocked_candidates(index, passengers, forms, folded)


def _full_names(forms: pl.DataFrame) -> np.ndarray:
    """first + middle + last as written (GTAS compares the ordered full name)."""
    return forms["tokens"].list.join(" ").to_numpy().astype(object)


def _metaphones(forms: pl.DataFrame) -> np.ndarray:
    tokens = forms["tokens"]
    uniq = tokens.explode().drop_nulls().unique().to_list()
    codes = dict(zip(uniq, [jellyfish.metaphone(t) for t in uniq], strict=True))
    return (
        tokens.list.eval(pl.element().replace_strict(codes, return_dtype=pl.String))
        .list.join(" ")
        .to_numpy()
        .astype(object)
    )


class OfacMatcher(_Base):
    """OFAC Sanctions List Search style: the better of whole-name Jaro-Winkler and a
    per-token score (each list token's best Jaro-Winkler against the passenger's tokens,
    raised to 1.0 where their Soundex codes agree), averaged over the list name's tokens.
    Names only, as that tool does; candidates from our blocking."""

    name = "ofac"

    def screen(self, index, passengers, threshold, top_k):
        forms, pi, li, stats = _blocked(index, passengers)
        whole = process.cpdist(
            _full_names(forms)[pi],
            _full_names(index.forms)[li],
            scorer=JaroWinkler.normalized_similarity,
            dtype=np.float32,
            workers=-1,
        )
        per_token = _per_token_score(forms["core"], index.forms["core"], pi, li)
        score = np.maximum(whole, per_token)
        keep = score >= 0.5
        how = np.where(score[keep] >= 0.999, NameHow.EXACT, NameHow.SPELLING).astype(np.int8)
        return _result(
            index,
            passengers,
            pi[keep],
            li[keep],
            score[keep],
            score[keep],
            how,
            threshold,
            top_k,
            stats,
        )


def _per_token_score(p_core: pl.Series, l_core: pl.Series, pi, li) -> np.ndarray:
    """Mean over list tokens of the best (Soundex-boosted) Jaro-Winkler to any passenger
    token, for every pair at once: pairs x list tokens x passenger tokens, exploded."""
    pairs = pl.DataFrame(
        {"pair": np.arange(len(pi)), "lt": l_core.gather(li), "pt": p_core.gather(pi)}
    )
    grid = pairs.explode("lt").drop_nulls("lt").explode("pt").drop_nulls("pt")
    if grid.is_empty():
        return np.zeros(len(pi), dtype=np.float32)
    uniq = pl.concat([grid["lt"], grid["pt"]]).unique().to_list()
    sdx = dict(zip(uniq, [jellyfish.soundex(t) for t in uniq], strict=True))
    jw = process.cpdist(
        grid["lt"].to_numpy().astype(object),
        grid["pt"].to_numpy().astype(object),
        scorer=JaroWinkler.normalized_similarity,
        dtype=np.float32,
        workers=-1,
    )
    same = (grid["lt"].replace_strict(sdx) == grid["pt"].replace_strict(sdx)).to_numpy()
    grid = grid.with_columns(s=pl.Series(np.where(same, 1.0, jw)))
    best = (
        grid.group_by("pair", "lt").agg(pl.col("s").max()).group_by("pair").agg(pl.col("s").mean())
    )
    out = np.zeros(len(pi), dtype=np.float32)
    out[best["pair"].to_numpy()] = best["s"].to_numpy()
    return out
