"""Charts of a run or a sweep: pure functions from tables to plotly figures, in English or Chinese.

Daily quantities are drawn per plan as the median over replicates with the 10–90% band; money
and posting as weekly bars with 10–90% whiskers (daily values saw-tooth with the calendar). One
colour per plan throughout. Fonts are large enough for a 1920×1080 slide and name a CJK family
first, so Chinese titles and plan names draw as glyphs wherever such a font is installed.
"""

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import hex_to_rgb, qualitative

from experiments.outputs.formatting import axis, format_value, unit_name
from experiments.outputs.i18n import Lang, label, text, unit
from experiments.running.storage import Results

COLOURS = qualitative.Dark24
FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
"""A CJK-capable family first (Debian: fonts-noto-cjk), then the platforms' own."""
DASHES = ("solid", "dash", "dot", "dashdot")
"""Survival lines often coincide (all alive): dashes keep each visible."""


def _colour(i: int, alpha: float | None = None) -> str:
    colour = COLOURS[i % len(COLOURS)]
    return colour if alpha is None else "rgba({}, {}, {}, {})".format(*hex_to_rgb(colour), alpha)


def _layout(fig: go.Figure, title: str, note: str, x_title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title={"text": f"{title}<br><sup>{note}</sup>", "font_size": 24},
        font={"family": FONT, "size": 15},
        template="plotly_white",
        height=480,
        margin={"l": 80, "r": 20, "t": 90, "b": 60},
        legend={"font_size": 14, "tracegroupgap": 0},  # legend groups: no gaps between plans
        hovermode="x unified",
    )
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title)
    return fig


def yuan_axis(fig: go.Figure, which: str = "y") -> None:
    """Ticks as 1,200 and −1,200 on a money axis, whose title names the unit (see
    `formatting.axis`)."""
    update = fig.update_yaxes if which == "y" else fig.update_xaxes
    update(**axis("money"))


def _axis_title(metric: str, lang: Lang) -> str:
    """The metric's label, with its unit when the ticks do not show it: "gross profit (yuan)"."""
    name = unit_name(unit(metric), lang)
    return f"{label(metric, lang)} ({name})" if name else label(metric, lang)


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


def survival_chart(summary: pd.DataFrame, horizon_days: int, lang: Lang = "en") -> go.Figure:
    """Share of replicates alive per day 0..`horizon_days`, one step line per plan. `summary`:
    one row per replicate with `plan`, `lifetime_days`, `alive_at_end`."""
    fig = go.Figure()
    table = survival(summary, horizon_days)
    for i, plan in enumerate(_plans(table)):
        rows = table[table["plan"] == plan]
        fig.add_scatter(x=rows["day"], y=rows["alive"], name=plan, mode="lines", line_shape="hv",
                        line={"color": _colour(i), "width": 3, "dash": DASHES[i % len(DASHES)]})
    _layout(fig, text("survival", lang), text("survival_note", lang), text("day", lang),
            text("survival_axis", lang))
    fig.update_xaxes(tick0=0, dtick=7, range=[0, horizon_days])
    fig.update_yaxes(range=[0, 1.03], tickformat=".0%")
    return fig


def band_chart(table: pd.DataFrame, column: str, title: str, y_title: str, lang: Lang = "en",
               from_zero: bool = True, money: bool = False, by: str = "day") -> go.Figure:
    """Median and 10–90% band of `column` per plan and day (or week, `by="week"`).

    `from_zero=False` lets the axis fit the data where the differences are the point (trust).
    """
    fig = go.Figure()
    band = quantile_band(table, column, by)
    for i, plan in enumerate(_plans(band)):
        rows = band[band["plan"] == plan]
        for edge, fill in (("p90", None), ("p10", "tonexty")):
            fig.add_scatter(x=rows[by], y=rows[edge], mode="lines", line_width=0, fill=fill,
                            fillcolor=_colour(i, 0.15), legendgroup=plan, showlegend=False,
                            hoverinfo="skip")
        fig.add_scatter(x=rows[by], y=rows["median"], mode="lines", name=plan, legendgroup=plan,
                        line={"color": _colour(i), "width": 3})
    _layout(fig, title, text("band", lang), text(by, lang), y_title)
    fig.update_xaxes(tick0=0, dtick=7 if by == "day" else 1, rangemode="tozero")
    fig.update_yaxes(rangemode="tozero" if from_zero else "normal")
    if money:
        yuan_axis(fig)
    return fig


def weekly_bar_chart(daily: pd.DataFrame, column: str, how: str, title: str, y_title: str,
                     lang: Lang = "en", money: bool = False) -> go.Figure:
    """Weekly bars per plan: median over replicates, whiskers from 10% to 90%."""
    fig = go.Figure()
    table = quantile_band(per_week(daily, column, how), column, "week")
    for i, plan in enumerate(_plans(table)):
        rows = table[table["plan"] == plan]
        fig.add_bar(x=rows["week"], y=rows["median"], name=plan, marker_color=_colour(i),
                    error_y={"type": "data", "symmetric": False,
                             "array": rows["p90"] - rows["median"],
                             "arrayminus": rows["median"] - rows["p10"],
                             "color": "#444", "thickness": 1.2})
    _layout(fig, title, text("bars", lang), text("week", lang), y_title)
    fig.update_layout(barmode="group", bargap=0.2)
    fig.update_xaxes(dtick=1)
    if money:
        yuan_axis(fig)
    return fig


def members_chart(daily: pd.DataFrame, lang: Lang = "en") -> go.Figure:
    """Members at the end of each day (median, 10–90% band). `daily`: one row per plan,
    replicate and day."""
    return band_chart(daily, "members", text("members", lang), text("members_axis", lang), lang)


def weekly_gmv_chart(daily: pd.DataFrame, lang: Lang = "en") -> go.Figure:
    """GMV per week in yuan (bars: median; whiskers: 10–90% of replicates)."""
    return weekly_bar_chart(daily, "gmv", "sum", text("weekly_gmv", lang),
                            text("money_week_axis", lang), lang, money=True)


def weekly_profit_chart(daily: pd.DataFrame, lang: Lang = "en") -> go.Figure:
    """`gross_profit` is the daily column `sim.metrics.daily_table` computes."""
    return weekly_bar_chart(daily, "gross_profit", "sum", text("weekly_profit", lang),
                            text("money_week_axis", lang), lang, money=True)


def cumulative_profit_chart(daily: pd.DataFrame, lang: Lang = "en") -> go.Figure:
    """Gross profit to the end of each week (the daily `gross_profit` of `sim.metrics`)."""
    weeks = per_week(daily, "gross_profit")
    weeks["gross_profit"] = weeks.groupby(["plan", "replicate"], sort=False)["gross_profit"].cumsum()
    fig = band_chart(weeks, "gross_profit", text("cumulative_profit", lang),
                     text("money_axis", lang), lang, from_zero=False, money=True, by="week")
    fig.add_hline(y=0, line_color="#888", line_width=1)
    return fig


def weekly_posters_chart(daily: pd.DataFrame, lang: Lang = "en") -> go.Figure:
    """`weekly_posters` counts the members who talked in the 7 days up to a day: its value on a
    week's last day counts that week."""
    return weekly_bar_chart(daily, "weekly_posters", "last", text("weekly_posters", lang),
                            text("posters_axis", lang), lang)


def trust_chart(daily: pd.DataFrame, lang: Lang = "en") -> go.Figure:
    """Mean trust (0–1) of current members per day (median, 10–90% band)."""
    return band_chart(daily, "mean_trust", text("trust", lang), text("trust_axis", lang), lang,
                      from_zero=False)


def sentiment_chart(daily: pd.DataFrame, lang: Lang = "en") -> go.Figure:
    """Mean sentiment of current members per day (median, 10–90% band)."""
    return band_chart(daily, "mean_sentiment", text("sentiment", lang),
                      text("sentiment_axis", lang), lang, from_zero=False)


def run_charts(results: Results, lang: Lang = "en") -> dict[str, go.Figure]:
    """The charts of a run or comparison, by file name, in the order a deck shows them."""
    horizon = max(plan.horizon_days for plan in results.plans)
    daily = results.daily
    return {
        "survival": survival_chart(results.summary, horizon, lang),
        "members": members_chart(daily, lang),
        "weekly_gmv": weekly_gmv_chart(daily, lang),
        "weekly_profit": weekly_profit_chart(daily, lang),
        "cumulative_profit": cumulative_profit_chart(daily, lang),
        "weekly_posters": weekly_posters_chart(daily, lang),
        "trust": trust_chart(daily, lang),
        "sentiment": sentiment_chart(daily, lang),
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


def response_chart(points: pd.DataFrame, lever: str, metric: str, lang: Lang = "en") -> go.Figure:
    """The metric's median (10–90% band) against one lever, over the points' other levers."""
    by = _levels(points, [lever]).groupby(lever)[[f"{metric}_median", f"{metric}_p10", f"{metric}_p90"]].median()
    fig = go.Figure()
    fig.add_scatter(x=by.index, y=by[f"{metric}_p90"], mode="lines", line_width=0,
                    showlegend=False, hoverinfo="skip")
    fig.add_scatter(x=by.index, y=by[f"{metric}_p10"], mode="lines", line_width=0,
                    fill="tonexty", fillcolor=_colour(0, 0.15), showlegend=False,
                    hoverinfo="skip")
    fig.add_scatter(x=by.index, y=by[f"{metric}_median"], mode="lines+markers",
                    name=label(metric, lang), line={"color": _colour(0), "width": 3})
    _layout(fig, text("response", lang, metric=label(metric, lang), lever=lever),
            text("band", lang), lever, _axis_title(metric, lang))
    if unit(metric) == "money":
        yuan_axis(fig)
    return fig


def heatmap_chart(points: pd.DataFrame, x: str, y: str, metric: str, lang: Lang = "en") -> go.Figure:
    """The metric's median per pair of values of levers `x` and `y` (columns of `points`,
    binned when sampled), cells labelled with formatted values. Raises KeyError when `points`
    lacks `<metric>_median`."""
    grid = _levels(points, [x, y]).pivot_table(index=y, columns=x, values=f"{metric}_median", aggfunc="median")
    cells = [[format_value(metric, v, lang) for v in row] for row in grid.to_numpy()]
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=grid.columns, y=grid.index, text=cells,
                               texttemplate="%{text}", colorscale="Viridis"))
    _layout(fig, text("heatmap", lang, metric=label(metric, lang), x=x, y=y),
            text("median_note", lang), x, y)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category")
    return fig


def tornado_chart(points: pd.DataFrame, levers: list[str], metric: str,
                  lang: Lang = "en") -> go.Figure:
    """Per lever: the median at its lowest and highest value (over the other levers), as a bar
    from the low end; the widest swing on top."""
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
        marker_color=[_colour(0) if d >= 0 else _colour(1) for d in table["high"] - base],
        text=[f"{format_value(metric, lo, lang)} → {format_value(metric, hi, lang)}"
              for lo, hi in zip(table["low"], table["high"])],
        textposition="outside", cliponaxis=False, constraintext="none",
    ))
    _layout(fig, text("tornado", lang, metric=label(metric, lang)), text("tornado_note", lang),
            _axis_title(metric, lang), "")
    fig.update_layout(hovermode="closest", margin_r=220)
    if unit(metric) == "money":
        yuan_axis(fig, "x")
    return fig
