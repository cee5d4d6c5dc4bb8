"""Charts of a run or a sweep: pure functions from tables to plotly figures, in English or Chinese.

Daily quantities are drawn per plan as the median over replicates with the 10–90% band; money
and posting as weekly bars with 10–90% whiskers (daily values saw-tooth with the calendar), and
profit cumulatively (one bad week would otherwise flatten every other plan's bars). Up to
`DISTINCT` plans get a colour each; beyond, the baseline and the best plan are drawn in colour
and the others thin and grey. A plan far outside the others (`OUTLIER`) does not set the axis:
the axis is clipped to the others and a note names it. A members line ends where half of the
plan's runs have died. Run charts carry no title: the report and the deck state it as text
(`Chart`). Fonts name a CJK family first, so Chinese draws as glyphs wherever one is installed.
"""

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import hex_to_rgb, qualitative

from experiments.outputs.formatting import (
    axis,
    format_value,
    format_values,
    metric_unit,
    unit_name,
)
from experiments.outputs.i18n import Lang, label, text
from experiments.running.metrics import Unit
from experiments.running.storage import Results

COLOURS = qualitative.Dark24
FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
"""A CJK-capable family first (Debian: fonts-noto-cjk), then the platforms' own."""
DASHES = ("solid", "dash", "dot", "dashdot")
"""Survival lines often coincide (all alive): dashes keep each visible."""
DISTINCT = 5
"""Up to this many plans each get a colour; beyond, only the baseline and the best do."""
BASELINE_COLOUR, BEST_COLOUR, OTHER_COLOUR = "#1F4E9C", "#D62728", "#BBBBBB"
OUTLIER = 2.5
"""A plan whose largest |median| exceeds this many times every other plan's is clipped off."""
ALIVE_LINE = 0.5
"""A members line ends on the last day at least this share of the plan's runs are alive."""


@dataclass(frozen=True)
class Chart:
    """A run chart: `fig` has no title; `title` says what is drawn and `note` how to read it
    (bands, a clipped axis, plans left out). `empty` says why there is nothing to show (a deck
    leaves such a chart out), else None."""

    fig: go.Figure
    title: str
    note: str
    empty: str | None = None


@dataclass(frozen=True)
class Style:
    colour: str
    width: float
    band: bool
    legend: bool
    name: str
    dash: str = "solid"


def styles(plans: list[str], baseline: str, best: str, lang: Lang) -> dict[str, Style]:
    """One style per plan: a colour each up to `DISTINCT` plans; beyond, the baseline and the
    best in colour with bands, the others thin grey lines out of the legend (`grey_note`)."""
    if len(plans) <= DISTINCT:
        return {p: Style(plan_colour(i), 3, True, True, p, DASHES[i % len(DASHES)])
                for i, p in enumerate(plans)}
    out, others = {}, [p for p in plans if p not in (baseline, best)]
    for p in plans:
        if p == baseline:
            out[p] = Style(BASELINE_COLOUR, 3.5, True, True,
                           text("baseline_name", lang, plan=p), "dash")
        elif p == best:
            out[p] = Style(BEST_COLOUR, 4, True, True, text("best_name", lang, plan=p))
        else:
            out[p] = Style(OTHER_COLOUR, 1.5, False, False, p)
    return out


def grey_note(plans: list[str], lang: Lang) -> list[str]:
    """The note that grey lines are the other plans, when `styles` greys some."""
    return [text("grey_others", lang, n=len(plans) - 2)] if len(plans) > DISTINCT else []


def plan_colour(i: int, alpha: float | None = None) -> str:
    """The colour of the `i`-th plan (or portfolio) of a chart, as "#rrggbb", or as
    "rgba(r, g, b, alpha)" with `alpha` (0–1)."""
    colour = COLOURS[i % len(COLOURS)]
    return _alpha(colour, alpha) if alpha is not None else colour


def _alpha(colour: str, alpha: float) -> str:
    return "rgba({}, {}, {}, {})".format(*hex_to_rgb(colour), alpha)


def style_figure(fig: go.Figure, x_title: str, y_title: str, title: str | None = None,
                 note: str | None = None) -> go.Figure:
    """Fonts, margins and axis titles of every chart (run, sweep and portfolio charts); a title
    only where one is given (sweep charts). Returns `fig`, changed in place."""
    fig.update_layout(
        font={"family": FONT, "size": 15},
        template="plotly_white",
        height=480,
        margin={"l": 80, "r": 20, "t": 90 if title else 20, "b": 60},
        legend={"font_size": 14, "tracegroupgap": 0},  # legend groups: no gaps between plans
        hovermode="x unified",
    )
    if title:
        fig.update_layout(title={"text": f"{title}<br><sup>{note}</sup>", "font_size": 24})
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title)
    return fig


def yuan_axis(fig: go.Figure, which: str = "y") -> None:
    """Ticks as 1,200 and −1,200 on a money axis, whose title names the unit (see
    `formatting.axis`)."""
    unit_axis(fig, "money", which=which)


def unit_axis(fig: go.Figure, unit: Unit, values=(), which: str = "y") -> None:
    """Ticks of `fig`'s `which` axis ("y", "x", or "colour" for a heat map's colour bar) in
    `unit` (`formatting.axis`: shares as %, money and counts as grouped digits, counts on whole
    numbers over the drawn `values`); the same for every chart of a sweep, plan or portfolio."""
    settings = axis(unit, list(values))
    if which == "colour":
        settings.pop("hoverformat", None)  # a colour bar has no hover, its range is the data's
        settings.pop("range", None)
        for trace in fig.data:  # a heat map's own bar, or coloured markers'
            (trace if trace.type == "heatmap" else trace.marker).colorbar.update(settings)
    else:
        (fig.update_yaxes if which == "y" else fig.update_xaxes)(**settings)


def _axis_title(metric: str, lang: Lang, called: str | None = None) -> str:
    """The metric's label (`called`, else the registry's), with its unit when the ticks do not
    show it: "gross profit (yuan)"."""
    name, called = unit_name(metric_unit(metric), lang), called or label(metric, lang)
    return f"{called} ({name})" if name else called


def _plans(table: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(table["plan"]))


def quantile_band(table: pd.DataFrame, column: str, by: str = "day") -> pd.DataFrame:
    """Per plan and `by` (day or week): the 10%, 50% and 90% quantiles of `column` over
    replicates (float32, which halves the report's size)."""
    grouped = table.groupby(["plan", by], sort=False)[column]
    band = grouped.quantile([0.1, 0.5, 0.9]).unstack().astype("float32")
    band.columns = ["p10", "median", "p90"]
    return band.reset_index()


def per_week(daily: pd.DataFrame, column: str, how: str = "sum") -> pd.DataFrame:
    """Per plan, replicate and week (1-based): the week's `how` (sum, mean, last) of `column`."""
    weeks = daily.assign(week=daily["day"] // 7 + 1)
    return weeks.groupby(["plan", "replicate", "week"], sort=False)[column].agg(how).reset_index()


def survival(summary: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """Per plan and day 0..horizon: the share of replicates alive (day < lifetime, or alive at
    the end)."""
    rows = [
        {"plan": plan, "day": day,
         "alive": float(((runs["lifetime_days"] > day) | runs["alive_at_end"]).mean())}
        for plan, runs in summary.groupby("plan", sort=False)
        for day in range(horizon_days + 1)
    ]
    return pd.DataFrame(rows).astype({"alive": "float32"})


def _best(table: pd.DataFrame, column: str, by: str) -> str:
    """The plan with the highest `column` at the last `by` (ties: the first plan)."""
    last = table[table[by] == table[by].max()]
    return str(last.set_index("plan")[column].astype(float).idxmax())


def clipped_range(band: pd.DataFrame, lang: Lang, metric: str,
                  keep: tuple[str, ...]) -> tuple[list[float] | None, str]:
    """An axis range that leaves out a plan whose |median| is more than `OUTLIER` times every
    other plan's (three plans or more, and not one of `keep`: the baseline and the best are the
    story), and the note naming it; (None, "") when there is none."""
    extent = band.assign(size=band["median"].abs()).groupby("plan", sort=False)["size"].max()
    if len(extent) < 3:
        return None, ""
    ordered = extent.sort_values(ascending=False)
    outlier = str(ordered.index[0])
    if outlier in keep or ordered.iloc[1] <= 0 or ordered.iloc[0] <= OUTLIER * ordered.iloc[1]:
        return None, ""
    rest = band[band["plan"] != outlier]
    low, high = min(0.0, float(rest["p10"].min())), max(0.0, float(rest["p90"].max()))
    pad = 0.08 * (high - low or 1.0)
    rows = band[band["plan"] == outlier]
    extreme = rows["median"].iloc[int(rows["median"].abs().to_numpy().argmax())]
    return [low - pad, high + pad], text("clipped", lang, plan=outlier,
                                         value=format_value(metric, float(extreme), lang))


def survival_chart(summary: pd.DataFrame, horizon_days: int, baseline: str,
                   lang: Lang = "en") -> Chart:
    """Share of replicates alive per day 0..`horizon_days`, one step line per plan. `summary`:
    one row per replicate with `plan`, `lifetime_days`, `alive_at_end`."""
    fig = go.Figure()
    table = survival(summary, horizon_days)
    look = styles(_plans(table), baseline, _best(table, "alive", "day"), lang)
    for plan in _plans(table):
        rows, st = table[table["plan"] == plan], look[plan]
        fig.add_scatter(x=rows["day"], y=rows["alive"], name=st.name, mode="lines",
                        line_shape="hv", showlegend=st.legend,
                        line={"color": st.colour, "width": st.width, "dash": st.dash})
    style_figure(fig, text("day", lang), text("survival_axis", lang))
    fig.update_xaxes(tick0=0, dtick=7, range=[0, horizon_days])
    fig.update_yaxes(range=[0, 1.03], tickformat=".0%")
    notes = [text("survival_note", lang), *grey_note(_plans(table), lang)]
    return Chart(fig, text("survival", lang), "; ".join(notes))


def band_chart(table: pd.DataFrame, column: str, title: str, y_title: str, baseline: str,
               lang: Lang = "en", from_zero: bool = True, money: bool = False, by: str = "day",
               alive: pd.DataFrame | None = None) -> Chart:
    """Median and 10–90% band of `column` per plan and day (or week, `by="week"`).

    `from_zero=False` lets the axis fit the data where the differences are the point (trust).
    `alive` (plan, day, share of runs alive) ends each line where the share falls below
    `ALIVE_LINE`, with a ✕ on its last day. The chart is empty when every median is zero.
    """
    fig = go.Figure()
    band = quantile_band(table, column, by)
    notes = [text("band", lang)]
    if alive is not None:
        band = band.merge(alive, on=["plan", by])
        ended = band.groupby("plan", sort=False)["alive"].min() < ALIVE_LINE
        band = band[band["alive"] >= ALIVE_LINE]
        if ended.any():
            notes.append(text("line_ends", lang, share=f"{ALIVE_LINE:.0%}"))
    else:
        ended = pd.Series(False, index=_plans(band))
    if band.empty or not band["median"].to_numpy().any():
        return Chart(fig, title, text("band", lang), text("nothing", lang, what=title))
    best = _best(band, "median", by)
    look = styles(_plans(band), baseline, best, lang)
    notes += grey_note(_plans(band), lang)
    for plan in _plans(band):
        rows, st = band[band["plan"] == plan], look[plan]
        if st.band:
            for edge, fill in (("p90", None), ("p10", "tonexty")):
                fig.add_scatter(x=rows[by], y=rows[edge], mode="lines", line_width=0, fill=fill,
                                fillcolor=_alpha(st.colour, 0.15), legendgroup=plan,
                                showlegend=False, hoverinfo="skip")
        fig.add_scatter(x=rows[by], y=rows["median"], mode="lines", name=st.name,
                        legendgroup=plan, showlegend=st.legend,
                        line={"color": st.colour, "width": st.width})
        if ended.get(plan, False):
            fig.add_scatter(x=rows[by].iloc[-1:], y=rows["median"].iloc[-1:], mode="markers",
                            marker={"symbol": "x", "size": 14, "color": st.colour},
                            legendgroup=plan, showlegend=False, hoverinfo="skip")
    y_range, clipped = clipped_range(band, lang, "gross_profit" if money else column,
                                     (baseline, best))
    if clipped:
        notes.append(clipped)
        fig.update_yaxes(range=y_range)
    style_figure(fig, text(by, lang), y_title)
    fig.update_xaxes(tick0=0, dtick=7 if by == "day" else 1, rangemode="tozero")
    if not clipped:
        fig.update_yaxes(rangemode="tozero" if from_zero else "normal")
    if money:
        yuan_axis(fig)
    return Chart(fig, title, "; ".join(notes))


def weekly_bar_chart(daily: pd.DataFrame, column: str, how: str, title: str, y_title: str,
                     baseline: str, lang: Lang = "en", money: bool = False) -> Chart:
    """Weekly bars per plan: median over replicates, whiskers from 10% to 90%. Plans whose
    every weekly median is zero get no slot (the note names them), and the chart is empty when
    that is every plan; beyond `DISTINCT` plans the baseline
    and the plans of the highest totals are drawn, `DISTINCT` in all."""
    fig = go.Figure()
    table = quantile_band(per_week(daily, column, how), column, "week")
    size = table.assign(size=table["median"].abs()).groupby("plan", sort=False)["size"].sum()
    zero = [p for p in _plans(table) if size[p] == 0]
    table = table[~table["plan"].isin(zero)]
    if table.empty:
        return Chart(fig, title, text("bars", lang), text("nothing", lang, what=title))
    notes = [text("bars", lang)]
    if zero:
        notes.append(text("zero_plans", lang, plans=", ".join(zero)))
    plans = _plans(table)
    if len(plans) > DISTINCT:
        totals = table.groupby("plan", sort=False)["median"].sum().sort_values(ascending=False,
                                                                               kind="stable")
        top = [p for p in totals.index if p != baseline][:DISTINCT - (baseline in plans)]
        notes.append(text("bars_shown" if baseline in plans else "bars_top", lang,
                          shown=len(top), n=len(plans) - DISTINCT))
        plans = [p for p in plans if p == baseline or p in top]
    best = _best(table.assign(total=table.groupby("plan")["median"].transform("sum")), "total",
                 "week")
    look = styles(plans, baseline, best, lang)
    for plan in plans:
        rows, st = table[table["plan"] == plan], look[plan]
        name = text("baseline_name", lang, plan=plan) if plan == baseline and len(
            plans) < len(_plans(table)) else plan
        fig.add_bar(x=rows["week"], y=rows["median"], marker_color=st.colour, name=name,
                    error_y={"type": "data", "symmetric": False,
                             "array": rows["p90"] - rows["median"],
                             "arrayminus": rows["median"] - rows["p10"],
                             "color": "#444", "thickness": 1.2})
    y_range, clipped = clipped_range(table[table["plan"].isin(plans)], lang,
                                     "gross_profit" if money else column, (baseline, best))
    if clipped:
        notes.append(clipped)
        fig.update_yaxes(range=y_range)
    style_figure(fig, text("week", lang), y_title)
    fig.update_layout(barmode="group", bargap=0.2, showlegend=True)
    fig.update_xaxes(dtick=1)
    if money:
        yuan_axis(fig)
    return Chart(fig, title, "; ".join(notes))


def alive_share(daily: pd.DataFrame) -> pd.DataFrame:
    """Per plan and day: the share of runs whose group is alive (the daily `alive` column)."""
    return daily.groupby(["plan", "day"], sort=False)["alive"].mean().rename("alive").reset_index()


def members_chart(daily: pd.DataFrame, baseline: str, lang: Lang = "en") -> Chart:
    """Members at the end of each day (median, 10–90% band; a line ends where too few runs
    are alive). `daily`: one row per plan, replicate and day."""
    return band_chart(daily, "members", text("members", lang), text("members_axis", lang),
                      baseline, lang, alive=alive_share(daily))


def weekly_gmv_chart(daily: pd.DataFrame, baseline: str, lang: Lang = "en") -> Chart:
    """GMV per week in yuan (bars: median; whiskers: 10–90% of replicates)."""
    return weekly_bar_chart(daily, "gmv", "sum", text("weekly_gmv", lang),
                            text("money_week_axis", lang), baseline, lang, money=True)


def weekly_profit_chart(daily: pd.DataFrame, baseline: str, lang: Lang = "en") -> Chart:
    """Gross profit per week in yuan: the daily `gross_profit` column `sim.metrics.daily_table`
    computes, summed (bars: median; whiskers: 10–90% of replicates)."""
    return weekly_bar_chart(daily, "gross_profit", "sum", text("weekly_profit", lang),
                            text("money_week_axis", lang), baseline, lang, money=True)


def cumulative_profit_chart(daily: pd.DataFrame, baseline: str, lang: Lang = "en") -> Chart:
    """Gross profit to the end of each week (the daily `gross_profit` of `sim.metrics`)."""
    weeks = per_week(daily, "gross_profit")
    weeks["gross_profit"] = weeks.groupby(["plan", "replicate"], sort=False)["gross_profit"].cumsum()
    chart = band_chart(weeks, "gross_profit", text("cumulative_profit", lang),
                       text("money_axis", lang), baseline, lang, from_zero=False, money=True,
                       by="week")
    chart.fig.add_hline(y=0, line_color="#888", line_width=1)
    return chart


def weekly_posters_chart(daily: pd.DataFrame, baseline: str, lang: Lang = "en") -> Chart:
    """`weekly_posters` counts the members who talked in the 7 days up to a day: its value on a
    week's last day counts that week."""
    return weekly_bar_chart(daily, "weekly_posters", "last", text("weekly_posters", lang),
                            text("posters_axis", lang), baseline, lang)


def trust_chart(daily: pd.DataFrame, baseline: str, lang: Lang = "en") -> Chart:
    """Mean trust (0–1) of current members per day (median, 10–90% band)."""
    return band_chart(daily, "mean_trust", text("trust", lang), text("trust_axis", lang),
                      baseline, lang, from_zero=False)


def sentiment_chart(daily: pd.DataFrame, baseline: str, lang: Lang = "en") -> Chart:
    """Mean sentiment of current members per day (median, 10–90% band)."""
    return band_chart(daily, "mean_sentiment", text("sentiment", lang),
                      text("sentiment_axis", lang), baseline, lang, from_zero=False)


def run_charts(results: Results, lang: Lang = "en") -> dict[str, Chart]:
    """The charts of a run or comparison, by file name, in the order a deck shows them;
    `results.baseline` is drawn highlighted when there are more than `DISTINCT` plans."""
    baseline = results.baseline
    horizon = max(plan.horizon_days for plan in results.plans)
    daily = results.daily
    return {
        "survival": survival_chart(results.summary, horizon, baseline, lang),
        "members": members_chart(daily, baseline, lang),
        "weekly_gmv": weekly_gmv_chart(daily, baseline, lang),
        "weekly_profit": weekly_profit_chart(daily, baseline, lang),
        "cumulative_profit": cumulative_profit_chart(daily, baseline, lang),
        "weekly_posters": weekly_posters_chart(daily, baseline, lang),
        "trust": trust_chart(daily, baseline, lang),
        "sentiment": sentiment_chart(daily, baseline, lang),
    }


# Sweeps: `points` has one row per point, a column per varied lever and `<metric>_median`,
# `<metric>_p10`, `<metric>_p90` per summary metric (the layout `groupsim sweep` writes).

LEVELS = 8
"""A lever with more values than this (lhs and sobol designs) is read in this many bins."""


def _levels(points: pd.DataFrame, levers: list[str]) -> pd.DataFrame:
    """Points with each sampled lever replaced by the middle of its bin, so that points can be
    grouped by lever value whatever the design."""
    out = points.copy()
    for lever in levers:
        if out[lever].nunique() > LEVELS:
            bins = pd.cut(out[lever], LEVELS)
            out[lever] = bins.map(lambda interval: interval.mid).astype(float)
    return out


def response_chart(points: pd.DataFrame, lever: str, metric: str, lang: Lang = "en",
                   called: str | None = None) -> go.Figure:
    """The metric's median (10–90% band) against one lever, over the points' other levers;
    `called` is its label (default: the registry's; a portfolio's outcomes have their own)."""
    called = called or label(metric, lang)
    by = _levels(points, [lever]).groupby(lever)[[f"{metric}_median", f"{metric}_p10", f"{metric}_p90"]].median()
    fig = go.Figure()
    fig.add_scatter(x=by.index, y=by[f"{metric}_p90"], mode="lines", line_width=0,
                    showlegend=False, hoverinfo="skip")
    fig.add_scatter(x=by.index, y=by[f"{metric}_p10"], mode="lines", line_width=0,
                    fill="tonexty", fillcolor=plan_colour(0, 0.15), showlegend=False,
                    hoverinfo="skip")
    fig.add_scatter(x=by.index, y=by[f"{metric}_median"], mode="lines+markers",
                    name=called, line={"color": plan_colour(0), "width": 3})
    style_figure(fig, lever, _axis_title(metric, lang, called),
                 text("response", lang, metric=called, lever=lever),
                 text("band", lang))
    unit_axis(fig, metric_unit(metric), by.to_numpy().ravel())
    lever_axis(fig, points[lever])
    return fig


LEVER_TICKS = 12
"""A lever swept at up to this many values ticks at exactly those (no tick at 3 copies between
2 and 4 that were run)."""


def lever_axis(fig: go.Figure, values: pd.Series) -> None:
    """A lever's axis: ticks at its swept values when there are few (`LEVER_TICKS`), else a
    whole-numbered lever (copies, members) ticks on whole numbers: no 2.5 copies."""
    swept = sorted(values.dropna().unique())
    if pd.api.types.is_numeric_dtype(values) and 1 < len(swept) <= LEVER_TICKS:
        fig.update_xaxes(tickmode="array", tickvals=swept)
    elif pd.api.types.is_integer_dtype(values):
        unit_axis(fig, "count", values, "x")


def heatmap_chart(points: pd.DataFrame, x: str, y: str, metric: str, lang: Lang = "en",
                  called: str | None = None) -> go.Figure:
    """The metric's median per pair of values of levers `x` and `y` (columns of `points`,
    binned when sampled), cells labelled with formatted values; `called` as `response_chart`.
    Raises KeyError when `points` lacks `<metric>_median`."""
    grid = _levels(points, [x, y]).pivot_table(index=y, columns=x, values=f"{metric}_median", aggfunc="median")
    cells = [[format_value(metric, v, lang) for v in row] for row in grid.to_numpy()]
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=grid.columns, y=grid.index, text=cells,
                               texttemplate="%{text}", colorscale="Viridis"))
    style_figure(fig, x, y, text("heatmap", lang, metric=called or label(metric, lang), x=x, y=y),
                 text("median_note", lang))
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category")
    unit_axis(fig, metric_unit(metric), grid.to_numpy().ravel(), "colour")
    return fig


def tornado_chart(points: pd.DataFrame, levers: list[str], metric: str,
                  lang: Lang = "en", called: str | None = None) -> go.Figure:
    """Per lever: the median at its lowest and highest value (over the other levers), as a bar
    from the low end; the widest swing on top; `called` as `response_chart`."""
    column = f"{metric}_median"
    points = _levels(points, levers)
    rows = []
    for lever in levers:
        by = points.groupby(lever)[column].median()
        rows.append({"lever": lever, "low": by.iloc[0], "high": by.iloc[-1],
                     "swing": abs(by.iloc[-1] - by.iloc[0])})
    table = pd.DataFrame(rows).sort_values("swing")
    base = table["low"]
    fig = go.Figure(go.Bar(
        y=table["lever"], x=table["high"] - base, base=base, orientation="h",
        marker_color=[plan_colour(0) if d >= 0 else plan_colour(1) for d in table["high"] - base],
        text=[" → ".join(format_values(metric, [lo, hi], lang))
              for lo, hi in zip(table["low"], table["high"])],
        textposition="outside", cliponaxis=False, constraintext="none",
    ))
    style_figure(fig, _axis_title(metric, lang, called), "",
                 text("tornado", lang, metric=called or label(metric, lang)),
                 text("tornado_note", lang))
    fig.update_layout(hovermode="closest", margin_r=220)
    unit_axis(fig, metric_unit(metric), [*table["low"], *table["high"]], "x")
    return fig
