import numpy as np
import polars as pl
import pytest
from rapidfuzz.distance import OSA

from screening.generate import corrupt


def _ctx(n, extra="ZZ"):
    return corrupt.NameContext(np.random.default_rng(0), np.full(n, extra, dtype=object))


def _run(model, surname, given, extra="ZZ"):
    n = len(surname)
    s, g = corrupt.apply_name_models(
        np.asarray(surname, dtype=object),
        np.asarray(given, dtype=object),
        {model: np.ones(n, bool)},
        _ctx(n, extra),
    )
    return list(s), list(g)


def test_typo_is_one_keyboard_edit():
    names = ["HASSAN", "GARCIA", "OKONKWO", "SMIRNOV"] * 50
    s, g = _run("typo", names, ["ALI"] * len(names))
    changed = [OSA.distance(a, b) for a, b in zip(names + ["ALI"] * len(names), s + g, strict=True)]
    assert sum(changed) == len(names)  # one edit per row, in one of the two fields
    assert max(changed) == 1


def test_structural_models():
    assert _run("swap", ["ZHANG"], ["WEI"]) == (["WEI"], ["ZHANG"])
    assert _run("drop_token", ["NASR"], ["HASSAN MOHAMMED"]) == (["NASR"], ["HASSAN"])
    assert _run("drop_token", ["GARCIA LOPEZ"], ["ANA"]) == (["GARCIA"], ["ANA"])
    assert _run("drop_token", ["NASR"], ["HASSAN"]) == (["NASR"], [""])
    assert _run("add_token", ["NASR"], ["HASSAN"], "OMAR") == (["NASR"], ["HASSAN OMAR"])
    assert _run("initial", ["NASR"], ["HASSAN MOHAMMED"]) == (["NASR"], ["H M"])
    assert _run("compound", ["ALI"], ["ABDUL RAHMAN"]) == (["ALI"], ["ABDULRAHMAN"])
    assert _run("compound", ["ALI"], ["ABDULRAHMAN"]) == (["ALI"], ["ABDUL RAHMAN"])


def test_particle_changes_only_the_particle():
    s, _ = _run("particle", ["AL-HASHIMI"] * 40 + ["VAN DIJK"] * 40, ["X"] * 80)
    assert all(v != "AL-HASHIMI" and v.endswith("HASHIMI") for v in s[:40])
    assert {v for v in s[:40]} <= {"EL-HASHIMI", "AL HASHIMI", "ALHASHIMI", "HASHIMI"}
    assert set(s[40:]) <= {"VANDIJK", "DIJK"} and len(set(s[40:])) == 2


def test_phonetic_respells_one_sound():
    s, g = _run("phonetic", ["PHILLIPS"] * 30, ["KHALED"] * 30)
    for a, b in zip(s, g, strict=True):
        assert (a != "PHILLIPS") != (b != "KHALED")  # exactly one part changed


def test_dates():
    dob = np.array(["2001-03-07", "1990-12-25", "1985-05-05"], dtype="datetime64[D]")
    assert corrupt.dob_swap_applicable(dob).tolist() == [True, False, False]
    swapped = corrupt.dob_swap(dob, np.array([True, False, False]))
    assert str(swapped[0]) == "2001-07-03" and swapped[1] == dob[1]
    shifted = corrupt.dob_shift(np.random.default_rng(1), dob, np.ones(3, bool))
    assert (np.abs((shifted - dob).astype(int)) == 1).all()


def test_doc_ocr_swaps_one_confusable_character():
    doc = np.array(["AB1234567", "X00000000", "ZZZZ"], dtype=object)
    out = corrupt.doc_ocr(np.random.default_rng(2), doc, np.ones(3, bool))
    for a, b in zip(doc, out, strict=True):
        diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        assert len(diff) == 1 and corrupt.OCR_PAIRS[diff[0][0]] == diff[0][1]
    assert corrupt.ocr_applicable(np.array(["ACDEFGH", "A0"], dtype=object)).tolist() == [
        False,
        True,
    ]


def test_choose_gives_k_distinct_applicable_models():
    rng = np.random.default_rng(5)
    names = ("a", "b", "c", "d")
    n = 20_000
    applicable = {"d": np.zeros(n, bool), "c": np.arange(n) % 2 == 0}
    got = corrupt.choose(
        rng, names, {"a": 1, "b": 1, "c": 1, "d": 1}, (0.2, 0.4, 0.3, 0.1), applicable, n
    )
    assert not got[:, 3].any()
    assert not got[1::2, 2].any()
    k = got.sum(axis=1)
    even = k[::2]  # three models applicable: k follows the requested distribution
    share = np.bincount(even, minlength=4) / len(even)
    assert share == pytest.approx([0.2, 0.4, 0.3, 0.1], abs=0.02)
    assert k[1::2].max() == 2  # only two applicable on odd rows


def test_apply_name_models_leaves_unchosen_rows_alone():
    s = np.array(["SMITH", "JONES"], dtype=object)
    g = np.array(["JOHN", "MARY"], dtype=object)
    out = corrupt.apply_name_models(s, g, {"typo": np.array([True, False])}, _ctx(2))
    assert out[0][1] == "JONES" and out[1][1] == "MARY"
    assert pl.Series(out[0]).dtype == pl.String
