import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.linkage.normalize import (
    FORM_COLUMNS,
    SCREENING_FORMS,
    fold,
    name_forms,
    skeleton,
    sorted_tokens,
)


def test_fold_cases():
    raw = [
        "al-Hashimi",
        "O'Brien",
        "Müller",
        "  de la  Cruz ",
        "FNU",
        "Смирнов",
        "محمد",
        "Zhang-Wei",
        None,
        "Jean—Pierre",
    ]
    assert fold(pl.Series(raw)).to_list() == [
        "AL HASHIMI",
        "OBRIEN",
        "MULLER",
        "DE LA CRUZ",
        "",
        "SMIRNOV",
        "MHMD",
        "ZHANG WEI",
        "",
        "JEAN PIERRE",
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=20))
def test_fold_is_idempotent(texts):
    once = fold(pl.Series(texts, dtype=pl.String))
    assert fold(once).to_list() == once.to_list()
    assert once.str.contains(r"^[A-Z ]*$").all()


def test_skeleton_merges_romanizations():
    groups = [
        ["MOHAMMED", "MUHAMMAD", "MOHAMED", "MOHAMMAD"],
        ["ZHANG", "CHANG", "CHEUNG"],
        ["HUSSEIN", "HOSSEIN", "HUSAYN"],
        ["YULIYA", "IULIIA"],
        ["AHMED", "AHMET"],
        ["GADDAFI", "GADHAFI", "QADHAFI", "QADDAFI"],  # DH: an aspirated D, Arabic dhal
    ]
    for g in groups:
        assert len(set(skeleton(pl.Series(g)).to_list())) == 1, g
    assert skeleton(pl.Series(["SMITH"]))[0] != skeleton(pl.Series(["JONES"]))[0]


def test_skeleton_values_keep_their_rows():
    got = skeleton(pl.Series(["TSCHAIKA", None, "AEI", "KHAN", "TSCHAIKA", "PHILLIPPE"]))
    # Vowels dropped, doubles merged; an all-vowel token keeps its first letter.
    assert got.to_list() == ["SK", None, "A", "HN", "SK", "FLB"]


def test_skeleton_is_one_pass_per_step():
    # A group's output is not read again by a later group (KH -> H is not then TH -> T),
    # the earlier group wins where two start at one letter (TSCH before TS, SH before HS),
    # and a run of any length becomes one letter.
    got = skeleton(pl.Series(["OTKHAMMAD", "TSCHAI", "HSIEH", "BBBBBBBBBBBBBB", "ASHSHAMI"]))
    assert got.to_list() == ["THMT", "S", "SH", "B", "SM"]


def test_name_forms_are_order_free_and_compound_proof():
    f = name_forms(
        pl.DataFrame(
            {
                "surname": ["AL-HASHIMI", "Abdul Rahman", "NASR"],
                "given_names": ["Abdul Rahman", "al Hashimi", "M. A."],
            }
        )
    )
    assert f["sorted_core"][0] == f["sorted_core"][1] == "ABDUL HASHIMI RAHMAN"
    assert f["compact_gs"][0] == "ABDULRAHMANHASHIMI"
    assert f["compact_sg"][1] == "ABDULRAHMANHASHIMI"
    assert f["initials_sorted"][2] == "A M NASR"


def test_honorifics_before_given_names_are_not_name_parts():
    """OFAC a.k.a. names add HAJI, QARI, MULLAH, SHEIKH before the given names: the name
    is the rest. A surname SHEIKH and a given name that is only a title stay."""
    f = name_forms(
        pl.DataFrame(
            {
                "surname": ["JAVED", "JAVED", "Javed", "SHEIKH", "JAVED"],
                "given_names": ["Nasir", "Haji Nasir", "Mullah Qari Nasir", "Ahmed", "Haji"],
            }
        )
    )
    core = f["core"].to_list()
    assert core[0] == core[1] == core[2] == ["NASIR", "JAVED"]
    assert core[3] == ["AHMED", "SHEIKH"] and core[4] == ["HAJI", "JAVED"]


def names_rows(most: int) -> st.SearchStrategy:
    """(surname, given names) rows with particles, accents, punctuation and nulls."""
    part = st.one_of(st.none(), st.text(alphabet="ABC al-bin' É", max_size=14))
    return st.lists(st.tuples(part, part), min_size=1, max_size=most)


@settings(max_examples=40, deadline=None)
@given(
    names_rows(8),
    st.sets(st.sampled_from(FORM_COLUMNS), min_size=1),
)
def test_any_subset_of_forms_equals_those_of_the_full_set(names, columns):
    frame = pl.DataFrame(names, schema=["surname", "given_names"], orient="row")
    wanted = tuple(c for c in FORM_COLUMNS if c in columns)
    assert name_forms(frame, wanted).equals(name_forms(frame).select(wanted))
    assert name_forms(frame, SCREENING_FORMS).columns == list(SCREENING_FORMS)


def test_sorted_tokens_sort_each_name_alike_however_many_names():
    """A flight's few names are sorted per row, a day's by one flat sort: the same forms,
    empty names and repeated tokens included."""
    rng = np.random.default_rng(5)
    vocab = ["ALI", "AL", "ZHANG", "WEI", "", "NGUYEN", "ANH", "ABD", "ALI"]
    names = [
        [vocab[i] for i in rng.integers(0, len(vocab), rng.integers(0, 5))] for _ in range(2_500)
    ]
    names = [[t for t in n if t] for n in names]
    series = pl.Series("core", names, dtype=pl.List(pl.String))
    want = [" ".join(sorted(n)) for n in names]
    assert sorted_tokens(series).to_list() == want
    assert sorted_tokens(series.head(40)).to_list() == want[:40]
    assert sorted_tokens(series.slice(700, 1_200)).to_list() == want[700:1_900]


@settings(max_examples=30, deadline=None)
@given(names_rows(12))
def test_forms_made_in_row_ranges_on_threads_equal_those_made_at_once(names):
    """A large frame's forms are made range by range on threads (THREADED_FROM, here
    lowered to 2 rows): the same rows in the same order, nulls and empty names included."""
    import screening.linkage.normalize as normalize

    frame = pl.DataFrame(names, schema=["surname", "given_names"], orient="row")
    at_once = name_forms(frame)
    lowered = normalize.THREADED_FROM
    normalize.THREADED_FROM = 2
    try:
        in_ranges = name_forms(frame)
    finally:
        normalize.THREADED_FROM = lowered
    assert in_ranges.equals(at_once)
