"""The report of a run: one offline HTML page with a plain reading, summary tables and charts."""

import math
from collections.abc import Callable
from html import escape
from pathlib import Path

import pandas as pd
import plotly.io as pio
from plotly.offline import get_plotlyjs

from experiments.charts import REPORT_CHARTS
from experiments.storage import Results

METRICS = {
    "lifetime_days": "lifetime (days)",
    "peak_members": "peak members",
    "final_members": "final members",
    "total_gmv": "GMV (yuan)",
    "total_cost": "incentive cost (yuan)",
    "roi": "ROI",
    "referral_joins": "referral joins",
    "fission_ratio": "fission ratio",
    "lurker_share": "lurker share",
    "posting_gini": "posting Gini",
    "complaint_share": "complaint share",
    "spam_share": "spam share",
    "trust_end_all": "trust at end (all ever members)",
}
"""Summary columns shown in tables, with their labels."""

READING_WEEKS = 12
"""Survival and GMV are read at this week, or at the horizon when it is shorter."""


def summary_stats(summary: pd.DataFrame) -> pd.DataFrame:
    """Per plan and metric: median and 10%/90% quantiles over replicates (NaN ROI skipped)."""
    long = summary.melt(id_vars="plan", value_vars=list(METRICS), var_name="metric")
    long["value"] = long["value"].astype(float)
    stats = long.groupby(["plan", "metric"], sort=False)["value"].quantile([0.1, 0.5, 0.9])
    stats = stats.unstack().set_axis(["p10", "median", "p90"], axis=1).reset_index()
    stats.insert(2, "label", stats["metric"].map(METRICS))
    return stats


def format_value(metric: str, value: float) -> str:
    """A summary value as a strategist reads it."""
    if math.isnan(value):
        return "–"
    if metric in ("total_gmv", "total_cost"):
        return f"¥{value:,.0f}"
    if metric in ("lifetime_days", "peak_members", "final_members", "referral_joins"):
        return f"{value:,.0f}"
    return f"{value:.2f}"


def outcomes(results: Results) -> pd.DataFrame:
    """Per plan: replicates, horizon, share alive at weeks 4 and 12 and at the end, medians.

    A share is NaN when the plan's horizon ends before that week. `alive` and `median_gmv` are
    read at `week`: week 12, or the shortest horizon among the plans when that is shorter.
    """
    week = min(READING_WEEKS, *(plan.group.weeks for plan in results.plans))
    rows = []
    for plan in results.plans:
        summary = results.summary[results.summary["plan"] == plan.name]
        daily = results.daily[results.daily["plan"] == plan.name]
        lifetime = summary["lifetime_days"]
        alive = {
            k: (lifetime >= 7 * k).mean() if k <= plan.group.weeks else math.nan for k in (4, 12)
        }
        gmv = daily[daily["day"] < 7 * week].groupby("replicate")["gmv"].sum()
        rows.append(
            {
                "plan": plan.name,
                "replicates": len(summary),
                "weeks": plan.group.weeks,
                "week": week,
                "alive_week_4": alive[4],
                "alive_week_12": alive[12],
                "alive_at_end": summary["alive_at_end"].mean(),
                "alive": (lifetime >= 7 * week).mean(),
                "median_lifetime": lifetime.median(),
                "median_gmv": gmv.median(),
                "median_roi": summary["roi"].median(),
            }
        )
    return pd.DataFrame(rows)


def readings(results: Results) -> list[str]:
    """Plain-language paragraphs: one per plan, then which plan leads when there are several."""
    table = outcomes(results)
    paragraphs = [_plan_reading(row) for row in table.itertuples()]
    if len(table) > 1:
        paragraphs += _comparison(table)
    return paragraphs


def _weeks(n: int) -> str:
    return "1 week" if n == 1 else f"{n} weeks"


def _alive(share: float, n: int, when: str) -> str:
    return f"alive {when} in {round(share * n)} of {n} runs ({share:.0%})"


def _plan_reading(row) -> str:
    n = row.replicates
    survival = [
        _alive(share, n, f"at week {k}")
        for k, share in ((4, row.alive_week_4), (12, row.alive_week_12))
        if not math.isnan(share)
    ] or [_alive(row.alive_at_end, n, f"at the end of its {row.weeks}-week horizon")]
    roi = (
        "ROI is undefined: the plan spends nothing on incentives"
        if math.isnan(row.median_roi)
        else f"median ROI {row.median_roi:.2f}"
    )
    return (
        f"{row.plan}: {'; '.join(survival)}. "
        f"Median GMV over {_weeks(row.week)} ¥{row.median_gmv:,.0f}; {roi}."
    )


def _comparison(table: pd.DataFrame) -> list[str]:
    week = table["week"].iloc[0]
    survival = _lead(
        table,
        ["alive", "median_lifetime"],
        "Survival",
        lambda row: (
            f"alive at week {week} in {row.alive:.0%} of runs "
            f"(median lifetime {row.median_lifetime:.0f} days)"
        ),
    )
    gmv = _lead(
        table,
        ["median_gmv"],
        "GMV",
        lambda row: f"median ¥{row.median_gmv:,.0f} over {_weeks(week)}",
    )
    n = table["replicates"].min()
    noise = (
        f"With {n} runs per plan a survival share moves in steps of {1 / n:.0%}; "
        "treat a gap of a step or two as noise. Every plan met the same seeds."
    )
    return [survival, gmv, noise]


def _lead(table: pd.DataFrame, keys: list[str], what: str, describe: Callable) -> str:
    """Which plans rank first on `keys` (ties share the lead), and the next one."""
    ranked = table.sort_values(keys, ascending=False, kind="stable")
    top = ranked[(ranked[keys] == ranked[keys].iloc[0]).all(axis=1)]
    best = next(top.itertuples())
    if len(top) == len(table):
        return f"{what}: all plans are level, {describe(best)}."
    names = list(top["plan"])
    who = (
        names[0] + " leads"
        if len(names) == 1
        else f"{', '.join(names[:-1])} and {names[-1]} share the lead"
    )
    runner = next(ranked.iloc[len(top) :].itertuples())
    return f"{what}: {who}, {describe(best)}; next is {runner.plan}, {describe(runner)}."


STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; color: #222; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; }
.meta { color: #666; }
.reading p { background: #f6f8fa; border-left: 4px solid #636efa; padding: 0.6em 1em; }
.tables { display: flex; flex-wrap: wrap; gap: 1.5em; }
table { border-collapse: collapse; font-size: 14px; }
caption { font-weight: 600; text-align: left; padding-bottom: 0.3em; }
th, td { padding: 0.25em 0.8em; border-bottom: 1px solid #e3e3e3; text-align: right; }
th:first-child, td:first-child { text-align: left; }
"""


def report_html(results: Results) -> str:
    """The report as one HTML page that works offline (plotly.js is inlined once)."""
    summary = results.summary
    names = [plan.name for plan in results.plans]
    seeds = sorted(summary["seed"].unique())
    meta = (
        f"{len(names)} plan{'s' if len(names) > 1 else ''}: {', '.join(names)}. "
        f"{summary.groupby('plan').size().max()} replicates per plan, "
        f"seeds {seeds[0]}–{seeds[-1]}."
    )
    reading = "".join(f"<p>{escape(text)}</p>" for text in readings(results))
    stats = summary_stats(summary)
    tables = "".join(_stats_table(plan, stats[stats["plan"] == plan]) for plan in names)
    charts = "".join(
        pio.to_html(
            chart(results.daily),
            full_html=False,
            include_plotlyjs=False,
            div_id=f"chart-{i}",
            config={"displaylogo": False},
        )
        for i, chart in enumerate(REPORT_CHARTS)
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>groupsim report: {escape(", ".join(names))}</title>
<style>{STYLE}</style><script>{get_plotlyjs()}</script></head>
<body><h1>groupsim report</h1><p class="meta">{escape(meta)}</p>
<h2>Reading</h2><div class="reading">{reading}</div>
<h2>Summary</h2><div class="tables">{tables}</div>
<h2>Charts</h2>{charts}
</body></html>
"""


def _stats_table(plan: str, stats: pd.DataFrame) -> str:
    rows = "".join(
        f"<tr><td>{escape(row.label)}</td><td>{format_value(row.metric, row.median)}</td>"
        f"<td>{format_value(row.metric, row.p10)} – {format_value(row.metric, row.p90)}</td></tr>"
        for row in stats.itertuples()
    )
    return (
        f"<table><caption>{escape(plan)}</caption>"
        f"<tr><th>metric</th><th>median</th><th>10–90%</th></tr>{rows}</table>"
    )


def write_report(results: Results, path: Path) -> None:
    """Write `report_html(results)` to `path`."""
    path.write_text(report_html(results), encoding="utf-8")
