"""CLI output does not depend on the terminal: messages are never hard-wrapped (a user greps
them), and tables written off a terminal have one fixed width whatever COLUMNS says."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from screening.cli import FILE_WIDTH, app
from tests.test_un_list import SAMPLE


@pytest.fixture
def deep(tmp_path):
    """A folder path far longer than 80 characters, as pytest's can be on a new machine."""
    folder = tmp_path / ("a_rather_long_folder_name_" * 4) / "and_deeper"
    folder.mkdir(parents=True)
    return folder


def _outputs(monkeypatch, args: list[str]) -> dict[str, str]:
    out = {}
    for columns in ("40", "300"):
        monkeypatch.setenv("COLUMNS", columns)
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 0, r.output
        out[columns] = r.output
    return out


def test_messages_are_one_line_at_any_width(monkeypatch, deep):
    xml = deep / "list.xml"
    xml.write_text(SAMPLE, encoding="utf-8")
    target = deep / "wl.parquet"
    out = _outputs(monkeypatch, ["lists", "import", str(xml), "--out", str(target)])
    assert out["40"] == out["300"]
    assert out["40"] == f"wrote {target}: 2 identities, 13 name rows\n"


def test_tables_off_a_terminal_have_the_fixed_width(monkeypatch):
    out = _outputs(monkeypatch, ["scenarios"])
    assert out["40"] == out["300"]
    widths = {len(line) for line in out["40"].splitlines() if line.startswith(("┏", "└"))}
    assert widths and max(widths) <= FILE_WIDTH


def _fits(text: str, width: int) -> None:
    """No cell cut with an ellipsis, and every table line ends in its right border within
    `width` (a console crops a table that is too wide: its lines then lose their end)."""
    assert "…" not in text
    table = [line.rstrip() for line in text.splitlines() if line[:1] in "┏┃┡│└"]
    assert table and all(len(line) <= width and line[-1] in "┓┃┩│┘" for line in table)


def test_a_wide_table_reads_at_80_columns():
    """Human titles wrapped at words; no header or value cut off with an ellipsis."""
    import polars as pl
    from rich.console import Console

    from screening.cli import _print_frame

    console = Console(width=80, soft_wrap=True, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    frame = pl.DataFrame(
        {
            "stage": ["pnr", "api", "pnr+api"],
            "fnir_at_fpir_0.001": [0.7273, 0.0465, 0.0465],
            "fnir_at_fpir_0.01": [0.3939, 0.0233, 0.0233],
            "alerted_per_1000": [11.3977, 22.6131, 22.6131],
            "whole_booking_false_hits": [20, 35, 35],
            "associate_alerts": [20, 35, 35],
        }
    )
    _print_frame(console, "By stage", frame)
    text = console.export_text()
    _fits(text, 80)
    words = " ".join(text.split())
    for word in ("FNIR", "FPIR", "0.001", "alerted", "1,000", "whole", "booking", "associate"):
        assert word in words
    for value in ("0.7273", "11.3977", "22.6131"):
        assert value in text


def test_the_benchmark_summary_reads_at_80_columns():
    import polars as pl
    from rich.console import Console

    from screening.cli import print_summary

    def run(matcher, fnir, pps, status="ok", note=None):
        figures = {
            "fnir_at_fpir_0.001": fnir,
            "fnir_at_fpir_0.01": fnir,
            "pair_completeness": 0.977,
            "passengers_per_s": pps,
            "peak_mib": 12.6,
        }
        if status != "ok":
            figures = dict.fromkeys(figures)
        return {
            "scenario": "teaching",
            "seed": 1,
            "matcher": matcher,
            "status": status,
            "note": note,
            **figures,
        }

    results = pl.from_dicts(
        [
            run("default", 0.0466, 25101.3),
            run("nomenklatura-logic-v2", None, 179.0),
            run("mine:Broken", None, None, "failed", "RuntimeError: index lost"),
        ]
    )
    console = Console(width=80, soft_wrap=True, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    print_summary(console, results)
    text = console.export_text()
    _fits(text, 80)
    assert "Benchmark on teaching (1 seed(s) each" in text
    for value in ("nomenklatura-logic-v2", "0.047", "25,101", "completeness", "passengers"):
        assert value in text
    assert "mine:Broken on teaching seed 1: failed (RuntimeError: index lost)" in text
