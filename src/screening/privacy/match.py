"""Screening travellers against an encoded watch list (privacy.encode): candidate pairs by
keyed blocking keys, names by the Dice similarity of their filters, dates, nationality and
sex by keyed-hash equality, scored with the core's evidence weights. Alerts name the list
entry and name ids, never a listed name.

What privacy costs shows in the levels it cannot see: a date one day off or with day and
month swapped is just "differs", a listed year range has no "near" level, and documents
are not compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from screening.linkage.explain import ScoredPairs, _explain, empty_alerts, rank_pairs
from screening.linkage.index import entry_codes
from screening.linkage.levels import Dob, Document, NameHow
from screening.linkage.normalize import name_forms
from screening.linkage.population import population_stats
from screening.linkage.scoring import log_odds, to_score, token_bits
from screening.linkage.screen import ScreenResult
from screening.linkage.settings import Settings
from screening.privacy.encode import EncodingConfig, dice, encode

# A transliteration keeps the skeleton: its filter agreeing counts a little below the
# spelling's (as NameViews.skeleton_base does in the plaintext core).
SKELETON_WEIGHT = 0.95
PAIR_CHUNK = 200_000  # pairs compared at once (filters are bits/8 bytes a row)
# What a rare token is taken to say where too few travellers tell rare from common: one
# in 16,000 (log2 16,000 = 14 bits).
RARE_TOKEN_BITS = 14.0
# The bench plays both partners with this key; real use reads one (--secret-file).
DEMO_SECRET = b"screening bench demo key: not a secret"


@dataclass(frozen=True)
class PrivateIndex:
    rows: pl.DataFrame  # entry_id, name_id: all the screening side learns of a list row
    name_clk: np.ndarray
    skeleton_clk: np.ndarray
    dob: np.ndarray  # uint64 keyed full date, 0 when unknown
    years: pl.Series  # keyed possible birth years per row
    nationalities: pl.Series
    sex: np.ndarray
    keys: pl.DataFrame  # (key, l) keyed blocking keys
    config: EncodingConfig
    list_row: np.ndarray  # the list row each encoding is of (a salted name encodes per year)
    entry_code: np.ndarray  # an integer per entry_id (index.entry_codes), as alerts rank them

    @property
    def size(self) -> int:
        return self.rows.height

    @staticmethod
    def of(encoded: pl.DataFrame, cfg: EncodingConfig) -> PrivateIndex:
        keys = (
            encoded.select(pl.col("block_keys").alias("key"))
            .with_row_index("l")
            .explode("key")
            .drop_nulls("key")
            .with_columns(pl.col("l").cast(pl.Int64))
        )
        return PrivateIndex(
            rows=encoded.select("entry_id", "name_id"),
            name_clk=encoded["name_clk"].to_numpy(),
            skeleton_clk=encoded["skeleton_clk"].to_numpy(),
            dob=encoded["dob"].fill_null(0).to_numpy(),
            years=encoded["years"],
            nationalities=encoded["nationalities"],
            sex=encoded["sex"].fill_null(0).to_numpy(),
            keys=keys,
            config=cfg,
            list_row=encoded["list_row"].to_numpy().astype(np.int64),
            entry_code=entry_codes(encoded).to_numpy(),
        )


def _member(values: np.ndarray, lists: pl.Series, li: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value in the list row's set, that set is not empty) for each pair."""
    flat = (
        pl.DataFrame({"i": np.arange(len(li)), "l": li})
        .join(pl.DataFrame({"l": np.arange(len(lists)), "v": lists}), on="l", how="left")
        .sort("i")
    )
    has = flat["v"].list.len().fill_null(0).to_numpy() > 0
    hit = (
        flat.with_columns(x=pl.Series(values))
        .select(pl.col("v").list.contains(pl.col("x")).fill_null(False))
        .to_series()
        .to_numpy()
    )
    return hit & (values != 0), has


class PrivateMatcher:
    """The `private` matcher: the bench encodes the plaintext list with `secret`, as the
    partner holding it would; `screening screen --watchlist LIST.clk.parquet` builds it
    from an encoded file."""

    name = "private"

    def __init__(
        self,
        secret: bytes = DEMO_SECRET,
        config: EncodingConfig | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.secret = secret
        self.config = config or EncodingConfig()
        self.settings = settings or Settings()

    def build(self, rows: pl.DataFrame) -> PrivateIndex:
        return PrivateIndex.of(encode(self.secret, rows, self.config, listed=True), self.config)

    def screen(
        self, index: PrivateIndex, passengers: pl.DataFrame, threshold: float, top_k: int
    ) -> ScreenResult:
        if passengers.height == 0 or index.size == 0:
            return ScreenResult(empty_alerts(), (np.zeros(0, np.int64),) * 2, {})
        forms = name_forms(passengers)
        enc = encode(self.secret, passengers, index.config, listed=False, forms=forms)
        pk = enc.select(pl.col("block_keys").alias("key")).with_row_index("p").explode("key")
        pairs = pk.drop_nulls("key").join(index.keys, on="key").select("p", "l").unique()
        pairs = pairs.sort("p", "l")
        pi = pairs["p"].to_numpy().astype(np.int64)
        li = pairs["l"].to_numpy().astype(np.int64)
        stats = {"pairs": len(pi), "passengers": passengers.height, "list_names": index.size}
        if len(pi) == 0:
            return ScreenResult(empty_alerts(), (pi, li), stats)
        p_name, p_skel = enc["name_clk"].to_numpy(), enc["skeleton_clk"].to_numpy()
        sim = np.empty(len(pi))
        for at in range(0, len(pi), PAIR_CHUNK):  # bounded memory, vectorized inside
            a, b = pi[at : at + PAIR_CHUNK], li[at : at + PAIR_CHUNK]
            d_name = dice(p_name[a], index.name_clk[b])
            d_skel = dice(p_skel[a], index.skeleton_clk[b])
            sim[at : at + PAIR_CHUNK] = np.maximum(d_name, SKELETON_WEIGHT * d_skel)
        dob, width = self._dob(enc, index, pi, li)
        nat = self._nationality(enc, index, pi, li)
        p_sex, l_sex = enc["sex"].fill_null(0).to_numpy()[pi], index.sex[li]
        sex = np.where((p_sex == 0) | (l_sex == 0), 0, np.where(p_sex == l_sex, 1, -1))
        cfg = self.settings.scoring
        # Name information from the screening side's own travellers (the list's names are
        # not seen): the rarer the traveller's name here, the more its agreement says.
        if passengers.height >= self.settings.estimation.min_passengers:
            pop = population_stats(passengers, forms)
            bits_p = token_bits(forms["core"], pop.token_counts, pop.token_total, cfg)[pi]
        else:
            # A flight is too few travellers to tell a common name from a rare one: every
            # name is worth what one rare token and another are.
            bits_p = np.full(len(pi), RARE_TOKEN_BITS * (1 + cfg.extra_token_weight))
        doc = np.full(len(pi), Document.MISSING, dtype=np.int8)
        bits = log_odds(sim, bits_p, dob, width, doc, nat, sex, cfg)
        identical = sim >= self.settings.comparisons.name_views.identical
        score = to_score(bits, identical & (dob == Dob.EXACT), cfg)
        how = np.where(identical, NameHow.EXACT, NameHow.SPELLING).astype(np.int8)
        scored = ScoredPairs(pi, li, score, sim, how, dob, doc, nat)
        best = rank_pairs(index, scored, threshold, top_k)
        alerts = _explain(best, passengers["passenger_id"])
        return ScreenResult(alerts, (pi, index.list_row[li]), stats)

    @staticmethod
    def _dob(enc: pl.DataFrame, index: PrivateIndex, pi, li) -> tuple[np.ndarray, np.ndarray]:
        p_dob = enc["dob"].fill_null(0).to_numpy()[pi]
        l_dob = index.dob[li]
        p_year = enc["years"].list.first().fill_null(0).to_numpy()[pi]
        in_range, has_range = _member(p_year, index.years, li)
        width = np.maximum(index.years.list.len().fill_null(1).to_numpy()[li], 1)
        level = np.select(
            [
                p_dob == 0,
                (l_dob != 0) & (p_dob == l_dob),
                (l_dob != 0) & in_range,
                (l_dob != 0),
                in_range,
                has_range,
            ],
            [Dob.MISSING, Dob.EXACT, Dob.SAME_YEAR, Dob.DIFFERS, Dob.PARTIAL, Dob.DIFFERS],
            Dob.MISSING,
        ).astype(np.int8)
        return level, width.astype(np.float64)

    @staticmethod
    def _nationality(enc: pl.DataFrame, index: PrivateIndex, pi, li) -> np.ndarray:
        p_nat = enc["nationalities"].list.first().fill_null(0).to_numpy()[pi]
        agree, listed = _member(p_nat, index.nationalities, li)
        return np.where((p_nat == 0) | ~listed, 0, np.where(agree, 1, -1)).astype(np.int8)


class SaltedPrivateMatcher(PrivateMatcher):
    """`private-salted`: the names' q-grams hashed with the birth year (hardened against
    frequency attacks, at the cost of travellers whose year is unknown or outside the
    listed range)."""

    name = "private-salted"

    def __init__(self, secret: bytes = DEMO_SECRET, settings: Settings | None = None) -> None:
        super().__init__(secret, EncodingConfig(salt="birth_year"), settings)


class XorFoldedPrivateMatcher(PrivateMatcher):
    """`private-xor`: filters XOR-folded to half their length."""

    name = "private-xor"

    def __init__(self, secret: bytes = DEMO_SECRET, settings: Settings | None = None) -> None:
        super().__init__(secret, EncodingConfig(xor_fold=True), settings)


class BalancedPrivateMatcher(PrivateMatcher):
    """`private-balanced`: balanced filters (filter and complement, keyed permutation)."""

    name = "private-balanced"

    def __init__(self, secret: bytes = DEMO_SECRET, settings: Settings | None = None) -> None:
        super().__init__(secret, EncodingConfig(balanced=True), settings)


class RecordLevelPrivateMatcher(PrivateMatcher):
    """`private-record`: one filter per record (name, date of birth and nationalities
    together); no date or nationality is shipped as a keyed field of its own."""

    name = "private-record"

    def __init__(self, secret: bytes = DEMO_SECRET, settings: Settings | None = None) -> None:
        super().__init__(secret, EncodingConfig(record_level=True), settings)


class ClkhashPrivateMatcher(PrivateMatcher):
    """`private-clkhash`: the `private` matcher with the name filters made by clkhash, the
    reference implementation (a peer: needs screening[clkhash])."""

    name = "private-clkhash"

    def __init__(self, secret: bytes = DEMO_SECRET, settings: Settings | None = None) -> None:
        super().__init__(secret, EncodingConfig(hasher="clkhash"), settings)
