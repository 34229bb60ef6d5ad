"""Companions are not hits (UNSCR 2396 paragraph 4): travellers booked with an alerted
passenger get `associate` alerts linked to the alert that caused them. They are never
watch-list hits and never change anyone's watch-list score; an analyst sees who travels
with whom, and the evaluation counts the innocents a whole-booking policy would flag.
"""

from __future__ import annotations

import polars as pl

from screening.linkage.explain import PERSON_KINDS
from screening.schema import AlertKind


def associate_alerts(alerts: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """For each watch-list alert, one `associate` alert on every other member of the
    alerted traveller's group. `groups` holds (passenger_id, record_locator, group): the
    group is the booking (PNR) or the booking on one flight (API)."""
    cause = (
        alerts.filter(pl.col("kind").is_in(PERSON_KINDS))
        .select(
            pl.col("alert_id").alias("linked_alert_id"),
            pl.col("passenger_id").alias("cause"),
            "entry_id",
            "score",
        )
        .join(groups.rename({"passenger_id": "cause"}), on="cause")
    )
    return (
        cause.join(groups.drop("record_locator"), on="group")
        .filter(pl.col("passenger_id") != pl.col("cause"))
        .with_columns(
            kind=pl.lit(AlertKind.ASSOCIATE.value),
            reason=pl.concat_str(
                [
                    pl.lit("booked with "),
                    pl.col("cause"),
                    pl.lit(" in "),
                    pl.col("record_locator"),
                    pl.lit(", who is alerted as "),
                    pl.col("entry_id"),
                    pl.lit(" (companion, not a watch-list hit)"),
                ]
            ),
        )
        .select(
            "passenger_id",
            "record_locator",
            "entry_id",
            "kind",
            "score",
            "linked_alert_id",
            "reason",
            pl.col("cause").alias("_cause"),
        )
    )
