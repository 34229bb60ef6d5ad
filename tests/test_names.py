import re

import numpy as np
import polars as pl
import pytest

from screening.generate import romanize
from screening.generate.names import build_name_table, known_origins
from screening.paths import data_dir

REQUIRED = {
    "arabic",
    "persian",
    "turkish",
    "russian",
    "ukrainian",
    "chinese",
    "south_asian",
    "west_african",
    "hispanic",
    "french",
    "german",
    "english",
}


@pytest.fixture(scope="module")
def table():
    return build_name_table()


@pytest.fixture(scope="module")
def rules():
    return romanize.load_rules(data_dir())


def test_at_least_twelve_origins_including_the_required_ones():
    assert len(known_origins()) >= 12
    assert set(known_origins()) >= REQUIRED


def _spellings(table, native):
    ids = np.flatnonzero(table.native == native)
    assert len(ids), native
    i = ids[0]
    return list(table.variants[table.var_start[i] : table.var_start[i] + table.var_count[i]])


def test_native_script_is_kept_and_romanized_several_ways(table):
    assert {"MOHAMMED", "MUHAMMAD", "MOHAMED"} <= set(_spellings(table, "محمد"))
    assert _spellings(table, "Смирнов")[0] == "SMIRNOV"
    assert {"ZHANG", "CHANG", "CHEUNG"} <= set(_spellings(table, "张"))
    by_origin = {o.key: i for i, o in enumerate(table.origins)}
    scripts = {
        "arabic": "\u0600",
        "persian": "\u0600",
        "russian": "\u0400",
        "ukrainian": "\u0400",
        "chinese": "\u4e00",
    }
    for origin, lo in scripts.items():
        natives = table.native[table.origin == by_origin[origin]]
        in_script = [n for n in natives[:50] if any(ord(c) >= ord(lo) for c in n)]
        assert len(in_script) == 50, origin
    # Document forms are plain A-Z (plus space, hyphen, apostrophe).
    assert pl.Series(table.variants, dtype=pl.String).str.contains(r"^[A-Z' -]+$").all()


def test_romanization_rules(rules):
    assert romanize.cyrillic("Юлия", ["icao", "bgn"], rules)[:2] == ["IULIIA", "YULIYA"]
    assert "ALEXANDR" in romanize.cyrillic("Александр", ["icao"], rules)
    assert romanize.cyrillic("Євген", ["ukrainian_national", "bgn"], rules)[0] == "YEVHEN"
    assert romanize.pinyin("晓明", False, rules) == [
        "XIAOMING",
        "XIAO MING",
        "HSIAO-MING",
        "HSIAOMING",
    ]
    assert romanize.latin("Müller", "german", rules) == ["MUELLER", "MULLER"]
    assert romanize.latin("Şahin", "turkish", rules) == ["SAHIN", "SHAHIN"]
    assert romanize.latin("François", "french", rules) == ["FRANCOIS"]
    assert "MOHAMMED" in romanize.latin("Muhammadu", "west_african", rules)


def test_names_follow_a_zipf_law_inside_an_origin(table):
    rng = np.random.default_rng(0)
    origin = np.zeros(200_000, dtype=np.int16) + [o.key for o in table.origins].index("russian")

    def ranked(kind: int) -> np.ndarray:
        counts = np.sort(np.bincount(table.sample(rng, origin, kind)))[::-1]
        return counts[counts > 0]

    # Given names, exponent 1: rank 1 is about 10x as common as rank 10, far above the median.
    given = ranked(0)
    assert 6 < given[0] / given[9] < 15
    assert given[0] > 50 * np.median(given)
    # Surnames, exponent 0.5 (origins.toml) over the table, then a flat tail: 10 ** 0.5.
    surnames = ranked(2)
    assert 2.5 < surnames[0] / surnames[9] < 4
    assert surnames[0] > 20 * np.median(surnames)


def test_surnames_take_their_female_form(table):
    i = np.flatnonzero(table.native == "Иванов")[0]
    assert table.native[table.female_form[i]] == "Иванова"


def test_korean_names_romanize_by_rule_and_convention():
    from screening.generate.names import build_name_table
    from screening.generate.romanize import hangul, load_rules
    from screening.paths import data_dir

    rules = load_rules(data_dir())
    # Revised Romanization joined first (the passport form), then by syllable, then
    # McCune-Reischauer without diacritics and the spelling many choose in English.
    assert hangul("민준", rules) == ["MINJUN", "MIN-JUN", "MIN JUN", "MINCHUN"]
    assert hangul("현우", rules)[0] == "HYEONU" and hangul("현우", rules)[-1] == "HYUNWOO"
    table = build_name_table()
    korean = next(i for i, o in enumerate(table.origins) if o.key == "korean")
    ids, cdf = table.pools[(korean, 2)]
    share = np.diff(np.r_[0.0, cdf]) / cdf[-1]

    def spell(i):
        return list(table.variants[table.var_start[i] : table.var_start[i] + table.var_count[i]])

    # Statistics Korea 2015: Kim 21.5 %, Lee 14.7 %; conventional spellings kept.
    assert spell(ids[0]) == ["KIM", "GIM"] and round(share[0], 3) == 0.215
    assert spell(ids[1])[:3] == ["LEE", "YI", "RHEE"] and round(share[1], 3) == 0.147
    assert table.origins[korean].surname_first and table.origins[korean].non_latin


def test_a_passport_never_carries_another_cultures_name():
    """Cross-cultural equivalents (MAMADOU for MOHAMMED) stay spellings for aliases and
    corruptions, but a document carries only the name's own spellings."""
    from screening.generate.names import build_name_table

    table = build_name_table()
    fewer = np.flatnonzero(table.doc_count < table.var_count)
    assert len(fewer) > 0 and (table.doc_count >= 1).all()
    rng = np.random.default_rng(0)
    picks = table.doc_variant(rng, np.repeat(fewer, 50))
    assert (picks < np.repeat(table.doc_count[fewer], 50)).all()


def test_tail_names_are_new_distinct_and_reproducible():
    from screening.generate.names import _tail

    table = ["SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "MILLER", "DAVIS", "WILSON"] * 3
    made = _tail(table, 150, seed=7)
    assert len(made) == 150 and len(set(made)) == 150
    assert not set(made) & set(table)
    assert all(3 <= len(w) <= 14 and w.isalpha() for w in made)
    assert made == _tail(table, 150, seed=7)  # the same data and seed, the same names
    # Too small a table for the character model: compounds fill in, never three
    # consonants in a row.
    few = _tail(["YILMAZ", "KAYA", "DEMIR", "CELIK", "SAHIN"], 60, seed=1)
    assert len(few) == 60 and not any(re.search("[^AEIOUY]{3}", w) for w in few[-20:])


def test_persian_surnames_are_built_from_parts_in_both_scripts():
    from screening.generate.names import _surname_compounds

    parts = {
        "suffix": [("زاده", ["ZADEH", "ZADE"])],
        "prefix": [("میر", ["MIR"])],
        "place": [("تبریزی", ["TABRIZI"])],
    }
    got = dict(
        _surname_compounds(
            surnames=[("کریمی", ["KARIMI", "KAREEMI"])],
            given=[("علی", ["ALI"])],
            parts=parts,
        )
    )
    assert got == {
        "علیزاده": ["ALIZADEH", "ALIZADE"],
        "کریمزاده": ["KARIMZADEH", "KARIMZADE", "KAREEMZADEH", "KAREEMZADE"],
        "میرکریمی": ["MIRKARIMI", "MIRKAREEMI"],
        "تبریزی": ["TABRIZI"],
    }


def test_compound_given_names_pair_two_names_as_common_as_they_are():
    from screening.generate.names import _given_compounds

    head = [
        (0, "محمد", ["MOHAMMAD", "MOHAMMED"], 0.6, None),
        (0, "رضا", ["REZA"], 0.3, None),
        (0, "محمدرضا", ["MOHAMMADREZA"], 0.1, None),  # already a name of its own
    ]
    pairs, share = _given_compounds(head)
    got = dict(zip([n for n, _ in pairs], share.round(4).tolist(), strict=True))
    spelled = dict(pairs)
    assert "محمدرضا" not in got
    assert spelled["رضامحمد"] == ["REZAMOHAMMAD", "REZA MOHAMMAD", "REZAMOHAMMED"]
    # Weights as products of the two names' weights, normalized.
    assert got["رضامحمد"] == round(0.18 / (0.18 + 0.06 + 0.06 + 0.03 + 0.03), 4)


def test_the_disk_cache_gives_the_same_table_and_survives_damage(tmp_path, monkeypatch):
    """A table read back from the cache equals the built one array for array; a damaged
    cache file is rebuilt, not trusted; SCREENING_CACHE=off writes nothing."""
    from screening.generate import names

    monkeypatch.setenv("SCREENING_CACHE", str(tmp_path))
    names._cached_name_table.cache_clear()
    built = build_name_table()
    (cached,) = tmp_path.glob("name-table-*.pickle")
    names._cached_name_table.cache_clear()
    again = build_name_table()
    assert again is not built
    for field in ("origin", "kind", "native", "var_start", "var_count", "variants", "doc_count"):
        assert np.array_equal(getattr(again, field), getattr(built, field)), field
    assert again.pools.keys() == built.pools.keys()
    assert all(np.array_equal(again.pools[k][1], built.pools[k][1]) for k in built.pools)
    cached.write_bytes(b"not a pickle")
    names._cached_name_table.cache_clear()
    assert np.array_equal(build_name_table().variants, built.variants)
    assert cached.stat().st_size > 1000  # written again, whole
    monkeypatch.setenv("SCREENING_CACHE", "off")
    assert names._cache_file(1.0, data_dir()) is None
    names._cached_name_table.cache_clear()
