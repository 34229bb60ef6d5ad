"""Peer matchers (Splink, nomenklatura) behind the matcher protocol: they run on a
generated scenario, return explained alerts that the evaluation reads, and are refused
with a clear message when their library is missing."""

from __future__ import annotations

import datetime as dt
import sys

import numpy as np
import polars as pl
import pytest

from screening.data.lists import from_generated
from screening.evaluate import evaluate
from screening.generate.scenario import load_scenario
from screening.generate.world import generate_world
from screening.linkage.explain import ALERT_COLUMNS
from screening.matchers import bench_matchers, get_matcher, registry


@pytest.fixture(scope="module")
def world():
    return generate_world(load_scenario("teaching"), 2)


@pytest.mark.parametrize(
    ("name", "library"),
    [
        ("splink", "splink"),
        ("nomenklatura-logic-v2", "nomenklatura"),
        ("nomenklatura-logic-v1", "nomenklatura"),
        ("nomenklatura-ofac", "nomenklatura"),
    ],
)
def test_peer_screens_and_is_evaluated(world, name, library):
    pytest.importorskip(library)
    m = get_matcher(name)
    rows = from_generated(world["watchlist"], world["watchlist_names"])
    res = m.screen(m.build(rows), world["passengers"], 0.05, 10)
    a = res.alerts
    assert dict(a.schema) == ALERT_COLUMNS and a.height > 0
    assert a["reason"].str.starts_with("name ").all()
    ev = evaluate(a, world["truth"], (0.01, 0.03))
    # A real peer finds most listed travellers at a 3 % false-alert rate on teaching data.
    assert ev.operating_points["fnir"][1] < 0.6
    # Exact copies of listed names with their passport score near the top.
    truth = world["truth"].filter(pl.col("entry_id").is_not_null())
    hits = a.join(truth.select("passenger_id", "entry_id"), on=["passenger_id", "entry_id"])
    assert hits["score"].max() > 0.8


def _with_namesakes(world, per_name: int) -> pl.DataFrame:
    """The manifest plus `per_name` innocent namesakes of every list name: random dates of
    birth, no document."""
    names = world["watchlist_names"].select("surname", "given_names")
    n = names.height * per_name
    days = np.random.default_rng(0).integers(0, 20_000, n)
    base = world["passengers"]
    namesakes = (
        base.sample(n, with_replacement=True, seed=1)
        .drop("passenger_id", "surname", "given_names", "dob")
        .with_columns(doc_number=pl.lit(None, pl.String))
        .hstack(
            pl.concat([names] * per_name).with_columns(
                passenger_id=pl.format("N{}", pl.int_range(pl.len())),
                dob=pl.lit(dt.date(1950, 1, 1)) + pl.duration(days=pl.Series(days)),
            )
        )
    )
    return pl.concat([base, namesakes.select(base.columns)])


def test_splink_learns_that_an_agreeing_birth_date_is_evidence(world):
    """EM trained on name blocks full of namesakes learned an exact date of birth as worth
    almost nothing (5.6 bits against a date a year off, on this manifest); trained first on
    pairs sharing a document, or on names where a manifest has no documents, it must count
    a full agreeing date far above a date a year off."""
    pytest.importorskip("splink")
    m = get_matcher("splink")
    index = m.build(from_generated(world["watchlist"], world["watchlist_names"]))
    no_docs = world["passengers"].with_columns(doc_number=pl.lit(None, pl.String))
    for passengers in (_with_namesakes(world, 4), no_docs):
        dob = m.screen(index, passengers, 0.05, 10).stats["splink_match_weights"]["dob"]
        assert dob["exact"] > dob["within a year"] + 8


def test_nomenklatura_scores_each_passenger_as_itself(world):
    """nomenklatura caches per entity id: every passenger must be its own entity, or later
    pairs get the first passenger's analysis (this made logic-v2 score 0 for true pairs)."""
    pytest.importorskip("nomenklatura")
    from screening.matchers.nomenklatura_peer import _entities, _score_chunk

    rows = from_generated(world["watchlist"], world["watchlist_names"])
    mated = world["truth"].filter(pl.col("entry_id").is_not_null()).head(8)
    p = world["passengers"].join(mated.select("passenger_id", "entry_id"), on="passenger_id")
    pr, er = _entities(p, rows)
    by_entry = {e[0]: e for e in er}
    pairs = [(pr[i], by_entry[p["entry_id"][i]]) for i in range(p.height)]
    together = _score_chunk("logic-v2", pairs)
    alone = [_score_chunk("logic-v2", [pair])[0] for pair in pairs]
    assert together == alone


def test_missing_peer_library_is_a_clear_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "splink", None)
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "splink" else real(n, *a)
    )
    assert "splink" not in registry()
    # The benchmark's default matchers leave out a peer that is not there.
    assert "splink" not in bench_matchers() and "default" in bench_matchers()
    with pytest.raises(ValueError, match=r"screening\[peers\]"):
        get_matcher("splink")


def test_bench_runs_the_splink_peer_beside_ours_unless_told_otherwise():
    pytest.importorskip("splink")
    assert bench_matchers()[0] == "default" and "splink" in bench_matchers()


def test_bench_skips_a_peer_too_slow_for_the_scenario_and_says_so(monkeypatch):
    pytest.importorskip("nomenklatura")
    from screening.bench import run_bench, summary_markdown
    from screening.matchers.nomenklatura_peer import NomenklaturaMatcher

    monkeypatch.setattr(NomenklaturaMatcher, "max_pairs", 10)
    bench = run_bench(["teaching"], ["default", "nomenklatura-logic-v2"], [1])
    res = bench.results
    assert res.filter(pl.col("matcher") == "default")["fnir_at_fpir_0.01"][0] is not None
    skipped = res.filter(pl.col("matcher") == "nomenklatura-logic-v2")
    assert "candidate pairs exceed its limit" in skipped["note"][0]
    assert "| teaching | nomenklatura-logic-v2 | skipped (seed 1):" in summary_markdown(res)
