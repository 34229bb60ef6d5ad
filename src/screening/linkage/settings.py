"""The matcher's model as data: one frozen settings object for blocking, comparisons,
scoring and alerts, written to and read from TOML (`screening describe-settings`,
`--settings FILE`), so that a researcher changes a weight without editing code.

Every number the core uses to decide lives here; the comments say where each comes from.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screening.linkage.levels import CONTACT_LEVELS, DOB_LEVELS, DOC_LEVELS

# The blocking rules, by the kind of key they make: the whole order-free name, a pair and
# a triple of token skeletons, one rare token skeleton, first initial + last skeleton, the document,
# and the full date of birth with a nationality (an alias that shares no name part:
# kunyas, other names on real lists).
BLOCKING_KEYS = ("exact", "pair", "triple", "tok", "ini", "doc", "born", "word", "inits")


@dataclass(frozen=True)
class BlockingConfig:
    keys: tuple[str, ...] = BLOCKING_KEYS  # the rules in use (drop one to see what it finds)
    max_block: int = 25  # list names per key, above which the key is refined by birth year
    max_block_token: int = 5  # the same for single-token keys, in listed identities
    # A single-token key's block counts listed identities, not names: the five or six
    # aliases of one identity sharing a rare surname made it "common" under a limit of 5
    # names, so a traveller giving only that surname (FNU) never met them. Multi-token
    # keys keep counting names (counted in identities they doubled a day's pairs).
    token_block_identities: bool = True
    min_token_skeleton: int = 2  # shorter skeletons (ALI -> L) only count inside pairs
    # `word` keys: a token as spelled, for tokens of at least `min_word` letters whose
    # skeleton is at most `max_word_skeleton` long. Chosen on development worlds: with
    # two-letter skeletons too FNIR fell a little more (0.0988 against 0.0997 at FPIR
    # 0.001, `standard` 11-14) for four times the extra pairs.
    min_word: int = 3
    max_word_skeleton: int = 1
    max_year_span: int = 12  # listed birth-year ranges wider than this are not refined
    max_block_refined: int = 10  # list names per (key, birth year) block ...
    # ... or listed identities: a (key, year) block of at most this many identities is
    # used whatever its number of names (0: names only). Chosen on development worlds
    # (`standard` 11-14, `balanced-list` 11; 5 and 10 measured too): 7 found as many
    # listed travellers as 10 with half the extra pairs.
    refined_block_identities: int = 7
    # A document number shorter than this says nothing (a placeholder, a typing stub).
    min_document_length: int = 5
    # Passenger keys above which polars' parallel hash join beats sorted numpy lookups (a
    # day's manifest against a flight: measured, not a model parameter).
    hash_join_from: int = 50_000


@dataclass(frozen=True)
class NameViews:
    """How much each view of two names counts when it, not the plain spelling, makes them
    alike: a view that forgives more (token set, initials) must not outrank a spelling."""

    compact: float = 0.99  # spaces and hyphens removed (ABDUL RAHMAN = ABDULRAHMAN)
    skeleton_base: float = 0.90  # same consonant skeleton: a transliteration
    skeleton_slope: float = 0.10  # ... plus this share of the spelling similarity
    token_set_base: float = 0.85  # one name's tokens inside the other's
    token_set_cover: float = 0.12  # ... plus this share of how much of the longer it covers
    initials: float = 0.95  # initials against the other's tokens
    identical: float = 0.999  # similarity from which two names count as the same


@dataclass(frozen=True)
class ComparisonConfig:
    prefilter: float = 0.55  # token-set similarity below which a pair is not compared further
    # A pair born the same day whose names reach the prefilter with their tokens in
    # skeleton order (a transliteration, tokens sorted apart by spelling) is compared.
    same_date_skeleton_order: bool = True
    # A traveller giving initials (HASSAN A K S) whose name, read against the list name's
    # initials form, reaches the prefilter is compared.
    initials_first_look: bool = True
    name_views: NameViews = field(default_factory=NameViews)
    # A full name seen this often in the screened population is scored by how often it is
    # seen, not by its tokens (families, double-barrelled names); one or two sightings are
    # a traveller on two legs.
    common_name_sightings: int = 3


def _default_weights() -> dict[str, dict[str, float]]:
    return {
        # log2 P(level | same person) / P(level | different people). Two strangers share a
        # birth date about 1 time in 18,000 (365 days x ~50 birth years), a birth year 1 in
        # 50; m comes from the generator's documented error rates (~85 % exact dates).
        "dob": {
            "missing": 0.0,
            "exact": 14.0,
            "swap": 9.0,
            "near": 9.0,
            "partial": 5.5,
            "partial_near": 1.0,
            "same_year": -1.0,
            "differs": -7.0,
        },
        "document": {"missing": 0.0, "exact": 16.0, "ocr": 13.0, "differs": -0.5},
        "nationality": {"agree": 1.5, "differs": -1.5, "missing": 0.0},
        "sex": {"agree": 0.3, "differs": -4.0, "missing": 0.0},
        # A booking contact the identity used: strangers almost never share one, but the
        # booker may be a relative, so it only confirms a name that already agrees.
        "contact": {"missing": 0.0, "none": 0.0, "phone": 8.0, "email": 8.0, "both": 10.0},
    }


# The levels each weight table must give, by table.
WEIGHT_LEVELS = {
    "dob": DOB_LEVELS,
    "document": DOC_LEVELS,
    "nationality": ("agree", "differs", "missing"),
    "sex": ("agree", "differs", "missing"),
    "contact": CONTACT_LEVELS,
}


@dataclass(frozen=True)
class ScoringConfig:
    # No cap by default: a token says what its counts in the list and the screened
    # population say, and their size bounds it (seen once among 300,000 tokens: 19 bits).
    # The former 14 (one in 16,000) made a surname seen once worth what a common given
    # name beside a near spelling of another is (section "Rare surnames, no cap").
    token_bits_cap: float = float("inf")
    name_bits_cap: float = 30.0
    extra_token_weight: float = 0.5  # share of the other tokens' bits that counts
    name_floor: float = 0.70  # similarity below which a name is no evidence of identity
    name_curve: float = 1.0  # how fast evidence grows from the floor to an exact name
    name_disagree_bits: float = -4.0
    # A name alike (from name_floor) to several listed identities loses log2 of their
    # number (screening.linkage.rivals): as likely any of them, it says less of which.
    rival_identities: bool = True
    contact_min_name: float = 0.85  # name similarity from which a shared contact counts
    midpoint_bits: float = 18.0  # total evidence at which the score is 0.5
    bits_per_doubling: float = 3.0  # logistic slope: odds double every 3 bits
    exact_floor: float = 0.9  # least score of an identical name with an identical DOB
    field_weights: dict[str, dict[str, float]] = field(default_factory=_default_weights)


@dataclass(frozen=True)
class EstimationConfig:
    """How the weights of DOB, document, nationality and sex are learned from the manifest
    at hand (screening.linkage.estimate); off: the hand-set field_weights are used."""

    enabled: bool = True
    # Passengers the estimate looks at, chosen by a hash of their record (the same sample
    # however the manifest is partitioned); enough for levels seen 1 time in 1,000.
    sample_passengers: int = 50_000
    random_pairs: int = 1_000_000  # strangers' agreement (u) is measured on this many
    prior_pairs: float = 20.0  # weight of the hand-set weights, in pseudo-candidates
    max_iterations: int = 200
    tolerance: float = 1e-7
    level_bits_cap: float = 16.0  # the most one level may say (see estimate._weights)
    # Below these sizes an estimate says more about chance than about the data: the
    # hand-set weights are used instead (a flight of 20 against a list of 5 names).
    min_random_pairs: int = 100_000
    min_training_pairs: int = 100
    # A single flight is too few travellers to learn from, and learning costs ~0.5 s: a
    # manifest smaller than this is scored with the hand-set weights, or with a day's
    # estimate passed in its Population (engines.partitions.learned).
    min_passengers: int = 2_000
    seed: int = 0  # draws the random pairs; any value, fixed so runs repeat
    # Name evidence learned too (estimate.estimate_names): by EM over the screening
    # candidates of this many sampled travellers, at these levels of name similarity (the
    # lower edges; the last is NameViews.identical, the first ScoringConfig.name_floor).
    # Levels are how the similarity is cut for counting, as Splink's comparison levels, not
    # weights: EM gives each its weight. Off: the hand-set curve (name_floor, name_curve).
    learn_names: bool = True
    name_sample_passengers: int = 20_000
    name_level_edges: tuple[float, ...] = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.999)
    # Every u free makes this EM slow (about a thousand iterations on `standard`); each is
    # a pass over a few thousand distinct patterns, so run it to convergence.
    name_max_iterations: int = 5_000
    # A pair's name evidence is capped by how many sampled travellers carry a name as close
    # to the same list name (screening.linkage.density): strangers' rate of such a name.
    # Off: the name's tokens alone say what it is worth.
    name_density: bool = True


@dataclass(frozen=True)
class AlertConfig:
    threshold: float = 0.5  # lowest score alerted
    top_k: int = 10  # identities kept per passenger, best first
    # Passengers screened at once: bounds the candidate pairs in memory (~10 a traveller,
    # ~100 bytes each while compared). Alerts are the same for any value.
    chunk_passengers: int = 200_000
    # Chunks screened at once, in threads: each holds its pairs (memory grows with it).
    chunk_threads: int = 2


@dataclass(frozen=True)
class Settings:
    """Everything the matching core decides with (the default matcher's model)."""

    blocking: BlockingConfig = field(default_factory=BlockingConfig)
    comparisons: ComparisonConfig = field(default_factory=ComparisonConfig)
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    estimation: EstimationConfig = field(default_factory=EstimationConfig)
    alerts: AlertConfig = field(default_factory=AlertConfig)


class SettingsError(ValueError):
    """A settings file that does not describe Settings (names the file and the key)."""


def to_toml(settings: Settings) -> str:
    """The settings as TOML: one table per section, weight tables as sub-tables."""
    out: list[str] = ["# screening settings (screening describe-settings; load with --settings)"]

    def table(name: str, obj: Any) -> None:
        scalars = {}
        nested = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if dataclasses.is_dataclass(value) or isinstance(value, dict):
                nested[f.name] = value
            else:
                scalars[f.name] = value
        out.append(f"\n[{name}]")
        out.extend(f"{k} = {_toml_value(v)}" for k, v in scalars.items())
        for k, v in nested.items():
            if isinstance(v, dict):
                for sub, levels in v.items():
                    out.append(f"\n[{name}.{k}.{sub}]")
                    out.extend(f'"{lv}" = {_toml_value(w)}' for lv, w in levels.items())
            else:
                table(f"{name}.{k}", v)

    for f in dataclasses.fields(settings):
        table(f.name, getattr(settings, f.name))
    return "\n".join(out) + "\n"


def _toml_value(v: Any) -> str:
    if isinstance(v, tuple | list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def load_settings(path: Path) -> Settings:
    """Settings from a TOML file; keys it leaves out keep their defaults. Unknown keys,
    wrong types and weight tables missing a level are errors naming the file and key."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read settings ({exc})") from exc
    return _build(Settings, data, str(path), "")


def _build(cls: type, data: Any, path: str, where: str) -> Any:
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: [{where}] must be a table")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(data) - set(fields)
    if unknown:
        known = ", ".join(fields)
        raise SettingsError(
            f"{path}: unknown key(s) {sorted(unknown)} in [{where or 'top level'}]; known: {known}"
        )
    default = cls()
    values = {}
    for name, value in data.items():
        key = f"{where}.{name}" if where else name
        current = getattr(default, name)
        if dataclasses.is_dataclass(current):
            values[name] = _build(type(current), value, path, key)
        elif name == "field_weights":
            values[name] = _weights(value, current, path, key)
        elif name == "keys":
            values[name] = _keys(value, path, key)
        elif name == "name_level_edges":
            values[name] = _edges(value, path, key)
        else:
            values[name] = _scalar(value, current, path, key)
    return cls(**values)


def _scalar(value: Any, current: Any, path: str, key: str) -> Any:
    if isinstance(current, bool) or isinstance(value, bool):
        if not isinstance(value, bool) or not isinstance(current, bool):
            raise SettingsError(f"{path}: {key} must be {type(current).__name__}, not {value!r}")
        return value
    if isinstance(current, int) and isinstance(value, int):
        return value
    if isinstance(current, float) and isinstance(value, int | float):
        return float(value)
    raise SettingsError(f"{path}: {key} must be {type(current).__name__}, not {value!r}")


def _edges(value: Any, path: str, key: str) -> tuple[float, ...]:
    ok = isinstance(value, list) and all(
        isinstance(x, int | float) and not isinstance(x, bool) for x in value
    )
    if not ok or len(value) < 2 or sorted(set(value)) != list(value) or not 0 < value[0] <= 1:
        raise SettingsError(
            f"{path}: {key} must be at least two increasing similarities in (0, 1], not {value!r}"
        )
    return tuple(float(x) for x in value)


def _keys(value: Any, path: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise SettingsError(f"{path}: {key} must be a list of key kinds")
    unknown = sorted(set(value) - set(BLOCKING_KEYS))
    if unknown or not value:
        raise SettingsError(
            f"{path}: {key}: unknown or no key kinds {unknown}; kinds: {', '.join(BLOCKING_KEYS)}"
        )
    return tuple(value)


def _weights(value: Any, current: dict, path: str, key: str) -> dict[str, dict[str, float]]:
    if not isinstance(value, dict):
        raise SettingsError(f"{path}: [{key}] must be a table of weight tables")
    out = {k: dict(v) for k, v in current.items()}
    for table, levels in value.items():
        if table not in WEIGHT_LEVELS:
            raise SettingsError(
                f"{path}: unknown weight table {key}.{table}; known: {', '.join(WEIGHT_LEVELS)}"
            )
        unknown = set(levels) - set(WEIGHT_LEVELS[table])
        if unknown:
            raise SettingsError(
                f"{path}: unknown level(s) {sorted(unknown)} in {key}.{table}; "
                f"levels: {', '.join(WEIGHT_LEVELS[table])}"
            )
        for level, w in levels.items():
            out[table][level] = _scalar(w, 0.0, path, f"{key}.{table}.{level}")
    return out
