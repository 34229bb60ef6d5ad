"""Our keyed Bloom filters against the reference implementation's (clkhash). Runs in the
clkhash environment (`make test-clkhash`; it cannot share one with the peers extra) and
skips elsewhere."""

import numpy as np
import polars as pl
import pytest

clkhash = pytest.importorskip("clkhash")

from clkhash.comparators import NgramComparison  # noqa: E402

from screening.data import lists  # noqa: E402
from screening.linkage.normalize import name_forms  # noqa: E402
from screening.matchers import get_matcher  # noqa: E402
from screening.privacy.encode import EncodingConfig, bloom, dice, encode, qgrams  # noqa: E402
from screening.privacy.match import ClkhashPrivateMatcher  # noqa: E402
from tests.test_private import LIST, SECRET, _passengers  # noqa: E402

CLK = EncodingConfig(hasher="clkhash")


def _names(world) -> pl.Series:
    """Name token lists of a world's travellers and listed names, one per distinct form."""
    rows = pl.concat(
        [
            name_forms(world["passengers"])["core"],
            name_forms(lists.from_generated(world["watchlist"], world["watchlist_names"]))["core"],
        ]
    )
    return rows.filter(rows.list.len() > 0).unique(maintain_order=True)


def test_clkhash_sees_the_bigrams_we_hash(teaching):
    names = _names(teaching).head(500)
    ours = (
        qgrams(names, 2).group_by("row").agg(pl.col("gram").str.replace_all("_", " ")).sort("row")
    )
    ngram = NgramComparison(2)
    for row, grams in zip(ours["row"], ours["gram"], strict=True):
        assert set(grams) == set(ngram.tokenize(" ".join(names[row]))), names[row]


def test_our_dice_agrees_with_clkhash_on_the_same_pairs(teaching):
    names = _names(teaching)
    rng = np.random.default_rng(5)
    a = rng.integers(0, len(names), 3000)
    # Half the pairs random (low Dice), half a name with its neighbour in sorted order
    # (often sharing a token: the range where thresholds sit).
    order = np.argsort(names.list.join(" ").to_numpy())
    rank = np.argsort(order)
    b = np.concatenate(
        [rng.integers(0, len(names), 1500), order[(rank[a[1500:]] + 1) % len(names)]]
    )
    ours = bloom(SECRET, "name", names, EncodingConfig())
    ref = bloom(SECRET, "name", names, CLK)
    d_ours, d_ref = dice(ours[a], ours[b]), dice(ref[a], ref[b])
    # The same bigram sets with the same number of bits each: Dice differs only where bit
    # collisions fall differently (two random hashings of ~220 bits in 1024 differ by
    # ~0.02 per pair), and not at all on average.
    diff = d_ours - d_ref
    print(
        f"mean |diff| {np.abs(diff).mean():.4f}, bias {diff.mean():+.4f},",
        f"max {np.abs(diff).max():.3f}",
    )
    for part in (slice(0, 1500), slice(1500, 3000)):  # random pairs, then neighbours
        assert abs(diff[part].mean()) < 0.005
    assert np.abs(diff).mean() < 0.03 and np.abs(diff).max() < 0.15
    assert np.corrcoef(d_ours, d_ref)[0, 1] > 0.98
    ones_ours = np.bitwise_count(ours).sum(axis=1)
    ones_ref = np.bitwise_count(ref).sum(axis=1)
    assert abs(ones_ours.mean() - ones_ref.mean()) < 0.02 * ones_ours.mean()


def test_clkhash_filters_are_keyed_and_deterministic():
    one = encode(SECRET, LIST, CLK, listed=True)
    again = encode(SECRET, LIST, CLK, listed=True)
    other = encode(b"another secret, also 32 bytes..", LIST, CLK, listed=True)
    assert one.equals(again)
    assert not np.array_equal(one["name_clk"].to_numpy(), other["name_clk"].to_numpy())
    # The name and skeleton filters are keyed apart (HKDF info = the label).
    assert not np.array_equal(one["name_clk"].to_numpy(), one["skeleton_clk"].to_numpy())


def test_the_clkhash_peer_finds_an_exact_copy_and_is_registered():
    m = get_matcher("private-clkhash")
    assert isinstance(m, ClkhashPrivateMatcher)
    m = ClkhashPrivateMatcher(SECRET)
    p = _passengers(
        [
            ("P1", "AL-HASHIMI", "ABDULRAHMAN", "1975-03-07", "M", "IRQ", None),
            ("P3", "SMITH", "JOHN", "1975-03-07", "M", "GBR", None),
        ]
    )
    alerts = m.screen(m.build(LIST), p, 0.5, 10).alerts
    assert alerts["passenger_id"].to_list() == ["P1"] and alerts["entry_id"][0] == "E1"


def test_clkhash_refuses_a_salt_it_cannot_express():
    with pytest.raises(ValueError, match="without a salt"):
        EncodingConfig(hasher="clkhash", salt="birth_year")
