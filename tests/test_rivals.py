"""A name as near several listed identities says less about which one it is."""

from dataclasses import replace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from screening.data import lists
from screening.linkage.index import build_index
from screening.linkage.rivals import Rivals, rival_bits
from screening.linkage.screen import pair_evidence, screen
from screening.linkage.settings import Settings
from tests.conftest import alert_rows


def test_rivals_count_identities_at_least_as_close_to_the_same_traveller():
    # Traveller 0: identity 5 by two names (0.9, 0.7: best kept), 6 at 0.85, 7 at 0.6;
    # traveller 1: identity 5 at 0.95.
    rivals = Rivals.of(
        passenger_row=np.array([0, 0, 0, 0, 1]),
        identity=np.array([5, 5, 6, 7, 5]),
        similarity=np.array([0.9, 0.7, 0.85, 0.6, 0.95]),
    )
    rows = np.array([0, 0, 0, 0, 1, 2])
    sims = np.array([0.9, 0.85, 0.6, 0.95, 0.95, 0.5])
    assert rivals.count(rows, sims).tolist() == [1, 2, 3, 1, 1, 1]
    lost = rival_bits(rivals, rows, sims, floor=0.7)
    # Below the first name level a name is no evidence to share: nothing lost.
    assert lost.tolist() == [0.0, 1.0, 0.0, 0.0, 0.0, 0.0]


def test_the_waterfall_shows_what_rivals_took(research):
    """Screening and the waterfall agree (the waterfall finds each traveller's rivals
    among all its candidates, whichever pairs it is asked about), and the rivals lower
    the name evidence only."""
    rows = lists.from_generated(research["watchlist"], research["watchlist_names"])
    index = build_index(rows)
    cfg = index.config
    off = replace(index, config=replace(cfg, scoring=replace(cfg.scoring, rival_identities=False)))
    passengers = research["passengers"]
    alerts = screen(index, passengers, threshold=0.3).alerts
    pi, li = alert_rows(index, passengers, alerts)
    on_ev = pair_evidence(index, passengers, pi, li)
    assert np.allclose(on_ev["score"].to_numpy(), alerts["score"].to_numpy())
    # Asked about fewer pairs, the waterfall still counts every rival.
    half = np.arange(0, len(pi), 2)
    assert np.allclose(
        pair_evidence(index, passengers, pi[half], li[half])["score"].to_numpy(),
        alerts["score"].to_numpy()[half],
    )
    off_ev = pair_evidence(off, passengers, pi, li)
    lost = off_ev["name"].to_numpy() - on_ev["name"].to_numpy()
    assert (lost >= -1e-9).all() and (lost > 1e-9).any()
    # What is lost is log2 of a whole number of identities.
    assert np.allclose(np.exp2(lost), np.rint(np.exp2(lost)))
    others = [c for c in on_ev.columns if c not in ("name", "total", "score")]
    assert on_ev.select(others).equals(off_ev.select(others))


def test_rivals_only_lower_scores(research):
    """Off, every alert scores at least what it scores on, some more."""
    rows = lists.from_generated(research["watchlist"], research["watchlist_names"])
    cfg = Settings()
    off = replace(cfg, scoring=replace(cfg.scoring, rival_identities=False))
    passengers = research["passengers"].head(5_000)
    key = ["passenger_id", "entry_id"]
    a = screen(build_index(rows, off), passengers, threshold=0.0, top_k=1_000).alerts
    b = screen(build_index(rows), passengers, threshold=0.0, top_k=1_000).alerts
    both = a.select(*key, off="score").join(b.select(*key, on="score"), on=key)
    assert both.height == b.height
    assert (both["off"] >= both["on"] - 1e-12).all() and (both["off"] > both["on"]).any()


@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 6), st.floats(0, 1)), min_size=1, max_size=40
    ),
    st.sampled_from([(0, 0), (10**13, 10**6)]),
)
def test_rivals_count_what_a_brute_force_counts(pairs, offsets):
    """Against a count by hand, with row numbers small (one sort of packed integers) and
    large enough to overflow that packing (sorted field by field)."""
    p, e, s = (np.array(x) for x in zip(*pairs, strict=True))
    offset, e_offset = offsets
    rivals = Rivals.of(p + offset, e + e_offset, s)
    step = np.rint(s * 10_000)
    for row, sim in zip(p, step, strict=True):
        best = {}
        for pp, ee, ss in zip(p, e, step, strict=True):
            if pp == row:
                best[ee] = max(best.get(ee, -1), ss)
        want = sum(v >= sim for v in best.values())
        assert rivals.count(np.array([row + offset]), np.array([sim / 10_000]))[0] == want
