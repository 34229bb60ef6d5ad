from pathlib import Path

import pytest

from screening.generate.scenario import ScenarioError, builtin_scenarios, load_scenario


def test_builtin_scenarios_load_with_their_sizes():
    assert {"teaching", "standard", "national-day", "operational"} <= set(builtin_scenarios())
    assert load_scenario("teaching").population.passengers == 2_000
    std = load_scenario("standard").population
    assert (std.passengers, std.listed_identities) == (100_000, 10_000)
    nat = load_scenario("national-day").population
    assert (nat.passengers, nat.listed_identities) == (1_000_000, 100_000)
    # ~8 listed travellers per million passengers: the operational base rate.
    op = load_scenario("operational").population
    assert 5e-6 <= op.mated_share <= 1.2e-5
    # `standard` but for its list, drawn from the population's origins rather than the UN's.
    std, bal = load_scenario("standard"), load_scenario("balanced-list")
    assert bal.population == std.population and bal.documents == std.documents
    assert std.watchlist.origins and bal.watchlist.origins == {}


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "bad.toml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[population]\npassengers = 100\nfoo = 1\n", "population.foo"),
        ("colour = 'red'\n", "colour"),
        ("[population]\nmated_share = -0.1\n", "population.mated_share"),
        ("[population]\nnamesake_share = 1.5\n", "population.namesake_share"),
        ("[population]\npassengers = 'many'\n", "population.passengers"),
        ("[corruptions.weights]\nteleport = 1\n", "corruptions.weights"),
        ("[population.origins]\natlantean = 1\n", "population.origins"),
        ("[corruptions]\ncount = [0.1, 0.2, 0.3, 0.2, 0.2]\n", "corruptions.count"),
        (
            "[watchlist]\nnames_per_identity = [" + ", ".join(["1"] * 17) + "]\n",
            "watchlist.names_per_identity",
        ),
        ("[corruptions]\ncount = [0, 0]\n", "corruptions.count"),
    ],
)
def test_bad_scenario_names_file_and_key(tmp_path, text, key):
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert str(path) in str(err.value)
    assert key in str(err.value)


def test_rates_that_cannot_be_met(tmp_path):
    # 10 % of 10,000 travellers cannot all be distinct members of a 50-name list.
    path = _write(
        tmp_path, "[population]\npassengers = 10000\nlisted_identities = 50\nmated_share = 0.1\n"
    )
    with pytest.raises(ScenarioError, match=r"population\.mated_share.*only 50 identities"):
        load_scenario(path)
    path = _write(
        tmp_path,
        "[population]\nmated_share = 0.6\nnamesake_share = 0.5\nlisted_identities = 100000\n",
    )
    with pytest.raises(ScenarioError, match="more than all travellers"):
        load_scenario(path)


def test_unreadable_and_unknown_scenarios(tmp_path):
    with pytest.raises(ScenarioError, match="unknown scenario"):
        load_scenario("no-such-scenario")
    path = _write(tmp_path, "[population\n")
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(path)
