"""Per-origin name pools, built once from Faker's locale tables and our own CSVs.

Every name part (a given name or a surname) gets an integer id; its romanization
variants are stored flattened so that people, aliases and corruptions pick spellings
with numpy indexing alone. Frequencies inside an origin follow a Zipf law over the
source's rank, so common names collide as they do in real traffic.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import hashlib
import importlib
import importlib.metadata
import itertools
import os
import pickle
import re
import tomllib
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from screening.generate import romanize
from screening.paths import data_dir

KINDS = ("given_m", "given_f", "surname")
# Middle names a CSV may list apart (Vietnamese VĂN, THỊ), crossed with that sex's names.
MIDDLE_KINDS = ("middle_m", "middle_f")


@functools.cache
def known_origins() -> tuple[str, ...]:
    """Origin keys defined in `synthetic/origins.toml`, in file order."""
    return tuple(_origins_spec(data_dir()))


def _origins_spec(data: Path) -> dict[str, dict]:
    return tomllib.loads((data / "origins.toml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Origin:
    key: str
    label: str
    given_names: np.ndarray  # probabilities of 1, 2, ... given names
    surnames: np.ndarray
    nationalities: tuple[str, ...]
    nationality_p: np.ndarray
    non_latin: bool  # names are written in another script (kept as `original_script`)
    surname_first: bool  # native order puts the surname first (Chinese)
    patronymic: bool  # later given names are the father's and grandfather's


@dataclass(frozen=True)
class NameTable:
    """All name parts of all origins, as parallel arrays indexed by name id."""

    origins: tuple[Origin, ...]
    origin: np.ndarray  # int16 origin index per name id
    kind: np.ndarray  # int8 index into KINDS
    native: np.ndarray  # object: native-script (or Latin) form
    var_start: np.ndarray  # int64 offset into `variants`
    var_count: np.ndarray  # int32 number of spellings (>= 1); the first is the document form
    doc_count: np.ndarray  # int32 leading spellings a passport may carry (not JOSE -> JOSEPH)
    variants: np.ndarray  # object: flattened spellings
    female_form: np.ndarray  # int32 id of the female surname form (itself if ungendered)
    pools: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]  # (origin, kind) -> ids, cdf

    def sample(self, rng: np.random.Generator, origin: np.ndarray, kind: int) -> np.ndarray:
        """One name id per row, drawn from that row's origin pool of `kind` (Zipf weights)."""
        out = np.empty(len(origin), dtype=np.int32)
        for o in np.unique(origin):
            rows = np.flatnonzero(origin == o)
            ids, cdf = self.pools[(int(o), kind)]
            pick = np.searchsorted(cdf, rng.random(len(rows)) * cdf[-1], side="right")
            out[rows] = ids[np.minimum(pick, len(ids) - 1)]
        return out

    def spelling(self, ids: np.ndarray, variant: np.ndarray) -> np.ndarray:
        """Spelling `variant` (wrapped to the available ones) of each name id; '' for id -1."""
        ok = ids >= 0
        safe = np.where(ok, ids, 0)
        idx = self.var_start[safe] + variant % self.var_count[safe]
        out = self.variants[idx]
        out[~ok] = ""
        return out

    def doc_variant(self, rng: np.random.Generator, ids: np.ndarray) -> np.ndarray:
        """Which spelling a document uses: the standard form mostly, another one at times."""
        safe = np.where(ids >= 0, ids, 0)
        count = self.doc_count[safe]
        other = rng.integers(0, 1 << 30, len(ids)) % count
        return np.where(rng.random(len(ids)) < 0.8, 0, other).astype(np.int32)


def build_name_table(zipf_exponent: float = 1.0, data: Path | None = None) -> NameTable:
    """Read every origin's sources once and lay the pools out as arrays (cached: the
    table depends only on the data files and the exponent, never on a world's seed)."""
    return _cached_name_table(zipf_exponent, data or data_dir())


@functools.lru_cache(maxsize=4)
def _cached_name_table(zipf_exponent: float, data: Path) -> NameTable:
    """The table from the disk cache when one was built from the same inputs, else built
    (romanizing ~700,000 name parts takes seconds) and saved there for the next process."""
    path = _cache_file(zipf_exponent, data)
    if path is not None and path.exists():
        try:
            with path.open("rb") as fh:
                table = pickle.load(fh)
            if isinstance(table, NameTable):
                return table
        except Exception:  # a damaged or foreign cache file is rebuilt, never trusted
            pass
    table = _build_name_table(zipf_exponent, data)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump(table, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # atomic: a concurrent reader sees all of it or nothing
        except OSError:
            pass  # a read-only home only costs the rebuild next time
    return table


def _cache_file(zipf_exponent: float, data: Path) -> Path | None:
    """Where the table built from these inputs is kept: SCREENING_CACHE (`off`: nowhere),
    else $XDG_CACHE_HOME/screening. The name is a hash of everything the table is made of:
    the name and romanization tables, this code, and the versions of Faker and pypinyin."""
    root = os.environ.get("SCREENING_CACHE")
    if root == "off":
        return None
    if not root:
        root = str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "screening")
    h = hashlib.sha256(repr(zipf_exponent).encode())
    files = [
        data / "origins.toml",
        *sorted((data / "names").rglob("*")),
        *sorted((data / "translit").rglob("*")),
    ]
    for f in [*files, Path(__file__), Path(romanize.__file__)]:
        if f.is_file():
            h.update(f.name.encode() + f.read_bytes())
    for dist in ("faker", "pypinyin", "numpy"):
        h.update(importlib.metadata.version(dist).encode())
    return Path(root) / f"name-table-{h.hexdigest()[:24]}.pickle"


def _build_name_table(zipf_exponent: float, data: Path) -> NameTable:
    rules = romanize.load_rules(data)
    spec = _origins_spec(data)
    rows: list[
        tuple[int, int, str, list[str], float, int]
    ] = []  # origin, kind, native, vars, w, pair
    origins = []
    for o_idx, (key, cfg) in enumerate(spec.items()):
        natl = cfg["nationalities"]
        origins.append(
            Origin(
                key=key,
                label=cfg["label"],
                given_names=_probs(cfg["given_names"]),
                surnames=_probs(cfg["surnames"]),
                nationalities=tuple(natl),
                nationality_p=_probs(list(natl.values())),
                non_latin=cfg["romanize"] != "latin",
                surname_first=bool(cfg.get("surname_first", cfg["romanize"] == "pinyin")),
                patronymic=bool(cfg.get("patronymic", False)),
            )
        )
        entries = _read_sources(key, cfg, data, rules, zipf_exponent)
        for kind, native, variants, weight, female in entries:
            rows.append((o_idx, kind, native, variants, weight, female))
    table = _lay_out(tuple(origins), rows)
    return dataclasses.replace(table, doc_count=_doc_counts(table, rules))


def _doc_counts(table: NameTable, rules: romanize.Rules) -> np.ndarray:
    """How many leading spellings of each name a document may carry. A Latin-script
    name's cross-cultural equivalents (JOSE / JOSEPH / GIUSEPPE) are other names: they stay
    among its spellings for aliases and corruptions, never on its passport."""
    count = table.var_count.copy()
    latin = np.array([not o.non_latin for o in table.origins])[table.origin]
    for i in np.flatnonzero(latin & (count > 1)):  # pool entries with several spellings
        spell = table.variants[table.var_start[i] : table.var_start[i] + count[i]]
        other = set().union(*(rules.equivalents.get(v, ()) for v in spell)) - {spell[0]}
        n = 1
        while n < len(spell) and spell[n] not in other:
            n += 1
        count[i] = n
    return count


def _probs(values: list[float]) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64)
    return a / a.sum()


def _read_sources(key: str, cfg: dict, data: Path, rules: romanize.Rules, s: float) -> list:
    """(kind, native, variants, weight, female surname form or None) for one origin.

    `source_weights` (default 1 each) sets each source's share of the pool; a source of
    weight 0 only lends its spellings (accents) to names another source weighs. `tail`
    gives, per kind, the share of people whose name is too rare for any table: that mass
    goes to names a character model of the origin's own names makes up (see _tail)."""
    out: list = []
    shares = cfg.get("source_weights", [1.0] * len(cfg["sources"]))
    for source, shares_of in zip(cfg["sources"], shares, strict=True):
        given_variants: dict[str, list[str]] = {}
        if source.startswith("faker:"):
            lists = _faker_lists(source.removeprefix("faker:"))
        elif source.startswith("census:"):
            lists = _census_lists(data, source.removeprefix("census:"))
        else:
            lists, given_variants = _csv_lists(data / source)
        for kind, (names, weights, female) in lists.items():
            # A share per source, or per kind of name ({surname = 1.0, given_m = 0.0, ...}).
            share = shares_of.get(KINDS[kind], 0.0) if isinstance(shares_of, dict) else shares_of
            if not names:
                continue
            if key == "chinese" and kind != 2:
                names, weights = _chinese_given(names, s)
            if source == cfg.get("given_from_syllables") and kind != 2:
                # A name a cited table (read before) counts keeps its count alone.
                counted = {e[1] for e in out if e[0] == kind and e[3] > 0}
                names, weights = _syllable_given(
                    names, weights, s, cfg.get("syllable_pairing", 1.0), counted
                )
            ranks = np.arange(len(names))
            # A table without counts is ranked by a Zipf law; `zipf` (per kind) sets its
            # exponent where a cited top-10 / top-100 ratio says how flat the head is.
            exponent = cfg.get("zipf", {}).get(KINDS[kind], s)
            w = np.asarray(weights) if weights is not None else 1.0 / (ranks + 1.0) ** exponent
            w = share * w / w.sum()
            for i, native in enumerate(names):  # pool entries, built once, not travellers
                variants = given_variants.get(native) or _romanize(native, kind, key, cfg, rules)
                fem = None
                if female is not None and female[i] != native:
                    fem = (female[i], _romanize(female[i], kind, key, cfg, rules))
                out.append((kind, native, variants, float(w[i]), fem))
    for kind_name, tail_share in cfg.get("tail", {}).items():
        kind = KINDS.index(kind_name)
        head = [e for e in out if e[0] == kind and e[3] > 0]
        mass = sum(e[3] for e in head)
        seed = zlib.crc32(f"{key}:{kind_name}".encode())
        share = np.ones(0)
        if kind == 2 and "surname_parts" in cfg:  # native script: built from parts, spelled too
            stems = [(e[1], e[2]) for e in out if e[0] == 0 and e[3] > 0]
            parts = _csv_parts(data / cfg["surname_parts"])
            pairs = _surname_compounds([(e[1], e[2]) for e in head], stems, parts)
        elif kind != 2 and cfg.get("given_compounds"):
            pairs, share = _given_compounds(head)
        else:
            # A script romanized by rule learns from its own letters (Cyrillic: Ахметов),
            # so that made-up names get every system's spelling; others from documents.
            cyrillic = cfg["romanize"] == "cyrillic"
            made = _tail([e[1] if cyrillic else e[2][0] for e in head], TAIL_NAMES[kind], seed)
            pairs = [(n, _romanize(n, kind, key, cfg, rules)) for n in made]
        if len(share) != len(pairs):  # made-up names: each as rare as the next
            share = np.full(len(pairs), 1.0 / max(len(pairs), 1))
        tail_mass = tail_share / (1.0 - tail_share) * mass
        for (native, variants), w in zip(pairs, share, strict=True):
            female = (
                _russian_female(native) if kind == 2 and cfg["romanize"] == "cyrillic" else None
            )
            fem = (female, _romanize(female, kind, key, cfg, rules)) if female else None
            out.append((kind, native, variants, float(tail_mass * w), fem))
    return out


_RUSSIAN_MASCULINE = re.compile("(ов|ев|ёв|ин|ын)$")


def _russian_female(surname: str) -> str | None:
    """The female form of a Russian-style surname (Ахметов -> Ахметова); None if none."""
    return surname + "а" if _RUSSIAN_MASCULINE.search(surname) else None


def _given_compounds(head: list) -> tuple[list[tuple[str, list[str]]], np.ndarray]:
    """Compound given names (Persian: محمدرضا MOHAMMADREZA, امیرحسین AMIRHOSSEIN): every
    ordered pair of two different listed names, in both scripts, written joined and spaced,
    each pair as common as its two names are; (pairs, their shares of the compound mass)."""
    pairs, weights = [], []
    known = {e[1] for e in head}
    for (_, a, a_spell, a_w, _), (_, b, b_spell, b_w, _) in itertools.permutations(head, 2):
        if a + b in known:  # already a listed name of its own
            continue
        joined = [x + y for x in a_spell[:2] for y in b_spell[:2]]
        spaced = [f"{x} {y}" for x in a_spell[:1] for y in b_spell[:1]]
        pairs.append((a + b, romanize.dedupe(joined[:1] + spaced + joined[1:])))
        weights.append(a_w * b_w)
    w = np.asarray(weights)
    return pairs, w / w.sum() if len(w) else w


def _csv_parts(path: Path) -> dict[str, list[tuple[str, list[str]]]]:
    """Surname parts by role (prefix, suffix, place): native form and its spellings."""
    parts: dict[str, list[tuple[str, list[str]]]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            parts.setdefault(row["part"], []).append((row["native"], row["variants"].split("|")))
    return parts


def _surname_compounds(
    surnames: list[tuple[str, list[str]]],
    given: list[tuple[str, list[str]]],
    parts: dict[str, list[tuple[str, list[str]]]],
) -> list[tuple[str, list[str]]]:
    """Surnames as Persian and Arabic build them, in both scripts: a name and a suffix
    (ALIZADEH, HOSSEINPOUR, KARIMIAN; with the article, AL-HASSANI), a name after a prefix
    (ABU HASSAN), a prefix and a surname (MIRMOHAMMADI, POURMOHAMMADI), a place or tribe
    (TABRIZI, AL-OTAIBI). Stems are the given names and the surnames that are a name plus -i (KARIMI
    -> KARIM). Spellings: the first three of the stem's times the first two of the part's."""
    stems = list(given)
    for native, spell in surnames:  # dozens of table surnames
        if (
            native.endswith("ی")
            and not native.endswith("یی")
            and all(v.endswith("I") for v in spell)
        ):
            stems.append((native[:-1], [v[:-1] for v in spell]))
    known = {native for native, _ in surnames}
    out: dict[str, list[str]] = {}

    def add(native: str, spellings: list[str]) -> None:
        if native not in known and native not in out:
            out[native] = romanize.dedupe(spellings)

    for s_native, s_spell in stems:  # stems x parts: hundreds of surnames, built once
        for p_native, p_spell in parts.get("suffix", []):
            if p_native == "ي" and s_spell[0][-1] in "AEIOUY":
                continue  # an Arabic nisba needs a consonant before it (not MUSTAFAI)
            add(s_native + p_native, [a + b for a in s_spell[:3] for b in p_spell[:2]])
            # Arabic nisba: the article before name + -i (الحسني AL-HASSANI, EL-HASSANI).
            for a_native, a_spell in parts.get("article", []):
                joined = [a + b + c for a in a_spell[:3] for b in s_spell[:2] for c in p_spell[:1]]
                add(a_native + s_native + p_native, joined)
        # A name before the stem (أبو حسن ABU HASSAN, بن خالد BIN KHALED), or nothing: the
        # grandfather's name as the family name, as Egyptian and Iraqi documents carry it.
        for p_native, p_spell in parts.get("name_prefix", []):
            add(p_native + s_native, [a + b for a in p_spell[:2] for b in s_spell[:3]])
    for p_native, p_spell in parts.get("prefix", []):
        for s_native, s_spell in surnames:
            add(p_native + s_native, [a + b for a in p_spell[:2] for b in s_spell[:2]])
    for native, spell in parts.get("place", []):
        add(native, spell)
    return list(out.items())


# Made-up rare names per origin and kind: enough that the tail's draws in a national day
# (~12,000 per origin) rarely repeat, as names with under 100 bearers do not.
TAIL_NAMES = {0: 10_000, 1: 10_000, 2: 60_000}
ORDER = 3


def _tail(names: list[str], n: int, seed: int) -> list[str]:
    """Up to `n` new names from an order-3 character model of `names` (one count per name,
    so the model learns how this culture builds names, not which are common), then from
    compounds where the model runs dry (a small table); none of them in `names`. Any
    script: the alphabet is the names' own letters (A-Z, Cyrillic ...).
    Vectorized: counting over one code-point buffer, generating one letter a step."""
    pad = " " * ORDER
    words = [w for w in names if w.isalpha()]
    if not words:
        return []
    text = "".join(pad + w + " " for w in words)
    letters_of = np.array([ord(c) for c in sorted(set(text))], dtype=np.uint32)
    k = len(letters_of)  # letters_of[0] is " ": it marks the start and the end of a name
    points = np.frombuffer(text.encode("utf-32-le"), np.uint32)
    codes = np.searchsorted(letters_of, points)
    grams = np.lib.stride_tricks.sliding_window_view(codes, ORDER + 1)
    ctx = np.ravel_multi_index(grams[:, :ORDER].T, (k,) * ORDER)
    counts = np.zeros((k**ORDER, k))
    np.add.at(counts, (ctx, grams[:, ORDER]), 1.0)
    counts[0, 0] = 0.0  # the gap between two names is not an empty name
    cdf = np.cumsum(counts, axis=1)
    rng = np.random.default_rng(seed)
    known = set(names)
    made: list[str] = []
    width = 16
    for _ in range(8):  # rounds of rejection (duplicates, known names, odd lengths): a few
        m = 2 * (n - len(made))
        state = np.zeros((m, ORDER), dtype=np.int64)
        letters = np.zeros((m, width), dtype=np.int64)
        alive = np.ones(m, dtype=bool)
        for step in range(width):
            c = np.ravel_multi_index(state.T, (k,) * ORDER)
            u = rng.random(m) * cdf[c, -1]
            nxt = np.where(alive, (cdf[c] <= u[:, None]).sum(axis=1), 0)
            letters[:, step] = nxt
            alive &= nxt != 0
            state = np.column_stack([state[:, 1:], nxt])
        done = np.ascontiguousarray(letters_of[letters[~alive]])
        cand = np.char.strip(done.view(f"U{width}").ravel())
        size = np.char.str_len(cand)
        before = len(made)
        for w in dict.fromkeys(cand[(size >= 3) & (size <= 14)].tolist()):
            if w not in known:
                known.add(w)
                made.append(w)
        if len(made) >= n or len(made) - before < n // 20:
            break  # done, or the model has little new left to say (a small table)
    if len(made) < n:
        made += _compounds(words, n - len(made), known, rng)
    return made[:n]


_CLUSTER = re.compile("[^AEIOUYАЕЁИОУЫЭЮЯ]{3}", re.IGNORECASE)


def _compounds(words: list[str], n: int, known: set[str], rng: np.random.Generator) -> list[str]:
    """New names from the start of one name and the end of another (AK + TUERK, KARA +
    OGLU): how surnames are built where a small table is all there is (Turkish). Each name
    is cut after its second to fourth letter."""
    starts = sorted({w[:k] for w in words for k in (2, 3, 4) if len(w) > k + 1})
    ends = sorted({w[k:] for w in words for k in (2, 3, 4) if len(w) > k + 1})
    if not starts or not ends:
        return []
    a = np.array(starts, dtype=object)[rng.integers(0, len(starts), 4 * n)]
    b = np.array(ends, dtype=object)[rng.integers(0, len(ends), 4 * n)]
    out = []
    for w in dict.fromkeys((a + b).tolist()):  # candidate strings, not travellers
        # Three consonants in a row do not make a name one could say (TARHNGIN).
        if 4 <= len(w) <= 14 and w not in known and not _CLUSTER.search(w):
            known.add(w)
            out.append(w)
            if len(out) >= n:
                break
    return out


def _census_lists(data: Path, group: str) -> dict[int, tuple[list[str], list[float], None]]:
    """US Census surname and first-name counts of one group (synthetic/names/us_census/),
    most frequent first (ties by name, so that the order is the same on every machine)."""
    import polars as pl

    folder = data / "names" / "us_census"
    out: dict[int, tuple[list[str], list[float], None]] = {}
    for kind, (file, col) in enumerate(
        (
            ("given_names.csv.gz", f"{group}_male"),
            ("given_names.csv.gz", f"{group}_female"),
            ("surnames.csv.gz", group),
        )
    ):
        table = (
            pl.read_csv(folder / file, columns=["name", col])
            .filter(pl.col(col) > 0)
            .sort([col, "name"], descending=[True, False])
        )
        out[kind] = (table["name"].to_list(), table[col].cast(pl.Float64).to_list(), None)
    return out


def _romanize(native: str, kind: int, key: str, cfg: dict, rules: romanize.Rules) -> list[str]:
    method = cfg["romanize"]
    if method == "cyrillic":
        return romanize.cyrillic(native, cfg["systems"], rules)
    if method == "pinyin":
        return romanize.pinyin(native, kind == 2, rules)
    if method == "hangul":
        return romanize.hangul(native, rules)
    return romanize.latin(native, key, rules)


def _csv_lists(path: Path) -> tuple[dict[int, tuple], dict[str, list]]:
    """Names per kind from one of our CSVs (with their `weight` where the CSV has one, else
    ranked by order), and the romanizations the CSV spells out."""
    kinds = (*KINDS, *MIDDLE_KINDS)
    names: dict[int, list[str]] = {k: [] for k in range(len(kinds))}
    weights: dict[int, list[float]] = {k: [] for k in range(len(kinds))}
    female: list[str] = []
    variants: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            kind = kinds.index(row["kind"])
            names[kind].append(row["native"])
            if row.get("weight"):
                weights[kind].append(float(row["weight"]))
            if kind == 2:  # a `female` column gives the surname's female form (-ов -> -ова)
                female.append(row.get("female") or row["native"])
            if row["variants"]:  # else romanized by the origin's rule
                variants[row["native"]] = row["variants"].split("|")
    ranked = {
        k: weights[k] if len(weights[k]) == len(names[k]) > 0 else _zipf(len(names[k]))
        for k in names
    }
    lists = {
        k: (names[k], ranked[k] if weights[k] else None, female if k == 2 and female else None)
        for k in range(3)
    }
    for k, middle in enumerate(range(3, len(kinds))):
        if names[middle]:  # Vietnamese: every middle name (VĂN, THỊ) with every given name
            pairs = itertools.product(
                zip(names[middle], ranked[middle], strict=True),
                zip(names[k], ranked[k], strict=True),
            )
            crossed = [(f"{m} {g}", mw * gw) for (m, mw), (g, gw) in pairs]
            lists[k] = ([c for c, _ in crossed], [w for _, w in crossed], None)
    return lists, variants


def _zipf(n: int) -> list[float]:
    return (1.0 / np.arange(1, n + 1)).tolist()


def _faker_lists(locale: str) -> dict[int, tuple[list[str], list[float] | None, list[str] | None]]:
    """Faker's raw name tables for a locale (frequency weights where Faker has them)."""
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider

    def names_weights(attr: str) -> tuple[list[str], list[float] | None]:
        v = getattr(provider, attr)
        if isinstance(v, dict):
            items = sorted(v.items(), key=lambda kv: -kv[1])
            return [k for k, _ in items], [float(x) for _, x in items]
        names = list(dict.fromkeys(v))
        if _mostly_sorted(names):
            # An alphabetical table says nothing about frequency: give it a fixed,
            # locale-specific rank order instead of making A-names the most common.
            order = np.random.default_rng(zlib.crc32(f"{locale}:{attr}".encode())).permutation(
                len(names)
            )
            names = [names[i] for i in order]
        return names, None

    male = getattr(provider, "last_names_male", None)
    female = getattr(provider, "last_names_female", None)
    if male is not None and female is not None and len(male) == len(female) and male != female:
        surnames, weights = list(male), None
        female_forms: list[str] | None = list(female)
        if _mostly_sorted(surnames):
            order = np.random.default_rng(zlib.crc32(locale.encode())).permutation(len(male))
            surnames = [surnames[i] for i in order]
            female_forms = [female_forms[i] for i in order]
    else:
        surnames, weights = names_weights("last_names")
        female_forms = None
    return {
        0: (*names_weights("first_names_male"), None),
        1: (*names_weights("first_names_female"), None),
        2: (surnames, weights, female_forms),
    }


def _mostly_sorted(names: list[str]) -> bool:
    pairs = list(itertools.pairwise(names))
    return bool(pairs) and sum(a <= b for a, b in pairs) > 0.9 * len(pairs)


def _syllable_given(
    names: list[str],
    weights: list[float] | None,
    s: float,
    pairing: float = 1.0,
    skip: Collection[str] = (),
) -> tuple[list[str], list[float]]:
    """Two-syllable given names (Korean): the listed names, plus every pairing of a first
    syllable with a second one seen in them, each weighing `pairing` times the average
    listed name (weighting pairings by how often their syllables are used made the pairings
    of the commonest syllables the commonest names of all). Names in `skip` are left out
    (another source counts them)."""
    w = np.asarray(weights) if weights is not None else 1.0 / (np.arange(len(names)) + 1.0) ** s
    first = {name[0] for name in names if len(name) == 2}
    second = {name[1] for name in names if len(name) == 2}
    out = dict(zip(names, w.tolist(), strict=True))
    each = pairing * float(w.mean())
    for a, b in itertools.product(sorted(first), sorted(second)):
        if a != b and a + b not in out:
            out[a + b] = each
    kept = [n for n in out if n not in skip]
    return kept, [out[n] for n in kept]


def _chinese_given(chars: list[str], s: float) -> tuple[list[str], list[float]]:
    """Chinese given names: Faker's single characters plus two-character combinations."""
    top = chars[:24]
    names = list(chars)
    weights = [0.3 / (r + 1.0) ** s for r in range(len(chars))]
    for (r1, a), (r2, b) in itertools.product(enumerate(top), enumerate(top)):
        if a != b:
            names.append(a + b)
            weights.append(1.0 / ((r1 + 1.0) * (r2 + 1.0)) ** s)
    return names, weights


def _lay_out(origins: tuple[Origin, ...], rows: list) -> NameTable:
    """Flatten entries into arrays; dedupe by (origin, kind, document form)."""
    native, origin, kind, weight, var_lists, female_of = [], [], [], [], [], []
    index: dict[tuple[int, int, str], int] = {}
    for o, k, nat, variants, w, fem in rows:
        if not variants:
            continue
        key = (o, k, variants[0])
        if key in index:
            weight[index[key]] += w
            continue
        index[key] = len(native)
        native.append(nat)
        origin.append(o)
        kind.append(k)
        weight.append(w)
        var_lists.append(variants)
        female_of.append(fem)
    n = len(native)
    female_form = np.arange(n, dtype=np.int32)
    # Female surname forms are extra ids that are never sampled directly.
    for i, fem in enumerate(female_of):
        if fem is not None and fem[1]:
            female_form[i] = len(native)
            native.append(fem[0])
            origin.append(origin[i])
            kind.append(2)
            weight.append(0.0)
            var_lists.append(fem[1])
    female_form = np.concatenate([female_form, np.arange(n, len(native), dtype=np.int32)])
    counts = np.array([len(v) for v in var_lists], dtype=np.int32)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    flat = np.empty(int(counts.sum()), dtype=object)
    flat[:] = [v for vs in var_lists for v in vs]
    origin_a = np.asarray(origin, dtype=np.int16)
    kind_a = np.asarray(kind, dtype=np.int8)
    weight_a = np.asarray(weight)
    pools = {}
    for o in range(len(origins)):
        for k in range(len(KINDS)):
            ids = np.flatnonzero((origin_a == o) & (kind_a == k) & (weight_a > 0)).astype(np.int32)
            if len(ids) == 0:
                raise ValueError(f"origin {origins[o].key!r} has no {KINDS[k]} names")
            pools[(o, k)] = (ids, np.cumsum(weight_a[ids]))
    nat = np.empty(len(native), dtype=object)
    nat[:] = native
    return NameTable(
        origins=origins,
        origin=origin_a,
        kind=kind_a,
        native=nat,
        var_start=starts,
        var_count=counts,
        doc_count=counts,
        variants=flat,
        female_form=female_form,
        pools=pools,
    )
