"""The report of a run: one offline HTML page in English or Chinese.

It leads with the answer (`answers`: survives? sells? profits? at what cost? against the
baseline), then a reading per plan (survival, gross profit, the paired difference from the
baseline and budget warnings), the plans and their descriptions, one side-by-side table with
plans as columns, and the charts under their findings (plotly.js inlined once).
"""

import math
from datetime import date
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io as pio
from plotly.offline import get_plotlyjs

from experiments.outputs.answers import answers, chart_findings, chart_title, choose_baseline
from experiments.outputs.charts import run_charts
from experiments.outputs.formatting import (
    defined_count, format_value, format_values, share, with_range,
)
from experiments.outputs.i18n import Lang, describe, label, profile_line, text
from experiments.running.metrics import in_view, replicate_values, summarize, survival_weeks
from experiments.running.storage import Results

TABLE_METRICS = in_view("table")
"""Summary metrics of the comparison table (median [10–90%] over replicates), in order: the
registry's `table` view."""
REVIEW_METRICS = in_view("review")
"""The 复盘 metrics of seed 003 (docs/metrics.md): the registry's `review` view."""

REPORT_CHARTS = ("survival", "members", "weekly_gmv", "weekly_profit", "cumulative_profit",
                 "weekly_posters", "trust")
"""Charts of the page, in order; sentiment is left to the deck's images, as 11 plans' worth of
it would take the page past 5 MB (plotly.js alone is 4.8 MB)."""


def summary_stats(summary: pd.DataFrame, lang: Lang = "en",
                  metrics: tuple[str, ...] = TABLE_METRICS + REVIEW_METRICS) -> pd.DataFrame:
    """Per plan and metric: `experiments.running.metrics.summarize` (value: median or share,
    p10, p90, n defined of replicates) and the metric's label.

    Metrics missing from `summary` (an older run) are left out.
    """
    stats = summarize(summary, metrics)
    stats.insert(2, "label", [label(m, lang) for m in stats["metric"]])
    return stats


def _cell(metric: str, row, lang: Lang, ranges: bool = True, signed: bool = False) -> str:
    """A row of `summary_stats` (value, p10, p90, n, replicates) or of `paired.parquet` (value,
    low, high, n, replicates) as "value [low – high]" (the value alone without `ranges`), with
    the count of defined replicates when some leave the metric undefined."""
    low, high = (row["low"], row["high"]) if "low" in row else (row["p10"], row["p90"])
    shown = (with_range(metric, row["value"], low, high, lang, signed) if ranges
             else format_value(metric, row["value"], lang, signed))
    return shown + defined_count(int(row["n"]), int(row["replicates"]), lang)


def _alive_share(summary: pd.DataFrame, week: int) -> float:
    return float(replicate_values(summary, f"alive_week{week}").mean())


def survival_rows(results: Results, lang: Lang = "en") -> pd.DataFrame:
    """Share of runs alive at weeks 4, 12 and each plan's horizon ("–" past a plan's horizon;
    no row past every horizon); plans as columns."""
    weeks = sorted({w for plan in results.plans for w in survival_weeks(plan.group.weeks)})
    rows = {
        text("alive_row", lang, week=week): [
            share(_alive_share(runs, week), lang) if week <= plan.group.weeks else "–"
            for plan in results.plans
            for runs in [results.summary[results.summary["plan"] == plan.name]]
        ]
        for week in weeks
    }
    return pd.DataFrame(rows, index=[plan.name for plan in results.plans]).T


def metric_rows(results: Results, lang: Lang = "en", metrics: tuple[str, ...] = TABLE_METRICS,
                ranges: bool = True) -> pd.DataFrame:
    """Each metric's median [10–90%] over runs, with its unit and, when some runs leave it
    undefined, "(n=… of …)"; plans as columns."""
    names = [plan.name for plan in results.plans]
    stats = summary_stats(results.summary, lang, metrics).set_index(["metric", "plan"])
    rows = {
        label(metric, lang): [_cell(metric, stats.loc[(metric, n)], lang, ranges) for n in names]
        for metric in dict.fromkeys(stats.index.get_level_values("metric"))
    }
    return pd.DataFrame(rows, index=names).T


def paired_rows(results: Results, lang: Lang = "en", ranges: bool = True) -> pd.DataFrame:
    """Each plan's difference from the baseline (`paired.parquet`: median of per-seed
    differences [10–90%], or for survival the difference of shares [95% interval]; "–" for the
    baseline itself); empty for one plan or a run without `paired`."""
    names = [plan.name for plan in results.plans]
    if results.paired is None or results.paired.empty:
        return pd.DataFrame(columns=names)
    base = results.paired["baseline"].iloc[0]
    paired = results.paired.set_index(["metric", "plan"])
    rows = {
        f"Δ {label(metric, lang)} ({text('vs', lang, base=base)})": [
            _cell(metric, paired.loc[(metric, n)], lang, ranges, signed=True)
            if (metric, n) in paired.index else "–"
            for n in names
        ]
        for metric in dict.fromkeys(paired.index.get_level_values("metric"))
    }
    return pd.DataFrame(rows, index=names).T


def comparison_table(results: Results, lang: Lang = "en",
                     metrics: tuple[str, ...] = TABLE_METRICS, ranges: bool = True) -> pd.DataFrame:
    """Survival at weeks 4, 12 and the horizon, the metrics and the paired differences from the
    baseline:
    one table, plans as columns, cells as text with units."""
    return pd.concat([survival_rows(results, lang), metric_rows(results, lang, metrics, ranges),
                      paired_rows(results, lang, ranges)])


def readings(results: Results, lang: Lang = "en") -> list[str]:
    """Plain-language paragraphs per plan: its survival, gross profit and paired difference
    from the baseline, and a warning when the budget ran out (the comparison's answer comes
    from `answers.answers`)."""
    paragraphs = []
    paired = results.paired.set_index(["plan", "metric"]) if results.paired is not None else None
    for plan in results.plans:
        runs = results.summary[results.summary["plan"] == plan.name]
        paragraph = _plan_reading(plan.name, plan.group.weeks, runs, lang)
        if paired is not None and plan.name in paired.index.get_level_values("plan"):
            items = [
                text(f"paired_item_{row['aggregate']}", lang, label=label(m, lang),
                     **dict(zip(("value", "low", "high"), format_values(
                         m, [row["value"], row["low"], row["high"]], lang, signed=True))))
                for m in in_view("reading") if (plan.name, m) in paired.index
                for row in [paired.loc[(plan.name, m)]]
            ]
            base = paired.loc[plan.name]["baseline"].iloc[0]
            paragraph += " " + text("paired_reading", lang, base=base,
                                    items=text("list_sep", lang).join(items))
        paragraphs.append(paragraph)
        warning = _budget_warning(runs, lang)
        if warning:
            paragraphs.append(f"{plan.name} — {warning}")
    return paragraphs


def _plan_reading(name: str, weeks: int, runs: pd.DataFrame, lang: Lang) -> str:
    n = len(runs)
    survival = [
        text("alive_at", lang, week=w, k=round(_alive_share(runs, w) * n), n=n,
             share=share(_alive_share(runs, w), lang))
        for w in survival_weeks(weeks)
    ]
    profit = runs["gross_profit"]
    value, low, high = format_values(
        "gross_profit", [profit.median(), profit.quantile(0.1), profit.quantile(0.9)], lang)
    money = text("profit_reading", lang, weeks=weeks, value=value, low=low, high=high,
                 gmv=format_value("total_gmv", runs["total_gmv"].median(), lang),
                 cost=format_value("total_cost", runs["total_cost"].median(), lang))
    sep = text("list_sep", lang)
    return f"{name}: {sep.join(survival)}{sep}{money}" + ("." if lang == "en" else "。")


def _budget_warning(runs: pd.DataFrame, lang: Lang) -> str | None:
    """The warning when the budget ran out in some replicate (none for a run directory written
    before the budget columns existed)."""
    if "budget_exhausted_day" not in runs:
        return None
    days = runs["budget_exhausted_day"].astype(float).dropna()
    if days.empty:
        return None
    skipped = runs["skipped_money_items"].median() if "skipped_money_items" in runs else np.nan
    return text("budget_warning", lang, k=len(days), n=len(runs), day=f"{days.median():.0f}",
                skipped="–" if math.isnan(skipped) else f"{skipped:.0f}")


STYLE = """
body { font: 16px/1.55 "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui,
       sans-serif; color: #222; max-width: 1200px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; }
.meta { color: #666; }
.reading p { background: #f6f8fa; border-left: 4px solid #636efa; padding: 0.6em 1em; }
.reading p.warn { border-left-color: #d62728; background: #fdf0f0; }
.answer { background: #f6f8fa; border-left: 4px solid #1f4e9c; padding: 0.6em 1em; }
.answer dt { margin-top: 0.4em; } .answer dd { color: #222; }
.note { color: #666; margin-top: 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 14px; }
th, td { padding: 0.3em 0.7em; border-bottom: 1px solid #e3e3e3; text-align: right;
         white-space: nowrap; }
th:first-child, td:first-child { text-align: left; position: sticky; left: 0; background: #fff; }
dt { font-weight: 600; } dd { margin: 0 0 0.5em 1.2em; color: #444; }
"""


def run_meta(results: Results, lang: Lang) -> str:
    """"3 plans; 20 runs per plan, seeds 0–19; 2026-11-23"."""
    seeds = sorted(results.summary["seed"].unique())
    return text("meta", lang, plans=len(results.plans),
                replicates=results.summary.groupby("plan").size().max(),
                first=seeds[0], last=seeds[-1], date=date.today().isoformat())


def report_html(results: Results, lang: Lang = "en", baseline: str | None = None) -> str:
    """The report as one HTML page that works offline (plotly.js is inlined once).

    `baseline`: the plan the others are measured against (default: the comparison's own);
    ValueError when it is not one of the plans.
    """
    results, why = choose_baseline(results, baseline)
    base = results.baseline
    names = [plan.name for plan in results.plans]
    audience = profile_line(results.profile, lang)
    charts = {name: chart for name, chart in run_charts(results, lang).items()
              if name in REPORT_CHARTS}
    answer = ""
    if len(names) > 1:
        left_out = [chart.empty for chart in charts.values() if chart.empty is not None]
        items = "".join(f"<dt>{escape(q)}</dt><dd>{escape(a)}</dd>"
                        for q, a in answers(results, lang))
        foot = text("baseline_line", lang, base=base, why=text(why, lang))
        if left_out:
            foot += " " + text("left_out", lang, items=text("list_sep", lang).join(left_out))
        answer = (f'<h2>{escape(text("answer_title", lang))}</h2><dl class="answer">{items}</dl>'
                  f'<p class="note">{escape(foot)}</p>')
    reading = "".join(
        f'<p class="{"warn" if text("warning_word", lang) in p else ""}">{escape(p)}</p>'
        for p in readings(results, lang)
    )
    plans = "".join(
        f"<dt>{escape(p.name)}</dt><dd>{escape(describe(p, lang))}</dd>" for p in results.plans
    )
    table = comparison_table(results, lang, TABLE_METRICS + REVIEW_METRICS)
    head = "".join(f"<th>{escape(name)}</th>" for name in table.columns)
    body = "".join(
        f"<tr><td>{escape(row)}</td>{''.join(f'<td>{escape(c)}</td>' for c in cells)}</tr>"
        for row, cells in zip(table.index, table.to_numpy())
    )
    findings = chart_findings(results)
    headings = {name: chart_title(name, findings[name], lang, results) if name in findings
                else chart.title for name, chart in charts.items()}
    figures = "".join(
        f"<h3>{escape(headings[name])}</h3>"
        f'<p class="note">{escape(chart.title)} — {escape(chart.note)}</p>'
        + pio.to_html(chart.fig, full_html=False, include_plotlyjs=False, div_id=f"chart-{name}",
                      config={"displaylogo": False})
        for name, chart in charts.items() if chart.empty is None
    )
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<title>{escape(text("report_title", lang))}: {escape(", ".join(names))}</title>
<style>{STYLE}</style><script>{get_plotlyjs()}</script></head>
<body><h1>{escape(text("report_title", lang))}</h1><p class="meta">{escape(run_meta(results, lang))}</p>
{f'<p class="meta">{escape(audience)}</p>' if audience else ""}
{answer}
<h2>{escape(text("reading", lang))}</h2><div class="reading">{reading}</div>
<h2>{escape(text("plans", lang))}</h2><dl>{plans}</dl>
<h2>{escape(text("table_title", lang))}</h2><div class="scroll"><table>
<tr><th>{escape(text("metric", lang))}</th>{head}</tr>{body}</table></div>
{f'<p class="note">{escape(text("paired_note", lang, base=base))}</p>' if len(names) > 1 else ""}
<h2>{escape(text("charts", lang))}</h2>{figures}
</body></html>
"""


def write_report(results: Results, path: Path, lang: Lang = "en",
                 baseline: str | None = None) -> None:
    """Write `report_html(results, lang, baseline)` to `path`."""
    path.write_text(report_html(results, lang, baseline), encoding="utf-8")
