"""Letter signatures bound fuzz.ratio from above, and the views they spare are never a
pair's best: name similarity and the first look equal scoring every pair."""

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from screening.linkage.comparisons.letters import letter_signatures, ratio_bound
from screening.linkage.comparisons.names import name_arrays, name_similarity, token_overlap
from screening.linkage.normalize import name_forms

# Few letters, many repeats (counts beyond the cap of four), spaces, and a character
# outside A-Z (no bound).
TEXT = st.text(alphabet="AAAAEINRS Ö", max_size=24)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=40))
def test_the_bound_is_never_below_the_ratio(pairs):
    a = letter_signatures(pl.Series([x for x, _ in pairs]))
    b = letter_signatures(pl.Series([y for _, y in pairs]))
    bound = ratio_bound(a, b)
    ratio = np.array([fuzz.ratio(x, y) / 100 for x, y in pairs])
    assert (bound + 1e-9 >= ratio).all()


def test_the_bound_is_exact_values_on_hand_made_strings():
    a = letter_signatures(pl.Series(["AAAAAAA", "ABC", "ÄB", None, "AB", "A" * 70_000]))
    b = letter_signatures(pl.Series(["AAAAA", "CBA", "AB", "AB", "XY", "B"]))
    # Seven A against five: five in common, 10 / 12. Anagrams: 1.0 (the ratio is 1/3).
    # A character outside A-Z and space: no bound. Nothing against two letters: 0. A
    # string too long for the signature's length field: no bound.
    assert np.allclose(ratio_bound(a, b), [10 / 12, 1.0, 1.0, 0.0, 0.0, 1.0])


# Names from a few parts, so that pairs share tokens, glue compounds, reorder, repeat a
# token and give initials: the cases where each view is the best; and anagrams (AMIR,
# RAMI, MIRA), alike in letters with no token or skeleton in common: the first look's
# bound is at its tightest there.
PART = st.sampled_from(
    ["ABDUL", "RAHMAN", "ABDULRAHMAN", "ALI", "ALY", "M", "MOHAMMED", "LI", "AMIR", "RAMI", "MIRA"]
)
NAME = st.lists(PART, min_size=1, max_size=4).map(" ".join)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(NAME, NAME), min_size=2, max_size=25), st.randoms())
def test_sparing_views_by_their_letters_changes_no_similarity(names, rnd):
    frame = pl.DataFrame({"surname": [s for s, _ in names], "given_names": [g for _, g in names]})
    bounded = name_arrays(name_forms(frame))
    plain = {k: v for k, v in bounded.items() if not k.startswith("letters:")}
    n = len(names)
    pi = np.array([rnd.randrange(n) for _ in range(60)])
    li = np.array([rnd.randrange(n) for _ in range(60)])
    # token_set_ratio itself, pair by pair: the first look scores names that share no
    # token by the plain ratio of their sorted tokens, and must agree with it.
    s_set = np.array(
        [
            fuzz.token_set_ratio(plain["sorted_core"][a], plain["sorted_core"][b])
            for a, b in zip(pi, li, strict=True)
        ],
        dtype=np.float32,
    ) / np.float32(100)
    assert np.array_equal(token_overlap(plain, plain, pi, li), s_set)
    for floor in (0.3, 0.55, 0.8):
        first = token_overlap(bounded, bounded, pi, li, floor=floor)
        scored = ~np.isnan(first)
        assert np.array_equal(first[scored], s_set[scored])
        assert (s_set[~scored] < floor).all()
    sim, how = name_similarity(bounded, bounded, pi, li, s_set)
    ref_sim, ref_how = name_similarity(plain, plain, pi, li, s_set)
    assert np.array_equal(sim, ref_sim)
    assert np.array_equal(how, ref_how)


def test_a_repeated_token_is_not_proved_below():
    """token_set_ratio drops a repeated token: AMIR AMIR against RAMI is AMIR against RAMI
    (0.75), which the letters of the whole of AMIR AMIR would put under 0.62."""
    frame = pl.DataFrame({"surname": ["AMIR", "RAMI"], "given_names": ["AMIR", ""]})
    arr = name_arrays(name_forms(frame))
    pi, li = np.array([0]), np.array([1])
    assert token_overlap(arr, arr, pi, li)[0] == np.float32(0.75)
    assert token_overlap(arr, arr, pi, li, floor=0.7)[0] == np.float32(0.75)
