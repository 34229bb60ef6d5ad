"""Evidence levels: one IntEnum per comparison, labels as the explanations print them."""

from screening.linkage import levels
from screening.linkage.levels import Contact, Dob, NameHow, label, labels


def test_labels_follow_the_values_and_never_cross_enums():
    assert labels(Dob) == (
        "missing", "exact", "swap", "near", "partial", "partial_near", "same_year", "differs"
    )  # fmt: skip
    # NameHow.PARTIAL and Dob.PARTIAL are both 4 (equal as ints); only the first is "partial name".
    assert label(NameHow.PARTIAL) == "partial name" and label(Dob.PARTIAL) == "partial"
    assert label(Contact.BOTH) == "both"
    assert levels.NAME_HOW[NameHow.SPELLING] == "spelling"


def test_levels_fit_the_int8_pair_arrays():
    for enum in (levels.Dob, levels.Document, levels.NameHow, levels.Contact, levels.Nationality):
        assert all(-128 <= int(v) <= 127 for v in enum)
        assert len({int(v) for v in enum}) == len(enum)
