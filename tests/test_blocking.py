"""Blocking on hand-made cases: both lookup branches agree, over-common keys are refined by
birth year, and an exact copy of a listed name is compared even without a birth year."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl

from screening.data import lists
from screening.linkage.blocking import HashedKeys, name_keys
from screening.linkage.index import build_index
from screening.linkage.normalize import name_forms
from screening.linkage.screen import blocked_candidates
from screening.linkage.settings import BlockingConfig, Settings

L_COLUMNS = ["entry_id", "surname", "given_names", "dob", "sex", "nationality", "doc_number"]


def _listed(rows: list[tuple]) -> pl.DataFrame:
    """Canonical list rows from (entry_id, surname, given, dob, sex, nationality, doc)."""
    return lists.from_flat(
        pl.DataFrame(rows, schema=L_COLUMNS, orient="row").with_columns(
            doc_issuer=pl.lit(None, pl.String)
        )
    )


def _traveller(surname: str, given: str, dob: str | None, nationality: str | None) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "passenger_id": ["P1"],
            "surname": [surname],
            "given_names": [given],
            "dob": [dob],
            "sex": ["M"],
            "nationality": [nationality],
            "doc_number": [None],
        },
        schema_overrides={"doc_number": pl.String, "nationality": pl.String, "dob": pl.String},
    ).with_columns(pl.col("dob").str.to_date())


def _met(listed: pl.DataFrame, traveller: pl.DataFrame, cfg: BlockingConfig) -> set[str]:
    """The listed identities blocking gives `traveller` as candidates under `cfg`."""
    index = build_index(listed, replace(Settings(), blocking=cfg))
    _, li, _ = blocked_candidates(index, traveller, name_forms(traveller), pl.Series([""]))
    return set(index.rows["entry_id"].gather(li).to_list())


def test_polars_join_branch_equals_searchsorted_branch():
    """Above 50,000 query keys the lookup is a polars join: the same pairs, exactly."""
    keys = pl.DataFrame(
        {"key": pl.Series([f"k{i}" for i in range(100) for _ in (0, 1)]).hash(), "l": range(200)}
    )
    table = HashedKeys.of(keys)
    q_keys = pl.Series([f"k{r % 150}" for r in range(60_000)])  # k100..k149 are not listed
    q_hash, q_row = q_keys.hash().to_numpy(), np.arange(60_000)
    big_p, big_l = table.lookup(q_hash, q_row)
    small = [
        table.lookup(q_hash[i : i + 20_000], q_row[i : i + 20_000]) for i in (0, 20_000, 40_000)
    ]
    small_p = np.concatenate([p for p, _ in small])
    small_l = np.concatenate([li for _, li in small])
    # 40,000 query rows carry a listed key, each key has two list rows.
    assert len(big_p) == len(small_p) == 80_000
    as_set = lambda p, li: set(zip(p.tolist(), li.tolist(), strict=True))  # noqa: E731
    assert as_set(big_p, big_l) == as_set(small_p, small_l)
    # Every pair is right: query row r meets list rows 2k, 2k+1 of its key k = r % 150.
    assert (big_l // 2 == big_p % 150).all()
    nothing = HashedKeys.of(keys.clear()).lookup(q_hash[:10], q_row[:10])
    assert len(nothing[0]) == len(nothing[1]) == 0


def _list_of_namesakes() -> pl.DataFrame:
    """30 listed MOHAMMED ALIs born 1970..1999: every key of theirs is over-common."""
    return _listed(
        [(f"E{i}", "MOHAMMED", "ALI", f"{1970 + i}-01-01", "M", "EGY", None) for i in range(30)]
    )


def _candidates(index, dob: str | None) -> list[str]:
    p = _traveller("MOHAMMED", "ALI", dob, "EGY")
    _, li, _ = blocked_candidates(index, p, name_forms(p), pl.Series([""]))
    return sorted(index.rows["entry_id"].gather(li).to_list())


def test_over_common_keys_are_refined_by_birth_year():
    index = build_index(_list_of_namesakes())
    assert index.blocks.stats["keys_common"] >= 1
    # Born 1980: only the namesake listed as born in 1980 is a candidate.
    assert _candidates(index, "1980-06-01") == ["E10"]
    # Born 1960: no listed MOHAMMED ALI was born then.
    assert _candidates(index, "1960-06-01") == []


def test_exact_copy_without_birth_year_meets_every_listed_namesake():
    """No date of birth (or an unreadable one): the exact name still meets all 30."""
    index = build_index(_list_of_namesakes())
    assert _candidates(index, None) == sorted(f"E{i}" for i in range(30))


def _crowded_list() -> pl.DataFrame:
    """HUSSEIN ALI MOHAMMED (E0) among 26 listed names on each pair of its parts, all
    born in 1999: every pair key of E0 is over-common, and still crowded in 1999."""
    import itertools

    rare = ["V" + "".join(c) for c in itertools.permutations("BFLMNRT", 3)][:78]
    rows = [("E0", "HUSSEIN", "ALI MOHAMMED", "1999-04-10", "M", "EGY", None)]
    pairs = [("HUSSEIN", "MOHAMMED"), ("ALI", "MOHAMMED"), ("HUSSEIN", "ALI")]
    for k, (sur, giv) in enumerate(pairs):
        for i in range(26):
            given = f"{giv} {rare[26 * k + i]}"
            rows.append((f"F{k}{i}", sur, given, "1999-01-01", "M", "EGY", None))
    return _listed(rows)


def test_a_long_name_with_an_added_part_is_found_by_its_triple():
    """KARIM ALI MOHAMMED HUSSEIN, born 1999: every pair of his parts is crowded, so only
    the three listed parts together (`triple`) find E0; without that rule he is missed."""
    p = _traveller("HUSSEIN", "KARIM ALI MOHAMMED", "1999-04-10", None)
    every = BlockingConfig().keys
    assert "E0" in _met(_crowded_list(), p, BlockingConfig(keys=every))
    without = BlockingConfig(keys=tuple(k for k in every if k != "triple"))
    assert "E0" not in _met(_crowded_list(), p, without)


def _aliases_of_one_identity(n_others: int) -> pl.DataFrame:
    """MAKHLOUF RIDA, undated, listed under six spellings of the given names (E0), and
    `n_others` other identities carrying MAKHLOUF: the list's shape of many aliases each."""
    given = ["RIDA", "RIDA TAHA", "REDA", "RIDHA", "RIDA T", "TAHA RIDA"]
    rows = [("E0", "MAKHLOUF", g, None, "M", "DZA", None) for g in given]
    rows += [(f"F{i}", "MAKHLOUF", f"NAME{i}", None, "M", "DZA", None) for i in range(n_others)]
    return _listed(rows)


def test_a_surname_alone_meets_a_rare_identity_whatever_its_number_of_aliases():
    """A traveller giving only MAKHLOUF (FNU) meets the identity whose six aliases carry it:
    a single-token key's block counts identities (1 here), not names (6, over the limit
    of 5). Shared by more identities than the limit, the key is common again."""
    p = _traveller("MAKHLOUF", "FNU", "1967-08-23", "DZA")

    def met(n_others: int, by_identity: bool) -> set[str]:
        cfg = BlockingConfig(token_block_identities=by_identity)
        return _met(_aliases_of_one_identity(n_others), p, cfg)

    assert met(0, by_identity=True) == {"E0"}
    assert met(0, by_identity=False) == set()
    assert met(4, by_identity=True) == {"E0", "F0", "F1", "F2", "F3"}
    assert met(5, by_identity=True) == set()


def test_keys_are_the_same_hashes_in_a_flight_and_in_a_list_of_any_size():
    """A list of more than 50,000 names is keyed by the streaming engine, a flight in
    memory: a name's keys must not depend on which, nor on its neighbours."""
    names = pl.DataFrame(
        {
            "surname": ["AL HASHIMI", "OKONKWO", "GARCIA LOPEZ", "KIM"] * 15_000,
            "given_names": ["ABDUL RAHMAN", "CHINEDU EMEKA", "MARIA JOSE", "SEONG MIN"] * 15_000,
        }
    )
    cfg = BlockingConfig()
    big = name_keys(name_forms(names), cfg)
    small = name_keys(name_forms(names.slice(4, 4)), cfg)
    for row in range(4):
        want = small.filter(pl.col("row") == row).sort("key")
        got = big.filter(pl.col("row") == row + 4).sort("key").with_columns(pl.col("row") - 4)
        assert want.height >= 5 and want.equals(got)
    # Every kind of name key is there, and the kinds hash apart.
    kinds = {"exact", "pair", "triple", "tok", "ini", "word", "inits"}
    assert set(small["kind"].cast(pl.String)) == kinds
    assert small["key"].n_unique() == small.height


def _one_identity_many_aliases_in_a_crowded_year(n_aliases: int) -> pl.DataFrame:
    """E0 listed under `n_aliases` spellings of AHMED MOHAMMED OMAR <surname>, born 2001,
    among 30 identities named AHMED AHMED MOHAMMED OMAR born 1970..1999: every key of
    E0's is over-common, and refined by 2001 holds E0's aliases alone."""
    rows = [
        ("E0", f"BIN AHMED{'I' * i}", "AHMED MOHAMMED OMAR", "2001-01-26", "M", None, None)
        for i in range(n_aliases)
    ]
    rows += [
        (f"F{i}", "AHMED", "AHMED MOHAMMED OMAR", f"{1970 + i}-01-01", "M", None, None)
        for i in range(30)
    ]
    return _listed(rows)


def test_a_year_block_of_one_identitys_many_aliases_is_used():
    """IBN AHMAD AHMED MOHAMMED OMAR, born 2001, meets E0 through its keys refined by
    2001: eleven names in each, over the ten-name limit, but one identity. Counted in names
    only (refined_block_identities=0) the block is dropped and he meets no one; with as
    many identities in that year as names, the block is crowded either way."""
    p = _traveller("IBN AHMAD", "AHMED MOHAMMED OMAR", "2001-01-26", None)

    def met(rows: pl.DataFrame, identities: int) -> set[str]:
        return _met(rows, p, BlockingConfig(refined_block_identities=identities))

    many = _one_identity_many_aliases_in_a_crowded_year(11)
    assert BlockingConfig().refined_block_identities == 7
    assert met(many, 7) == {"E0"}
    assert met(many, 0) == set()
    # Ten aliases are within the name limit: found either way.
    assert met(_one_identity_many_aliases_in_a_crowded_year(10), 0) == {"E0"}
    # Eleven identities born in 2001 on the triple: crowded by both counts.
    crowd = many.with_columns(
        entry_id=pl.when(pl.col("entry_id") == "E0")
        .then(pl.format("E0{}", pl.int_range(pl.len()).over("entry_id")))
        .otherwise(pl.col("entry_id"))
    )
    assert met(crowd, 7) == set()


def test_a_surname_whose_skeleton_is_one_letter_is_found_as_spelled():
    """AZZOUZ FNU, listed without a nationality: AZZOUZ's skeleton is `S` (AZIZ's too), too
    short for a token key of its own, and no other key exists. The spelled token (`word`)
    finds E0; without that kind, nothing. Carried by more than five identities the spelled
    token is common and, unlike the others, not refined by birth year (its skeleton's keys
    are)."""
    p = _traveller("AZZOUZ", "FNU", "1967-08-23", "DZA")

    def met(n_others: int, keys: tuple[str, ...] = BlockingConfig().keys) -> set[str]:
        rows = [("E0", "AZZOUZ", g, "1967-08-23", "M", None, None) for g in ("RIDA", "RIDA T")]
        rows += [
            (f"F{i}", "AZZOUZ", f"V{i:02d}", "1967-01-01", "M", None, None) for i in range(n_others)
        ]
        rows += [(f"G{i}", "AZIZ", f"V{i:02d}", "1967-01-01", "M", None, None) for i in range(30)]
        return _met(_listed(rows), p, BlockingConfig(keys=keys))

    every = BlockingConfig().keys
    assert "word" in every
    assert met(0) == {"E0"}
    assert met(0, tuple(k for k in every if k != "word")) == set()
    assert met(4) == {"E0", "F0", "F1", "F2", "F3"}
    assert met(5) == set()


def test_given_names_as_initials_meet_the_names_they_stand_for():
    """HASSAN A K S, born 1980, against 30 listed HASSANs born that year: every key of his
    is crowded but the given names' initials with the surname (`inits`), which only E0
    (ABDULLAH KHALED SAID) and E1 (ALI KARIM SALEM) share. A traveller writing his given
    names in full has no `inits` key: he is found by his other keys."""
    rows = [
        ("E0", "HASSAN", "ABDULLAH KHALED SAID", "1980-05-01", "M", None, None),
        ("E1", "HASSAN", "ALI KARIM SALEM", "1980-02-01", "M", None, None),
    ]
    rows += [(f"F{i}", "HASSAN", f"ALI V{i:02d}", "1980-01-01", "M", None, None) for i in range(30)]
    listed = _listed(rows)

    def met(given: str, keys: tuple[str, ...]) -> set[str]:
        return _met(
            listed, _traveller("HASSAN", given, "1980-06-01", None), BlockingConfig(keys=keys)
        )

    every = BlockingConfig().keys
    without = tuple(k for k in every if k != "inits")
    assert met("A K S", every) == {"E0", "E1"}
    assert met("A K S", without) == set()
    assert met("ABDULLAH KHALED SAID", every) == met("ABDULLAH KHALED SAID", without)
    assert "E0" in met("ABDULLAH KHALED SAID", every)
