import re
from pathlib import Path

import plotly.graph_objects as go
import pytest

from experiments import charts
from experiments.report import readings, summary_stats, write_report
from experiments.runner import run_plans
from scenarios.loader import library, load_plan

NAMES = list(library())[:2]


@pytest.fixture(scope="module")
def results():
    return run_plans([load_plan(name, ["group.weeks=4"]) for name in NAMES], replicates=3)


@pytest.mark.parametrize("chart", charts.REPORT_CHARTS)
def test_charts_draw_each_plan_on_weekly_axes(results, chart):
    fig = chart(results.daily)
    assert isinstance(fig, go.Figure)
    medians = [trace.name for trace in fig.data if trace.showlegend is not False]
    assert all(any(name.startswith(plan) for name in medians) for plan in NAMES)
    assert fig.layout.xaxis.dtick == 7
    assert fig.layout.title.text and fig.layout.yaxis.title.text


def test_quantile_band_is_ordered(results):
    band = charts.quantile_band(results.daily, "members")
    assert list(band.columns) == ["plan", "day", "p10", "median", "p90"]
    assert len(band) == len(NAMES) * 28
    assert ((band["p10"] <= band["median"]) & (band["median"] <= band["p90"])).all()


def test_summary_stats_per_plan_and_metric(results):
    stats = summary_stats(results.summary)
    assert stats["plan"].unique().tolist() == NAMES
    assert {"lifetime_days", "total_gmv", "roi"} <= set(stats["metric"])


def test_readings_give_survival_gmv_and_leaders(results):
    text = readings(results)
    for name, paragraph in zip(NAMES, text):
        assert paragraph.startswith(f"{name}: alive at week 4 in ")
        assert "Median GMV over 4 weeks" in paragraph
    assert any(p.startswith("Survival: ") for p in text)
    assert any(p.startswith("GMV: ") for p in text)


def test_report_is_offline_and_has_the_reading(results, tmp_path: Path):
    path = tmp_path / "report.html"
    write_report(results, path)
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert html.count("plotly.js v") == 1
    assert "alive at week 4 in" in html and "Survival:" in html
    assert html.count('class="plotly-graph-div"') == len(charts.REPORT_CHARTS)
