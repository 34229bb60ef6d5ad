"""PNR to API: which passenger on a flight each booking passenger became.

The two records spell names differently (the booking holds what was typed, the manifest
what the passport says), so linking is itself a matching problem: within one flight,
candidate pairs share a name skeleton, a document number or an initial; each pair gets
a link score from name similarity, and date of birth and document when the booking
carries SSR DOCS; then a one-to-one assignment takes mutual best pairs first. Two
travellers with the same name on one flight remain ambiguous unless a date or document
tells them apart (GTAS merges them; here the tie goes to input order and is measured).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from screening.linkage.blocking import folded_documents
from screening.linkage.comparisons.names import name_arrays, name_similarity, token_overlap
from screening.linkage.normalize import name_forms
from screening.linkage.settings import BlockingConfig

LINK_COLUMNS = {
    "booking_passenger_id": pl.String,
    "record_locator": pl.String,
    "flight_id": pl.String,
    "passenger_id": pl.String,
    "link_score": pl.Float64,
    "link_how": pl.String,
}


@dataclass(frozen=True)
class LinkConfig:
    min_score: float = 0.6  # least link score accepted
    max_rounds: int = 25  # mutual-best rounds; each round links at least one pair
    exact_names_only: bool = False  # GTAS-like baseline: identical names, no fuzziness
    # Link score = name similarity plus these: a date of birth or a document agreeing
    # (or not) on both sides. A different document is a mild penalty: dual nationals book
    # on one passport and check in on the other; the very document still wins the tie.
    dob_agree: float = 0.25
    dob_differs: float = -0.5
    document_agree: float = 0.6
    document_differs: float = -0.3


def booking_legs(bookings: pl.DataFrame, booking_passengers: pl.DataFrame) -> pl.DataFrame:
    """One row per booking passenger and flight of the booking's itinerary."""
    return (
        booking_passengers.join(
            bookings.select("record_locator", "flight_ids"), on="record_locator", how="left"
        )
        .explode("flight_ids")
        .rename({"flight_ids": "flight_id"})
        .drop_nulls("flight_id")
    )


def _keys(frame: pl.DataFrame, forms: pl.DataFrame) -> pl.DataFrame:
    """(row, flight_id, key): name skeletons, surname initial + given initial, document."""
    base = pl.DataFrame(
        {
            "row": np.arange(frame.height, dtype=np.int64),
            "flight_id": frame["flight_id"],
            "sk": forms["skeletons"],
            "ini": forms["initials_sorted"],
            "doc": folded_documents(frame["doc_number"].cast(pl.String)),
        }
    )
    sk = base.select("row", "flight_id", key=pl.col("sk")).explode("key")
    ini = base.select("row", "flight_id", key=pl.concat_str([pl.lit("i:"), "ini"]))
    doc = base.filter(pl.col("doc").str.len_chars() >= BlockingConfig.min_document_length).select(
        "row", "flight_id", key=pl.concat_str([pl.lit("d:"), "doc"])
    )
    return pl.concat([sk, ini, doc]).drop_nulls("key").filter(pl.col("key") != "")


def _score(
    legs: pl.DataFrame,
    passengers: pl.DataFrame,
    a: np.ndarray,
    b: np.ndarray,
    fa,
    fb,
    cfg: LinkConfig,
) -> tuple[np.ndarray, np.ndarray]:
    """(link score, how) per pair: names, then DOB and document where the booking has them."""
    arr_a, arr_b = name_arrays(fa), name_arrays(fb)
    s_set = token_overlap(arr_a, arr_b, a, b)
    sim, _ = name_similarity(arr_a, arr_b, a, b, s_set)
    da = legs["dob"].cast(pl.Date).gather(a)
    db = passengers["dob"].cast(pl.Date).gather(b)
    dob = (
        pl.DataFrame({"a": da, "b": db})
        .select(
            pl.when(pl.col("a").is_null() | pl.col("b").is_null())
            .then(0)
            .when(pl.col("a") == pl.col("b"))
            .then(1)
            .otherwise(-1)
        )
        .to_series()
        .to_numpy()
    )
    fold = lambda f: folded_documents(f["doc_number"].cast(pl.String))  # noqa: E731
    doc_a, doc_b = fold(legs).gather(a), fold(passengers).gather(b)
    both = (doc_a.str.len_chars() >= BlockingConfig.min_document_length) & (
        doc_b.str.len_chars() >= BlockingConfig.min_document_length
    )
    doc = np.where(both.fill_null(False), np.where((doc_a == doc_b).fill_null(False), 1, -1), 0)
    score = (
        sim
        + cfg.dob_agree * (dob == 1)
        + cfg.dob_differs * (dob == -1)
        + cfg.document_agree * (doc == 1)
        + cfg.document_differs * (doc == -1)
    )
    how = np.where(doc == 1, "document", np.where(dob == 1, "name+dob", "name"))
    return score.astype(np.float64), how


def _assign(a: np.ndarray, b: np.ndarray, score: np.ndarray, rounds: int) -> np.ndarray:
    """Indices of pairs kept by a one-to-one assignment, mutual best pairs first."""
    pairs = pl.DataFrame({"a": a, "b": b, "s": score, "i": np.arange(len(a))})
    taken: list[pl.DataFrame] = []
    for _ in range(rounds):  # each round resolves every uncontested pair at once
        if pairs.is_empty():
            break
        best_a = pairs.sort(["a", "s", "b"], descending=[False, True, False]).unique(
            "a", keep="first"
        )
        best_b = pairs.sort(["b", "s", "a"], descending=[False, True, False]).unique(
            "b", keep="first"
        )
        mutual = best_a.join(best_b.select("i"), on="i", how="semi")
        if mutual.is_empty():
            break
        taken.append(mutual)
        pairs = pairs.join(mutual.select("a"), on="a", how="anti").join(
            mutual.select("b"), on="b", how="anti"
        )
    if not taken:
        return np.zeros(0, dtype=np.int64)
    return np.sort(pl.concat(taken)["i"].to_numpy())


def link_bookings(
    passengers: pl.DataFrame,
    bookings: pl.DataFrame,
    booking_passengers: pl.DataFrame,
    config: LinkConfig | None = None,
) -> pl.DataFrame:
    """One row (LINK_COLUMNS) per booking passenger and flight linked to an API passenger."""
    cfg = config or LinkConfig()
    legs = booking_legs(bookings, booking_passengers)
    if legs.is_empty() or passengers.is_empty():
        return pl.DataFrame(schema=LINK_COLUMNS)
    fa, fb = name_forms(legs), name_forms(passengers)
    ka, kb = _keys(legs, fa), _keys(passengers, fb)
    cand = (
        ka.join(kb, on=["flight_id", "key"], suffix="_b")
        .select(a="row", b="row_b")
        .unique()
        .sort("a", "b")
    )
    a, b = cand["a"].to_numpy(), cand["b"].to_numpy()
    score, how = _score(legs, passengers, a, b, fa, fb, cfg)
    if cfg.exact_names_only:
        exact = (fa["sorted_core"].gather(a) == fb["sorted_core"].gather(b)).to_numpy()
        score = np.where(exact, score, -1.0)
    ok = score >= cfg.min_score
    a, b, score, how = a[ok], b[ok], score[ok], how[ok]
    keep = _assign(a, b, score, cfg.max_rounds)
    a, b = a[keep], b[keep]
    return (
        pl.DataFrame(
            {
                "booking_passenger_id": legs["booking_passenger_id"].gather(a),
                "record_locator": legs["record_locator"].gather(a),
                "flight_id": legs["flight_id"].gather(a),
                "passenger_id": passengers["passenger_id"].gather(b),
                "link_score": score[keep],
                "link_how": how[keep],
            }
        )
        .cast(LINK_COLUMNS)
        .sort("passenger_id")
    )
