"""The misses no matcher using these fields could avoid: a ceiling beside every FNIR.

Two parts, both from the data alone (the manifest, the list and the truth), never from a
matcher's alerts:
- unreachable: mated travellers whose name shares no token with any of their identity's
  listed names, not even by consonant skeleton (romanization-proof), whose document is
  not one the list holds for them, and who do not present a listed full date of birth with
  a listed nationality: nothing a matcher compares says it is them;
- tied: mated travellers for whom an innocent traveller presents the same evidence against
  the same identity (the same order-free name, the same DOB, document and nationality
  levels): no matcher can rank the one above the other, so catching the listed traveller
  means alerting the innocent too.
"""

from __future__ import annotations

import polars as pl

from screening.linkage.blocking import folded_documents
from screening.linkage.comparisons.attributes import nationality_evidence
from screening.linkage.comparisons.coded import coded_list, coded_passengers
from screening.linkage.comparisons.dates import dob_evidence
from screening.linkage.levels import Document
from screening.linkage.normalize import name_forms


def ceilings(passengers: pl.DataFrame, truth: pl.DataFrame, rows: pl.DataFrame) -> dict:
    """Counts and shares of the unavoidable misses among mated passengers (see above).
    `rows`: the canonical watch list (screening.data.lists), one row per listed name."""
    p = passengers.with_row_index("p").join(
        truth.select("passenger_id", "entry_id"), on="passenger_id", how="left"
    )
    forms = name_forms(p)
    p = p.with_columns(
        core=forms["core"],
        skel=forms["skeletons"],
        sorted_core=forms["sorted_core"],
        doc_folded=folded_documents(p["doc_number"].cast(pl.String)),
    )
    mated = p.filter(pl.col("entry_id").is_not_null())
    if mated.is_empty():
        return {
            "mated": 0,
            "unreachable": 0,
            "tied": 0,
            "unreachable_share": 0.0,
            "tied_share": 0.0,
        }
    lf = name_forms(rows)
    listed = rows.select("entry_id", "dob", "nationalities").with_columns(
        core=lf["core"], skel=lf["skeletons"]
    )
    docs = _list_documents(rows)
    unreachable = _unreachable(mated, listed, docs)
    tied = _tied(p, mated, rows, docs)
    n = mated.height
    return {
        "mated": n,
        "unreachable": unreachable,
        "tied": tied,
        "unreachable_share": unreachable / n,
        "tied_share": tied / n,
    }


def _tokens(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """(by..., tok) for every core token and skeleton of each row's name."""
    both = frame.select(*by, tok=pl.concat_list("core", "skel"))
    return both.explode("tok").drop_nulls("tok").filter(pl.col("tok") != "").unique()


def _unreachable(mated: pl.DataFrame, listed: pl.DataFrame, docs: pl.DataFrame) -> int:
    shared = _tokens(mated, ["p", "entry_id"]).join(
        _tokens(listed, ["entry_id"]), on=["entry_id", "tok"], how="semi"
    )
    by_doc = mated.filter(pl.col("doc_folded").str.len_chars() > 0).join(
        docs, on=["entry_id", "doc_folded"], how="semi"
    )
    born = _born(listed)
    by_birth = mated.filter(pl.col("dob").is_not_null()).join(
        born,
        left_on=["entry_id", pl.col("dob").cast(pl.Date), "nationality"],
        right_on=["entry_id", "dob", "nationality"],
        how="semi",
    )
    found = pl.concat([shared.select("p"), by_doc.select("p"), by_birth.select("p")]).unique()
    return mated.height - found.height


def _born(listed: pl.DataFrame) -> pl.DataFrame:
    """(entry_id, dob, nationality): each listed full date of birth with each nationality."""
    return (
        listed.select("entry_id", "dob", pl.col("nationalities").alias("nationality"))
        .drop_nulls("dob")
        .explode("nationality")
        .drop_nulls("nationality")
        .unique()
    )


def _list_documents(rows: pl.DataFrame) -> pl.DataFrame:
    docs = rows.select("entry_id", pl.col("documents").alias("d")).explode("d").drop_nulls("d")
    return docs.select("entry_id", doc_folded=folded_documents(docs["d"].cast(pl.String))).unique()


def _tied(p: pl.DataFrame, mated: pl.DataFrame, rows: pl.DataFrame, docs: pl.DataFrame) -> int:
    """Mated passengers an innocent with the same order-free name matches as well."""
    first_row = (
        rows.with_row_index("l").group_by("entry_id", maintain_order=True).agg(pl.col("l").first())
    )
    innocents = p.filter(pl.col("entry_id").is_null()).select("p", "sorted_core")
    rivals = (
        mated.select("p", "entry_id", "sorted_core")
        .join(innocents, on="sorted_core", suffix="_innocent")
        .join(first_row, on="entry_id")
    )
    if rivals.is_empty():
        return 0
    # The same three levels against the identity, for the listed traveller and the innocent.
    levels = {}
    listed = coded_list(rows)
    coded = coded_passengers(p, listed.vocabulary)
    for who in ("p", "p_innocent"):
        pi = rivals[who].to_numpy()
        li = rivals["l"].to_numpy()
        dob, _ = dob_evidence(coded, listed, pi, li)
        nat = nationality_evidence(coded, listed, pi, li)
        doc = (
            pl.DataFrame({"entry_id": rivals["entry_id"], "doc_folded": p["doc_folded"].gather(pi)})
            .join(docs.with_columns(hit=pl.lit(True)), on=["entry_id", "doc_folded"], how="left")
            .select(
                pl.when(pl.col("hit").fill_null(False))
                .then(Document.EXACT)
                .when(pl.col("doc_folded").str.len_chars().fill_null(0) > 0)
                .then(Document.DIFFERS)
                .otherwise(Document.MISSING)
            )
            .to_series()
            .to_numpy()
        )
        levels[who] = (dob, nat, doc)
    same = (
        (levels["p"][0] == levels["p_innocent"][0])
        & (levels["p"][1] == levels["p_innocent"][1])
        & (levels["p"][2] == levels["p_innocent"][2])
    )
    return rivals.filter(pl.Series(same))["p"].n_unique()
