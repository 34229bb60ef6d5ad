"""Document checks: passports on the lost/stolen list (exact or up to OCR confusions) and
invalid documents (MRZ check digits, MRZ disagreeing with the data fields, expired)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from screening.data.formats.mrz import mrz_valid
from screening.linkage.blocking import fold_document
from screening.linkage.explain import ALERT_COLUMNS
from screening.linkage.settings import BlockingConfig
from screening.schema import AlertKind

# A travel rule, not the matcher's model (so not in linkage.settings): how sure a lost or
# stolen document hit is. The number itself is the evidence; the issuer confirms it, and a
# number equal only once OCR confusions are folded (0/O, 1/I) is less sure.
LOST_STOLEN_SCORES = {
    "exact, same issuer": 1.0,
    "exact": 0.85,
    "ocr, same issuer": 0.9,
    "ocr": 0.75,
}


def _alerts(frame: pl.DataFrame, kind: AlertKind) -> pl.DataFrame:
    return (
        frame.with_columns(
            kind=pl.lit(str(kind)),
            entry_id=pl.lit(None, pl.String),
            name_id=pl.lit(None, pl.String),
            name_score=pl.lit(None, pl.Float64),
            name_how=pl.lit(None, pl.String),
            dob_evidence=pl.lit(None, pl.String),
            nationality_evidence=pl.lit(None, pl.String),
            contact_evidence=pl.lit(None, pl.String),
        )
        .select(*ALERT_COLUMNS, *_row(frame))
        .cast(ALERT_COLUMNS)
    )


def _row(frame: pl.DataFrame) -> list[str]:
    """The travellers' row numbers (`_row`) where the caller gave them, to carry along."""
    return ["_row"] if "_row" in frame.columns else []


def prepare_lost_stolen(sltd: pl.DataFrame) -> pl.DataFrame:
    """The lost/stolen list with its numbers folded, once: a list of millions is folded
    once per run, not once per partition."""
    if "folded" in sltd.columns:
        return sltd
    return sltd.select(
        pl.col("doc_number").alias("l_doc"),
        pl.col("doc_issuer").alias("l_issuer"),
        "status",
        fold_document(pl.col("doc_number")).alias("folded"),
    )


def lost_stolen_alerts(passengers: pl.DataFrame, sltd: pl.DataFrame) -> pl.DataFrame:
    """One alert per passenger whose document is on the lost/stolen list (raw, or as
    prepare_lost_stolen gives it); per row where the passengers carry their `_row`."""
    p = passengers.select(
        "passenger_id",
        *_row(passengers),
        pl.col("doc_number").cast(pl.String).alias("doc"),
        pl.col("doc_issuer").cast(pl.String).alias("issuer"),
        fold_document(pl.col("doc_number").cast(pl.String)).alias("folded"),
    ).filter(pl.col("folded").str.len_chars() >= BlockingConfig.min_document_length)
    j = p.join(prepare_lost_stolen(sltd), on="folded")
    exact = pl.col("doc") == pl.col("l_doc")
    same_issuer = pl.col("issuer") == pl.col("l_issuer")
    j = (
        j.with_columns(
            score=pl.when(exact & same_issuer)
            .then(LOST_STOLEN_SCORES["exact, same issuer"])
            .when(exact)
            .then(LOST_STOLEN_SCORES["exact"])
            .when(same_issuer)
            .then(LOST_STOLEN_SCORES["ocr, same issuer"])
            .otherwise(LOST_STOLEN_SCORES["ocr"]),
            document_evidence=pl.when(exact).then(pl.lit("exact")).otherwise(pl.lit("ocr")),
            reason=pl.concat_str(
                [
                    pl.lit("document "),
                    "doc",
                    pl.lit(" on lost/stolen list as "),
                    "l_doc",
                    pl.lit(" ("),
                    "status",
                    pl.lit(", issuer "),
                    "l_issuer",
                    pl.lit(")"),
                ]
            ),
        )
        # Ties (one number listed by several issuers) broken by the record, not by the
        # list's row order: a run in partitions reports the record a single run does.
        .sort(
            ["passenger_id", "score", "l_doc", "l_issuer", "status"],
            descending=[False, True, False, False, False],
            nulls_last=True,
        )
        .unique(["passenger_id", *_row(passengers)], keep="first", maintain_order=True)
    )
    return _alerts(j, AlertKind.DOCUMENT_LOST_STOLEN)


def invalid_document_alerts(passengers: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Alerts for failing MRZ check digits (TD1, TD2, TD3), TD3/data disagreement and
    expired documents (with the passengers' `_row` where they carry it)."""
    cols = passengers.columns
    p = passengers.select(
        "passenger_id",
        *_row(passengers),
        "doc_number",
        "dob",
        pl.col("doc_expiry") if "doc_expiry" in cols else pl.lit(None, pl.Date).alias("doc_expiry"),
        pl.col("mrz") if "mrz" in cols else pl.lit(None, pl.String).alias("mrz"),
    )
    has_mrz = p["mrz"].is_not_null() & (p["mrz"].str.strip_chars().str.len_chars() > 0)
    valid = pl.Series(mrz_valid(p["mrz"]))
    # The data fields are compared with TD3 zones (passports); TD1/TD2 get the checks only.
    td3 = p["mrz"].str.len_chars() == 89
    line2 = p["mrz"].str.split("\n").list.get(1, null_on_oob=True)
    checks = p.with_columns(
        bad_check=has_mrz & ~valid,
        disagrees=has_mrz
        & td3
        & (
            (line2.str.slice(0, 9).str.strip_chars("<") != pl.col("doc_number").cast(pl.String))
            | (line2.str.slice(13, 6) != pl.col("dob").cast(pl.Date).dt.strftime("%y%m%d"))
        ).fill_null(False),
        expired=(pl.col("doc_expiry").cast(pl.Date) < as_of).fill_null(False),
    )
    reasons = pl.concat_list(
        pl.when("bad_check").then(pl.lit("MRZ check digit fails")),
        pl.when("disagrees").then(pl.lit("MRZ disagrees with the data fields")),
        pl.when("expired").then(pl.lit("document expired")),
    ).list.drop_nulls()
    out = (
        checks.filter(pl.col("bad_check") | pl.col("disagrees") | pl.col("expired"))
        .with_columns(reason=reasons.list.join("; "))
        .with_columns(score=pl.lit(1.0), document_evidence=pl.lit(None, pl.String))
    )
    return _alerts(out, AlertKind.DOCUMENT_INVALID)
