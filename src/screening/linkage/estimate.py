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

The weights scoring uses are log2(m/u) per level. Name evidence stays what it was: the
information of the agreeing tokens in the list and the screened population.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import polars as pl

from screening.linkage.blocking import folded_documents
from screening.linkage.comparisons.attributes import nationality_evidence, sex_evidence
from screening.linkage.comparisons.dates import dob_evidence
from screening.linkage.comparisons.documents import document_evidence
from screening.linkage.levels import DOB_LEVELS, DOC_LEVELS, Dob
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
    passengers: pl.DataFrame, index, document: np.ndarray | None, pi: np.ndarray, li: np.ndarray
) -> Levels:
    """The levels of pairs (pi, li); `document` when the caller has them already."""
    listed = index.rows
    dob, width = dob_evidence(passengers["dob"], listed, pi, li)
    if document is None:
        doc = passengers["doc_number"].cast(pl.String)
        document = document_evidence(
            folded_documents(doc), doc, index.docs, index.entry_code, index.has_doc, pi, li
        )
    nat = nationality_evidence(passengers["nationality"], listed["nationalities"], pi, li)
    sex = sex_evidence(passengers["sex"], listed["sex"], pi, li)
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

    def summary(self) -> dict:
        return {
            "match_share": self.match_share,
            "candidate_pairs": self.candidate_pairs,
            "random_pairs": self.random_pairs,
            "iterations": self.iterations,
            "converged": self.converged,
            "seconds": round(self.seconds, 3),
            "levels": self.table.to_dicts(),
        }


def random_levels(sample: pl.DataFrame, index, cfg: EstimationConfig) -> tuple[Levels, int]:
    """Levels of random (passenger, list name) pairs: how strangers agree."""
    n = min(cfg.random_pairs, sample.height * index.size)
    rng = np.random.default_rng(cfg.seed)
    pi = rng.integers(0, sample.height, n)
    li = rng.integers(0, index.size, n)
    return levels_of(sample, index, None, pi, li), n


def _shares(codes: np.ndarray, k: int, prior: np.ndarray, strength: float) -> np.ndarray:
    counts = np.bincount(codes, minlength=k).astype(np.float64)
    return (counts + strength * prior) / (counts.sum() + strength)


def _prior_m(u: np.ndarray, bits: np.ndarray) -> np.ndarray:
    m = u * np.exp2(bits)
    return m / m.sum()


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
    m, u = dict(m0), dict(u0)
    share = 0.01
    strength = cfg.prior_pairs
    converged = False
    iterations = 0
    for iterations in range(1, cfg.max_iterations + 1):  # noqa: B007 - reported after
        log_m = np.log(share) + sum(np.log(m[f][patterns[:, j]]) for j, f in enumerate(names))
        log_u = np.log1p(-share) + sum(np.log(u[f][patterns[:, j]]) for j, f in enumerate(names))
        g = 1.0 / (1.0 + np.exp(log_u - log_m))  # P(same person | pattern)
        w_m, w_u = count * g, count * (1.0 - g)
        new_m, new_u = {}, {}
        for j, f in enumerate(names):
            k = sizes[f]
            new_m[f] = (np.bincount(patterns[:, j], w_m, k) + strength * m0[f]) / (
                w_m.sum() + strength
            )
            if f in FIXED_U:
                new_u[f] = u[f]
            else:
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
