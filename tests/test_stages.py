"""PNR, API and PNR-then-API screening on tiny hand-made bookings: hits, associates,
contact alerts, links and the states to notify."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from screening.data.lists import from_flat
from screening.evaluate.stages import evaluate_stages, link_accuracy
from screening.matchers import get_matcher
from screening.travel.notify import airport_state, state_code
from screening.travel.reconcile import LinkConfig, link_bookings
from screening.travel.stages import OUTPUT_COLUMNS, StageData, run_stages

D = dt.date

WATCHLIST = from_flat(
    pl.DataFrame(
        {
            "entry_id": ["E1", "E2"],
            "surname": ["KHALIDOV", "BENSALEM"],
            "given_names": ["RUSLAN", "KARIM"],
            "dob": ["1970-05-05", "1981-02-03"],
            "sex": ["M", "M"],
            "nationality": ["RUS", "FRA;DZA"],
            "phone": ["+7 900 111 2233", None],
            "email": ["r.k@example.org", None],
        }
    )
)

FLIGHTS = pl.DataFrame(
    {
        "flight_id": ["F1", "F2", "F3", "F4"],
        "carrier": ["XA"] * 4,
        "flight_number": ["1", "2", "3", "4"],
        "origin": ["LHR", "CDG", "DXB", "SIN"],
        "destination": ["IST", "DXB", "SIN", "SYD"],
        "departure": [dt.datetime(2026, 3, 1, h) for h in (8, 6, 14, 23)],
        "arrival": [dt.datetime(2026, 3, 1, h) for h in (12, 13, 22, 23)],
    }
)

BOOKINGS = pl.DataFrame(
    {
        "record_locator": ["AAA111", "BBB222", "CCC333", "DDD444"],
        "booking_date": [D(2026, 2, 1)] * 4,
        "contact_phone": ["+44 20 7946 0000", "00 7 900 111 2233", "+33 1 44 00 00 00", None],
        "contact_email": ["family@example.com", None, None, None],
        "flight_ids": [["F1"], ["F1"], ["F2", "F3", "F4"], ["F1"]],
    }
)

# (booking passenger, locator, surname as typed, given, SSR DOCS dob, doc, nationality)
BOOKED = [
    ("BP1", "AAA111", "KHALIDOV", "RUSLAN", D(1970, 5, 5), None, None),
    ("BP2", "AAA111", "KALIDOVA", "AMINA", None, None, None),  # typed without the H
    ("BP3", "AAA111", "KHALIDOV", "TIMUR", None, None, None),
    ("BP4", "AAA111", "KHALIDOVA", "LEILA", None, None, None),
    ("BP5", "BBB222", "SMITH", "JOHN", D(1980, 1, 1), None, None),
    ("BP6", "CCC333", "BENSALEM", "KARIM", None, "DZ1234567", "DZA"),
    ("BP7", "DDD444", "SMITH", "JOHN", None, None, None),
]
BOOKING_PASSENGERS = pl.DataFrame(
    BOOKED,
    schema={
        "booking_passenger_id": pl.String,
        "record_locator": pl.String,
        "surname": pl.String,
        "given_names": pl.String,
        "dob": pl.Date,
        "doc_number": pl.String,
        "nationality": pl.String,
    },
    orient="row",
)

# (passenger, flight, surname, given, dob, nationality, doc, residence)
ON_BOARD = [
    ("P1", "F1", "KHALIDOV", "RUSLAN", D(1970, 5, 5), "RUS", "RU1111111", "RUS"),
    ("P2", "F1", "KHALIDOVA", "AMINA", D(1974, 8, 9), "RUS", "RU2222222", "RUS"),
    ("P3", "F1", "KHALIDOV", "TIMUR", D(2004, 1, 2), "RUS", "RU3333333", "RUS"),
    ("P4", "F1", "KHALIDOVA", "LEILA", D(2008, 3, 4), "RUS", "RU4444444", "RUS"),
    ("P5", "F1", "SMITH", "JOHN", D(1990, 9, 9), "GBR", "GB5555555", "GBR"),
    ("P6", "F1", "SMITH", "JOHN", D(1980, 1, 1), "GBR", "GB6666666", "GBR"),
    ("P7", "F2", "BENSALEM", "KARIM", D(1981, 2, 3), "FRA", "FR7777777", "BEL"),
    ("P8", "F3", "BENSALEM", "KARIM", D(1981, 2, 3), "FRA", "FR7777777", "BEL"),
    ("P9", "F4", "BENSALEM", "KARIM", D(1981, 2, 3), "FRA", "FR7777777", "BEL"),
]
PASSENGERS = pl.DataFrame(
    [
        (
            *r[:7],
            "P",
            r[6][:2].replace("GB", "GBR").replace("RU", "RUS").replace("FR", "FRA"),
            D(2031, 1, 1),
            r[7],
            None,
        )
        for r in ON_BOARD
    ],
    schema={
        "passenger_id": pl.String,
        "flight_id": pl.String,
        "surname": pl.String,
        "given_names": pl.String,
        "dob": pl.Date,
        "nationality": pl.String,
        "doc_number": pl.String,
        "doc_type": pl.String,
        "doc_issuer": pl.String,
        "doc_expiry": pl.Date,
        "residence_country": pl.String,
        "mrz": pl.String,
    },
    orient="row",
).with_columns(sex=pl.lit("M"))

TRUE_LINKS = {
    "P1": "BP1",
    "P2": "BP2",
    "P3": "BP3",
    "P4": "BP4",
    "P5": "BP7",
    "P6": "BP5",
    "P7": "BP6",
    "P8": "BP6",
    "P9": "BP6",
}


def _run(stages=("pnr", "api", "pnr+api"), bookings=True):
    m = get_matcher("default")
    data = StageData(
        passengers=PASSENGERS,
        flights=FLIGHTS,
        bookings=BOOKINGS if bookings else None,
        booking_passengers=BOOKING_PASSENGERS if bookings else None,
        as_of=D(2026, 3, 1),
    )
    return run_stages(m, m.build(WATCHLIST), WATCHLIST, data, stages)


@pytest.fixture(scope="module")
def run():
    return _run()


def _stage(run, stage):
    return run.alerts.filter(pl.col("stage") == stage)


def test_links_follow_spelling_dob_and_document(run):
    got = dict(zip(run.links["passenger_id"], run.links["booking_passenger_id"], strict=True))
    # KALIDOVA (typed) links to KHALIDOVA; the two JOHN SMITHs on F1 are told apart by
    # the DOB in BP5's SSR DOCS; the three-leg booking links once per leg.
    assert got == TRUE_LINKS
    truth = pl.DataFrame(
        {"passenger_id": list(TRUE_LINKS), "booking_passenger_id": list(TRUE_LINKS.values())}
    )
    assert link_accuracy(run.links, truth)["accuracy"] == 1.0


def test_exact_name_linking_loses_the_typed_variant():
    links = link_bookings(
        PASSENGERS, BOOKINGS, BOOKING_PASSENGERS, LinkConfig(exact_names_only=True)
    )
    assert "P2" not in set(links["passenger_id"])


@pytest.mark.parametrize("stage", ["pnr", "api", "pnr+api"])
def test_family_of_four_one_hit_three_associates(run, stage):
    a = _stage(run, stage)
    family = {"pnr": ["BP1", "BP2", "BP3", "BP4"], "api": ["P1", "P2", "P3", "P4"]}
    ids = family["pnr" if stage == "pnr" else "api"]
    fam = a.filter(pl.col("passenger_id").is_in(ids))
    hits = fam.filter(pl.col("kind").is_in(["watchlist", "watchlist_document"]))
    assert hits.select("passenger_id", "entry_id").rows() == [(ids[0], "E1")]
    assoc = fam.filter(pl.col("kind") == "associate").sort("passenger_id")
    assert assoc["passenger_id"].to_list() == ids[1:]
    assert set(assoc["linked_alert_id"]) == {hits["alert_id"][0]}
    assert (assoc["score"] == hits["score"][0]).all()


def test_companions_never_change_watch_list_scores():
    with_bookings = _stage(_run(("api",)), "api")
    without = _stage(_run(("api",), bookings=False), "api")
    person = pl.col("kind").is_in(["watchlist", "watchlist_document"])
    cols = ["passenger_id", "entry_id", "score"]
    assert with_bookings.filter(person).select(cols).equals(without.filter(person).select(cols))
    assert without.filter(pl.col("kind") == "associate").is_empty()


def test_listed_phone_in_an_unrelated_booking_is_one_contact_alert(run):
    pnr = _stage(run, "pnr")
    contact = pnr.filter(pl.col("kind") == "contact")
    assert contact.select("passenger_id", "entry_id", "contact_evidence").rows() == [
        ("BP5", "E1", "phone")
    ]
    # The booker's name is nothing like the identity's: no watch-list alert for it.
    smith = pnr.filter(pl.col("passenger_id") == "BP5")
    assert set(smith["kind"]) == {"contact"}
    # PNR then API: the contact alert follows the booking to the linked manifest row.
    both = _stage(run, "pnr+api").filter(pl.col("kind") == "contact")
    assert both["passenger_id"].to_list() == ["P6"]
    assert both["linked_alert_id"].to_list() == contact["alert_id"].to_list()


def test_dual_national_on_three_legs_notification_set(run):
    a = _stage(run, "pnr+api").filter(
        (pl.col("passenger_id") == "P7")
        & (pl.col("kind") == "watchlist_document").not_()
        & (pl.col("entry_id") == "E2")
    )
    assert a.height == 1
    notes = run.notifications.filter(pl.col("alert_id") == a["alert_id"][0])
    assert sorted(notes.select("state", "role").rows()) == [
        ("ARE", "transit"),
        ("AUS", "destination"),
        ("BEL", "residence"),
        ("DZA", "nationality"),  # the passport in the booking's SSR DOCS, and the list
        ("FRA", "nationality+departure"),
        ("SGP", "transit"),
    ]
    assert a["notify"][0] == "ARE;AUS;BEL;DZA;FRA;SGP"
    # The traveller's own link to a state outranks the list's.
    assert set(notes["source"]) == {"traveller"}


def test_api_alone_notifies_its_own_leg_only():
    a = _stage(_run(("api",), bookings=False), "api")
    p8 = a.filter((pl.col("passenger_id") == "P8") & (pl.col("entry_id") == "E2"))
    # Without the booking, P8 is a DXB-SIN traveller: the list adds DZA, not the itinerary.
    assert p8["notify"].to_list() == ["ARE;BEL;DZA;FRA;SGP"]


def test_alert_ids_unique_and_columns(run):
    assert dict(run.alerts.schema) == OUTPUT_COLUMNS
    assert run.alerts["alert_id"].n_unique() == run.alerts.height


def test_alerts_with_equal_ids_are_numbered_and_others_left_alone():
    from screening.travel.stages import _conform

    def ids(rows):
        frame = pl.DataFrame(rows, schema=["passenger_id", "kind", "entry_id"], orient="row")
        return _conform(frame, "api")["alert_id"].to_list()

    assert ids([("P1", "watchlist", "E1"), ("P1", "watchlist", "E2")]) == [
        "api:P1:watchlist:E1",
        "api:P1:watchlist:E2",
    ]
    assert ids(
        [("P1", "watchlist", "E1"), ("P2", "associate", None), ("P1", "watchlist", "E1")]
    ) == [
        "api:P1:watchlist:E1",
        "api:P2:associate:",
        "api:P1:watchlist:E1#2",
    ]


def test_state_codes_and_airports():
    f = pl.DataFrame(
        {"c": ["D", "gbd", "UNO", "XXA", "FRA", ""], "a": ["FRA", "lhr", "XXX", None, "SYD", "JFK"]}
    )
    out = f.select(state_code(pl.col("c")).alias("c"), airport_state(pl.col("a")).alias("a"))
    assert out["c"].to_list() == ["DEU", "GBR", None, None, "FRA", None]
    assert out["a"].to_list() == ["DEU", "GBR", None, None, "AUS", "USA"]


def test_stage_evaluation_on_the_tiny_world(run):
    truth = pl.DataFrame(
        {
            "passenger_id": [f"P{i}" for i in range(1, 10)],
            "booking_passenger_id": [TRUE_LINKS[f"P{i}"] for i in range(1, 10)],
            "record_locator": ["AAA111"] * 4 + ["DDD444", "BBB222"] + ["CCC333"] * 3,
            "entry_id": ["E1", None, None, None, None, None, "E2", "E2", "E2"],
            "role": ["listed", "family", "family", "family", "ordinary", "ordinary"]
            + ["listed"] * 3,
            "origin": ["ru"] * 4 + ["en"] * 2 + ["ar"] * 3,
            "corruptions": [[]] * 9,
            "contact_from_list": [False] * 9,
        }
    )
    ev = evaluate_stages(run.alerts, truth, run.links, PASSENGERS, threshold=0.5)
    api = ev.associates.filter(pl.col("stage") == "api").row(0, named=True)
    # A whole-booking policy would call the three family members hits; associates do not.
    assert api["whole_booking_false_hits"] == 3
    assert api["whole_booking_false_hits_family"] == 3
    assert api["associate_policy_false_hits"] == 0
    summary = {r["stage"]: r for r in ev.summary.iter_rows(named=True)}
    assert summary["api"]["fnir_at_threshold"] == 0.0
    assert summary["pnr"]["subjects"] == 7 and summary["api"]["subjects"] == 9
    assert ev.links["accuracy"] == 1.0


def test_names_alone_still_rank_the_right_identity_first():
    from screening.travel.stages import pnr_travellers

    m = get_matcher("default")
    no_dob = BOOKING_PASSENGERS.with_columns(dob=pl.lit(None, pl.Date))
    a = m.screen(m.build(WATCHLIST), pnr_travellers(BOOKINGS, no_dob), 0.0, 5).alerts
    assert set(a["dob_evidence"]) == {"missing"}
    best = a.sort("score", descending=True).unique("entry_id", keep="first")
    assert dict(best.select("entry_id", "passenger_id").rows()) == {"E1": "BP1", "E2": "BP6"}


def test_cli_all_stages_notifications_links_and_evaluate(tmp_path):
    from typer.testing import CliRunner

    from screening.cli import app

    runner = CliRunner()
    world = tmp_path / "world"
    assert (
        runner.invoke(app, ["generate", "-s", "teaching", "-o", str(world), "--quiet"]).exit_code
        == 0
    )
    alerts, notes, links = tmp_path / "a.parquet", tmp_path / "n.csv", tmp_path / "l.parquet"
    r = runner.invoke(
        app,
        [
            "screen",
            str(world),
            "--stage",
            "all",
            "--out",
            str(alerts),
            "--notifications",
            str(notes),
            "--links",
            str(links),
        ],
    )
    assert r.exit_code == 0, r.output
    a = pl.read_parquet(alerts)
    assert set(a["stage"]) == {"pnr", "api", "pnr+api"}
    assert {"associate", "contact"} <= set(a["kind"])
    n = pl.read_csv(notes)
    # Every notification belongs to an alert; every alert on a traveller has a state.
    assert set(n["alert_id"]) <= set(a["alert_id"])
    assert set(n["role"].str.split("+").explode()) <= {
        "nationality",
        "residence",
        "departure",
        "transit",
        "destination",
    }
    r = runner.invoke(
        app,
        [
            "evaluate",
            str(alerts),
            "--truth",
            str(world),
            "--links",
            str(links),
            "--json",
            str(tmp_path / "e.json"),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "PNR alerts (score >= 0.5) after API evidence" in r.output
    import json

    ev = json.loads((tmp_path / "e.json").read_text())
    assert [s["stage"] for s in ev["summary"]] == ["pnr", "api", "pnr+api"]
    assert ev["links"]["accuracy"] > 0.95

    r = runner.invoke(
        app,
        ["screen", str(world / "passengers.parquet"), "--stage", "pnr", "--watchlist", str(world)],
    )
    assert r.exit_code == 2 and "bookings" in r.output


def test_pnr_then_api_needs_flights_and_warns_when_nothing_links(tmp_path):
    from typer.testing import CliRunner

    from screening.cli import app

    runner = CliRunner()
    world = tmp_path / "world"
    assert (
        runner.invoke(app, ["generate", "-s", "teaching", "-o", str(world), "--quiet"]).exit_code
        == 0
    )
    no_flight = tmp_path / "m.csv"
    no_flight.write_text(
        "passenger_id,surname,given_names,dob,sex,nationality,doc_type,doc_number,doc_issuer,"
        "doc_expiry\nP1,SMITH,JOHN,1970-01-01,M,GBR,P,X1234567,GBR,2030-01-01\n"
    )
    args = ["--watchlist", str(world), "--bookings", str(world), "--stage", "all"]
    r = runner.invoke(app, ["screen", str(no_flight), *args])
    assert r.exit_code == 2 and "no flight_id column" in r.output
    other_flight = tmp_path / "m2.csv"
    other_flight.write_text(
        "passenger_id,flight_id,surname,given_names,dob,sex,nationality,doc_type,doc_number,"
        "doc_issuer,doc_expiry\nP1,ZZ999,SMITH,JOHN,1970-01-01,M,GBR,P,X1234567,GBR,2030-01-01\n"
    )
    r = runner.invoke(app, ["screen", str(other_flight), *args])
    assert r.exit_code == 0 and "no booking passenger was linked" in r.output


@pytest.fixture(scope="module")
def teaching_runs(teaching, tmp_path_factory):
    """The teaching world's three stages in one chunk, in chunks of 97 travellers (most
    bookings split across chunks), and spooled to files."""
    from dataclasses import replace

    from screening.data import lists
    from screening.linkage.settings import AlertConfig, Settings
    from screening.travel.output import Spooled

    rows = lists.from_generated(teaching["watchlist"], teaching["watchlist_names"])
    data = StageData.from_world(teaching)
    small = replace(Settings(), alerts=AlertConfig(chunk_passengers=97))
    out = {}
    for name, settings in (("whole", Settings()), ("chunked", small)):
        m = get_matcher("default", settings)
        out[name] = run_stages(m, m.build(rows), rows, data, threshold=0.0)
    folder = tmp_path_factory.mktemp("spool")
    sink = Spooled(folder)
    m = get_matcher("default", small)
    out["spooled"] = run_stages(m, m.build(rows), rows, data, threshold=0.0, sink=sink)
    out["sink"] = sink
    return out


def test_chunked_stages_give_the_alerts_and_notifications_of_one_pass(teaching, teaching_runs):
    whole, chunked = teaching_runs["whole"], teaching_runs["chunked"]
    assert teaching["passengers"].height > 10 * 97
    kinds = set(whole.alerts["kind"])
    assert {"associate", "watchlist"} <= kinds  # companions of alerted travellers
    # Document checks are worked out for the whole manifest and handed to each chunk.
    assert {"document_invalid", "document_lost_stolen"} <= kinds
    assert set(whole.alerts["stage"]) == {"pnr", "api", "pnr+api"}
    assert chunked.alerts.equals(whole.alerts)
    assert chunked.notifications.equals(whole.notifications)
    for stage, pairs in whole.pairs.items():
        assert chunked.pairs[stage].sort(pl.all()).equals(pairs.sort(pl.all()))


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_spooled_output_is_the_run_sorted_into_files(teaching_runs, tmp_path, suffix):
    """A spooled run holds no alerts; its files are those of the held run, kinds counted."""
    whole, spooled, sink = teaching_runs["whole"], teaching_runs["spooled"], teaching_runs["sink"]
    assert spooled.alerts.is_empty() and spooled.notifications.is_empty()
    assert dict(sink.kinds) == dict(whole.alerts["kind"].value_counts().iter_rows())
    alerts, notes = tmp_path / f"a{suffix}", tmp_path / f"n{suffix}"
    sink.write(alerts, notes)
    if suffix == ".parquet":
        got, got_notes = pl.read_parquet(alerts), pl.read_parquet(notes)
        assert got.equals(whole.alerts) and got_notes.equals(whole.notifications)
    else:
        got = pl.read_csv(alerts, schema=OUTPUT_COLUMNS)
        assert got.height == whole.alerts.height
        assert got["alert_id"].equals(whole.alerts["alert_id"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alerts.name, notes.name])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_chunked_run_appended_to_its_file_as_it_goes_is_the_merged_file(
    teaching, teaching_runs, tmp_path, suffix
):
    """Three stages in chunks of 97 travellers, bookings across chunks: the file a sink
    appends to as the chunks come (falling back to merging where they do not follow) is
    the file of the sink that merges."""
    from dataclasses import replace

    from screening.data import lists
    from screening.linkage.settings import AlertConfig, Settings
    from screening.travel.output import Spooled

    merged = tmp_path / f"merged{suffix}"
    teaching_runs["sink"].write(merged)
    rows = lists.from_generated(teaching["watchlist"], teaching["watchlist_names"])
    m = get_matcher("default", replace(Settings(), alerts=AlertConfig(chunk_passengers=97)))
    (tmp_path / "spool").mkdir()
    out = tmp_path / f"direct{suffix}"
    sink = Spooled(tmp_path / "spool", direct=out)
    run_stages(m, m.build(rows), rows, StageData.from_world(teaching), threshold=0.0, sink=sink)
    sink.write(out)
    if suffix == ".csv":
        assert out.read_bytes() == merged.read_bytes()
    else:
        assert pl.read_parquet(out).equals(pl.read_parquet(merged))


def test_notify_column_lists_the_states_of_the_alerts_records(teaching_runs):
    """The notify column (from each traveller's and identity's states) and the records
    (alert by alert) are worked out apart: they name the same states, "" for none."""
    whole = teaching_runs["whole"]
    joined = whole.notifications.group_by("alert_id").agg(
        pl.col("state").sort().str.join(";").alias("expected")
    )
    got = whole.alerts.join(joined, on="alert_id", how="left").with_columns(
        pl.col("expected").fill_null("")
    )
    assert got.height > 1000
    assert got["notify"].equals(got["expected"], check_names=False)


def test_notify_joins_the_travellers_and_the_identitys_states():
    """The identity's nationalities count for alerts that name it as the traveller
    (not for an associate); a traveller and identity with no state notify no one."""
    from screening.travel.notify import identity_states, notified, traveller_roles

    states = pl.DataFrame(
        {
            "passenger_id": ["P1", "P1", "P1", "P2"],
            "state": ["FRA", "ARE", "FRA", "BEL"],
            "role": ["nationality", "transit", "departure", "residence"],
        }
    )
    listed = pl.DataFrame(
        {"entry_id": ["E1", "E2"], "nationalities": [["SYR", "FRA"], []]},
        schema={"entry_id": pl.String, "nationalities": pl.List(pl.String)},
    )
    alerts = pl.DataFrame(
        {
            "alert_id": ["a", "b", "c", "d", "e"],
            "passenger_id": ["P1", "P1", "P2", "P3", "P3"],
            "entry_id": ["E1", "E1", "E2", "E1", "E2"],
            "kind": ["watchlist", "associate", "watchlist", "watchlist", "contact"],
        }
    )
    out, records = notified(alerts, traveller_roles(states), identity_states(listed))
    assert out["notify"].to_list() == ["ARE;FRA;SYR", "ARE;FRA", "BEL", "FRA;SYR", ""]
    # Without records the column is made another way (bits per traveller and identity).
    bare, none = notified(alerts, traveller_roles(states), identity_states(listed), False)
    assert bare["notify"].to_list() == out["notify"].to_list()
    assert none.is_empty()
    assert notified(alerts, traveller_roles(states), None, False)[0]["notify"].to_list() == [
        "ARE;FRA",
        "ARE;FRA",
        "BEL",
        "",
        "",
    ]
    assert records.filter(pl.col("alert_id") == "a").sort("state").rows() == [
        ("a", "ARE", "transit", "traveller"),
        ("a", "FRA", "nationality+departure", "traveller"),
        ("a", "SYR", "nationality", "watch list"),
    ]


def test_without_notification_records_the_alerts_are_the_same(teaching, teaching_runs):
    """A run that does not write notification records skips them, nothing else."""
    from dataclasses import replace

    from screening.data import lists
    from screening.linkage.settings import AlertConfig, Settings

    rows = lists.from_generated(teaching["watchlist"], teaching["watchlist_names"])
    data = StageData.from_world(teaching)
    m = get_matcher("default", replace(Settings(), alerts=AlertConfig(chunk_passengers=97)))
    bare = run_stages(m, m.build(rows), rows, data, threshold=0.0, notifications=False)
    assert bare.notifications.is_empty()
    assert bare.alerts.equals(teaching_runs["whole"].alerts)


@pytest.mark.parametrize("base", [1_000_003, 0])
def test_notify_strings_per_alert_whatever_the_hash(base):
    """Each alert's sorted states joined by ';' and "" for an alert with none; base 0
    makes runs with the same first state and length collide, which must not mix them."""
    from screening.travel.notify import _notify_strings

    states = pl.Series(["ARE", "BEL", "DZA", "FRA"])
    out = pl.DataFrame(
        {"a": [0, 0, 1, 1, 3, 3, 4, 5, 5, 5], "code": [0, 2, 0, 3, 0, 2, 1, 0, 1, 3]},
        schema={"a": pl.UInt32, "code": pl.UInt32},
    )
    got = _notify_strings(out, states, 7, base=base).to_list()
    assert got == ["ARE;DZA", "ARE;FRA", "", "ARE;DZA", "BEL", "ARE;BEL;FRA", ""]
    empty = out.clear()
    assert _notify_strings(empty, states, 2, base=base).to_list() == ["", ""]


_STATE = st.sampled_from([f"S{i:03d}" for i in range(150)])  # more than two words of bits


@hsettings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["P1", "P2", "P3", "P4"]), _STATE), max_size=30),
    st.lists(st.tuples(st.sampled_from(["E1", "E2", "E3"]), _STATE), max_size=12),
    st.lists(
        st.tuples(
            st.sampled_from(["P1", "P2", "P5", None]),
            st.sampled_from(["E1", "E2", "E4", None]),
            st.sampled_from(["watchlist", "associate", "contact", "document_invalid"]),
        ),
        max_size=25,
    ),
)
def test_the_notify_column_is_the_same_with_and_without_records(travellers, listed, rows):
    """The column made from bits per traveller and identity (from the travellers' states
    as they come, repeats and all) equals the one the records make, whatever states,
    owners without states, nulls and kinds the alerts have."""
    from screening.travel.notify import identity_states, notified, notify_roles

    # Repeats on purpose: a state given twice (nationality and document issuer).
    states = pl.DataFrame(
        {"passenger_id": [p for p, _ in travellers], "state": [s for _, s in travellers]},
        schema={"passenger_id": pl.String, "state": pl.String},
    ).with_columns(role=pl.lit("nationality"))
    ids = identity_states(
        pl.DataFrame(
            {"entry_id": [e for e, _ in listed], "nationalities": [[s] for _, s in listed]},
            schema={"entry_id": pl.String, "nationalities": pl.List(pl.String)},
        )
    )
    alerts = pl.DataFrame(
        {
            "alert_id": [f"a{i}" for i in range(len(rows))],
            "passenger_id": [p for p, _, _ in rows],
            "entry_id": [e for _, e, _ in rows],
            "kind": [k for _, _, k in rows],
        },
        schema={n: pl.String for n in ("alert_id", "passenger_id", "entry_id", "kind")},
    )
    for identities in (ids, None):
        with_records = notified(alerts, notify_roles(states, True), identities, True)[0]
        bare = notified(alerts, notify_roles(states, False), identities, False)[0]
        assert bare["notify"].equals(with_records["notify"])
