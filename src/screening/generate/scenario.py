"""Scenario files: a declarative, validated description of a synthetic travel world.

A scenario is a TOML file in `synthetic/`. Every key is optional (the defaults below are
documented in `synthetic/README.md`); unknown keys, negative rates and rates that cannot
be met are errors that name the file and the key, raised before anything is generated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from screening.paths import data_dir

CORRUPTIONS = (
    "translit",
    "typo",
    "phonetic",
    "swap",
    "drop_token",
    "add_token",
    "initial",
    "compound",
    "particle",
    "dob_swap",
    "dob_shift",
    "new_passport",
    "doc_lost_stolen",
    "doc_ocr",
)
ALIAS_KINDS = ("translit", "other_name", "partial", "reordered", "added_name")
DOB_FORMS = ("exact", "year", "approximate", "range", "unknown")


class ScenarioError(ValueError):
    """A scenario file that cannot be generated; the message names file and key."""


def _weights(**kw: float) -> dict[str, float]:
    return dict(kw)


@dataclass(frozen=True)
class Population:
    passengers: int = 2_000
    listed_identities: int = 200
    mated_share: float = 0.01
    namesake_share: float = 0.005
    family_share: float = 0.4
    family_size: tuple[float, ...] = (0.4, 0.3, 0.2, 0.1)
    mononym_share: float = 0.005
    name_zipf_exponent: float = 1.0
    origins: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Watchlist:
    """Defaults measured on the UN Security Council Consolidated List of 20 March 2020
    (709 individuals; synthetic/reference/watchlists.toml gives the figures and source)."""

    # Names per identity, 1 to 16 (16: sixteen or more; the UN list's longest has 40+).
    names_per_identity: tuple[float, ...] = (
        0.1016, 0.2341, 0.1425, 0.1241, 0.0592, 0.0733, 0.0423, 0.0395,
        0.0296, 0.0254, 0.0113, 0.0183, 0.0071, 0.0197, 0.0056, 0.0663,
    )  # fmt: skip
    # Name parts (words) of an identity's primary name, 1 to 7: UN 2020 0.7 %, 26.2 %,
    # 38.9 %, 18.6 %, 9.4 %, 4.5 %, 1.4 % (seven or more); listed people get more given names
    # toward it, as far as their origin's naming allows (a Korean keeps one given name).
    name_words: tuple[float, ...] = (0.007, 0.262, 0.389, 0.186, 0.094, 0.045, 0.014)
    # Low-quality (partial) aliases are 29.4 % of the UN list's names; with ~5.3 names per
    # identity that is a 0.36 share of the aliases, drawn as 0.30 because another
    # romanization falls back to a partial name where a name has one spelling only.
    # The mix of good-quality kinds is ours (lists do not say why an alias differs): other
    # romanizations, another given name, the parts in another order, one more name part.
    alias_kinds: dict[str, float] = field(
        default_factory=lambda: _weights(
            translit=0.27, other_name=0.14, partial=0.30, reordered=0.145, added_name=0.145
        )
    )
    # UN 2020: exact 51.5 %, one year 24.7 %, a range 18.1 % (circa or from-to), none 5.8 %.
    dob_forms: dict[str, float] = field(
        default_factory=lambda: _weights(
            exact=0.515, year=0.247, approximate=0.09, range=0.091, unknown=0.058
        )
    )
    # UN 2020: 2.7 % of individuals with two nationalities, 15.1 % with none listed.
    second_nationality: float = 0.032
    nationality_unknown: float = 0.151
    documents_known: float = 0.367  # UN 2020: a passport or ID number for 36.7 %
    contacts_known: float = 0.3
    un_designated_share: float = 0.1
    # Where listed people's names come from: the UN 2020 list's first nationalities mapped
    # to the nearest name origin (AFG, IRN -> persian; IRQ, EGY, SAU, YEM, KWT, JOR, QAT,
    # SYR, SOM and IDN, PHL -> arabic; TUN, DZA, LBY, MAR, MRT -> maghrebi (59 of 709);
    # PRK -> korean; PAK -> south_asian; MLI, GNB, RWA, CAF, SSD, UGA -> west_african; TJK ->
    # central_asian; ...), the 15 % unknown spread alike. No Vietnamese is on it.
    origins: dict[str, float] = field(
        default_factory=lambda: _weights(
            arabic=0.293, persian=0.185, korean=0.111, maghrebi=0.083, west_african=0.07,
            south_asian=0.03, russian=0.016, english=0.014, german=0.01, french=0.01,
            turkish=0.005, chinese=0.005, hispanic=0.005, ukrainian=0.003, central_asian=0.0014,
        )
    )  # fmt: skip


@dataclass(frozen=True)
class Corruptions:
    count: tuple[float, ...] = (0.2, 0.4, 0.3, 0.1)
    weights: dict[str, float] = field(
        default_factory=lambda: _weights(
            translit=4,
            typo=2,
            phonetic=1,
            swap=1,
            drop_token=1,
            add_token=1,
            initial=1,
            compound=1,
            particle=1,
            dob_swap=1,
            dob_shift=1,
            new_passport=1,
            doc_lost_stolen=0.5,
            doc_ocr=1,
        )
    )


@dataclass(frozen=True)
class Documents:
    lost_stolen_records: int = 2_000
    lost_stolen_share: float = 0.0001
    mrz_invalid_share: float = 0.0005


@dataclass(frozen=True)
class Bookings:
    party_size: tuple[float, ...] = (0.62, 0.2, 0.08, 0.06, 0.03, 0.01)
    connection_share: float = 0.2
    lead_days_mean: float = 21.0
    direct_share: float = 0.45
    agencies: int = 200
    payment_forms: dict[str, float] = field(
        default_factory=lambda: _weights(CC=0.7, CA=0.1, MS=0.1, IN=0.1)
    )
    pnr_name_variation: float = 0.08
    ssr_docs_share: float = 0.3
    passengers_per_flight: int = 150


@dataclass(frozen=True)
class Scenario:
    name: str = "unnamed"
    description: str = ""
    date: dt.date = dt.date(2026, 3, 1)
    population: Population = field(default_factory=Population)
    watchlist: Watchlist = field(default_factory=Watchlist)
    corruptions: Corruptions = field(default_factory=Corruptions)
    documents: Documents = field(default_factory=Documents)
    bookings: Bookings = field(default_factory=Bookings)

    def to_dict(self) -> dict[str, typing.Any]:
        """Plain JSON-ready form (dates as ISO strings)."""
        d = dataclasses.asdict(self)
        d["date"] = self.date.isoformat()
        return d


def scenario_path(name_or_path: str | Path) -> Path:
    """Resolve a built-in scenario name (`standard`) or a path to a TOML file."""
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        return p
    candidate = data_dir() / f"{name_or_path}.toml"
    if not candidate.exists():
        known = ", ".join(builtin_scenarios())
        raise ScenarioError(f"unknown scenario {name_or_path!r}; built-in: {known}")
    return candidate


def builtin_scenarios() -> list[str]:
    return sorted(p.stem for p in data_dir().glob("*.toml") if p.stem != "origins")


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Read, validate and return a scenario; raise ScenarioError naming file and key."""
    path = scenario_path(name_or_path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read scenario: {exc}") from exc
    raw.setdefault("name", path.stem)
    scenario = _build(Scenario, raw, path, "")
    _check(scenario, path)
    return scenario


def _build(cls: type, raw: typing.Any, path: Path, prefix: str) -> typing.Any:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: key {prefix.rstrip('.') or '<top>'}: expected a table")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in raw.items():
        where = f"{prefix}{key}"
        if key not in known:
            raise ScenarioError(
                f"{path}: unknown key {where!r}; allowed here: {', '.join(sorted(known))}"
            )
        kwargs[key] = _convert(hints[key], value, path, where)
    return cls(**kwargs)


def _convert(hint: typing.Any, value: typing.Any, path: Path, where: str) -> typing.Any:
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, path, where + ".")
    origin = typing.get_origin(hint)
    bad = ScenarioError(f"{path}: key {where!r}: expected {_describe(hint)}, got {value!r}")
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise bad
        return value
    if hint is dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        raise bad
    if origin is tuple:
        if not isinstance(value, list) or not value:
            raise bad
        return tuple(_convert(float, v, path, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise bad
        return {k: _convert(float, v, path, f"{where}.{k}") for k, v in value.items()}
    if isinstance(hint, types.UnionType):  # pragma: no cover - no unions in the schema yet
        raise bad
    raise bad


def _describe(hint: typing.Any) -> str:
    origin = typing.get_origin(hint)
    if origin is tuple:
        return "a list of numbers"
    if origin is dict:
        return "a table of numbers"
    if hint is dt.date:
        return "a date (YYYY-MM-DD)"
    return getattr(hint, "__name__", str(hint))


def _check(s: Scenario, path: Path) -> None:
    """Reject negative rates, shares over 1, unknown names and rates that cannot be met."""
    from screening.generate.names import known_origins

    def fail(key: str, msg: str) -> typing.NoReturn:
        raise ScenarioError(f"{path}: key {key!r}: {msg}")

    for section in ("population", "watchlist", "corruptions", "documents", "bookings"):
        obj = getattr(s, section)
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            key = f"{section}.{f.name}"
            values = (
                list(value.values())
                if isinstance(value, dict)
                else list(value)
                if isinstance(value, tuple)
                else [value]
            )
            for v in values:
                if isinstance(v, int | float) and v < 0:
                    fail(key, f"must not be negative (got {v})")
            if (
                f.name.endswith(("_share", "_known", "_variation"))
                or f.name in ("second_nationality",)
            ) and value > 1:
                fail(key, f"is a share and must be at most 1 (got {value})")
            if isinstance(value, tuple | dict) and value and sum(values) <= 0:
                fail(key, "weights must not all be zero")

    pop = s.population
    if pop.passengers < 1:
        fail("population.passengers", "must be at least 1")
    if pop.listed_identities < 1:
        fail("population.listed_identities", "must be at least 1")
    for key, mix in (
        ("population.origins", pop.origins),
        ("watchlist.origins", s.watchlist.origins),
    ):
        unknown = set(mix) - set(known_origins())
        if unknown:
            fail(key, f"unknown origin(s) {sorted(unknown)}; known: {', '.join(known_origins())}")
    people = pop.passengers / (1 + s.bookings.connection_share)
    mated = round(people * pop.mated_share)
    if mated > pop.listed_identities:
        fail(
            "population.mated_share",
            f"asks for {mated} travelling listed people but the list has only "
            f"{pop.listed_identities} identities",
        )
    expected_family = pop.mated_share * pop.family_share * _mean(pop.family_size)
    if pop.mated_share + pop.namesake_share + expected_family > 1:
        fail(
            "population",
            "mated, namesake and family shares add up to more than all travellers",
        )
    if len(s.corruptions.count) > 4:
        fail("corruptions.count", "at most 3 corruptions per passenger (4 probabilities)")
    if len(s.watchlist.names_per_identity) > 16:
        fail("watchlist.names_per_identity", "at most 16 names per identity (16 probabilities)")
    for key, mix, allowed in (
        ("corruptions.weights", s.corruptions.weights, CORRUPTIONS),
        ("watchlist.alias_kinds", s.watchlist.alias_kinds, ALIAS_KINDS),
        ("watchlist.dob_forms", s.watchlist.dob_forms, DOB_FORMS),
    ):
        unknown = set(mix) - set(allowed)
        if unknown:
            fail(key, f"unknown name(s) {sorted(unknown)}; allowed: {', '.join(allowed)}")
    if s.bookings.passengers_per_flight < 1:
        fail("bookings.passengers_per_flight", "must be at least 1")


def _mean(probs: tuple[float, ...]) -> float:
    total = sum(probs)
    return sum((i + 1) * p for i, p in enumerate(probs)) / total if total else 0.0
