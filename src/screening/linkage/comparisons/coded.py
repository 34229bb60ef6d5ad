"""Dates of birth, sex and nationalities as integers, worked out once per list and per
manifest: a pair's levels are then numpy gathers and compares. Compared pair by pair as
polars queries they cost a 300-passenger flight ~20 queries of ~0.1 ms each."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from screening.linkage.ragged import range_positions

UNKNOWN_DAY = np.iinfo(np.int32).min
NO_NATIONALITY = -1  # a passenger without one
UNLISTED = -2  # a nationality no list row holds (it can agree with none)
SEX_CODES = {"M": 1, "F": 2}  # anything else is unknown: 0


@dataclass(frozen=True, eq=False)
class Coded:
    """Per row: date of birth as days since 1970 (UNKNOWN_DAY) and its year, month and day
    (0 unknown), a listed birth-year range (0 unknown), sex (SEX_CODES), and nationalities
    as codes into `vocabulary`, row i's at nationality[offsets[i]:offsets[i + 1]]."""

    day: np.ndarray  # int32
    year: np.ndarray  # int16
    month: np.ndarray  # int8
    dom: np.ndarray  # int8
    year_from: np.ndarray  # int16
    year_to: np.ndarray  # int16
    sex: np.ndarray  # int8
    nationality: np.ndarray  # int16
    offsets: np.ndarray  # int64, rows + 1
    vocabulary: tuple[str, ...]  # the list's nationalities, sorted

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        return {k: getattr(self, k) for k in CODED_ARRAYS}

    def equals(self, other: Coded) -> bool:
        mine, theirs = self.arrays, other.arrays
        same = all(np.array_equal(mine[k], theirs[k]) for k in mine)
        return same and self.vocabulary == other.vocabulary


CODED_ARRAYS = (
    "day",
    "year",
    "month",
    "dom",
    "year_from",
    "year_to",
    "sex",
    "nationality",
    "offsets",
)


def _dates(frame: pl.DataFrame, year_from: pl.Expr, year_to: pl.Expr) -> pl.DataFrame:
    d = pl.col("dob").cast(pl.Date)
    return frame.select(
        day=d.to_physical().fill_null(UNKNOWN_DAY),
        year=d.dt.year().fill_null(0).cast(pl.Int16),
        month=d.dt.month().fill_null(0).cast(pl.Int8),
        dom=d.dt.day().fill_null(0).cast(pl.Int8),
        year_from=year_from.fill_null(0).cast(pl.Int16),
        year_to=year_to.fill_null(0).cast(pl.Int16),
        # A frame without sex (the ceiling's travellers) has it unknown.
        sex=(pl.col("sex") if "sex" in frame.columns else pl.lit(None))
        .cast(pl.String)
        .replace_strict(SEX_CODES, default=0, return_dtype=pl.Int8),
    )


def _codes(values: pl.Series, vocabulary: tuple[str, ...]) -> np.ndarray:
    """Each value's place in `vocabulary`; UNLISTED where it is not there, NO_NATIONALITY
    where missing."""
    text = values.cast(pl.String)
    codes = text.replace_strict(
        list(vocabulary), list(range(len(vocabulary))), default=UNLISTED, return_dtype=pl.Int16
    ).to_numpy()
    # replace_strict gives a null the default too.
    return np.where(text.is_null().to_numpy(), NO_NATIONALITY, codes).astype(np.int16)


def coded_list(rows: pl.DataFrame) -> Coded:
    """Canonical list rows (screening.data.lists) coded; their nationalities are the
    vocabulary a manifest is coded against."""
    f = _dates(rows, pl.col("dob_year_from"), pl.col("dob_year_to"))
    nats = rows["nationalities"]
    flat = nats.explode(keep_nulls=False, empty_as_null=False)
    vocabulary = tuple(flat.drop_nulls().unique().sort().to_list())
    lens = nats.list.len().fill_null(0).to_numpy().astype(np.int64)
    offsets = np.zeros(len(lens) + 1, dtype=np.int64)
    np.cumsum(lens, out=offsets[1:])
    # A null inside a row's list counts as a nationality no traveller agrees with.
    codes = _codes(flat, vocabulary)
    return Coded(**_columns(f), nationality=codes, offsets=offsets, vocabulary=vocabulary)


def coded_passengers(passengers: pl.DataFrame, vocabulary: tuple[str, ...]) -> Coded:
    """Passengers coded against a list's nationality `vocabulary` (Coded.vocabulary)."""
    f = _dates(passengers, pl.lit(None), pl.lit(None))
    codes = _codes(passengers["nationality"], vocabulary)
    return Coded(
        **_columns(f),
        nationality=codes,
        offsets=np.arange(len(codes) + 1, dtype=np.int64),
        vocabulary=vocabulary,
    )


def _columns(f: pl.DataFrame) -> dict[str, np.ndarray]:
    return {c: f[c].to_numpy() for c in f.columns}


def nationality_agrees(p: Coded, lst: Coded, pi: np.ndarray, li: np.ndarray) -> np.ndarray:
    """Per pair: the passenger's nationality is one of the list row's."""
    lens = listed_nationalities(lst, li)
    if int(lens.sum()) == 0:
        return np.zeros(len(li), dtype=bool)
    pair = np.repeat(np.arange(len(li)), lens)
    mine = np.repeat(p.nationality[pi], lens)
    listed = lst.nationality[range_positions(lst.offsets[li], lens)]
    hit = (listed == mine) & (mine >= 0)
    return np.bincount(pair[hit], minlength=len(li)) > 0


def listed_nationalities(lst: Coded, li: np.ndarray) -> np.ndarray:
    """Per pair: how many nationalities the list row holds."""
    return lst.offsets[li + 1] - lst.offsets[li]
