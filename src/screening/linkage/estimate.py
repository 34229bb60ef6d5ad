"""What the matcher learns from the manifest at hand: m and u per comparison level
(Fellegi–Sunter), estimated without any truth, as Splink does.

- u (how often *different* people agree at a level) from random passenger × list pairs of
  the screened population: how often two strangers share a birth date, a nationality.
- m (how often the *same* person does) by expectation–maximisation over namesake pairs
  (passenger and list name with the same order-free name: blocking on the name alone, as
  Splink trains), a two-class latent model whose features are the DOB, document,
  nationality and sex levels, assumed independent within each class. Namesakes share a
  nationality and a sex far more often than random pairs do (a name tells both), so
  those u are estimated by EM too, started from the random pairs'; DOB and document
  agreement do not depend on the name, so their u stay fixed.
- Starting values and a weak Dirichlet prior come from the hand-set weights
  (ScoringConfig.field_weights): a level the data hardly sees keeps about its prior weight.

The weights scoring uses are log2(m/u) per level. Name evidence is learned by a second EM
(estimate_names) over the screening candidates of a sample of travellers, where the name
is free to vary: it weighs levels of name similarity, each a share of the name's own
information (its tokens' rarity in the list and the screened population).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from screening.linkage.blocking import folded_documents
from screening.linkage.comparisons.attributes import nationality_evidence, sex_evidence
from screening.linkage.comparisons.coded import Coded, coded_passengers
from screening.linkage.comparisons.dates import dob_evidence
from screening.linkage.comparisons.documents import document_evidence
from screening.linkage.levels import DOB_LEVELS, DOC_LEVELS, Dob
from screening.linkage.scoring import name_level_labels, name_levels
from screening.linkage.settings import EstimationConfig, ScoringConfig

# Estimated fields, their level labels in array order, and the weight table they replace.
NAT_LEVELS = ("differs", "missing", "agree")  # Nationality -1, 0, 1 shifted by one
SEX_LEVELS = NAT_LEVELS
FIELDS: dict[str, tuple[str, ...]] = {
    "dob": DOB_LEVELS,
    "document": DOC_LEVELS,
    "nationality": NAT_LEVELS,
    "sex": SEX_LEVELS,
}
# Fields whose u comes from the random pairs and stays fixed (see the module docstring).
FIXED_U = ("dob", "document")


@dataclass(frozen=True)
class Levels:
    """Comparison levels of a set of pairs, as small non-negative integer codes."""

    dob: np.ndarray
    dob_width: np.ndarray
    document: np.ndarray
    nationality: np.ndarray  # Nationality + 1
    sex: np.ndarray  # Sex + 1

    def field(self, name: str) -> np.ndarray:
        return getattr(self, name)


def levels_of(
    passengers: pl.DataFrame,
    index,
    document: np.ndarray | None,
    pi: np.ndarray,
    li: np.ndarray,
    coded: Coded | None = None,
) -> Levels:
    """The levels of pairs (pi, li); `document` and the passengers `coded` against the
    list (comparisons.coded) when the caller has them already."""
    if coded is None:
        coded = coded_passengers(passengers, index.coded.vocabulary)
    dob, width = dob_evidence(coded, index.coded, pi, li)
    if document is None:
        doc = passengers["doc_number"].cast(pl.String)
        document = document_evidence(
            folded_documents(doc), doc, index.documents, index.entry_code, index.has_doc, pi, li
        )
    nat = nationality_evidence(coded, index.coded, pi, li)
    sex = sex_evidence(coded, index.coded, pi, li)
    return Levels(dob, width, np.asarray(document), nat + 1, sex + 1)


@dataclass(frozen=True)
class Model:
    """What was learned: weights per level (field_weights' shape), the table behind them,
    and how the estimation went."""

    weights: dict[str, dict[str, float]]
    table: pl.DataFrame  # field, level, m, u, bits, prior_bits, u_from
    match_share: float  # share of candidate identities EM puts in the "same person" class
    candidate_pairs: int
    random_pairs: int
    iterations: int
    converged: bool
    seconds: float
    # The name levels' EM (estimate_names): candidate identities it ran over, iterations.
    name_pairs: int = 0
    name_iterations: int = 0
    name_converged: bool = False
    # density.NameDensity.summary() of the population learned with it (None: not counted).
    density: dict | None = None

    def summary(self) -> dict:
        return {
            "match_share": self.match_share,
            "candidate_pairs": self.candidate_pairs,
            "random_pairs": self.random_pairs,
            "iterations": self.iterations,
            "converged": self.converged,
            "name_pairs": self.name_pairs,
            "name_iterations": self.name_iterations,
            "name_converged": self.name_converged,
            "seconds": round(self.seconds, 3),
            "name_density": self.density,
            "levels": self.table.to_dicts(),
        }


def random_levels(
    sample: pl.DataFrame, index, cfg: EstimationConfig, coded: Coded | None = None
) -> tuple[Levels, int]:
    """Levels of random (passenger, list name) pairs: how strangers agree."""
    n = min(cfg.random_pairs, sample.height * index.size)
    rng = np.random.default_rng(cfg.seed)
    pi = rng.integers(0, sample.height, n)
    li = rng.integers(0, index.size, n)
    return levels_of(sample, index, None, pi, li, coded), n


def _shares(codes: np.ndarray, k: int, prior: np.ndarray, strength: float) -> np.ndarray:
    counts = np.bincount(codes, minlength=k).astype(np.float64)
    return (counts + strength * prior) / (counts.sum() + strength)


def _prior_m(u: np.ndarray, bits: np.ndarray) -> np.ndarray:
    m = u * np.exp2(bits)
    return m / m.sum()


def _em(
    patterns: np.ndarray,
    count: np.ndarray,
    names: list[str],
    m0: dict[str, np.ndarray],
    u0: dict[str, np.ndarray],
    free_m: list[str],
    free_u: list[str],
    cfg: EstimationConfig,
    share: float = 0.01,
) -> tuple[dict, dict, float, int, bool]:
    """Two-class EM over distinct level patterns (columns in `names` order) and their
    counts: m of the fields in `free_m` and u of those in `free_u` are re-estimated, the
    others stay as given; m0 and u0 start it and weigh in as a Dirichlet prior of
    `cfg.prior_pairs` pseudo-pairs. Returns m, u, the match share, iterations, converged."""
    m, u = dict(m0), dict(u0)
    strength = cfg.prior_pairs
    converged = False
    iterations = 0
    for iterations in range(1, cfg.max_iterations + 1):  # noqa: B007 - reported after
        log_m = np.log(share) + sum(np.log(m[f][patterns[:, j]]) for j, f in enumerate(names))
        log_u = np.log1p(-share) + sum(np.log(u[f][patterns[:, j]]) for j, f in enumerate(names))
        g = 1.0 / (1.0 + np.exp(log_u - log_m))  # P(same person | pattern)
        w_m, w_u = count * g, count * (1.0 - g)
        new_m, new_u = dict(m), dict(u)
        for j, f in enumerate(names):
            k = len(m0[f])
            if f in free_m:
                new_m[f] = (np.bincount(patterns[:, j], w_m, k) + strength * m0[f]) / (
                    w_m.sum() + strength
                )
            if f in free_u:
                new_u[f] = (np.bincount(patterns[:, j], w_u, k) + strength * u0[f]) / (
                    w_u.sum() + strength
                )
        new_share = float(np.clip(w_m.sum() / count.sum(), 1e-9, 1 - 1e-9))
        delta = max(
            max(np.abs(new_m[f] - m[f]).max() for f in names),
            max(np.abs(new_u[f] - u[f]).max() for f in names),
            abs(new_share - share),
        )
        m, u, share = new_m, new_u, new_share
        if delta < cfg.tolerance:
            converged = True
            break
    return m, u, share, iterations, converged


def estimate(
    pair_levels: Levels,
    group: np.ndarray,
    strangers: Levels,
    n_random: int,
    scoring: ScoringConfig,
    cfg: EstimationConfig,
) -> Model:
    """m and u per level by EM over training pairs (one per `group`: a passenger and an
    identity), u of DOB and document from the random pairs."""
    t0 = time.perf_counter()
    prior_bits = scoring.field_weights
    # One pair per (passenger, identity): an identity listed under ten aliases is one
    # candidate (its names share the identity's DOB, documents and nationality).
    _, keep = np.unique(group, return_index=True)
    codes = {f: pair_levels.field(f)[keep] for f in FIELDS}
    sizes = {f: len(v) for f, v in FIELDS.items()}

    # Distinct patterns and their counts: EM runs over a few hundred rows, not the pairs.
    names = list(codes)
    stacked = np.stack([codes[f].astype(np.int64) for f in names], axis=1)
    patterns, count = np.unique(stacked, axis=0, return_counts=True)
    count = count.astype(np.float64)

    u0 = {
        f: _shares(strangers.field(f), sizes[f], np.full(sizes[f], 1.0 / sizes[f]), 1.0)
        for f in FIELDS
    }
    m0 = {f: _prior_m(u0[f], np.array([prior_bits[f][lv] for lv in FIELDS[f]])) for f in FIELDS}
    free_u = [f for f in names if f not in FIXED_U]
    m, u, share, iterations, converged = _em(patterns, count, names, m0, u0, names, free_u, cfg)
    weights, rows = _weights(m, u, strangers, prior_bits, cfg)
    table = pl.DataFrame(
        rows,
        schema={
            "field": pl.String,
            "level": pl.String,
            "m": pl.Float64,
            "u": pl.Float64,
            "bits": pl.Float64,
            "prior_bits": pl.Float64,
            "u_from": pl.String,
        },
        orient="row",
    )
    return Model(
        weights=weights,
        table=table,
        match_share=share,
        candidate_pairs=int(count.sum()),
        random_pairs=n_random,
        iterations=iterations,
        converged=converged,
        seconds=time.perf_counter() - t0,
    )


def estimate_names(
    similarity: np.ndarray,
    how: np.ndarray,
    name_bits: np.ndarray,
    pair_levels: Levels,
    group: np.ndarray,
    model: Model,
    scoring: ScoringConfig,
    cfg: EstimationConfig,
    sample_size: int = 0,
    identities: int = 0,
) -> Model:
    """`model` with the name levels' weights learned by EM over screening candidates.

    The candidates of a sample of travellers (blocked and first-looked as screening does)
    are one pair per (traveller, identity), the identity's best-matching name; their
    features are the name level (name_levels) and the DOB, document, nationality and sex
    levels, whose m stay as `model` learned them. A level's evidence for an average name
    is log2(m / u) among candidates plus log2(all pairs / candidates); scoring counts the
    share of a pair's own name information (`name_bits`) that gives the average name at
    that level this evidence, the rest as a disagreement, whose weight is the level below
    the first edge's log2(m / u).
    """
    t0 = time.perf_counter()
    edges = cfg.name_level_edges
    labels = name_level_labels(edges)
    level = name_levels(similarity, how, edges)
    # One pair per (traveller, identity): its best name.
    order = np.lexsort((-similarity, group))
    first = order[np.r_[True, group[order][1:] != group[order][:-1]]]
    names = ["name", *FIELDS]
    stacked = np.stack(
        [level[first], *(pair_levels.field(f)[first].astype(np.int64) for f in FIELDS)], axis=1
    )
    patterns, count = np.unique(stacked, axis=0, return_counts=True)
    count = count.astype(np.float64)
    table = model.table
    fixed = {
        (f, k): table.filter(pl.col("field") == f)[k].to_numpy() for f in FIELDS for k in ("m", "u")
    }
    k = len(labels)
    u0 = {"name": _shares(level[first], k, np.full(k, 1.0 / k), 1.0)}
    # The prior: the hand-set similarity curve at the training names' mean information.
    # A shared part starts where a name below the first edge does: as a disagreement.
    below_mid = edges[0] - 0.05
    mid = np.r_[below_mid, (np.r_[edges[:-1]] + np.r_[edges[1:]]) / 2, 1.0, 0.95, below_mid]
    mean_bits = float(name_bits[first].mean()) if len(first) else scoring.midpoint_bits
    f_curve = np.clip((mid - scoring.name_floor) / (1.0 - scoring.name_floor), 0.0, 1.0)
    f_curve = f_curve**scoring.name_curve
    prior_bits = f_curve * mean_bits + (1.0 - f_curve) * scoring.name_disagree_bits
    m0 = {"name": _prior_m(u0["name"], prior_bits - prior_bits.max())}
    for f in FIELDS:
        m0[f], u0[f] = fixed[(f, "m")], fixed[(f, "u")]
    # Blocking refines crowded names by birth year, so candidates agree on DOB (and, names
    # telling a culture, on nationality) more often than random pairs: every u is free
    # here, started from what `model` learned; only the name's m is.
    long = replace(cfg, max_iterations=cfg.name_max_iterations)
    m, u, _, iterations, converged = _em(patterns, count, names, m0, u0, ["name"], names, long)
    ratio = np.log2(m["name"] / u["name"])
    below = float(np.clip(ratio[0], -cfg.level_bits_cap, 0.0))
    # What a level says of an average name, among all pairs rather than candidates: a
    # pair at a level above the floor is a candidate (blocking's purpose), so strangers
    # reach it candidates / all pairs times as often as candidates do.
    all_pairs = max(float(sample_size) * int(identities), float(count.sum()))
    absolute = ratio[1:] + np.log2(all_pairs / count.sum())
    # As the hand-set curve does, a level counts a share of the name's own information
    # (the rest as a disagreement): the share that gives an average name at that level
    # the evidence EM found. Never less for a closer level; all of it for an exact name.
    at, bits_at = level[first], name_bits[first]
    mean_bits = np.array(  # one mean per level, not per pair
        [float(bits_at[at == lv].mean()) if (at == lv).any() else 0.0 for lv in range(1, k)]
    )
    share = np.clip((absolute - below) / np.maximum(mean_bits - below, 1e-9), 0.0, 1.0)
    exact = len(edges) - 1  # in `share`, which starts at the first edge's level
    share[: exact + 1] = np.maximum.accumulate(share[: exact + 1])
    share[exact] = 1.0
    weights = {k2: dict(v) for k2, v in model.weights.items()}
    weights["name"] = {"below": below} | dict(zip(labels[1:], map(float, share), strict=True))
    rows = pl.DataFrame(
        {
            "field": "name",
            "level": labels,
            "m": m["name"],
            "u": u["name"],
            "bits": [below, *map(float, absolute)],
            "prior_bits": prior_bits - prior_bits.max(),
            "u_from": "em x candidates / all pairs",
        }
    ).with_columns(share=pl.Series([None, *map(float, share)], dtype=pl.Float64))
    return Model(
        weights=weights,
        table=pl.concat([rows, table], how="diagonal_relaxed"),
        match_share=model.match_share,
        candidate_pairs=model.candidate_pairs,
        random_pairs=model.random_pairs,
        iterations=model.iterations,
        converged=model.converged,
        seconds=model.seconds + time.perf_counter() - t0,
        name_pairs=int(count.sum()),
        name_iterations=iterations,
        name_converged=converged,
    )


def _weights(m, u, strangers: Levels, prior_bits, cfg: EstimationConfig):
    weights = {k: dict(v) for k, v in prior_bits.items()}
    rows = []
    # The random pairs' partial-DOB hits are spread over listed ranges of some width;
    # scoring subtracts log2(width) per pair, so the level's weight is for a one-year range.
    partial = strangers.dob == Dob.PARTIAL
    mean_width = float(strangers.dob_width[partial].mean()) if partial.any() else 1.0
    for f, levels in FIELDS.items():
        for i, lv in enumerate(levels):
            bits = float(np.log2(m[f][i] / u[f][i]))
            if f == "dob" and lv == "partial":
                bits += float(np.log2(max(mean_width, 1.0)))
            # Missing says nothing for or against: an empty field must not count against
            # anyone, whatever the data say about who leaves it empty.
            if lv == "missing":
                bits = 0.0
            # A cap, not an estimate: random pairs are too few to measure agreement rarer
            # than ~1 in 10^5, and no single field may outweigh all the others.
            bits = float(np.clip(bits, -cfg.level_bits_cap, cfg.level_bits_cap))
            weights[f][lv] = bits
            source = "random pairs" if f in FIXED_U else "em"
            rows.append((f, lv, float(m[f][i]), float(u[f][i]), bits, prior_bits[f][lv], source))
    return weights, rows
