"""What a benchmark run leaves behind: the tidy results and the detail tables the report
draws, read by the report and the CLI without running anything."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl


@dataclass(frozen=True)
class BenchResults:
    """The tidy results table plus the detail tables the report draws."""

    results: pl.DataFrame  # one row per scenario x seed x matcher
    curves: pl.DataFrame  # FNIR/FPIR per threshold, per run
    by_corruption: pl.DataFrame
    by_origin: pl.DataFrame
    examples: pl.DataFrame  # a sample of alerts with their truth, per run
    stages: pl.DataFrame = field(default_factory=pl.DataFrame)  # per stage, staged matchers
    transitions: pl.DataFrame = field(default_factory=pl.DataFrame)  # PNR alerts after API
    realism: pl.DataFrame = field(default_factory=pl.DataFrame)  # the world vs cited figures
    gallery: pl.DataFrame = field(default_factory=pl.DataFrame)  # one name on its way (teaching)
    fairness: pl.DataFrame = field(default_factory=pl.DataFrame)  # per origin, a larger world

    def tables(self) -> dict[str, pl.DataFrame]:
        return {
            "results": self.results,
            "curves": self.curves,
            "by_corruption": self.by_corruption,
            "by_origin": self.by_origin,
            "examples": self.examples,
            "stages": self.stages,
            "transitions": self.transitions,
            "realism": self.realism,
            "gallery": self.gallery,
            "fairness": self.fairness,
        }


def not_run(results: pl.DataFrame) -> pl.DataFrame:
    """The runs that produced no figures: skipped (declined) or failed, with the reason.
    Results written before runs had a status: a note meant skipped."""
    if "note" not in results.columns:
        return pl.DataFrame(
            schema={c: pl.String for c in ("scenario", "matcher", "status", "note")}
        )
    status = pl.col("status") if "status" in results.columns else pl.lit("skipped")
    return results.with_columns(status=status).filter(
        pl.col("note").is_not_null() & (pl.col("status") != "ok")
    )


def summary_table(results: pl.DataFrame) -> pl.DataFrame:
    """Per scenario and matcher: mean over the seeds that produced figures."""
    if "passengers_per_s" not in results.columns:
        return pl.DataFrame()
    return (
        results.group_by("scenario", "matcher", maintain_order=True)
        .agg(
            pl.col("passengers_per_s").count().alias("seeds"),
            pl.col("fnir_at_fpir_0.001").mean(),
            pl.col("fnir_at_fpir_0.01").mean(),
            pl.col("pair_completeness").mean(),
            pl.col("passengers_per_s").mean(),
            pl.col("peak_mib").max(),
        )
        .filter(pl.col("seeds") > 0)
    )
