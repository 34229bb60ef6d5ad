import json

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from screening.cli import app
from screening.data.io import read_table

runner = CliRunner()
COMMANDS = [
    "generate",
    "run",
    "scenarios",
    "describe",
    "screen",
    "describe-settings",
    "evaluate",
    "bench",
    "report",
]


@pytest.mark.parametrize("command", [[c] for c in COMMANDS] + [["lists", "import"]])
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output and len(result.output) > 200


def test_no_command_is_missing_from_the_help_test():
    names = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert names == set(COMMANDS)


def test_generate_writes_every_table_in_both_formats(tmp_path, teaching):
    for fmt in ("parquet", "csv"):
        out = tmp_path / fmt
        result = runner.invoke(
            app,
            [
                "generate",
                "--scenario",
                "teaching",
                "--seed",
                "3",
                "--out",
                str(out),
                "--format",
                fmt,
                "--quiet",
            ],
        )
        assert result.exit_code == 0, result.output
        meta = json.loads((out / "scenario.json").read_text())
        assert meta["seed"] == 3 and meta["scenario"]["name"] == "teaching"
        assert meta["tables"]["passengers"] == teaching["passengers"].height
        for name, frame in teaching.tables.items():
            assert_frame_equal(read_table(out / f"{name}.{fmt}", name), frame)


def test_generate_refuses_to_overwrite_and_reports_bad_scenarios(tmp_path):
    out = tmp_path / "w"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = runner.invoke(app, ["generate", "-s", "teaching", "--out", str(out), "--quiet"])
    assert result.exit_code == 2 and "not empty" in result.output
    assert [p.name for p in out.iterdir()] == ["keep.txt"]

    bad = tmp_path / "bad.toml"
    bad.write_text("[population]\npassengers = -5\n")
    target = tmp_path / "never"
    result = runner.invoke(app, ["generate", "-s", str(bad), "--out", str(target)])
    assert result.exit_code == 2
    assert "population.passengers" in result.output and str(bad) in result.output
    assert not target.exists()

    result = runner.invoke(
        app, ["generate", "-s", "teaching", "--out", str(target), "--format", "xlsx"]
    )
    assert result.exit_code == 2 and "--format" in result.output


def test_run_generates_and_summarizes(tmp_path):
    result = runner.invoke(app, ["run", "--out", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    for heading in (
        "Tables",
        "Passengers by role",
        "Recorded corruptions",
        "Name origins",
        "Alerts (score >= 0.5)",
        "completeness",
        "FNIR @",
        "Benchmark on teaching",
        "By stage",
        "report:",
    ):
        assert heading in result.output
    # Every matcher of the main job has its row, read by a person, not as markdown.
    rows = [line.split("│")[1].strip() for line in result.output.splitlines() if "│" in line]
    for matcher in ("default", "exact", "soundex", "gtas", "ofac", "bruteforce"):
        assert matcher in rows
    assert "| teaching |" not in result.output
    assert pl.read_parquet(tmp_path / "t" / "passengers.parquet").height > 1_500
    assert (tmp_path / "t" / "report.html").stat().st_size > 500_000
    assert pl.read_csv(tmp_path / "t" / "results" / "results.csv").height == 6


def test_scenarios_lists_the_builtins():
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0
    for name in ("teaching", "standard", "national-day", "operational"):
        assert name in result.output


def test_evaluate_prints_and_writes_metrics(tmp_path):
    world = tmp_path / "w"
    assert (
        runner.invoke(app, ["generate", "-s", "teaching", "--out", str(world), "--quiet"]).exit_code
        == 0
    )
    alerts = tmp_path / "alerts.parquet"
    r = runner.invoke(app, ["screen", str(world), "--threshold", "0.05", "--out", str(alerts)])
    assert r.exit_code == 0, r.output
    out = tmp_path / "metrics.json"
    r = runner.invoke(app, ["evaluate", str(alerts), "--truth", str(world), "--json", str(out)])
    assert r.exit_code == 0, r.output
    assert "Operating points" in r.output and "FNIR per corruption" in r.output
    metrics = json.loads(out.read_text())
    assert [p["fpir_target"] for p in metrics["operating_points"]] == [0.001, 0.003, 0.01, 0.03]
    assert all(p["fpir"] <= p["fpir_target"] for p in metrics["operating_points"])
    # The ceiling beside the figures: from the world alone, a share of the mated.
    ceiling = metrics["ceiling"]
    assert "ceiling: of" in r.output and ceiling["mated"] > 0
    assert 0 <= ceiling["unreachable"] + ceiling["tied"] <= ceiling["mated"]

    bad = tmp_path / "bad.csv"
    bad.write_text("passenger_id,score\nP1,0.5\n")
    r = runner.invoke(app, ["evaluate", str(bad), "--truth", str(world)])
    assert r.exit_code == 2 and "missing column(s) entry_id, kind" in r.output


def test_python_dash_m_runs_the_same_cli():
    import subprocess
    import sys

    for module in ("screening", "screening.cli"):
        done = subprocess.run(
            [sys.executable, "-m", module, "scenarios"], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert "teaching" in done.stdout and "national-day" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "screening", "--help"], capture_output=True, text=True
    )
    assert "Usage: screening" in done.stdout
