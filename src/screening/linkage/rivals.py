"""How many listed identities a traveller's name comes as close to as a given pair's.

A name as near several listed identities says less about which one it is: were the
traveller listed, each of them would be as likely, so a pair's name evidence loses
log2(identities) (the posterior share of one among equals). Counted over the traveller's
own compared pairs, all of which are screened together (a chunk holds every pair of its
travellers), so no statistic of the whole manifest is needed and none of the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from screening.linkage.density import STEPS, best_steps, steps_of


@dataclass(frozen=True)
class Rivals:
    """Each traveller's best name similarity to each identity it was compared with, as
    sorted keys `passenger row * (STEPS + 1) + (STEPS - similarity step)`."""

    keys: np.ndarray  # int64, sorted

    @classmethod
    def of(cls, passenger_row: np.ndarray, identity: np.ndarray, similarity: np.ndarray) -> Rivals:
        p, _, best = best_steps(passenger_row, identity, similarity)
        return cls(np.sort(p * (STEPS + 1) + (STEPS - best)))

    def count(self, passenger_row: np.ndarray, similarity: np.ndarray) -> np.ndarray:
        """Identities whose name is at least `similarity` to the traveller's (at least 1:
        the pair's own)."""
        base = np.asarray(passenger_row, np.int64) * (STEPS + 1)
        lo = np.searchsorted(self.keys, base, side="left")
        hi = np.searchsorted(self.keys, base + (STEPS - steps_of(similarity)), side="right")
        return np.maximum(hi - lo, 1)


def rival_bits(
    rivals: Rivals, passenger_row: np.ndarray, similarity: np.ndarray, floor: float
) -> np.ndarray:
    """Bits a pair's name evidence loses: log2 of its rival identities, for names alike
    (similarity from `floor`, the first name level); a name unlike says nothing of
    identity to share."""
    n = rivals.count(passenger_row, similarity).astype(np.float64)
    return np.where(np.asarray(similarity) >= floor, np.log2(n), 0.0)
