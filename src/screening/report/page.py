"""Charts (Altair specs) from benchmark results, and the offline HTML page that holds them.

The page inlines the Vega JavaScript bundle once (vl-convert), so it opens with no server
and no network; each chart has a short plain-language explanation beside it.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import altair as alt
import polars as pl
import vl_convert as vlc

from screening.evaluate.labels import label
from screening.evaluate.results import BenchResults, not_run

BASE_RATE = 8e-6

EXPLAIN = {
    "det": "Each line is a matcher. Moving along a line trades misses (FNIR, up) for false "
    "alerts (FPIR, right). Lower-left is better; both axes are logarithmic.",
    "pareto": "Accuracy against speed: misses at one false alert per 1,000 travellers versus "
    "passengers screened per second. The best matchers sit low and to the right.",
    "slider": "Move the threshold. A higher threshold raises fewer false alerts but lets more "
    "listed travellers through; the example alerts below show what an analyst would see.",
    "corruption": "Which errors between the list and the passport cause misses, at one false "
    "alert per 1,000 travellers. Bars show the miss rate with a 95 % interval.",
    "origin": "The same threshold does not treat every name culture alike: misses and false "
    "alerts per name origin, with 95 % intervals (small groups have wide ones).",
    "stages": "PNR arrives days before departure with typed names and usually no date of "
    "birth; API arrives at check-in with the passport. Left: misses at one false alert per "
    "100 travellers, and the alerts an analyst reviews per 1,000 travellers at score 0.5, per "
    "stage. Middle: what the passport data later did to each PNR alert. Right: companions of "
    "alerted travellers that a whole-booking policy would call hits, against associate "
    "alerts that never count as hits.",
    "base_rate": "Real traffic has about 8 listed travellers per million. At that rate, this "
    "is how many alerts an analyst reviews for each true hit, at each threshold.",
    "realism": "How real is this world? Each dot is one statistic of the generated travellers "
    "or watch list divided by the published figure it is calibrated to (US Census name "
    "tables, Statistics Korea, Viet Nam's and China's name studies, Kazakhstan's registry, the "
    "UN consolidated list). Inside the grey band: within 20 %; a blue dot outside it is a "
    "share read from so few people that its sampling noise is wider (hover for it). Origins "
    "without a cited figure, and name statistics drawn from fewer than 2,000 people (a "
    "classroom world), are not shown.",
}


def _data(frame: pl.DataFrame) -> alt.InlineData:
    """Inline values (no pandas needed); dates and nulls as JSON does them."""
    return alt.InlineData(values=json.loads(frame.write_json()))


def _cell(v: object) -> str:
    if v is None:
        return "n/r"
    if isinstance(v, float):
        return f"{v:,.0f}" if v >= 100 else f"{v:.3f}"
    return str(v)


def charts(bench: BenchResults, matcher: str = "default") -> dict[str, alt.TopLevelMixin]:
    """Every figure of the report, keyed by name (first scenario and seed of the run)."""
    res = _measured(bench.results)
    first = res.row(0, named=True)
    run = (pl.col("scenario") == first["scenario"]) & (pl.col("seed") == first["seed"])
    curves = bench.curves.filter(run)
    one = run & (pl.col("matcher") == matcher)
    mated = res.filter(one)["mated"][0] if res.filter(one).height else first["mated"]
    mine = curves.filter(pl.col("matcher") == matcher).with_columns(
        caught=(mated * (1 - pl.col("fnir"))).round(0),
        missed=(mated * pl.col("fnir")).round(0),
        per_hit=((1 - BASE_RATE) * pl.col("fpir") / (BASE_RATE * (1 - pl.col("fnir")))),
    )
    out = {
        "det": _det(curves),
        "pareto": _pareto(res),
        "slider": _slider(mine, bench.examples.filter(one)),
        "corruption": _corruption(bench.by_corruption.filter(one)),
        "origin": _origin(bench.by_origin.filter(one)),
        "base_rate": _base_rate(mine),
    }
    if not bench.stages.is_empty() and not bench.stages.filter(one).is_empty():
        out["stages"] = _stages(bench.stages.filter(one), bench.transitions.filter(one))
    if not bench.realism.is_empty() and not bench.realism.filter(run).is_empty():
        out["realism"] = _realism(bench.realism.filter(run))
    return out


# A share read from a few thousand people may stray past 20 % by sampling noise alone
# (calibration.compare): the band is the 20 %, the colour says within either.
WITHIN = "within 20 % or sampling noise"


def _realism(table: pl.DataFrame) -> alt.LayerChart:
    data = table.with_columns(
        what=pl.concat_str(
            [pl.col("origin"), pl.col("kind").fill_null(""), pl.col("statistic")], separator=" "
        ).str.replace_all("  ", " "),
        within=pl.when(pl.col("ok")).then(pl.lit(WITHIN)).otherwise(pl.lit("outside")),
    ).select("what", "ratio", "within", "world", "reference", "noise")
    band = (
        alt.Chart(_data(pl.DataFrame({"lo": [0.8], "hi": [1.2]})))
        .mark_rect(opacity=0.15, color="grey")
        .encode(x="lo:Q", x2="hi:Q")
    )
    dots = (
        alt.Chart(_data(data))
        .mark_point(filled=True, size=45)
        .encode(
            x=alt.X(
                "ratio:Q", title="generated / published", scale=alt.Scale(domain=[0, 2], clamp=True)
            ),
            y=alt.Y("what:N", sort=None, title=None),
            color=alt.Color(
                "within:N",
                scale=alt.Scale(domain=[WITHIN, "outside"], range=["#0072B2", "#D55E00"]),
                title=None,
            ),
            tooltip=["what:N", "world:Q", "reference:Q", "ratio:Q", "noise:Q"],
        )
    )
    return (band + dots).properties(width=420, title="The world beside its cited statistics")


def _stages(stages: pl.DataFrame, transitions: pl.DataFrame) -> alt.HConcatChart:
    order = ["pnr", "api", "pnr+api"]
    y = alt.Y("stage:N", sort=order, title=None)
    misses = (
        # Vega reads a dot in a field name as a path: rename before charting.
        alt.Chart(_data(stages.select("stage", pl.col("fnir_at_fpir_0.01").alias("fnir"))))
        .mark_bar()
        .encode(y=y, x=alt.X("fnir:Q", title="FNIR at FPIR 0.01"))
        .properties(width=220, height=90, title="Missed")
    )
    load = (
        alt.Chart(_data(stages.select("stage", "alerted_per_1000", "false_alerts_per_1000")))
        .transform_fold(["alerted_per_1000", "false_alerts_per_1000"], as_=["what", "value"])
        .mark_bar()
        .encode(
            y=y,
            yOffset="what:N",
            x=alt.X("value:Q", title="per 1,000 travellers at score 0.5"),
            color=alt.Color("what:N", title=None),
        )
        .properties(width=220, height=120, title="Analyst workload")
    )
    left = alt.vconcat(misses, load)
    after = (
        alt.Chart(_data(transitions))
        .transform_fold(["true_alerts", "false_alerts"], as_=["truth", "alerts"])
        .mark_bar()
        .encode(
            y=alt.Y("outcome:N", title=None),
            x=alt.X("alerts:Q", stack="zero", title="PNR alerts (score >= 0.5)"),
            color=alt.Color("truth:N", title=None),
        )
        .properties(width=220, height=160, title="PNR alerts after API evidence")
    )
    companions = (
        alt.Chart(
            _data(
                stages.select(
                    "stage",
                    pl.col("whole_booking_false_hits").alias("whole booking"),
                    pl.col("associate_policy_false_hits").alias("associates"),
                )
            )
        )
        .transform_fold(["whole booking", "associates"], as_=["policy", "innocents"])
        .mark_bar()
        .encode(
            y=y,
            yOffset="policy:N",
            x=alt.X("innocents:Q", title="innocent companions counted as hits"),
            color=alt.Color("policy:N", title=None),
        )
        .properties(width=220, height=120, title="Companions")
    )
    return alt.hconcat(left, after, companions).resolve_scale(color="independent")


def _det(curves: pl.DataFrame) -> alt.Chart:
    data = curves.filter((pl.col("fpir") > 0) & (pl.col("fnir") > 0)).select(
        "matcher", "fpir", "fnir", "threshold"
    )
    return (
        alt.Chart(_data(data))
        .mark_line(point=True)
        .encode(
            x=alt.X("fpir:Q", scale=alt.Scale(type="log"), title="FPIR (false alerts)"),
            y=alt.Y("fnir:Q", scale=alt.Scale(type="log"), title="FNIR (misses)"),
            color="matcher:N",
            tooltip=["matcher:N", "threshold:Q", "fpir:Q", "fnir:Q"],
        )
        .properties(width=420, height=300, title="DET curves")
    )


def _pareto(res: pl.DataFrame) -> alt.Chart:
    agg = res.group_by("scenario", "matcher").agg(
        pl.col("fnir_at_fpir_0.001").mean(), pl.col("passengers_per_s").mean()
    )
    data = agg.with_columns(
        fnir=pl.col("fnir_at_fpir_0.001").fill_null(1.0),
        reachable=pl.col("fnir_at_fpir_0.001").is_not_null(),
    )
    base = alt.Chart(_data(data)).encode(
        x=alt.X("passengers_per_s:Q", scale=alt.Scale(type="log"), title="passengers / s"),
        y=alt.Y("fnir:Q", title="FNIR at FPIR 0.001 (1 = not reachable)"),
    )
    points = base.mark_point(filled=True, size=90).encode(
        color="matcher:N", shape="scenario:N", tooltip=["matcher:N", "scenario:N", "fnir:Q"]
    )
    labels = base.mark_text(dx=8, align="left").encode(text="matcher:N")
    return (points + labels).properties(width=420, height=300, title="Accuracy vs speed")


def _slider(curve: pl.DataFrame, examples: pl.DataFrame) -> alt.VConcatChart:
    t = alt.param(
        name="threshold",
        value=0.5,
        bind=alt.binding_range(min=0, max=1, step=0.01, name="threshold "),
    )
    at = (
        alt.Chart(_data(curve.select("threshold", "caught", "missed", "false_alerts_per_1000")))
        .transform_filter(alt.datum.threshold >= t)
        .transform_window(rank="rank()", sort=[alt.SortField("threshold", order="ascending")])
        .transform_filter(alt.datum.rank == 1)
        .transform_fold(["caught", "missed", "false_alerts_per_1000"], as_=["what", "value"])
    )
    bars = at.mark_bar().encode(y=alt.Y("what:N", title=None), x=alt.X("value:Q", title=None))
    text = at.mark_text(align="left", dx=4).encode(
        y="what:N", x="value:Q", text=alt.Text("value:Q", format=",.1f")
    )
    counts = (
        (bars + text)
        .add_params(t)
        .properties(
            width=420, height=90, title="At this threshold: caught, missed, false alerts per 1,000"
        )
    )
    ex = (
        alt.Chart(
            _data(
                examples.with_columns(
                    label=pl.when("correct")
                    .then(pl.lit("TRUE HIT  "))
                    .otherwise(pl.lit("false     "))
                    + pl.col("score").round(2).cast(pl.String)
                    + "  "
                    + pl.col("reason")
                )
            )
        )
        .transform_filter(alt.datum.score >= t)
        .transform_window(row="row_number()", sort=[alt.SortField("score", order="descending")])
        .transform_filter(alt.datum.row <= 10)
        .mark_text(align="left", baseline="top", fontSize=11)
        .encode(y=alt.Y("row:O", axis=None), x=alt.value(4), text="label:N")
        .properties(width=640, height=180, title="Example alerts at or above the threshold")
    )
    return alt.vconcat(counts, ex)


def _with_interval(data: pl.DataFrame, y: str, x: str, lo: str, hi: str, title: str):
    order = alt.EncodingSortField(field=x, op="max", order="descending")
    base = alt.Chart(_data(data)).encode(y=alt.Y(f"{y}:N", sort=order, title=None))
    bars = base.mark_bar().encode(x=alt.X(f"{x}:Q", title=x))
    err = base.mark_errorbar().encode(x=f"{lo}:Q", x2=f"{hi}:Q")
    return (bars + err).properties(width=300, height=220, title=title)


def _corruption(by: pl.DataFrame) -> alt.LayerChart:
    return _with_interval(
        by, "corruption", "fnir", "fnir_low", "fnir_high", "Misses per corruption type"
    )


def _origin(by: pl.DataFrame) -> alt.HConcatChart:
    return alt.hconcat(
        _with_interval(by, "origin", "fnir", "fnir_low", "fnir_high", "Misses per origin"),
        _with_interval(by, "origin", "fpir", "fpir_low", "fpir_high", "False alerts per origin"),
    )


def _base_rate(curve: pl.DataFrame) -> alt.Chart:
    data = curve.filter(pl.col("fpir") > 0).select("threshold", "per_hit")
    return (
        alt.Chart(_data(data))
        .mark_line()
        .encode(
            x=alt.X("threshold:Q"),
            y=alt.Y("per_hit:Q", scale=alt.Scale(type="log"), title="alerts per true hit"),
        )
        .properties(width=420, height=260, title="At 8 listed travellers per million")
    )


def build_report(bench: BenchResults, out: Path, figures: Path | None = None) -> Path:
    """Write the offline HTML report (and, with `figures`, each chart as SVG and PNG)."""
    specs = {}
    with alt.data_transformers.disable_max_rows():
        for name, chart in charts(bench).items():
            specs[name] = chart.to_dict()
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


def _not_measured(results: pl.DataFrame) -> str:
    """A list of the runs that produced no figures (skipped or failed), with the reason."""
    items = "".join(  # a few runs
        f"<li>{html.escape(r['matcher'])} on {html.escape(r['scenario'])} seed {r['seed']}: "
        f"{html.escape(r['status'])} ({html.escape(r['note'])})</li>"
        for r in not_run(results).iter_rows(named=True)
    )
    return f'<p class="why">Not measured:</p><ul class="not-measured">{items}</ul>' if items else ""


def _page(bench: BenchResults, specs: dict[str, dict]) -> str:
    res = _measured(bench.results)
    cols = [
        "scenario",
        "seed",
        "matcher",
        "fnir_at_fpir_0.001",
        "fnir_at_fpir_0.01",
        "passengers_per_s",
    ]
    head = "".join(f"<th>{html.escape(label(c))}</th>" for c in cols)
    body = "".join(  # one row per run: dozens
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in res.select(cols).iter_rows()
    )
    table = f"<table><tr>{head}</tr>{body}</table>" + _not_measured(bench.results)
    sections = "\n".join(
        f"<section><h2>{html.escape(name.replace('_', ' ').title())}</h2>"
        f'<p class="why">{html.escape(EXPLAIN[name])}</p><div id="vis-{name}"></div></section>'
        for name in specs
    )
    embeds = "\n".join(
        f'vegaEmbed("#vis-{n}", {json.dumps(s)}, {{"renderer": "svg", "actions": false}});'
        for n, s in specs.items()
    )
    bundle = vlc.javascript_bundle()
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>screening: the trade-offs</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}}
.why{{color:#444;max-width:700px}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 8px;text-align:right}}</style>
<script>{bundle}</script></head><body>
<h1>Watch-list screening: misses, false alerts, fairness, speed</h1>
<p>Synthetic travellers with known truth, screened by each matcher. FNIR: share of listed
travellers missed. FPIR: share of everyone else who raised an alert.</p>
{table}
{sections}
<script>{embeds}</script>
</body></html>
"""
