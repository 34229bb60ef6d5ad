"""Date-of-birth evidence: dates compared as dates, partial dates as year ranges."""

from __future__ import annotations

import numpy as np

from screening.linkage.comparisons.coded import UNKNOWN_DAY, Coded
from screening.linkage.levels import (
    Dob,
)


def dob_evidence(
    p: Coded, lst: Coded, pi: np.ndarray, li: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A `Dob` level per pair, and the width in years of the listed range (1 without one).
    Dates are compared as dates, never as text."""
    pd, ld = p.day[pi].astype(np.int64), lst.day[li].astype(np.int64)
    py, pm, pdd = p.year[pi], p.month[pi], p.dom[pi]
    ly, lm, ldd = lst.year[li], lst.month[li], lst.dom[li]
    yf, yt = lst.year_from[li].astype(np.int32), lst.year_to[li].astype(np.int32)
    p_known, l_known = pd != UNKNOWN_DAY, ld != UNKNOWN_DAY
    has_range = (yf != 0) & (yt != 0)
    in_range = ~l_known & has_range
    # The first condition that holds gives the level (np.select), as the levels rank.
    level = np.select(
        [
            ~p_known | (~l_known & (yf == 0)),
            l_known & (pd == ld),
            l_known & (py == ly) & (pm == ldd) & (pdd == lm),
            l_known & (np.abs(pd - ld) <= 1),
            in_range & (py >= yf) & (py <= yt),
            in_range & (py >= yf - 1) & (py <= yt + 1),
            l_known & (py == ly),
        ],
        [Dob.MISSING, Dob.EXACT, Dob.SWAP, Dob.NEAR, Dob.PARTIAL, Dob.PARTIAL_NEAR, Dob.SAME_YEAR],
        Dob.DIFFERS,
    )
    width = np.where(has_range, np.maximum(yt - yf + 1, 1), 1).astype(np.int32)
    return level.astype(np.int8), width


def same_date(p: Coded, lst: Coded, pi: np.ndarray, li: np.ndarray) -> np.ndarray:
    """Per pair: both dates of birth known and equal (`Dob.EXACT`), the other levels not
    worked out."""
    d = p.day[pi]
    return (d == lst.day[li]) & (d != UNKNOWN_DAY)
