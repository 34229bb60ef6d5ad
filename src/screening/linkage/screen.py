"""screen(): passengers against a WatchlistIndex → scored, explained watch-list alerts.

normalize → block → first look → compare → score → rank → explain, each stage vectorized
over all passengers and all candidate pairs at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from screening.linkage.blocking import candidate_pairs, folded_documents
from screening.linkage.comparisons.attributes import nationality_evidence, sex_evidence
from screening.linkage.comparisons.contacts import contact_evidence
from screening.linkage.comparisons.dates import dob_evidence
from screening.linkage.comparisons.documents import document_evidence
from screening.linkage.comparisons.names import name_arrays, name_similarity, token_overlap
from screening.linkage.explain import ScoredPairs, _explain, empty_alerts, rank_pairs
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


@dataclass(frozen=True)
class Manifest:
    """The screened passengers as the comparisons need them, computed once."""

    passengers: pl.DataFrame
    forms: pl.DataFrame  # name_forms
    names: dict[str, np.ndarray]  # name_arrays(forms)
    population: Population  # name statistics (of the whole manifest when partitioned)
    document: pl.Series  # as written
    document_folded: pl.Series  # OCR-confusable letters folded

    @staticmethod
    def of(passengers: pl.DataFrame, population: Population | None = None) -> Manifest:
        forms = name_forms(passengers)
        doc = passengers["doc_number"].cast(pl.String)
        return Manifest(
            passengers=passengers,
            forms=forms,
            names=name_arrays(forms),
            population=population or population_stats(passengers, forms),
            document=doc,
            document_folded=folded_documents(doc),
        )


@dataclass(frozen=True)
class KeptPairs:
    """Candidate pairs that passed the first look, with what that look computed."""

    passenger_row: np.ndarray
    list_row: np.ndarray
    token_overlap: np.ndarray
    document: np.ndarray  # Document level


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
    clock = _Clock()
    manifest = Manifest.of(passengers, population)
    clock.lap("normalize_s")
    p_rows, l_rows, stats = candidates(index, passengers, manifest.forms, manifest.document_folded)
    clock.lap("block_s")
    if len(p_rows) == 0:
        return ScreenResult(empty_alerts(), (p_rows, l_rows), stats)
    kept = first_look(index, manifest, p_rows, l_rows)
    stats["pairs_compared"] = len(kept.passenger_row)
    clock.lap("prefilter_s")
    scored = compare_and_score(index, manifest, kept, clock)
    best = rank_pairs(index, scored, threshold, top_k)
    clock.lap("score_s")
    alerts = _explain(best, passengers["passenger_id"])
    clock.lap("alerts_s")
    stats |= {"passengers": passengers.height, "list_names": index.size} | clock.laps
    return ScreenResult(alerts, (kept.passenger_row, kept.list_row), stats)


def first_look(
    index: WatchlistIndex, manifest: Manifest, p_rows: np.ndarray, l_rows: np.ndarray
) -> KeptPairs:
    """A cheap first look: pairs sharing little of their names go, unless their documents
    match (a listed passport under another name is an alert of its own)."""
    overlap = token_overlap(manifest.names, index.arrays, p_rows, l_rows)
    document = document_evidence(
        manifest.document_folded,
        manifest.document,
        index.docs,
        index.entry_code,
        index.has_doc,
        p_rows,
        l_rows,
    )
    prefilter = index.config.comparisons.prefilter
    keep = (overlap >= prefilter) | np.isin(document, (Document.EXACT, Document.OCR))
    return KeptPairs(p_rows[keep], l_rows[keep], overlap[keep], document[keep])


def compare_and_score(
    index: WatchlistIndex, manifest: Manifest, kept: KeptPairs, clock: _Clock
) -> ScoredPairs:
    """Every comparison on the kept pairs, their evidence in bits, and one score each."""
    cfg = index.config
    p_rows, l_rows = kept.passenger_row, kept.list_row
    passengers, listed = manifest.passengers, index.rows
    name_score, name_how = name_similarity(
        manifest.names, index.arrays, p_rows, l_rows, kept.token_overlap, cfg.comparisons.name_views
    )
    dob, dob_width = dob_evidence(passengers["dob"], listed, p_rows, l_rows)
    nationality = nationality_evidence(
        passengers["nationality"], listed["nationalities"], p_rows, l_rows
    )
    sex = sex_evidence(passengers["sex"], listed["sex"], p_rows, l_rows)
    contact = contact_evidence(
        passengers, index.contacts, index.entry_code, index.has_contact, p_rows, l_rows
    )
    bits = log_odds(
        name_score,
        name_information(index, manifest, p_rows, l_rows),
        dob,
        dob_width,
        kept.document,
        nationality,
        sex,
        cfg.scoring,
        contact,
    )
    clock.lap("compare_s")
    identical = name_score >= cfg.comparisons.name_views.identical
    score = to_score(bits, identical & (dob == Dob.EXACT), cfg.scoring)
    return ScoredPairs(
        p_rows, l_rows, score, name_score, name_how, dob, kept.document, nationality, contact
    )


def name_information(
    index: WatchlistIndex, manifest: Manifest, p_rows: np.ndarray, l_rows: np.ndarray
) -> np.ndarray:
    """Bits an agreeing name is worth per pair: its tokens' rarity among the list and the
    screened population, or, for a full name seen often in the population, that frequency."""
    pop = manifest.population
    # Token frequencies from the list and the population being screened.
    counts = (
        pl.concat([index.token_counts, pop.token_counts]).group_by("tok").agg(pl.col("n").sum())
    )
    total = pop.token_total + index.token_total
    # Only the list names among the candidates need their information computed.
    rows_needed, position = np.unique(l_rows, return_inverse=True)
    core = index.forms["core"].gather(rows_needed)
    list_bits = token_bits(core, counts, total, index.config.scoring)[position]
    # A full name shared by many in the screened population is weak evidence however rare
    # its tokens look one by one (families, double-barrelled names). One or two sightings
    # (a traveller on two legs) say nothing about how common a name is.
    seen = manifest.forms.select("sorted_core").join(
        pop.name_counts, on="sorted_core", how="left", maintain_order="left"
    )
    same_name = seen["n"].fill_null(1).cast(pl.Float64).to_numpy()[p_rows]
    seen_bits = -np.log2(same_name / (pop.size + 1.0))
    common = same_name >= index.config.comparisons.common_name_sightings
    return np.where(common, np.minimum(list_bits, seen_bits), list_bits)


def evidence(
    index: WatchlistIndex, passengers: pl.DataFrame, pi: np.ndarray, li: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dob level, document level, nationality) per pair, for matchers that score
    differently but explain their alerts the same way."""
    doc = passengers["doc_number"].cast(pl.String)
    folded = folded_documents(doc)
    dob, _ = dob_evidence(passengers["dob"], index.rows, pi, li)
    docl = document_evidence(folded, doc, index.docs, index.entry_code, index.has_doc, pi, li)
    nat = nationality_evidence(passengers["nationality"], index.rows["nationalities"], pi, li)
    return dob, docl, nat
