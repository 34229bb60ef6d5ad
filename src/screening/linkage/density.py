"""How crowded the screened population is around each list name: of a sample of its
travellers, how many carry a name at least as close to the list name as a given pair's.

That share is the rate at which strangers reach such a name (the u-probability of the
pair's name agreement, for this list name), so a name that close says at most
log2(sample / count) bits: a listed NGUYEN KHANH LINH among many Vietnamese travellers
whose common syllables come a letter or two from it is weak evidence however rare its
tokens look one by one. Counted on the population's sample as screening compares it,
never on the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Similarities are counted in steps of 1 / STEPS (cpdist's float32 ratios differ by more).
STEPS = 10_000


@dataclass(frozen=True)
class NameDensity:
    """Sampled travellers' best name similarity to each list name (by index.name_code),
    as sorted keys `code * (STEPS + 1) + similarity step`."""

    keys: np.ndarray  # int64, sorted
    sampled: int  # travellers in the sample
    min_sightings: int  # fewer travellers this close say nothing about the name's crowd

    def sightings(self, name_code: np.ndarray, similarity: np.ndarray) -> np.ndarray:
        """Sampled travellers whose name is at least `similarity` to list name `name_code`."""
        code = np.asarray(name_code, np.int64) * (STEPS + 1)
        lo = np.searchsorted(self.keys, code + steps_of(similarity), side="left")
        hi = np.searchsorted(self.keys, code + STEPS, side="right")
        return hi - lo

    def bits_cap(self, name_code: np.ndarray, similarity: np.ndarray) -> np.ndarray:
        """The most bits a name `similarity` close to list name `name_code` may claim:
        log2(sampled / sightings) where the sightings are `min_sightings` or more, else
        unbounded (one or two travellers say nothing about how crowded the name is)."""
        seen = self.sightings(name_code, similarity).astype(np.float64)
        crowded = seen >= self.min_sightings
        return np.where(crowded, np.log2((self.sampled + 1.0) / np.maximum(seen, 1.0)), np.inf)

    def summary(self) -> dict:
        _, seen = np.unique(self.keys // (STEPS + 1), return_counts=True)
        return {
            "sampled": self.sampled,
            "pairs": len(self.keys),
            "list_names_near": len(seen),  # with one sampled traveller near at least
            "list_names_crowded": int((seen >= self.min_sightings).sum()),
            "min_sightings": self.min_sightings,
        }


def name_density(
    passenger_row: np.ndarray,
    name_code: np.ndarray,
    similarity: np.ndarray,
    sampled: int,
    min_sightings: int,
) -> NameDensity:
    """The density of `sampled` travellers' candidate pairs (passenger row, list name code,
    name similarity), each traveller counted once per list name at its best similarity."""
    _, code, best = best_steps(passenger_row, name_code, similarity)
    keys = np.sort(code * (STEPS + 1) + best)
    return NameDensity(keys, int(sampled), int(min_sightings))


def best_steps(
    row: np.ndarray, code: np.ndarray, similarity: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, code, best similarity step) of each distinct (row, code) pair, in their
    order. (row, code, step) packed in one integer, one sort puts each pair's best last
    (a polars group-by cost a flight 0.4 ms, this 0.04; a day's chunk 0.21 s against
    0.18); field by field where the packing would overflow."""
    r, c = np.asarray(row, np.int64), np.asarray(code, np.int64)
    step = steps_of(similarity)
    if len(r) == 0:
        return r, c, step
    n_c = int(c.max()) + 1
    if (int(r.max()) + 1) * n_c * (STEPS + 1) < np.iinfo(np.int64).max:
        packed = np.sort((r * n_c + c) * (STEPS + 1) + step)
        pair = packed // (STEPS + 1)
        last = np.append(pair[1:] != pair[:-1], True)
        return pair[last] // n_c, pair[last] % n_c, packed[last] % (STEPS + 1)
    order = np.lexsort((step, c, r))
    r, c, step = r[order], c[order], step[order]
    last = np.append((r[1:] != r[:-1]) | (c[1:] != c[:-1]), True)
    return r[last], c[last], step[last]


def steps_of(similarity: np.ndarray) -> np.ndarray:
    """Similarities in [0, 1] as integer steps of 1 / STEPS."""
    s = np.clip(np.asarray(similarity, np.float64), 0.0, 1.0)
    return np.rint(s * STEPS).astype(np.int64)
