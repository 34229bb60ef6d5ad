"""Table-driven match cases, properties of blocking and scoring, and reference twins."""

import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from screening.data import lists
from screening.data.intake import WATCHLIST_REQUIRED
from screening.linkage.comparisons.dates import dob_evidence, same_date
from screening.linkage.comparisons.names import name_arrays, name_similarity, token_overlap
from screening.linkage.index import build_index
from screening.linkage.levels import NameHow
from screening.linkage.normalize import PLACEHOLDERS, name_forms
from screening.linkage.population import population_stats
from screening.linkage.screen import screen, screen_chunks
from screening.linkage.settings import NameViews
from tests.conftest import alert_rows

# The flat-file columns, less doc_issuer (added as null) and doc_type/doc_expiry.
L_COLUMNS = [c for c in WATCHLIST_REQUIRED if c != "doc_issuer"]
P_COLUMNS = ["passenger_id", "surname", "given_names", "dob", "sex", "nationality", "doc_number"]

# A small list: identities with names, dates, nationalities and documents.
LIST = pl.DataFrame(
    [
        ("E1", "AL-HASHIMI", "ABDULRAHMAN", "1975-03-07", "M", "IRQ", "AB1234567"),
        ("E2", "MOHAMMED", "ALI", "1980-01-01", "M", "EGY", None),
        ("E3", "OKONKWO-ADEYEMI", "CHINEDU", "1969", "M", "NGA", None),
        ("E4", "Смирнов", "Аркадий", "1971-11-23", "M", "RUS", None),
        ("E5", "GARCIA", "JOSE", "1990-06-15", "M", "MEX", "G12345678"),
        ("E6", "ZHANG", "WEI", "1985-02-10", "M", "CHN;TWN", None),
        ("E7", "ZHANG", "WEI", "1975", "M", "CHN", None),
    ],
    schema=L_COLUMNS,
    orient="row",
).with_columns(doc_issuer=pl.lit(None, pl.String))

# Ordinary travellers give the population that makes common names common.
CROWD = [("MOHAMMED", "ALI"), ("GARCIA", "JOSE"), ("ZHANG", "WEI"), ("SMITH", "JOHN")] * 60

CASES = [
    # (case, surname, given, dob, nationality, doc, expected entry or None)
    ("exact copy", "AL-HASHIMI", "ABDULRAHMAN", "1975-03-07", "IRQ", None, "E1"),
    ("compound split, particle", "EL HASHIMI", "ABDUL RAHMAN", "1975-03-07", "IRQ", None, "E1"),
    ("surname/given swap", "ABDULRAHMAN", "ALHASHIMI", "1975-03-07", "IRQ", None, "E1"),
    ("DOB day/month swap", "AL HASHIMI", "ABDULRAHMAN", "1975-07-03", "IRQ", None, "E1"),
    ("OCR'd document, typo", "AL-HASHIMY", "ABDULRAHMAN", None, "IRQ", "A81234567", "E1"),
    ("transliteration", "MUHAMMAD", "ALY", "1980-01-01", "EGY", None, "E2"),
    ("partial list DOB", "OKONKWO ADEYEMI", "CHINEDU", "1969-08-30", "NGA", None, "E3"),
    ("Cyrillic list entry", "SMIRNOV", "ARKADII", "1971-11-23", "RUS", None, "E4"),
    ("dual national", "ZHANG", "WEI", "1985-02-10", "TWN", None, "E6"),
    ("common-name namesake", "MOHAMMED", "ALI", "1991-05-05", "SAU", None, None),
    ("namesake, other DOB", "GARCIA", "JOSE", "1962-12-01", "ESP", None, None),
    ("someone else", "JOHNSON", "MARY", "1980-01-01", "GBR", None, None),
]


@pytest.fixture(scope="module")
def index():
    return build_index(lists.from_flat(LIST))


def _passengers(rows):
    crowd = [(f"C{i}", s, g, "1950-01-01", "M", "GBR", None) for i, (s, g) in enumerate(CROWD)]
    return pl.DataFrame(
        [(f"P{i}", s, g, d, "M", n, doc) for i, (_, s, g, d, n, doc, _) in enumerate(rows)] + crowd,
        schema=P_COLUMNS,
        orient="row",
    ).with_columns(pl.col("dob").str.to_date())


def test_match_cases(index):
    result = screen(index, _passengers(CASES), threshold=0.5)
    alerts = result.alerts
    for i, (case, *_, expected) in enumerate(CASES):
        got = alerts.filter(pl.col("passenger_id") == f"P{i}")
        if expected is None:
            assert got.is_empty(), f"{case}: unexpected alert {got.to_dicts()}"
        else:
            assert got["entry_id"].to_list()[:1] == [expected], f"{case}: {got.to_dicts()}"
    ocr = alerts.filter(pl.col("passenger_id") == "P4")
    assert ocr["document_evidence"][0] == "ocr" and ocr["kind"][0] == "watchlist_document"
    assert "DOB day/month swapped" in alerts.filter(pl.col("passenger_id") == "P3")["reason"][0]


def test_scores_are_graded(index):
    a = screen(index, _passengers(CASES), threshold=0.0).alerts
    best = a.group_by("passenger_id").agg(pl.col("score").max())["score"]
    assert best.n_unique() > len(CASES) // 2  # distinct evidence, distinct scores
    assert ((a["score"] >= 0) & (a["score"] <= 1)).all()


def test_rare_name_outweighs_common_name(index):
    """Same evidence (exact name, birth year in the listed range) is worth more on a rare
    name than on one a quarter of the crowd carries."""
    rows = [
        ("rare", "OKONKWO-ADEYEMI", "CHINEDU", "1969-01-01", "NGA", None, "E3"),
        ("common", "ZHANG", "WEI", "1975-06-01", "CHN", None, "E7"),
    ]
    a = screen(index, _passengers(rows), threshold=0.0).alerts
    rare = a.filter((pl.col("passenger_id") == "P0") & (pl.col("entry_id") == "E3"))["score"][0]
    common = a.filter((pl.col("passenger_id") == "P1") & (pl.col("entry_id") == "E7"))["score"][0]
    assert rare > common


NAME = st.text(alphabet="ABCDEFGHIJKLMNOPRSTUVWYZ", min_size=2, max_size=10)


@settings(max_examples=30, deadline=None)
@given(surname=NAME, given=NAME, day=st.dates(dt.date(1940, 1, 1), dt.date(2005, 12, 31)))
def test_exact_copy_with_dob_is_always_alerted(surname, given, day):
    # A name made only of placeholders (FNU, NFN, ...) is no name: nothing to match.
    assume(not {surname, given} <= set(PLACEHOLDERS))
    distract = [(f"D{i}", surname, f"{given}X{i}", "1950", "M", "FRA", None) for i in range(80)]
    wl = pl.DataFrame(
        [("T", surname, given, day.isoformat(), "M", "FRA", None), *distract],
        schema=L_COLUMNS,
        orient="row",
    ).with_columns(doc_issuer=pl.lit(None, pl.String))
    idx = build_index(lists.from_flat(wl))
    p = pl.DataFrame(
        {
            "passenger_id": ["P"],
            "surname": [surname],
            "given_names": [given],
            "dob": [day],
            "sex": ["M"],
            "nationality": ["FRA"],
            "doc_number": [None],
        },
        schema_overrides={"doc_number": pl.String},
    )
    a = screen(idx, p, threshold=0.5).alerts
    assert "T" in a["entry_id"].to_list()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(NAME, NAME), min_size=1, max_size=30), st.randoms())
def test_vectorized_name_views_equal_per_pair_reference(names, rnd):
    frame = pl.DataFrame({"surname": [n[0] for n in names], "given_names": [n[1] for n in names]})
    forms = name_forms(frame)
    arr = name_arrays(forms)
    n = len(names)
    pi = np.array([rnd.randrange(n) for _ in range(50)])
    li = np.array([rnd.randrange(n) for _ in range(50)])
    s_set = token_overlap(arr, arr, pi, li)
    ref = [
        fuzz.token_set_ratio(arr["sorted_core"][a], arr["sorted_core"][b]) / 100
        for a, b in zip(pi, li, strict=True)
    ]
    assert np.allclose(s_set, ref, atol=1e-5)
    sim, _ = name_similarity(arr, arr, pi, li, s_set)
    same = pi == li
    assert np.allclose(sim[same], 1.0)
    assert ((sim >= 0) & (sim <= 1)).all()


def test_a_partial_name_in_another_romanization_is_a_partial_name():
    """MOHAMMAD HOSSEIN BAQERI for a listed MOHAMMAD BAGHERI: every token skeleton of the
    shorter name is among the longer's. It counts as a partial name at a transliteration's
    share of the token-set view; a name sharing one part only, or with a part of its own
    beside the shared ones, does not."""
    names = pl.DataFrame(
        {
            "surname": ["BAGHERI", "BAQERI", "BAQERI", "BAQERI"],
            "given_names": ["MOHAMMAD", "MOHAMMAD HOSSEIN", "HOSSEIN", "ALI HOSSEIN"],
        }
    )
    arr = name_arrays(name_forms(names))
    pi, li = np.array([1, 2, 3]), np.zeros(3, dtype=np.int64)
    sim, how = name_similarity(arr, arr, pi, li, token_overlap(arr, arr, pi, li))
    views = NameViews()
    expected = views.skeleton_base * (views.token_set_base + views.token_set_cover * 2 / 3)
    assert how[0] == NameHow.PARTIAL and sim[0] == pytest.approx(expected, abs=1e-6)
    assert sim[1] < expected and sim[2] < expected


def _dob_reference(p, date, yf, yt):
    """Slow twin of compare.dob_evidence for one pair."""
    if p is None or (date is None and yf is None):
        return 0
    if date is not None:
        if p == date:
            return 1
        if p.year == date.year and p.month == date.day and p.day == date.month:
            return 2
        if abs((p - date).days) <= 1:
            return 3
        return 6 if p.year == date.year else 7
    if yf <= p.year <= yt:
        return 4
    if yf - 1 <= p.year <= yt + 1:
        return 5
    return 7


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.dates(dt.date(1960, 1, 1), dt.date(1964, 12, 31))),
            st.one_of(st.none(), st.dates(dt.date(1960, 1, 1), dt.date(1964, 12, 31))),
            st.integers(1958, 1966),
            st.integers(0, 4),
            st.booleans(),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_dob_evidence_equals_reference(rows):
    p = [r[0] for r in rows]
    dates = [r[1] for r in rows]
    yf = [
        None if (d is None and r[4]) else (d.year if d else r[2])
        for d, r in zip(dates, rows, strict=True)
    ]
    yt = [
        None if y is None else (y if d else y + r[3])
        for y, d, r in zip(yf, dates, rows, strict=True)
    ]
    lst = pl.DataFrame(
        {"dob": dates, "dob_year_from": yf, "dob_year_to": yt},
        schema={"dob": pl.Date, "dob_year_from": pl.Int32, "dob_year_to": pl.Int32},
    )
    idx = np.arange(len(rows))
    travellers, listed = _coded_dates(pl.Series(p, dtype=pl.Date), lst)
    level, _ = dob_evidence(travellers, listed, idx, idx)
    ref = [_dob_reference(a, b, c, d) for a, b, c, d in zip(p, dates, yf, yt, strict=True)]
    assert level.tolist() == ref
    exact = same_date(travellers, listed, idx, idx)
    assert exact.tolist() == [r == 1 for r in ref]


def _coded_dates(p: pl.Series, lst: pl.DataFrame):
    """(travellers, list rows) coded (comparisons.coded) with only their dates known."""
    from screening.linkage.comparisons.coded import coded_list, coded_passengers

    unknown = {"sex": pl.lit(None, pl.String), "nationalities": pl.lit([], pl.List(pl.String))}
    listed = coded_list(lst.with_columns(**{k: v for k, v in unknown.items() if k not in lst}))
    pax = pl.DataFrame({"dob": p, "nationality": pl.Series([None] * len(p), dtype=pl.String)})
    return coded_passengers(pax, listed.vocabulary), listed


def _score_bits(score: float) -> float:
    """Summed evidence behind a score (the inverse of scoring.to_score's logistic)."""
    from screening.linkage.settings import ScoringConfig

    cfg = ScoringConfig()
    return cfg.midpoint_bits + cfg.bits_per_doubling * float(np.log2(score / (1.0 - score)))


def test_sex_mismatch_costs_exactly_its_weight(index):
    """The same traveller as F instead of M against a male listed record: the evidence
    drops by agree - differs = 0.3 + 4.0 bits, nothing else changes."""
    case = [("swap", "AL HASHIMI", "ABDULRAHMAN", "1975-07-03", "IRQ", None, "E1")]
    male = screen(index, _passengers(case), threshold=0.0).alerts
    female_p = _passengers(case).with_columns(
        sex=pl.when(pl.col("passenger_id") == "P0").then(pl.lit("F")).otherwise(pl.col("sex"))
    )
    female = screen(index, female_p, threshold=0.0).alerts
    pick = lambda a: a.filter((pl.col("passenger_id") == "P0") & (pl.col("entry_id") == "E1"))  # noqa: E731
    m, f = pick(male)["score"][0], pick(female)["score"][0]
    assert _score_bits(m) - _score_bits(f) == pytest.approx(4.3, abs=1e-6)
    unknown = screen(index, female_p.with_columns(sex=pl.lit(None, pl.String)), 0.0).alerts
    assert _score_bits(m) - _score_bits(pick(unknown)["score"][0]) == pytest.approx(0.3, abs=1e-6)


def test_birth_year_range_counts_less_the_wider_it_is():
    """A birth year inside a listed range of w years is worth 5.5 - log2(w) bits."""
    from screening.linkage.scoring import log_odds
    from screening.linkage.settings import ScoringConfig

    dob = np.full(3, DOB_LEVELS_PARTIAL, dtype=np.int8)
    zeros = np.zeros(3, dtype=np.int8)
    bits = log_odds(
        np.ones(3),
        np.full(3, 10.0),
        dob,
        np.array([1, 4, 8]),
        zeros,
        zeros,
        zeros,
        ScoringConfig(),
    )
    assert bits["dob"].tolist() == [5.5, 3.5, 2.5]


DOB_LEVELS_PARTIAL = 4  # levels.Dob.PARTIAL


def test_year_month_list_dates_are_birth_years():
    """A listed date written YYYY-MM (or YYYY-M) is a birth year, compared as such."""
    from screening.linkage.levels import DOB_LEVELS, Dob

    assert DOB_LEVELS[DOB_LEVELS_PARTIAL] == "partial" and Dob.PARTIAL == DOB_LEVELS_PARTIAL
    flat = pl.DataFrame(
        [
            ("E1", "OKAFOR", "NNAMDI", "1971-03", "M", "NGA", None),
            ("E2", "OKAFOR", "NNAMDI", "1971-3", "M", "NGA", None),
        ],
        schema=L_COLUMNS,
        orient="row",
    ).with_columns(doc_issuer=pl.lit(None, pl.String))
    rows = lists.from_flat(flat)
    assert rows.select("dob", "dob_year_from", "dob_year_to").rows() == [(None, 1971, 1971)] * 2
    p = pl.Series([dt.date(1971, 11, 2), dt.date(1972, 1, 1), dt.date(1969, 1, 1)])
    travellers, listed = _coded_dates(p, rows)
    level, width = dob_evidence(travellers, listed, np.array([0, 1, 2]), np.array([0, 1, 0]))
    assert [DOB_LEVELS[x] for x in level] == ["partial", "partial_near", "differs"]
    assert width.tolist() == [1, 1, 1]


def test_top_k_keeps_the_best_identities_of_each_passenger(index):
    """ZHANG WEI born 1985-02-10 meets both listed ZHANG WEIs: top_k=1 keeps the better."""
    case = [("dual", "ZHANG", "WEI", "1985-02-10", "CHN", None, "E6")]
    both = screen(index, _passengers(case), threshold=0.0, top_k=10).alerts
    mine = both.filter(pl.col("passenger_id") == "P0")
    assert sorted(mine["entry_id"]) == ["E6", "E7"]
    one = screen(index, _passengers(case), threshold=0.0, top_k=1).alerts
    assert one.filter(pl.col("passenger_id") == "P0")["entry_id"].to_list() == ["E6"]
    assert one.group_by("passenger_id").len()["len"].max() == 1


def test_an_alias_sharing_no_name_part_is_compared_by_birth_date_and_nationality(index):
    """Real lists hold kunyas and later names: the listed birth date and nationality alone
    make a pair worth comparing, scored below any name agreement; without them, nothing."""
    rows = [
        ("kunya, listed DOB and nationality", "ABU", "HAFS", "1975-03-07", "IRQ", None, "E1"),
        ("same DOB, other nationality", "ABU", "HAFS", "1975-03-07", "SYR", None, None),
        ("same nationality, other DOB", "ABU", "HAFS", "1975-03-08", "IRQ", None, None),
    ]
    alerts = screen(index, _passengers(rows), threshold=0.0).alerts
    got = alerts.filter(pl.col("entry_id") == "E1")
    assert got["passenger_id"].to_list() == ["P0"]
    assert got["dob_evidence"][0] == "exact" and got["score"][0] < 0.5
    named = screen(index, _passengers(CASES[:1]), threshold=0.0).alerts
    assert got["score"][0] < named.filter(pl.col("entry_id") == "E1")["score"].min()


def test_travellers_with_the_same_name_get_the_same_name_evidence(index):
    """Each distinct pair of names is compared once and broadcast: a manifest holding
    every traveller twice scores both copies exactly as the manifest once."""
    once = _passengers(CASES)
    twice = pl.concat([once, once.with_columns(pl.col("passenger_id") + "b")])
    a = screen(index, once, threshold=0.0).alerts.drop("reason")
    b = screen(index, twice, threshold=0.0).alerts
    copies = b.filter(pl.col("passenger_id").str.ends_with("b")).with_columns(
        pl.col("passenger_id").str.strip_suffix("b")
    )
    cols = ["passenger_id", "entry_id", "name_id", "name_score", "name_how", "dob_evidence"]
    assert copies.select(cols).sort(cols).equals(a.select(cols).sort(cols))


def test_a_name_listed_under_two_identities_is_compared_once_with_each_rows_evidence(
    index, research
):
    """Rows that write one name alike share a name code, and screening compares each
    distinct pair of names once: the alerts equal those of comparing every row apart."""
    from dataclasses import replace

    twin = LIST.filter(pl.col("entry_id") == "E1").with_columns(
        entry_id=pl.lit("E8"), dob=pl.lit("1958"), doc_number=pl.lit(None, pl.String)
    )
    doubled = build_index(lists.from_flat(pl.concat([LIST, twin])))
    code = dict(zip(doubled.rows["entry_id"], doubled.name_code, strict=True))
    # ZHANG WEI is listed twice already (E6, E7); every other name once.
    assert code["E1"] == code["E8"] and code["E6"] == code["E7"]
    assert len(set(code.values())) == len(code) - 2
    rows = lists.from_generated(research["watchlist"], research["watchlist_names"])
    for idx, passengers in (
        (doubled, _passengers(CASES)),
        (build_index(rows), research["passengers"].head(4_000)),
    ):
        # The name density counts a name's sightings by its code, whichever row brought
        # them: rows apart would each count their own, so it stays out of this comparison.
        cfg = replace(idx.config, estimation=replace(idx.config.estimation, name_density=False))
        idx = replace(idx, config=cfg)
        apart = replace(idx, name_code=np.arange(idx.size))
        shared, alone = screen(idx, passengers, 0.0), screen(apart, passengers, 0.0)
        assert shared.stats["name_pairs_distinct"] < alone.stats["name_pairs_distinct"]
        assert shared.alerts.equals(alone.alerts)


def test_screening_in_chunks_gives_the_alerts_of_one_pass(research):
    """A manifest screened 3,000 travellers at a time against its own statistics and
    weights: the same alerts, candidate pairs and learned weights as in one pass."""
    from dataclasses import replace

    from screening.linkage.settings import AlertConfig, Settings

    rows = lists.from_generated(research["watchlist"], research["watchlist_names"])
    passengers = research["passengers"]
    whole = screen(build_index(rows), passengers, threshold=0.0)
    assert 6 * 3_000 < passengers.height <= 7 * 3_000
    # One chunk at a time (7 chunks), and three at once in threads (9 chunks of equal size,
    # so that no chunk runs alone at the end); the second with the population and its name
    # forms prepared ahead, as `screening screen` does while the index is built.
    ahead = population_stats(
        passengers, sample_size=Settings().estimation.sample_passengers, keep_forms=True
    )
    for threads, population, n_chunks in ((1, None, 7), (3, ahead, 9)):
        alerts = AlertConfig(chunk_passengers=3_000, chunk_threads=threads)
        index = build_index(rows, replace(Settings(), alerts=alerts))
        parts = screen(index, passengers, 0.0, population=population)
        assert parts.stats["chunks"] == n_chunks and "chunks" not in whole.stats
        sizes = [n for _, n, _ in screen_chunks(index, passengers.head(100), 0.0)]
        assert sizes == [100]
        assert whole.model is not None and parts.model.weights == whole.model.weights
        assert parts.alerts.height > passengers.height  # threshold 0: many per traveller
        assert parts.alerts.equals(whole.alerts)
        for a, b in zip(parts.pairs, whole.pairs, strict=True):
            assert np.array_equal(a, b)
        assert parts.stats["pairs"] == whole.stats["pairs"]
        # Later chunks took name pairs the earlier ones compared from the memo.
        assert parts.stats["name_pairs_recalled"] > 0 == whole.stats["name_pairs_recalled"]


def test_flights_against_a_day_prepared_for_flights_alert_alike(research):
    """Flights screened against the day's statistics with the list's name information
    worked out once (for_flights) get the alerts those statistics alone give them."""
    from screening.linkage.screen import for_flights, learned
    from screening.linkage.settings import Settings

    rows = lists.from_generated(research["watchlist"], research["watchlist_names"])
    index = build_index(rows)
    passengers = research["passengers"]
    counted = population_stats(passengers, sample_size=Settings().estimation.sample_passengers)
    day, flights = learned(index, counted), for_flights(index, counted)
    assert day.list_information is None and flights.list_information is not None
    assert len(flights.list_information.full) == index.size
    assert for_flights(index, flights) is flights  # worked out once
    for at in range(0, 6_000, 1_500):  # four "flights" of 300
        flight = passengers.slice(at, 300)
        alone = screen(index, flight, 0.0, population=day).alerts
        assert alone.height > 300
        assert screen(index, flight, 0.0, population=flights).alerts.equals(alone)


def test_list_information_in_slices_and_mapped_from_a_file_alerts_alike(research, tmp_path):
    """The list's name information worked out a slice of names at a time, saved and mapped
    back (as a Dask run's workers read it) is the one-call figures, and flights screened
    with it get the alerts the day's statistics alone give them."""
    from dataclasses import replace

    from screening.linkage.index_store import mapped_frame, write_frame
    from screening.linkage.screen import ListInformation, _information, learned
    from screening.linkage.settings import Settings

    rows = lists.from_generated(research["watchlist"], research["watchlist_names"])
    index = build_index(rows)
    passengers = research["passengers"]
    counted = population_stats(passengers, sample_size=Settings().estimation.sample_passengers)
    day = learned(index, counted)
    full, without, top, top_pos = _information(index, day, index.forms["core"])
    skeleton = index.forms["skeletons"].list.get(pl.Series(top_pos), null_on_oob=True)
    assert index.size > 3 * 997
    sliced = ListInformation.of(index, day, slice_names=997)
    write_frame(sliced.to_frame(), tmp_path / "info.arrow")
    mapped = ListInformation.of_frame(mapped_frame(tmp_path / "info.arrow"))
    for info in (ListInformation.of(index, day), sliced, mapped):
        assert np.array_equal(info.full, full) and np.array_equal(info.without, without)
        assert info.top.to_list() == top.tolist() and info.top_skeleton.equals(skeleton)
    with_file = replace(day, list_information=mapped)
    for at in (0, 3_000):
        flight = passengers.slice(at, 300)
        alone = screen(index, flight, 0.0, population=day).alerts
        assert screen(index, flight, 0.0, population=with_file).alerts.equals(alone)


def test_pair_evidence_adds_up_to_the_alerts_scores(index):
    """The waterfall's bits: per field, summing to a total whose logistic is the alert's
    score (or the exact-copy floor, 0.9), for the very pairs screening alerted."""
    from screening.linkage.screen import pair_evidence

    passengers = _passengers(CASES)
    alerts = screen(index, passengers, threshold=0.0).alerts
    pi, li = alert_rows(index, passengers, alerts)
    ev = pair_evidence(index, passengers, pi, li)
    fields = ["contact", "name", "dob", "document", "nationality", "sex"]
    assert set(fields) <= set(ev.columns)
    assert np.allclose(ev.select(fields).sum_horizontal().to_numpy(), ev["total"].to_numpy())
    assert np.allclose(ev["score"].to_numpy(), alerts["score"].to_numpy())
    cfg = index.config.scoring
    logistic = 1 / (
        1 + np.exp2(-(ev["total"].to_numpy() - cfg.midpoint_bits) / cfg.bits_per_doubling)
    )
    floored = ~np.isclose(logistic, ev["score"].to_numpy())
    assert np.allclose(ev["score"].to_numpy()[floored], cfg.exact_floor)
    # The exact copy of E1 with its birth date: name, DOB and nationality all for.
    e1 = ev.filter(pl.Series((alerts["passenger_id"] == "P0") & (alerts["entry_id"] == "E1")))
    assert e1.height == 1 and e1["name"][0] > 5 and e1["dob"][0] > 10 and e1["nationality"][0] > 0


def _one_listed(row: tuple):
    """The index of a list of one name (a row of L_COLUMNS)."""
    listed = pl.DataFrame([row], schema=L_COLUMNS, orient="row")
    return build_index(lists.from_flat(listed.with_columns(doc_issuer=pl.lit(None, pl.String))))


def test_a_name_part_the_other_name_lacks_counts_for_nothing():
    """The information two names agree on: another surname beside the same given names
    says as much as no surname at all; the surname with a typo as much as the surname."""
    from screening.linkage.screen import Manifest, name_information

    index = _one_listed(("E1", "BELHADJ", "CHABANE AYOUB", "1980", "M", "DZA", None))
    rows = [
        ("other surname", "BENAOUDA", "CHABANE AYOUB", "1980-05-05", "DZA", None, "E1"),
        ("no surname", "FNU", "CHABANE AYOUB", "1980-05-05", "DZA", None, "E1"),
        ("surname typo", "BELHADK", "CHABANE AYOUB", "1980-05-05", "DZA", None, "E1"),
        ("same name", "BELHADJ", "CHABANE AYOUB", "1980-05-05", "DZA", None, "E1"),
    ]
    manifest = Manifest.of(index, _passengers(rows))
    alike = np.ones(4)  # every pair looked at closely (partial_ratio)
    bits, shared = name_information(index, manifest, np.arange(4), np.zeros(4, np.int64), alike)
    other, missing, typo, same = bits.tolist()
    assert other == pytest.approx(missing)
    assert typo == pytest.approx(same) and same > missing + 3  # the rarest part
    # Whether either name's most informative part is in the other: not for two surnames
    # (each the rarest part of its name) beside the same given names.
    assert shared.tolist() == [False, True, True, True]


def test_names_unlike_as_a_whole_sharing_their_rarest_part_are_a_level_of_their_own():
    """A surname kept beside other given names and a patronymic: below the first name
    level as a whole, yet not a disagreement; a name sharing nothing stays one."""
    index = _one_listed(("E1", "KHRYAKOV", "ALEXANDER", "1958-11-06", "M", "RUS", None))
    rows = [
        ("shared", "KHRYAKOV", "OLEKSANDR VITALIYOVYCH", "1958-11-06", "RUS", None, "E1"),
        ("nothing", "PETROVSKY", "ALEKSEI IVANOVICH", "1958-11-06", "RUS", None, "E1"),
    ]
    # Common given names, rare surnames: the surname is each name's most informative part.
    rows += [
        ("innocent", sur, giv, "1970-01-01", "FRA", None, None)
        for sur in ("SMIRNOV", "POPOV", "VOLKOV")
        for giv in ("ALEXANDER", "OLEKSANDR", "VITALIYOVYCH")
    ]
    alerts = screen(index, _passengers(rows), threshold=0.0).alerts
    alerts = alerts.filter(pl.col("passenger_id").is_in(["P0", "P1"])).sort("passenger_id")
    assert alerts["passenger_id"].to_list() == ["P0", "P1"]  # the second by the born rule
    assert alerts["name_score"][0] < 0.7 and alerts["name_how"][0] == "shared part"
    assert alerts["name_how"][1] != "shared part"


def test_a_transliteration_sorted_apart_by_spelling_is_compared_when_born_the_same_day():
    """KANSO JEHAD MOHAMED for the listed QANSU JIHAD MUHAMMAD: the spelling order puts the
    surname first in one name and last in the other (token-set ratio 0.51, under the first
    look's 0.55); in the order of their skeletons the tokens line up. Born the listed day
    the pair is compared, whatever the nationality says; born another day it is not."""
    from dataclasses import replace

    from screening.linkage.settings import Settings

    listed = ("E1", "QANSU", "JIHAD MUHAMMAD", "1968-05-01", "M", None, None)
    rows = [
        ("same day, no nationality", "KANSO", "JEHAD MOHAMED", "1968-05-01", None, None, "E1"),
        ("same day, another one", "KANSO", "JEHAD MOHAMED", "1968-05-01", "FRA", None, "E1"),
        ("another day", "KANSO", "JEHAD MOHAMED", "1968-05-02", None, None, None),
    ]
    alerts = screen(_one_listed(listed), _passengers(rows), threshold=0.0).alerts
    alerts = alerts.filter(pl.col("passenger_id").str.starts_with("P")).sort("passenger_id")
    assert alerts["passenger_id"].to_list() == ["P0", "P1"]
    assert alerts["score"].min() > 0.5  # the same person by every field the list gives
    settings_off = Settings()
    settings_off = replace(
        settings_off,
        comparisons=replace(settings_off.comparisons, same_date_skeleton_order=False),
    )
    listed_df = pl.DataFrame([listed], schema=L_COLUMNS, orient="row")
    off = build_index(
        lists.from_flat(listed_df.with_columns(doc_issuer=pl.lit(None, pl.String))), settings_off
    )
    alerts = screen(off, _passengers(rows), threshold=0.0).alerts
    assert alerts.filter(pl.col("passenger_id").str.starts_with("P")).is_empty()


def test_token_presence_is_one_for_a_typo_and_zero_for_another_word():
    from screening.linkage.comparisons.names import token_presence

    # The other names glued (compact forms): a compound is found whether split or not.
    tokens = np.array(["BELHADJ", "BELHADJ", "BELHADJ", "ALI", "ABDULRAHMAN"], dtype=object)
    names = np.array(
        ["AYOUBBELHADJ", "AYOUBBELHADK", "AYOUBBENAOUDA", "HASSAN", "ABDULRAHMANHASHIMI"],
        dtype=object,
    )
    assert token_presence(tokens, names).tolist() == [1.0, 1.0, 0.0, 0.0, 1.0]


def test_skeleton_in_finds_a_token_in_any_romanization_of_the_name_it_is_looked_for_in():
    from screening.linkage.comparisons.names import skeleton_in
    from screening.linkage.normalize import list_skeletons

    names = list_skeletons(pl.Series([["KHRYAKOV", "OLEKSANDR"], ["ALI", "HASSAN"], []]))
    tokens = list_skeletons(pl.Series([["KHRIAKOV", "KHRYAKOV", "ALY", "HASAN", "PETROV"]]))
    wanted = tokens.explode()
    which = np.array([0, 1, 2, 3, 3, 4])
    owner = np.array([0, 1, 1, 1, 2, 0])
    # ALY and ALI fold to one letter (L): too short to say a part is shared.
    assert skeleton_in(wanted, which, owner, names).tolist() == [1, 0, 0, 1, 0, 0]
    assert skeleton_in(wanted, which[:0], owner[:0], names).tolist() == []


def test_token_parts_splits_off_the_most_informative_token():
    """Exact bits on a hand-made count table: total 1023 tokens, so a token seen n times
    carries -log2((n + 0.5) / 1024) bits; the first of equals is the top token."""
    from screening.linkage.scoring import token_bits, token_parts
    from screening.linkage.settings import ScoringConfig

    counts = pl.DataFrame({"tok": ["A", "B", "C"], "n": [511.5, 127.5, 127.5]})
    core = pl.Series([["A", "B"], [], ["C", "B"], ["A"]], dtype=pl.List(pl.String))
    cfg = ScoringConfig()  # extra tokens count half
    full, without, top, at = token_parts(core, counts, 1023, cfg)
    assert top.tolist() == ["B", "", "C", "A"]
    assert at.tolist() == [1, 0, 0, 0]  # its place in the name
    assert full.tolist() == [3 + 0.5, 0.0, 3 + 1.5, 1.0]
    assert without.tolist() == [1.0, 0.0, 3.0, 0.0]
    assert np.array_equal(token_bits(core, counts, 1023, cfg), full)


def test_token_parts_asks_for_each_distinct_token_once():
    """Counts given by a function (a flight's lookup in two tables) are asked for the
    distinct tokens only, and give what the table gives; a null name and a token no
    table holds count as the table's absent ones do."""
    from screening.linkage.scoring import token_parts
    from screening.linkage.settings import ScoringConfig

    table = pl.DataFrame({"tok": ["A", "B", "C"], "n": [511.5, 127.5, 127.5]})
    core = pl.Series(
        [["A", "B"], None, ["C", "B", "B"], ["ZED"], [], ["A", "A"]], dtype=pl.List(pl.String)
    )
    asked: list[list[str]] = []

    def count(tokens: pl.Series) -> np.ndarray:
        asked.append(tokens.to_list())
        n = dict(zip(table["tok"], table["n"], strict=True))
        return np.array([n.get(t, 0.0) for t in tokens.to_list()])  # a few test tokens

    by_table = token_parts(core, table, 1023, ScoringConfig())
    by_function = token_parts(core, count, 1023, ScoringConfig())
    assert len(asked) == 1 and sorted(asked[0]) == ["A", "B", "C", "ZED"]
    for a, b in zip(by_table, by_function, strict=True):
        assert np.array_equal(a, b)
    assert by_function[2].tolist() == ["B", "", "C", "ZED", "", "A"]
    # ZED, never counted, is worth -log2(0.5 / 1024) = 11 bits.
    assert by_function[0][3] == 11.0 and by_function[0][1] == 0.0


def test_a_token_seen_once_says_what_the_counts_say():
    """No cap by default: a token seen once among 2**20 - 1 tokens carries
    -log2(1.5 / 2**20) bits, more the larger the manifest; a cap set in the settings
    still binds."""
    from dataclasses import replace

    from screening.linkage.scoring import token_bits
    from screening.linkage.settings import ScoringConfig

    total = 2**20 - 1
    counts = pl.DataFrame({"tok": ["RARE", "COMMON"], "n": [1.0, total / 8 - 0.5]})
    core = pl.Series([["RARE"], ["COMMON"]], dtype=pl.List(pl.String))
    bits = token_bits(core, counts, total, ScoringConfig())
    assert bits.tolist() == pytest.approx([20 - np.log2(1.5), 3.0])
    capped = token_bits(core, counts, total, replace(ScoringConfig(), token_bits_cap=14.0))
    assert capped.tolist() == pytest.approx([14.0, 3.0])


def test_nationality_and_sex_levels_from_coded_rows():
    """Agree when the traveller's nationality is one of the identity's (a second listed
    one too), missing when either side has none, differs otherwise; a nationality the
    list never holds, or a null inside a listed set, agrees with nothing."""
    from screening.linkage.comparisons.attributes import nationality_evidence, sex_evidence
    from screening.linkage.comparisons.coded import coded_list, coded_passengers
    from screening.linkage.levels import Nationality as N
    from screening.linkage.levels import Sex as S

    listed = pl.DataFrame(
        {
            "dob": [None] * 4,
            "dob_year_from": [None] * 4,
            "dob_year_to": [None] * 4,
            "sex": ["M", "F", None, "X"],
            "nationalities": [["SYR", "TUR"], [], None, [None, "IRQ"]],
        },
        schema_overrides={"dob": pl.Date, "dob_year_from": pl.Int32, "dob_year_to": pl.Int32},
    )
    pax = pl.DataFrame(
        {
            "dob": [None] * 5,
            "nationality": ["TUR", "SYR", None, "FRA", "IRQ"],
            "sex": ["M", "F", "M", None, "M"],
        },
        schema_overrides={"dob": pl.Date},
    )
    lst = coded_list(listed)
    assert lst.vocabulary == ("IRQ", "SYR", "TUR")
    p = coded_passengers(pax, lst.vocabulary)
    pi = np.array([0, 1, 2, 3, 1, 0, 4, 3, 0, 0])
    li = np.array([0, 0, 0, 0, 1, 2, 3, 3, 1, 3])
    assert nationality_evidence(p, lst, pi, li).tolist() == [
        N.AGREE,
        N.AGREE,
        N.MISSING,
        N.DIFFERS,
        N.MISSING,
        N.MISSING,
        N.AGREE,
        N.DIFFERS,
        N.MISSING,
        N.DIFFERS,
    ]
    assert sex_evidence(p, lst, pi, li).tolist() == [
        S.AGREE,
        S.DIFFERS,
        S.AGREE,
        S.MISSING,
        S.AGREE,
        S.MISSING,
        S.MISSING,
        S.MISSING,
        S.DIFFERS,
        S.MISSING,
    ]


def test_document_hits_take_the_best_level_per_identity():
    """A document listed for two identities hits both; listed as written and in another
    OCR spelling for one identity, it is EXACT; folded-equal only, OCR; a traveller
    without a document, or with one folding to nothing, hits nothing."""
    from screening.linkage.blocking import folded_documents
    from screening.linkage.comparisons.documents import ListDocuments, document_hits
    from screening.linkage.levels import Document

    written = ["P1234567", "P1234567", "PI234567", "X0000001", "-"]
    docs = pl.DataFrame(
        {"entry_id": ["E1", "E2", "E1", "E3", "E4"], "doc": written, "code": [0, 1, 0, 2, 3]}
    ).with_columns(doc_folded=folded_documents(pl.Series(written)))
    listed = ListDocuments.of(docs)
    p_doc = pl.Series(["P1234567", "XOOOOOO1", None, "", "-", "Q9"], dtype=pl.String)
    hits = document_hits(folded_documents(p_doc), p_doc, listed).sort("p", "code")
    assert hits.rows() == [
        (0, 0, Document.EXACT),
        (0, 1, Document.EXACT),
        (1, 2, Document.OCR),
    ]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 7), st.sampled_from([0.2, 0.5, 0.5, 0.9])),
        min_size=0,
        max_size=40,
        unique_by=lambda t: (t[0], t[1]),
    ),
    st.sampled_from([0.0, 0.5, 0.95]),
    st.integers(1, 3),
)
def test_ranking_equals_a_sort_and_unique_over_identities(pairs, threshold, top_k):
    """rank_pairs keeps, per passenger, the best list row of each identity (score, then
    name score, then list row), best first, top_k of them: as a polars sort, unique and
    rank over the same pairs say."""
    from dataclasses import dataclass

    from screening.linkage.explain import ScoredPairs, rank_pairs

    @dataclass
    class _Index:  # what rank_pairs reads: two list rows per identity
        rows: pl.DataFrame
        entry_code: np.ndarray

    index = _Index(
        pl.DataFrame({"entry_id": [f"E{i // 2}" for i in range(8)], "name_id": list("abcdefgh")}),
        np.arange(8) // 2,
    )
    p = np.array([t[0] for t in pairs], dtype=np.int64)
    li = np.array([t[1] for t in pairs], dtype=np.int64)
    score = np.array([t[2] for t in pairs], dtype=np.float64)
    name_score = (li % 3) / 3.0  # ties in score broken by name score, then list row
    zeros = np.zeros(len(p), dtype=np.int8)
    scored = ScoredPairs(p, li, score, name_score, zeros, zeros, zeros, zeros)
    got = rank_pairs(index, scored, threshold, top_k)
    want = (
        pl.DataFrame({"p": p, "l": li, "score": score, "name_score": name_score})
        .with_columns(entry_id=index.rows["entry_id"].gather(li))
        .filter(pl.col("score") >= threshold)
        .sort(["p", "score", "name_score", "l"], descending=[False, True, True, False])
        .unique(["p", "entry_id"], keep="first", maintain_order=True)
        .with_columns(rank=pl.int_range(pl.len()).over("p"))
        .filter(pl.col("rank") < top_k)
    )
    assert (
        got.select("p", "l", "entry_id", "rank").rows()
        == want.select("p", "l", "entry_id", "rank").rows()
    )


def test_given_names_as_initials_pass_the_first_look():
    """TEHRANI A H shares one token with TEHRANY ALIDARIUSH HOSSEIN (token-set ratio under
    the prefilter); read against the list name's initials (A H TEHRANY) it is near, and is
    compared. With `initials_first_look` off it never is. A full name sharing only the
    surname is not kept by this rule (it gives no initial)."""
    from dataclasses import replace

    from screening.linkage.settings import ComparisonConfig, Settings

    listed = lists.from_flat(
        pl.DataFrame(
            [("E0", "TEHRANY", "ALIDARIUSH HOSSEIN", "1993", "M", "IRN", None)],
            schema=L_COLUMNS,
            orient="row",
        ).with_columns(doc_issuer=pl.lit(None, pl.String))
    )
    rows = [
        ("initials", "TEHRANI", "A H", "1993-10-03", "IRN", None, "E0"),
        ("other full name", "TEHRANI", "BABAK MORTEZA", "1993-10-03", "IRN", None, None),
    ]
    p = _passengers(rows)
    assert fuzz.token_set_ratio("A H TEHRANI", "ALIDARIUSH HOSSEIN TEHRANY") < 55

    def compared(on: bool) -> set[str]:
        cmp = ComparisonConfig(initials_first_look=on)
        index = build_index(listed, replace(Settings(), comparisons=cmp))
        return set(screen(index, p, threshold=0.0).alerts["passenger_id"].to_list())

    assert compared(True) == {"P0"}
    assert compared(False) == set()
