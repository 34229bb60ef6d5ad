"""Screening by stage: PNR days before departure, API at check-in, and PNR then API.

- `pnr`: booking passengers (names as typed, a date of birth and document only where the
  booking has SSR DOCS) with their booking's contacts as evidence; `contact` alerts for
  bookings that reuse a listed identity's phone or e-mail.
- `api`: the manifest alone (names as on the passport, date of birth, document).
- `pnr+api`: the manifest with what the linked booking adds (its contacts); PNR alerts
  that the API record could not assess (no candidate pair for that identity) are carried
  over, the others are confirmed or cleared by the API evidence.

Every stage adds `associate` alerts for companions and the states to notify per alert.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal, get_args

import polars as pl

from screening.linkage.estimate import Model
from screening.linkage.explain import PERSON_KINDS
from screening.linkage.matcher import screen_parts
from screening.linkage.population import Population
from screening.linkage.settings import AlertConfig
from screening.travel.associates import associate_alerts
from screening.travel.contacts import contact_alerts
from screening.travel.documents import invalid_document_alerts, lost_stolen_alerts
from screening.travel.notify import identity_states, notified, notify_roles, traveller_states
from screening.travel.output import OUTPUT_COLUMNS, Collected, Spooled
from screening.travel.reconcile import LINK_COLUMNS, LinkConfig, booking_legs, link_bookings

# Where screening looks: the bookings (PNR), the manifest (API), the manifest with its
# linked bookings' evidence.
Stage = Literal["pnr", "api", "pnr+api"]
STAGES: tuple[Stage, ...] = get_args(Stage)


@dataclass(frozen=True)
class StageData:
    """What a screening run has: any of the manifest, its flights, the PNR bookings."""

    passengers: pl.DataFrame | None = None
    flights: pl.DataFrame | None = None
    bookings: pl.DataFrame | None = None
    booking_passengers: pl.DataFrame | None = None
    lost_stolen: pl.DataFrame | None = None
    as_of: dt.date | None = None  # for document expiry; default today

    @classmethod
    def from_world(cls, world) -> StageData:
        """Everything a generated world (screening.generate.world.World) gives a run."""
        return cls(
            passengers=world["passengers"],
            flights=world["flights"],
            bookings=world["bookings"],
            booking_passengers=world["booking_passengers"],
            lost_stolen=world["documents_lost_stolen"],
            as_of=world.scenario.date,
        )


@dataclass(frozen=True)
class StageRun:
    # OUTPUT_COLUMNS, every stage run, sorted; empty when they went to a Spooled sink
    alerts: pl.DataFrame
    notifications: pl.DataFrame  # notify.NOTIFICATION_COLUMNS (empty likewise)
    links: pl.DataFrame  # reconcile.LINK_COLUMNS (empty without both PNR and API)
    # (passenger_id, entry_id) candidate pairs per stage, when asked for (keep_pairs)
    pairs: dict[str, pl.DataFrame] = field(default_factory=dict)
    stats: dict[str, float] = field(default_factory=dict)
    # What the matcher learned from each stage's travellers (screening.linkage.estimate).
    models: dict[str, Model] = field(default_factory=dict)


def pnr_travellers(bookings: pl.DataFrame, booking_passengers: pl.DataFrame) -> pl.DataFrame:
    """Booking passengers in the manifest's shape (passenger_id = booking_passenger_id),
    with their booking's locator and contacts."""
    contact = [c for c in ("contact_phone", "contact_email") if c in bookings.columns]
    bp = booking_passengers.join(
        bookings.select("record_locator", *contact), on="record_locator", how="left"
    )
    none = pl.lit(None, pl.String)
    return bp.select(
        pl.col("booking_passenger_id").alias("passenger_id"),
        "record_locator",
        "surname",
        "given_names",
        pl.col("dob").cast(pl.Date),
        none.alias("sex"),
        pl.col("nationality").cast(pl.String),
        none.alias("doc_type"),
        pl.col("doc_number").cast(pl.String),
        none.alias("doc_issuer"),
        pl.lit(None, pl.Date).alias("doc_expiry"),
        none.alias("residence_country"),
        none.alias("mrz"),
        *(pl.col(c) for c in contact),
    )


def run_stages(
    matcher,
    index,
    list_rows: pl.DataFrame,
    data: StageData,
    stages: tuple[str, ...] = STAGES,
    threshold: float = AlertConfig.threshold,
    top_k: int = AlertConfig.top_k,
    link_config: LinkConfig | None = None,
    population: Population | None = None,
    sink: Collected | Spooled | None = None,
    keep_pairs: bool = True,
    notifications: bool = True,
    identities: pl.DataFrame | None = None,
) -> StageRun:
    """Alerts of the chosen stages, with associates and notifications. `population`: name
    statistics of the whole manifest when `data.passengers` is one partition of it.

    The manifest is finished a matcher's chunk at a time (screening.linkage.matcher.
    screen_parts) and each chunk handed to `sink`: by default held and returned in the
    run; a `Spooled` sink writes them to files instead, so memory does not grow with
    the alerts. `keep_pairs`: also return every stage's candidate pairs;
    `notifications`: also the notification records (every alert has its notify column);
    `identities`: notify.identity_states(list_rows) when the caller holds it (a partitioned
    run computes it once, not once per partition: 0.9 s each against a 5 M-name list)."""
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise ValueError(f"unknown stage(s) {unknown}; known: {', '.join(STAGES)}")
    has_pnr = data.bookings is not None and data.booking_passengers is not None
    has_api = data.passengers is not None
    for s in stages:
        if s != "api" and not has_pnr:
            raise ValueError(f"stage {s} needs bookings (PNR)")
        if s != "pnr" and not has_api:
            raise ValueError(f"stage {s} needs a passenger manifest (API)")
    has_flights = has_api and "flight_id" in data.passengers.columns
    if "pnr+api" in stages and not has_flights:
        raise ValueError(
            "stage pnr+api links bookings to the manifest flight by flight: the manifest "
            "has no flight_id column"
        )
    links = (
        link_bookings(data.passengers, data.bookings, data.booking_passengers, link_config)
        if has_pnr and has_flights
        else pl.DataFrame(schema=LINK_COLUMNS)
    )
    collected = sink if sink is not None else Collected()
    pairs, models = {}, {}
    pnr_alerts = None
    if identities is None:  # every stage notifies the identities' states
        identities = identity_states(list_rows)
    if "pnr" in stages or "pnr+api" in stages:
        raw, pnr_pairs, legs, models["pnr"] = _pnr(
            matcher, index, list_rows, data, threshold, top_k
        )
        travellers = pnr_travellers(data.bookings, data.booking_passengers)
        people = travellers.select("passenger_id", "nationality")
        roles = notify_roles(traveller_states(people, legs, data.flights), notifications)
        pnr_alerts, note = _finish(
            raw, "pnr", _pnr_groups(travellers), roles, identities, records=notifications
        )
        if "pnr" in stages:
            collected.add("pnr", pnr_alerts, note)
            if keep_pairs:
                pairs["pnr"] = pnr_pairs
    api_run = _ApiRun(
        matcher,
        index,
        list_rows,
        data,
        threshold,
        top_k,
        population,
        collected,
        identities,
        notifications,
    )
    if "api" in stages:
        api_pairs, models["api"] = api_run.stage("api", data.passengers, links, keep_pairs)
        if keep_pairs:
            pairs["api"] = api_pairs
    if "pnr+api" in stages:
        enriched = _with_booking(data.passengers, links, data)
        both_pairs, models["pnr+api"] = api_run.stage(
            "pnr+api", enriched, links, keep_pairs, pnr_alerts
        )
        if keep_pairs:
            pairs["pnr+api"] = both_pairs
    alerts, note = collected.frames() if sink is None else Collected().frames()
    models = {k: v for k, v in models.items() if v is not None}
    return StageRun(alerts, note, links, pairs, {"links": links.height}, models)


@dataclass(frozen=True)
class _ApiRun:
    """The manifest stages (api, pnr+api), screened and finished chunk by chunk."""

    matcher: object
    index: object
    list_rows: pl.DataFrame
    data: StageData
    threshold: float
    top_k: int
    population: Population | None
    sink: Collected | Spooled
    identities: pl.DataFrame  # notify.identity_states of the list
    records: bool  # the notification records too, not only the notify column

    def stage(self, stage, travellers, links, keep_pairs, pnr_alerts=None):
        """Every chunk's alerts to the sink; (the candidate pairs if kept, the model).
        Groups, states and data quality are the whole manifest's: a companion or a
        booking may sit in another chunk."""
        data = self.data
        # Groups, states and document checks do not depend on the screening: worked out in
        # a thread while the matcher prepares (its name forms and estimate), waited for at
        # the first chunk.
        aside = ThreadPoolExecutor(1)
        roles_job = aside.submit(_api_roles, travellers, links, data, self.records)
        groups_job = aside.submit(_api_groups, data.passengers, links)
        documents_job = aside.submit(_document_alerts, travellers, data)
        aside.shutdown(wait=False)
        quality = (
            data.passengers.select("passenger_id", "data_quality").unique("passenger_id")
            if "data_quality" in data.passengers.columns
            else None
        )
        kept, model = [], None
        parts = screen_parts(
            self.matcher, self.index, travellers, self.threshold, self.top_k, self.population
        )
        # The pairs assessed: for carrying PNR alerts over and for whoever keeps them.
        need = keep_pairs or pnr_alerts is not None
        for at, rows, res in parts:
            part = travellers.slice(at, rows)
            assessed = _pairs(res, part, self.list_rows) if need else None
            documents = documents_job.result().filter(pl.col("_row").is_between(at, at + rows - 1))
            alerts = pl.concat([res.alerts, documents.drop("_row")], how="diagonal_relaxed")
            if pnr_alerts is not None:
                mine = links.join(part.select("passenger_id"), on="passenger_id", how="semi")
                carried = _carry(pnr_alerts, mine, assessed)
                alerts = pl.concat([alerts, carried], how="diagonal_relaxed")
            groups, roles = groups_job.result(), roles_job.result()
            alerts, note = _finish(
                alerts, stage, groups, roles, self.identities, quality, self.records
            )
            self.sink.add(stage, alerts, note)
            if keep_pairs:
                kept.append(assessed)
            model = model or getattr(res, "model", None)
        return (pl.concat(kept) if kept else None), model


def _document_alerts(travellers: pl.DataFrame, data: StageData) -> pl.DataFrame:
    """Invalid and lost/stolen document alerts of the whole manifest, each with its
    traveller's row (`_row`): they do not depend on the matcher, so they are worked out
    beside it instead of in the loop that finishes each chunk's alerts."""
    rows = travellers.with_row_index("_row")
    parts = [invalid_document_alerts(rows, data.as_of or dt.date.today())]
    if data.lost_stolen is not None:
        parts.append(lost_stolen_alerts(rows, data.lost_stolen))
    return pl.concat(parts, how="diagonal_relaxed")


def _pairs(result, travellers: pl.DataFrame, list_rows: pl.DataFrame) -> pl.DataFrame:
    pi, li = result.pairs
    return pl.DataFrame(
        {
            "passenger_id": travellers["passenger_id"].gather(pi),
            "entry_id": list_rows["entry_id"].gather(li),
        }
    ).unique()


def _pnr(matcher, index, list_rows, data: StageData, threshold: float, top_k: int):
    travellers = pnr_travellers(data.bookings, data.booking_passengers)
    res = matcher.screen(index, travellers, threshold, top_k)
    parts = [res.alerts, contact_alerts(travellers, list_rows)]
    if data.lost_stolen is not None:
        parts.append(lost_stolen_alerts(travellers, data.lost_stolen))
    alerts = pl.concat(parts, how="diagonal_relaxed").join(
        travellers.select("passenger_id", "record_locator"), on="passenger_id", how="left"
    )
    legs = booking_legs(data.bookings, data.booking_passengers).select(
        pl.col("booking_passenger_id").alias("passenger_id"), "flight_id"
    )
    return alerts, _pairs(res, travellers, list_rows), legs, getattr(res, "model", None)


def _with_booking(passengers: pl.DataFrame, links: pl.DataFrame, data: StageData):
    """The manifest plus what its linked booking knows: contacts and PNR nationality."""
    extra = (
        links.select("passenger_id", "record_locator", "booking_passenger_id")
        .join(
            data.bookings.select(
                "record_locator",
                *(c for c in ("contact_phone", "contact_email") if c in data.bookings.columns),
            ),
            on="record_locator",
            how="left",
        )
        .join(
            data.booking_passengers.select(
                "booking_passenger_id", pl.col("nationality").alias("nationality_pnr")
            ),
            on="booking_passenger_id",
            how="left",
        )
        .drop("booking_passenger_id")
    )
    return passengers.join(extra, on="passenger_id", how="left", maintain_order="left")


def _carry(pnr_alerts, links: pl.DataFrame, assessed: pl.DataFrame) -> pl.DataFrame:
    """PNR alerts moved onto the linked API passenger, linked to the PNR alert: watch-list
    alerts only where the API record gave no candidate pair for that identity; contact
    alerts always."""
    moved = (
        pnr_alerts.filter(pl.col("kind").is_in([*PERSON_KINDS, "contact"]))
        .rename({"passenger_id": "booking_passenger_id"})
        .with_columns(linked_alert_id=pl.col("alert_id"))
        .drop("record_locator", "alert_id", "stage", "notify")
        .join(links.select("booking_passenger_id", "passenger_id"), on="booking_passenger_id")
    )
    not_assessed = moved.join(assessed, on=["passenger_id", "entry_id"], how="anti")
    kept = pl.concat(
        [
            not_assessed.filter(pl.col("kind").is_in(PERSON_KINDS)),
            moved.filter(pl.col("kind") == "contact"),
        ]
    )
    return kept.with_columns(
        reason=pl.concat_str([pl.lit("from the booking: "), pl.col("reason")])
    ).drop("booking_passenger_id")


def _pnr_groups(travellers: pl.DataFrame) -> pl.DataFrame:
    return travellers.select("passenger_id", "record_locator", group=pl.col("record_locator"))


def _api_groups(passengers: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """A booking's travellers on one flight; from the manifest's own locator when it has
    one (PAXLST RFF+AVF), else from the PNR link."""
    if "record_locator" in passengers.columns:
        src = passengers.select("passenger_id", "record_locator", "flight_id")
    else:
        src = links.select("passenger_id", "record_locator", "flight_id")
    return src.drop_nulls("record_locator").select(
        "passenger_id",
        "record_locator",
        group=pl.concat_str(["record_locator", pl.lit("|"), "flight_id"]),
    )


def _api_roles(passengers: pl.DataFrame, links: pl.DataFrame, data: StageData, records: bool):
    """notify.notify_roles of the nationalities, residence, and the itinerary: the whole
    booking's when linked, else the passenger's own flight."""
    flight = pl.col("flight_id") if "flight_id" in passengers.columns else pl.lit(None, pl.String)
    own = passengers.select("passenger_id", flight.alias("flight_id")).drop_nulls("flight_id")
    if data.bookings is not None and not links.is_empty():
        trip = (
            links.select("passenger_id", "record_locator")
            .join(data.bookings.select("record_locator", "flight_ids"), on="record_locator")
            .explode("flight_ids")
            .select("passenger_id", pl.col("flight_ids").alias("flight_id"))
        )
        own = pl.concat([own.join(trip, on="passenger_id", how="anti"), trip])
    cols = [
        c
        for c in ("nationality", "doc_issuer", "nationality_pnr", "residence_country")
        if c in passengers.columns
    ]
    return notify_roles(
        traveller_states(passengers.select("passenger_id", *cols), own, data.flights), records
    )


def _finish(
    alerts,
    stage: str,
    groups,
    roles: pl.DataFrame,
    identities: pl.DataFrame,
    quality: pl.DataFrame | None = None,
    records: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Ids, associates, notify states, the travellers' data-quality notes and the output
    columns of one stage's alerts (`roles`, `identities`: notify.notify_roles of the
    travellers, notify.identity_states of the list); the notification records if
    `records`."""
    loc = groups.select("passenger_id", pl.col("record_locator").alias("_loc")).unique(
        "passenger_id"
    )
    alerts = alerts.join(loc, on="passenger_id", how="left")
    own = pl.col("record_locator") if "record_locator" in alerts.columns else pl.lit(None)
    alerts = _conform(alerts.with_columns(record_locator=pl.coalesce(own, "_loc")), stage)
    assoc = associate_alerts(alerts, groups)
    assoc = _conform(assoc, stage)
    alerts = pl.concat([alerts, assoc]).sort(
        ["passenger_id", "score", "kind", "alert_id"], descending=[False, True, False, False]
    )
    if quality is not None:  # (passenger_id, data_quality) of the travellers
        alerts = alerts.drop("data_quality").join(
            quality, on="passenger_id", how="left", maintain_order="left"
        )
    alerts, note = notified(alerts, roles, identities, records)
    return alerts.select(list(OUTPUT_COLUMNS)), note


def _conform(frame: pl.DataFrame, stage: str) -> pl.DataFrame:
    """OUTPUT_COLUMNS (missing ones null) and a stable, readable alert id:
    stage:passenger:kind:identity[:cause], numbered if still not unique."""
    cols = [
        pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c)
        for c, t in OUTPUT_COLUMNS.items()
        if c not in ("alert_id", "stage", "notify")
    ]
    cause = pl.col("_cause") if "_cause" in frame.columns else pl.lit(None, pl.String)
    base = pl.concat_str(
        [
            pl.lit(stage + ":"),
            pl.col("passenger_id"),
            pl.lit(":"),
            pl.col("kind"),
            pl.lit(":"),
            pl.col("entry_id").fill_null(""),
            pl.when(cause.is_not_null()).then(pl.lit(":") + cause).otherwise(pl.lit("")),
        ]
    )
    out = frame.with_columns(_base=base).select("_base", *cols)
    alert_id = pl.col("_base")
    # Numbering within equal ids is a window over millions of strings; counting distinct
    # ids first (a twentieth of its time) shows when there is nothing to number.
    if out["_base"].n_unique() < out.height:
        n = pl.int_range(pl.len()).over("_base")
        alert_id = pl.when(n == 0).then("_base").otherwise(alert_id + "#" + (n + 1).cast(pl.String))
    return out.with_columns(
        alert_id=alert_id, stage=pl.lit(stage), notify=pl.lit("", pl.String)
    ).drop("_base")
