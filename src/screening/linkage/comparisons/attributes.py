"""Nationality and sex evidence."""

from __future__ import annotations

import numpy as np

from screening.linkage.comparisons.coded import (
    NO_NATIONALITY,
    Coded,
    listed_nationalities,
    nationality_agrees,
)
from screening.linkage.levels import (
    Nationality,
    Sex,
)


def nationality_evidence(p: Coded, lst: Coded, pi: np.ndarray, li: np.ndarray) -> np.ndarray:
    """A `Nationality` level per pair: agree when the passenger's is one of the identity's."""
    missing = (p.nationality[pi] == NO_NATIONALITY) | (listed_nationalities(lst, li) == 0)
    agree = nationality_agrees(p, lst, pi, li)
    level = np.where(agree, Nationality.AGREE, Nationality.DIFFERS)
    return np.where(missing, Nationality.MISSING, level).astype(np.int8)


def sex_evidence(p: Coded, lst: Coded, pi: np.ndarray, li: np.ndarray) -> np.ndarray:
    a, b = p.sex[pi], lst.sex[li]
    agree = np.where(a == b, Sex.AGREE, Sex.DIFFERS)
    return np.where((a > 0) & (b > 0), agree, Sex.MISSING).astype(np.int8)
