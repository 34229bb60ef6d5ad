"""PNR names: the spelling the traveller (or an agent) typed when booking."""

from __future__ import annotations

import numpy as np
import polars as pl

from screening.generate import corrupt
from screening.generate.names import NameTable
from screening.generate.people import People, name_strings

# What changes between a booking and a passport, and how often relative to each other.
PNR_MODELS = ("translit", "typo", "initial", "drop_token", "phonetic")
PNR_WEIGHTS = {"translit": 3.0, "typo": 2.0, "initial": 1.0, "drop_token": 1.0, "phonetic": 1.0}


def pnr_names(
    rng: np.random.Generator,
    table: NameTable,
    people: People,
    surname: np.ndarray,
    given: np.ndarray,
    share: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Booking spellings: the document name, or for `share` of rows one typed variant."""
    n = len(people)
    rows = np.flatnonzero(rng.random(n) < share)
    sub = people.take(rows)
    frame = pl.DataFrame(
        {
            "s": pl.Series(surname[rows], dtype=pl.String),
            "g": pl.Series(given[rows], dtype=pl.String),
        }
    )
    applicable = corrupt.name_applicability(frame)
    chosen_m = corrupt.choose(rng, PNR_MODELS, PNR_WEIGHTS, (0.0, 1.0), applicable, len(rows))
    chosen = {name: chosen_m[:, j] for j, name in enumerate(PNR_MODELS)}
    alt = sub.replace(
        given_var=rng.integers(0, 1 << 20, sub.given.shape).astype(np.int32),
        surname_var=rng.integers(0, 1 << 20, sub.surname.shape).astype(np.int32),
    )
    alt_s, alt_g = name_strings(table, alt)
    tr = chosen["translit"]
    s_sub = np.where(tr, alt_s, surname[rows]).astype(object)
    g_sub = np.where(tr, alt_g, given[rows]).astype(object)
    ctx = corrupt.NameContext(rng, np.full(len(rows), "", dtype=object))
    s_sub, g_sub = corrupt.apply_name_models(s_sub, g_sub, chosen, ctx)
    surname, given = surname.copy(), given.copy()
    surname[rows], given[rows] = s_sub, g_sub
    return surname, given
