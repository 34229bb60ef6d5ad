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
    rng: np.random.Generator, table: NameTable, people: People, surname: np.ndarray,
    given: np.ndarray, share: float,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Booking spellings: the document name, or for `share` of rows one typed variant."""
    n = len(people)
    frame = pl.DataFrame({"s": pl.Series(surname, dtype=pl.String),
                          "g": pl.Series(given, dtype=pl.String)})  # fmt: skip
    vary = rng.random(n) < share
    applicable = {k: v & vary for k, v in corrupt.name_applicability(frame).items()}
    applicable["translit"] = vary
    chosen_m = corrupt.choose(rng, PNR_MODELS, PNR_WEIGHTS, (0.0, 1.0), applicable, n)
    chosen = {name: chosen_m[:, j] for j, name in enumerate(PNR_MODELS)}
    alt = people.replace(
        given_var=rng.integers(0, 1 << 20, people.given.shape).astype(np.int32),
        surname_var=rng.integers(0, 1 << 20, people.surname.shape).astype(np.int32),
    )
    alt_s, alt_g = name_strings(table, alt)
    tr = chosen["translit"]
    surname = np.where(tr, alt_s, surname).astype(object)
    given = np.where(tr, alt_g, given).astype(object)
    ctx = corrupt.NameContext(rng, np.full(n, "", dtype=object))
    return corrupt.apply_name_models(surname, given, chosen, ctx)
