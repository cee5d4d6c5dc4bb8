import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from experiments.outputs import answers, charts
from experiments.running.paired import paired_differences
from experiments.outputs.report import (
    REPORT_CHARTS,
    comparison_table,
    readings,
    report_html,
    write_report,
)
from experiments.running.runner import run_plans
from experiments.running.storage import Results
from scenarios.loader import library, load_plan
from sim.run import simulate

NAMES = list(library())[:2]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def results():
    return run_plans([load_plan(name, ["group.weeks=4"]) for name in NAMES], replicates=3)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_run_charts_draw_every_plan_with_titles_in_the_language(results, lang):
    figures = charts.run_charts(results, lang)
    assert list(figures) == ["survival", "members", "weekly_gmv", "weekly_profit",
                             "cumulative_profit", "weekly_posters", "trust", "sentiment"]
    for name, chart in figures.items():
        fig = chart.fig
        assert isinstance(fig, go.Figure) and not fig.layout.title.text  # the title is text
        if chart.empty is not None:  # neither plan sells in 4 weeks: no bars at all
            assert name == "weekly_gmv" and not fig.data
            continue
        legend = [trace.name for trace in fig.data if trace.showlegend is not False]
        if name == "weekly_profit":  # a plan whose every weekly median is zero gets no bar
            assert legend and set(legend) <= set(NAMES), name
            assert all(plan in chart.note for plan in set(NAMES) - set(legend)), chart.note
        else:
            assert legend == NAMES, name
        title = chart.title + fig.layout.yaxis.title.text + fig.layout.xaxis.title.text
        assert bool(CJK.search(title)) == (lang == "zh"), name
        assert fig.layout.font.family.startswith("Noto Sans CJK")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_run_chart_is_titled_with_a_finding(results, lang):
    """Every chart's heading says who leads, who is level or the one value (a trust chart was
    titled "Mean trust of current members")."""
    findings = answers.chart_findings(results)
    assert set(findings) == set(charts.run_charts(results, lang))
    for name in ("trust", "sentiment"):
        title = answers.chart_title(name, findings[name], lang, results)
        assert any(plan in title for plan in NAMES) or "alike" in title or "相同" in title, title
        assert ("week 4" in title) if lang == "en" else ("第 4 周" in title), title


def test_weekly_charts_are_bars_with_10_90_whiskers(results):
    fig = charts.run_charts(results)["weekly_posters"].fig
    assert {trace.type for trace in fig.data} == {"bar"}
    bar = fig.data[0]
    assert list(bar.x) == [1, 2, 3, 4]
    assert (np.asarray(bar.error_y.array) >= 0).all()
    assert (np.asarray(bar.error_y.arrayminus) >= 0).all()


def test_trust_axis_fits_the_data_and_members_start_at_zero(results):
    figures = charts.run_charts(results)
    assert figures["trust"].fig.layout.yaxis.rangemode == "normal"
    assert figures["sentiment"].fig.layout.yaxis.rangemode == "normal"
    assert figures["members"].fig.layout.yaxis.rangemode == "tozero"


def test_survival_is_the_share_of_runs_alive_by_day():
    summary = pd.DataFrame({"plan": "p", "lifetime_days": [3, 10, 28],
                            "alive_at_end": [False, False, True]})
    table = charts.survival(summary, 28).set_index("day")["alive"]
    assert table[0] == 1.0 and table[2] == 1.0
    assert table[3] == pytest.approx(2 / 3) and table[9] == pytest.approx(2 / 3)
    assert table[10] == pytest.approx(1 / 3) and table[28] == pytest.approx(1 / 3)


def test_per_week_sums_days_into_weeks():
    daily = pd.DataFrame({"plan": "p", "replicate": 0, "day": range(14), "gmv": [1.0] * 14})
    weeks = charts.per_week(daily, "gmv")
    assert weeks["week"].tolist() == [1, 2] and weeks["gmv"].tolist() == [7.0, 7.0]


def test_quantile_band_is_ordered(results):
    band = charts.quantile_band(results.daily, "members")
    assert list(band.columns) == ["plan", "day", "p10", "median", "p90"]
    assert len(band) == len(NAMES) * 28
    assert ((band["p10"] <= band["median"]) & (band["median"] <= band["p90"])).all()


def test_one_table_with_plans_as_columns_and_paired_differences(results):
    table = comparison_table(results, "en")
    assert list(table.columns) == NAMES
    assert "alive at week 4 (share of runs)" in table.index
    delta = [row for row in table.index if row.startswith("Δ ")]
    assert delta and all(table.loc[row, NAMES[0]] == "–" for row in delta)
    assert table.loc["ROI (gross profit ÷ incentive cost)"].str.contains("×|–").all()
    assert table.loc["gross profit"].str.contains("¥").all()
    zh = comparison_table(results, "zh")
    assert "毛利" in zh.index and "第 4 周存活率" in zh.index


def test_reading_gives_each_plan_its_survival_profit_and_paired_difference(results):
    text = readings(results)
    first, second = text[0], text[1]
    assert first.startswith(f"{NAMES[0]}: alive at week 4 in ")
    assert "median gross profit over 4 weeks" in first and "Against" not in first
    assert second.startswith(f"{NAMES[1]}: alive at week 4 in ")
    assert f"Against {NAMES[0]}, seed by seed: lifetime " in second
    assert not any("ROI" in paragraph for paragraph in text)
    assert readings(results, "zh")[0].startswith(f"{NAMES[0]}: 第 4 周仍存活")


def test_reading_warns_when_the_budget_ran_out(results):
    summary = results.summary.assign(budget_exhausted_day=np.nan, skipped_money_items=0)
    assert not any("budget" in p for p in readings(replace(results, summary=summary)))
    first = summary["plan"] == NAMES[0]
    summary.loc[first, "budget_exhausted_day"] = 12.0
    summary.loc[first, "skipped_money_items"] = 10
    text = readings(replace(results, summary=summary))
    assert any("the budget ran out in 3 of 3 runs (median day 12)" in p
               and "10 paid items" in p for p in text)
    assert any("预算" in p and "第 12 天" in p for p in readings(replace(results, summary=summary), "zh"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_is_offline_and_in_the_language(results, tmp_path: Path, lang):
    path = tmp_path / "report.html"
    write_report(results, path, lang)
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert html.count("plotly.js v") == 1
    assert html.count("<table>") == 1
    drawn = [name for name, chart in charts.run_charts(results, lang).items()
             if name in REPORT_CHARTS and chart.empty is None]
    assert html.count('class="plotly-graph-div"') == len(drawn) < len(REPORT_CHARTS)
    assert 'id="chart-survival"' in html and 'id="chart-cumulative_profit"' in html
    assert html.index("<dl class=\"answer\">") < html.index('class="reading"')  # answer first
    for plan in results.plans:
        assert plan.describe(lang) in html
    if lang == "zh":
        assert '<html lang="zh-CN">' in html and "毛利" in html and "存活率" in html
    else:
        assert "gross profit" in html and "alive at week 4 in" in html


def test_eleven_plan_report_stays_under_5_mb():
    """The demo's shape (11 plans x 20 replicates x 12 weeks) from one simulated run."""
    plans = [load_plan(name, ["group.weeks=12"]) for name in library()]
    assert len(plans) == 11
    tables = simulate(plans[0], seed=0).tables()
    rng = np.random.default_rng(0)
    daily, summary = [], []
    for plan in plans:
        for r in range(20):
            noisy = tables["daily"].assign(plan=plan.name, replicate=r)
            for column in ("members", "gmv", "incentive_cost", "active_posters", "mean_trust"):
                noisy[column] = noisy[column] * rng.uniform(0.8, 1.2, len(noisy))
            daily.append(noisy)
            summary.append(tables["summary"].assign(plan=plan.name, replicate=r, seed=r,
                                                    lifetime_days=int(rng.integers(1, 85))))
    summary = pd.concat(summary, ignore_index=True)
    results = Results(plans, pd.concat(daily, ignore_index=True), summary, tables["members"],
                      paired=paired_differences(summary))
    for lang in ("en", "zh"):
        assert len(report_html(results, lang).encode()) < 5_000_000


def _daily(values: dict[str, float], days: int = 28, runs: int = 3, alive_until=None):
    """A daily table: each plan's `gmv`, `members`, `weekly_posters` constant at its value."""
    rows = []
    for plan, v in values.items():
        for r in range(runs):
            for day in range(days):
                last = (alive_until or {}).get(plan, days)
                rows.append({"plan": plan, "replicate": r, "day": day, "gmv": v,
                             "incentive_cost": 0.0, "members": v, "weekly_posters": v,
                             "alive": day < last})
    return pd.DataFrame(rows)


def test_an_outlier_does_not_set_the_axis_but_the_best_does():
    daily = _daily({"base": 100.0, "b": 120.0, "c": 90.0, "huge": -5000.0})
    chart = charts.weekly_gmv_chart(daily, "base")
    assert "axis clipped: huge reaches −¥35,000" in chart.note
    low, high = chart.fig.layout.yaxis.range
    assert low > -1000 and high >= 120 * 7
    best = charts.weekly_gmv_chart(_daily({"base": 100.0, "b": 120.0, "star": 5000.0}), "base")
    assert "clipped" not in best.note and best.fig.layout.yaxis.range is None


def test_beyond_five_plans_the_baseline_and_the_best_stand_out():
    values = {f"p{i}": 10.0 * (i + 1) for i in range(8)}
    chart = charts.members_chart(_daily(values), "p2")
    lines = [t for t in chart.fig.data if t.mode == "lines" and t.line.width]
    colours = {t.name: t.line.color for t in lines}
    assert colours["p2 (baseline)"] == charts.BASELINE_COLOUR
    assert colours["p7 (best)"] == charts.BEST_COLOUR
    assert {c for n, c in colours.items() if "(" not in n} == {charts.OTHER_COLOUR}
    assert [t.name for t in chart.fig.data if t.showlegend is not False] == \
        ["p2 (baseline)", "p7 (best)"]
    assert "grey: the other 6 plans" in chart.note
    bars = charts.weekly_gmv_chart(_daily(values), "p2")
    assert [t.name for t in bars.fig.data] == ["p2 (baseline)", "p4", "p5", "p6", "p7"]


def test_plans_without_sales_get_no_bar_slot_and_all_zero_is_empty():
    chart = charts.weekly_gmv_chart(_daily({"a": 0.0, "b": 50.0}), "a")
    assert [t.name for t in chart.fig.data] == ["b"]
    assert "no bars (every median zero): a" in chart.note
    empty = charts.weekly_gmv_chart(_daily({"a": 0.0, "b": 0.0}), "a", "zh")
    assert empty.empty == "每周成交额 (GMV)：所有中位数均为零" and not empty.fig.data


def test_a_members_line_ends_with_a_cross_where_half_the_runs_are_dead():
    daily = _daily({"lives": 100.0, "dies": 80.0}, alive_until={"dies": 5})
    chart = charts.members_chart(daily, "lives")
    dies = next(t for t in chart.fig.data if t.name == "dies")
    assert max(dies.x) == 4  # alive on days 0-4, dead from day 5
    cross = [t for t in chart.fig.data if t.mode == "markers"]
    assert len(cross) == 1 and list(cross[0].x) == [4] and cross[0].marker.symbol == "x"
    assert "a line ends (✕)" in chart.note
