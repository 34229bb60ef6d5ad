"""What scoring knows about the population being screened: how often each name token and
each full name occurs in it. Computed once over the whole manifest (or summed over its
partitions), so partitions screened apart score exactly as one run would.

It also keeps a sample of the travellers for estimating the matcher's weights: those with
the smallest hash of their record (a bottom-k sketch), so the sample is the same however
the manifest was cut into partitions, and the estimate with it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from screening.linkage.normalize import SCREENING_FORMS, THREADED_FROM, name_forms
from screening.linkage.scoring import CountLookup, token_counts
from screening.linkage.settings import EstimationConfig

if TYPE_CHECKING:
    from screening.linkage.density import NameDensity
    from screening.linkage.estimate import Model
    from screening.linkage.screen import ListInformation


@dataclass(frozen=True)
class Population:
    token_counts: pl.DataFrame  # (tok, n Float64) over core name tokens
    token_total: int
    name_counts: pl.DataFrame  # (sorted_core, n UInt32): travellers per order-free full name
    size: int  # travellers
    # Passenger rows + "_h" (record hash) + "_name" (sorted_core), bottom-k by hash.
    sample: pl.DataFrame | None = None
    # The weights learned from this population against one index (estimate.Model), set
    # once per manifest by whoever screens it in parts; None: screen() estimates.
    model: Model | None = field(default=None, compare=False)
    # How crowded the population is around each list name of that index (density.
    # NameDensity; None: too few travellers to say), set with the model; `prepared`: both
    # were worked out (screen.learned), even where they came out None.
    density: NameDensity | None = field(default=None, compare=False, repr=False)
    prepared: bool = field(default=False, compare=False)
    # The manifest's name forms row by row (normalize.name_forms) beside the names they
    # came from, when the population is of one whole manifest prepared ahead
    # (population_stats(keep_forms=True)): screening then does not fold them again.
    # Never kept for partitions (Dask ships populations between processes).
    forms: pl.DataFrame | None = field(default=None, compare=False, repr=False)
    # The list side of name information for every list name of that index against this
    # population (screen.for_flights), for one that screens many flights against one
    # day's statistics; None: each manifest works out its own candidates'.
    list_information: ListInformation | None = field(default=None, compare=False, repr=False)

    @cached_property
    def token_lookup(self) -> CountLookup:
        """token_counts for a few tokens at a time (a flight's), built on first use."""
        return CountLookup.of(self.token_counts, "tok")

    @cached_property
    def name_lookup(self) -> CountLookup:
        """name_counts for a few names at a time, built on first use."""
        return CountLookup.of(self.name_counts, "sorted_core")

    def forms_of(self, passengers: pl.DataFrame) -> pl.DataFrame | None:
        """The kept name forms if they are those of `passengers`' names, row by row."""
        if self.forms is None or self.forms.height != passengers.height:
            return None
        names = passengers.select(_NAMES).cast(pl.String)
        return self.forms.drop(_NAMES) if self.forms.select(_NAMES).equals(names) else None


_SAMPLE = EstimationConfig.sample_passengers
# The name forms the counts are of: a Dask partition's first pass folds no more (the
# skeletons and glued forms were a third of its time).
COUNTED_FORMS = ("core", "sorted_core")
_KEY = ("passenger_id", "surname", "given_names", "dob", "doc_number")
_NAMES = ["surname", "given_names"]


def _bottom(frame: pl.DataFrame, k: int) -> pl.DataFrame:
    # Rows at or under the k-th smallest hash first (a partition, not a sort of every
    # row: sorting a million took a second), then the full order on those few.
    if frame.height > 2 * k > 0:
        h = frame["_h"].to_numpy()
        frame = frame.filter(pl.Series(h <= np.partition(h, k - 1)[k - 1]))
    return frame.sort("_h", *[c for c in _KEY if c in frame.columns], nulls_last=True).head(k)


def sample_of(
    passengers: pl.DataFrame, sorted_core: pl.Series, k: int = _SAMPLE, under: int | None = None
) -> pl.DataFrame:
    """The k travellers with the smallest record hash, in hash order, with their
    order-free name (`_name`); with `under`, only those whose hash is at most that."""
    cols = [pl.col(c).cast(pl.String) for c in _KEY if c in passengers.columns]
    h = pl.concat_str(cols, separator="\x1f", ignore_nulls=True).hash(seed=2396)
    rows = passengers.with_columns(h.alias("_h"), sorted_core.alias("_name"))
    if under is not None:
        rows = rows.filter(pl.col("_h") <= under)
    return _bottom(rows, k)


def sample_bound(k: int, rows: int, margin: float = 2.0) -> int | None:
    """A hash bound under which `margin` times k of `rows` travellers fall on average; None
    where that is every row. A partition of a manifest of `rows` keeps only its sample rows
    under it: the manifest's k smallest hashes are among them whenever the partitions keep
    k or more together (sample_complete), at a margin of 2 all but surely (a 50,000-row
    partition's 50,000 rows were 18 MB to ship and sum, ~6 s of a 10 M run's first pass)."""
    share = margin * k / rows if rows > 0 else 1.0
    return None if share >= 1.0 else int(share * (2**64 - 1))


def sample_complete(population: Population, k: int) -> bool:
    """Whether the combined sample holds the k smallest hashes of the manifest (or all of
    it): not so only when the partitions, each bounded, kept fewer than k together."""
    held = 0 if population.sample is None else population.sample.height
    return held >= min(k, population.size)


def population_stats(
    passengers: pl.DataFrame,
    forms: pl.DataFrame | None = None,
    sample_size: int = _SAMPLE,
    keep_forms: bool = False,
    sample_under: int | None = None,
) -> Population:
    """Token and full-name counts of one manifest (or one partition of it); with
    `keep_forms`, its name forms too (Population.forms); `sample_under`: see sample_bound."""
    if forms is None:  # counting needs two forms; screening what it keeps needs them all
        forms = name_forms(passengers, SCREENING_FORMS if keep_forms else COUNTED_FORMS)
    jobs = (
        lambda: token_counts(forms["core"]),
        lambda: sample_of(passengers, forms["sorted_core"], sample_size, sample_under),
        lambda: _counts(forms, "sorted_core"),
    )
    if forms.height >= THREADED_FROM:
        # Side by side on threads (polars releases the GIL; each count runs mostly on one
        # core): a national day's counting 0.98 s one after another, 0.76 s so.
        with ThreadPoolExecutor(len(jobs)) as pool:
            done = [f.result() for f in [pool.submit(job) for job in jobs]]
    else:
        done = [job() for job in jobs]
    (tokens, total), sample, names = done
    kept = None
    if keep_forms:
        kept = forms.with_columns(passengers.select(_NAMES).cast(pl.String))
    return Population(
        token_counts=tokens,
        token_total=total,
        name_counts=names,
        size=forms.height,
        sample=sample,
        forms=kept,
    )


def _counts(frames: pl.DataFrame | list[pl.DataFrame], key: str) -> pl.DataFrame:
    """(key, n UInt32): rows per value of `key`, or the sum of such counts; sorted by key,
    as token_counts are by token, so that a flight looks its few values up by binary
    search (scoring.counts_of)."""
    if isinstance(frames, list):
        return _summed(frames, key)
    return frames.group_by(key).agg(pl.len().cast(pl.UInt32).alias("n")).sort(key)


def _summed(frames: list[pl.DataFrame], key: str) -> pl.DataFrame:
    """The sum of count tables, sorted by key. Tables already sorted (as every count table
    here is) are merged two by two in linear time and summed in that order, not sorted
    again: the last combine of a 10 M manifest, 5.8 M distinct names from four tables,
    5.6-6.0 -> 1.8 s."""
    if not all(f[key].is_sorted() for f in frames):
        return pl.concat(frames).group_by(key).agg(pl.col("n").sum()).sort(key)
    while len(frames) > 1:
        frames = [
            frames[i].merge_sorted(frames[i + 1], key) if i + 1 < len(frames) else frames[i]
            for i in range(0, len(frames), 2)
        ]
    # Equal keys are neighbours now: their groups, in order of first sight, stay sorted.
    return frames[0].group_by(key, maintain_order=True).agg(pl.col("n").sum())


def combine(parts: list[Population], sample_size: int = _SAMPLE) -> Population:
    """The population of several partitions together."""
    samples = [p.sample for p in parts if p.sample is not None]
    sample = _bottom(pl.concat(samples, how="diagonal_relaxed"), sample_size) if samples else None
    return Population(
        token_counts=_counts([p.token_counts for p in parts], "tok"),
        token_total=sum(p.token_total for p in parts),
        name_counts=_counts([p.name_counts for p in parts], "sorted_core"),
        size=sum(p.size for p in parts),
        sample=sample,
    )
