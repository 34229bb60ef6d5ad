"""The ceiling: misses no matcher using these fields could avoid, on a hand-made world."""

from __future__ import annotations

import polars as pl

from screening.data import lists
from screening.data.intake import WATCHLIST_REQUIRED
from screening.evaluate.ceiling import ceilings

L_COLUMNS = [c for c in WATCHLIST_REQUIRED if c != "doc_issuer"]
LIST = pl.DataFrame(
    [
        ("E1", "SMITH", "JOHN", "1970-01-01", "M", "GBR", None),
        ("E2", "ALI", "MOHAMMED", "1980-05-05", "M", "EGY", None),
        ("E3", "HASSAN", "ALI", "1975-03-03", "M", "IRQ", "D1234567"),
        ("E4", "OKAFOR", "NNAMDI", "1971-02-02", "M", "NGA", None),
    ],
    schema=L_COLUMNS,
    orient="row",
).with_columns(doc_issuer=pl.lit(None, pl.String))
P_COLUMNS = ["passenger_id", "surname", "given_names", "dob", "sex", "nationality", "doc_number"]
PASSENGERS = pl.DataFrame(
    [
        ("A", "SMITH", "JOHN", "1970-01-01", "M", "GBR", None),  # E1, an innocent twin below
        ("B", "QUINTO", "XAVIER", "1980-06-06", "M", "EGY", None),  # E2: nothing in common
        ("Z", "PERRY", "QUILL", "1971-02-02", "M", "NGA", None),  # E4: by birth date only
        ("C", "ZAYED", "OMAR", "1975-03-03", "M", "IRQ", "D1234567"),  # E3: by document only
        ("D", "OKAFOR", "NAMDI", "1971-02-02", "M", "NGA", None),  # E4: a typo, reachable
        ("X", "SMITH", "JOHN", "1970-01-01", "M", "GBR", None),  # innocent, same as A
        ("Y", "OKAFOR", "NAMDI", "1990-09-09", "M", "NGA", None),  # innocent, other DOB than D
    ],
    schema=P_COLUMNS,
    orient="row",
).with_columns(pl.col("dob").str.to_date())
TRUTH = pl.DataFrame(
    {"passenger_id": list("ABZCDXY"), "entry_id": ["E1", "E2", "E4", "E3", "E4", None, None]}
)


def test_unreachable_and_tied_misses_are_counted_exactly():
    got = ceilings(PASSENGERS, TRUTH, lists.from_flat(LIST))
    assert got["mated"] == 5
    # B: no token, no skeleton, no document, no listed birth date (Z has E4's, with NGA)
    assert got["unreachable"] == 1
    assert got["tied"] == 1  # A: X presents the same evidence against E1; D's rival differs
    assert got["unreachable_share"] == 0.2 and got["tied_share"] == 0.2


def test_the_ceiling_reads_no_alerts_and_changes_with_the_truth():
    rows = lists.from_flat(LIST)
    no_one = TRUTH.with_columns(entry_id=pl.lit(None, pl.String))
    assert ceilings(PASSENGERS, no_one, rows)["mated"] == 0
    # X listed as E1 too: A and X are both mated, neither has an innocent twin left.
    both = TRUTH.with_columns(
        entry_id=pl.when(pl.col("passenger_id") == "X").then(pl.lit("E1")).otherwise("entry_id")
    )
    assert ceilings(PASSENGERS, both, rows)["tied"] == 0
