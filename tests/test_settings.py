"""The matcher's model as data: the settings round-trip through TOML exactly, a file may
change any number, and a wrong file is refused naming the file and the key."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest
from typer.testing import CliRunner

from screening.cli import app
from screening.linkage.settings import Settings, SettingsError, load_settings, to_toml


def test_defaults_round_trip_through_toml(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(to_toml(Settings()))
    assert load_settings(path) == Settings()


def test_a_file_changes_only_what_it_names(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        "[alerts]\nthreshold = 0.7\n[scoring.field_weights.dob]\nexact = 12\n"
        "[comparisons.name_views]\ninitials = 0.9\n"
    )
    s = load_settings(path)
    assert s.alerts.threshold == 0.7 and s.alerts.top_k == 10
    assert s.scoring.field_weights["dob"]["exact"] == 12.0
    assert s.scoring.field_weights["dob"]["swap"] == 9.0  # the rest of the table stays
    assert s.comparisons.name_views.initials == 0.9 and s.comparisons.prefilter == 0.55
    assert dataclasses.replace(s.blocking) == Settings().blocking


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[scoring]\nmidpoint = 18\n", "unknown key(s) ['midpoint'] in [scoring]"),
        ("[alerts]\ntop_k = 2.5\n", "alerts.top_k must be int"),
        ("[blocking]\nmax_block = true\n", "blocking.max_block must be int"),
        ("[scoring.field_weights.dob]\nexactly = 3\n", "unknown level(s) ['exactly']"),
        ("[scoring.field_weights.shoe_size]\nbig = 1\n", "unknown weight table"),
        ("[colours]\nred = 1\n", "unknown key(s) ['colours'] in [top level]"),
        ("[alerts\n", "cannot read settings"),
        ('[blocking]\nkeys = ["exact", "soundex"]\n', "unknown or no key kinds ['soundex']"),
        ("[blocking]\nkeys = []\n", "unknown or no key kinds"),
        ("[estimation]\nname_level_edges = [0.9, 0.8]\n", "at least two increasing"),
        ("[estimation]\nname_level_edges = [0.8]\n", "at least two increasing"),
    ],
)
def test_a_wrong_file_is_refused_by_name_and_key(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    assert str(path) in str(err.value) and message in str(err.value)


@pytest.fixture(scope="module")
def teaching_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("world") / "teaching"
    r = CliRunner().invoke(app, ["generate", "-s", "teaching", "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    return out


def test_screen_with_settings_from_the_command_line(tmp_path, teaching_folder):
    runner = CliRunner()
    defaults = tmp_path / "defaults.toml"
    r = runner.invoke(app, ["describe-settings", "--out", str(defaults)])
    assert r.exit_code == 0, r.output
    base = ["screen", str(teaching_folder), "--as-of", "2026-03-01"]

    def alerts(*extra: str) -> pl.DataFrame:
        out = tmp_path / f"a{len(list(tmp_path.iterdir()))}.csv"
        r = runner.invoke(app, [*base, "--out", str(out), *extra])
        assert r.exit_code == 0, r.output
        return pl.read_csv(out)

    plain = alerts()
    # The defaults written out and read back screen exactly as no file at all.
    assert alerts("--settings", str(defaults)).equals(plain)
    # A stricter alert threshold in the file applies when --threshold is not given ...
    strict = tmp_path / "strict.toml"
    strict.write_text("[alerts]\nthreshold = 0.9\n")
    high = alerts("--settings", str(strict))
    watch = plain.filter(pl.col("kind").str.starts_with("watchlist"))
    assert 0 < high.filter(pl.col("kind").str.starts_with("watchlist")).height < watch.height
    # ... and the flag wins over the file.
    assert alerts("--settings", str(strict), "--threshold", "0.5").equals(plain)
    bad = tmp_path / "bad.toml"
    bad.write_text("[scoring]\nmidpoint = 1\n")
    r = runner.invoke(app, [*base, "--settings", str(bad)])
    assert r.exit_code != 0 and "midpoint" in r.output
    # Only the default matcher's model is settings-driven.
    r = runner.invoke(app, [*base, "--matcher", "exact", "--settings", str(defaults)])
    assert r.exit_code != 0 and "takes no settings" in r.output


def test_blocking_rules_are_data(teaching):
    """Dropping a blocking rule in the settings drops its keys: fewer or the same candidate
    pairs, never a pair the full rule set does not have."""
    from screening.data.lists import from_generated
    from screening.linkage.index import build_index
    from screening.linkage.screen import screen
    from screening.linkage.settings import BlockingConfig

    rows = from_generated(teaching["watchlist"], teaching["watchlist_names"])
    full = screen(build_index(rows), teaching["passengers"], 0.0, 1000)
    fewer = Settings(blocking=BlockingConfig(keys=("exact", "doc")))
    part = screen(build_index(rows, fewer), teaching["passengers"], 0.0, 1000)
    assert set(build_index(rows, fewer).key_kinds) == {"exact", "doc"}
    pairs = lambda r: set(zip(*(a.tolist() for a in r.pairs), strict=True))  # noqa: E731
    assert pairs(part) < pairs(full)
