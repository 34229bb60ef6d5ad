"""The report: self-contained offline HTML, checked in a real headless browser."""

import shutil
from pathlib import Path

import pytest

from screening.bench import read_results, run_bench, write_results
from screening.report import build_report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    bench = run_bench(["teaching"], ["default", "soundex"], [1], staged=("default",))
    write_results(bench, folder)
    out = folder / "report.html"
    build_report(read_results(folder), out, figures=folder / "figures")
    return out


def test_report_is_self_contained(report: Path):
    text = report.read_text()
    assert "<script src" not in text and "cdn.jsdelivr" not in text
    for section in (
        "vis-det",
        "vis-pareto",
        "vis-slider",
        "vis-corruption",
        "vis-origin",
        "vis-base_rate",
        "vis-stages",
    ):
        assert section in text
    figures = report.parent / "figures"
    assert (figures / "det.svg").read_text().startswith("<svg")
    assert (figures / "pareto.png").read_bytes()[:4] == b"\x89PNG"


def test_report_in_headless_chromium(report: Path):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (.ci/run installs it)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        problems, requests = [], []
        page.on(
            "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
        )
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on(
            "request",
            lambda r: (
                requests.append(r.url)
                if not r.url.startswith(("file://", "data:", "blob:"))
                else None
            ),
        )
        page.goto(report.as_uri())
        page.wait_for_selector("#vis-slider svg")
        for name in ("det", "pareto", "corruption", "origin", "base_rate", "stages"):
            page.wait_for_selector(f"#vis-{name} svg")
        before = page.inner_text("#vis-slider")
        page.locator("#vis-slider input[type=range]").fill("0.95")
        page.wait_for_function(
            "b => document.querySelector('#vis-slider').innerText !== b", arg=before
        )
        browser.close()
    assert problems == [] and requests == []
