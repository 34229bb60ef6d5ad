"""Contact alerts: a booking whose phone or e-mail a listed identity used is an alert of its
own kind, `contact`, on the booking's lead traveller, never a watch-list hit."""

from __future__ import annotations

import polars as pl

from screening.linkage.comparisons.contacts import booking_contacts, list_contacts
from screening.linkage.index import entry_codes
from screening.linkage.levels import (
    Contact,
)
from screening.schema import AlertKind

# A travel rule, not the matcher's model (so not in linkage.settings): a shared contact ties
# the booking to the identity, not any one traveller; both contacts agreeing is
# near-certain, one of them strong.
CONTACT_SCORES = {"both": 0.99, "one": 0.9}


def contact_alerts(travellers: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """One `contact` alert per booking and identity sharing a phone or e-mail, on the
    booking's lead traveller (its first row). Columns: passenger_id, entry_id, kind,
    contact_evidence, score, reason."""
    codes = entry_codes(rows)
    listed = list_contacts(rows, codes.to_numpy()).join(
        pl.DataFrame({"code": codes, "entry_id": rows["entry_id"]}).unique("code"), on="code"
    )
    lead = travellers.with_row_index("p").filter(pl.int_range(pl.len()).over("record_locator") == 0)
    mine = booking_contacts(travellers).join(lead.select(pl.col("p").cast(pl.Int64)), on="p")
    hits = (
        mine.join(listed, on=["kind", "value"])
        .group_by("p", "entry_id")
        .agg(pl.col("kind").unique().sort().alias("kinds"))
    )
    level = (
        pl.when(pl.col("kinds").list.len() == 2)
        .then(pl.lit("both"))
        .when(pl.col("kinds").list.first() == Contact.PHONE)
        .then(pl.lit("phone"))
        .otherwise(pl.lit("email"))
    )
    what = {"both": "phone and e-mail", "phone": "phone", "email": "e-mail"}
    return (
        hits.with_columns(contact_evidence=level)
        .with_columns(
            passenger_id=travellers["passenger_id"].gather(hits["p"]),
            score=pl.when(pl.col("contact_evidence") == "both")
            .then(CONTACT_SCORES["both"])
            .otherwise(CONTACT_SCORES["one"]),
            reason=pl.concat_str(
                [
                    pl.lit("booking "),
                    pl.col("contact_evidence").replace_strict(what),
                    pl.lit(" matches the listed identity's"),
                ]
            ),
        )
        .with_columns(kind=pl.lit(AlertKind.CONTACT.value))
        .select("passenger_id", "entry_id", "kind", "contact_evidence", "score", "reason")
        .sort("passenger_id", "entry_id")
    )
