"""The travelling population: listed people (corrupted), their families, innocent
namesakes and ordinary travellers, grouped into bookings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from screening.generate import corrupt
from screening.generate.codes import as_series, passport_numbers
from screening.generate.names import NameTable
from screening.generate.people import (
    GIVEN_F,
    GIVEN_M,
    People,
    name_strings,
    sample_ages,
    sample_origins,
    sample_people,
)
from screening.generate.scenario import CORRUPTIONS, Scenario
from screening.generate.travel import party_sizes
from screening.generate.watchlist import ListedWorld

ROLES = ("listed", "family", "namesake", "ordinary")


@dataclass(frozen=True)
class Travellers:
    """One row per traveller (a person on one booking), in booking order."""

    people: People
    surname: np.ndarray  # document spellings after corruption
    given: np.ndarray
    booking: np.ndarray  # int booking index
    role: np.ndarray  # int index into ROLES
    entry_id: np.ndarray  # object, None unless listed
    related_entry: np.ndarray  # object: the listed identity a namesake/family member relates to
    corruptions: pl.Series  # list[str] per traveller
    list_doc: np.ndarray  # bool: travels on the document the list knows


def counts(s: Scenario) -> tuple[int, int, int]:
    """(travellers, travelling listed people, namesakes) implied by the scenario."""
    pop = s.population
    total = max(1, round(pop.passengers / (1 + s.bookings.connection_share)))
    mated = min(round(total * pop.mated_share), pop.listed_identities)
    return total, mated, round(total * pop.namesake_share)


def build_travellers(
    rng: np.random.Generator,
    table: NameTable,
    s: Scenario,
    listed: ListedWorld,
    ref: np.datetime64,
    residences: np.ndarray,
) -> tuple[Travellers, int]:
    """All travellers and the number of bookings they form."""
    pop = s.population
    total, n_mated, n_names = counts(s)
    mated_idx = np.sort(rng.choice(pop.listed_identities, n_mated, replace=False))
    fp = np.asarray(pop.family_size) / np.sum(pop.family_size)
    fam_k = np.where(
        rng.random(n_mated) < pop.family_share, rng.choice(len(fp), n_mated, p=fp) + 1, 0
    )
    n_family = int(fam_k.sum())
    n_ordinary = max(total - n_mated - n_family - n_names, 0)

    mated, m_sur, m_giv, m_corr, list_doc = _mated(rng, table, s, listed, mated_idx, ref)
    family = _family(rng, table, s, mated, fam_k, ref, residences)
    ns_idx = rng.integers(0, pop.listed_identities, n_names)
    namesakes = _namesakes(rng, table, s, listed.people.take(ns_idx), ref, residences)
    sizes = party_sizes(rng, n_ordinary, s.bookings.party_size)
    ordinary = _ordinary(rng, table, s, sizes, ref, residences)

    others = People.concat([family, namesakes, ordinary])
    taken = as_series(listed.people.doc_number, mated.doc_number)
    others = others.replace(doc_number=passport_numbers(rng, others.doc_issuer, taken=taken))
    people = People.concat([mated, others])
    f_sur, f_giv = name_strings(table, family)
    n_sur, n_giv = name_strings(table, namesakes)
    o_sur, o_giv = name_strings(table, ordinary)
    booking = np.concatenate(
        [
            np.arange(n_mated),
            np.repeat(np.arange(n_mated), fam_k),
            n_mated + np.arange(n_names),
            n_mated + n_names + np.repeat(np.arange(len(sizes)), sizes),
        ]
    )
    role = np.concatenate(
        [
            np.full(n, r, np.int8)
            for n, r in ((n_mated, 0), (n_family, 1), (n_names, 2), (n_ordinary, 3))
        ]
    )
    none = lambda n: np.full(n, None, dtype=object)  # noqa: E731
    head = listed.entry_id[mated_idx]
    entry = np.concatenate([head, none(n_family + n_names + n_ordinary)])
    related = np.concatenate(
        [head, np.repeat(head, fam_k), listed.entry_id[ns_idx], none(n_ordinary)]
    )
    tags = pl.concat(
        [
            m_corr,
            pl.Series("c", [[]], dtype=pl.List(pl.String)).gather(np.zeros(n_family, np.int64)),
            pl.Series("c", [["namesake"]], dtype=pl.List(pl.String)).gather(
                np.zeros(n_names, np.int64)
            ),
            pl.Series("c", [[]], dtype=pl.List(pl.String)).gather(np.zeros(n_ordinary, np.int64)),
        ]
    )
    order = np.argsort(booking, kind="stable")
    t = Travellers(
        people=people.take(order),
        surname=np.concatenate([m_sur, f_sur, n_sur, o_sur])[order],
        given=np.concatenate([m_giv, f_giv, n_giv, o_giv])[order],
        booking=booking[order],
        role=role[order],
        entry_id=entry[order],
        related_entry=related[order],
        corruptions=tags.gather(order),
        list_doc=np.concatenate([list_doc, np.zeros(len(people) - n_mated, bool)])[order],
    )
    return t, n_mated + n_names + len(sizes)


def _mated(
    rng: np.random.Generator,
    table: NameTable,
    s: Scenario,
    listed: ListedWorld,
    idx: np.ndarray,
    ref: np.datetime64,
) -> tuple[People, np.ndarray, np.ndarray, pl.Series, np.ndarray]:
    """Listed people as they appear on the manifest, with their recorded corruptions."""
    p = listed.people.take(idx)
    n = len(idx)
    sur, giv = name_strings(table, p)
    frame = pl.DataFrame(
        {"s": pl.Series(sur, dtype=pl.String), "g": pl.Series(giv, dtype=pl.String)}
    )
    doc_known = (
        listed.watchlist["documents"].list.len().to_numpy()[idx] > 0 if n else np.zeros(0, bool)
    )
    slots = np.concatenate([p.given, p.surname], axis=1)
    counts_ = table.var_count[np.where(slots >= 0, slots, 0)] * (slots >= 0)
    applicable = corrupt.name_applicability(frame) | {
        "translit": (counts_ > 1).any(axis=1),
        "dob_swap": corrupt.dob_swap_applicable(p.dob),
        "new_passport": doc_known,
        "doc_ocr": doc_known & corrupt.ocr_applicable(p.doc_number),
    }
    chosen_m = corrupt.choose(
        rng, CORRUPTIONS, s.corruptions.weights, s.corruptions.count, applicable, n
    )
    chosen = {name: chosen_m[:, j] for j, name in enumerate(CORRUPTIONS)}

    # Another romanization of one name part that has several.
    tr = chosen["translit"]
    keys = np.where(counts_ > 1, rng.random(counts_.shape), -1.0)
    slot = keys.argmax(axis=1)
    var = np.concatenate([p.given_var, p.surname_var], axis=1)
    r = np.flatnonzero(tr)
    c = np.maximum(counts_[r, slot[r]], 1)
    var[r, slot[r]] = (
        var[r, slot[r]] % c + 1 + rng.integers(0, 1 << 20, len(r)) % np.maximum(c - 1, 1)
    ) % c
    k = p.given.shape[1]
    p = p.replace(given_var=var[:, :k].copy(), surname_var=var[:, k:].copy())
    sur, giv = name_strings(table, p)

    extra = table.spelling(
        np.where(
            p.female, table.sample(rng, p.origin, GIVEN_F), table.sample(rng, p.origin, GIVEN_M)
        ),
        np.zeros(n, np.int32),
    )
    sur, giv = corrupt.apply_name_models(sur, giv, chosen, corrupt.NameContext(rng, extra))

    dob = corrupt.dob_swap(p.dob, chosen["dob_swap"])
    dob = corrupt.dob_shift(rng, dob, chosen["dob_shift"])
    fresh = passport_numbers(rng, p.doc_issuer, taken=as_series(listed.people.doc_number))
    replaced = chosen["new_passport"] | chosen["doc_lost_stolen"]
    doc = np.where(replaced, fresh, p.doc_number).astype(object)
    doc = corrupt.doc_ocr(rng, doc, chosen["doc_ocr"])
    p = p.replace(dob=dob, doc_number=doc)

    cols = {name: pl.Series(chosen[name]) for name in CORRUPTIONS}
    partial = ~listed.dob_exact[idx]
    cols["dob_partial"] = pl.Series(partial)
    tag_frame = pl.DataFrame(cols)
    tags = tag_frame.select(
        pl.concat_list([pl.when(pl.col(k)).then(pl.lit(k)) for k in cols])
        .list.drop_nulls()
        .alias("c")
    ).to_series()
    return p, sur, giv, tags, doc_known & ~replaced & ~chosen["doc_ocr"]


def _family(
    rng: np.random.Generator,
    table: NameTable,
    s: Scenario,
    heads: People,
    k: np.ndarray,
    ref: np.datetime64,
    residences: np.ndarray,
) -> People:
    """Spouses and children who book with a listed person: same surname, own given names."""
    head = np.repeat(np.arange(len(heads)), k)
    h = heads.take(head)
    n = len(head)
    child = rng.random(n) < 0.6
    ages = np.where(child, rng.uniform(0, 18, n), rng.uniform(20, 65, n))
    female = np.where(child, rng.random(n) < 0.5, ~h.female)
    fam = sample_people(
        rng, table, h.origin, female, ref, ages, 0.0, residences, with_documents=False
    )
    return fam.replace(
        surname=h.surname.copy(),
        surname_var=h.surname_var.copy(),
        nationality=h.nationality.copy(),
        doc_issuer=h.nationality.copy(),
        residence=h.residence.copy(),
    )


def _namesakes(
    rng: np.random.Generator,
    table: NameTable,
    s: Scenario,
    base: People,
    ref: np.datetime64,
    residences: np.ndarray,
) -> People:
    """Innocent people who carry a listed identity's name (some in another spelling)."""
    n = len(base)
    ages = sample_ages(rng, n, 18, 85)
    other = sample_people(
        rng,
        table,
        base.origin,
        base.female,
        ref,
        ages,
        s.population.mononym_share,
        residences,
        with_documents=False,
    )
    respell = rng.random(n) < 0.3
    gv = np.where(respell[:, None], rng.integers(0, 1 << 20, base.given.shape), base.given_var)
    sv = np.where(respell[:, None], rng.integers(0, 1 << 20, base.surname.shape), base.surname_var)
    return other.replace(
        given=base.given.copy(),
        given_var=gv.astype(np.int32),
        surname=base.surname.copy(),
        surname_var=sv.astype(np.int32),
    )


def _ordinary(
    rng: np.random.Generator,
    table: NameTable,
    s: Scenario,
    sizes: np.ndarray,
    ref: np.datetime64,
    residences: np.ndarray,
) -> People:
    """Everyone else, in parties; most parties of two or more are families."""
    group_origin = sample_origins(rng, table, s.population.origins, len(sizes))
    group = np.repeat(np.arange(len(sizes)), sizes)
    n = len(group)
    origin = group_origin[group]
    people = sample_people(
        rng,
        table,
        origin,
        rng.random(n) < 0.48,
        ref,
        sample_ages(rng, n),
        s.population.mononym_share,
        residences,
        with_documents=False,
    )
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    leader = starts[group]
    fam = ((sizes > 1) & (rng.random(len(sizes)) < 0.7))[group] & (leader != np.arange(n))
    lead = people.take(leader)
    pick = lambda a, b: np.where(fam if a.ndim == 1 else fam[:, None], b, a)  # noqa: E731
    return people.replace(
        surname=pick(people.surname, lead.surname),
        surname_var=pick(people.surname_var, lead.surname_var),
        nationality=pick(people.nationality, lead.nationality),
        doc_issuer=pick(people.doc_issuer, lead.doc_issuer),
        residence=pick(people.residence, lead.residence),
    )
