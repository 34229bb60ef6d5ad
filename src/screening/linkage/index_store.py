"""A built WatchlistIndex on disk: written once, memory-mapped by every process that reads it.

Frames are uncompressed Arrow IPC files and the key hashes NumPy files, both mapped rather
than read, so worker processes on one machine share one copy of the list in the page cache
instead of each holding its own (a 5 M-name index pickled is ~3.8 GB, and sending it worker
to worker doubled the sender's peak). The name arrays `cpdist` reads are Python strings,
which cannot be mapped: a loaded index rebuilds them, or holds none and lets
`index.list_names` gather a chunk's (what each Dask worker does).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from screening.linkage.blocking import HashedKeys, ListBlocks
from screening.linkage.comparisons.coded import CODED_ARRAYS, Coded
from screening.linkage.comparisons.names import LIST_BOUND_KEYS
from screening.linkage.index import WatchlistIndex, build_index, list_arrays
from screening.linkage.settings import Settings, load_settings, to_toml

FRAMES = ("rows", "forms", "docs", "contacts", "token_counts")
ARRAYS = ("entry_code", "name_code", "has_doc", "has_contact")
BLOCKS = ("plain", "refined", "common", "common_exact")
FORMAT = 12  # bump when the layout or the keys change: an older folder is refused, not misread


def save_index(index: WatchlistIndex, folder: Path) -> Path:
    """Write `index` to `folder` (replaced whole: written beside it, then renamed)."""
    folder = Path(folder)
    tmp = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}")
    tmp.mkdir(parents=True)
    for name in FRAMES:
        write_frame(getattr(index, name), tmp / f"{name}.arrow")
    for name in ARRAYS:
        np.save(tmp / f"{name}.npy", getattr(index, name))
    for name, values in index.coded.arrays.items():
        np.save(tmp / f"coded_{name}.npy", values)
    for name, values in index.bounds.items():
        np.save(tmp / f"{_file_name(name)}.npy", values)
    for name in BLOCKS:
        keys = getattr(index.blocks, name)
        if keys is not None:
            np.save(tmp / f"{name}.hashes.npy", keys.hashes)
            np.save(tmp / f"{name}.rows.npy", keys.rows)
    meta = {
        "format": FORMAT,
        "key_kinds": index.key_kinds,
        "token_total": index.token_total,
        "stats": index.blocks.stats,
        "hash_join_from": index.blocks.hash_join_from,
        "blocks": [n for n in BLOCKS if getattr(index.blocks, n) is not None],
        "nationalities": list(index.coded.vocabulary),
    }
    (tmp / "index.json").write_text(json.dumps(meta), encoding="utf-8")
    (tmp / "settings.toml").write_text(to_toml(index.config), encoding="utf-8")
    if folder.exists():
        shutil.rmtree(folder)
    os.replace(tmp, folder)
    return folder


def load_index(folder: Path, with_name_arrays: bool = True) -> WatchlistIndex:
    """The index `save_index` wrote, its frames and key arrays memory-mapped; without
    `with_name_arrays` it holds no Python strings (index.list_names gathers them)."""
    folder = Path(folder)
    meta_file = folder / "index.json"
    if not meta_file.exists():
        raise FileNotFoundError(f"{folder}: not a saved watch-list index (no index.json)")
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ValueError(
            f"{folder}: index format {meta.get('format')}, this version reads {FORMAT}"
        )
    frames = {n: mapped_frame(folder / f"{n}.arrow") for n in FRAMES}
    bounds = {n: _mapped(folder / f"{_file_name(n)}.npy") for n in LIST_BOUND_KEYS}
    arrays = {n: _mapped(folder / f"{n}.npy") for n in ARRAYS}

    def keys(name: str) -> HashedKeys | None:
        if name not in meta["blocks"]:
            return None
        return HashedKeys(
            _mapped(folder / f"{name}.hashes.npy"),
            _mapped(folder / f"{name}.rows.npy"),
        )

    blocks = ListBlocks(
        keys("plain"),
        keys("refined"),
        keys("common"),
        meta["stats"],
        keys("common_exact"),
        meta["hash_join_from"],
    )
    return WatchlistIndex(
        rows=frames["rows"],
        forms=frames["forms"],
        key_kinds=meta["key_kinds"],
        blocks=blocks,
        docs=frames["docs"],
        entry_code=arrays["entry_code"],
        name_code=arrays["name_code"],
        has_doc=arrays["has_doc"],
        contacts=frames["contacts"],
        has_contact=arrays["has_contact"],
        # Written sorted by token (scoring.token_counts); IPC does not keep the flag.
        token_counts=frames["token_counts"].with_columns(pl.col("tok").set_sorted()),
        token_total=meta["token_total"],
        coded=Coded(
            **{n: _mapped(folder / f"coded_{n}.npy") for n in CODED_ARRAYS},
            vocabulary=tuple(meta["nationalities"]),
        ),
        arrays=list_arrays(frames["forms"], bounds) if with_name_arrays else {},
        config=load_settings(folder / "settings.toml"),
        bounds=bounds,
    )


def _mapped(path: Path) -> np.ndarray:
    """A saved array memory-mapped, as a plain ndarray: indexing an np.memmap wraps each
    result in a memmap again (about 20 calls a flight, 0.8 ms of its time)."""
    return np.asarray(np.load(path, mmap_mode="r"))


def _file_name(key: str) -> str:
    return "bound_" + key.replace(":", "_")


def index_fingerprint(rows: pl.DataFrame, settings: Settings) -> str:
    """What an index is built from: the list rows in order, their schema, the settings,
    the index format and the polars version (its row hashes hold within a version)."""
    h = hashlib.sha256(rows.hash_rows(seed=2396).to_numpy().tobytes())
    h.update(repr(list(rows.schema.items())).encode())
    h.update(to_toml(settings).encode())
    h.update(f"{FORMAT}|{pl.__version__}|{rows.height}".encode())
    return h.hexdigest()[:24]


def cached_build(rows: pl.DataFrame, settings: Settings, cache: Path) -> tuple[WatchlistIndex, str]:
    """The index of `rows` saved in `cache` for these rows and settings, memory-mapped;
    else built and saved there for the next run. (index, what happened, in words)."""
    folder = Path(cache) / index_fingerprint(rows, settings)
    if (folder / "index.json").exists():
        return load_index(folder), f"index loaded from {folder}"
    index = build_index(rows, settings)
    try:
        save_index(index, folder)
    except OSError as e:  # a cache that cannot be written must not stop the screening
        return index, f"index built; not saved to {cache}: {e.strerror or e}"
    return index, f"index built and saved to {folder}"


def write_frame(frame: pl.DataFrame, path: Path) -> None:
    """`frame` as one uncompressed Arrow IPC record batch, for mapped_frame."""
    # One record batch: mapped back, each column is one chunk. polars' write_ipc splits a
    # large frame into batches of 131,072 rows, and a gather from a list column of several
    # chunks copies the whole column first (2.5 ms for a flight's 800 list names out of
    # 518,770, against 0.05 ms from one chunk).
    # polars' rechunk first: pyarrow's combine_chunks of string views copied 4x slower.
    # Buffered: unbuffered, the writer's many small writes took 5 s for 640 MB, 0.4 s so.
    table = frame.rechunk().to_arrow(compat_level=pl.CompatLevel.newest()).combine_chunks()
    with (
        pa.output_stream(str(path), buffer_size=1 << 20) as sink,
        pa.ipc.new_file(sink, table.schema) as writer,
    ):
        writer.write_table(table)


def mapped_frame(path: Path) -> pl.DataFrame:
    """The frame write_frame wrote, its buffers mapped from the file, not read."""
    # pyarrow maps the file and polars adopts its buffers as they are (polars 2.1's own
    # read_ipc copies them: twice the frame's size in private memory per process).
    with pa.memory_map(str(path)) as source:
        table = pa.ipc.open_file(source).read_all()
    return pl.from_arrow(table, rechunk=False)


@functools.lru_cache(maxsize=2)
def cached_frame(path: str) -> pl.DataFrame:
    """mapped_frame, once per process (a Dask worker's many partitions read one file)."""
    return mapped_frame(Path(path))


@functools.lru_cache(maxsize=1)
def cached_index(folder: str) -> WatchlistIndex:
    """load_index, once per process: a Dask worker screens many partitions against one
    saved index (the folder is written once and never changed while a run reads it). The
    name arrays are gathered per partition, so that workers share all of the index."""
    return load_index(Path(folder), with_name_arrays=False)
