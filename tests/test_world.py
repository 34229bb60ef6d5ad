"""What the generated world contains: each population share and error model happens as
configured, and the truth is consistent with what a matcher sees."""

import numpy as np
import polars as pl
import pytest

from screening.generate.corrupt import NAME_MODELS
from screening.generate.scenario import CORRUPTIONS
from screening.generate.travellers import counts
from screening.schema import SCHEMAS


def _api(world):
    return world["passengers"].join(world["truth"], on="passenger_id")


def test_tables_follow_their_schemas(research):
    for name, frame in research.tables.items():
        assert dict(frame.schema) == SCHEMAS[name], name
    assert research["truth"]["passenger_id"].equals(research["passengers"]["passenger_id"])
    assert "entry_id" not in research["passengers"].columns  # truth stays apart


def test_population_shares(research):
    s = research.scenario
    people = research["truth"].unique("person_id")
    total, mated, namesakes = counts(s)
    roles = dict(people.group_by("role").len().iter_rows())
    assert roles["listed"] == mated and roles["namesake"] == namesakes
    assert sum(roles.values()) == total
    assert mated == round(total * s.population.mated_share)
    # Passengers are travellers times legs: close to the scenario's size.
    assert research["passengers"].height == pytest.approx(s.population.passengers, rel=0.05)
    # Families: on average family_share x mean family size companions per listed traveller.
    expected = s.population.family_share * 2.0  # mean of (0.4, 0.3, 0.2, 0.1) over 1..4
    assert roles["family"] / mated == pytest.approx(expected, rel=0.15)


def test_listed_travellers_are_distinct_listed_identities(research):
    listed = research["truth"].filter(pl.col("role") == "listed").unique("person_id")
    assert listed["entry_id"].n_unique() == listed.height
    assert listed["entry_id"].is_in(research["watchlist"]["entry_id"].implode()).all()
    others = research["truth"].filter(pl.col("role") != "listed")
    assert others["entry_id"].null_count() == others.height


def test_corruption_count_and_every_model_happens(research):
    listed = research["truth"].filter(pl.col("role") == "listed").unique("person_id")
    k = listed["corruptions"].list.set_difference(["dob_partial"]).list.len()
    share = np.bincount(k.to_numpy(), minlength=4) / listed.height
    # Some rows cannot take a third model, so the tail is a little lighter than asked.
    assert share == pytest.approx(research.scenario.corruptions.count, abs=0.05)
    seen = set(listed["corruptions"].explode().drop_nulls())
    assert set(CORRUPTIONS) | {"dob_partial"} <= seen
    # Relative frequency follows the weights (translit 4, typo 2, phonetic 1), though
    # translit only applies to names with several romanizations.
    freq = dict(listed["corruptions"].explode().value_counts().iter_rows())
    assert freq["translit"] > 1.5 * freq["phonetic"]
    assert freq["typo"] > 1.5 * freq["phonetic"]


def _mated_vs_list(world):
    api = _api(world).filter(pl.col("role") == "listed").unique("person_id")
    primary = (
        world["watchlist_names"]
        .filter("is_primary")
        .select(
            "entry_id",
            pl.col("surname").alias("l_surname"),
            pl.col("given_names").fill_null("").alias("l_given"),
        )
    )
    wl = world["watchlist"].select(
        "entry_id", pl.col("dob").alias("l_dob"), "documents", "dob_kind"
    )
    return api.join(primary, on="entry_id").join(wl, on="entry_id")


def test_uncorrupted_listed_travellers_match_their_list_record(research):
    m = _mated_vs_list(research)
    clean = m.filter(pl.col("corruptions").list.len() == 0)
    assert clean.height > 20
    given = pl.when(pl.col("given_names") == "FNU").then(pl.lit("")).otherwise("given_names")
    assert (clean["surname"] == clean["l_surname"]).all()
    assert (clean.select(given == pl.col("l_given")).to_series()).all()
    assert (clean["dob"] == clean["l_dob"]).all()  # no dob_partial: the list has the date
    name_models = set(NAME_MODELS) | {"translit"}
    named = m.filter(
        pl.col("corruptions").list.eval(pl.element().is_in(list(name_models))).list.any()
    )
    differs = (named["surname"] != named["l_surname"]) | (
        named.select(given != pl.col("l_given")).to_series()
    )
    assert differs.mean() > 0.97  # a model may rarely land back on the listed spelling


def test_date_and_document_models(research):
    m = _mated_vs_list(research).filter(pl.col("dob_kind") == "exact")
    has = lambda c: pl.col("corruptions").list.contains(c)  # noqa: E731
    swap = m.filter(has("dob_swap") & ~has("dob_shift"))
    assert (swap["dob"].dt.day() == swap["l_dob"].dt.month()).all()
    assert (swap["dob"].dt.month() == swap["l_dob"].dt.day()).all()
    shift = m.filter(has("dob_shift") & ~has("dob_swap"))
    assert ((shift["dob"] - shift["l_dob"]).dt.total_days().abs() == 1).all()
    untouched = m.filter(~has("dob_swap") & ~has("dob_shift"))
    assert (untouched["dob"] == untouched["l_dob"]).all()

    allm = _mated_vs_list(research)
    on_list = allm.select(pl.col("documents").list.contains(pl.col("doc_number"))).to_series()
    doc_changed = has("new_passport") | has("doc_lost_stolen") | has("doc_ocr")
    changed = allm.select(doc_changed).to_series()
    assert not on_list.filter(changed).any()
    assert (on_list == allm["travels_on_listed_document"]).all()


def test_lost_stolen_documents_are_planted_and_only_there(research):
    api = _api(research)
    sltd = research["documents_lost_stolen"]
    hit = api["doc_number"].is_in(sltd["doc_number"].implode())
    assert (hit == api["doc_lost_stolen"]).all()
    planted_listed = api.filter(pl.col("corruptions").list.contains("doc_lost_stolen"))
    assert planted_listed["doc_lost_stolen"].all() and planted_listed.height > 0
    others = api.filter(pl.col("role") != "listed")
    assert others["doc_lost_stolen"].mean() == pytest.approx(0.002, abs=0.0015)
    assert set(sltd["status"].unique()) <= {"stolen", "lost", "revoked", "stolen_blank"}
    # No innocent traveller carries a listed identity's document number by chance.
    listed_docs = research["watchlist"]["documents"].explode().drop_nulls()
    assert not others["doc_number"].is_in(listed_docs.implode()).any()


def test_namesakes_carry_a_listed_name_but_are_other_people(research):
    api = _api(research).filter(pl.col("role") == "namesake")
    primary = research["watchlist_names"].filter("is_primary")
    joined = api.join(primary, left_on="related_entry_id", right_on="entry_id", suffix="_l")
    same = (
        (joined["surname"] == joined["surname_l"])
        & (joined["given_names"] == joined["given_names_l"].fill_null("FNU"))
    ).mean()
    assert 0.6 < same < 0.95  # 70 % exact, the rest another romanization of the same name
    wl = research["watchlist"].select("entry_id", "dob")
    j = api.join(wl, left_on="related_entry_id", right_on="entry_id", suffix="_l")
    assert (j["dob"] != j["dob_l"]).fill_null(True).mean() > 0.99


def test_families_book_with_their_listed_traveller(research):
    t = research["truth"]
    fam = t.filter(pl.col("role") == "family")
    heads = t.filter(pl.col("role") == "listed").select("record_locator", "entry_id")
    j = fam.join(heads.unique(), on="record_locator", suffix="_head")
    assert j.height == fam.height
    assert (j["related_entry_id"] == j["entry_id_head"]).all()
    assert fam["entry_id"].null_count() == fam.height


def test_watchlist_records(research):
    wl, names = research["watchlist"], research["watchlist_names"]
    per = names.group_by("entry_id").agg(pl.len(), pl.col("is_primary").sum().alias("p"))
    assert per["len"].min() >= 1 and per["len"].max() <= 16
    assert (per["p"] == 1).all() and per.height == wl.height
    assert set(names["quality"].unique()) == {"good", "low"}
    kinds = wl["dob_kind"].value_counts(normalize=True)
    exact = kinds.filter(pl.col("dob_kind") == "exact")["proportion"][0]
    assert exact == pytest.approx(0.515, abs=0.04)  # the UN list's share (scenario default)
    assert wl.filter(pl.col("dob_kind") == "exact")["dob"].null_count() == 0
    assert (
        wl.filter(pl.col("dob_kind") == "unknown")["dob_year_from"].null_count()
        == wl.filter(pl.col("dob_kind") == "unknown").height
    )
    ranged = wl.filter(pl.col("dob_kind") == "range")
    assert (ranged["dob_year_to"] > ranged["dob_year_from"]).all()
    multi = (wl["nationalities"].list.len() > 1).mean()
    assert multi == pytest.approx(0.027, abs=0.015)
    unknown = (wl["nationalities"].list.len() == 0).mean()
    assert unknown == pytest.approx(0.151, abs=0.03)
    assert set(wl["category"].unique()) == {"un_designated", "national_kst"}


def test_partial_list_dates_cover_the_true_year(research):
    m = _mated_vs_list(research).join(
        research["watchlist"].select("entry_id", "dob_year_from", "dob_year_to"), on="entry_id"
    )
    m = m.filter(
        ~pl.col("corruptions").list.contains("dob_swap")
        & ~pl.col("corruptions").list.contains("dob_shift")
        & pl.col("dob_kind").is_in(["exact", "year", "range"])
    )
    year = m["dob"].dt.year()
    assert ((year >= m["dob_year_from"]) & (year <= m["dob_year_to"])).all()


def test_bookings_and_pnr(research):
    t, bp, bookings = research["truth"], research["booking_passengers"], research["bookings"]
    assert bp.height == t["person_id"].n_unique()
    # Every passenger row belongs to its booking's itinerary.
    api = _api(research).join(bookings.select("record_locator", "flight_ids"), on="record_locator")
    assert api.select(pl.col("flight_ids").list.contains(pl.col("flight_id"))).to_series().all()
    # Connections leave from where the first leg landed.
    fl = research["flights"]
    two = bookings.filter(pl.col("flight_ids").list.len() == 2).select(
        pl.col("flight_ids").list.get(0).alias("a"), pl.col("flight_ids").list.get(1).alias("b")
    )
    legs = two.join(fl, left_on="a", right_on="flight_id").join(
        fl, left_on="b", right_on="flight_id", suffix="_2"
    )
    assert legs.height > 0 and (legs["destination"] == legs["origin_2"]).all()
    assert (bookings["booking_date"] <= research.scenario.date).all()
    # PNR spellings differ from the document for about pnr_name_variation of travellers.
    doc = api.unique("person_id").select(
        "booking_passenger_id",
        "surname",
        pl.when(pl.col("given_names") == "FNU")
        .then(None)
        .otherwise("given_names")
        .alias("given_names"),
    )
    j = bp.join(doc, on="booking_passenger_id", suffix="_doc")
    differs = (j["surname"].fill_null("") != j["surname_doc"].fill_null("")) | (
        j["given_names"].fill_null("") != j["given_names_doc"].fill_null("")
    )
    assert differs.mean() == pytest.approx(research.scenario.bookings.pnr_name_variation, abs=0.02)
    docs = bp["doc_number"].is_not_null().mean()
    assert docs == pytest.approx(research.scenario.bookings.ssr_docs_share, abs=0.02)


def test_contacts_from_the_list_reach_some_bookings(research):
    t = research["truth"].filter("contact_from_list").unique("record_locator")
    assert t.height > 0 and (t["role"] == "listed").all()
    b = research["bookings"].join(t.select("record_locator", "entry_id"), on="record_locator")
    wl = research["watchlist"].select("entry_id", "phones")
    j = b.join(wl, on="entry_id")
    assert j.select(pl.col("phones").list.contains(pl.col("contact_phone"))).to_series().all()


def test_fnu_marks_missing_given_names(research):
    api = _api(research)
    assert (api["given_names"] == "").sum() == 0
    assert (api["given_names"] == "FNU").sum() > 0


def test_origin_mix_follows_the_scenario():
    from screening.generate.scenario import Scenario
    from screening.generate.world import generate_world
    from tests.conftest import scenario_with

    s = scenario_with(
        Scenario(),
        population={
            "passengers": 5_000,
            "listed_identities": 500,
            "origins": {"arabic": 3, "english": 1},
        },
    )
    t = generate_world(s, 4)["truth"].filter(pl.col("role") == "ordinary")
    share = t["origin"].value_counts(normalize=True)
    assert set(share["origin"]) == {"arabic", "english"}
    arabic = share.filter(pl.col("origin") == "arabic")["proportion"][0]
    assert arabic == pytest.approx(0.75, abs=0.05)


def test_original_script_is_kept_for_non_latin_names(research):
    t = research["truth"]
    non_latin = {"arabic", "persian", "russian", "ukrainian", "central_asian", "chinese", "korean"}
    has = t.with_columns(has=pl.col("original_script").is_not_null())
    by = dict(has.group_by("origin").agg(pl.col("has").all()).iter_rows())
    assert all(by[o] for o in non_latin)
    none = has.group_by("origin").agg(pl.col("has").any())
    assert not none.filter(~pl.col("origin").is_in(list(non_latin)))["has"].any()
    arabic = t.filter(pl.col("origin") == "arabic")["original_script"]
    assert arabic.str.contains(r"^[\u0600-\u06FF ]+$").all()
    korean = t.filter(pl.col("origin") == "korean")["original_script"]
    assert korean.str.contains(r"^[\uAC00-\uD7A3 ]+$").all()  # Hangul syllables
    names = research["watchlist_names"]
    partial = names.filter(pl.col("quality") == "low")
    assert partial["original_script"].null_count() == partial.height


def test_watch_list_has_the_un_lists_shape(research):
    """Distinct names per identity, alias quality and nationalities as on the UN list
    (synthetic/reference/watchlists.toml), within the tolerance describe uses."""
    from screening.data import lists
    from screening.generate import calibration

    rows = lists.from_generated(research["watchlist"], research["watchlist_names"])
    shape = calibration.compare_list(rows)
    checked = {r["statistic"]: r["ok"] for r in shape.iter_rows(named=True)}
    for statistic in (
        "names_per_identity",
        "one_name",
        "six_or_more",
        "low_quality",
        "dob_exact",
        "no_nationality",
        "documents_known",
    ):
        assert checked[statistic], shape.filter(pl.col("statistic") == statistic)
