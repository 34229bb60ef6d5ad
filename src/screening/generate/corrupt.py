"""Recorded error models: what happens to a listed person's name, date and document
between the watch list and the manifest.

Each model is a vectorized function over the rows that drew it. Which rows draw which
models is decided once, per row, by a Gumbel top-k draw over the applicable models, so
a row gets exactly k distinct corruptions that could really happen to it (a DOB
day/month swap needs a day <= 12, a particle change needs a particle).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from screening.data.formats.mrz import to_strings
from screening.paths import data_dir

_QWERTY = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
OCR_PAIRS = {
    "0": "O",
    "O": "0",
    "1": "I",
    "I": "1",
    "5": "S",
    "S": "5",
    "8": "B",
    "B": "8",
    "2": "Z",
    "Z": "2",
}
ARTICLE = r"^(?:AL|EL|AS|ASH|AT|AZ|AR|AD|AN)(?:-| )"
BIN = r"^(?:BIN|BEN|IBN) "
EUROPEAN = r"^(?:VAN DER|VAN DEN|VAN|VON|DE LA|DE|DA|DOS|DAS|DEL|DI|DU|LA|LE) "
COMPOUND_SPLIT = r"^(ABDUL|ABDEL|ABDUR|ABD|ABU|ABOU|NUR|NOUR|SAIF|JEAN|MARIE)([A-Z]{4,})"


def _neighbours() -> dict[str, str]:
    out: dict[str, str] = {}
    for r, row in enumerate(_QWERTY):
        for c, ch in enumerate(row):
            near = [row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)]
            for rr in (r - 1, r + 1):
                if 0 <= rr < len(_QWERTY):
                    near += [_QWERTY[rr][i] for i in (c - 1, c, c + 1) if 0 <= i < len(_QWERTY[rr])]
            out[ch] = "".join(near)
    return out


NEIGHBOURS = _neighbours()


def phonetic_rules() -> tuple[tuple[str, str], ...]:
    raw = tomllib.loads((data_dir() / "translit" / "phonetic.toml").read_text(encoding="utf-8"))
    return tuple((a, b) for a, b in raw["rules"])


def choose(
    rng: np.random.Generator,
    names: tuple[str, ...],
    weights: dict[str, float],
    count_p: tuple[float, ...],
    applicable: dict[str, np.ndarray],
    n: int,
) -> np.ndarray:
    """(n, len(names)) bool: which models each row gets (0..len(count_p)-1 distinct ones)."""
    w = np.array([weights.get(m, 0.0) for m in names], dtype=np.float64)
    ok = np.stack([applicable.get(m, np.ones(n, bool)) for m in names], axis=1) & (w > 0)
    with np.errstate(divide="ignore"):
        keys = np.where(ok, np.log(np.where(w > 0, w, 1.0)), -np.inf)
    keys = keys + rng.gumbel(size=(n, len(names)))
    p = np.asarray(count_p, dtype=np.float64)
    k = np.minimum(rng.choice(len(p), size=n, p=p / p.sum()), ok.sum(axis=1))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    return (rank < k[:, None]) & ok


# ---- name models: each maps a frame with columns s (surname), g (given) to a new one ----


@dataclass(frozen=True)
class NameContext:
    """What name models need besides the strings: randomness and a spare given name."""

    rng: np.random.Generator
    extra_given: np.ndarray  # object: a plausible extra given name per row


def typo(df: pl.DataFrame, m: np.ndarray, ctx: NameContext) -> pl.DataFrame:
    """A keyboard slip in one name part: neighbour key, transposition, deletion or doubling."""
    rng, n = ctx.rng, len(df)
    use_given = (rng.random(n) < 0.4) & (df["g"].str.len_chars() > 1).to_numpy()
    df = df.with_columns(
        _f=pl.Series(use_given & m),
        _s=pl.Series(~use_given & m),
        _u=pl.Series(rng.random(n)),
        _op=pl.Series(rng.integers(0, 4, n)),
        _k=pl.Series(rng.integers(0, 1 << 20, n)),
    )

    def slip(c: pl.Expr) -> pl.Expr:
        length = c.str.len_chars()
        p = (pl.col("_u") * length).floor().cast(pl.Int64).clip(0, (length - 2).clip(0, None))
        ch = c.str.slice(p, 1)
        near = ch.replace_strict(NEIGHBOURS, default=ch)
        nb = near.str.slice(pl.col("_k") % near.str.len_chars().clip(1, None), 1)
        head, tail = c.str.slice(0, p), c.str.slice(p + 1)
        nxt = c.str.slice(p + 1, 1)
        # Each branch must change the text: no "neighbour" for a space, no swap of "SS".
        return (
            pl.when((pl.col("_op") == 0) & (nb != ch))
            .then(pl.concat_str([head, nb, tail]))
            .when((pl.col("_op") == 1) & (nxt != ch) & (nxt != ""))
            .then(pl.concat_str([head, nxt, ch, c.str.slice(p + 2)]))
            .when((pl.col("_op") == 2) & (length > 2))
            .then(pl.concat_str([head, tail]))
            .otherwise(pl.concat_str([head, ch, ch, tail]))
        )

    return df.with_columns(
        s=pl.when("_s").then(slip(pl.col("s"))).otherwise("s"),
        g=pl.when("_f").then(slip(pl.col("g"))).otherwise("g"),
    ).drop("_f", "_s", "_u", "_op", "_k")


def phonetic_applicable(df: pl.DataFrame) -> np.ndarray:
    return _rule_matrix(df).any(axis=1)


def _rule_matrix(df: pl.DataFrame) -> np.ndarray:
    cols = []
    for field in ("s", "g"):
        for a, _ in phonetic_rules():
            cols.append(df[field].str.contains(a, literal=True).fill_null(False).to_numpy())
    return np.stack(cols, axis=1)


def phonetic(df: pl.DataFrame, m: np.ndarray, ctx: NameContext) -> pl.DataFrame:
    """Respell one sound the way it is heard (PH→F, OU→U, KH→H …) in one name part."""
    rules = phonetic_rules()
    ok = _rule_matrix(df) & m[:, None]
    keys = np.where(ok, ctx.rng.gumbel(size=ok.shape), -np.inf)
    pick = np.where(ok.any(axis=1), keys.argmax(axis=1), -1)
    df = df.with_columns(_r=pl.Series(pick))
    s, g = pl.col("s"), pl.col("g")
    for j in np.unique(pick[pick >= 0]):
        field, (a, b) = ("s", "g")[j // len(rules)], rules[j % len(rules)]
        col = s if field == "s" else g
        df = df.with_columns(
            pl.when(pl.col("_r") == j)
            .then(col.str.replace(a, b, literal=True, n=1))
            .otherwise(col)
            .alias(field)
        )
    return df.drop("_r")


def swap(df: pl.DataFrame, m: np.ndarray, ctx: NameContext) -> pl.DataFrame:
    """Surname and given names exchanged (Chinese and Hungarian order, clerk error)."""
    mask = pl.Series(m)
    return df.with_columns(
        s=pl.when(mask).then("g").otherwise("s"), g=pl.when(mask).then("s").otherwise("g")
    )


def drop_token(df: pl.DataFrame, m: np.ndarray, ctx: NameContext) -> pl.DataFrame:
    """Lose a name part: the last given name, else a second surname, else all given names."""
    g_parts = df["g"].str.count_matches(" ").to_numpy() + 1
    s_parts = df["s"].str.count_matches(" ").to_numpy() + 1
    drop_g = pl.Series(m & (g_parts > 1))
    drop_s = pl.Series(m & (g_parts == 1) & (s_parts > 1))
    drop_all = pl.Series(m & (g_parts == 1) & (s_parts == 1))
    last_gone = r"\s+\S+$"
    return df.with_columns(
        g=pl.when(drop_g)
        .then(pl.col("g").str.replace(last_gone, ""))
        .when(drop_all)
        .then(pl.lit(""))
        .otherwise("g"),
        s=pl.when(drop_s).then(pl.col("s").str.replace(last_gone, "")).otherwise("s"),
    )


def add_token(df: pl.DataFrame, m: np.ndarray, ctx: NameContext) -> pl.DataFrame:
    """An extra name part: a father's or second given name the list did not record."""
    extra = pl.Series(ctx.extra_given, dtype=pl.String)
    return df.with_columns(
        g=pl.when(pl.Series(m))
        .then(pl.concat_str([pl.col("g"), extra], separator=" ").str.strip_chars())
        .otherwise("g")
    )


def initial(df: pl.DataFrame, m: np.ndarray, ctx: NameContext) -> pl.DataFrame:
    """Given names reduced to initials (MOHAMMED AHMED → M A)."""
    initials = pl.col("g").str.split(" ").list.eval(pl.element().str.slice(0, 1)).list.join(" ")
    return df.with_columns(g=pl.when(pl.Series(m)).then(initials).otherwise("g"))


def compound_applicable(df: pl.DataFrame) -> np.ndarray:
    g = df["g"]
    return (
        g.str.contains(r"[ -]").fill_null(False)
        | g.str.contains(COMPOUND_SPLIT).fill_null(False)
        | df["s"].str.contains(COMPOUND_SPLIT).fill_null(False)
    ).to_numpy()


def compound(df: pl.DataFrame, m: np.ndarray, ctx: NameContext) -> pl.DataFrame:
    """Compound given names split or merged (ABDUL RAHMAN ↔ ABDULRAHMAN)."""
    mask = pl.Series(m)
    g, s = pl.col("g"), pl.col("s")
    merged_g = g.str.replace(r"[ -]", "")
    split_g = g.str.replace(COMPOUND_SPLIT, "$1 $2")
    split_s = s.str.replace(COMPOUND_SPLIT, "$1 $2")
    has_sep = g.str.contains(r"[ -]")
    splits_g = g.str.contains(COMPOUND_SPLIT)
    return df.with_columns(
        g=pl.when(mask & has_sep).then(merged_g).when(mask & splits_g).then(split_g).otherwise(g),
        s=pl.when(mask & ~has_sep & ~splits_g).then(split_s).otherwise(s),
    )


PARTICLE_FORMS = {
    ARTICLE: ("AL-", "EL-", "AL ", "AL", ""),
    BIN: ("BIN ", "BEN ", "IBN ", ""),
}


def particle_applicable(df: pl.DataFrame) -> np.ndarray:
    pattern = "|".join(f"(?:{p})" for p in (ARTICLE, BIN, EUROPEAN))
    return df["s"].str.contains(pattern).fill_null(False).to_numpy()


def particle(df: pl.DataFrame, m: np.ndarray, ctx: NameContext) -> pl.DataFrame:
    """Surname particle written another way or dropped (AL-HASHIMI → EL-HASHIMI, HASHIMI)."""
    s = df["s"]
    out = s.to_numpy().astype(object).copy()
    k = ctx.rng.integers(1, 1 << 20, len(df))
    for pattern in (ARTICLE, BIN, EUROPEAN):
        prefix = s.str.extract(f"({pattern})", 1).fill_null("")
        rows = np.flatnonzero(m & (prefix.str.len_chars() > 0).to_numpy())
        if len(rows) == 0:
            continue
        pre = prefix.to_numpy()[rows].astype(object)
        rest = s.str.slice(prefix.str.len_chars()).to_numpy()[rows].astype(object)
        word = np.char.strip(pre.astype(str), " -").astype(object)
        forms = PARTICLE_FORMS.get(pattern)
        if forms is None:  # European particles: spaced, glued, or dropped
            options = np.stack([word + " ", word, np.full(len(rows), "", object)], axis=1)
        else:
            options = np.tile(np.asarray(forms, dtype=object), (len(rows), 1))
        choice = k[rows] % options.shape[1]
        same = options[np.arange(len(rows)), choice] == pre
        choice = np.where(same, (choice + 1) % options.shape[1], choice)
        out[rows] = options[np.arange(len(rows)), choice] + rest
        m = m.copy()
        m[rows] = False  # one particle change per row
    return df.with_columns(s=pl.Series(out, dtype=pl.String))


NAME_MODELS: dict[str, Callable[[pl.DataFrame, np.ndarray, NameContext], pl.DataFrame]] = {
    # Applied in this order: structure first, then spelling slips on the result.
    "particle": particle,
    "compound": compound,
    "swap": swap,
    "drop_token": drop_token,
    "add_token": add_token,
    "initial": initial,
    "phonetic": phonetic,
    "typo": typo,
}


def name_applicability(df: pl.DataFrame) -> dict[str, np.ndarray]:
    has_g = (df["g"].str.len_chars() > 0).to_numpy()
    return {
        "typo": (df["s"].str.len_chars() > 1).to_numpy(),
        "phonetic": phonetic_applicable(df),
        "swap": has_g,
        "drop_token": has_g,
        "initial": (df["g"].str.len_chars() > 1).to_numpy(),
        "compound": compound_applicable(df),
        "particle": particle_applicable(df),
    }


def apply_name_models(
    surname: np.ndarray, given: np.ndarray, chosen: dict[str, np.ndarray], ctx: NameContext
) -> tuple[np.ndarray, np.ndarray]:
    """Run every chosen name model, in NAME_MODELS order, on (surname, given) strings.

    Only the rows that drew a model are touched (and only they are sent through polars).
    """
    surname, given = surname.copy(), given.copy()
    any_m = np.zeros(len(surname), dtype=bool)
    for m in chosen.values():
        any_m |= m
    rows = np.flatnonzero(any_m)
    if len(rows) == 0:
        return surname, given
    sub = NameContext(ctx.rng, ctx.extra_given[rows])
    df = pl.DataFrame(
        {
            "s": pl.Series(surname[rows], dtype=pl.String),
            "g": pl.Series(given[rows], dtype=pl.String),
        }
    ).fill_null("")
    for name, model in NAME_MODELS.items():
        m = chosen.get(name)
        if m is not None and m[rows].any():
            df = model(df, m[rows], sub)
    df = df.with_columns(pl.col("s", "g").str.replace_all(r"\s+", " ").str.strip_chars())
    surname[rows] = df["s"].to_numpy()
    given[rows] = df["g"].to_numpy()
    return surname, given


# ---- dates and documents ----


def dob_swap_applicable(dob: np.ndarray) -> np.ndarray:
    _y, mo, d = split_dates(dob)
    return (d <= 12) & (d != mo)


def split_dates(dob: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = dob.astype("datetime64[Y]")
    mo = dob.astype("datetime64[M]")
    month = (mo - y.astype("datetime64[M]")).astype(int) + 1
    day = (dob - mo.astype("datetime64[D]")).astype(int) + 1
    return y.astype(int) + 1970, month, day


def dob_swap(dob: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Day and month exchanged (03/07 read as 07/03)."""
    y, mo, d = split_dates(dob)
    swapped = (
        (y - 1970).astype("datetime64[Y]").astype("datetime64[M]")
        + (d - 1).astype("timedelta64[M]")
    ).astype("datetime64[D]") + (mo - 1).astype("timedelta64[D]")
    return np.where(m & (d <= 12), swapped, dob)


def dob_shift(rng: np.random.Generator, dob: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Date of birth off by one day (time zones, keying)."""
    step = np.where(rng.random(len(dob)) < 0.5, -1, 1).astype("timedelta64[D]")
    return np.where(m, dob + step, dob)


def ocr_applicable(doc: np.ndarray) -> np.ndarray:
    s = pl.Series(doc, dtype=pl.String)
    return s.str.contains("[01258OISBZ]").fill_null(False).to_numpy()


def doc_ocr(rng: np.random.Generator, doc: np.ndarray, m: np.ndarray) -> np.ndarray:
    """One OCR confusion in the document number (0↔O, 1↔I, 5↔S, 8↔B, 2↔Z)."""
    rows = np.flatnonzero(m)
    if len(rows) == 0:
        return doc
    width = max(len(str(x)) for x in doc[rows])
    padded = pl.Series(doc[rows], dtype=pl.String).str.pad_end(width, " ")
    mat = np.frombuffer("".join(padded.to_list()).encode("ascii"), np.uint8).reshape(-1, width)
    mat = mat.copy()
    table = np.arange(256, dtype=np.uint8)
    for a, b in OCR_PAIRS.items():
        table[ord(a)] = ord(b)
    ok = table[mat] != mat
    pos = np.where(ok, rng.random(mat.shape), -1.0).argmax(axis=1)
    r = np.arange(len(rows))
    mat[r, pos] = np.where(ok[r, pos], table[mat[r, pos]], mat[r, pos])
    out = doc.copy()
    out[rows] = np.char.rstrip(to_strings(mat).astype(str)).astype(object)
    return out
