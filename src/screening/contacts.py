"""PNR contact evidence: a booking's phone or e-mail equal to one a listed identity used.

Phones compare on their digits (a leading 00 is the same as +), e-mails case-free. A
shared contact links a *booking* to an identity, not a traveller: it confirms a name
that already agrees (contact_evidence), and on its own it is an alert of its own kind,
`contact`, on the booking's lead traveller (contact_alerts), never a watch-list hit.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from screening.compare import pair_lookup
from screening.linkage.levels import Contact


def fold_phone(e: pl.Expr) -> pl.Expr:
    """Digits only, international prefix 00 dropped; numbers under 7 digits are noise."""
    digits = e.cast(pl.String).str.replace_all(r"[^0-9]", "").str.replace(r"^00", "")
    return pl.when(digits.str.len_chars() >= 7).then(digits).otherwise(None)


def fold_email(e: pl.Expr) -> pl.Expr:
    text = e.cast(pl.String).str.strip_chars().str.to_lowercase()
    return pl.when(text.str.contains(r"^[^@\s]+@[^@\s]+$")).then(text).otherwise(None)


def list_contacts(rows: pl.DataFrame, entry_code: np.ndarray) -> pl.DataFrame:
    """(code, kind, value) of every identity's known phones and e-mails, folded."""
    ids = rows.select(pl.Series("code", entry_code), "phones", "emails")
    phones = ids.select("code", pl.col("phones").alias("v")).explode("v")
    emails = ids.select("code", pl.col("emails").alias("v")).explode("v")
    return (
        pl.concat(
            [
                phones.select("code", kind=pl.lit(Contact.PHONE), value=fold_phone(pl.col("v"))),
                emails.select("code", kind=pl.lit(Contact.EMAIL), value=fold_email(pl.col("v"))),
            ]
        )
        .drop_nulls("value")
        .unique()
    )


def _booking_contacts(travellers: pl.DataFrame) -> pl.DataFrame:
    """(p, kind, value) of each traveller's booking contact, folded."""
    phone = travellers["contact_phone"] if "contact_phone" in travellers.columns else None
    email = travellers["contact_email"] if "contact_email" in travellers.columns else None
    n = travellers.height
    f = pl.DataFrame(
        {
            "p": np.arange(n, dtype=np.int64),
            "phone": phone if phone is not None else pl.Series([None] * n, dtype=pl.String),
            "email": email if email is not None else pl.Series([None] * n, dtype=pl.String),
        }
    )
    return pl.concat(
        [
            f.select("p", kind=pl.lit(Contact.PHONE), value=fold_phone(pl.col("phone"))),
            f.select("p", kind=pl.lit(Contact.EMAIL), value=fold_email(pl.col("email"))),
        ]
    ).drop_nulls("value")


def contact_evidence(
    travellers: pl.DataFrame,
    l_contacts: pl.DataFrame,
    l_entry_code: np.ndarray,
    l_has_contact: np.ndarray,
    pi: np.ndarray,
    li: np.ndarray,
) -> np.ndarray:
    """A `Contact` level per pair: does the traveller's booking contact equal one
    of the identity's? `none` when both sides have contacts and none agrees."""
    mine = _booking_contacts(travellers)
    hits = (
        mine.join(l_contacts, on=["kind", "value"])
        .group_by("p", "code")
        .agg(
            level=pl.when(pl.col("kind").n_unique() == 2)
            .then(Contact.BOTH)
            .otherwise(pl.col("kind").max())
        )
    )
    matched = pair_lookup(hits, pi, l_entry_code[li], l_entry_code)
    has_p = np.zeros(travellers.height, dtype=bool)
    has_p[mine["p"].unique().to_numpy()] = True
    unmatched = np.where(has_p[pi] & l_has_contact[li], Contact.NONE, Contact.MISSING)
    level = np.where(matched > 0, matched, unmatched)
    return level.astype(np.int8)


def contact_alerts(travellers: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """One `contact` alert per booking and identity sharing a phone or e-mail, on the
    booking's lead traveller (its first row). Columns: passenger_id, entry_id, kind,
    contact_evidence, score, reason."""
    codes = rows.select(pl.col("entry_id").rank("dense").cast(pl.Int64) - 1).to_series()
    listed = list_contacts(rows, codes.to_numpy()).join(
        pl.DataFrame({"code": codes, "entry_id": rows["entry_id"]}).unique("code"), on="code"
    )
    lead = travellers.with_row_index("p").filter(pl.int_range(pl.len()).over("record_locator") == 0)
    mine = _booking_contacts(travellers).join(lead.select(pl.col("p").cast(pl.Int64)), on="p")
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
            # A shared contact ties the booking to the identity, not any one traveller;
            # both contacts agreeing is near-certain, one of them strong.
            score=pl.when(pl.col("contact_evidence") == "both").then(0.99).otherwise(0.9),
            reason=pl.concat_str(
                [
                    pl.lit("booking "),
                    pl.col("contact_evidence").replace_strict(what),
                    pl.lit(" matches the listed identity's"),
                ]
            ),
        )
        .with_columns(kind=pl.lit("contact"))
        .select("passenger_id", "entry_id", "kind", "contact_evidence", "score", "reason")
        .sort("passenger_id", "entry_id")
    )
