"""People as parallel numpy arrays: names as name ids + chosen spellings, dates, documents.

Keeping names as ids until the end is what lets corruptions (another romanization of the
same native name) and namesakes (the same ids, another person) stay vectorized.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import polars as pl

from screening.generate.codes import passport_numbers
from screening.generate.names import NameTable

GIVEN_M, GIVEN_F, SURNAME = 0, 1, 2
GIVEN_SLOTS = 3  # up to three given names (a name and a patronymic chain)


@dataclass(frozen=True)
class People:
    origin: np.ndarray  # int16 index into NameTable.origins
    female: np.ndarray  # bool
    given: np.ndarray  # (n, GIVEN_SLOTS) int32 name ids, -1 = no such part
    given_var: np.ndarray  # (n, 2) int32 spelling index
    surname: np.ndarray  # (n, 2) int32 name ids (male/neutral form)
    surname_var: np.ndarray  # (n, 2) int32
    dob: np.ndarray  # datetime64[D]
    nationality: np.ndarray  # object, ISO alpha-3
    nationality2: np.ndarray  # object, '' when none
    residence: np.ndarray  # object
    doc_number: np.ndarray  # object
    doc_issuer: np.ndarray  # object
    doc_expiry: np.ndarray  # datetime64[D]

    def __len__(self) -> int:
        return len(self.origin)

    def take(self, idx: np.ndarray) -> People:
        return People(**{f.name: getattr(self, f.name)[idx] for f in dataclasses.fields(self)})

    def replace(self, **changes: np.ndarray) -> People:
        return dataclasses.replace(self, **changes)

    @staticmethod
    def concat(parts: list[People]) -> People:
        return People(
            **{
                f.name: np.concatenate([getattr(p, f.name) for p in parts])
                for f in dataclasses.fields(People)
            }
        )


def sample_origins(rng: np.random.Generator, table: NameTable, mix: dict[str, float], n: int):
    """Origin index per person from a {origin: weight} mix (all origins equal if empty)."""
    keys = [o.key for o in table.origins]
    w = np.array([mix.get(k, 0.0) for k in keys]) if mix else np.ones(len(keys))
    return rng.choice(len(keys), size=n, p=w / w.sum()).astype(np.int16)


def sample_ages(rng: np.random.Generator, n: int, lo: int = 0, hi: int = 85) -> np.ndarray:
    """Traveller ages: mostly working-age adults, some children and elderly."""
    adult = np.clip(rng.normal(40, 13, n), 18, 85)
    child = rng.uniform(0, 18, n)
    age = np.where(rng.random(n) < 0.1, child, adult)
    return np.clip(age, lo, hi)


def dob_from_age(rng: np.random.Generator, ref: np.datetime64, age: np.ndarray) -> np.ndarray:
    days = (age * 365.25).astype(np.int64) + rng.integers(0, 365, len(age))
    return ref - days.astype("timedelta64[D]")


def sample_people(
    rng: np.random.Generator,
    table: NameTable,
    origin: np.ndarray,
    female: np.ndarray,
    ref: np.datetime64,
    ages: np.ndarray,
    mononym_share: float,
    residences: np.ndarray,
    with_documents: bool = True,
) -> People:
    """New people of the given origins and sexes, with names, dates and a passport."""
    n = len(origin)
    given = np.full((n, GIVEN_SLOTS), -1, dtype=np.int32)
    surname = np.full((n, 2), -1, dtype=np.int32)
    male = table.sample(rng, origin, GIVEN_M)
    given[:, 0] = np.where(female, table.sample(rng, origin, GIVEN_F), male)
    n_given = _parts(rng, table, origin, "given_names")
    # Later given names are a middle name of the person's sex, or, where names are
    # patronymic chains (MOHAMMED AHMED HASSAN), the father's and grandfather's names.
    chain = np.array([o.patronymic for o in table.origins])[origin]
    for j in range(1, GIVEN_SLOTS):
        other = np.where(
            female & ~chain, table.sample(rng, origin, GIVEN_F), table.sample(rng, origin, GIVEN_M)
        )
        given[:, j] = np.where((n_given > j) & (other != given[:, j - 1]), other, -1)
    given[rng.random(n) < mononym_share, :] = -1
    surname[:, 0] = table.sample(rng, origin, SURNAME)
    second_s = table.sample(rng, origin, SURNAME)
    n_sur = _parts(rng, table, origin, "surnames")
    surname[:, 1] = np.where((n_sur > 1) & (second_s != surname[:, 0]), second_s, -1)
    nationality = _nationalities(rng, table, origin)
    residence = np.where(
        rng.random(n) < 0.85, nationality, residences[rng.integers(0, len(residences), n)]
    )
    expiry = ref + rng.integers(30, 3650, n).astype("timedelta64[D]")
    return People(
        origin=origin,
        female=female,
        given=given,
        given_var=_doc_vars(rng, table, given),
        surname=surname,
        surname_var=_doc_vars(rng, table, surname),
        dob=dob_from_age(rng, ref, ages),
        nationality=nationality,
        nationality2=np.full(n, "", dtype=object),
        residence=residence,
        doc_number=passport_numbers(rng, nationality)
        if with_documents
        else np.full(n, "", dtype=object),
        doc_issuer=nationality.copy(),
        doc_expiry=expiry,
    )


def _parts(rng: np.random.Generator, table: NameTable, origin: np.ndarray, attr: str):
    out = np.ones(len(origin), dtype=np.int8)
    for o in np.unique(origin):
        rows = np.flatnonzero(origin == o)
        p = getattr(table.origins[o], attr)
        out[rows] = rng.choice(len(p), size=len(rows), p=p) + 1
    return out


def _nationalities(rng: np.random.Generator, table: NameTable, origin: np.ndarray) -> np.ndarray:
    out = np.empty(len(origin), dtype=object)
    for o in np.unique(origin):
        rows = np.flatnonzero(origin == o)
        spec = table.origins[o]
        out[rows] = np.asarray(spec.nationalities, dtype=object)[
            rng.choice(len(spec.nationalities), size=len(rows), p=spec.nationality_p)
        ]
    return out


def _doc_vars(rng: np.random.Generator, table: NameTable, ids: np.ndarray) -> np.ndarray:
    return np.stack([table.doc_variant(rng, ids[:, j]) for j in range(ids.shape[1])], axis=1)


def name_strings(table: NameTable, p: People) -> tuple[np.ndarray, np.ndarray]:
    """(surname, given_names) strings; female surnames take their female form."""
    sur_ids = np.where(
        p.female[:, None] & (p.surname >= 0), table.female_form[p.surname], p.surname
    )
    return (
        _join(table, sur_ids, p.surname_var),
        _join(table, p.given, p.given_var),
    )


def _join(table: NameTable, ids: np.ndarray, var: np.ndarray) -> np.ndarray:
    cols = {f"c{j}": table.spelling(ids[:, j], var[:, j]) for j in range(ids.shape[1])}
    frame = pl.DataFrame({k: pl.Series(v, dtype=pl.String) for k, v in cols.items()})
    joined = frame.select(
        pl.concat_str([pl.col(c) for c in cols], separator=" ").str.strip_chars()
    ).to_series()
    return joined.to_numpy().astype(object)


def original_script(table: NameTable, p: People) -> np.ndarray:
    """Full name in its native script (None for Latin-script origins), in native order."""
    sur_ids = np.where(
        p.female[:, None] & (p.surname >= 0), table.female_form[p.surname], p.surname
    )
    native = lambda ids: np.where(ids >= 0, table.native[np.maximum(ids, 0)], "")  # noqa: E731
    g = [f"g{j}" for j in range(p.given.shape[1])]
    s = [f"s{j}" for j in range(p.surname.shape[1])]
    cols = {c: native(p.given[:, j]) for j, c in enumerate(g)}
    cols |= {c: native(sur_ids[:, j]) for j, c in enumerate(s)}
    frame = pl.DataFrame({k: pl.Series(v, dtype=pl.String) for k, v in cols.items()})
    western = pl.concat_str([*g, *s], separator=" ")
    chinese = pl.concat_str([*s, *g])
    first = np.array([o.surname_first for o in table.origins])[p.origin]
    keep = np.array([o.non_latin for o in table.origins])[p.origin]
    full = frame.with_columns(first=first, keep=keep).select(
        pl.when(~pl.col("keep"))
        .then(None)
        .when(pl.col("first"))
        .then(chinese)
        .otherwise(western.str.replace_all(r"\s+", " ").str.strip_chars())
    )
    return full.to_series().to_numpy().astype(object)
