"""OpenSanctions' nomenklatura (the scoring behind yente) as peer matchers.

Each watch-list identity becomes one FollowTheMoney `Person` (every name as `name`,
`birthDate` as precise as listed — a year, or every year of a range —, nationalities as
ISO alpha-2, `passportNumber`), and so does each passenger. Name parts are not tagged
(`firstName`/`lastName`): logic-v2 trusts the tags, and a manifest with given and
surname swapped then scores 0 against the listed name. Candidates come from our own
blocking, so the peer is judged on its scoring and the candidate ceiling (pair
completeness) is the same as ours; each (passenger, identity) pair is scored with the
chosen algorithm: `logic-v2`, `logic-v1`, or its OFAC emulation `ofac`. nomenklatura
scores one pair at a time, so pairs go to worker processes in chunks (tested with
nomenklatura 4.17.4, followthemoney 4.11).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pycountry

from screening.linkage.blocking import folded_documents
from screening.linkage.comparisons.names import name_arrays, name_similarity, token_overlap
from screening.linkage.explain import ScoredPairs, empty_alerts, explain, rank_pairs
from screening.linkage.index import WatchlistIndex, build_index, list_names
from screening.linkage.matcher import TooManyPairs
from screening.linkage.normalize import name_forms
from screening.linkage.screen import ScreenResult, blocked_candidates, evidence
from screening.matchers.processes import process_pool

CHUNK = 20_000  # pairs per task


def _alpha2() -> dict[str, str]:
    return {c.alpha_3: c.alpha_2.lower() for c in pycountry.countries}


def _full(frame: pl.DataFrame) -> pl.Expr:
    return pl.concat_str(
        [pl.col("given_names").fill_null(""), pl.col("surname").fill_null("")], separator=" "
    ).str.strip_chars()


def _entities(passengers: pl.DataFrame, rows: pl.DataFrame) -> tuple[list, list]:
    """Plain records (picklable) of passengers, and of identities in entry_id order (the
    order of WatchlistIndex.entry_code), for FtM entities."""
    a2 = _alpha2()
    p = passengers.select(
        pl.col("passenger_id").cast(pl.String),
        name=_full(passengers),
        dob=pl.col("dob").cast(pl.Date).cast(pl.String),
        nat=pl.col("nationality").cast(pl.String).replace_strict(a2, default=None),
        doc=pl.col("doc_number").cast(pl.String),
    )
    years = pl.int_ranges(pl.col("dob_year_from"), pl.col("dob_year_to") + 1)
    per_name = rows.with_columns(name=_full(rows)).with_columns(
        dates=pl.when(pl.col("dob").is_not_null())
        .then(pl.concat_list(pl.col("dob").cast(pl.String)))
        .when(pl.col("dob_year_from").is_not_null())
        .then(years.list.eval(pl.element().cast(pl.String)))
        .otherwise(pl.lit([], pl.List(pl.String))),
        nats=pl.col("nationalities").list.eval(
            pl.element().replace_strict(a2, default=None).drop_nulls()
        ),
    )
    ident = per_name.group_by("entry_id").agg(
        pl.col("name").unique(maintain_order=True),
        pl.col("dates").first(),
        pl.col("nats").first(),
        pl.col("documents").first(),
    )
    return p.rows(), ident.sort("entry_id").rows()


def _score_chunk(algorithm: str, pairs: list) -> list[float]:
    """Scores of (passenger record, identity record) pairs: runs in a worker process."""
    from followthemoney import model
    from nomenklatura.matching import ScoringConfig, get_algorithm

    alg = get_algorithm(algorithm)
    cfg = ScoringConfig.defaults()

    def person(key: str, names, dates, nats, docs):
        e = model.make_entity("Person")
        e.id = key
        e.add("name", [n for n in names if n])
        e.add("birthDate", [d for d in dates if d])
        e.add("nationality", [n for n in nats if n])
        e.add("passportNumber", [d for d in docs if d])
        return e

    out = []
    for (pid, name, dob, nat, doc), (entry, names, dates, nats, docs) in pairs:
        # Distinct ids: nomenklatura caches what it derives from an entity by its id.
        q = person(f"passenger:{pid}", [name], [dob], [nat], [doc])  # one pair at a time
        r = person(entry, names, dates, nats, docs)
        out.append(float(alg.compare(q, r, cfg).score))
    return out


class NomenklaturaMatcher:
    """nomenklatura scoring on our candidates (see the module docstring)."""

    algorithm = "logic-v2"
    name = "nomenklatura-logic-v2"
    index_kind = "watchlist_index"
    max_pairs = 2_000_000  # standard has 0.85 M; national-day ~10 M would take hours

    def build(self, rows: pl.DataFrame) -> WatchlistIndex:
        return build_index(rows)

    def screen(
        self, index: WatchlistIndex, passengers: pl.DataFrame, threshold: float, top_k: int
    ) -> ScreenResult:
        forms = name_forms(passengers)
        doc = passengers["doc_number"].cast(pl.String)
        folded = folded_documents(doc)
        pi, li, stats = blocked_candidates(index, passengers, forms, folded)
        # One pair per (passenger, identity): the identity's entity holds all its names.
        code = index.entry_code[li]
        first = pl.DataFrame({"p": pi, "c": code, "l": li}).unique(["p", "c"], keep="first")
        first = first.sort("p", "l")
        pi, li, code = first["p"].to_numpy(), first["l"].to_numpy(), first["c"].to_numpy()
        stats = stats | {"pairs_compared": len(pi)}
        if len(pi) > self.max_pairs:
            raise TooManyPairs(
                f"{self.name}: {len(pi):,} candidate pairs exceed its limit of "
                f"{self.max_pairs:,} (it scores a few thousand pairs per second)"
            )
        if len(pi) == 0:
            return ScreenResult(empty_alerts(), (pi, li), stats)
        p_rec, e_rec = _entities(passengers, index.rows)
        # Identities come sorted by entry_id, so an entry code is its position.
        pairs = [(p_rec[p], e_rec[c]) for p, c in zip(pi, code, strict=True)]
        chunks = [pairs[i : i + CHUNK] for i in range(0, len(pairs), CHUNK)]
        with process_pool(len(chunks)) as pool:
            scored = pool.map(_score_chunk, [self.algorithm] * len(chunks), chunks)
            score = np.fromiter((s for part in scored for s in part), np.float64, len(pairs))
        pa = name_arrays(forms)
        lst, l_at = list_names(index, li)
        sim, how = name_similarity(pa, lst, pi, l_at, token_overlap(pa, lst, pi, l_at))
        dob, docl, nat = evidence(index, passengers, pi, li)
        best = rank_pairs(
            index, ScoredPairs(pi, li, score, sim, how, dob, docl, nat), threshold, top_k
        )
        return ScreenResult(explain(best, passengers), (pi, li), stats)


class NomenklaturaLogicV1(NomenklaturaMatcher):
    algorithm = "logic-v1"
    name = "nomenklatura-logic-v1"


class NomenklaturaOfac(NomenklaturaMatcher):
    algorithm = "ofac"
    name = "nomenklatura-ofac"


NOMENKLATURA = (NomenklaturaMatcher, NomenklaturaLogicV1, NomenklaturaOfac)
