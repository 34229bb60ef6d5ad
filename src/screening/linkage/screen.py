"""screen(): passengers against a WatchlistIndex → scored, explained watch-list alerts.

normalize → block → compare → score → alerts, each stage vectorized over all passengers
and all candidate pairs at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from screening.linkage.blocking import candidate_pairs, fold_document
from screening.linkage.comparisons.attributes import nationality_evidence, sex_evidence
from screening.linkage.comparisons.contacts import contact_evidence
from screening.linkage.comparisons.dates import dob_evidence
from screening.linkage.comparisons.documents import document_evidence
from screening.linkage.comparisons.names import name_arrays, name_similarity, token_overlap
from screening.linkage.explain import _explain, empty_alerts, rank_pairs
from screening.linkage.index import WatchlistIndex, passenger_keys
from screening.linkage.levels import (
    Dob,
    Document,
)
from screening.linkage.normalize import name_forms
from screening.linkage.population import Population, population_stats
from screening.linkage.scoring import log_odds, to_score, token_bits
from screening.linkage.settings import AlertConfig


@dataclass(frozen=True)
class ScreenResult:
    alerts: pl.DataFrame
    pairs: tuple[np.ndarray, np.ndarray]  # candidate (passenger row, list row) pairs
    stats: dict[str, float]


class _Clock:
    """Seconds spent per stage, for the benchmark figures."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._t, 3)
        self._t = now


Candidates = Callable[
    [WatchlistIndex, pl.DataFrame, pl.DataFrame, pl.Series],
    tuple[np.ndarray, np.ndarray, dict],
]


def blocked_candidates(
    index: WatchlistIndex, passengers: pl.DataFrame, forms: pl.DataFrame, doc_folded: pl.Series
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Candidate pairs from the blocking keys (the default)."""
    cfg = index.config
    pk = passenger_keys(forms, doc_folded, cfg.blocking)
    p_year = passengers["dob"].cast(pl.Date).dt.year()
    return candidate_pairs(pk, index.blocks, p_year)


def screen(
    index: WatchlistIndex,
    passengers: pl.DataFrame,
    threshold: float = AlertConfig.threshold,
    top_k: int = AlertConfig.top_k,
    candidates: Candidates = blocked_candidates,
    population: Population | None = None,
) -> ScreenResult:
    """Watch-list alerts for every passenger scoring >= threshold (best identities first).

    `population`: name statistics of the whole manifest when `passengers` is one part of
    it (default: `passengers` itself)."""
    cfg = index.config
    clock = _Clock()
    forms = name_forms(passengers)
    pop = population or population_stats(passengers, forms)
    doc = passengers["doc_number"].cast(pl.String)
    doc_folded = pl.DataFrame({"d": doc}).select(fold_document(pl.col("d"))).to_series()
    clock.lap("normalize_s")
    pi, li, stats = candidates(index, passengers, forms, doc_folded)
    clock.lap("block_s")
    if len(pi) == 0:
        return ScreenResult(empty_alerts(), (pi, li), stats)
    lst, lf = index.rows, index.forms
    pa = name_arrays(forms)
    # A cheap first look: pairs sharing little of their names go, unless their
    # documents match (a listed passport under another name is an alert of its own).
    s_set = token_overlap(pa, index.arrays, pi, li)
    docl = document_evidence(doc_folded, doc, index.docs, index.entry_code, index.has_doc, pi, li)
    keep = (s_set >= cfg.comparisons.prefilter) | np.isin(docl, (Document.EXACT, Document.OCR))
    pi, li, s_set, docl = pi[keep], li[keep], s_set[keep], docl[keep]
    stats["pairs_compared"] = len(pi)
    clock.lap("prefilter_s")
    # Token frequencies from the list and the population being screened.
    counts = (
        pl.concat([index.token_counts, pop.token_counts]).group_by("tok").agg(pl.col("n").sum())
    )
    total = pop.token_total + index.token_total
    # Only the list names among the candidates need their information computed.
    rows_needed, li_pos = np.unique(li, return_inverse=True)
    bits_needed = token_bits(lf["core"].gather(rows_needed), counts, total, cfg.scoring)
    sim, how = name_similarity(pa, index.arrays, pi, li, s_set, cfg.comparisons.name_views)
    dob, width = dob_evidence(passengers["dob"], lst, pi, li)
    nat = nationality_evidence(passengers["nationality"], lst["nationalities"], pi, li)
    sex = sex_evidence(passengers["sex"], lst["sex"], pi, li)
    contact = contact_evidence(
        passengers, index.contacts, index.entry_code, index.has_contact, pi, li
    )
    # A full name shared by many in the screened population is weak evidence however rare
    # its tokens look one by one (families, double-barrelled names). One or two sightings
    # (a traveller on two legs) say nothing about how common a name is.
    seen = forms.select("sorted_core").join(
        pop.name_counts, on="sorted_core", how="left", maintain_order="left"
    )
    same_name = seen["n"].fill_null(1).cast(pl.Float64).to_numpy()[pi]
    seen_bits = -np.log2(same_name / (pop.size + 1.0))
    list_bits = bits_needed[li_pos]
    common = same_name >= cfg.comparisons.common_name_sightings
    name_bits = np.where(common, np.minimum(list_bits, seen_bits), list_bits)
    bits = log_odds(sim, name_bits, dob, width, docl, nat, sex, cfg.scoring, contact)
    clock.lap("compare_s")
    identical = sim >= cfg.comparisons.name_views.identical
    score = to_score(bits, identical & (dob == Dob.EXACT), cfg.scoring)
    best = rank_pairs(index, pi, li, score, sim, how, dob, docl, nat, threshold, top_k, contact)
    clock.lap("score_s")
    alerts = _explain(best, passengers["passenger_id"])
    clock.lap("alerts_s")
    stats |= {"passengers": passengers.height, "list_names": index.size} | clock.laps
    return ScreenResult(alerts, (pi, li), stats)


def evidence(
    index: WatchlistIndex, passengers: pl.DataFrame, pi: np.ndarray, li: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dob level, document level, nationality) per pair, for matchers that score
    differently but explain their alerts the same way."""
    doc = passengers["doc_number"].cast(pl.String)
    folded = pl.DataFrame({"d": doc}).select(fold_document(pl.col("d"))).to_series()
    dob, _ = dob_evidence(passengers["dob"], index.rows, pi, li)
    docl = document_evidence(folded, doc, index.docs, index.entry_code, index.has_doc, pi, li)
    nat = nationality_evidence(passengers["nationality"], index.rows["nationalities"], pi, li)
    return dob, docl, nat
