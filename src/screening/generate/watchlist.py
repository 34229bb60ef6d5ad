"""The watch list: listed identities with aliases, partial dates of birth, nationalities,
known documents and contacts, plus the long `watchlist_names` table matching runs on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from screening.generate import contacts
from screening.generate.codes import sequential_ids
from screening.generate.names import NameTable
from screening.generate.people import (
    GIVEN_F,
    GIVEN_M,
    People,
    name_strings,
    original_script,
    sample_origins,
    sample_people,
)
from screening.generate.scenario import ALIAS_KINDS, DOB_FORMS, Scenario

LIST_NAMES = {"un_designated": "UN-SC-CONSOLIDATED", "national_kst": "NATIONAL-KST"}


@dataclass(frozen=True)
class ListedWorld:
    people: People  # one per identity; names are the primary (listed) spellings
    entry_id: np.ndarray
    dob_exact: np.ndarray  # bool: the list knows the full date of birth
    phone: np.ndarray  # object, '' when the list knows no contact
    email: np.ndarray
    watchlist: pl.DataFrame
    names: pl.DataFrame


def build_watchlist(
    rng: np.random.Generator,
    table: NameTable,
    s: Scenario,
    ref: np.datetime64,
    residences: np.ndarray,
) -> ListedWorld:
    """Listed identities and their list records."""
    n = s.population.listed_identities
    wl = s.watchlist
    origin = sample_origins(rng, table, wl.origins or s.population.origins, n)
    female = rng.random(n) < 0.15
    ages = rng.uniform(20, 65, n)
    people = sample_people(
        rng, table, origin, female, ref, ages, s.population.mononym_share, residences
    )
    people = _lengthen(rng, table, people, wl.name_words)
    second = rng.random(n) < wl.second_nationality
    other = residences[rng.integers(0, len(residences), n)]
    people = people.replace(
        nationality2=np.where(second & (other != people.nationality), other, "").astype(object)
    )
    entry_id = sequential_ids("E", n)
    un = rng.random(n) < wl.un_designated_share
    category = np.where(un, "un_designated", "national_kst")
    dob_kind = _pick(rng, DOB_FORMS, wl.dob_forms, n)
    year_from, year_to = _dob_years(rng, people.dob, dob_kind)
    doc_known = rng.random(n) < wl.documents_known
    nat_unknown = rng.random(n) < wl.nationality_unknown
    contact_known = rng.random(n) < wl.contacts_known
    surname, given = name_strings(table, people)
    phone = np.where(contact_known, contacts.phones(rng, n), "").astype(object)
    email = np.where(contact_known, contacts.emails(rng, surname, given), "").astype(object)
    frame = pl.DataFrame(
        {
            "entry_id": pl.Series(entry_id, dtype=pl.String),
            "list_name": pl.Series(
                np.where(un, LIST_NAMES["un_designated"], LIST_NAMES["national_kst"]).astype(
                    object
                ),
                dtype=pl.String,
            ),
            "category": pl.Series(category.astype(object), dtype=pl.String),
            "reference": pl.Series(
                np.where(un, "QDi.", "KST.").astype(object) + entry_id, dtype=pl.String
            ),
            "dob": pl.Series(
                np.where(dob_kind == "exact", people.dob, np.datetime64("NaT")), dtype=pl.Date
            ),
            "dob_year_from": pl.Series(year_from, dtype=pl.Int16),
            "dob_year_to": pl.Series(year_to, dtype=pl.Int16),
            "dob_kind": pl.Series(dob_kind.astype(object), dtype=pl.String),
            "sex": pl.Series(np.where(female, "F", "M").astype(object), dtype=pl.String),
            # The list may not know a nationality its person's passport carries.
            "nationalities": _list_col(
                np.where(nat_unknown, "", people.nationality).astype(object),
                np.where(nat_unknown, "", people.nationality2).astype(object),
            ),
            "documents": _list_col(np.where(doc_known, people.doc_number, "").astype(object)),
            "document_issuers": _list_col(
                np.where(doc_known, people.doc_issuer, "").astype(object)
            ),
            "phones": _list_col(phone),
            "emails": _list_col(email),
        }
    )
    names = _names(rng, table, s, people, entry_id, surname, given)
    return ListedWorld(
        people=people,
        entry_id=entry_id,
        dob_exact=dob_kind == "exact",
        phone=phone,
        email=email,
        watchlist=frame,
        names=names,
    )


def _lengthen(
    rng: np.random.Generator, table: NameTable, people: People, name_words: tuple[float, ...]
) -> People:
    """More given names for listed people whose name is shorter than a word count drawn
    from `name_words` (lists record the father's and grandfather's names, the second given
    name), up to as many given names as their origin's people may have."""
    p = np.asarray(name_words, dtype=np.float64)
    target = rng.choice(len(p), size=len(people), p=p / p.sum()) + 1
    most = np.array([len(o.given_names) for o in table.origins])[people.origin]
    chain = np.array([o.patronymic for o in table.origins])[people.origin]
    given = people.given.copy()
    for j in range(1, given.shape[1]):
        surname, first = name_strings(table, people.replace(given=given))
        words = (
            pl.Series((first.astype(object) + " ") + surname, dtype=pl.String)
            .str.strip_chars()
            .str.count_matches(" ")
            + 1
        )
        more = (words.to_numpy() < target) & (given[:, j] < 0) & (given[:, 0] >= 0) & (j < most)
        other = np.where(
            people.female & ~chain,
            table.sample(rng, people.origin, GIVEN_F),
            table.sample(rng, people.origin, GIVEN_M),
        )
        given[:, j] = np.where(more & (other != given[:, j - 1]), other, given[:, j])
    return people.replace(given=given)


def _pick(rng: np.random.Generator, names: tuple[str, ...], w: dict[str, float], n: int):
    p = np.array([w.get(k, 0.0) for k in names])
    return np.asarray(names, dtype=object)[rng.choice(len(names), size=n, p=p / p.sum())]


def _dob_years(rng: np.random.Generator, dob: np.ndarray, kind: np.ndarray):
    year = dob.astype("datetime64[Y]").astype(int) + 1970
    n = len(dob)
    half = rng.integers(1, 3, n)
    centre = year + rng.integers(-1, 2, n)  # "circa" is itself approximate
    width = rng.integers(2, 11, n)
    low = year - rng.integers(0, width + 1)
    lo = np.select(
        [kind == "exact", kind == "year", kind == "approximate", kind == "range"],
        [year, year, centre - half, low],
        -1,
    )
    hi = np.select(
        [kind == "exact", kind == "year", kind == "approximate", kind == "range"],
        [year, year, centre + half, low + width],
        -1,
    )
    return _nullable_year(lo), _nullable_year(hi)


def _nullable_year(a: np.ndarray) -> pl.Series:
    s = pl.Series(a, dtype=pl.Int16)
    return pl.select(pl.when(s >= 0).then(s)).to_series()


def _list_col(*cols: np.ndarray) -> pl.Series:
    frame = pl.DataFrame({f"c{i}": pl.Series(c, dtype=pl.String) for i, c in enumerate(cols)})
    return frame.select(
        pl.concat_list(pl.all()).list.eval(pl.element().filter(pl.element() != ""))
    ).to_series()


def _names(
    rng: np.random.Generator,
    table: NameTable,
    s: Scenario,
    people: People,
    entry_id: np.ndarray,
    surname: np.ndarray,
    given: np.ndarray,
) -> pl.DataFrame:
    """Primary name plus aliases: other romanizations, other names, partial names."""
    n = len(people)
    p = np.asarray(s.watchlist.names_per_identity, dtype=np.float64)
    n_names = rng.choice(len(p), size=n, p=p / p.sum()) + 1
    idx = np.repeat(np.arange(n), n_names - 1)
    primary = pl.DataFrame(
        {
            "entry_id": pl.Series(entry_id, dtype=pl.String),
            "surname": pl.Series(surname, dtype=pl.String),
            "given_names": pl.Series(given, dtype=pl.String),
            "original_script": pl.Series(original_script(table, people).tolist(), dtype=pl.String),
            "is_primary": np.ones(n, bool),
            "quality": pl.Series(np.full(n, "good", object), dtype=pl.String),
            "_order": np.arange(n) * 1024,
        }
    )
    aliases = []  # rounds of alias rows: a few
    for rnd in range(4):
        if len(idx) == 0:
            break
        a_sur, a_given, a_native, low = _alias_rows(rng, table, s, people, idx)
        aliases.append(
            pl.DataFrame(
                {
                    "entry_id": pl.Series(entry_id[idx], dtype=pl.String),
                    "surname": pl.Series(a_sur, dtype=pl.String),
                    "given_names": pl.Series(a_given, dtype=pl.String),
                    "original_script": pl.Series(a_native.tolist(), dtype=pl.String),
                    "is_primary": np.zeros(len(idx), bool),
                    "quality": pl.Series(
                        np.where(low, "low", "good").astype(object), dtype=pl.String
                    ),
                    "_order": idx * 1024 + 64 * rnd + 1 + _rank_within(idx),
                }
            )
        )
        # Aliases that repeat a name already listed are dropped below; draw again for the
        # identities left short of their number of names (lists count distinct names).
        have = _distinct(pl.concat([primary, *aliases]), entry_id)
        short = np.maximum(n_names - have, 0)
        idx = np.repeat(np.arange(n), short)
    frame = pl.concat([primary, *aliases])
    frame = (
        frame.sort("_order")
        .unique(subset=["entry_id", "surname", "given_names"], keep="first", maintain_order=True)
        .filter((pl.col("surname") != "") | (pl.col("given_names") != ""))
        .with_columns(
            pl.when(pl.col("given_names") == "")
            .then(None)
            .otherwise(pl.col("given_names"))
            .alias("given_names"),
            pl.when(pl.col("surname") == "")
            .then(None)
            .otherwise(pl.col("surname"))
            .alias("surname"),
        )
    )
    k = frame.select(pl.int_range(pl.len()).over("entry_id") + 1).to_series()
    return frame.select(
        "entry_id",
        pl.concat_str([pl.col("entry_id"), pl.lit("-"), pl.Series(k).cast(pl.String)]).alias(
            "name_id"
        ),
        "surname",
        "given_names",
        "original_script",
        "is_primary",
        "quality",
    )


def _alias_rows(
    rng: np.random.Generator, table: NameTable, s: Scenario, people: People, idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(surname, given names, original script, low quality) of one alias per row of `idx`."""
    alias = people.take(idx)
    kind = _pick(rng, ALIAS_KINDS, s.watchlist.alias_kinds, len(idx))
    # Another romanization: re-draw every part's spelling among its variants.
    counts_g = table.var_count[np.where(alias.given >= 0, alias.given, 0)]
    counts_s = table.var_count[np.where(alias.surname >= 0, alias.surname, 0)]
    translit_ok = ((counts_g > 1) & (alias.given >= 0)).any(1) | (
        (counts_s > 1) & (alias.surname >= 0)
    ).any(1)
    kind = np.where((kind == "translit") & ~translit_ok, "partial", kind)
    tr = kind == "translit"
    gv = np.where(tr[:, None], rng.integers(0, 1 << 20, alias.given.shape), alias.given_var)
    sv = np.where(tr[:, None], rng.integers(0, 1 << 20, alias.surname.shape), alias.surname_var)
    # Another name: a different given name of the same origin and sex (a true AKA).
    on = kind == "other_name"
    new_g = np.where(
        alias.female,
        table.sample(rng, alias.origin, GIVEN_F),
        table.sample(rng, alias.origin, GIVEN_M),
    )
    given_ids = alias.given.copy()
    given_ids[on, 0] = new_g[on]
    alias = alias.replace(
        given=given_ids, given_var=gv.astype(np.int32), surname_var=sv.astype(np.int32)
    )
    a_sur, a_given = name_strings(table, alias)
    a_native = original_script(table, alias)
    # One more name part (a father's or grandfather's name the primary record leaves out).
    added = kind == "added_name"
    extra = np.where(
        alias.female & ~np.array([o.patronymic for o in table.origins])[alias.origin],
        table.sample(rng, alias.origin, GIVEN_F),
        table.sample(rng, alias.origin, GIVEN_M),
    )
    extra_s = table.spelling(extra, np.zeros(len(extra), np.int32))
    a_given = np.where(
        added & (a_given != ""), (a_given.astype(object) + " ") + extra_s, a_given
    ).astype(object)
    # The same parts, listed the other way round (surname field and given-name field swapped).
    swap = kind == "reordered"
    a_sur, a_given = np.where(swap, a_given, a_sur), np.where(swap, a_sur, a_given)
    # Low-quality aliases: the surname alone, a first name alone, or a name the person is
    # known by (a kunya, ABU and a man's name, where patronymic chains are the custom; else
    # another given name) — the UN list's low-quality aliases are mostly of the last kind.
    # Those known-by names are words more often than one (UN 2020: 2.7 words per low-quality
    # alias): ABU OMAR AL-HASHIMI, the kunya with the family name, half the time.
    part = kind == "partial"
    roll = rng.random(len(idx))
    only_given = part & (roll < 0.1) & (a_given != "")
    known_by = part & (roll >= 0.2)
    first_given = pl.Series(a_given, dtype=pl.String).str.split(" ").list.first().to_numpy()
    kunya = np.array([o.patronymic for o in table.origins])[alias.origin]
    nick = table.spelling(table.sample(rng, alias.origin, GIVEN_M), np.zeros(len(idx), np.int32))
    nick = np.where(kunya, "ABU " + nick.astype(object), extra_s).astype(object)
    with_family = known_by & (rng.random(len(idx)) < 0.5)
    a_native = np.where(part, None, a_native).astype(object)
    a_sur = np.where((only_given | known_by) & ~with_family, "", a_sur).astype(object)
    a_given = np.where(
        known_by, nick, np.where(only_given, first_given, np.where(part, "", a_given))
    ).astype(object)
    return a_sur, a_given, a_native, part


def _distinct(frame: pl.DataFrame, entry_id: np.ndarray) -> np.ndarray:
    """Distinct non-empty names per identity, in the order of `entry_id`."""
    named = frame.filter((pl.col("surname") != "") | (pl.col("given_names") != ""))
    per = named.unique(["entry_id", "surname", "given_names"]).group_by("entry_id").len()
    order = pl.DataFrame({"entry_id": pl.Series(entry_id, dtype=pl.String)})
    return (
        order.join(per, on="entry_id", how="left", maintain_order="left")["len"]
        .fill_null(0)
        .to_numpy()
    )


def _rank_within(idx: np.ndarray) -> np.ndarray:
    """0, 1, 2 ... inside each run of equal values of a sorted index array."""
    if len(idx) == 0:
        return idx
    starts = np.r_[0, np.flatnonzero(np.diff(idx)) + 1]
    return np.arange(len(idx)) - np.repeat(starts, np.diff(np.r_[starts, len(idx)]))
