"""Names to canonical matching forms, the same code for passengers and list names.

Folding: any script to ASCII (anyascii, applied to distinct non-ASCII values only), upper
case, apostrophes dropped, other punctuation and hyphens to spaces, FNU/LNU placeholders
removed. From the folded name come order-free token forms, particle-free `core` tokens,
compound-proof `compact` forms (ABDUL RAHMAN ≡ ABDULRAHMAN) and per-token `skeleton` keys
that survive romanization (MOHAMMED, MUHAMMAD → MHMT; ZHANG, CHANG, CHEUNG → SNK).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import polars as pl
import pyarrow.compute as pc
from anyascii import anyascii

PLACEHOLDERS = ("FNU", "LNU", "UNK", "UNKNOWN", "NFN", "XXX")
PARTICLES = (
    "AL",
    "EL",
    "AS",
    "ASH",
    "AT",
    "AZ",
    "AR",
    "AD",
    "AN",
    "BIN",
    "BEN",
    "IBN",
    "BINT",
    "ABU",
    "ABOU",
    "VAN",
    "VON",
    "DER",
    "DEN",
    "DE",
    "DA",
    "DI",
    "DOS",
    "DAS",
    "DEL",
    "DU",
    "LA",
    "LE",
)
# Honorifics that aliases put before given names (HAJI NASIR for NASIR, QARI, MULLAH,
# SHEIKH ...): dropped from the given names where a name remains, as particles are. Not
# from surnames, where SHEIKH is a family name. Those that are also given names (SAYED,
# SYED, HAFIZ, HAFEZ, IMAM, AMIR) stay: the generator's Arabic pool has SAYED.
TITLES = (
    "HAJI",
    "HAJJI",
    "HADJI",
    "HAJ",
    "HAJJ",
    "HADJ",
    "ALHAJ",
    "ALHAJJ",
    "ALHAJI",
    "ELHADJ",
    "QARI",
    "MULLAH",
    "MULLA",
    "MAULAVI",
    "MAWLAWI",
    "MAULVI",
    "MOLVI",
    "MAWLAVI",
    "MAULANA",
    "MAWLANA",
    "SHEIKH",
    "SHAIKH",
    "SHAYKH",
)
# Order matters: longer groups first. What romanizations of one sound write differently
# collapses to one letter; vowels, which romanizations disagree on most, are dropped.
_SKELETON_GROUPS = (
    ("TSCH", "S"),
    ("SCH", "S"),
    ("TCH", "S"),
    ("DZH", "S"),
    ("SH", "S"),
    ("CH", "S"),
    ("ZH", "S"),
    ("TS", "S"),
    ("TZ", "S"),
    ("DJ", "S"),
    ("DZ", "S"),
    ("KH", "H"),
    ("GH", "K"),
    ("PH", "F"),
    ("TH", "T"),
    # An aspirated D, or Arabic dhal written DH, D or Z: GADHAFI, GADDAFI, QADHAFI.
    ("DH", "T"),
    ("HS", "S"),
    ("CK", "K"),
    ("Z", "S"),
    ("X", "S"),
    ("J", "S"),
    ("Q", "K"),
    ("C", "K"),
    ("G", "K"),
    ("D", "T"),
    ("P", "B"),
    ("W", "V"),
)


def fold(names: pl.Series) -> pl.Series:
    """Folded name text: ASCII, A-Z and single spaces, placeholders removed."""
    # Each step a query of its own cost a flight's few hundred names ~0.1 ms a step: the
    # steps run as one query (and one to find the names needing anyascii).
    text = pl.DataFrame({"n": names}).select(pl.col("n").cast(pl.String).fill_null(""))
    non_ascii = text.filter(pl.col("n").str.contains(r"[^\x00-\x7F]"))["n"].unique()
    n = pl.col("n")
    if len(non_ascii):
        mapping = dict(zip(non_ascii.to_list(), map(anyascii, non_ascii.to_list()), strict=True))
        n = n.replace(mapping)
    placeholder = r"\b(?:" + "|".join(PLACEHOLDERS) + r")\b"
    return text.select(
        n.str.to_uppercase()
        .str.replace_all(r"['’`ʼ]", "")
        .str.replace_all(r"[^A-Z]+", " ")
        .str.replace_all(placeholder, " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .alias(names.name)
    ).to_series()


_VOWELS = ("A", "E", "I", "O", "U", "Y")
# Runs of one consonant, longest first; applied twice, runs of up to 36 become one letter.
_RUNS = tuple(ch * k for ch in "BFHKLMNRSTV" for k in range(6, 1, -1))


def _skeleton_expr() -> pl.Expr:
    # One left-to-right pass per step (Aho-Corasick, the earlier group wins where two start
    # at one letter), not one pass per group: a group's output is never re-read by a later
    # group (OTKHAMMAD keeps its TH: KH -> H then TH -> T was an accident of the order).
    # 49 replacements cost a flight's few hundred tokens 4 ms, these four passes 0.7 ms.
    t = pl.col("t")
    e = t.str.replace_many(
        [a for a, _ in _SKELETON_GROUPS], [b for _, b in _SKELETON_GROUPS], leftmost=True
    )
    e = e.str.replace_many(_VOWELS, [""] * len(_VOWELS), leftmost=True)
    runs = [r[0] for r in _RUNS]
    e = e.str.replace_many(_RUNS, runs, leftmost=True).str.replace_many(_RUNS, runs, leftmost=True)
    return pl.when(e.str.len_chars() > 0).then(e).otherwise(t.str.slice(0, 1))


_SKELETON = _skeleton_expr()


def skeleton(tokens: pl.Series) -> pl.Series:
    """Romanization-proof key of each token: sound groups merged, vowels dropped, no
    doubled letters (an all-vowel token keeps its first letter). Computed on distinct
    tokens only."""
    # Dictionary-encoded: one hash pass finds the distinct tokens and where each one is
    # (unique, then replace_strict, took two: 0.58 against 0.39 s for 2.4 M tokens).
    encoded = pc.dictionary_encode(tokens.rechunk().to_arrow())
    distinct = pl.Series("t", encoded.dictionary, dtype=pl.String)
    s = distinct.to_frame().select(_SKELETON).to_series().to_arrow()
    return pl.Series(tokens.name, s.take(encoded.indices), dtype=pl.String)


def list_skeletons(names: pl.Series) -> pl.Series:
    """The skeleton of every token of each name (a list of strings per row), computed on
    the distinct tokens and mapped back over the flat values: a list.eval per row cost
    twice as much."""
    lists = names.rechunk().to_arrow()
    mapped = skeleton(pl.Series(lists.flatten())).to_arrow()
    offsets = pc.subtract(lists.offsets, lists.offsets[0])
    rebuilt = type(lists).from_arrays(offsets, mapped, mask=lists.is_null())
    return pl.Series(names.name, rebuilt)


FORM_COLUMNS = (
    "tokens",
    "core",
    "compact_gs",
    "compact_sg",
    "sorted_core",
    "initials_sorted",
    "skeleton_sorted",
    "skeletons",
)


# The order-free forms: a form's tokens sorted and joined.
SORTED_FORMS = {"sorted_core": "core", "skeleton_sorted": "skeletons"}

# What screening a manifest needs of its travellers' names: not `tokens` (baselines) nor
# `initials_sorted` (only the list's initials are compared; PNR reconciliation asks for
# them itself). Two sorted forms fewer cost a million travellers 1.2 s less CPU.
SCREENING_FORMS = (
    "core",
    "compact_gs",
    "compact_sg",
    "sorted_core",
    "skeleton_sorted",
    "skeletons",
)


# From this many rows, a frame's forms are made in row ranges on threads: each row's forms
# are its own, and polars runs each string step of one range on one core (a national day's
# million travellers 2.1 -> 1.6 s; a 5.2 M-name list 18.4 -> 15.3 s, peak 4.6 -> 4.1 GB).
THREADED_FROM = 200_000


def name_forms(frame: pl.DataFrame, columns: tuple[str, ...] = FORM_COLUMNS) -> pl.DataFrame:
    """Matching forms of (surname, given_names) rows, in the input's row order: `columns`
    of FORM_COLUMNS.

    `tokens` (all, given then surname), `core` (without particles), `sorted_core`,
    `compact_gs` / `compact_sg` (core tokens glued, given-surname and surname-given),
    `initials_sorted` (given names as initials and the surname, sorted), `skeletons` and
    `skeleton_sorted`.
    """
    parts = min(pl.thread_pool_size(), 4)
    if frame.height < THREADED_FROM or parts < 2:
        return _name_forms(frame, columns)
    step = -(-frame.height // parts)
    with ThreadPoolExecutor(parts) as pool:
        done = pool.map(
            lambda at: _name_forms(frame.slice(at, step), columns), range(0, frame.height, step)
        )
        return pl.concat(list(done), rechunk=True)


def _name_forms(frame: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    want = set(columns)
    # Both parts folded in one pass: a flight pays each string step once, not twice.
    n = frame.height
    both = fold(pl.concat([frame[c].cast(pl.String) for c in ("surname", "given_names")]))
    sur, giv = both.slice(0, n), both.slice(n, n)
    out = pl.DataFrame({"_s": sur, "_g": giv}).with_columns(
        _st=pl.col("_s").str.split(" ").list.eval(pl.element().filter(pl.element() != "")),
        _gt=pl.col("_g").str.split(" ").list.eval(pl.element().filter(pl.element() != "")),
    )
    # Particles (and titles before given names) go only where the part has something else
    # (AR alone is a given name).
    drop = lambda c, words: (  # noqa: E731
        pl.when(pl.col(c).list.eval(~pl.element().is_in(words)).list.any())
        .then(pl.col(c).list.eval(pl.element().filter(~pl.element().is_in(words))))
        .otherwise(pl.col(c))
    )
    out = out.with_columns(_sc=drop("_st", PARTICLES), _gc=drop("_gt", PARTICLES + TITLES))
    glued = lambda a, b: pl.concat_str([pl.col(a).list.join(""), pl.col(b).list.join("")])  # noqa: E731
    sorted_joined = lambda e: e.list.sort().list.join(" ")  # noqa: E731
    new = {
        "tokens": lambda: pl.concat_list("_gt", "_st"),
        "core": lambda: pl.concat_list("_gc", "_sc"),
        "compact_gs": lambda: glued("_gc", "_sc"),
        "compact_sg": lambda: glued("_sc", "_gc"),
        "initials_sorted": lambda: sorted_joined(
            pl.concat_list(pl.col("_gc").list.eval(pl.element().str.slice(0, 1)), "_sc")
        ),
    }
    out = out.with_columns(**{c: f() for c, f in new.items() if c in want or c == "core"})
    if want & {"skeletons", "skeleton_sorted"}:
        out = out.with_columns(skeletons=list_skeletons(out["core"]))
    out = out.with_columns(
        **{c: sorted_tokens(out[src]) for c, src in SORTED_FORMS.items() if c in want}
    )
    return out.select([c for c in FORM_COLUMNS if c in want])


def gives_initial(tokens: pl.Expr) -> pl.Expr:
    """Whether a list of name tokens holds a one-letter part: an initial (A K S)."""
    return tokens.list.eval(pl.element().str.len_chars() == 1).list.any()


def sorted_tokens(names: pl.Series, by: pl.Series | None = None) -> pl.Series:
    """Each list of tokens sorted (by the same-shaped lists `by`, then spelling) and joined
    by spaces: one sort of the flat tokens by (row, token), the lists rebuilt on their
    offsets (list.sort per row took 0.78 against 0.44 s for a million names; below a
    thousand, 0.3 ms against 0.57: a flight sorts per row)."""
    if by is None and len(names) < 1_000:
        return names.to_frame().select(pl.col(names.name).list.sort().list.join(" ")).to_series()
    lists = names.rechunk().to_arrow()
    flat = pl.DataFrame(
        {"r": pl.Series(pc.list_parent_indices(lists)), "t": pl.Series(lists.flatten())}
    )
    if by is not None:
        flat = flat.with_columns(k=pl.Series(by.rechunk().to_arrow().flatten()))
    ordered = flat.sort("r", *(["k"] if by is not None else []), "t")["t"].to_arrow()
    offsets = pc.subtract(lists.offsets, lists.offsets[0])
    rebuilt = type(lists).from_arrays(offsets, ordered, mask=lists.is_null())
    return pl.Series(names.name, rebuilt).list.join(" ")
