"""A run's output: its columns, its order, and where it goes as each part of the manifest
is finished — held in memory, or spooled to Parquet files and merged sorted at the end,
so that a run emitting millions of alerts holds one part's alerts, not all of them.

Either way the result is the same: each stage's alerts sorted by passenger, best score
first (notifications by alert and state), the stages in the order of `STAGE_ORDER`.
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from screening.data.io import has_formulas
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
    Each part comes sorted (ALERT_ORDER, NOTIFICATION_ORDER), as a stage finishes it.

    `direct`: the alerts' target, a CSV or Parquet file on the file system of `folder`.
    Parts that follow one another (each stage's passengers after the last part's, the
    stages in their order) are appended to a copy of it in `folder` as they come (CSV
    rows, Parquet row groups), and `write` moves that into place: a threshold-0 run no
    longer ends by reading millions of rows back to write them again. The first part that
    does not follow (an associate alert across a chunk border, a manifest not in
    passenger order) sends what was appended back to a Parquet part, and the parts are
    merged as without `direct`."""

    def __init__(self, folder: Path, direct: Path | None = None) -> None:
        self.folder = Path(folder)
        self.kinds: Counter[str] = Counter()
        self._parts: dict[tuple[str, str], list[Path]] = {}
        appendable = direct is not None and Path(direct).suffix in (".csv", ".parquet")
        self._direct = Path(direct) if appendable else None
        self._appended = self.folder / f"alerts-appended{Path(direct or '').suffix}"
        self._last: tuple[int, str] | None = None  # (stage, passenger id) appended last
        self._parquet: pq.ParquetWriter | None = None
        # Appending in a thread of its own, one part at a time: the run's next chunk is
        # finished meanwhile (its CSV text took the main thread 1.3 s of a national day).
        self._writer = ThreadPoolExecutor(1) if self._direct is not None else None
        self._pending: Future | None = None

    def add(self, stage: str, alerts: pl.DataFrame, notes: pl.DataFrame) -> None:
        if self._writer is not None:
            self._wait()  # one part at a time in memory
            self._pending = self._writer.submit(self._take, stage, alerts)
        else:
            self._take(stage, alerts)
        self._spool("notifications", stage, notes)
        self.kinds.update(dict(alerts["kind"].value_counts().iter_rows()))

    def _take(self, stage: str, alerts: pl.DataFrame) -> None:
        if not self._append(stage, alerts):
            self._spool("alerts", stage, alerts)

    def _wait(self) -> None:
        """The part being appended, done (its error raised here)."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def _spool(self, what: str, stage: str, frame: pl.DataFrame, first: bool = False) -> None:
        if frame.is_empty():
            return  # no records asked for (run_stages(notifications=False)), or none
        files = self._parts.setdefault((what, stage), [])
        name = "appended" if first else f"{len(files):05d}"
        file = self.folder / f"{what}-{STAGE_ORDER.index(stage)}-{name}.parquet"
        # Scratch files, read back once: lz4 writes a threshold-0 run's millions of rows
        # several times faster than the default zstd.
        frame.write_parquet(file, compression="lz4")
        files.insert(0 if first else len(files), file)

    def _append(self, stage: str, alerts: pl.DataFrame) -> bool:
        """Whether `alerts` went to the appended file (they follow what is there)."""
        if self._direct is None or alerts.is_empty():
            return self._direct is not None
        at, ids = STAGE_ORDER.index(stage), alerts["passenger_id"]
        follows = ids.null_count() == 0 and (
            self._last is None
            or at > self._last[0]
            or (at == self._last[0] and self._last[1] < ids[0])
        )
        csv = self._appended.suffix == ".csv"
        # A cell guarded against spreadsheets would not read back as it was: such a part
        # (none of ours) is spooled like one out of order.
        if not follows or (csv and has_formulas(alerts)):
            self._stop_appending()
            return False
        if csv:
            with self._appended.open("ab") as f:
                alerts.write_csv(f, include_header=self._last is None)
        else:
            table = alerts.to_arrow()
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self._appended, table.schema, compression="zstd")
            self._parquet.write_table(table)
        self._last = (at, ids[-1])
        return True

    def _stop_appending(self) -> None:
        """What was appended, back as the first Parquet part of each of its stages."""
        if self._last is not None:
            # Read back exactly as written: no cell needed a guard (_append).
            if self._parquet is not None:
                self._parquet.close()
                back = pl.read_parquet(self._appended)
            else:
                back = pl.read_csv(self._appended, schema=OUTPUT_COLUMNS)
            for stage in STAGE_ORDER:
                self._spool("alerts", stage, back.filter(pl.col("stage") == stage), first=True)
            self._appended.unlink()
        self._direct, self._last = None, None

    def write(self, alerts: Path, notifications: Path | None = None) -> None:
        """The alerts (and notifications) as sorted files (Parquet, CSV or JSON by
        suffix), each written beside its target and moved into place."""
        outs = [("alerts", alerts, ALERT_ORDER, OUTPUT_COLUMNS)]
        if self._writer is not None:
            self._wait()
            self._writer.shutdown()
        if self._direct is not None and Path(alerts) != self._direct:
            self._stop_appending()
        if self._direct is not None and self._last is not None:
            if self._parquet is not None:
                self._parquet.close()
            os.replace(self._appended, alerts)
            outs = []
        if notifications is not None:
            outs.append(("notifications", notifications, NOTIFICATION_ORDER, NOTIFICATION_COLUMNS))
        for what, out, (by, descending), schema in outs:
            groups = [self._parts.get((what, s), []) for s in STAGE_ORDER]
            # Chunks of a manifest in passenger order give parts that follow one another
            # (copied as they are) unless an associate alert crosses a chunk border.
            merge_sorted_groups(groups, Path(out), by, descending, schema, sorted_parts=True)
