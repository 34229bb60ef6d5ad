"""Native-script names to their Latin document form and its romanization variants.

Generic transliterators drop what a script does not write (anyascii turns محمد into
MHMD), so every rule here is data in `synthetic/translit/` or `synthetic/names/`: Cyrillic
systems, Pinyin→Wade-Giles, Cantonese surnames, Doc 9303 Latin folding and per-culture
alternatives. Each function returns the document form first, then the other variants.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Rules:
    """All romanization tables, loaded once per generation."""

    cyrillic: dict[str, dict[str, tuple[dict[int, str], dict[str, str]]]]  # translate, initial
    cyrillic_post: tuple[tuple[re.Pattern[str], str], ...]
    wg_initials: dict[str, str]
    wg_finals: dict[str, str]
    wg_syllables: dict[str, str]
    cantonese: dict[str, tuple[str, ...]]
    latin_doc: dict[str, str]
    latin_alt: dict[str, dict[str, tuple[str, ...]]]
    latin_respell: dict[str, tuple[tuple[re.Pattern[str], str], ...]]  # per origin
    equivalents: dict[str, tuple[str, ...]]
    hangul: dict[str, tuple[str, ...]]  # jamo tables: rr_/mr_initial, rr_/mr_medial, final


def load_rules(data: Path) -> Rules:
    """Read every romanization table under `data` (the `synthetic/` folder)."""
    cyr = tomllib.loads((data / "translit" / "cyrillic.toml").read_text(encoding="utf-8"))
    systems = {}
    for name, spec in cyr["systems"].items():
        table = dict(cyr["base"]) | spec.get("map", {})
        systems[name] = (str.maketrans(table), dict(spec.get("initial", {})))
    post = tuple((re.compile(p["pattern"]), p["replacement"]) for p in cyr.get("post", []))
    wg = tomllib.loads((data / "translit" / "pinyin_wade_giles.toml").read_text(encoding="utf-8"))
    lat = tomllib.loads((data / "translit" / "latin.toml").read_text(encoding="utf-8"))
    alt = {o: {k: tuple(v) for k, v in m.items()} for o, m in lat.get("alt", {}).items()}
    respell = {
        o: tuple((re.compile(p), r) for p, r in pairs)
        for o, pairs in lat.get("respell", {}).items()
    }
    return Rules(
        cyrillic={"systems": systems},
        cyrillic_post=post,
        wg_initials=wg["initials"],
        wg_finals=wg["finals"],
        wg_syllables=wg["syllables"],
        cantonese=_read_pairs(data / "names" / "cantonese_surnames.csv"),
        latin_doc=lat["doc"],
        latin_alt=alt,
        latin_respell=respell,
        equivalents=_read_equivalents(data / "names" / "latin_equivalents.csv"),
        hangul={
            k: tuple(v)
            for k, v in tomllib.loads(
                (data / "translit" / "hangul.toml").read_text(encoding="utf-8")
            ).items()
        },
    )


def _read_pairs(path: Path) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    for ln in lines[1:]:
        key, variants = ln.split(",", 1)
        out[key] = tuple(variants.split("|"))
    return out


def _read_equivalents(path: Path) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for ln in path.read_text(encoding="utf-8").splitlines():
        if ln and not ln.startswith("#"):
            group = tuple(ln.strip().split("|"))
            for name in group:
                out.setdefault(name, group)
    return out


def dedupe(names: list[str]) -> list[str]:
    """Drop empty and repeated spellings, keeping first-seen order."""
    seen: dict[str, None] = {}
    for n in names:
        n = _SPACES.sub(" ", n).strip(" -")
        if n:
            seen.setdefault(n, None)
    return list(seen)


_WORD_START = re.compile(r"(?:^|(?<=[ -]))\w")


def _initial(initial: dict[str, str], m: re.Match[str]) -> str:
    return initial[m[0]].lower() if m[0] in initial else m[0]


def cyrillic(native: str, systems: list[str], rules: Rules) -> list[str]:
    """Romanize a Cyrillic name with each system in turn, then conventional respellings."""
    out = []
    upper = native.upper()
    for system in systems:
        table, initial = rules.cyrillic["systems"][system]
        # A word's first letter may have its own rendering (BGN: Е -> YE at the start);
        # written in lower case so that the table leaves it alone.
        word = upper
        if initial:
            word = _WORD_START.sub(functools.partial(_initial, initial), upper)
        out.append(word.translate(table).upper())
    for pattern, repl in rules.cyrillic_post:
        out += [pattern.sub(repl, v) for v in out if pattern.search(v)]
    return dedupe([latin_fold(v, rules) for v in out])


def wade_giles(syllable: str, rules: Rules) -> str:
    """One Pinyin syllable (lower case, `v` for ü) in Wade-Giles without diacritics."""
    if syllable in rules.wg_syllables:
        return rules.wg_syllables[syllable]
    for n in (2, 1):
        ini = syllable[:n]
        if ini in rules.wg_initials and len(syllable) > n:
            final = syllable[n:]
            return rules.wg_initials[ini] + rules.wg_finals.get(final, final.upper())
    return rules.wg_finals.get(syllable, syllable.upper())


def pinyin(hanzi: str, is_surname: bool, rules: Rules) -> list[str]:
    """Chinese name: Pinyin document form, spaced Pinyin, Wade-Giles, Cantonese."""
    # Imported here: its phrase tables cost every process that imports the generator
    # (each Dask worker, every CLI command) 0.2 s, and only Chinese names need them.
    from pypinyin import Style, lazy_pinyin

    syl = [s for s in lazy_pinyin(hanzi, style=Style.NORMAL) if s.isalpha()]
    doc = "".join(s.replace("v", "yu") for s in syl).upper()
    out = [doc, "".join(syl).upper()]
    wg = [wade_giles(s, rules) for s in syl]
    if is_surname:
        out += ["".join(wg)]
        out += list(rules.cantonese.get(hanzi, ()))
    else:
        if len(syl) > 1:
            out += [" ".join(s.replace("v", "yu") for s in syl).upper(), "-".join(wg)]
        out += ["".join(wg)]
    return dedupe(out)


_NOT_DOC = re.compile(r"[^A-Z' -]")
_SPACES = re.compile(r"\s+")


def latin_fold(name: str, rules: Rules, alt: dict[str, str] | None = None) -> str:
    """Upper-case Latin document form: Doc 9303 letters, other diacritics stripped."""
    if name.isascii():  # every table key is a non-ASCII letter: nothing to look up
        up = name.upper()
        return up if up.isalpha() else _NOT_DOC.sub("", up)
    out = []
    for ch in name.upper():
        if alt and ch in alt:
            out.append(alt[ch])
        elif ch in rules.latin_doc:
            out.append(rules.latin_doc[ch])
        else:
            base = unicodedata.normalize("NFKD", ch)
            out.append("".join(c for c in base if not unicodedata.combining(c)))
    return _NOT_DOC.sub("", "".join(out))


def latin(native: str, origin: str, rules: Rules) -> list[str]:
    """A Latin-script name: its Doc 9303 form, culture-specific alternatives and
    respellings, then equivalents."""
    out = [latin_fold(native, rules)]
    plain = out[0].isalpha() and origin not in rules.latin_respell
    if plain and native.isascii() and out[0] not in rules.equivalents:
        return out  # one word, nothing to spell another way: most made-up tail names
    if not native.isascii():  # an ASCII name has no letter to spell another way
        alts = rules.latin_alt.get(origin, {})
        upper = native.upper()
        present = {ch: v for ch, v in alts.items() if ch in upper}
        for ch, options in present.items():
            out += [latin_fold(native, rules, {ch: o}) for o in options]
        if len(present) > 1:
            out.append(latin_fold(native, rules, {ch: v[0] for ch, v in present.items()}))
    # Respellings (French-style Maghreb ABDELKADER -> ABDULKADER): each alone, then all.
    respell = [(p, r) for p, r in rules.latin_respell.get(origin, ()) if p.search(out[0])]
    out += [p.sub(r, out[0]) for p, r in respell]
    if len(respell) > 1:
        every = out[0]
        for p, r in respell:
            every = p.sub(r, every)
        out.append(every)
    for v in list(out):
        out += list(rules.equivalents.get(v, ()))
    return dedupe(out)


def _hangul_syllable(ch: str, initial: tuple[str, ...], medial: tuple[str, ...], final) -> str:
    """One Hangul syllable in Latin letters (it decomposes arithmetically, Unicode 3.12)."""
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return ch
    i, m, f = code // 588, (code % 588) // 28, code % 28
    return (initial[i] + medial[m] + final[f]).replace("-", "")


def _popular(syllable: str) -> str:
    """The spelling many Koreans choose in English: eo as u, a final u as oo (HYUNWOO)."""
    s = syllable.replace("EO", "U")
    if s == "U":
        return "WOO"
    return s[:-1] + "OO" if s.endswith("U") else s


def hangul(native: str, rules: Rules) -> list[str]:
    """A Korean given name: Revised Romanization joined (the usual passport form), then
    hyphenated and spaced by syllable, McCune-Reischauer without diacritics, and the
    English-style spellings people choose (eo as u, u as oo)."""
    syllables = [c for c in native if "\uac00" <= c <= "\ud7a3"]
    if not syllables:
        return []
    h = rules.hangul
    rr = [
        _hangul_syllable(c, h["rr_initial"], h["rr_medial"], h["final"]).upper() for c in syllables
    ]
    mr = [
        _hangul_syllable(c, h["mr_initial"], h["mr_medial"], h["final"]).upper() for c in syllables
    ]
    out = ["".join(rr), "-".join(rr), " ".join(rr), "".join(mr), "".join(map(_popular, rr))]
    return dedupe(out)
