"""Tables to and from Parquet or CSV files, written atomically; user files read leniently.

CSV cannot hold lists, so list columns are written joined by `|` and split back on read;
the schema says which columns are lists.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from screening.schema import SCHEMAS, validate

FORMATS = ("parquet", "csv", "paxlst")
LIST_SEP = "|"


@contextmanager
def scratch_folder(out: Path) -> Iterator[Path]:
    """A temporary folder beside `out` (the same file system, so that a rename moves what
    is built there into place), removed whatever happens: a failed or interrupted run leaves
    no partial output behind."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; the result is an ordinary folder
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def _staged_folder(out: Path, overwrite: bool) -> Iterator[Path]:
    """A scratch folder moved into place as `out` when the block succeeds."""
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(f"{out}: folder exists and is not empty (use --overwrite)")
    with scratch_folder(out) as tmp:
        yield tmp
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)


def _write_meta(folder: Path, meta: Mapping[str, Any] | None) -> None:
    if meta is not None:
        (folder / "scenario.json").write_text(
            json.dumps(meta, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
        )


def write_tables(
    tables: Mapping[str, pl.DataFrame],
    out: Path,
    fmt: str = "parquet",
    meta: Mapping[str, Any] | None = None,
    overwrite: bool = False,
    extra: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write every table (plus `scenario.json` from `meta`) into `out`, all or nothing.

    Files go to a temporary folder beside `out` first and are moved into place only when
    all were written, so an interrupted run never leaves half a data set behind.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = Path(out)
    with _staged_folder(out, overwrite) as tmp:
        for name, frame in tables.items():
            path = tmp / f"{name}.{fmt}"
            if fmt in ("parquet", "paxlst"):  # paxlst: tables as Parquet, manifests as EDIFACT
                frame.write_parquet(path.with_suffix(".parquet"))
            else:
                _flatten_lists(frame).write_csv(path)
        for rel, text in (extra or {}).items():  # e.g. one PAXLST message per flight
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        _write_meta(tmp, meta)
    return sorted(out.iterdir())


def _flatten_lists(frame: pl.DataFrame) -> pl.DataFrame:
    lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    return frame.with_columns(pl.col(c).list.join(LIST_SEP) for c in lists)


def write_table_parts(
    parts: Iterable[Mapping[str, pl.DataFrame]],
    shared: tuple[str, ...],
    out: Path,
    meta: Mapping[str, Any] | None = None,
    overwrite: bool = False,
) -> int:
    """Write a world generated in parts, all or nothing: the `shared` tables once (from the
    first part) as TABLE.parquet, every other table as TABLE/part-NNNNN.parquet. Only one
    part is in memory at a time. Returns the number of parts."""
    n = 0
    with _staged_folder(Path(out), overwrite) as tmp:
        for n, tables in enumerate(parts, start=1):  # parts counted in dozens
            for name, frame in tables.items():
                if name in shared:
                    if n == 1:
                        frame.write_parquet(tmp / f"{name}.parquet")
                    continue
                (tmp / name).mkdir(exist_ok=True)
                frame.write_parquet(tmp / name / f"part-{n - 1:05d}.parquet")
        _write_meta(tmp, None if meta is None else {**meta, "parts": n})
    return n


def read_table(path: Path, table: str) -> pl.DataFrame:
    """Read one generated table back (Parquet or CSV, or a folder of Parquet parts) and
    validate it."""
    path = Path(path)
    schema = SCHEMAS[table]
    if path.is_dir():
        return validate(pl.read_parquet(sorted(path.glob("part-*.parquet"))), table)
    if path.suffix == ".parquet":
        frame = pl.read_parquet(path)
    elif path.suffix == ".csv":
        raw = pl.read_csv(path, infer_schema=False)
        frame = raw.with_columns(_from_text(c, t) for c, t in schema.items() if c in raw.columns)
    else:
        raise ValueError(f"{path}: unknown file type (expected .parquet or .csv)")
    return validate(frame, table)


def _from_text(col: str, dtype: pl.DataType) -> pl.Expr:
    c = pl.col(col)
    if isinstance(dtype, pl.List):
        return (
            c.fill_null("").str.split(LIST_SEP).list.eval(pl.element().filter(pl.element() != ""))
        )
    if dtype == pl.Boolean:
        return c == "true"
    if dtype == pl.Date:
        return c.str.to_date("%Y-%m-%d")
    if isinstance(dtype, pl.Datetime):
        return c.str.to_datetime(time_unit="us")
    return c.cast(dtype)


def read_user_table(path: Path, strict: bool = True) -> pl.DataFrame:
    """A user's CSV or Parquet file with every column as text (CSV) so that no value is
    lost to type guessing; errors name the file and, where known, the row."""
    return read_user_file(path, strict).frame


@dataclass(frozen=True)
class UserFile:
    frame: pl.DataFrame
    problems: pl.DataFrame  # intake.PROBLEM_COLUMNS: rows whose bytes were not UTF-8


def read_user_file(path: Path, strict: bool = False) -> UserFile:
    """read_user_table, but bytes that are not UTF-8 are read as Latin-1 and reported per
    row instead of stopping the file (`strict`: stop at the first, naming its row)."""
    from screening.data.intake import InputError, no_problems

    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.suffix == ".parquet":
        try:
            return UserFile(pl.read_parquet(path), no_problems())
        except Exception as exc:  # polars raises several kinds for a broken file
            raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
    if path.suffix not in (".csv", ".txt", ".tsv"):
        raise InputError(f"{path}: unknown file type (expected .csv or .parquet)")
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text, bad = data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        if strict:
            row = data[: exc.start].count(b"\n") + 1
            raise InputError(
                f"{path}: row {row}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                f"{exc.start}); re-save the file as UTF-8"
            ) from exc
        text, bad = _latin1_where_not_utf8(data)
    if not text or text.isspace():
        raise InputError(f"{path}: empty file")
    sep = "\t" if path.suffix == ".tsv" else ","
    # Valid UTF-8 is parsed from its bytes: from the decoded text polars encodes it again
    # (a million travellers' 172 MB: 0.80 against 0.25 s).
    source = io.StringIO(text) if bad else data
    try:
        frame = pl.read_csv(source, infer_schema=False, separator=sep)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as exc:
        raise InputError(f"{path}: malformed CSV: {exc}".splitlines()[0]) from exc
    return UserFile(frame, _bad_bytes(path, text, bad, frame, sep))


# surrogateescape turns each byte that is not UTF-8 into one of these code points.
_ESCAPED = re.compile("[\udc80-\udcff]")


def _latin1_where_not_utf8(data: bytes) -> tuple[str, list[tuple[int, int]]]:
    """Text in which each byte that is not UTF-8 is read as Latin-1 (one decode and one
    regex pass, in C); (position in the text, byte) of each."""
    text = data.decode("utf-8", errors="surrogateescape")
    bad = [(m.start(), ord(m.group()) - 0xDC00) for m in _ESCAPED.finditer(text)]
    return _ESCAPED.sub(lambda m: chr(ord(m.group()) - 0xDC00), text), bad


def _bad_bytes(
    path: Path, text: str, bad: list[tuple[int, int]], frame: pl.DataFrame, sep: str
) -> pl.DataFrame:
    """One problem per (row, field) holding bytes read as Latin-1."""
    from screening.data.intake import PROBLEM_COLUMNS, SCREENED, no_problems

    if not bad:
        return no_problems()
    seen: dict[tuple[int, int], int] = {}
    line, last = 0, 0
    for pos, byte in bad:  # bad bytes, not rows: few in a broken file; counts run in C
        line += text.count("\n", last, pos)
        last = pos
        # Fields counted by separators (a quoted separator before the byte would shift
        # the field; the row is still right).
        field = text.count(sep, text.rfind("\n", 0, pos) + 1, pos)
        seen.setdefault((line, field), byte)
    rows = []
    for (ln, field), byte in seen.items():
        name = frame.columns[field] if field < frame.width else f"column {field + 1}"
        value = frame[name][ln - 1] if 0 < ln <= frame.height and field < frame.width else None
        problem = f"not valid UTF-8 (byte 0x{byte:02x}); read as Latin-1"
        rows.append((str(path), ln + 1, name, value, problem, SCREENED))
    return pl.DataFrame(rows, schema=PROBLEM_COLUMNS, orient="row")


_FORMULA = r"^[=+\-@\t\r]"


# Rows a CSV is written in: the formula guard copies only this many at a time.
CSV_SLICE_ROWS = 250_000


def guard_formulas(alerts: pl.DataFrame) -> pl.DataFrame:
    """Text cells a spreadsheet would run as a formula, with a leading quote."""
    return alerts.with_columns(
        pl.when(_formula(c)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in _text_columns(alerts)
    )


def has_formulas(frame: pl.DataFrame) -> bool:
    """Whether guard_formulas would change any text cell of `frame`."""
    text = _text_columns(frame)
    if not text or frame.is_empty():
        return False
    return bool(frame.select(pl.any_horizontal(_formula(c) for c in text).any()).item())


def _text_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c, t in frame.schema.items() if t == pl.String]


def _formula(column: str) -> pl.Expr:
    """Cells a spreadsheet would run as a formula."""
    return pl.col(column).str.contains(_FORMULA)


def write_alerts(alerts: pl.DataFrame, out: Path | None) -> str | None:
    """Alerts to CSV (default), Parquet or JSON by extension; CSV text returned if no path.

    CSV cells that a spreadsheet would run as a formula (= + - @) get a leading quote. A
    file is written beside its target and moved into place: all of it or nothing.
    """
    if out is None:
        return guard_formulas(alerts).write_csv()
    out = Path(out)
    tmp = out.with_name(f".{out.name}.partial")
    try:
        if out.suffix == ".parquet":
            alerts.write_parquet(tmp)
        elif out.suffix == ".json":
            alerts.write_json(tmp)
        else:
            with open(tmp, "wb") as f:
                for at in range(0, max(alerts.height, 1), CSV_SLICE_ROWS):
                    part = guard_formulas(alerts.slice(at, CSV_SLICE_ROWS))
                    part.write_csv(f, include_header=at == 0)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return None
