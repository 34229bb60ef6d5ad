"""Exact metric values on tiny hand-made cases."""

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.evaluate import evaluate, operating_point, wilson

TRUTH = pl.DataFrame(
    {
        "passenger_id": ["P1", "P2", "P3", "P4", "P5", "P6"],
        "entry_id": ["E1", "E2", None, None, None, None],
        "origin": ["arabic", "english", "arabic", "english", "arabic", "english"],
        "corruptions": [["typo"], ["translit", "swap"], [], [], [], []],
        "doc_lost_stolen": [False, False, True, False, False, False],
        "mrz_invalid": [False, False, False, False, False, True],
    }
)
ALERTS = pl.DataFrame(
    {
        "passenger_id": ["P1", "P2", "P2", "P3", "P4", "P3", "P1"],
        "entry_id": ["E1", "E9", "E2", "E1", "E5", None, None],
        "kind": [
            "watchlist",
            "watchlist",
            "watchlist",
            "watchlist_document",
            "watchlist",
            "document_lost_stolen",
            "document_invalid",
        ],
        "score": [0.9, 0.8, 0.3, 0.7, 0.2, 1.0, 1.0],
    }
)


def test_rates_at_a_threshold():
    ev = evaluate(ALERTS, TRUTH, targets=(0.25,))
    row = ev.curve.filter(pl.col("threshold") == 0.7).row(0, named=True)
    # P1 hit, P2's identity only at 0.3: FNIR 1/2. P3 alerted among 4 non-mated: FPIR 1/4.
    # False alerts: P3, and P2 (alerted on a wrong identity only): 2 per 6 passengers.
    assert row["fnir"] == 0.5 and row["fpir"] == 0.25
    assert row["false_alerts_per_1000"] == pytest.approx(1000 * 2 / 6)
    assert row["precision"] == pytest.approx(1 / 3)


def test_operating_points():
    ev = evaluate(ALERTS, TRUTH, targets=(0.25, 0.0))
    ops = ev.operating_points.rows(named=True)
    # One false alert allowed among 4: just above P4's 0.2 -> P2's 0.3 is now a hit.
    assert ops[0]["threshold"] == pytest.approx(np.nextafter(0.2, 1))
    assert (ops[0]["fnir"], ops[0]["fpir"]) == (0.0, 0.25)
    # None allowed: just above P3's 0.7 -> P2 missed.
    assert (ops[1]["fnir"], ops[1]["fpir"]) == (0.5, 0.0)
    # Precision at 8 per million: 8e-6 * 1 / (8e-6 * 1 + (1 - 8e-6) * 0.25).
    assert ops[0]["precision_at_base_rate"] == pytest.approx(8e-6 / (8e-6 + (1 - 8e-6) * 0.25))


def test_breakdowns_and_documents():
    ev = evaluate(ALERTS, TRUTH, targets=(0.0,))
    c = dict(ev.by_corruption.select("corruption", "fnir").iter_rows())
    assert c == {"translit": 1.0, "swap": 1.0, "typo": 0.0}
    o = {r["origin"]: r for r in ev.by_origin.rows(named=True)}
    assert (o["arabic"]["mated"], o["arabic"]["misses"], o["arabic"]["false_alerts"]) == (1, 0, 0)
    assert o["english"]["fnir"] == 1.0 and o["english"]["non_mated"] == 2
    d = {r["check"]: r for r in ev.documents.rows(named=True)}
    assert (
        d["document_lost_stolen"]["detected"] == 1
        and d["document_lost_stolen"]["other_alerts"] == 0
    )
    assert d["document_invalid"]["detected"] == 0 and d["document_invalid"]["other_alerts"] == 1


def test_absent_passengers_count_as_not_alerted():
    ev = evaluate(ALERTS.filter(pl.col("passenger_id") != "P1"), TRUTH, targets=(0.25,))
    assert ev.operating_points["fnir"][0] == 0.5  # P1 is now a miss


def test_operating_point_edge_cases():
    assert operating_point(np.array([np.nan, np.nan]), 0.001) == 0.0
    # Binary scores: every non-mated alert at 1.0 -> only "above 1.0" meets a small target.
    assert operating_point(np.array([1.0, 1.0, np.nan, np.nan]), 0.001) > 1.0


def test_wilson_interval():
    lo, hi = wilson(np.array([0, 5]), np.array([10, 10]))
    assert lo[0] == 0.0 and hi[0] == pytest.approx(0.2775, abs=1e-4)
    assert lo[1] == pytest.approx(0.2366, abs=1e-4) and hi[1] == pytest.approx(0.7634, abs=1e-4)
    assert all(math.isnan(x) for x in wilson(np.array([0]), np.array([0]))[0])


def test_pair_completeness_and_reduction_ratio():
    pairs = pl.DataFrame({"passenger_id": ["P1", "P1", "P3"], "entry_id": ["E1", "E2", "E1"]})
    ev = evaluate(ALERTS, TRUTH, targets=(0.25,), candidate_pairs=pairs, list_size=2)
    # P1's identity is among its candidates, P2's is not; 3 pairs of 6 x 2 possible.
    assert ev.blocking["pair_completeness"] == 0.5
    assert ev.blocking["candidate_pairs"] == 3
    assert ev.blocking["reduction_ratio"] == 0.75


def test_demographic_differential_leaves_out_small_groups():
    """Origins with fewer than 30 non-mated travellers do not enter the max/min ratio."""
    sizes = {"big_a": (40, 4), "big_b": (40, 1), "small": (10, 5)}  # (non-mated, flagged)
    ids, origins, flagged = [], [], []
    for origin, (n, k) in sizes.items():
        for i in range(n):
            ids.append(f"{origin}{i}")
            origins.append(origin)
            flagged.append(i < k)
    truth = pl.DataFrame(
        {
            "passenger_id": ["M1", *ids],
            "entry_id": ["E1", *[None] * len(ids)],
            "origin": ["big_a", *origins],
            "corruptions": [[], *[[] for _ in ids]],
        }
    )
    alerted = [p for p, f in zip(ids, flagged, strict=True) if f]
    alerts = pl.DataFrame(
        {
            "passenger_id": ["M1", *alerted],
            "entry_id": ["E1", *["E9"] * len(alerted)],
            "kind": ["watchlist"] * (1 + len(alerted)),
            "score": [0.9] * (1 + len(alerted)),
        }
    )
    ev = evaluate(alerts, truth, targets=(1.0,))
    fpir = ev.differential["fpir"]
    assert ev.differential["min_group_size"] == 30
    # big_a 4/40 = 0.1, big_b 1/40 = 0.025; small (5/10 = 0.5) is left out.
    assert (fpir["max"], fpir["min"]) == (0.1, 0.025)
    assert fpir["max_over_min"] == pytest.approx(4.0)
    o = {r["origin"]: r["fpir"] for r in ev.by_origin.rows(named=True)}
    assert o["small"] == 0.5  # still reported per origin
    # No origin has 30 mated travellers: no FNIR ratio at all.
    assert ev.differential["fnir"]["max_over_min"] is None


def test_false_alerts_split_between_namesakes_of_listed_names_and_the_others():
    """Per origin: how many innocents carry a listed name, and the FPIR among them and
    among the others (the spread a matcher adds beyond the list's namesakes)."""
    truth = TRUTH.with_columns(origin=pl.lit("korean"))
    names = pl.DataFrame({"passenger_id": ["P1", "P2", "P3", "P4", "P5", "P6"]}).with_columns(
        namesake=pl.Series([True, False, True, True, False, False])
    )
    ev = evaluate(ALERTS, truth, targets=(0.5,), namesakes=names)
    row = ev.by_origin.row(0, named=True)
    # Innocents P3-P6; P3 and P4 carry a listed name. A 0.5 target allows two of four, so
    # the threshold falls to the lowest score (0.2): P3 (0.7) and P4 (0.2) are flagged,
    # P5 and P6 have no alert.
    assert ev.operating_points["threshold"][0] == pytest.approx(0.2, abs=1e-9)
    assert row["namesakes"] == 2 and row["namesake_share"] == 0.5
    assert row["fpir_namesakes"] == 1.0 and row["fpir_others"] == 0.0
    assert row["fpir"] == 0.5
    assert "fpir_others" in ev.differential


def test_namesakes_are_travellers_carrying_a_listed_name_in_any_order():
    from screening.evaluate.namesakes import namesakes

    passengers = pl.DataFrame(
        {
            "passenger_id": ["P1", "P2", "P3", "P4"],
            "surname": ["Kim", "Kim", "", "Lee"],
            "given_names": ["Seong Min", "Seongjin", "", "Min Seong"],
        }
    )
    rows = pl.DataFrame({"surname": ["MIN", ""], "given_names": ["SEONG KIM", ""]})
    got = namesakes(passengers, rows)
    assert got["namesake"].to_list() == [True, False, False, False]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.booleans(),
            st.one_of(st.none(), st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])),
            st.one_of(st.none(), st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_the_curve_at_once_equals_the_rates_one_threshold_at_a_time(rows):
    """The DET curve by binary search gives exactly what _rates gives at each threshold,
    ties and travellers without any alert included."""
    from screening.evaluate.metrics import _curve, _rates

    sc = pl.DataFrame(
        rows, schema={"mated": pl.Boolean, "hit": pl.Float64, "wrong": pl.Float64}, orient="row"
    )
    grid = np.array([0.0, 0.1, 0.25, 0.5, 0.6, 0.75, 1.0, 1.2])
    one_by_one = pl.DataFrame([_rates(sc, float(t), sc.height + 3) for t in grid])
    assert _curve(sc, grid, sc.height + 3).equals(one_by_one)


def test_fnir_apart_where_the_list_gives_a_full_date_of_birth():
    # P2's identity is listed with a birth year only: at the 0.25 point (threshold just
    # above 0.2) both are hits; with no false alert allowed (above 0.7) P2 is missed.
    truth = TRUTH.with_columns(
        corruptions=pl.Series([["typo"], ["dob_partial", "swap"], [], [], [], []])
    )
    ev = evaluate(ALERTS, truth, targets=(0.25, 0.0))
    got = {(r["fpir_target"], r["list_dob"]): r for r in ev.by_list_dob.to_dicts()}
    assert {k: (r["mated"], r["misses"]) for k, r in got.items()} == {
        (0.0, "full"): (1, 0),
        (0.0, "partial"): (1, 1),
        (0.25, "full"): (1, 0),
        (0.25, "partial"): (1, 0),
    }
    assert got[(0.0, "partial")]["fnir"] == 1.0
    assert ev.fnir_by_list_dob(0.0) == {"full": 0.0, "partial": 1.0}
    # Without the tag (a real list's aliases) there is nothing to tell apart.
    assert evaluate(ALERTS, TRUTH, targets=(0.25,)).by_list_dob.is_empty()
