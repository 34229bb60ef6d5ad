"""The report: self-contained offline HTML, checked in a real headless browser."""

import dataclasses
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from screening.bench import origin_spread, read_results, run_bench, write_results
from screening.report import build_report, charts
from screening.report.charts import label_positions
from screening.report.page import GLOSSARY, STEPS

# Where the browser test leaves its screenshots (CI keeps out/): the page as a reader sees
# it at a desktop width and a phone width.
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOT_DIR", Path(__file__).parents[1] / "out" / "screenshots")
)

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
    bench = run_bench(["teaching"], ["default", "soundex", "private"], [1], staged=("default",))
    bench = dataclasses.replace(bench, fairness=origin_spread("teaching", 1, 6_000, 400))
    write_results(bench, folder)
    out = folder / "report.html"
    build_report(read_results(folder), out, figures=folder / "figures")
    return out


def test_fairness_step_separates_namesakes_from_the_rest(report: Path):
    """The most-flagged origin's share of innocents carrying a listed name, and the rate
    among the others: the part of the gap a list's namesakes explain, and the rest."""
    text = " ".join(report.read_text().split())
    assert "carry a name the list holds, and of those who do not" in text


def test_report_is_self_contained(report: Path):
    text = report.read_text()
    assert "<script src" not in text and "cdn.jsdelivr" not in text
    for section in (
        "vis-timeline",
        "vis-waterfall",
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


def test_every_chart_has_a_title_and_alt_text_and_the_page_a_glossary(report: Path):
    bench = read_results(report.parent)
    specs = {name: chart.to_dict() for name, chart in charts(bench).items()}
    assert {"timeline", "waterfall", "slider", "det", "origin", "pareto", "privacy"} <= set(specs)
    share = bench.results.filter(pl.col("matcher") == "private")["reidentified_share"][0]
    assert 0 <= share < 1  # the attack scored against the truth, for the private matcher only
    assert bench.results.filter(pl.col("matcher") == "default")["reidentified_share"][0] is None
    for name, spec in specs.items():
        assert spec.get("title"), name
        assert len(spec.get("description", "")) > 40, name
    text = report.read_text()
    for term in ("FNIR", "FPIR", "DET curve", "base rate", "blocking"):
        assert f"<dt>{term}</dt>" in text
    assert len(GLOSSARY) >= 5 and all(s.title[0].isdigit() for s in STEPS)
    # The page says how big its world is, and measures origins on a larger one.
    assert "travellers, " in text and "Measured on a larger world" in text
    assert "@media print" in text
    # No identifier is a heading or a column title.
    assert "fnir_at_fpir" not in text.split("<script>")[0]


def test_pareto_labels_of_coinciding_points_are_pushed_apart():
    ys = label_positions([1.0, 1.0, 2.5], [0.02, 0.02, 0.02], 460, 320, (0.0, 1.1))
    line = 14 * 1.1 / 320
    assert ys[2] == 0.02  # far away on x: stays beside its point
    assert abs(ys[0] - ys[1]) >= line - 1e-12


def _boxes_overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_report_in_headless_chromium(report: Path, capsys):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (.ci/run installs it)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
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
        names = (
            "timeline",
            "waterfall",
            "slider",
            "det",
            "pareto",
            "corruption",
            "origin",
            "privacy",
        )
        for name in (*names, "base_rate", "stages"):
            page.wait_for_selector(f"#vis-{name} svg[aria-label]")
        labels = page.eval_on_selector_all(
            "div.figure svg", "els => els.map(e => e.getAttribute('aria-label') || '')"
        )
        assert len(labels) >= 9 and all(len(a) > 40 for a in labels)

        # The slider: the example travellers change with the threshold.
        listing = "#vis-slider"
        before = page.inner_text(listing)
        page.locator("#vis-slider input[type=range]").fill("0.95")
        page.wait_for_function(
            "b => document.querySelector('#vis-slider').innerText !== b", arg=before
        )
        assert ", " in page.inner_text(listing)  # traveller names, "SURNAME, GIVEN"

        # The waterfall: picking another alert redraws it.
        svg = "#vis-waterfall svg"
        first = page.inner_html(svg)
        options = page.eval_on_selector_all(
            "#vis-waterfall select option", "o => o.map(e => e.value)"
        )
        assert len(options) > 5
        page.select_option("#vis-waterfall select", options[-1])
        page.wait_for_function(
            "b => document.querySelector('#vis-waterfall svg').innerHTML !== b", arg=first
        )

        # No two matcher labels of the Pareto chart overlap.
        matchers = ["default", "soundex", "private"]
        boxes = page.eval_on_selector_all(
            "#vis-pareto svg text",
            "(els, names) => els.filter(e => names.includes(e.textContent)).map(e => {"
            " const r = e.getBoundingClientRect();"
            " return {x: r.x, y: r.y, width: r.width, height: r.height}; })",
            matchers,
        )
        assert len(boxes) == len(matchers)
        assert not any(_boxes_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])

        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(300)
            path = SCREENSHOTS / f"report-{width}px.png"
            page.screenshot(path=str(path), full_page=True)
            shots.append(path)
        browser.close()
    with capsys.disabled():
        print("\nreport screenshots: " + ", ".join(str(p) for p in shots))
    assert problems == [] and requests == []
    assert all(p.stat().st_size > 10_000 for p in shots)
