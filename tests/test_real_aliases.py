"""Variation classes of real aliases, and the real-alias benchmark world."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from screening.data import lists
from screening.evaluate.real_aliases import alias_world, per_class
from screening.evaluate.variation import variation_class

CASES = [
    # (primary surname, given), (alias surname, given), class
    (("AL-HASSANI", "MOHAMMED"), ("HASSANI", "MOHAMMED"), "article"),
    (("HASSANI", "MOHAMMED"), ("HASSANI", "MUHAMMAD"), "romanization"),
    (("SMITH", "JOHN"), ("JOHN", "SMITH"), "order"),
    (("ABDUL RAHMAN", "ALI"), ("ABDULRAHMAN", "ALI"), "spacing"),
    (("BIN LADEN", "USAMA"), ("IBN LADEN", "USAMA"), "bin_ibn"),
    (("QADIR", "ABDUL"), ("KADIR", "ABDEL"), "romanization"),
    (("RAHMAN", "ABDUL"), ("RAHMAN", "ABDEL"), "abd_compound"),
    (("KHAN", "OMAR ALI"), ("KHAN", "OMAR"), "partial"),
    (("KHAN", "OMAR"), ("KHAN", "OMAR FAROUK"), "added"),
    (("KHAN", "OMAR"), ("ABU HAFS", ""), "kunya"),
    (("KHAN", "OMAR"), ("KHAN", "SAID"), "shares_part"),
    (("KHAN", "OMAR"), ("LEE", "JAMES"), "unrelated"),
    (("Müller", "Jörg"), ("MULLER", "JORG"), "same"),
]


def test_each_kind_of_real_variation_gets_its_class():
    col = lambda i, j: pl.Series([c[i][j] for c in CASES])  # noqa: E731
    got = variation_class(col(0, 0), col(0, 1), col(1, 0), col(1, 1)).to_list()
    assert got == [c[2] for c in CASES]


LIST = pl.DataFrame(
    [
        ("E1", "E1-1", "HASSANI", "MOHAMMED", "good", "1970-01-01", "IRQ"),
        ("E1", "E1-2", "AL-HASSANI", "MUHAMMAD", "good", "1970-01-01", "IRQ"),
        ("E1", "E1-3", "ABU HAFS", None, "low", "1970-01-01", "IRQ"),
        ("E1", "E1-4", "حسني", "محمد", "good", "1970-01-01", "IRQ"),  # original script
        ("E2", "E2-1", "OKAFOR", "NNAMDI", "good", "1971", "NGA"),
        ("E2", "E2-2", "okafor", "nnamdi", "good", "1971", "NGA"),  # same once folded
    ],
    schema=["entry_id", "name_id", "surname", "given_names", "quality", "dob", "nationality"],
    orient="row",
)


@pytest.fixture()
def world():
    rows = lists.from_flat(LIST.drop("name_id", "quality")).with_columns(
        name_id=LIST["name_id"], quality=LIST["quality"]
    )
    innocents = pl.DataFrame(
        {
            "passenger_id": ["I1", "I2"],
            "surname": ["HASSANI", "BROWN"],
            "given_names": ["MOHAMMED", "ANNE"],
            "dob": [None, None],
            "sex": ["M", "F"],
            "nationality": ["IRQ", "GBR"],
        }
    ).with_columns(pl.col("dob").cast(pl.Date))
    truth = pl.DataFrame({"passenger_id": ["I1", "I2"], "origin": ["arabic", "english"]})
    return alias_world(rows, innocents, truth, seed=1)


def test_the_list_keeps_primary_names_and_aliases_travel(world):
    assert sorted(world.list_rows["name_id"].unique()) == ["E1-1", "E2-1"]
    listed = world.truth.filter(pl.col("entry_id").is_not_null())
    assert sorted(listed["variation"]) == ["kunya", "romanization"]  # AL- and U/O: cumulative
    assert world.dropped == {"other_script": 1, "same_as_primary": 1}
    travellers = world.passengers.join(listed, on="passenger_id")
    assert set(travellers["dob"].cast(pl.String)) == {"1970-01-01"}
    assert world.passengers.height == 4  # two aliases, two innocents


def test_fnir_per_class_on_hand_made_alerts(world):
    listed = world.truth.filter(pl.col("entry_id").is_not_null())
    caught = listed.filter(pl.col("variation") == "romanization")["passenger_id"][0]
    alerts = pl.DataFrame(
        {"passenger_id": [caught], "entry_id": ["E1"], "kind": ["watchlist"], "score": [0.8]}
    )
    got = per_class(alerts, world.truth, 0.5, "variation")
    assert dict(zip(got["variation"], got["fnir"], strict=True)) == {
        "romanization": 0.0,
        "kunya": 1.0,
    }
    assert per_class(alerts, world.truth, 0.9, "variation")["misses"].sum() == 2


REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "watchlists"


@pytest.mark.skipif(not (REAL / "un").is_dir(), reason="../shared/realdata is absent")
def test_the_un_list_gives_aliases_of_every_kind():
    from screening.data.formats.un_list import read_un_xml

    rows = read_un_xml(sorted((REAL / "un").glob("*2020*.xml"))[0])
    innocents = pl.DataFrame(schema={"passenger_id": pl.String, "surname": pl.String})
    aw = alias_world(
        rows, innocents, pl.DataFrame(schema={"passenger_id": pl.String, "origin": pl.String})
    )
    counts = dict(aw.truth.group_by("variation").len().iter_rows())
    assert aw.list_rows["entry_id"].n_unique() == 709
    assert counts["romanization"] > 100 and counts["kunya"] > 100 and counts["unrelated"] > 100


@pytest.mark.skipif(not (REAL / "un").is_dir(), reason="../shared/realdata is absent")
def test_bench_real_list_writes_fnir_per_class(tmp_path):
    from typer.testing import CliRunner

    from screening.cli import app

    xml = sorted((REAL / "un").glob("*2020*.xml"))[0]
    args = ["bench", "--real-list", str(xml), "--matchers", "default,exact"]
    r = CliRunner().invoke(app, [*args, "--scenarios", "teaching", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    results = pl.read_csv(tmp_path / "real_list.csv")
    assert results["matcher"].to_list() == ["default", "exact"]
    # A real list among generated travellers: too few namesakes to learn weights from.
    assert results["weights"].to_list() == ["hand-set", None]
    assert (results["alias_travellers"] > 1000).all()
    classes = pl.read_csv(tmp_path / "real_list_classes.csv")
    romanized = classes.filter(
        (pl.col("class") == "romanization") & (pl.col("fpir_target") == 0.01)
    )
    # Exact matching finds almost no respelled alias; ours finds most.
    fnir = dict(zip(romanized["matcher"], romanized["fnir"], strict=True))
    assert fnir["exact"] > 0.9 and fnir["default"] < 0.2
