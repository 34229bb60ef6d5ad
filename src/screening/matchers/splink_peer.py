"""Splink (probabilistic record linkage, DuckDB backend) as a peer matcher.

A `link_only` Fellegi–Sunter model between the manifest and the watch-list names, set up
the way a Splink user would (tested with splink 5.0.0, duckdb 1.5):

- blocking: surname metaphone, and first-given-name metaphone, each with the birth year
  inside the listed year or range; surname and given metaphones swapped; surname + first
  given metaphone (no year, for travellers or entries without a date); exact date of birth;
  first document (folded);
- comparisons: first given name and surname together (Splink's forename-surname
  comparison: exact with term frequencies, the two swapped, Jaro-Winkler 0.92 / 0.88 on
  both, surname or given name exact alone); shared name tokens (≥ 2 / ≥ 1); date of birth
  (exact, day↔month swap, the year of a single-year listing, a year inside a listed range,
  within a year, other); document (exact, equal up to OCR confusions, other); nationality
  (one of the identity's, other);
- training, without the truth: u by random sampling (1e7 pairs); m by EM on pairs sharing
  a document, then on pairs sharing a date of birth; prior 1e-4;
- score: Splink's match probability, best name per (passenger, identity).

Why EM on documents first: a document number a traveller shares with a list entry almost
always means the same person, so those pairs teach EM what a real match's names and dates
look like. Pairs blocked on names are mostly namesakes; EM there converged on them (an
exact date of birth learned as m = 0.0003, worth nothing) and the peer missed 61 % of the
listed travellers at FPIR 0.001 on the development worlds. Without enough document pairs
(small manifests) EM falls back to pairs sharing both name metaphones.

Metaphones come from jellyfish over distinct tokens (DuckDB has no phonetic function).
Explanations reuse the default matcher's evidence levels; the score is Splink's alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import jellyfish
import numpy as np
import polars as pl

from screening.linkage.blocking import fold_document, folded_documents
from screening.linkage.comparisons.names import name_arrays, name_similarity, token_overlap
from screening.linkage.explain import ScoredPairs, empty_alerts, explain, rank_pairs
from screening.linkage.index import WatchlistIndex, build_index
from screening.linkage.normalize import name_forms
from screening.linkage.screen import ScreenResult, evidence
from screening.linkage.settings import BlockingConfig

# EM on fewer pairs than this learns noise: below it, train on name blocks instead.
MIN_EM_PAIRS = 50


@dataclass(frozen=True)
class SplinkIndex:
    base: WatchlistIndex  # for the explanations and the list rows
    table: pl.DataFrame  # the list side, in Splink's input shape


def _metaphone(tokens: pl.Series) -> pl.Series:
    uniq = tokens.drop_nulls().unique()
    # Distinct tokens only (thousands), not rows: jellyfish has no batch API.
    codes = {t: jellyfish.metaphone(t) or t for t in uniq.to_list()}
    return tokens.replace_strict(codes, default=None, return_dtype=pl.String)


def _shape(frame: pl.DataFrame, list_side: bool) -> pl.DataFrame:
    """Splink's input columns from a manifest or canonical list rows."""
    forms = name_forms(frame)
    sur = forms["core"].list.last()
    giv = forms["core"].list.first()
    out = pl.DataFrame(
        {
            "unique_id": np.arange(frame.height, dtype=np.int64),
            "surname": sur,
            "given": pl.Series(np.where(forms["core"].list.len() > 1, giv, None), dtype=pl.String),
            "name_tokens": forms["core"],
            "dob": frame["dob"].cast(pl.Date),
        }
    )
    out = out.with_columns(
        given_surname=pl.concat_str([out["given"], out["surname"]], separator=" ")
    )
    out = out.with_columns(surname_mp=_metaphone(out["surname"]), given_mp=_metaphone(out["given"]))
    # Splink stacks both sides into one table: both get every column.
    none_s, none_l = pl.lit(None, pl.String), pl.lit([], pl.List(pl.String))
    if list_side:
        year = pl.col("dob").dt.year().cast(pl.Int32)
        docs = frame["documents"].list.eval(fold_document(pl.element()))
        out = out.with_columns(
            dob_year=pl.coalesce(year, frame["dob_year_from"].cast(pl.Int32)),
            year_from=pl.coalesce(year, frame["dob_year_from"].cast(pl.Int32)),
            year_to=pl.coalesce(year, frame["dob_year_to"].cast(pl.Int32)),
            doc=none_s,
            doc1=docs.list.first(),
            docs=frame["documents"],
            docs_folded=docs,
            nationality=none_s,
            nationalities=frame["nationalities"],
        )
    else:
        doc = frame["doc_number"].cast(pl.String)
        folded = folded_documents(doc)
        year = pl.col("dob").dt.year().cast(pl.Int32)
        out = out.with_columns(
            dob_year=year,
            year_from=year,
            year_to=year,
            doc=doc,
            doc1=pl.when(folded.str.len_chars() >= BlockingConfig.min_document_length)
            .then(folded)
            .otherwise(None),
            docs=none_l,
            docs_folded=none_l,
            nationality=frame["nationality"].cast(pl.String),
            nationalities=none_l,
        )
    return out


def _shared_documents(left: pl.DataFrame, right: pl.DataFrame) -> int:
    """Manifest × list pairs sharing a folded document: EM's first training block."""
    docs = right.select(pl.col("docs_folded").alias("doc1")).explode("doc1").drop_nulls()
    return left.select("doc1").drop_nulls().join(docs, on="doc1").height


def _match_weights(linker) -> dict[str, dict[str, float]]:
    """Each comparison level's trained match weight (log2 m/u), as Splink's chart shows it."""
    out: dict[str, dict[str, float]] = {}
    for c in linker._settings_obj.comparisons:  # a handful of comparisons and levels
        out[c.output_column_name] = {
            lv.label_for_charts: float(lv._log2_bayes_factor)
            for lv in c.comparison_levels
            if not lv.is_null_level and lv._bayes_factor is not None
        }
    return out


def _settings():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    dob = cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.CustomLevel("dob_l IS NULL OR (dob_r IS NULL AND year_from_r IS NULL)").configure(
                is_null_level=True
            ),
            cll.CustomLevel("dob_l = dob_r", "exact"),
            cll.CustomLevel(
                "year(dob_l) = year(dob_r) AND month(dob_l) = day(dob_r) "
                "AND day(dob_l) = month(dob_r)",
                "day/month swapped",
            ),
            # A single listed year says more than a year somewhere in a listed range.
            cll.CustomLevel(
                "dob_r IS NULL AND year_from_r = year_to_r AND year(dob_l) = year_from_r",
                "the year of a single-year listing",
            ),
            cll.CustomLevel(
                "dob_r IS NULL AND year(dob_l) BETWEEN year_from_r AND year_to_r",
                "year inside a listed range",
            ),
            cll.CustomLevel(
                "abs(date_diff('day', dob_l, dob_r)) <= 366 OR (dob_r IS NULL AND "
                "year(dob_l) BETWEEN year_from_r - 1 AND year_to_r + 1)",
                "within a year",
            ),
            cll.ElseLevel(),
        ],
    )
    document = cl.CustomComparison(
        output_column_name="document",
        comparison_levels=[
            cll.CustomLevel("doc_l IS NULL OR len(docs_r) = 0").configure(is_null_level=True),
            cll.CustomLevel("list_contains(docs_r, doc_l)", "exact"),
            cll.CustomLevel("list_contains(docs_folded_r, doc1_l)", "equal up to OCR"),
            cll.ElseLevel(),
        ],
    )
    nationality = cl.CustomComparison(
        output_column_name="nationality",
        comparison_levels=[
            cll.CustomLevel("nationality_l IS NULL OR len(nationalities_r) = 0").configure(
                is_null_level=True
            ),
            cll.CustomLevel("list_contains(nationalities_r, nationality_l)", "listed"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=1e-4,
        comparisons=[
            cl.ForenameSurnameComparison(
                "given", "surname", forename_surname_concat_col_name="given_surname"
            ),
            cl.ArrayIntersectAtSizes("name_tokens", [2, 1]),
            dob,
            document,
            nationality,
        ],
        blocking_rules_to_generate_predictions=[
            # Lists give a year range where the date is unknown: block inside it.
            "l.surname_mp = r.surname_mp AND l.dob_year BETWEEN r.year_from AND r.year_to",
            "l.given_mp = r.given_mp AND l.dob_year BETWEEN r.year_from AND r.year_to",
            "l.surname_mp = r.given_mp AND l.given_mp = r.surname_mp",
            block_on("surname_mp", "given_mp"),
            block_on("dob"),
            block_on("doc1"),
        ],
        retain_matching_columns=False,
    )


class SplinkMatcher:
    """Splink link_only model, trained on each manifest (see the module docstring)."""

    name = "splink"

    def build(self, rows: pl.DataFrame) -> SplinkIndex:
        return SplinkIndex(build_index(rows), _shape(rows, list_side=True))

    def screen(
        self, index: SplinkIndex, passengers: pl.DataFrame, threshold: float, top_k: int
    ) -> ScreenResult:
        from splink import Linker, block_on
        from splink.backends.duckdb import DuckDBAPI

        left = _shape(passengers, list_side=False)
        db = DuckDBAPI()
        sdf_l = db.register(left.to_arrow(), table_name="manifest")
        sdf_r = db.register(index.table.to_arrow(), table_name="watchlist")
        linker = Linker([sdf_l, sdf_r], _settings(), log_level=40)
        # 1e7 pairs, not 1e6: an agreeing document is then observed, not left to a default.
        linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
        first = (
            block_on("doc1")
            if _shared_documents(left, index.table) >= MIN_EM_PAIRS
            else block_on("surname_mp", "given_mp")
        )
        for rule in (first, block_on("dob")):
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        stats_weights = _match_weights(linker)
        pred = linker.inference.predict(threshold_match_probability=max(threshold, 1e-6) / 10)
        # DuckDB wants a result fetched whole before the next statement runs.
        got = pl.from_arrow(
            pred.as_duckdbpyrelation()
            .select("unique_id_l, unique_id_r, source_dataset_l, match_probability")
            .arrow()
        )
        if got.height and got["source_dataset_l"][0] != "manifest":  # Splink may order sides
            got = got.rename({"unique_id_l": "unique_id_r", "unique_id_r": "unique_id_l"})
        pi = got["unique_id_l"].to_numpy().astype(np.int64)
        li = got["unique_id_r"].to_numpy().astype(np.int64)
        score = got["match_probability"].to_numpy().astype(np.float64)
        stats = {"pairs_compared": len(pi), "splink_match_weights": stats_weights}
        if len(pi) == 0:
            return ScreenResult(empty_alerts(), (pi, li), stats)
        base = index.base
        pa = name_arrays(name_forms(passengers))
        sim, how = name_similarity(pa, base.arrays, pi, li, token_overlap(pa, base.arrays, pi, li))
        dob, docl, nat = evidence(base, passengers, pi, li)
        best = rank_pairs(
            base, ScoredPairs(pi, li, score, sim, how, dob, docl, nat), threshold, top_k
        )
        return ScreenResult(explain(best, passengers), (pi, li), stats)
