"""The report of a sweep: each metric against each lever, a heat map for two levers, the best
points. Charts are pure functions of the points table (see `experiments.analyses.sweep.point_table`);
the page is offline, with plotly.js inlined once."""

from html import escape
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import hex_to_rgb, qualitative
from plotly.offline import get_plotlyjs

from experiments.outputs.charts import lever_axis, unit_axis
from experiments.outputs.formatting import format_value, metric_unit
from experiments.outputs.i18n import label as metric_label
from experiments.outputs.portfolio_report import outcome_label
from experiments.running.metrics import in_view

COLOURS = qualitative.Plotly
HEADLINE = {m: metric_label(m, "en") for m in in_view("headline")}
"""Metrics a plan sweep's report charts (the registry's `headline` view), with their labels."""
PORTFOLIO_HEADLINE = {m: outcome_label(m, "en") for m in (
    "copy_success", "alive_week_4", "alive_week_12", "total_gmv", "total_cost", "gross_profit")}
"""Metrics a portfolio sweep's report charts (its per-replicate outcomes), with their labels."""
BEST_BY = "gross_profit"
MAX_LINES = 6
"""More groups of the other levers' values than this: markers with 10–90% bars, not lines."""


def headline(points: pd.DataFrame) -> dict[str, str]:
    """The metrics the report charts, with their labels, of those `points` has and some point
    defines: a portfolio sweep's (its points have `copy_success`) or a plan sweep's."""
    chosen = PORTFOLIO_HEADLINE if "copy_success_median" in points else HEADLINE
    return {m: label for m, label in chosen.items()
            if f"{m}_median" in points and points[f"{m}_median"].notna().any()}


def metric_by_lever(points: pd.DataFrame, lever: str, metric: str, others: list[str],
                    label: str) -> go.Figure:
    """Median of `metric` (shown as `label`) against `lever` with its 10–90% band; one line per
    combination of the other levers' values when there are few, else one marker with a 10–90%
    bar per point. Ticks in the metric's unit (`charts.unit_axis`)."""
    fig = go.Figure()
    groups = list(points.groupby(others, sort=True)) if others else [((), points)]
    if len(groups) > MAX_LINES:
        fig.add_scatter(
            x=points[lever], y=points[f"{metric}_median"], mode="markers", name="median",
            error_y={"type": "data", "symmetric": False,
                     "array": points[f"{metric}_p90"] - points[f"{metric}_median"],
                     "arrayminus": points[f"{metric}_median"] - points[f"{metric}_p10"],
                     "thickness": 1},
        )
    for g, (key, rows) in enumerate(groups if len(groups) <= MAX_LINES else []):
        rows = rows.sort_values(lever)
        colour = COLOURS[g % len(COLOURS)]
        name = ", ".join(f"{o}={v}" for o, v in zip(others, key if isinstance(key, tuple)
                                                         else (key,))) or "median"
        fig.add_scatter(x=rows[lever], y=rows[f"{metric}_p90"], mode="lines", line_width=0,
                        legendgroup=name, showlegend=False, hoverinfo="skip")
        fig.add_scatter(x=rows[lever], y=rows[f"{metric}_p10"], mode="lines", line_width=0,
                        fill="tonexty", fillcolor="rgba({}, {}, {}, 0.18)".format(
                            *hex_to_rgb(colour)),
                        legendgroup=name, showlegend=False, hoverinfo="skip")
        fig.add_scatter(x=rows[lever], y=rows[f"{metric}_median"], mode="lines+markers",
                        line_color=colour, name=name, legendgroup=name)
    fig.update_layout(title=f"{label} by {lever} (median, 10–90% of replicates)",
                      xaxis_title=lever, yaxis_title=label, template="plotly_white",
                      height=380, margin={"t": 50, "b": 40, "l": 60, "r": 20})
    unit_axis(fig, metric_unit(metric), points[[f"{metric}_{q}" for q in ("median", "p10", "p90")]]
              .to_numpy().ravel())
    lever_axis(fig, points[lever])
    return fig


def heat_map(points: pd.DataFrame, x: str, y: str, metric: str, label: str) -> go.Figure:
    """Median of `metric` (shown as `label`) over two levers: a heat map on a grid, coloured
    points otherwise; the colour bar in the metric's unit (`charts.unit_axis`)."""
    column = f"{metric}_median"
    grid = points.pivot_table(index=y, columns=x, values=column, aggfunc="median")
    if grid.size == len(points):
        fig = go.Figure(go.Heatmap(x=grid.columns, y=grid.index, z=grid.values,
                                   colorbar_title=label, colorscale="Viridis"))
    else:
        fig = go.Figure(go.Scatter(x=points[x], y=points[y], mode="markers",
                                   marker={"color": points[column], "colorscale": "Viridis",
                                           "showscale": True, "colorbar": {"title": label},
                                           "size": 10}))
    fig.update_layout(title=f"{label}: median over replicates", xaxis_title=x, yaxis_title=y,
                      template="plotly_white", height=420)
    unit_axis(fig, metric_unit(metric), points[column], "colour")
    return fig


def best_points(points: pd.DataFrame, levers: list[str], n: int = 10) -> pd.DataFrame:
    """The `n` points with the highest median gross profit: values and headline medians
    (columns named by the metrics' labels, `headline`)."""
    metrics = headline(points)
    by = f"{BEST_BY}_median" if f"{BEST_BY}_median" in points else f"{next(iter(metrics))}_median"
    table = points.sort_values([by, "point"], ascending=[False, True]).head(n)
    return table[["point", *levers, *(f"{m}_median" for m in metrics)]].rename(
        columns={f"{m}_median": label for m, label in metrics.items()})


def sweep_figures(points: pd.DataFrame, levers: list[str]) -> list[go.Figure]:
    """Each headline metric against each lever, then a heat map per metric when exactly two
    numeric levers vary. `points`: one row per point (see `experiments.analyses.sweep`)."""
    metrics = headline(points)
    numeric = [lv for lv in levers if pd.api.types.is_numeric_dtype(points[lv])]
    figures = [metric_by_lever(points, lever, metric, [o for o in levers if o != lever], label)
               for metric, label in metrics.items() for lever in levers]
    if len(numeric) == 2 and len(levers) == 2:
        figures += [heat_map(points, numeric[0], numeric[1], metric, label)
                    for metric, label in metrics.items()]
    return figures


def write_sweep_report(points: pd.DataFrame, levers: list[str], title: str, path: Path,
                       note: str = "") -> None:
    """One offline HTML page: the best points, then every chart."""
    best = best_points(points, levers)
    metrics = headline(points)
    for metric, label in metrics.items():
        if label in best:
            best[label] = [format_value(metric, x) for x in best[label]]
    charts = "\n".join(fig.to_html(full_html=False, include_plotlyjs=False)
                       for fig in sweep_figures(points, levers))
    table = best.to_html(index=False, border=0, classes="best")
    html = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{escape(title)}</title>
<script type="text/javascript">{get_plotlyjs()}</script>
<style>body{{font-family:sans-serif;max-width:1100px;margin:auto}}
table.best{{border-collapse:collapse}} .best td,.best th{{padding:2px 8px;text-align:right}}
</style></head><body>
<h1>{escape(title)}</h1>
<p>{escape(note)}</p>
<h2>Best points by median {escape(metrics.get(BEST_BY, BEST_BY))}</h2>
{table}
<h2>Each metric against each lever</h2>
{charts}
</body></html>
"""
    path.write_text(html, encoding="utf-8")
