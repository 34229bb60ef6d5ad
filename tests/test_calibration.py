"""The world's name statistics against their cited references: exact on a hand-made case,
and the generator's calibrated pools within tolerance of the US Census tables."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from screening.cli import app
from screening.generate import calibration
from screening.generate.names import KINDS, build_name_table


def test_statistics_on_a_hand_made_sample():
    # 60 draws: A x24, B x18, C x12, D x6.
    names = ["A"] * 24 + ["B"] * 18 + ["C"] * 12 + ["D"] * 6
    draws = pl.DataFrame({"origin": "x", "kind": "surname", "name": names})
    row = calibration.statistics(draws).row(0, named=True)
    assert row["people"] == 60
    # A top-k share needs 50 people per ranked name: the top 1 yes, the top 3 not.
    assert row["top1_share"] == 0.4 and row["top3_share"] is None
    # Pairs sharing a name: 24*23 + 18*17 + 12*11 + 6*5 = 1,020 ordered pairs of 60*59.
    assert row["p_same"] == pytest.approx(1020 / 3540)
    assert row["distinct_in_1000"] is None  # fewer than 1,000 people: not estimated


def test_distinct_counts_at_each_size():
    # 2,000 draws, all different names: 1,000 distinct among the first 1,000, 2,000 in all.
    draws = pl.DataFrame({"origin": "x", "kind": "surname", "name": [f"N{i}" for i in range(2000)]})
    row = calibration.statistics(draws).row(0, named=True)
    assert (row["distinct_in_1000"], row["distinct_in_2000"]) == (1000.0, 2000.0)
    assert row["distinct_in_4000"] is None and row["p_same"] == 0.0


def test_compare_flags_outside_tolerance():
    stats = pl.DataFrame(
        {
            "origin": ["english", "english"],
            "kind": ["surname", "nowhere"],
            "people": [8000, 8000],
            **{s: [None, None] for s in calibration.STATISTICS},
        },
        schema_overrides={s: pl.Float64 for s in calibration.STATISTICS},
    ).with_columns(
        p_same=pl.Series([0.000464057 * 1.3, 0.01]), top1_share=pl.Series([0.00913805, 0.5])
    )
    out = calibration.compare(stats).drop_nulls("world")
    got = {(r["kind"], r["statistic"]): r["ok"] for r in out.iter_rows(named=True)}
    assert got == {
        ("surname", "p_same"): False,  # 30 % over the Census figure
        ("surname", "top1_share"): True,
        ("nowhere", "p_same"): None,  # no cited reference
        ("nowhere", "top1_share"): None,
    }


def test_calibrated_pools_are_within_tolerance_of_their_references():
    """Draws from each calibrated pool reproduce every cited statistic within 20 % (100,000
    draws, so that sampling noise in a top-1 share stays a few per cent)."""
    table = build_name_table()
    refs, _ = calibration.references()
    n = 100_000
    rng = np.random.default_rng(5)
    frames = []
    for o, origin in enumerate(table.origins):
        for kind in ("surname", "given_m", "given_f"):
            if (origin.key, kind) not in refs:
                continue
            ids = table.sample(rng, np.full(n, o), KINDS.index(kind))
            frames.append(
                pl.DataFrame(
                    {
                        "origin": origin.key,
                        "kind": kind,
                        "name": table.spelling(ids, np.zeros(n, np.int32)),
                    }
                )
            )
    assert {f["origin"][0] for f in frames} == {
        "english",
        "hispanic",
        "korean",
        "chinese",
        "turkish",
        "persian",
        "french",
        "german",
        "vietnamese",
        "central_asian",
    }
    out = calibration.compare(calibration.statistics(pl.concat(frames)))
    checked = out.drop_nulls("ok")
    # English and Hispanic: 3 kinds x 8 statistics; Korean top 1 / 10 of the surnames and of
    # both kinds of given name, Chinese top 5 / 100, Turkish and Persian top 1 / 3, French
    # top 10 / 100, German top 10, Persian men top 1, Vietnamese top 1 / 3, Central Asian
    # top 1 / 10.
    assert checked.height == 2 * 3 * 8 + 3 * 2 + 2 + 2 + 2 + 2 + 1 + 1 + 2 + 2
    bad = checked.filter(~pl.col("ok")).select("origin", "kind", "statistic", "ratio")
    assert bad.is_empty(), bad


def test_describe_prints_and_writes_the_comparison(tmp_path):
    world = tmp_path / "w"
    assert (
        CliRunner()
        .invoke(app, ["generate", "-s", "teaching", "--out", str(world), "--quiet"])
        .exit_code
        == 0
    )
    out = tmp_path / "d.json"
    r = CliRunner().invoke(app, ["describe", str(world), "--json", str(out)])
    assert r.exit_code == 0, r.output
    assert "cited statistics within tolerance" in r.output and "U.S. Census Bureau" in r.output
    import json

    both = json.loads(out.read_text())
    table = pl.from_dicts(both["names"], infer_schema_length=None)
    assert set(table["origin"]) >= {"english", "hispanic", "arabic", "korean"}
    assert table.filter(pl.col("origin") == "arabic")["reference"].null_count() > 0
    shape = {r["statistic"]: r for r in both["watch_list"]}
    assert shape["dob_exact"]["reference"] == 0.5148 and shape["dob_exact"]["world"] > 0
    assert "Watch list beside the UN list's shape" in r.output


def test_list_statistics_on_a_hand_made_list():
    import datetime as dt

    rows = pl.DataFrame(
        {
            "entry_id": ["E1", "E1", "E1", "E2"],
            "surname": ["AL-HASHIMI", "HASHIMI", None, "DOE"],
            "given_names": ["ABDUL RAHMAN", "ABDUL", "ABU OMAR", "JANE"],
            "quality": ["good", "good", "low", "good"],
            "dob": [dt.date(1975, 3, 7)] * 3 + [None],
            "dob_year_from": [1975, 1975, 1975, 1980],
            "dob_year_to": [1975, 1975, 1975, 1982],
            "nationalities": [["IRQ", "SYR"]] * 3 + [[]],
            "documents": [["A1"]] * 3 + [[]],
        }
    )
    got = calibration.list_statistics(rows)
    assert got["names_per_identity"] == 2.0 and got["one_name"] == 0.5
    assert got["low_quality"] == 0.25 and got["six_or_more"] == 0.0
    assert (got["dob_exact"], got["dob_range"], got["dob_year"]) == (0.5, 0.5, 0.0)
    assert (got["no_nationality"], got["two_nationalities"], got["documents_known"]) == (
        0.5,
        0.5,
        0.5,
    )
    # Name parts: 3, 2, 2 and 2.
    assert got["tokens_per_name"] == 2.25
    table = calibration.compare_list(rows)
    assert table.filter(pl.col("statistic") == "names_per_identity")["reference"][0] == 5.887
