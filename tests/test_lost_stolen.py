"""Lost/stolen document checks on hand-made lists."""

from __future__ import annotations

import itertools

import polars as pl

from screening.travel.documents import lost_stolen_alerts, prepare_lost_stolen


def test_a_number_listed_by_several_issuers_reports_the_same_record_in_any_list_order():
    """Two records tie (same number, neither the traveller's issuer): the alert names the
    same one however the list is ordered or split, as a run in partitions must."""
    passengers = pl.DataFrame(
        {"passenger_id": ["P1", "P2"], "doc_number": ["I74317961", "X1234567"]}
    ).with_columns(doc_issuer=pl.lit("FRA"))
    records = [
        ("I74317961", "ETH", "lost"),
        ("I74317961", "EGY", "stolen"),
        ("Z9999999", "FRA", "lost"),
    ]
    reasons = set()
    for order in itertools.permutations(records):
        sltd = pl.DataFrame(order, schema=["doc_number", "doc_issuer", "status"], orient="row")
        for listed in (
            sltd,
            prepare_lost_stolen(sltd),
            pl.concat([sltd[:1], sltd[1:]], rechunk=False),
        ):
            alerts = lost_stolen_alerts(passengers, listed)
            assert alerts["passenger_id"].to_list() == ["P1"]
            reasons.add(alerts["reason"].item())
    assert reasons == {"document I74317961 on lost/stolen list as I74317961 (stolen, issuer EGY)"}
