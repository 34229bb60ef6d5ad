"""Ranked, explained alerts from scored pairs: the alert schema, the best name per
(passenger, identity), and a readable reason per alert."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from screening.linkage.distinct import POLARS_FROM
from screening.linkage.index import WatchlistIndex
from screening.linkage.levels import (
    CONTACT_LEVELS,
    DOB_LEVELS,
    DOC_LEVELS,
    NAME_HOW,
    Nationality,
    label,
)
from screening.schema import AlertKind

ALERT_COLUMNS = {
    "passenger_id": pl.String,
    "entry_id": pl.String,
    "name_id": pl.String,
    "kind": pl.String,
    "score": pl.Float64,
    "name_score": pl.Float64,
    "name_how": pl.String,
    "dob_evidence": pl.String,
    "document_evidence": pl.String,
    "nationality_evidence": pl.String,
    "contact_evidence": pl.String,
    "reason": pl.String,
}


def empty_alerts() -> pl.DataFrame:
    return pl.DataFrame(schema=ALERT_COLUMNS)


# The alert kinds a watch-list match produces (a person, not a document or a booking).
PERSON_KINDS = (AlertKind.WATCHLIST, AlertKind.WATCHLIST_DOCUMENT)


@dataclass(frozen=True)
class ScoredPairs:
    """Candidate pairs with their score and the evidence levels an explanation names, as
    aligned arrays (one entry per pair)."""

    passenger_row: np.ndarray
    list_row: np.ndarray
    score: np.ndarray
    name_score: np.ndarray
    name_how: np.ndarray  # NameHow
    dob: np.ndarray  # Dob
    document: np.ndarray  # Document
    nationality: np.ndarray  # Nationality
    contact: np.ndarray | None = None  # Contact; None: no booking contact compared
    bits: dict[str, np.ndarray] | None = None  # evidence per field (scoring.log_odds)


def rank_pairs(
    index: WatchlistIndex, scored: ScoredPairs, threshold: float, top_k: int
) -> pl.DataFrame:
    """Best name per (passenger, identity), at most `top_k` identities per passenger.
    `index` holds `rows` (entry_id, name_id) and `entry_code` (an integer per entry_id)."""
    contact = scored.contact
    if contact is None:
        contact = np.zeros(len(scored.passenger_row), dtype=np.int8)
    p = np.asarray(scored.passenger_row, dtype=np.int64)
    l_row = np.asarray(scored.list_row, dtype=np.int64)
    score = np.asarray(scored.score, dtype=np.float64)
    name_score = np.asarray(scored.name_score, dtype=np.float64)
    at = _ranked(p, np.asarray(index.entry_code)[l_row], l_row, score, name_score, threshold)
    # Each passenger's identities counted from 0 in that order; the first top_k kept.
    ps = p[at]
    new_p = np.ones(len(ps), dtype=bool)
    new_p[1:] = ps[1:] != ps[:-1]
    starts = np.flatnonzero(new_p)
    rank = np.arange(len(ps)) - np.repeat(starts, np.diff(np.append(starts, len(ps))))
    at, rank = at[rank < top_k], rank[rank < top_k]
    # Only the rows kept get their ids as strings (gathered for every pair, a chunk at
    # threshold 0.5 made millions it then dropped).
    ids = index.rows.select("entry_id", "name_id")[l_row[at]]
    return pl.DataFrame(
        {
            "p": p[at],
            "l": l_row[at],
            "score": score[at],
            "name_score": name_score[at],
            "how": scored.name_how[at],
            "dob": scored.dob[at],
            "doc": scored.document[at],
            "nat": scored.nationality[at],
            "contact": contact[at],
            "entry_id": ids["entry_id"],
            "name_id": ids["name_id"],
            "rank": rank,
        }
    )


def _ranked(
    p: np.ndarray,
    entry: np.ndarray,
    l_row: np.ndarray,
    score: np.ndarray,
    name_score: np.ndarray,
    threshold: float,
    polars_from: int = POLARS_FROM,
) -> np.ndarray:
    """Positions of the pairs scoring >= threshold, the best name of each (passenger,
    identity) only, by passenger, best score first (then name score, then list row)."""
    keep = np.flatnonzero(score >= threshold)
    if len(keep) < polars_from:  # a flight: numpy's sorts beat polars' fixed cost
        # lexsort sorts by its last key first; stable, as the rows came for full ties.
        order = keep[np.lexsort((l_row[keep], -name_score[keep], -score[keep], p[keep]))]
        if len(order) == 0:
            return order
        key = p[order] * (int(entry.max()) + 1) + entry[order]
        _, first = np.unique(key, return_index=True)
        return order[np.sort(first)]
    # A chunk at threshold 0 ranks ~800,000 pairs: polars' sort runs on every core (the
    # lexsort and unique took 0.37 s a chunk, this 0.12-0.2 s); stable, the same order.
    ranked = (
        pl.DataFrame(
            {
                "at": keep,
                "p": p[keep],
                "e": entry[keep],
                "score": score[keep],
                "name": name_score[keep],
                "l": l_row[keep],
            }
        )
        .sort(
            ["p", "score", "name", "l"], descending=[False, True, True, False], maintain_order=True
        )
        .unique(["p", "e"], keep="first", maintain_order=True)
    )
    return ranked["at"].to_numpy()


def explain(best: pl.DataFrame, passengers: pl.DataFrame) -> pl.DataFrame:
    """Alert rows (ALERT_COLUMNS) from ranked pairs."""
    return _explain(best, passengers["passenger_id"])


def _label(values: tuple[str, ...], col: str) -> pl.Expr:
    return (
        pl.col(col).cast(pl.Int64).replace_strict(dict(enumerate(values)), return_dtype=pl.String)
    )


_DOB_TEXT = {
    "missing": "DOB unknown",
    "exact": "DOB exact",
    "swap": "DOB day/month swapped",
    "near": "DOB off by a day",
    "partial": "birth year in listed range",
    "partial_near": "birth year near listed range",
    "same_year": "DOB same year only",
    "differs": "DOB differs",
}
_DOC_TEXT = {
    "missing": "doc not compared",
    "exact": "doc exact",
    "ocr": "doc equal up to OCR",
    "differs": "doc differs",
}
_NAT_TEXT = {
    Nationality.AGREE: "nationality listed",
    Nationality.DIFFERS: "nationality not listed",
    Nationality.MISSING: "nationality unknown",
}
_CONTACT_TEXT = {
    "missing": "",
    "none": "",
    "phone": ", booking phone is the identity's",
    "email": ", booking e-mail is the identity's",
    "both": ", booking phone and e-mail are the identity's",
}


# Built once, on first use (the expressions are constants): building them and running four
# eager steps cost a flight 1.8 ms of its ~30 for a handful of alerts; one lazy query now.
@cache
def _explained() -> tuple[dict[str, pl.Expr], dict[str, pl.Expr]]:
    """The evidence labels, then the kind and reason made of them."""
    labels = {
        "name_how": _label(NAME_HOW, "how"),
        "dob_evidence": _label(DOB_LEVELS, "dob"),
        "document_evidence": _label(DOC_LEVELS, "doc"),
        "nationality_evidence": pl.col("nat")
        .cast(pl.Int64)
        .replace_strict({int(v): label(v) for v in Nationality}, return_dtype=pl.String),
        "contact_evidence": _label(CONTACT_LEVELS, "contact"),
    }
    reason = {
        "kind": pl.when(pl.col("document_evidence").is_in(["exact", "ocr"]))
        .then(pl.lit(AlertKind.WATCHLIST_DOCUMENT.value))
        .otherwise(pl.lit(AlertKind.WATCHLIST.value)),
        "reason": pl.concat_str(
            [
                pl.lit("name "),
                pl.col("name_score").round(2).cast(pl.String),
                pl.lit(" ("),
                pl.col("name_how"),
                pl.lit("), "),
                pl.col("dob_evidence").replace_strict(_DOB_TEXT),
                pl.lit(", "),
                pl.col("document_evidence").replace_strict(_DOC_TEXT),
                pl.lit(", "),
                pl.col("nat").cast(pl.Int64).replace_strict(_NAT_TEXT, return_dtype=pl.String),
                pl.col("contact_evidence").replace_strict(_CONTACT_TEXT),
            ]
        ),
    }
    return labels, reason


def _explain(best: pl.DataFrame, passenger_id: pl.Series) -> pl.DataFrame:
    """Alert rows with per-field evidence and a readable reason."""
    labels, reason = _explained()
    out = best.lazy()
    if "contact" not in best.columns:
        out = out.with_columns(contact=pl.lit(0, pl.Int8))
    return (
        out.with_columns(passenger_id=passenger_id.gather(best["p"]), **labels)
        .with_columns(**reason)
        .select(pl.col(c).cast(t) for c, t in ALERT_COLUMNS.items())
        # "auto" ran a flight's handful of rows through the streaming engine: +0.2 ms.
        .collect(engine="in-memory")
    )
