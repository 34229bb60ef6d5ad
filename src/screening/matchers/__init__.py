"""The matchers one can name on the command line: ours, the baselines, the peers whose
libraries are installed, or a researcher's own as `module:Class` (the protocol is
screening.linkage.matcher.Matcher)."""

from __future__ import annotations

import importlib
import importlib.util
import inspect

from screening.linkage.matcher import Matcher
from screening.linkage.settings import Settings


def registry() -> dict[str, type]:
    from screening.matchers.baselines import (
        BruteForceMatcher,
        ExactMatcher,
        GtasMatcher,
        OfacMatcher,
        SoundexMatcher,
    )
    from screening.matchers.default import DefaultMatcher
    from screening.privacy.match import (
        BalancedPrivateMatcher,
        PrivateMatcher,
        RecordLevelPrivateMatcher,
        SaltedPrivateMatcher,
        XorFoldedPrivateMatcher,
    )

    found = {
        m.name: m
        for m in (
            DefaultMatcher,
            ExactMatcher,
            SoundexMatcher,
            BruteForceMatcher,
            GtasMatcher,
            OfacMatcher,
            PrivateMatcher,
            SaltedPrivateMatcher,
            XorFoldedPrivateMatcher,
            BalancedPrivateMatcher,
            RecordLevelPrivateMatcher,
        )
    }
    return found | peers()


PEER_EXTRA = "pip install 'screening[peers]'"
# clkhash cannot share an environment with the peers extra (see privacy.clkhash_encoder).
CLKHASH_EXTRA = "pip install 'screening[clkhash]' in an environment without screening[peers]"


def peers() -> dict[str, type]:
    """Peer matchers whose libraries are installed (optional extra screening[peers])."""
    out: dict[str, type] = {}
    if importlib.util.find_spec("splink") is not None:
        from screening.matchers.splink_peer import SplinkMatcher

        out[SplinkMatcher.name] = SplinkMatcher
    if importlib.util.find_spec("nomenklatura") is not None:
        from screening.matchers.nomenklatura_peer import NOMENKLATURA

        out |= {m.name: m for m in NOMENKLATURA}
    if importlib.util.find_spec("clkhash") is not None:
        from screening.privacy.match import ClkhashPrivateMatcher

        out[ClkhashPrivateMatcher.name] = ClkhashPrivateMatcher
    return out


BENCH_MATCHERS = ("default", "exact", "soundex", "gtas", "ofac", "bruteforce")


def bench_matchers() -> tuple[str, ...]:
    """What `screening bench` runs unless told: ours, the baselines, and the Splink peer
    where it is installed, so that every benchmark has a generic linker beside ours."""
    return BENCH_MATCHERS + (("splink",) if importlib.util.find_spec("splink") else ())


# What to install for a matcher whose library is missing.
NEEDS = {
    name: PEER_EXTRA
    for name in ("splink", "nomenklatura-logic-v2", "nomenklatura-logic-v1", "nomenklatura-ofac")
} | {"private-clkhash": CLKHASH_EXTRA}


def get_matcher(spec: str, settings: Settings | None = None) -> Matcher:
    """A registered matcher by name, or `package.module:Class` for your own; `settings`
    (screening.linkage.settings) for a matcher whose model they describe."""
    cls = matcher_class(spec)
    if settings is None:
        return cls()
    if not takes_settings(cls):
        raise ValueError(f"--settings: matcher {spec!r} takes no settings (the default one does)")
    return cls(settings=settings)


def takes_settings(cls: type) -> bool:
    return "settings" in inspect.signature(cls).parameters


def matcher_class(spec: str) -> type:
    if ":" in spec:
        module, _, name = spec.partition(":")
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as exc:
            raise ValueError(f"--matcher {spec}: cannot load ({exc})") from exc
    known = registry()
    if spec in NEEDS and spec not in known:
        raise ValueError(f"matcher {spec!r} needs its library: {NEEDS[spec]}")
    if spec not in known:
        raise ValueError(f"unknown matcher {spec!r}; known: {', '.join(sorted(known))}")
    return known[spec]
