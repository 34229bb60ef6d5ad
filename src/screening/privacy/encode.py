"""Watch-list names, dates and nationalities as keyed Bloom filters (cryptographic
long-term keys, Schnell, Bachteler and Reiher 2009), so that a partner can screen against
a list it never sees in the clear.

A name's q-grams (bigrams of each padded token: _KIM_ -> _K KI IM M_) each set `hashes`
bits of a `bits`-bit filter, at positions drawn from HMAC-SHA256 under the shared secret
(double hashing, Kirsch and Mitzenmacher 2006); a second filter holds the q-grams of the
tokens' romanization-proof skeletons. Dates, nationalities and blocking keys become keyed
64-bit hashes. HMAC runs once per distinct value, never per row; setting bits and
comparing filters are numpy operations over all rows at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import polars as pl

from screening.linkage.blocking import name_keys
from screening.linkage.index import born_keys
from screening.linkage.normalize import name_forms
from screening.linkage.settings import BlockingConfig

SALTS = ("none", "birth_year")
# Who sets the bits: our HMAC-SHA256 double hashing, or the reference implementation's
# (privacy.clkhash_encoder; the optional extra screening[clkhash]).
HASHERS = ("hmac-sha256", "clkhash")


@dataclass(frozen=True)
class EncodingConfig:
    bits: int = 1024  # filter length (a multiple of 64)
    hashes: int = 15  # bits set per q-gram
    q: int = 2
    # "birth_year": each name's q-grams are hashed with the birth year, so one name born
    # in two years encodes two ways (hardens against frequency attacks; a listed range
    # encodes once per year, and an undated name meets only undated travellers).
    salt: str = "none"
    # Hardenings of the filters themselves (Schnell, Borgs and Encarnação 2016; Berger
    # 2014): XOR-fold the two halves (bits/2 left, each an XOR of two), or balance: the
    # filter and its complement, bits permuted by the key (every filter has bits ones).
    xor_fold: bool = False
    balanced: bool = False
    # One filter per record (Durham 2012): the date of birth and nationalities go into the
    # name filters as tokens, and are not shipped as separate keyed fields.
    record_level: bool = False
    max_year_span: int = 12  # listed birth-year ranges wider than this count as undated
    max_block: int = 25  # list names per keyed blocking key, above which it needs the year
    hasher: str = "hmac-sha256"

    def __post_init__(self) -> None:
        if self.bits % 64 or self.bits <= 0:
            raise ValueError(f"bits must be a positive multiple of 64, not {self.bits}")
        if self.salt not in SALTS:
            raise ValueError(f"salt must be one of {', '.join(SALTS)}, not {self.salt!r}")
        if self.hasher not in HASHERS:
            raise ValueError(f"hasher must be one of {', '.join(HASHERS)}, not {self.hasher!r}")
        if self.hasher == "clkhash" and self.salt != "none":
            # clkhash's schema has no per-record salt that hashes each q-gram with a field.
            raise ValueError("the clkhash hasher encodes without a salt")


def keyed(secret: bytes, label: str, values: pl.Series) -> pl.Series:
    """HMAC-SHA256(secret, label | value) of each value as a UInt64 (nulls stay null);
    computed once per distinct value."""
    values = values.cast(pl.String)
    distinct = values.drop_nulls().unique().to_list()
    table = {  # one HMAC per distinct value: the only loop, over a value set
        v: int.from_bytes(_mac(secret, label, v)[:8], "little") for v in distinct
    }
    return values.replace_strict(table, default=None, return_dtype=pl.UInt64)


def _mac(secret: bytes, label: str, value: str) -> bytes:
    return hmac.new(secret, f"{label}\x1f{value}".encode(), hashlib.sha256).digest()


def qgrams(tokens: pl.Series, q: int) -> pl.DataFrame:
    """(row, gram) for every q-gram of every padded token of each row's token list."""
    flat = (
        pl.DataFrame({"tok": tokens})
        .with_row_index("row")
        .explode("tok")
        .drop_nulls("tok")
        .with_columns(tok=pl.lit("_") + pl.col("tok") + pl.lit("_"))
    )
    starts = flat.with_columns(
        start=pl.int_ranges(0, (pl.col("tok").str.len_chars() - q + 1).clip(lower_bound=1))
    ).explode("start")
    return starts.select("row", gram=pl.col("tok").str.slice(pl.col("start"), q)).unique()


def bloom(
    secret: bytes,
    label: str,
    tokens: pl.Series,
    cfg: EncodingConfig,
    salt: pl.Series | None = None,
) -> np.ndarray:
    """One filter per row (uint64 array, rows x bits/64) of the q-grams of its tokens,
    each q-gram hashed with the row's `salt` value when given."""
    if cfg.hasher == "clkhash":
        from screening.privacy.clkhash_encoder import clk_filters

        raw = clk_filters(secret, label, tokens, cfg.bits, cfg.hashes, cfg.q)
        return harden(secret, label, raw, cfg)
    n, words = len(tokens), cfg.bits // 64
    out = np.zeros((n, words), dtype=np.uint64)
    grams = qgrams(tokens, cfg.q)
    if grams.is_empty():
        return harden(secret, label, out, cfg)
    if salt is not None:
        s = salt.cast(pl.String).fill_null("?")
        grams = grams.with_columns(gram=pl.col("gram") + "\x1f" + s.gather(grams["row"]))
    distinct = grams["gram"].unique().to_list()
    digests = b"".join(_mac(secret, label, g)[:16] for g in distinct)  # per distinct gram
    h = np.frombuffer(digests, dtype=np.uint64).reshape(-1, 2)
    k = np.arange(cfg.hashes, dtype=np.uint64)
    with np.errstate(over="ignore"):  # double hashing wraps around 2^64 on purpose
        pos = (h[:, :1] + k[None, :] * (h[:, 1:] | np.uint64(1))) % np.uint64(cfg.bits)
    code = pl.DataFrame({"gram": distinct, "g": np.arange(len(distinct))})
    g = grams.join(code, on="gram")["g"].to_numpy()
    rows = np.repeat(grams.join(code, on="gram")["row"].to_numpy().astype(np.int64), cfg.hashes)
    p = pos[g].ravel()
    np.bitwise_or.at(out, (rows, (p // 64).astype(np.int64)), np.uint64(1) << (p % np.uint64(64)))
    return harden(secret, label, out, cfg)


def harden(secret: bytes, label: str, filters: np.ndarray, cfg: EncodingConfig) -> np.ndarray:
    """The configured hardenings applied to raw filters (rows x words)."""
    if cfg.balanced:
        bits = np.unpackbits(filters.view(np.uint8), axis=1, bitorder="little").astype(bool)
        both = np.concatenate([bits, ~bits], axis=1)
        seed = int.from_bytes(_mac(secret, "balance:" + label, str(cfg.bits))[:8], "little")
        perm = np.random.default_rng(seed).permutation(both.shape[1])
        packed = np.packbits(both[:, perm], axis=1, bitorder="little")
        filters = np.ascontiguousarray(packed).view(np.uint64)
    if cfg.xor_fold:
        half = filters.shape[1] // 2
        filters = filters[:, :half] ^ filters[:, half : 2 * half]
    return np.ascontiguousarray(filters)


def dice(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dice similarity 2|a & b| / (|a| + |b|) of aligned rows of two filter arrays."""
    inter = np.bitwise_count(a & b).sum(axis=1, dtype=np.int64)
    total = np.bitwise_count(a).sum(axis=1, dtype=np.int64) + np.bitwise_count(b).sum(
        axis=1, dtype=np.int64
    )
    return np.where(total > 0, 2.0 * inter / np.maximum(total, 1), 0.0)


def _years(frame: pl.DataFrame, cfg: EncodingConfig) -> pl.Expr:
    """The birth years a row may have: its DOB's, every year of a listed range no wider
    than max_year_span, else none (undated)."""
    if "dob_year_from" in frame.columns:
        lo = pl.coalesce(pl.col("dob").dt.year(), pl.col("dob_year_from"))
        hi = pl.coalesce(pl.col("dob").dt.year(), pl.col("dob_year_to"))
        ok = lo.is_not_null() & ((hi - lo) <= cfg.max_year_span)
        return pl.when(ok).then(pl.int_ranges(lo, hi + 1)).otherwise(pl.lit([], pl.List(pl.Int64)))
    year = pl.col("dob").cast(pl.Date).dt.year().cast(pl.Int64)
    return (
        pl.when(year.is_not_null())
        .then(pl.concat_list(year))
        .otherwise(pl.lit([], pl.List(pl.Int64)))
    )


def _keys(secret: bytes, forms: pl.DataFrame, years: pl.Series, born: pl.DataFrame) -> pl.DataFrame:
    """(row, key) keyed blocking keys: each name key of screening.linkage.blocking alone
    and with each birth year of the row, and the full date of birth with each nationality
    (`born`: an alias sharing no name part, as in the plaintext core)."""
    # Keyed as text: the 64-bit key written out in decimal.
    keys = name_keys(forms, BlockingConfig()).select("row", pl.col("key").cast(pl.String), "kind")
    born = born.with_columns(pl.col("key").cast(pl.String))
    with_year = (
        keys.join(pl.DataFrame({"row": np.arange(len(years)), "y": years}), on="row")
        .explode("y")
        .drop_nulls("y")
        .select("row", key=pl.col("key") + "#" + pl.col("y").cast(pl.String), kind="kind")
    )
    both = pl.concat(
        [
            keys.with_columns(dated=pl.lit(False)),
            with_year.with_columns(dated=pl.lit(True)),
            born.with_columns(dated=pl.lit(True)),
        ]
    )

    return both.with_columns(key=keyed(secret, "block", both["key"]))


def encode(
    secret: bytes,
    frame: pl.DataFrame,
    cfg: EncodingConfig,
    listed: bool,
    forms: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The encodings of list names (`listed`: canonical list rows, one per name) or of
    travellers: filters, keyed dates, nationalities, sex and blocking keys; no name.
    `forms`: the rows' name_forms when the caller has them."""
    forms = name_forms(frame) if forms is None else forms
    years = frame.select(_years(frame, cfg).alias("y"))["y"]
    salted = cfg.salt == "birth_year"
    source = np.arange(frame.height, dtype=np.uint32)  # the list row each encoding is of
    if salted and listed:
        # A listed range encodes once per year it allows (undated: once, salt "?").
        expanded = (
            pl.DataFrame({"r": np.arange(frame.height), "y": years})
            .with_columns(
                y=pl.when(pl.col("y").list.len() > 0)
                .then("y")
                .otherwise(pl.lit([None], pl.List(pl.Int64)))
            )
            .explode("y")
        )
        rows = expanded["r"].to_numpy()
        frame, forms, source = frame[rows], forms[rows], source[rows]
        salt = expanded["y"]
        years = expanded.select(pl.concat_list("y").list.drop_nulls())["y"]
    else:
        salt = years.list.first() if salted else None
    dob = _column(frame, "dob", pl.Date)
    nat_lists = (
        frame["nationalities"]
        if listed
        else _column(frame, "nationality", pl.String)
        .alias("n")
        .to_frame()
        .select(pl.concat_list("n").list.drop_nulls())["n"]
    )
    core, skeletons = forms["core"], forms["skeletons"]
    if cfg.record_level:
        extra = _record_tokens(dob, nat_lists)
        core = pl.DataFrame({"a": core, "b": extra}).select(pl.concat_list("a", "b"))["a"]
        skeletons = pl.DataFrame({"a": skeletons, "b": extra}).select(pl.concat_list("a", "b"))["a"]
    out = {
        "name_clk": bloom(secret, "name", core, cfg, salt),
        "skeleton_clk": bloom(secret, "skeleton", skeletons, cfg, salt),
    }
    hidden = cfg.record_level  # dates and nationalities only inside the filters
    cols = {
        "dob": keyed(secret, "dob", dob.cast(pl.String)) if not hidden else _nulls(dob),
        "years": _keyed_lists(secret, "year", years if not hidden else _empty(years)),
        "sex": keyed(secret, "sex", _column(frame, "sex", pl.String)),
    }
    cols["nationalities"] = _keyed_lists(
        secret, "nationality", nat_lists if not hidden else _empty(nat_lists)
    )
    if listed:
        ident = {
            "entry_id": frame["entry_id"],
            "name_id": frame["name_id"],
            "list_row": pl.Series(source),
        }
    else:
        ident = {"passenger_id": frame["passenger_id"]}
    keys = _keys(secret, forms, years, born_keys(dob, nat_lists))
    if listed:
        sizes = keys.group_by("key").len()
        keys = keys.join(sizes, on="key").filter(
            (pl.col("len") <= cfg.max_block) | pl.col("dated") | (pl.col("kind") == "exact")
        )
    per_row = keys.group_by("row").agg(pl.col("key").unique().sort())
    key_lists = pl.DataFrame({"row": np.arange(frame.height, dtype=np.uint32)}).join(
        per_row.with_columns(pl.col("row").cast(pl.UInt32)), on="row", how="left"
    )["key"]
    return pl.DataFrame(
        {**ident, **{k: pl.Series(k, v) for k, v in out.items()}, **cols, "block_keys": key_lists}
    )


def _record_tokens(dob: pl.Series, nationalities: pl.Series) -> pl.Series:
    """The tokens a record-level filter adds to the name's: the full date (D19750307) and
    each nationality (NIRQ)."""
    date = dob.dt.strftime("D%Y%m%d")
    nats = nationalities.list.eval(pl.lit("N") + pl.element())
    frame = pl.DataFrame({"d": date, "n": nats})
    return frame.select(pl.concat_list(pl.col("d"), pl.col("n")).list.drop_nulls())["d"]


def _nulls(s: pl.Series) -> pl.Series:
    return pl.Series(s.name, [None] * len(s), dtype=pl.UInt64)


def _empty(lists: pl.Series) -> pl.Series:
    return pl.Series(lists.name, [[]] * len(lists), dtype=lists.dtype)


def _column(frame: pl.DataFrame, name: str, dtype) -> pl.Series:
    if name in frame.columns:
        return frame[name].cast(dtype)
    return pl.Series(name, [None] * frame.height, dtype=dtype)


def _keyed_lists(secret: bytes, label: str, lists: pl.Series) -> pl.Series:
    flat = pl.DataFrame({"v": lists}).with_row_index("r").explode("v").drop_nulls("v")
    flat = flat.with_columns(h=keyed(secret, label, flat["v"].cast(pl.String)))
    agg = flat.group_by("r").agg(pl.col("h"))
    # Rows with no value (an empty list explodes to nothing) get an empty list.
    every = pl.DataFrame({"r": pl.int_range(len(lists), dtype=pl.UInt32, eager=True)})
    out = every.join(agg, on="r", how="left", maintain_order="left")["h"]
    return out.fill_null(pl.lit([], pl.List(pl.UInt64)))


def schema_note(cfg: EncodingConfig) -> str:
    """What the file holds (stored in its metadata): the encoding, never the names."""
    return json.dumps(
        {
            "encoding": "keyed Bloom filters (CLK), "
            + ("HMAC-SHA256" if cfg.hasher == "hmac-sha256" else "clkhash double hashing"),
            "fields": {
                "name_clk": f"{cfg.q}-grams of the padded core name tokens",
                "skeleton_clk": f"{cfg.q}-grams of the tokens' skeletons",
                "dob": "keyed hash of the full date of birth",
                "years": "keyed hashes of the possible birth years",
                "nationalities": "keyed hashes of the nationality codes",
                "sex": "keyed hash",
                "block_keys": "keyed hashes of the blocking keys, alone and with each year",
            },
            "config": asdict(cfg),
            "block_keys_version": BLOCK_KEYS_VERSION,
        }
    )


META_KEY = "screening.encoding"
# Bump when the blocking keys change: a list encoded with other keys would meet no
# traveller's, silently (2: keys are 64-bit hashes, not texts).
BLOCK_KEYS_VERSION = 2
MIN_SECRET_BYTES = 16


def read_secret(path) -> bytes:
    """The shared secret: the file's bytes (surrounding whitespace dropped), at least 16."""
    secret = Path(path).read_bytes().strip()
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(
            f"{path}: a secret of {len(secret)} bytes is too short to key the encodings "
            f"(at least {MIN_SECRET_BYTES}; e.g. `head -c 32 /dev/urandom | base64 > KEY`)"
        )
    return secret


def write_encoded(encoded: pl.DataFrame, cfg: EncodingConfig, path) -> None:
    """The encoded list as Parquet, with what was encoded (never a name) in its metadata."""
    encoded.write_parquet(path, metadata={META_KEY: schema_note(cfg)})


def read_encoded(path) -> tuple[pl.DataFrame, EncodingConfig]:
    """An encoded list and the encoding it was made with; a clear error if it is not one."""
    meta = pl.read_parquet_metadata(path)
    if META_KEY not in meta:
        raise ValueError(f"{path}: not an encoded watch list (`screening lists encode` makes one)")
    note = json.loads(meta[META_KEY])
    made = note.get("block_keys_version", 1)
    if made != BLOCK_KEYS_VERSION:
        raise ValueError(
            f"{path}: its blocking keys are of version {made}, this version of screening makes "
            f"version {BLOCK_KEYS_VERSION}: encode the list again (`screening lists encode`)"
        )
    return pl.read_parquet(path), EncodingConfig(**note["config"])
