"""How crowded the screened population is around a list name, and the cap it puts on what
a name says."""

from dataclasses import replace

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from screening.data import lists
from screening.linkage.density import name_density
from screening.linkage.index import build_index
from screening.linkage.population import population_stats
from screening.linkage.screen import learned, pair_evidence, screen
from screening.linkage.settings import Settings
from tests.conftest import alert_rows


def test_sightings_count_travellers_at_least_as_close_and_cap_at_the_sample_over_them():
    # List name 7: travellers 0-3 at 0.95, 0.9, 0.9, 0.8 (traveller 0 twice, best kept);
    # list name 9: one traveller.
    density = name_density(
        passenger_row=np.array([0, 0, 1, 2, 3, 4]),
        name_code=np.array([7, 7, 7, 7, 7, 9]),
        similarity=np.array([0.7, 0.95, 0.9, 0.9, 0.8, 1.0]),
        sampled=99,
        min_sightings=3,
    )
    codes = np.array([7, 7, 7, 7, 9, 5])
    sims = np.array([0.96, 0.9, 0.85, 0.5, 1.0, 0.9])
    assert density.sightings(codes, sims).tolist() == [0, 3, 3, 4, 1, 0]
    cap = density.bits_cap(codes, sims)
    assert np.isinf(cap[[0, 4, 5]]).all()  # fewer than three sightings say nothing
    assert np.allclose(cap[[1, 2, 3]], np.log2(100 / np.array([3, 3, 4])))
    assert density.summary() == {
        "sampled": 99,
        "pairs": 5,
        "list_names_near": 2,
        "list_names_crowded": 1,
        "min_sightings": 3,
    }


@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 3), st.floats(0, 1)), max_size=60),
    st.floats(0, 1),
    st.floats(0, 1),
    st.integers(0, 3),
)
def test_a_closer_name_is_never_capped_lower(pairs, a, b, code):
    """Fewer travellers come closer to a list name than a lesser similarity's: the cap
    never falls as the similarity rises."""
    p, c, s = (np.array(x) for x in zip(*pairs, strict=True)) if pairs else ([], [], [])
    density = name_density(np.asarray(p), np.asarray(c), np.asarray(s, float), 1_000, 3)
    lo, hi = min(a, b), max(a, b)
    caps = density.bits_cap(np.array([code, code]), np.array([lo, hi]))
    assert caps[0] <= caps[1]


def test_crowded_list_names_lose_bits_and_the_waterfall_says_so(research):
    """With the density on, a pair's name evidence is the lesser of what its tokens say
    and log2(sample / sightings); the alert scores are those the waterfall shows."""
    rows = lists.from_generated(research["watchlist"], research["watchlist_names"])
    # Rival identities off: this is the density's own effect (tests/test_rivals.py).
    cfg = Settings()
    cfg = replace(cfg, scoring=replace(cfg.scoring, rival_identities=False))
    index = build_index(rows, cfg)
    off = replace(
        index, config=replace(cfg, estimation=replace(cfg.estimation, name_density=False))
    )
    passengers = research["passengers"]
    population = learned(index, population_stats(passengers))
    density = population.density
    assert density is not None and density.sampled == passengers.height
    assert learned(off, population_stats(passengers)).density is None

    alerts = screen(index, passengers, threshold=0.3).alerts
    assert alerts.height > 100
    pi, li = alert_rows(index, passengers, alerts)
    on_ev, off_ev = pair_evidence(index, passengers, pi, li), pair_evidence(off, passengers, pi, li)
    assert np.allclose(on_ev["score"].to_numpy(), alerts["score"].to_numpy())

    cap = density.bits_cap(index.name_code[li], alerts["name_score"].to_numpy())
    on, before = on_ev["name"].to_numpy(), off_ev["name"].to_numpy()
    assert np.allclose(on, np.minimum(before, cap))
    lowered = on < before - 1e-9
    assert lowered.any() and (~lowered).any()
    # Only the name changed.
    others = [c for c in on_ev.columns if c not in ("name", "total", "score")]
    assert on_ev.select(others).equals(off_ev.select(others))


def test_the_density_is_counted_on_the_sample_whatever_the_row_order(research):
    """The same travellers in another order give the same density (the sample is chosen by
    record); a smaller sample counts a subset of the same sightings."""
    rows = lists.from_generated(research["watchlist"], research["watchlist_names"])
    index = build_index(rows)
    passengers = research["passengers"]
    a = learned(index, population_stats(passengers)).density
    shuffled = passengers.sample(fraction=1.0, shuffle=True, seed=3)
    b = learned(index, population_stats(shuffled)).density
    assert np.array_equal(a.keys, b.keys)  # the sample is chosen by record, not by row
    small = learned(index, population_stats(passengers, sample_size=5_000)).density
    assert small.sampled == 5_000 and len(small.keys) < len(a.keys)
    assert pl.Series(small.keys).is_in(pl.Series(a.keys).implode()).all()
