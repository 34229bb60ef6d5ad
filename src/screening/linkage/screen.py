"""screen(): passengers against a WatchlistIndex → scored, explained watch-list alerts.

normalize → block → first look → compare → score → rank → explain, each stage vectorized
over all passengers and all candidate pairs at once.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import polars as pl

from screening.linkage.blocking import candidate_pairs, folded_documents
from screening.linkage.comparisons.attributes import nationality_evidence
from screening.linkage.comparisons.coded import Coded, coded_passengers
from screening.linkage.comparisons.contacts import contact_evidence
from screening.linkage.comparisons.dates import same_date
from screening.linkage.comparisons.documents import document_evidence
from screening.linkage.comparisons.names import (
    initialled,
    initials_ratio,
    name_arrays,
    name_similarity,
    skeleton_in,
    skeleton_order_ratio,
    token_overlap,
    token_presence,
)
from screening.linkage.density import NameDensity, name_density
from screening.linkage.distinct import Once, PairMemo, distinct, first_seen_codes
from screening.linkage.estimate import (
    Model,
    estimate,
    estimate_names,
    levels_of,
    random_levels,
)
from screening.linkage.explain import ScoredPairs, _explain, empty_alerts, rank_pairs
from screening.linkage.index import WatchlistIndex, born_keys, list_names, passenger_keys
from screening.linkage.levels import Dob, Document, NameHow, Nationality
from screening.linkage.normalize import SCREENING_FORMS, name_forms
from screening.linkage.population import Population, population_stats
from screening.linkage.rivals import Rivals, rival_bits
from screening.linkage.scoring import counts_of, log_odds, to_score, token_parts
from screening.linkage.settings import AlertConfig, EstimationConfig


@dataclass(frozen=True)
class ScreenResult:
    alerts: pl.DataFrame
    pairs: tuple[np.ndarray, np.ndarray]  # candidate (passenger row, list row) pairs
    stats: dict[str, float]
    model: Model | None = None  # the weights learned from this manifest (None: hand-set)


class _Clock:
    """Seconds spent per stage, for the benchmark figures."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._t, 3)
        self._t = now


Candidates = Callable[
    [WatchlistIndex, pl.DataFrame, pl.DataFrame, pl.Series],
    tuple[np.ndarray, np.ndarray, dict],
]


def blocked_candidates(
    index: WatchlistIndex, passengers: pl.DataFrame, forms: pl.DataFrame, doc_folded: pl.Series
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Candidate pairs from the blocking keys (the default)."""
    cfg = index.config
    born = (
        born_keys(passengers["dob"], passengers["nationality"])
        if "nationality" in passengers.columns
        else None
    )
    pk = passenger_keys(forms, doc_folded, cfg.blocking, born)
    p_year = passengers["dob"].cast(pl.Date).dt.year()
    return candidate_pairs(pk, index.blocks, p_year)


@dataclass(frozen=True)
class Remembered:
    """Name pairs one manifest's chunks have compared already (distinct.PairMemo): by the
    first look (token overlap) and by the name comparisons (similarity, how, bits); and
    the list names' information (ListInformation), worked out once for all chunks."""

    first_look: PairMemo = field(default_factory=PairMemo)
    names: PairMemo = field(default_factory=PairMemo)
    list_information: Once = field(default_factory=Once)


@dataclass(frozen=True)
class ListInformation:
    """name_information's list side of every list name (token_parts against the list's
    and the whole manifest's counts, and the skeleton of the most informative token): a
    chunk's candidates hold half of a national list's names, and each chunk worked their
    information out again."""

    full: np.ndarray
    without: np.ndarray
    top: pl.Series  # the most informative token ("" for an empty name)
    top_skeleton: pl.Series

    @staticmethod
    def of(
        index: WatchlistIndex, population: Population, slice_names: int = 1_000_000
    ) -> ListInformation:
        """Worked out `slice_names` list names at a time: a 5 M-name list at once held
        1.3 GB more at its peak (each name's figures are its own)."""
        parts = []
        for at in range(0, index.size, max(slice_names, 1)):
            core = index.forms["core"].slice(at, slice_names)
            full, without, _, top_pos = _information(index, population, core)
            pos = pl.Series(top_pos)
            top = core.list.get(pos, null_on_oob=True).fill_null("")
            skeletons = index.forms["skeletons"].slice(at, slice_names)
            parts.append((full, without, top, skeletons.list.get(pos, null_on_oob=True)))
        if not parts:
            empty = pl.Series(dtype=pl.String)
            return ListInformation(np.zeros(0), np.zeros(0), empty, empty)
        full, without, top, skeleton = zip(*parts, strict=True)
        return ListInformation(
            np.concatenate(full),
            np.concatenate(without),
            pl.concat(top, rechunk=True),
            pl.concat(skeleton, rechunk=True),
        )

    def to_frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "full": self.full,
                "without": self.without,
                "top": self.top,
                "top_skeleton": self.top_skeleton,
            }
        )

    @staticmethod
    def of_frame(frame: pl.DataFrame) -> ListInformation:
        """From to_frame's frame (its float columns as they are: a mapped file stays
        mapped, shared by the processes that read it)."""
        return ListInformation(
            frame["full"].to_numpy(),
            frame["without"].to_numpy(),
            frame["top"],
            frame["top_skeleton"],
        )


@dataclass(frozen=True)
class Manifest:
    """The screened passengers as the comparisons need them, computed once."""

    passengers: pl.DataFrame
    forms: pl.DataFrame  # name_forms
    names: dict[str, np.ndarray]  # name_arrays(forms)
    population: Population  # name statistics (of the whole manifest when partitioned)
    document: pl.Series  # as written
    document_folded: pl.Series  # OCR-confusable letters folded
    # One integer per distinct (surname, given names): rows with equal names compare alike.
    name_id: np.ndarray
    coded: Coded  # dates of birth, sex and nationality, coded against the list's
    # Pairs compared by earlier chunks of the same manifest (its name_id numbers the whole
    # manifest's names then); None: a manifest screened in one piece.
    remembered: Remembered | None = None

    @staticmethod
    def of(
        index: WatchlistIndex,
        passengers: pl.DataFrame,
        population: Population | None = None,
        sample_size: int = EstimationConfig.sample_passengers,
        forms: pl.DataFrame | None = None,
        name_id: np.ndarray | None = None,
        remembered: Remembered | None = None,
    ) -> Manifest:
        """`name_id`, `remembered`: the rows' name numbers in the whole manifest and what
        its other chunks compared (screen_chunks); else numbered here, nothing shared."""
        forms = name_forms(passengers, SCREENING_FORMS) if forms is None else forms
        doc = passengers["doc_number"].cast(pl.String)
        return Manifest(
            passengers=passengers,
            forms=forms,
            # Travellers giving initials are read against list names' initials first.
            names=name_arrays(forms) | {"initialled": initialled(forms)},
            population=population or population_stats(passengers, forms, sample_size),
            document=doc,
            document_folded=folded_documents(doc),
            name_id=_name_ids(passengers) if name_id is None else name_id,
            coded=coded_passengers(passengers, index.coded.vocabulary),
            remembered=remembered,
        )


def _name_ids(passengers: pl.DataFrame) -> np.ndarray:
    names = passengers.select(
        pl.concat_str(
            [pl.col("surname").cast(pl.String), pl.col("given_names").cast(pl.String)],
            separator="\x1f",
            ignore_nulls=False,
        ).fill_null("")
    ).to_series()
    return first_seen_codes(names)


def _distinct_names(
    manifest: Manifest, index: WatchlistIndex, p_rows: np.ndarray, l_rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The first pair of each distinct (passenger name, list name), the map back
    (distinct.distinct) and each distinct pair's code: names repeat (Zipf), and a list
    writes one name under several identities, so each distinct pair of names is
    compared once."""
    codes = manifest.name_id[p_rows] * np.int64(index.size) + index.name_code[l_rows]
    first, back = distinct(codes)
    return first, back, codes[first]


def _recall(
    memo: PairMemo | None,
    codes: np.ndarray,
    compute: Callable[[np.ndarray], dict[str, np.ndarray]],
) -> tuple[dict[str, np.ndarray], int]:
    """compute(positions) for the pairs `codes` numbers: those `memo` holds looked up, the
    others computed (at their positions in `codes`) and remembered; and how many were
    looked up."""
    if memo is None:
        return compute(np.arange(len(codes))), 0
    found, known = memo.get(codes)
    todo = np.flatnonzero(~found)
    if len(todo) == 0 and len(codes):
        return known, len(codes)
    new = compute(todo)
    memo.add(codes[todo], new)
    out = {}
    for k, v in new.items():
        out[k] = np.empty(len(codes), v.dtype)
        out[k][todo] = v
        if k in known:
            out[k][found] = known[k]
    return out, len(codes) - len(todo)


@dataclass(frozen=True)
class KeptPairs:
    """Candidate pairs that passed the first look, with what that look computed."""

    passenger_row: np.ndarray
    list_row: np.ndarray
    token_overlap: np.ndarray
    document: np.ndarray  # Document level
    # The name arrays the first look used and where each pair's list name is in them: a
    # mapped index converts a chunk's list names to Python strings once, not twice.
    list_names: dict[str, np.ndarray]
    list_at: np.ndarray
    distinct_names: int = 0  # distinct (passenger name, list name) among the blocked pairs
    recalled: int = 0  # of those, compared by an earlier chunk (Remembered)


def screen(
    index: WatchlistIndex,
    passengers: pl.DataFrame,
    threshold: float = AlertConfig.threshold,
    top_k: int = AlertConfig.top_k,
    candidates: Candidates = blocked_candidates,
    population: Population | None = None,
) -> ScreenResult:
    """Watch-list alerts for every passenger scoring >= threshold (best identities first).

    `population`: name statistics of the whole manifest when `passengers` is one part of
    it (default: `passengers` itself). The alerts are those of screen_chunks, in one frame."""
    parts = list(screen_chunks(index, passengers, threshold, top_k, candidates, population))
    if len(parts) == 1:
        return parts[0][2]
    pairs = (
        np.concatenate([r.pairs[0] + at for at, _, r in parts]),
        np.concatenate([r.pairs[1] for _, _, r in parts]),
    )
    stats: dict[str, float] = {}
    for _, _, r in parts:
        for k, v in r.stats.items():
            stats[k] = stats.get(k, 0) + v
    # The list's own figures are the same in every chunk, not a sum.
    for k in ("keys", "keys_common", "keys_refined_by_year", "list_names"):
        if k in parts[0][2].stats:
            stats[k] = parts[0][2].stats[k]
    stats |= {"passengers": passengers.height, "chunks": len(parts)}
    alerts = pl.concat([r.alerts for _, _, r in parts])
    return ScreenResult(alerts, pairs, stats, parts[0][2].model)


def screen_chunks(
    index: WatchlistIndex,
    passengers: pl.DataFrame,
    threshold: float = AlertConfig.threshold,
    top_k: int = AlertConfig.top_k,
    candidates: Candidates = blocked_candidates,
    population: Population | None = None,
) -> Iterator[tuple[int, int, ScreenResult]]:
    """screen(), `alerts.chunk_passengers` passengers at a time: (first row, rows, result)
    per chunk, its pairs' passenger rows counted from the first row.

    Every chunk is scored with the whole manifest's name statistics and learned weights,
    so the alerts are those of one pass; the candidate pairs and alerts held at once are
    one chunk's."""
    chunk = max(int(index.config.alerts.chunk_passengers), 1)
    forms = population.forms_of(passengers) if population is not None else None
    clock = _Clock()
    forms = name_forms(passengers, SCREENING_FORMS) if forms is None else forms
    if population is None:
        population = population_stats(passengers, forms, index.config.estimation.sample_passengers)
    population = learned(index, population)
    clock.lap("estimate_s")
    if passengers.height <= chunk:
        manifest = Manifest.of(index, passengers, population, forms=forms)
        res = _screen_chunk(index, manifest, threshold, top_k, candidates)
        yield 0, passengers.height, _counted(res, clock)
        return

    ahead = max(int(index.config.alerts.chunk_threads), 1)
    # As many chunks as a multiple of the threads, of equal size (at most `chunk`): with
    # five, the last ran alone on one core while the other idled.
    n_chunks = -(-passengers.height // chunk)
    n_chunks = -(-n_chunks // ahead) * ahead
    chunk = -(-passengers.height // n_chunks)

    # A name's number is the whole manifest's, so that a chunk finds the name pairs the
    # chunks before it compared (a common name meets the same list names in every chunk).
    name_id = _name_ids(passengers)
    remembered = Remembered()

    def run(at: int) -> ScreenResult:
        part = Manifest.of(
            index,
            passengers.slice(at, chunk),
            population,
            forms=forms.slice(at, chunk),
            name_id=name_id[at : at + chunk],
            remembered=remembered,
        )
        return _screen_chunk(index, part, threshold, top_k, candidates)

    starts = list(range(0, passengers.height, chunk))
    # Chunks overlap in threads (polars, numpy and rapidfuzz release the GIL): one chunk's
    # single-threaded steps run beside another's parallel ones. `ahead` chunks are
    # screened at once and one more waits its turn, so a thread never idles while the
    # caller handles a result; results come back in order: the output of one pass.
    with ThreadPoolExecutor(ahead) as pool:
        pending = deque(pool.submit(run, at) for at in starts[: ahead + 1])
        for i, at in enumerate(starts):
            res = pending.popleft().result()
            if i + ahead + 1 < len(starts):
                pending.append(pool.submit(run, starts[i + ahead + 1]))
            if at == 0:  # the whole manifest's normalization and estimate, counted once
                res = _counted(res, clock)
            yield at, min(chunk, passengers.height - at), res


def _counted(res: ScreenResult, clock: _Clock) -> ScreenResult:
    """`res` with the whole manifest's normalization and estimate times added."""
    stats = dict(res.stats)
    for k, v in clock.laps.items():
        stats[k] = stats.get(k, 0) + v
    return replace(res, stats=stats)


def _screen_chunk(
    index: WatchlistIndex,
    manifest: Manifest,
    threshold: float,
    top_k: int,
    candidates: Candidates,
) -> ScreenResult:
    """screen() on passengers few enough to hold all their candidate pairs at once."""
    clock = _Clock()
    passengers = manifest.passengers
    clock.lap("normalize_s")
    p_rows, l_rows, stats = candidates(index, passengers, manifest.forms, manifest.document_folded)
    clock.lap("block_s")
    if len(p_rows) == 0:
        return ScreenResult(empty_alerts(), (p_rows, l_rows), stats)
    kept = first_look(index, manifest, p_rows, l_rows)
    stats["pairs_compared"] = len(kept.passenger_row)
    stats["name_pairs_distinct"] = kept.distinct_names  # of stats["pairs"]: what is compared
    stats["name_pairs_recalled"] = kept.recalled  # of those: compared by an earlier chunk
    clock.lap("prefilter_s")
    scored, model = compare_and_score(index, manifest, kept, clock)
    best = rank_pairs(index, scored, threshold, top_k)
    clock.lap("score_s")
    alerts = _explain(best, passengers["passenger_id"])
    clock.lap("alerts_s")
    stats |= {"passengers": passengers.height, "list_names": index.size} | clock.laps
    return ScreenResult(alerts, (kept.passenger_row, kept.list_row), stats, model)


def _documents(
    index: WatchlistIndex, manifest: Manifest, p_rows: np.ndarray, l_rows: np.ndarray
) -> np.ndarray:
    """Document level of each pair (the passenger's as written and OCR-folded)."""
    return document_evidence(
        manifest.document_folded,
        manifest.document,
        index.documents,
        index.entry_code,
        index.has_doc,
        p_rows,
        l_rows,
    )


def first_look(
    index: WatchlistIndex, manifest: Manifest, p_rows: np.ndarray, l_rows: np.ndarray
) -> KeptPairs:
    """A cheap first look: pairs sharing little of their names go, unless their documents
    match (a listed passport under another name is an alert of its own)."""
    first, back, codes = _distinct_names(manifest, index, p_rows, l_rows)
    p_one, l_one = p_rows[first], l_rows[first]
    lst, l_at = list_names(index, l_one)
    prefilter = index.config.comparisons.prefilter
    memo = manifest.remembered.first_look if manifest.remembered is not None else None
    # NaN where the letters prove the overlap below the prefilter (not scored).
    got, recalled = _recall(
        memo,
        codes,
        lambda at: {
            "overlap": token_overlap(manifest.names, lst, p_one[at], l_at[at], floor=prefilter)
        },
    )
    overlap = got["overlap"][back]
    l_at = l_at[back]
    document = _documents(index, manifest, p_rows, l_rows)
    keep = (overlap >= prefilter) | np.isin(document, (Document.EXACT, Document.OCR))
    born = "born" in index.config.blocking.keys
    aligned = index.config.comparisons.same_date_skeleton_order
    if (born or aligned) and not keep.all():
        rest = np.flatnonzero(~keep)
        rest = rest[same_date(manifest.coded, index.coded, p_rows[rest], l_rows[rest])]
        if born:
            # Another name, the same birth date and nationality: a real alias can share no
            # name part with the listed one (kunyas, names taken later).
            nat = nationality_evidence(manifest.coded, index.coded, p_rows[rest], l_rows[rest])
            keep[rest[nat == Nationality.AGREE]] = True
            rest = rest[nat != Nationality.AGREE]
        if aligned:
            # NaN: the letters alone keep the pair below the prefilter, in any token order.
            rest = rest[~np.isnan(overlap[rest])]
            near = skeleton_order_ratio(manifest.names, lst, p_rows[rest], l_at[rest])
            keep[rest[near >= prefilter]] = True
    if index.config.comparisons.initials_first_look and not keep.all():
        # Given names as initials share few letters with the names they stand for: read
        # against the list name's initials, as the comparisons will.
        rest = np.flatnonzero(~keep)
        rest = rest[manifest.names["initialled"][p_rows[rest]]]
        views = index.config.comparisons.name_views
        near = initials_ratio(manifest.names, lst, p_rows[rest], l_at[rest]) * views.initials
        keep[rest[near >= prefilter]] = True
    # Kept for their documents or birth date with the overlap not scored: it is compared.
    unscored = np.flatnonzero(keep & np.isnan(overlap))
    overlap[unscored] = token_overlap(manifest.names, lst, p_rows[unscored], l_at[unscored])
    return KeptPairs(
        p_rows[keep],
        l_rows[keep],
        overlap[keep],
        document[keep],
        lst,
        l_at[keep],
        len(p_one),
        recalled,
    )


def compare_and_score(
    index: WatchlistIndex,
    manifest: Manifest,
    kept: KeptPairs,
    clock: _Clock,
    rivals: Rivals | None = None,
) -> tuple[ScoredPairs, Model | None]:
    """Every comparison on the kept pairs, their evidence in bits, and one score each;
    with the weights learned from the manifest (or None: the hand-set ones were used).
    `rivals`: of the travellers' every compared pair (default: of `kept`, which holds
    them all when screening)."""
    cfg = index.config
    p_rows, l_rows = kept.passenger_row, kept.list_row
    passengers = manifest.passengers
    name_score, name_how, name_bits = _names(index, manifest, kept)
    levels = levels_of(passengers, index, kept.document, p_rows, l_rows, manifest.coded)
    contact = contact_evidence(
        passengers, index.contacts, index.entry_code, index.has_contact, p_rows, l_rows
    )
    clock.lap("compare_s")
    model = _model(index, manifest)
    clock.lap("estimate_s")
    bits = log_odds(
        name_score,
        name_bits,
        levels.dob,
        levels.dob_width,
        levels.document,
        levels.nationality - 1,
        levels.sex - 1,
        cfg.scoring,
        contact,
        weights=None if model is None else model.weights,
        name_edges=cfg.estimation.name_level_edges,
        name_how=name_how,
    )
    name = np.array(bits["name"], dtype=np.float64)
    density = _density(index, manifest)
    if density is not None:
        # A cap is positive (sightings <= sample): only evidence for identity can meet it.
        at = np.flatnonzero(name > 0)
        name[at] = np.minimum(
            name[at], density.bits_cap(index.name_code[l_rows[at]], name_score[at])
        )
    if cfg.scoring.rival_identities and len(p_rows):
        # Only names alike lose bits, and only names alike are their rivals.
        at = np.flatnonzero(name_score >= cfg.scoring.name_floor)
        if rivals is None:
            rivals = Rivals.of(p_rows[at], index.entry_code[l_rows[at]], name_score[at])
        name[at] -= rival_bits(rivals, p_rows[at], name_score[at], cfg.scoring.name_floor)
    bits["name"] = name
    identical = name_score >= cfg.comparisons.name_views.identical
    score = to_score(bits, identical & (levels.dob == Dob.EXACT), cfg.scoring)
    nationality = levels.nationality - 1
    scored = ScoredPairs(
        p_rows,
        l_rows,
        score,
        name_score,
        name_how,
        levels.dob,
        kept.document,
        nationality,
        contact,
        bits,
    )
    return scored, model


def _names(
    index: WatchlistIndex, manifest: Manifest, kept: KeptPairs
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Name similarity, how (NameHow) and information (name_information) of the kept
    pairs, each distinct pair of names compared once."""
    first, back, codes = _distinct_names(manifest, index, kept.passenger_row, kept.list_row)
    p_one, l_one = kept.passenger_row[first], kept.list_row[first]
    lst, l_at = kept.list_names, kept.list_at[first]
    overlap, views = kept.token_overlap[first], index.config.comparisons.name_views

    def compare(at: np.ndarray) -> dict[str, np.ndarray]:
        score, how = name_similarity(manifest.names, lst, p_one[at], l_at[at], overlap[at], views)
        pair = (p_one[at], l_one[at])
        bits, shared = name_information(index, manifest, *pair, score, (lst, l_at[at]))
        below = score < index.config.estimation.name_level_edges[0]
        how = np.where(below & shared, NameHow.SHARED_PART, how).astype(np.int8)
        return {"score": score, "how": how, "bits": bits}

    memo = manifest.remembered.names if manifest.remembered is not None else None
    got, _ = _recall(memo, codes, compare)
    return got["score"][back], got["how"][back], got["bits"][back]


def _model(index: WatchlistIndex, manifest: Manifest) -> Model | None:
    """The weights to score with: learned once per manifest (from its sample)."""
    pop = manifest.population
    if pop.model is not None or pop.prepared:
        return pop.model
    return learn(index, pop)


def _density(index: WatchlistIndex, manifest: Manifest) -> NameDensity | None:
    """How crowded the manifest is around each list name (once per manifest)."""
    pop = manifest.population
    return pop.density if pop.prepared else learned(index, pop).density


def learned(index: WatchlistIndex, population: Population) -> Population:
    """`population` with what screening learns from it against `index`, once per manifest
    (engines that screen in parts call it and pass the result on): the weights (learn,
    unless given) and the name density (density.NameDensity). The sample's candidate pairs
    are compared once for both."""
    if population.prepared:
        return population
    cfg = index.config.estimation
    compared = None
    wanted = cfg.name_density or (population.model is None and cfg.learn_names)
    t0 = time.perf_counter()
    if cfg.enabled and wanted:
        compared = compare_sample(index, population)
    comparing = time.perf_counter() - t0
    model = population.model
    if model is None:
        model = learn(index, population, compared)
        # Learning's cost includes finding and comparing the sample's candidates.
        model = model and replace(model, seconds=model.seconds + comparing)
    density = None
    if cfg.name_density and compared is not None:
        density = name_density(
            compared.kept.passenger_row,
            index.name_code[compared.kept.list_row],
            compared.similarity,
            compared.passengers.height,
            index.config.comparisons.common_name_sightings,
        )
    if model is not None and density is not None:
        model = replace(model, density=density.summary())
    return replace(population, model=model, density=density, prepared=True)


def for_flights(index: WatchlistIndex, population: Population) -> Population:
    """learned(index, population) with the list side of name information worked out for
    every list name: what a deployment keeps to screen flight after flight against one
    day's statistics (0.3 s for half a million list names, then each flight spares its
    candidates')."""
    day = learned(index, population)
    if day.list_information is not None:
        return day
    return replace(day, list_information=ListInformation.of(index, day))


@dataclass(frozen=True)
class SampleComparisons:
    """A manifest's candidate pairs (the population sample's, for learning), blocked,
    first-looked and their names compared as screening does."""

    passengers: pl.DataFrame
    manifest: Manifest
    kept: KeptPairs
    similarity: np.ndarray
    how: np.ndarray
    bits: np.ndarray


def compare_sample(
    index: WatchlistIndex, population: Population, rows: int | None = None
) -> SampleComparisons | None:
    """The candidate pairs of the population's sample, or of its first `rows` travellers
    (None: no sample, a population too small to learn from, or no candidates)."""
    cfg = index.config.estimation
    if population.sample is None or population.size < cfg.min_passengers:
        return None
    sample = population.sample.head(rows) if rows is not None else population.sample
    return compare_all(index, Manifest.of(index, sample.drop("_h", "_name"), population))


def compare_all(index: WatchlistIndex, manifest: Manifest) -> SampleComparisons | None:
    """Every candidate pair of a manifest's travellers, blocked, first-looked and their
    names compared as screening does (None: no candidates)."""
    passengers = manifest.passengers
    p_rows, l_rows, _ = blocked_candidates(
        index, passengers, manifest.forms, manifest.document_folded
    )
    if len(p_rows) == 0:
        return None
    kept = first_look(index, manifest, p_rows, l_rows)
    similarity, how, bits = _names(index, manifest, kept)
    return SampleComparisons(passengers, manifest, kept, similarity, how, bits)


def learn(
    index: WatchlistIndex, population: Population, compared: SampleComparisons | None = None
) -> Model | None:
    """The weights learned from a population's sample against `index` (screen.learned
    calls it once per manifest). `compared`: compare_sample(index, population), when the
    caller holds it.

    EM runs on the sample's namesake pairs: passenger and list name with the same
    order-free name. Blocking on the name alone, as Splink trains, leaves DOB, document,
    nationality and sex free to tell the same person from a namesake (the screening
    blocks also refine by birth year, which would bias the DOB levels)."""
    cfg = index.config.estimation
    if not cfg.enabled or population.sample is None or population.size < cfg.min_passengers:
        return None
    sample = population.sample.drop("_h", "_name")
    passengers = pl.DataFrame(
        {"p": np.arange(sample.height, dtype=np.int64), "name": population.sample["_name"]}
    )
    listed = pl.DataFrame(
        {"l": np.arange(index.size, dtype=np.int64), "name": index.forms["sorted_core"]}
    )
    pairs = passengers.filter(pl.col("name") != "").join(listed, on="name")
    p_rows, l_rows = pairs["p"].to_numpy(), pairs["l"].to_numpy()
    group = p_rows * (int(index.entry_code.max()) + 1) + index.entry_code[l_rows]
    enough = sample.height * index.size >= cfg.min_random_pairs
    if not enough or len(np.unique(group)) < cfg.min_training_pairs:
        return None
    coded = coded_passengers(sample, index.coded.vocabulary)
    levels = levels_of(sample, index, None, p_rows, l_rows, coded)
    strangers, n_random = random_levels(sample, index, cfg, coded)
    model = estimate(levels, group, strangers, n_random, index.config.scoring, cfg)
    return learn_names(index, population, model, compared) if cfg.learn_names else model


def learn_names(
    index: WatchlistIndex,
    population: Population,
    model: Model,
    compared: SampleComparisons | None = None,
) -> Model:
    """`model` with the name levels learned (estimate.estimate_names) from the candidate
    pairs of the population's first `name_sample_passengers` sampled travellers, blocked
    and first-looked as screening does (those of `compared` when given: a traveller's
    candidates do not depend on the others screened with it)."""
    t0 = time.perf_counter()
    cfg = index.config.estimation
    if compared is None:
        compared = compare_sample(index, population, cfg.name_sample_passengers)
    if compared is None:
        return model
    sample = compared.passengers.head(cfg.name_sample_passengers)
    manifest, kept = compared.manifest, compared.kept
    at = np.flatnonzero(kept.passenger_row < sample.height)
    if len(at) == 0:
        return model
    similarity, how, bits = compared.similarity[at], compared.how[at], compared.bits[at]
    p_rows, l_rows = kept.passenger_row[at], kept.list_row[at]
    levels = levels_of(sample, index, kept.document[at], p_rows, l_rows, manifest.coded)
    group = p_rows * (int(index.entry_code.max()) + 1) + index.entry_code[l_rows]
    identities = len(np.unique(index.entry_code))
    named = estimate_names(
        similarity,
        how,
        bits,
        levels,
        group,
        model,
        index.config.scoring,
        cfg,
        sample.height,
        identities,
    )
    # The cost of learning includes finding and comparing the sample's candidates.
    return replace(named, seconds=model.seconds + time.perf_counter() - t0)


def name_information(
    index: WatchlistIndex,
    manifest: Manifest,
    p_rows: np.ndarray,
    l_rows: np.ndarray,
    similarity: np.ndarray,
    listed: tuple[dict[str, np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Bits an agreeing name is worth per pair: the rarity of the tokens the two names
    share among the list and the screened population, or, for a full name seen often in
    the population, that frequency; and whether either name's most informative part is
    in the other. `similarity`: the pairs' name similarity (pairs below the first name
    level look for the parts by skeleton only); `listed`: list_names(index, l_rows) when
    the caller holds it already."""
    pop = manifest.population
    # Only the names among the candidates need their information computed.
    first, position = distinct(l_rows)
    rows_needed = l_rows[first]
    first, p_position = distinct(p_rows)
    p_needed = p_rows[first]
    p_core = manifest.forms["core"].gather(p_needed)
    # Flights against a day's statistics (for_flights) or chunks of one manifest: the
    # list's side worked out once, for every list name.
    shared = manifest.remembered
    info = pop.list_information
    if info is None and shared is not None:
        info = shared.list_information.get(lambda: ListInformation.of(index, pop))
    if info is not None:
        l_full, l_without = info.full[rows_needed], info.without[rows_needed]
        l_top = info.top.gather(rows_needed).to_numpy()
        p_full, p_without, p_top, p_top_pos = _information(index, pop, p_core)
    else:
        # Both sides' names in one call: a flight pays each polars step once, not twice.
        core = index.forms["core"].gather(rows_needed)
        full, without, top, top_pos = _information(index, pop, pl.concat([core, p_core]))
        n_l = len(core)
        l_full, l_without, l_top = full[:n_l], without[:n_l], top[:n_l]
        p_full, p_without, p_top = full[n_l:], without[n_l:], top[n_l:]
        p_top_pos = top_pos[n_l:]
    # A name's most informative part (mostly the surname) that the other name lacks says
    # nothing for the pair: BELHADJ CHABANE AYOUB and BENAOUDA CHABANE AYOUB agree on
    # CHABANE AYOUB only. Present: found in the other name with a typo or two, spaces
    # ignored (ABDULRAHMAN is in ABDUL RAHMAN).
    lst, l_at = listed if listed is not None else list_names(index, l_rows)
    w_l, w_p = np.empty(len(p_rows)), np.empty(len(p_rows))
    # Names alike as a whole: each top part found with a typo or two, spaces ignored.
    is_alike = similarity >= index.config.estimation.name_level_edges[0]
    alike, unlike = np.flatnonzero(is_alike), np.flatnonzero(~is_alike)
    w_l[alike] = token_presence(l_top[position[alike]], manifest.names["compact_gs"][p_rows[alike]])
    w_p[alike] = token_presence(p_top[p_position[alike]], lst["compact_gs"][l_at[alike]])
    # Names unlike: only whether a top part is there in some romanization (a surname kept
    # beside other given names), for a fraction of partial_ratio's time.
    if len(unlike):
        # The skeletons list the core tokens in order: a top part's is at its place.
        l_skel = index.forms["skeletons"].gather(rows_needed)
        p_skel = manifest.forms["skeletons"].gather(p_needed)
        p_top_sk = p_skel.list.get(pl.Series(p_top_pos), null_on_oob=True)
        if info is not None:
            l_top_sk = info.top_skeleton.gather(rows_needed)
        else:
            l_top_sk = l_skel.list.get(pl.Series(top_pos[:n_l]), null_on_oob=True)
        w_l[unlike] = skeleton_in(l_top_sk, position[unlike], p_position[unlike], p_skel)
        w_p[unlike] = skeleton_in(p_top_sk, p_position[unlike], position[unlike], l_skel)
    list_bits = w_l * l_full[position] + (1 - w_l) * l_without[position]
    p_bits = w_p * p_full[p_position] + (1 - w_p) * p_without[p_position]
    # Two names agree on no more than the lesser of them says: a traveller giving two of a
    # listed name's four parts agrees on those two only.
    list_bits = np.minimum(list_bits, p_bits)
    # A full name shared by many in the screened population is weak evidence however rare
    # its tokens look one by one (families, double-barrelled names). One or two sightings
    # (a traveller on two legs) say nothing about how common a name is.
    # A name the counts lack (a population of other travellers) is seen once: this one.
    names = manifest.forms["sorted_core"].gather(p_needed)
    seen = counts_of(pop.name_counts, "sorted_core", names, lookup=lambda: pop.name_lookup)
    same_name = np.maximum(seen, 1.0)[p_position]
    seen_bits = -np.log2(same_name / (pop.size + 1.0))
    common = same_name >= index.config.comparisons.common_name_sightings
    shared = np.maximum(w_l, w_p) >= 0.5
    return np.where(common, np.minimum(list_bits, seen_bits), list_bits), shared


def _information(
    index: WatchlistIndex, pop: Population, core: pl.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scoring.token_parts of names (their core tokens), counted in the list and the
    screened population."""

    # Token frequencies looked up for the distinct tokens these names hold: merging both
    # tables whole cost a flight more than its names.
    def count(tokens: pl.Series) -> np.ndarray:
        in_list = counts_of(index.token_counts, "tok", tokens, lookup=lambda: index.token_lookup)
        return in_list + counts_of(pop.token_counts, "tok", tokens, lookup=lambda: pop.token_lookup)

    return token_parts(core, count, pop.token_total + index.token_total, index.config.scoring)


def pair_evidence(
    index: WatchlistIndex, passengers: pl.DataFrame, p_rows: np.ndarray, l_rows: np.ndarray
) -> pl.DataFrame:
    """The evidence (bits per field), total and score of given (passenger row, list row)
    pairs, computed as screening the whole of `passengers` computes it: what an alert's
    waterfall shows."""
    population = population_stats(passengers, sample_size=index.config.estimation.sample_passengers)
    manifest = Manifest.of(index, passengers, learned(index, population))
    p_rows, l_rows = np.asarray(p_rows, np.int64), np.asarray(l_rows, np.int64)
    lst, l_at = list_names(index, l_rows)
    overlap = token_overlap(manifest.names, lst, p_rows, l_at)
    document = _documents(index, manifest, p_rows, l_rows)
    kept = KeptPairs(p_rows, l_rows, overlap, document, lst, l_at)
    scored, _ = compare_and_score(index, manifest, kept, _Clock(), _rivals(index, manifest, p_rows))
    bits = {k: np.asarray(v, np.float64) for k, v in (scored.bits or {}).items()}
    return pl.DataFrame(bits).with_columns(
        total=pl.sum_horizontal(list(bits)), score=np.asarray(scored.score, np.float64)
    )


def _rivals(index: WatchlistIndex, manifest: Manifest, p_rows: np.ndarray) -> Rivals:
    """Rivals of travellers `p_rows` over all their candidate pairs, as screening them
    finds and compares them (whatever pairs the caller asks about)."""
    travellers = np.unique(p_rows)
    sub = Manifest.of(index, manifest.passengers[travellers], manifest.population)
    compared = compare_all(index, sub)
    if compared is None:
        return Rivals(np.zeros(0, np.int64))
    identity = index.entry_code[compared.kept.list_row]
    return Rivals.of(travellers[compared.kept.passenger_row], identity, compared.similarity)


def evidence(
    index: WatchlistIndex, passengers: pl.DataFrame, pi: np.ndarray, li: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dob level, document level, nationality) per pair, for matchers that score
    differently but explain their alerts the same way."""
    levels = levels_of(passengers, index, None, pi, li)
    return levels.dob, levels.document, levels.nationality - 1
