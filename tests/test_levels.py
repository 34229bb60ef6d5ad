"""Evidence levels: one IntEnum per comparison, labels as the explanations print them."""

import numpy as np
import pytest

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


def test_learned_name_levels_scale_the_names_information():
    from screening.linkage.scoring import learned_name_bits

    edges = (0.7, 0.8, 0.999)
    table = {"below": -6.0, ">=0.7": 0.2, ">=0.8": 0.6, "exact": 1.0, "transliteration": 0.5}
    sim = np.array([0.5, 0.7, 0.75, 0.8, 0.999, 0.9, 0.9])
    how = np.array([NameHow.SPELLING] * 6 + [NameHow.TRANSLITERATION])
    bits = np.full(len(sim), 20.0)
    got = learned_name_bits(sim, bits, table, edges, how)
    share = np.array([0.0, 0.2, 0.4, 0.6, 1.0, 0.6 + 0.4 * (0.1 / 0.199), 0.5])
    assert got == pytest.approx(share * 20.0 + (1 - share) * -6.0)
    # Without the how, a transliteration is read as its similarity says.
    assert learned_name_bits(sim, bits, table, edges)[-1] == pytest.approx(got[-2])


def test_a_shared_part_below_the_first_edge_has_its_own_learned_share():
    from screening.linkage.scoring import learned_name_bits, name_levels

    edges = (0.7, 0.8, 0.999)
    table = {"below": -6.0, ">=0.7": 0.2, ">=0.8": 0.6, "exact": 1.0, "transliteration": 0.5}
    table["shared part"] = 0.25
    sim = np.array([0.5, 0.5, 0.75])
    how = np.array([NameHow.SHARED_PART, NameHow.SPELLING, NameHow.SHARED_PART])
    # Above the first edge a name is scored by its similarity, whatever shares it.
    assert name_levels(sim, how, edges).tolist() == [5, 0, 1]
    got = learned_name_bits(sim, np.full(3, 20.0), table, edges, how)
    share = np.array([0.25, 0.0, 0.4])
    assert got == pytest.approx(share * 20.0 + (1 - share) * -6.0)
    assert label(NameHow.SHARED_PART) == "shared part"


def test_without_learned_weights_a_shared_part_is_no_disagreement():
    from screening.linkage.scoring import log_odds
    from screening.linkage.settings import ScoringConfig

    cfg = ScoringConfig()
    sim = np.array([0.5, 0.5, 0.9])
    how = np.array([NameHow.SHARED_PART, NameHow.SPELLING, NameHow.SHARED_PART])
    zeros = np.zeros(3, dtype=np.int8)
    args = (sim, np.full(3, 20.0), zeros, np.ones(3), zeros, zeros, zeros, cfg)
    name = log_odds(*args, name_how=how)["name"]
    assert name[:2].tolist() == [0.0, cfg.name_disagree_bits]
    assert name[2] == log_odds(*args)["name"][2]  # above the floor the curve says it
