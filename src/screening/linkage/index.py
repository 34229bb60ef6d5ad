"""WatchlistIndex: everything about a watch list that screening needs, built once and
reused for every manifest (screening one flight never rebuilds it)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from screening.linkage.blocking import (
    KEY_KINDS,
    ListBlocks,
    document_key,
    fold_document,
    key_frame,
    list_blocks,
    name_keys,
    text_key,
)
from screening.linkage.comparisons.coded import Coded, coded_list
from screening.linkage.comparisons.contacts import list_contacts
from screening.linkage.comparisons.documents import ListDocuments
from screening.linkage.comparisons.names import LIST_NAME_FIELDS, bound_arrays, name_arrays
from screening.linkage.distinct import distinct, first_seen_codes
from screening.linkage.normalize import name_forms
from screening.linkage.scoring import CountLookup, token_counts
from screening.linkage.settings import BlockingConfig, Settings


@dataclass(frozen=True)
class WatchlistIndex:
    rows: pl.DataFrame  # canonical list rows (screening.data.lists), one per name
    forms: pl.DataFrame  # name_forms of rows, same order
    # List keys per kind, for the record: the keys themselves live on only as the hashed
    # blocks (a 5 M-name list has 46 M keys, ~1 GB of strings nothing reads after the build).
    key_kinds: dict[str, int]
    blocks: ListBlocks  # the list side of blocking, split by block size
    docs: pl.DataFrame  # (entry_id, code, doc, doc_folded)
    entry_code: np.ndarray  # integer code of each row's entry_id
    # One integer per distinct name as compared (name_code): a 5 M-name list writes many
    # names several times (an alias under two identities), and a pair of names is
    # compared once, whichever rows hold them.
    name_code: np.ndarray
    has_doc: np.ndarray  # bool per row: the identity has a known document
    contacts: pl.DataFrame  # (code, kind, value): known phones and e-mails, folded
    has_contact: np.ndarray  # bool per row: the identity has a known contact
    token_counts: pl.DataFrame  # (tok, n) over the list's own names
    token_total: int
    coded: Coded  # dates of birth, sex and nationalities as integers
    # comparisons.names.name_arrays(forms), built once; empty when the index does not hold
    # them (a saved one mapped from disk: Python strings cannot be shared between
    # processes, and a 5 M-name list's are ~2 GB): list_names gathers what a chunk needs.
    arrays: dict[str, np.ndarray]
    config: Settings
    # names.bound_arrays of the list's names, built once (a chunk of a 10 M run signed its
    # 400,000 list names again: 0.8 s of its 4.3), by name_arrays key.
    bounds: dict[str, np.ndarray]

    @property
    def size(self) -> int:
        return self.rows.height

    @cached_property
    def documents(self) -> ListDocuments:
        """docs, found by their folded form's hash (built on first use)."""
        return ListDocuments.of(self.docs)

    @cached_property
    def token_lookup(self) -> CountLookup:
        """token_counts for a few tokens at a time (a flight's), built on first use."""
        return CountLookup.of(self.token_counts, "tok")


def build_index(
    rows: pl.DataFrame, config: Settings | None = None, with_name_arrays: bool = True
) -> WatchlistIndex:
    """Normalize, key and count a canonical watch list (see screening.data.lists); without
    `with_name_arrays` it holds no Python strings (an index built to be saved: 2 s for a
    5 M-name list that the saved copy drops)."""
    config = config or Settings()
    forms = name_forms(rows)
    bounds = bound_arrays(forms, LIST_NAME_FIELDS)
    keys = name_keys(forms, config.blocking)
    docs = (
        rows.select("entry_id", pl.col("documents").alias("doc"))
        .explode("doc")
        .drop_nulls("doc")
        .unique(maintain_order=True)
        .with_columns(doc_folded=fold_document(pl.col("doc")))
    )
    row_of_entry = rows.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("row"), "entry_id")
    doc_keys = key_frame(
        docs.join(row_of_entry, on="entry_id").select(
            "row", document_key(pl.col("doc_folded")).alias("key")
        ),
        "doc",
    )
    codes = entry_codes(rows)
    docs = docs.join(
        pl.DataFrame({"entry_id": rows["entry_id"], "code": codes}).unique("entry_id"),
        on="entry_id",
    )
    counts, total = token_counts(forms["core"])
    contacts = list_contacts(rows, codes.to_numpy())
    chosen = config.blocking.keys
    all_keys = pl.concat(
        [keys]
        + ([doc_keys] if "doc" in chosen else [])
        + ([born_keys(rows["dob"], rows["nationalities"])] if "born" in chosen else [])
    )
    l_years = rows.select(
        pl.coalesce(pl.col("dob").dt.year(), "dob_year_from").alias("year_from"),
        pl.coalesce(pl.col("dob").dt.year(), "dob_year_to").alias("year_to"),
    )
    return WatchlistIndex(
        rows=rows,
        forms=forms,
        key_kinds=dict(
            all_keys.group_by(pl.col("kind").cast(pl.String)).len().sort("kind").iter_rows()
        ),
        blocks=list_blocks(all_keys, l_years, config.blocking, codes),
        docs=docs,
        entry_code=codes.to_numpy(),
        name_code=name_codes(forms),
        has_doc=rows["entry_id"].is_in(docs["entry_id"].implode()).to_numpy(),
        contacts=contacts,
        has_contact=np.isin(codes.to_numpy(), contacts["code"].to_numpy()),
        token_counts=counts,
        token_total=total,
        coded=coded_list(rows),
        arrays=list_arrays(forms, bounds) if with_name_arrays else {},
        config=config,
        bounds=bounds,
    )


def list_names(index: WatchlistIndex, rows: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Name arrays holding list rows `rows`, and where each of them is in those arrays."""
    if index.arrays:
        return index.arrays, rows
    first, at = distinct(rows)
    # Only the compared forms are gathered: the token lists beside them cost a partition of
    # a 10 M run a third of this step's time and most of its page faults.
    wanted = [c for c in (*LIST_NAME_FIELDS, "core") if c in index.forms.columns]
    needed = rows[first]
    bounds = {c: np.asarray(v[needed]) for c, v in index.bounds.items()}
    return list_arrays(index.forms.select(wanted)[needed], bounds), at


def list_arrays(forms: pl.DataFrame, bounds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """name_arrays of list names, with their bound_arrays as the index holds them."""
    return name_arrays(forms, LIST_NAME_FIELDS, with_bounds=False) | bounds


def name_codes(forms: pl.DataFrame) -> np.ndarray:
    """0, 1, 2 ... per distinct name as the comparisons read it: its core tokens in order
    (which fix the sorted and skeleton forms), its given-surname glue and its initials.
    Rows with one code compare alike with any traveller."""
    parts = [pl.col("core").list.join(" "), pl.col("compact_gs"), pl.col("initials_sorted")]
    # A missing form is not an empty one: both kept apart by a character no name holds.
    key = forms.select(pl.concat_str([p.fill_null("\x1e") for p in parts], separator="\x1f"))
    return first_seen_codes(key.to_series())


def entry_codes(rows: pl.DataFrame) -> pl.Series:
    """0, 1, 2 ... per distinct entry_id (in sorted order): identities as integers, so that
    pairs look their evidence up by one integer key."""
    return rows.select(pl.col("entry_id").rank("dense").cast(pl.Int64) - 1).to_series()


def born_keys(dob: pl.Series, nationalities: pl.Series) -> pl.DataFrame:
    """(row, key, kind): the key of "b:<date>:<nationality>" per full date of birth and
    nationality."""
    f = pl.DataFrame({"dob": dob.cast(pl.Date), "nat": nationalities})
    if not isinstance(f.schema["nat"], pl.List):  # a passenger's one nationality
        f = f.with_columns(pl.concat_list(pl.col("nat").cast(pl.String)))
    return (
        f.with_row_index("row")
        .with_columns(pl.col("row").cast(pl.Int64))
        .drop_nulls("dob")
        .explode("nat")
        .drop_nulls("nat")
        .select(
            "row",
            text_key(
                pl.concat_str([pl.lit("b:"), pl.col("dob").cast(pl.String), pl.lit(":"), "nat"])
            ).alias("key"),
            pl.lit("born", KEY_KINDS).alias("kind"),
        )
    )


def passenger_keys(
    forms: pl.DataFrame, doc: pl.Series, cfg: BlockingConfig, born: pl.DataFrame | None = None
) -> pl.DataFrame:
    keys = name_keys(forms, cfg, travellers=True)
    d = pl.DataFrame({"row": np.arange(len(doc), dtype=np.int64), "d": doc}).filter(
        pl.col("d").str.len_chars() >= cfg.min_document_length
    )
    doc_keys = key_frame(d.select("row", document_key(pl.col("d")).alias("key")), "doc")
    parts = [keys] + ([doc_keys] if "doc" in cfg.keys else [])
    if born is not None and "born" in cfg.keys:
        parts.append(born)
    return pl.concat(parts)
