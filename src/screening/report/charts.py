"""The report's charts (Altair specs) from benchmark results: one function per figure,
each with a title and a description (the alt text Vega puts on the SVG), in a
colour-blind-safe palette (Okabe and Ito 2008)."""

from __future__ import annotations

import json
import math

import altair as alt
import polars as pl

from screening.evaluate.results import BenchResults

BASE_RATE = 8e-6  # listed travellers per traveller in real traffic (see the page's text)
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"]
TRUE_FALSE = alt.Scale(domain=["true hit", "false alert"], range=["#009E73", "#D55E00"])
# The evidence fields a waterfall stacks, in order (bench.EVIDENCE_FIELDS).
FIELDS = ("name", "dob", "document", "nationality", "sex", "contact")
FIELD_TITLES = {
    "name": "name",
    "dob": "date of birth",
    "document": "document",
    "nationality": "nationality",
    "sex": "sex",
    "contact": "booking contact",
}
# Score = 1 / (1 + 2^-((bits - MIDPOINT) / SLOPE)) (ScoringConfig's defaults).
MIDPOINT_BITS, BITS_PER_DOUBLING = 18.0, 3.0


def data(frame: pl.DataFrame) -> alt.InlineData:
    """Inline values (no pandas needed); dates and nulls as JSON does them."""
    return alt.InlineData(values=json.loads(frame.write_json()))


def finish(chart, title: str, description: str):
    """Title, alt text and the shared look of every figure."""
    return (
        chart.properties(title=title, description=description)
        .configure_range(category=OKABE_ITO)
        .configure_axis(labelFontSize=11, titleFontSize=12, labelOverlap=True)
        .configure_legend(labelFontSize=11, titleFontSize=12, labelLimit=240)
        .configure_title(fontSize=14, anchor="start")
        .configure_view(stroke=None)
    )


def bits_at(threshold: float) -> float:
    """The evidence (bits) at which the score reaches `threshold`."""
    t = min(max(threshold, 1e-9), 1 - 1e-9)
    return MIDPOINT_BITS + BITS_PER_DOUBLING * math.log2(t / (1 - t))


def timeline() -> alt.LayerChart:
    """When PNR and API reach the screening state (UNSCR 2396 paragraphs 11-12)."""
    events = pl.DataFrame(
        {
            "what": ["PNR (booking)", "PNR (booking)", "API (passport)"],
            "start": [-72.0, -24.0, -2.0],
            "end": [-71.0, -23.0, -0.5],
            "note": [
                "booking data, 72 h before departure",
                "booking data again, 24 h before",
                "passport data at check-in, until boarding",
            ],
        }
    )
    base = alt.Chart(data(events)).encode(
        y=alt.Y("what:N", title=None, sort=["PNR (booking)", "API (passport)"])
    )
    bars = base.mark_bar(height=16).encode(
        x=alt.X("start:Q", title="hours before departure", scale=alt.Scale(domain=[-80, 2])),
        x2="end:Q",
        color=alt.Color("what:N", legend=None),
        tooltip=["note:N"],
    )
    pnr = base.transform_filter(alt.datum.what != "API (passport)")
    api = base.transform_filter(alt.datum.what == "API (passport)")
    text = pnr.mark_text(align="left", dx=6, fontSize=11).encode(x="end:Q", text="note:N")
    text_api = api.mark_text(align="right", dx=-6, fontSize=11).encode(x="start:Q", text="note:N")
    return (bars + text + text_api).properties(width=640, height=90)


def has_evidence(examples: pl.DataFrame) -> bool:
    """Whether the examples carry per-field bits (the default matcher's do)."""
    return "bits_name" in examples.columns and examples["bits_name"].null_count() < examples.height


def waterfall(examples: pl.DataFrame) -> alt.LayerChart:
    """The evidence of one alert, field by field, up to its total, against the threshold;
    a menu picks the alert."""
    rows = examples.with_columns(pl.col(f"bits_{f}").cast(pl.Float64) for f in FIELDS)
    rows = rows.filter(pl.col("bits_name").is_not_null()).with_row_index("i")
    label = (
        pl.when("correct").then(pl.lit("true hit")).otherwise(pl.lit("false alert"))
        + ": "
        + pl.col("traveller").fill_null("?")
        + "  vs  "
        + pl.col("listed").fill_null("?")
        + " ("
        + pl.col("score").round(2).cast(pl.String)
        + ")"
    )
    rows = rows.with_columns(alert=label)
    long = rows.select(
        "alert", "i", *[pl.col(f"bits_{f}").alias(FIELD_TITLES[f]) for f in FIELDS]
    ).unpivot(index=["alert", "i"], variable_name="field", value_name="bits")
    order = {FIELD_TITLES[f]: k for k, f in enumerate(FIELDS)}
    long = (
        long.with_columns(k=pl.col("field").replace_strict(order, return_dtype=pl.Int32))
        .sort("i", "k")
        .with_columns(end=pl.col("bits").cum_sum().over("i"))
        .with_columns(start=pl.col("end") - pl.col("bits"))
    )
    totals = long.group_by("alert", "i").agg(pl.col("end").last().alias("end"))
    long = pl.concat(
        [
            long.select("alert", "field", "k", "start", "end", "bits"),
            totals.select(
                "alert",
                field=pl.lit("total"),
                k=pl.lit(len(FIELDS), pl.Int32),
                start=pl.lit(0.0),
                end="end",
                bits="end",
            ),
        ]
    ).with_columns(
        sign=pl.when(pl.col("field") == "total")
        .then(pl.lit("total"))
        .when(pl.col("bits") >= 0)
        .then(pl.lit("for"))
        .otherwise(pl.lit("against"))
    )
    options = rows["alert"].to_list()
    pick = alt.param(
        name="alert",
        value=options[0] if options else "",
        bind=alt.binding_select(options=options, name="alert "),
    )
    x = alt.X(
        "field:N",
        sort=[FIELD_TITLES[f] for f in FIELDS] + ["total"],
        title=None,
        axis=alt.Axis(labelAngle=0),
    )
    base = alt.Chart(data(long)).transform_filter(alt.datum.alert == pick)
    bars = base.mark_bar(size=38).encode(
        x=x,
        y=alt.Y("start:Q", title="evidence (bits)"),
        y2="end:Q",
        color=alt.Color(
            "sign:N",
            scale=alt.Scale(
                domain=["for", "against", "total"], range=["#0072B2", "#D55E00", "#555555"]
            ),
            title=None,
        ),
        tooltip=["field:N", alt.Tooltip("bits:Q", format="+.1f")],
    )
    values = base.mark_text(dy=-8, fontSize=11).encode(
        x=x, y="end:Q", text=alt.Text("bits:Q", format="+.1f")
    )
    line = (
        alt.Chart(data(pl.DataFrame({"bits": [bits_at(0.5)]})))
        .mark_rule(strokeDash=[6, 3], color="black")
        .encode(y="bits:Q")
    )
    line_text = (
        alt.Chart(data(pl.DataFrame({"bits": [bits_at(0.5)], "t": ["alert threshold 0.5"]})))
        .mark_text(align="left", dy=-6, x=4, fontSize=11)
        .encode(y="bits:Q", text="t:N")
    )
    return (bars + values + line + line_text).add_params(pick).properties(width=620, height=280)


def slider(curve: pl.DataFrame, examples: pl.DataFrame, mated: int) -> alt.VConcatChart:
    """The threshold in the centre: caught, missed, innocents flagged per 1,000, alerts
    per true hit at the real base rate, and example alerts above it."""
    t = alt.param(
        name="threshold",
        value=0.5,
        bind=alt.binding_range(min=0.05, max=1, step=0.01, name="threshold "),
    )
    cols = {
        "caught": "listed travellers caught",
        "missed": "listed travellers missed",
        "false_alerts_per_1000": "innocents flagged per 1,000",
        "per_hit": "alerts per true hit (real traffic)",
    }
    at = (
        alt.Chart(data(curve.select("threshold", *cols).rename(cols)))
        .transform_filter(alt.datum.threshold >= t)
        .transform_window(rank="rank()", sort=[alt.SortField("threshold", order="ascending")])
        .transform_filter(alt.datum.rank == 1)
        .transform_fold(list(cols.values()), as_=["what", "value"])
    )
    y = alt.Y("what:N", title=None, sort=list(cols.values()))
    bars = at.mark_bar().encode(
        y=y,
        x=alt.X("value:Q", title=None, scale=alt.Scale(type="symlog")),
        color=alt.Color("what:N", legend=None),
    )
    text = at.mark_text(align="left", dx=4, fontSize=12).encode(
        y=y, x="value:Q", text=alt.Text("value:Q", format=",.1f")
    )
    counts = (bars + text).add_params(t).properties(width=520, height=120)
    ex = examples.with_columns(
        truth=pl.when("correct").then(pl.lit("true hit")).otherwise(pl.lit("false alert")),
        line=pl.col("score").round(2).cast(pl.String)
        + "  "
        + pl.col("traveller").fill_null("?")
        + "  vs  "
        + pl.col("listed").fill_null("?")
        + "  -  "
        + pl.col("reason"),
    ).select("score", "truth", "line")
    rows = (
        alt.Chart(data(ex))
        .transform_filter(alt.datum.score >= t)
        .transform_window(row="row_number()", sort=[alt.SortField("score", order="ascending")])
        .transform_filter(alt.datum.row <= 8)
    )
    marks = rows.mark_text(align="left", baseline="middle", fontSize=11, limit=700).encode(
        y=alt.Y("row:O", axis=None), x=alt.value(90), text="line:N"
    )
    tags = rows.mark_text(align="left", baseline="middle", fontSize=11, fontWeight="bold").encode(
        y=alt.Y("row:O", axis=None),
        x=alt.value(0),
        text="truth:N",
        color=alt.Color("truth:N", scale=TRUE_FALSE, legend=None),
    )
    listing = (tags + marks).properties(
        width=870, height=170, title="The lowest-scoring alerts still raised at this threshold"
    )
    return alt.vconcat(counts, listing).resolve_scale(color="independent")


def det(curves: pl.DataFrame, highlight: str = "default") -> alt.LayerChart:
    """FNIR against FPIR on log axes. A rate of 0 has no place on them: it is drawn at the
    axis floor (half the smallest rate above 0 on that axis), so a matcher that misses no
    one from some threshold on (the teaching world's default) keeps its line."""
    data_ = curves.filter((pl.col("fpir") > 0) | (pl.col("fnir") > 0)).select(
        "matcher", "fpir", "fnir", "threshold"
    )
    floors = {}
    for c in ("fpir", "fnir"):
        above = data_.filter(pl.col(c) > 0)[c]
        floors[c] = float(above.min()) / 2 if len(above) else 1e-4
    data_ = data_.with_columns(
        x=pl.max_horizontal("fpir", pl.lit(floors["fpir"])),
        y=pl.max_horizontal("fnir", pl.lit(floors["fnir"])),
    )
    enc = {
        "x": alt.X(
            "x:Q", scale=alt.Scale(type="log"), title="innocents flagged (FPIR; 0 at the floor)"
        ),
        "y": alt.Y(
            "y:Q",
            scale=alt.Scale(type="log"),
            title="listed travellers missed (FNIR; 0 at the floor)",
        ),
        "color": alt.Color("matcher:N", title="matcher"),
        "strokeDash": alt.StrokeDash("matcher:N", title="matcher"),
        "tooltip": ["matcher:N", "threshold:Q", "fpir:Q", "fnir:Q"],
    }
    others = alt.Chart(data(data_.filter(pl.col("matcher") != highlight))).mark_line(
        point=True, strokeWidth=1.5
    )
    # The highlighted matcher is drawn last and thicker: it stays visible where another
    # matcher's curve coincides with it.
    mine = alt.Chart(data(data_.filter(pl.col("matcher") == highlight))).mark_line(
        point=True, strokeWidth=3.5
    )
    return (others.encode(**enc) + mine.encode(**enc)).properties(width=460, height=320)


def label_positions(
    xs: list[float], ys: list[float], width: float, height: float, y_domain: tuple[float, float]
) -> list[float]:
    """y of each point's label (data units) so that no two labels of nearby points overlap
    and no label runs over another point: labels sit beside their point and are pushed up,
    14 px a line."""
    line = 14.0 * (y_domain[1] - y_domain[0]) / height
    order = sorted(range(len(ys)), key=lambda k: (ys[k], xs[k]))
    placed: list[tuple[float, float]] = []  # (x, y) of labels already placed
    out = [0.0] * len(ys)

    def hits_point(k: int, y: float) -> bool:  # another matcher's dot under the label
        return any(
            j != k and 0 < xs[j] - xs[k] < 0.35 and abs(ys[j] - y) < line for j in range(len(xs))
        )

    for k in order:  # a handful of matchers
        y = ys[k]
        while hits_point(k, y) or any(
            abs(px - xs[k]) < 0.35 and abs(py - y) < line for px, py in placed
        ):
            y += line
        placed.append((xs[k], y))
        out[k] = y
    return out


def labelled_scatter(
    rows: pl.DataFrame,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    x_domain: tuple[float, float],
    y_domain: tuple[float, float],
) -> alt.LayerChart:
    """One dot per matcher (log x), each labelled, labels kept apart (label_positions)."""
    width, height = 460.0, 310.0
    # Label overlap is judged in log-x units relative to the plot width (0.35 ~ 1/3).
    lo, span = math.log10(x_domain[0]), math.log10(x_domain[1]) - math.log10(x_domain[0])
    xs = [3 * (math.log10(max(v, x_domain[0])) - lo) / span for v in rows[x]]
    rows = rows.with_columns(
        label_y=pl.Series(label_positions(xs, rows[y].to_list(), width, height, y_domain))
    )
    base = alt.Chart(data(rows)).encode(
        x=alt.X(
            f"{x}:Q", scale=alt.Scale(type="log", domain=list(x_domain), clamp=True), title=x_title
        )
    )
    y_scale = alt.Scale(domain=list(y_domain))
    color = alt.Color("matcher:N", legend=None)
    points = base.mark_point(filled=True, size=90).encode(
        y=alt.Y(f"{y}:Q", scale=y_scale, title=y_title),
        color=color,
        tooltip=["matcher:N", f"{y}:Q", f"{x}:Q"],
    )
    labels = base.mark_text(dx=9, align="left", baseline="middle", fontSize=12).encode(
        y=alt.Y("label_y:Q", scale=y_scale), text="matcher:N", color=color
    )
    return (points + labels).properties(width=width, height=height)


def pareto(res: pl.DataFrame) -> alt.LayerChart:
    agg = (
        res.group_by("matcher")
        .agg(pl.col("fnir_at_fpir_0.001").mean(), pl.col("passengers_per_s").mean())
        .sort("matcher")
        .with_columns(fnir=pl.col("fnir_at_fpir_0.001").fill_null(1.0))
    )
    lo, hi = float(agg["passengers_per_s"].min()), float(agg["passengers_per_s"].max())
    return labelled_scatter(
        agg,
        "passengers_per_s",
        "fnir",
        "travellers screened per second (log)",
        "missed at 1 false alert per 1,000 (1 = never that few)",
        (lo / 1.6, hi * 2.5),
        (0.0, 1.1),
    )


def privacy(res: pl.DataFrame) -> alt.LayerChart:
    """Accuracy lost against re-identification risk: each private encoding's misses and
    the share of its list a frequency attack names; the plaintext matcher at 1 (the list
    is in the clear)."""
    rows = res.filter(
        pl.col("reidentified_share").is_not_null() | (pl.col("matcher") == "default")
    ).select(
        "matcher",
        fnir=pl.col("fnir_at_fpir_0.01").fill_null(1.0),
        exposed=pl.col("reidentified_share").cast(pl.Float64).fill_null(1.0),
    )
    rows = rows.group_by("matcher").agg(pl.col("fnir", "exposed").mean()).sort("matcher")
    return labelled_scatter(
        rows,
        "exposed",
        "fnir",
        "share of list names a frequency attack re-identifies (log; 1 = in the clear)",
        "missed at 1 false alert per 100",
        (1e-5, 2.0),
        (0.0, max(1.0, float(rows["fnir"].max() or 0) * 1.1)),
    )


def with_interval(frame: pl.DataFrame, y: str, x: str, lo: str, hi: str, title: str, x_title: str):
    order = alt.EncodingSortField(field=x, op="max", order="descending")
    base = alt.Chart(data(frame)).encode(y=alt.Y(f"{y}:N", sort=order, title=None))
    bars = base.mark_bar(color=OKABE_ITO[0]).encode(x=alt.X(f"{x}:Q", title=x_title))
    err = base.mark_errorbar(color="black").encode(x=alt.X(f"{lo}:Q", title=x_title), x2=f"{hi}:Q")
    return (bars + err).properties(width=300, height=240, title=title)


def corruption(by: pl.DataFrame) -> alt.LayerChart:
    return with_interval(
        by,
        "corruption",
        "fnir",
        "fnir_low",
        "fnir_high",
        "Missed, by what changed",
        "share missed (95 % interval)",
    )


def origin(by: pl.DataFrame) -> alt.HConcatChart:
    return alt.hconcat(
        with_interval(
            by, "origin", "fpir", "fpir_low", "fpir_high", "Innocents flagged", "FPIR (95 %)"
        ),
        with_interval(
            by, "origin", "fnir", "fnir_low", "fnir_high", "Listed travellers missed", "FNIR (95 %)"
        ),
    )


def base_rate(curve: pl.DataFrame) -> alt.Chart:
    frame = curve.filter(pl.col("fpir") > 0).select("threshold", "per_hit")
    return (
        alt.Chart(data(frame))
        .mark_line(color=OKABE_ITO[0], strokeWidth=2.5)
        .encode(
            x=alt.X("threshold:Q", title="threshold"),
            y=alt.Y(
                "per_hit:Q",
                scale=alt.Scale(type="log"),
                title="alerts reviewed per true hit (log)",
            ),
            tooltip=["threshold:Q", alt.Tooltip("per_hit:Q", format=",.0f")],
        )
        .properties(width=460, height=280)
    )


def stages(stage_rows: pl.DataFrame, transitions: pl.DataFrame) -> alt.HConcatChart:
    order = ["pnr", "api", "pnr+api"]
    y = alt.Y("stage:N", sort=order, title=None)

    def bars(frame: pl.DataFrame, x: str, title: str, x_title: str, color: str, fmt=",.2f"):
        base = alt.Chart(data(frame)).encode(y=y)
        b = base.mark_bar(color=color).encode(x=alt.X(f"{x}:Q", title=x_title))
        t = base.mark_text(align="left", dx=3, fontSize=11).encode(
            x=f"{x}:Q", text=alt.Text(f"{x}:Q", format=fmt)
        )
        return (b + t).properties(width=200, height=90, title=title)

    misses = bars(
        stage_rows.select("stage", pl.col("fnir_at_fpir_0.01").alias("fnir")),
        "fnir",
        "Listed travellers missed",
        "FNIR at 1 false alert per 100",
        OKABE_ITO[0],
    )
    load = bars(
        stage_rows.select("stage", pl.col("alerted_per_1000").alias("alerted")),
        "alerted",
        "Alerts to review",
        "per 1,000 travellers at score 0.5",
        OKABE_ITO[1],
        ",.1f",
    )
    after = (
        alt.Chart(data(transitions))
        .transform_fold(["true_alerts", "false_alerts"], as_=["truth", "alerts"])
        .transform_calculate(truth="datum.truth == 'true_alerts' ? 'true hit' : 'false alert'")
        .mark_bar()
        .encode(
            y=alt.Y("outcome:N", title=None),
            x=alt.X("alerts:Q", stack="zero", title="PNR alerts (score 0.5 or more)"),
            color=alt.Color("truth:N", scale=TRUE_FALSE, title=None),
        )
        .properties(width=220, height=160, title="What the passport did to PNR alerts")
    )
    companions = bars(
        stage_rows.select("stage", pl.col("whole_booking_false_hits").alias("companions")),
        "companions",
        "Companions flagged with the booking",
        "innocent travellers",
        OKABE_ITO[3],
        ",.0f",
    )
    return alt.hconcat(alt.vconcat(misses, load), after, companions).resolve_scale(
        color="independent"
    )


def realism(table: pl.DataFrame) -> alt.LayerChart:
    within = "within 20 % or sampling noise"
    frame = table.with_columns(
        what=pl.concat_str(
            [pl.col("origin"), pl.col("kind").fill_null(""), pl.col("statistic")], separator=" "
        ).str.replace_all("  ", " "),
        within=pl.when(pl.col("ok")).then(pl.lit(within)).otherwise(pl.lit("outside")),
    ).select("what", "ratio", "within", "world", "reference", "noise")
    band = (
        alt.Chart(data(pl.DataFrame({"lo": [0.8], "hi": [1.2]})))
        .mark_rect(opacity=0.15, color="grey")
        .encode(x="lo:Q", x2="hi:Q")
    )
    dots = (
        alt.Chart(data(frame))
        .mark_point(filled=True, size=45)
        .encode(
            x=alt.X(
                "ratio:Q", title="generated / published", scale=alt.Scale(domain=[0, 2], clamp=True)
            ),
            y=alt.Y("what:N", sort=None, title=None),
            color=alt.Color(
                "within:N",
                scale=alt.Scale(domain=[within, "outside"], range=["#0072B2", "#D55E00"]),
                title=None,
            ),
            tooltip=["what:N", "world:Q", "reference:Q", "ratio:Q", "noise:Q"],
        )
    )
    return (band + dots).properties(width=420)


def curve_of(bench: BenchResults, matcher: str, run: pl.Expr, mated: int) -> pl.DataFrame:
    """One matcher's threshold curve with counts and the real-traffic review load."""
    return bench.curves.filter(run & (pl.col("matcher") == matcher)).with_columns(
        caught=(mated * (1 - pl.col("fnir"))).round(0),
        missed=(mated * pl.col("fnir")).round(0),
        per_hit=((1 - BASE_RATE) * pl.col("fpir") / (BASE_RATE * (1 - pl.col("fnir")))),
    )
