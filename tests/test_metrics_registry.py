"""The summary-metric registry (experiments/running/metrics.py): every summary column is
registered once, every output reads its metrics from there."""

import math
import re

import numpy as np
import pandas as pd
import pytest

from experiments.analyses.objectives import by_point, check_metric, describe
from experiments.analyses.sensitivity import DEFAULT_METRICS
from experiments.outputs import app, deck, report, sweep_charts
from experiments.running import metrics
from experiments.running.metrics import (
    METRICS, VIEWS, Metric, UnknownMetric, get, in_view, over_replicates, register,
    replicate_values,
)
from experiments.running.paired import paired_differences
from experiments.running.runner import RunError
from scenarios.schema import Plan
from sim.run import simulate

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_summary_column_is_registered_and_every_registration_computed():
    columns = set(simulate(Plan(group={"weeks": 1}), 0).summary) - {"seed"}
    registered = {name for name, m in METRICS.items() if m.week is None}
    assert columns - registered == set(), "summary columns without a registration"
    assert registered - columns == set(), "registered metrics that nothing computes"


@pytest.mark.parametrize("name", METRICS)
def test_every_metric_is_complete(name):
    m = METRICS[name]
    assert m.name == name and m.en and CJK.search(m.zh)
    assert m.unit in ("days", "day", "count", "money", "share", "multiple", "score")
    assert m.aggregate in ("median", "share")
    assert set(m.views) <= set(VIEWS)


def test_views_follow_registration_order_and_feed_every_output():
    order = list(METRICS)
    for view in VIEWS:
        names = in_view(view)
        assert names, f"view {view} is empty"
        assert [order.index(n) for n in names] == sorted(order.index(n) for n in names)
    assert report.TABLE_METRICS == in_view("table")
    assert report.REVIEW_METRICS == in_view("review")
    assert deck.DECK_METRICS == in_view("deck") and deck.SWEEP_METRICS == in_view("sweep")
    assert DEFAULT_METRICS == in_view("sensitivity")
    assert list(app.OUTCOMES) == list(in_view("page"))
    assert list(sweep_charts.HEADLINE) == list(in_view("headline"))
    with pytest.raises(ValueError, match="unknown view 'nope'"):
        in_view("nope")


def test_a_new_metric_is_one_registration(monkeypatch):
    monkeypatch.setattr(metrics, "METRICS", dict(METRICS))
    register(Metric("peak_day_messages", "peak day messages", "单日最多消息", "count",
                    views=frozenset({"table", "paired"})))
    assert "peak_day_messages" in metrics.in_view("table")
    assert "peak_day_messages" in metrics.in_view("paired")
    assert metrics.get("peak_day_messages").label("zh") == "单日最多消息"
    with pytest.raises(ValueError, match="registered twice"):
        register(Metric("peak_day_messages", "x", "x", "count"))
    with pytest.raises(ValueError, match="unknown views"):
        register(Metric("other", "x", "x", "count", views=frozenset({"slides"})))


def test_alive_week_n_is_derived_for_any_week():
    m = get("alive_week7")
    assert (m.week, m.unit, m.aggregate) == (7, "share", "share")
    assert m.label("zh") == "第7周存活率"
    summary = pd.DataFrame({"lifetime_days": [10, 49, 84, 42], "horizon_days": [84, 84, 84, 42]})
    assert list(replicate_values(summary, "alive_week7")[:3]) == [0.0, 1.0, 1.0]
    assert math.isnan(replicate_values(summary, "alive_week7")[3])  # past a 6-week horizon
    with pytest.raises(UnknownMetric, match="Unknown metric 'alive_week0'"):
        get("alive_week0")
    with pytest.raises(UnknownMetric, match="gross_profit"):
        get("grossprofit")


def test_aggregation_follows_the_registration_and_counts_defined_replicates():
    profit = over_replicates(pd.Series([1.0, 2.0, 3.0, np.nan]), "gross_profit")
    assert profit["value"] == 2.0 and profit["n"] == 3 and profit["replicates"] == 4
    alive = over_replicates(pd.Series([1.0, 0.0, 0.0, 1.0]), "alive_week12")
    assert alive["value"] == 0.5 and alive["p10"] == alive["p90"] == 0.5 and alive["n"] == 4
    none = over_replicates(pd.Series([np.nan, np.nan]), "roi")
    assert none["n"] == 0 and math.isnan(none["value"])
    summary = pd.DataFrame({"point": [0, 0, 1, 1], "lifetime_days": [84, 3, 84, 84],
                            "horizon_days": [84, 84, 84, 84],
                            "alive_at_end": [True, False, True, True],
                            "total_gmv": [1.0, 3.0, 5.0, 7.0]})
    assert list(by_point(summary, "alive_week12")) == [0.5, 1.0]
    assert list(by_point(summary, "alive_at_end")) == [0.5, 1.0]
    assert list(by_point(summary, "total_gmv")) == [2.0, 6.0]
    assert describe("alive_at_end") == "alive_at_end (share of replicates)"
    assert describe("total_gmv") == "total_gmv (median over replicates)"


def test_objectives_check_metrics_against_the_registry():
    plan = Plan(group={"weeks": 4})
    check_metric("repurchase_rate", plan)
    check_metric("alive_week4", plan)
    with pytest.raises(RunError, match="Unknown metric 'gmv'.*total_gmv"):
        check_metric("gmv", plan)
    with pytest.raises(RunError, match="horizon of at least 12 weeks"):
        check_metric("alive_week12", plan)


def test_paired_differences_cover_the_paired_view():
    summary = pd.DataFrame({
        "plan": ["a", "a", "b", "b"], "seed": [0, 1, 0, 1],
        **{m: [1.0, 2.0, 4.0, 6.0] for m in METRICS if m in in_view("paired") and
           get(m).week is None},
        "lifetime_days": [84, 10, 84, 84], "horizon_days": [84, 84, 84, 84],
    })
    paired = paired_differences(summary)
    assert list(paired["metric"]) == ["alive_week4", "alive_week12", *in_view("paired")]
    row = paired.set_index("metric").loc["alive_week12"]
    assert row["value"] == 0.5 and row["n"] == 2 and row["aggregate"] == "share"
