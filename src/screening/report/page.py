"""The teaching report: one offline HTML page that tells screening as a story, a chart
and two sentences a step, with a glossary and a print style for handing out.

The page inlines the Vega JavaScript bundle once (vl-convert), so it opens with no server
and no network.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import polars as pl
import vl_convert as vlc

from screening.evaluate.labels import label
from screening.evaluate.results import BenchResults, not_run
from screening.report import charts as ch


@dataclass(frozen=True)
class Step:
    """One section of the story: its figure's name, title, two sentences and alt text."""

    name: str
    title: str
    text: str
    alt: str


STEPS = (
    Step(
        "timeline",
        "1. What the screening state receives, and when",
        "Airlines send the booking (PNR: names as typed by an agent, contacts, the itinerary, "
        "rarely a date of birth) days before departure, and the passport data (API: name, "
        "date of birth, document, nationality) at check-in. Resolution 2396 asks states to "
        "screen both against watch lists.",
        "A timeline of hours before departure: PNR booking data arrives 72 and 24 hours "
        "before, API passport data in the last two hours.",
    ),
    Step(
        "gallery",
        "2. One person's name on its way to the manifest",
        "A watch list writes a name in Latin letters, often several ways; the passport and "
        "the booking write it their own way, with typos, swapped parts and dropped names. "
        "Below, listed people of this world: their own script, the list's spellings, and "
        "what they travelled under.",
        "",
    ),
    Step(
        "waterfall",
        "3. How the matcher weighs the evidence",
        "Each field adds evidence for the same person (blue) or against (red), in bits: one "
        "bit doubles the odds. A rare name agreeing is worth more than a common one; the sum "
        "is the score, and it alerts above the dashed line. Pick an alert from the menu.",
        "A waterfall chart: bars for name, date of birth, document, nationality, sex and "
        "booking contact add up to the total evidence of one chosen alert, with the alert "
        "threshold as a dashed line.",
    ),
    Step(
        "slider",
        "4. The threshold: caught, missed, and who is flagged",
        "Move the threshold. Lower, and more listed travellers are caught but more innocents "
        "are flagged; higher, the reverse. The list shows the alerts just above the threshold: "
        "the ones an analyst would argue about.",
        "Bars for listed travellers caught and missed, innocents flagged per 1,000 and alerts "
        "per true hit at the chosen threshold, and a list of example alerts above it.",
    ),
    Step(
        "det",
        "5. Every threshold at once: matcher against matcher",
        "Each line is a matcher, each point a threshold: moving along it trades misses (up) "
        "for false alerts (right). Lower left is better; both axes are logarithmic, and a "
        "rate of 0 (no one missed, no one flagged) is drawn at the axis floor.",
        "Detection error trade-off curves, one line per matcher, misses against false alerts "
        "on logarithmic axes.",
    ),
    Step(
        "corruption",
        "6. Which changes to a name cause misses",
        "The share of listed travellers missed at one false alert per 1,000, by what the "
        "generator did to their record; the black line is a 95 % interval (wide when few "
        "travellers had that change).",
        "Bars of the miss rate per kind of name or date change, with 95 % intervals.",
    ),
    Step(
        "base_rate",
        "7. When listed travellers are rare",
        "Real traffic has about 8 listed travellers per million; this world has far more so "
        "that there is something to measure. At the real rate, this is how many alerts an "
        "analyst reviews for each true hit.",
        "A line: alerts reviewed per true hit, on a logarithmic axis, against the threshold.",
    ),
    Step(
        "origin",
        "8. Who bears the false alerts",
        "One threshold for everyone still treats name cultures differently: common names "
        "and long lists of one culture flag more of its innocents. A separate threshold per "
        "origin would itself be unequal treatment.",
        "Two bar charts per name origin: innocents flagged and listed travellers missed, "
        "with 95 % intervals.",
    ),
    Step(
        "pareto",
        "9. What it costs",
        "Accuracy against speed: travellers screened per second and the share missed at one "
        "false alert per 1,000. The best matchers sit low and to the right.",
        "A scatter plot of matchers: travellers per second (log) against misses, each point "
        "labelled with its matcher.",
    ),
    Step(
        "privacy",
        "10. What screening without seeing the list costs",
        "A partner's list encoded as keyed Bloom filters can be screened without reading a "
        "name; the encodings lose some evidence (a date one day off, documents), so more "
        "listed travellers are missed. Across: how much of the encoded list an attacker who "
        "knows name frequencies can still name.",
        "A scatter plot of matchers: the share of list names a frequency attack "
        "re-identifies (log) against the share of listed travellers missed.",
    ),
    Step(
        "stages",
        "11. Booking first, passport later",
        "Screening the booking alone misses more (no date of birth) and flags more; the "
        "passport data then confirms or clears each booking alert. Flagging a whole booking "
        "flags innocent companions.",
        "Bars per stage (PNR, API, PNR then API): misses, alerts per 1,000 travellers, what "
        "API evidence did to PNR alerts, and innocent companions flagged.",
    ),
    Step(
        "realism",
        "12. How real is this world?",
        "Each dot is a statistic of the generated travellers or list divided by the published "
        "figure it is calibrated to (census name tables, the UN consolidated list). Inside the "
        "grey band: within 20 %; small classroom worlds show few of them.",
        "Dots of generated-to-published ratios per statistic, with a grey band from 0.8 to 1.2.",
    ),
)

GLOSSARY = (
    (
        "API",
        "Advance Passenger Information: the passport data of each traveller, sent at "
        "check-in (UNSCR 2396 paragraph 11).",
    ),
    ("PNR", "Passenger Name Record: the booking, sent days before departure (paragraph 12)."),
    ("FNIR", "False negative identification rate: the share of listed travellers missed."),
    (
        "FPIR",
        "False positive identification rate: the share of innocent travellers who raised an alert.",
    ),
    ("DET curve", "Detection error trade-off: FNIR against FPIR over every threshold."),
    ("threshold", "The score from which a match raises an alert."),
    (
        "base rate",
        "How common listed travellers are in real traffic: about 8 per million. "
        "At a low base rate even a good matcher's alerts are mostly false.",
    ),
    (
        "blocking",
        "Choosing which traveller and list-name pairs to compare at all (shared "
        "name parts, the document number, the birth date), so that not every pair is scored.",
    ),
    ("bit", "A unit of evidence: each bit doubles the odds that two records are one person."),
    ("namesake", "An innocent traveller with the same or a similar name as a listed person."),
)


def charts(bench: BenchResults, matcher: str = "default") -> dict[str, object]:
    """Every figure of the report, keyed by name (first scenario and seed of the run)."""
    res = _measured(bench.results)
    first = res.row(0, named=True)
    run = (pl.col("scenario") == first["scenario"]) & (pl.col("seed") == first["seed"])
    one = run & (pl.col("matcher") == matcher)
    mine = res.filter(one)
    mated = mine["mated"][0] if mine.height else first["mated"]
    curve = ch.curve_of(bench, matcher, run, mated)
    examples = bench.examples.filter(one)
    figures = {
        "timeline": ch.timeline(),
        "slider": ch.slider(curve, examples, mated),
        "det": ch.det(bench.curves.filter(run), matcher),
        "corruption": ch.corruption(bench.by_corruption.filter(one)),
        "base_rate": ch.base_rate(curve),
        "origin": ch.origin(_origin_rates(bench, run, one)),
        "pareto": ch.pareto(res.filter(run)),
    }
    if (
        "reidentified_share" in res.columns
        and res.filter(run)["reidentified_share"].is_not_null().any()
    ):
        figures["privacy"] = ch.privacy(res.filter(run))
    if ch.has_evidence(examples):
        figures["waterfall"] = ch.waterfall(examples)
    if not bench.stages.is_empty() and not bench.stages.filter(one).is_empty():
        figures["stages"] = ch.stages(bench.stages.filter(one), bench.transitions.filter(one))
    if not bench.realism.is_empty() and not bench.realism.filter(run).is_empty():
        figures["realism"] = ch.realism(bench.realism.filter(run))
    steps = {s.name: s for s in STEPS}
    return {
        name: ch.finish(chart, steps[name].title.split(". ", 1)[1], steps[name].alt)
        for name, chart in figures.items()
    }


def _origin_rates(bench: BenchResults, run: pl.Expr, one: pl.Expr) -> pl.DataFrame:
    """Per-origin rates of the larger world when the run measured one, else this world's."""
    if not bench.fairness.is_empty() and not bench.fairness.filter(run).is_empty():
        return bench.fairness.filter(run)
    return bench.by_origin.filter(one)


def _origin_note(bench: BenchResults, first: dict) -> str:
    if bench.fairness.is_empty() or bench.fairness.filter(_run_of(first)).is_empty():
        return ""
    rows = bench.fairness.filter(_run_of(first))
    f = rows.row(0, named=True)
    note = (
        f" Measured on a larger world of the same kind ({f['passengers']:,} travellers, "
        f"{f['list_names']:,} list names) at the threshold that flags 1 innocent in 100 "
        f"overall ({f['threshold']:.2f}): a classroom world is too small for intervals per "
        "origin."
    )
    if "namesake_share" not in rows.columns:
        return note
    top = rows.sort("fpir", descending=True, nulls_last=True).row(0, named=True)
    return note + (
        f" {top['origin'].replace('_', ' ').capitalize()} innocents are flagged most "
        f"({top['fpir']:.1%}); {top['namesake_share']:.0%} of them carry a name the list "
        f"holds, and of those who do not, {top['fpir_others']:.1%} are flagged still: the "
        "list's namesakes explain part of the gap, the rest is names alike but not equal."
    )


def build_report(bench: BenchResults, out: Path, figures: Path | None = None) -> Path:
    """Write the offline HTML report (and, with `figures`, each chart as SVG and PNG)."""
    specs = {}
    with alt.data_transformers.disable_max_rows():
        for name, chart in charts(bench).items():
            # Schema validation costs a second a page; the browser test renders every spec.
            specs[name] = chart.to_dict(validate=False)
    if figures is not None:
        figures.mkdir(parents=True, exist_ok=True)
        for name, spec in specs.items():
            (figures / f"{name}.svg").write_text(vlc.vegalite_to_svg(spec))
            (figures / f"{name}.png").write_bytes(vlc.vegalite_to_png(spec, scale=2))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_page(bench, specs), encoding="utf-8")
    return out


def _measured(results: pl.DataFrame) -> pl.DataFrame:
    """Runs that produced figures (a peer may decline a scenario too big for it)."""
    return results.filter(pl.col("note").is_null()) if "note" in results.columns else results


def _cell(v: object) -> str:
    if v is None:
        return "n/r"
    if isinstance(v, float):
        return f"{v:,.0f}" if v >= 100 else f"{v:.3f}"
    return str(v)


def _not_measured(results: pl.DataFrame) -> str:
    """A list of the runs that produced no figures (skipped or failed), with the reason."""
    items = "".join(  # a few runs
        f"<li>{html.escape(r['matcher'])} on {html.escape(r['scenario'])} seed {r['seed']}: "
        f"{html.escape(r['status'])} ({html.escape(r['note'])})</li>"
        for r in not_run(results).iter_rows(named=True)
    )
    return f'<p class="why">Not measured:</p><ul class="not-measured">{items}</ul>' if items else ""


def _results_table(res: pl.DataFrame) -> str:
    cols = ["matcher", "fnir_at_fpir_0.001", "fnir_at_fpir_0.01", "passengers_per_s"]
    names = {
        "matcher": "matcher",
        "fnir_at_fpir_0.001": "missed at 1 false alert per 1,000",
        "fnir_at_fpir_0.01": "missed at 1 false alert per 100",
        "passengers_per_s": "travellers per second",
    }
    head = "".join(f"<th>{html.escape(names.get(c, label(c)))}</th>" for c in cols)
    body = "".join(  # one row per matcher and seed: dozens
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in res.select(cols).iter_rows()
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _gallery(bench: BenchResults, first: dict) -> str:
    g = bench.gallery
    if g.is_empty():
        return "<p>(No listed traveller of this world has a native-script name.)</p>"
    g = g.filter(_run_of(first))
    people = []
    for (entry, origin), rows in g.sort("entry_id", "step").group_by(
        ["entry_id", "origin"], maintain_order=True
    ):  # three people
        items = "".join(
            f'<tr><th scope="row">{html.escape(r["what"])}</th>'
            f'<td dir="auto" class="name">{html.escape(r["name"])}</td>'
            f'<td class="note">{html.escape(r["note"] or "")}</td></tr>'
            for r in rows.iter_rows(named=True)
        )
        people.append(
            f'<figure class="person"><figcaption>{html.escape(str(origin))} name, list entry '
            f"{html.escape(str(entry))}</figcaption><table>{items}</table></figure>"
        )
    return '<div class="gallery">' + "".join(people) + "</div>"


def _size(bench: BenchResults, first: dict) -> str:
    res = _measured(bench.results)
    seeds = res["seed"].n_unique()
    return (
        f"This world ({html.escape(str(first['scenario']))}, seed {first['seed']}"
        f"{'' if seeds == 1 else f', first of {seeds} seeds'}): "
        f"{first['passengers']:,} travellers, {first['list_names']:,} names on the watch "
        f"list, {first['mated']:,} listed people travelling. Small numbers make wide "
        "intervals: a share measured on 20 people can be off by 20 points either way."
    )


def _run_of(first: dict) -> pl.Expr:
    return (pl.col("scenario") == first["scenario"]) & (pl.col("seed") == first["seed"])


def _page(bench: BenchResults, specs: dict[str, dict]) -> str:
    res = _measured(bench.results)
    first = res.row(0, named=True)
    sections = []
    for step in STEPS:
        if step.name == "gallery":
            body = _gallery(bench, first)
        elif step.name in specs:
            body = f'<div id="vis-{step.name}" class="figure"></div>'

        else:
            continue
        text = step.text + (_origin_note(bench, first) if step.name == "origin" else "")
        sections.append(
            f'<section id="{step.name}"><h2>{html.escape(step.title)}</h2>'
            f'<p class="why">{html.escape(text)}</p>{body}</section>'
        )
    glossary = "".join(
        f"<dt>{html.escape(term)}</dt><dd>{html.escape(text)}</dd>" for term, text in GLOSSARY
    )
    alts = {step.name: step.alt for step in STEPS}
    # Each chart's SVG carries its alt text (Vega does not put the description there).
    embeds = "\n".join(
        f'vegaEmbed("#vis-{n}", {json.dumps(s)}, {{"renderer": "svg", "actions": false}})'
        f'.then(r => {{ const svg = r.view.container().querySelector("svg"); '
        f'svg.setAttribute("role", "img"); '
        f'svg.setAttribute("aria-label", {json.dumps(alts[n])}); }});'
        for n, s in specs.items()
    )
    bundle = vlc.javascript_bundle()
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Screening travellers against watch lists: a walk-through</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;
color:#1a1a1a;line-height:1.45}}
h1{{font-size:1.7em}} h2{{margin-top:2.2em;font-size:1.3em}}
.why{{color:#333;max-width:720px}} .figure{{overflow-x:auto;max-width:100%}}
table{{border-collapse:collapse}} td,th{{border:1px solid #bbb;padding:3px 8px}}
td{{text-align:right}} .gallery td{{text-align:left}} .gallery th{{text-align:left;
font-weight:normal;color:#444}} .gallery{{display:flex;flex-wrap:wrap;gap:1em}}
.person{{margin:0;flex:1 1 280px}} .person figcaption{{font-weight:bold;margin-bottom:.3em}}
.name{{font-family:ui-monospace,monospace}} .note{{color:#555;font-size:.9em}}
dt{{font-weight:bold;margin-top:.5em}} dd{{margin-left:1.2em}}
.vega-bindings{{margin:.5em 0;font-size:.95em}} .vega-bindings select{{max-width:90vw}}
@media print{{body{{max-width:none;margin:0}} section{{break-inside:avoid}}
.vega-bindings{{display:none}} a{{color:inherit}}}}
</style>
<script>{bundle}</script></head><body>
<h1>Screening travellers against watch lists: a walk-through</h1>
<p>UN Security Council resolution 2396 (2017) asks states to check airline passenger data
against watch lists, with respect for human rights. Matching names across spellings is the
hard part: this page shows, on a synthetic world whose truth is known, how many listed
people a matcher misses, how many innocent namesakes it flags, who they are, and what it
costs.</p>
<p class="size">{html.escape(_size(bench, first))}</p>
{_results_table(res.filter(_run_of(first)))}
{_not_measured(bench.results)}
{"".join(sections)}
<section id="glossary"><h2>Glossary</h2><dl>{glossary}</dl></section>
<script>{embeds}</script>
</body></html>
"""
