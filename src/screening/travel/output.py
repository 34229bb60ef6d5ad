"""A run's output: its columns, its order, and where it goes as each part of the manifest
is finished — held in memory, or spooled to Parquet files and merged sorted at the end,
so that a run emitting millions of alerts holds one part's alerts, not all of them.

Either way the result is the same: each stage's alerts sorted by passenger, best score
first (notifications by alert and state), the stages in the order of `STAGE_ORDER`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import polars as pl

from screening.data.sorted_merge import merge_sorted_groups
from screening.linkage.explain import ALERT_COLUMNS
from screening.travel.notify import NOTIFICATION_COLUMNS

OUTPUT_COLUMNS = {
    "alert_id": pl.String,
    "stage": pl.String,
    "passenger_id": pl.String,  # the booking passenger at the PNR stage
    "record_locator": pl.String,
    **{c: t for c, t in ALERT_COLUMNS.items() if c not in ("passenger_id", "reason")},
    "linked_alert_id": pl.String,  # for associates: the alert that caused them
    "notify": pl.String,  # states to notify, ';'-separated ISO alpha-3
    "data_quality": pl.String,  # the traveller's unreadable fields, screened as missing
    "reason": pl.String,
}

STAGE_ORDER = ("pnr", "api", "pnr+api")
# alert_id is unique, so these orders are total: the same rows in any chunking.
ALERT_ORDER = (["passenger_id", "score", "kind", "alert_id"], [False, True, False, False])
NOTIFICATION_ORDER = (["alert_id", "state"], [False, False])


class Collected:
    """A run's output held in memory."""

    def __init__(self) -> None:
        self._alerts: dict[str, list[pl.DataFrame]] = {}
        self._notes: dict[str, list[pl.DataFrame]] = {}

    def add(self, stage: str, alerts: pl.DataFrame, notes: pl.DataFrame) -> None:
        self._alerts.setdefault(stage, []).append(alerts)
        self._notes.setdefault(stage, []).append(notes)

    def frames(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(alerts, notifications), sorted."""
        return (
            _sorted(self._alerts, ALERT_ORDER, OUTPUT_COLUMNS),
            _sorted(self._notes, NOTIFICATION_ORDER, NOTIFICATION_COLUMNS),
        )


def _sorted(parts: dict[str, list[pl.DataFrame]], order, schema) -> pl.DataFrame:
    by, descending = order
    frames = [
        pl.concat(parts[s]).sort(by, descending=list(descending), maintain_order=True)
        for s in STAGE_ORDER
        if s in parts
    ]
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


class Spooled:
    """A run's output spooled to Parquet parts in `folder` (a scratch folder the caller
    removes), written as sorted files by `write`; counts the alerts by kind on the way.
    Each part comes sorted (ALERT_ORDER, NOTIFICATION_ORDER), as a stage finishes it."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.kinds: Counter[str] = Counter()
        self._parts: dict[tuple[str, str], list[Path]] = {}

    def add(self, stage: str, alerts: pl.DataFrame, notes: pl.DataFrame) -> None:
        for what, frame in (("alerts", alerts), ("notifications", notes)):
            if frame.is_empty():
                continue  # no records asked for (run_stages(notifications=False)), or none
            files = self._parts.setdefault((what, stage), [])
            file = self.folder / f"{what}-{STAGE_ORDER.index(stage)}-{len(files):05d}.parquet"
            # Scratch files, read back once: lz4 writes a threshold-0 run's millions of
            # rows several times faster than the default zstd.
            frame.write_parquet(file, compression="lz4")
            files.append(file)
        self.kinds.update(dict(alerts["kind"].value_counts().iter_rows()))

    def write(self, alerts: Path, notifications: Path | None = None) -> None:
        """The alerts (and notifications) as sorted files (Parquet, CSV or JSON by
        suffix), each written beside its target and moved into place."""
        outs = [("alerts", alerts, ALERT_ORDER, OUTPUT_COLUMNS)]
        if notifications is not None:
            outs.append(("notifications", notifications, NOTIFICATION_ORDER, NOTIFICATION_COLUMNS))
        for what, out, (by, descending), schema in outs:
            groups = [self._parts.get((what, s), []) for s in STAGE_ORDER]
            # Chunks of a manifest in passenger order give parts that follow one another
            # (copied as they are) unless an associate alert crosses a chunk border.
            merge_sorted_groups(groups, Path(out), by, descending, schema, sorted_parts=True)
