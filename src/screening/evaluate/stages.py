"""What each stage buys: the same metrics for PNR-only, API-only and PNR then API; what API
evidence does to PNR alerts (confirms, clears, leaves open); the analyst workload; the
innocent companions a whole-booking policy would flag; PNR-to-API link accuracy.

The PNR stage is measured per booking passenger, the API stages per manifest row; the
truth of a booking passenger is that of the traveller it was booked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from screening.evaluate.metrics import PERSON_KINDS, Evaluation, evaluate
from screening.linkage.settings import AlertConfig
from screening.schema import AlertKind


@dataclass(frozen=True)
class StageEvaluation:
    threshold: float
    summary: pl.DataFrame  # one row per stage
    evaluations: dict[str, Evaluation]
    transitions: pl.DataFrame  # PNR alerts by what the API stage did with them
    associates: pl.DataFrame  # per stage: whole-booking policy vs associate alerts
    contacts: dict
    links: dict

    def to_dict(self) -> dict:
        return {
            "threshold": self.threshold,
            "summary": self.summary.to_dicts(),
            "transitions": self.transitions.to_dicts(),
            "associates": self.associates.to_dicts(),
            "contacts": self.contacts,
            "links": self.links,
            "stages": {k: v.to_dict() for k, v in self.evaluations.items()},
        }


def booking_truth(truth: pl.DataFrame) -> pl.DataFrame:
    """Truth per booking passenger, in the shape evaluate() reads (passenger_id = the
    booking passenger), with the booking as the group."""
    return (
        truth.drop_nulls("booking_passenger_id")
        .group_by("booking_passenger_id", maintain_order=True)
        .agg(pl.all().first())
        .drop("passenger_id")
        .rename({"booking_passenger_id": "passenger_id"})
        .with_columns(group=pl.col("record_locator"))
    )


def _api_truth(truth: pl.DataFrame, passengers: pl.DataFrame | None) -> pl.DataFrame:
    """Manifest truth with the group a companion shares: the booking on one flight."""
    t = truth
    if passengers is not None and "flight_id" in passengers.columns:
        t = t.join(passengers.select("passenger_id", "flight_id"), on="passenger_id", how="left")
        return t.with_columns(group=pl.concat_str(["record_locator", pl.lit("|"), "flight_id"]))
    return t.with_columns(group=pl.col("record_locator"))


def evaluate_stages(
    alerts: pl.DataFrame,
    truth: pl.DataFrame,
    links: pl.DataFrame | None = None,
    passengers: pl.DataFrame | None = None,
    threshold: float = AlertConfig.threshold,
    pairs: dict[str, pl.DataFrame] | None = None,
) -> StageEvaluation:
    """Metrics per stage present in `alerts` (column `stage`) at `threshold`."""
    pairs = pairs or {}
    truths = {"pnr": booking_truth(truth), "api": _api_truth(truth, passengers)}
    truths["pnr+api"] = truths["api"]
    evals, rows, assoc = {}, [], []
    for stage in [s for s in ("pnr", "api", "pnr+api") if s in set(alerts["stage"])]:
        a = alerts.filter(pl.col("stage") == stage)
        t = truths[stage]
        ev = evaluate(a, t, (0.001, 0.01), candidate_pairs=pairs.get(stage))
        evals[stage] = ev
        ops = {round(r["fpir_target"], 6): r for r in ev.operating_points.rows(named=True)}
        at = _at(a, t, threshold)
        rows.append(
            {
                "stage": stage,
                "unit": "booking passenger" if stage == "pnr" else "manifest row",
                "subjects": ev.passengers,
                "mated": ev.mated,
                "fnir_at_fpir_0.001": ops[0.001]["fnir"],
                "fnir_at_fpir_0.01": ops[0.01]["fnir"],
                "threshold": threshold,
                **at,
                "pair_completeness": ev.blocking.get("pair_completeness"),
            }
        )
        assoc.append({"stage": stage, **_associates(a, t, threshold)})
    return StageEvaluation(
        threshold=threshold,
        summary=pl.DataFrame(rows),
        evaluations=evals,
        transitions=_transitions(alerts, truths["pnr"], links, threshold),
        associates=pl.DataFrame(assoc),
        contacts=_contacts(alerts, truths["pnr"], threshold),
        links=link_accuracy(links, truth) if links is not None else {},
    )


def _best(a: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Watch-list alerts at or above the threshold."""
    return a.filter(pl.col("kind").is_in(PERSON_KINDS) & (pl.col("score") >= threshold))


def _at(a: pl.DataFrame, t: pl.DataFrame, threshold: float) -> dict[str, float]:
    """FNIR, FPIR and the analyst workload at one threshold."""
    hits = _best(a, threshold).select("passenger_id", pl.col("entry_id").alias("alerted"))
    j = t.select("passenger_id", "entry_id").join(hits, on="passenger_id", how="left")
    per = j.group_by("passenger_id").agg(
        pl.col("entry_id").first(),
        (pl.col("alerted") == pl.col("entry_id")).fill_null(False).any().alias("hit"),
        pl.col("alerted").is_not_null().any().alias("alerted"),
    )
    mated = per.filter(pl.col("entry_id").is_not_null())
    non = per.filter(pl.col("entry_id").is_null())
    n = max(per.height, 1)
    false = per.filter(pl.col("alerted") & ~pl.col("hit")).height
    return {
        "fnir_at_threshold": 1 - mated["hit"].mean() if mated.height else None,
        "fpir_at_threshold": non["alerted"].mean() if non.height else None,
        "alerted_per_1000": 1000 * per["alerted"].sum() / n,
        "false_alerts_per_1000": 1000 * false / n,
    }


def _associates(a: pl.DataFrame, t: pl.DataFrame, threshold: float) -> dict[str, int]:
    """Companions of alerted travellers: who a whole-booking policy would flag as hits,
    and what the associate policy reports instead."""
    alerted = _best(a, threshold).select("passenger_id").unique()
    tt = t.select("passenger_id", "entry_id", "role", "group").drop_nulls("group")
    in_groups = tt.join(alerted, on="passenger_id").select("group").unique()
    members = tt.join(in_groups, on="group")
    companions = members.join(alerted, on="passenger_id", how="anti")
    innocent = companions.filter(pl.col("entry_id").is_null())
    assoc = a.filter((pl.col("kind") == AlertKind.ASSOCIATE) & (pl.col("score") >= threshold))
    assoc_people = assoc.select("passenger_id").unique().join(tt, on="passenger_id", how="left")
    own = members.join(alerted, on="passenger_id").filter(
        pl.col("entry_id").is_null() & (pl.col("role") == "family")
    )
    return {
        "alerted_travellers": alerted.height,
        "companions": companions.height,
        "whole_booking_false_hits": innocent.height,
        "whole_booking_false_hits_family": innocent.filter(pl.col("role") == "family").height,
        "associate_alerts": assoc.height,
        "travellers_with_associate_alert": assoc_people.height,
        "associate_policy_false_hits": 0,  # associates never count as hits
        "family_alerted_on_own_name": own.height,
    }


def _transitions(alerts, bp_truth, links, threshold: float) -> pl.DataFrame:
    """Each PNR watch-list alert at threshold, by what the API stage did with it."""
    stages = set(alerts["stage"])
    schema = {"outcome": pl.String, "true_alerts": pl.Int64, "false_alerts": pl.Int64}
    if not {"pnr", "pnr+api"} <= stages or links is None:
        return pl.DataFrame(schema=schema)
    pnr = _best(alerts.filter(pl.col("stage") == "pnr"), threshold).select(
        pl.col("passenger_id").alias("booking_passenger_id"), "entry_id", "alert_id"
    )
    both = _best(alerts.filter(pl.col("stage") == "pnr+api"), threshold)
    bp_links = links.select("booking_passenger_id", "passenger_id")
    linked = pnr.join(bp_links, on="booking_passenger_id", how="left")
    carried = (
        both.filter(pl.col("linked_alert_id").is_not_null())
        .select(pl.col("linked_alert_id").alias("alert_id"), pl.lit(True).alias("open"))
        .unique()
    )
    # The API stage's own watch-list alerts (not carried over from the booking).
    api_pairs = (
        both.filter(pl.col("linked_alert_id").is_null()).select("passenger_id", "entry_id").unique()
    )
    true_entry = bp_truth.select(
        pl.col("passenger_id").alias("booking_passenger_id"),
        pl.col("entry_id").alias("true_entry"),
    )

    def mark_true(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.join(true_entry, on="booking_passenger_id", how="left").with_columns(
            true=(pl.col("entry_id") == pl.col("true_entry")).fill_null(False)
        )

    per = (
        linked.join(
            api_pairs.with_columns(confirmed=pl.lit(True)),
            on=["passenger_id", "entry_id"],
            how="left",
        )
        .join(carried, on="alert_id", how="left")
        .group_by("alert_id", "booking_passenger_id", "entry_id")
        .agg(
            pl.col("passenger_id").is_not_null().any().alias("linked"),
            pl.col("confirmed").fill_null(False).any(),
            pl.col("open").fill_null(False).any(),
        )
        .with_columns(
            outcome=pl.when(~pl.col("linked"))
            .then(pl.lit("no API record"))
            .when(pl.col("confirmed"))
            .then(pl.lit("confirmed by API"))
            .when(pl.col("open"))
            .then(pl.lit("not assessed by API (kept)"))
            .otherwise(pl.lit("cleared by API"))
        )
    )
    # Alerts the API stage raised that the PNR stage had not.
    new = (
        api_pairs.join(bp_links, on="passenger_id", how="left")
        .join(
            pnr.select("booking_passenger_id", "entry_id"),
            on=["booking_passenger_id", "entry_id"],
            how="anti",
        )
        .with_columns(outcome=pl.lit("new at API"))
    )
    per, new = mark_true(per), mark_true(new)
    out = pl.concat([per.select("outcome", "true"), new.select("outcome", "true")])
    order = [
        "confirmed by API",
        "cleared by API",
        "not assessed by API (kept)",
        "no API record",
        "new at API",
    ]
    return (
        out.group_by("outcome")
        .agg(
            pl.col("true").sum().cast(pl.Int64).alias("true_alerts"),
            (~pl.col("true")).sum().cast(pl.Int64).alias("false_alerts"),
        )
        .with_columns(
            o=pl.col("outcome").replace_strict(
                {k: i for i, k in enumerate(order)}, return_dtype=pl.Int8
            )
        )
        .sort("o")
        .drop("o")
    )


def _contacts(alerts: pl.DataFrame, bp_truth: pl.DataFrame, threshold: float) -> dict:
    """Contact alerts of the PNR stage against the bookings planted with a listed contact."""
    if "contact_from_list" not in bp_truth.columns or "pnr" not in set(alerts["stage"]):
        return {}
    got = alerts.filter(
        (pl.col("stage") == "pnr") & (pl.col("kind") == "contact") & (pl.col("score") >= threshold)
    ).select("passenger_id", pl.col("entry_id").alias("alerted"))
    t = bp_truth.select("passenger_id", "entry_id", "contact_from_list").join(
        got, on="passenger_id", how="left"
    )
    right = (pl.col("alerted") == pl.col("entry_id")).fill_null(False)
    planted = t.filter("contact_from_list").group_by("passenger_id").agg(right.any().alias("found"))
    return {
        "planted_bookings": planted.height,
        "detected": int(planted["found"].sum()),
        "detection_rate": planted["found"].mean() if planted.height else None,
        "false_contact_alerts": t.filter(pl.col("alerted").is_not_null() & ~right).height,
    }


def link_accuracy(links: pl.DataFrame, truth: pl.DataFrame) -> dict[str, float]:
    """Manifest rows linked to their own booking passenger, to someone else's (a merge of
    two people), or to none (a split)."""
    t = truth.select("passenger_id", pl.col("booking_passenger_id").alias("true_bp"))
    j = t.join(links.select("passenger_id", "booking_passenger_id"), on="passenger_id", how="left")
    right = (pl.col("booking_passenger_id") == pl.col("true_bp")).fill_null(False)
    n = max(j.height, 1)
    linked = j.filter(pl.col("booking_passenger_id").is_not_null()).height
    correct = j.filter(right).height
    return {
        "manifest_rows": j.height,
        "linked": linked,
        "correct": correct,
        "wrong": linked - correct,
        "unlinked": j.height - linked,
        "accuracy": correct / n,
        "precision": correct / linked if linked else None,
    }
