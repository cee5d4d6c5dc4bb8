"""Summary metrics: each registered once, with its labels, unit, aggregation and where it shows.

A summary metric is a column of a run's summary table (one row per replicate; computed in
`sim/metrics.py` and `sim/review.py`) or derived from one (`alive_weekN` from `lifetime_days`,
undefined past the replicate's `horizon_days`).
Its registration says what the terminal, report, deck, what-if page, objectives, sensitivity,
sweeps and plausibility table need: the English and Chinese label, the unit (which picks the
formatter in `experiments.outputs.formatting`), how replicates are aggregated, whether a
replicate can leave it undefined (NaN), and the views that show it. A new metric is its
computation, one `register(Metric(...))` here, and a test (tests/test_metrics_registry.py checks
that every summary column is registered and every registered column is computed).

Order matters: every view lists its metrics in registration order.

Imports only pandas and the standard library: the runner (and so every worker) loads it.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

Unit = Literal["days", "day", "count", "money", "share", "multiple", "score"]
"""days: a duration in days; day: a day number; count: people or items; money: yuan; share:
a fraction 0–1 (differences are percentage points); multiple: a ratio shown with ×; score: a
unitless 0–1 or index value."""

Aggregate = Literal["median", "share"]
"""Over replicates: `median` (with 10% and 90% quantiles) of a number, or `share` of replicates
where a yes/no metric is true (mean of 0/1)."""

View = Literal["table", "deck", "paired", "reading", "review", "sensitivity", "sweep", "page",
               "headline"]
"""Where a metric shows: table (the report's comparison table), deck (the comparison slide),
paired (per-seed differences in paired.parquet, terminal and report, after survival at the
`survival_weeks`), reading (the paired
differences the report's reading names), review (复盘 metrics of
seed 003), sensitivity (its default metrics), sweep (the sweep deck), page (the what-if page's
outcome table), headline (the sweep report's charts)."""

VIEWS: tuple[View, ...] = ("table", "deck", "paired", "reading", "review", "sensitivity", "sweep",
                           "page", "headline")


class UnknownMetric(ValueError):
    """A metric name that is neither registered nor `alive_weekN`."""


@dataclass(frozen=True)
class Metric:
    """One summary metric.

    `undefined` is None when every replicate defines the metric, else when it is NaN (e.g. ROI
    with no incentive cost); aggregates skip NaN and `over_replicates` counts the defined
    replicates (`n`). `week` is set for `alive_weekN`, derived from `lifetime_days`.
    """

    name: str
    en: str
    zh: str
    unit: Unit
    aggregate: Aggregate = "median"
    undefined: str | None = None
    views: frozenset[View] = frozenset()
    week: int | None = None

    def label(self, lang: Lang) -> str:
        """The label in `lang` ("en" or "zh")."""
        return self.zh if lang == "zh" else self.en


METRICS: dict[str, Metric] = {}
"""Registered metrics by name, in registration order."""

ALIVE_WEEK = re.compile(r"alive_week(\d+)")


def register(metric: Metric) -> Metric:
    """Add `metric` to `METRICS`. Raises ValueError for a name registered twice or a view that
    does not exist."""
    if metric.name in METRICS:
        raise ValueError(f"summary metric '{metric.name}' is registered twice")
    unknown = set(metric.views) - set(VIEWS)
    if unknown:
        raise ValueError(f"summary metric '{metric.name}': unknown views {sorted(unknown)}; "
                         f"views are {', '.join(VIEWS)}")
    METRICS[metric.name] = metric
    return metric


SURVIVAL_WEEKS = (4, 12)
"""Weeks at which survival is reported, besides the horizon (`survival_weeks`)."""


def survival_weeks(horizon_weeks: int) -> tuple[int, ...]:
    """The weeks survival is reported at for a plan of `horizon_weeks`: 4, 12 and the horizon,
    in order, none beyond the horizon (a 4-week plan: (4,); 26 weeks: (4, 12, 26))."""
    return tuple(sorted({w for w in (*SURVIVAL_WEEKS, horizon_weeks) if 1 <= w <= horizon_weeks}))


def alive_week(week: int, views: frozenset[View] = frozenset()) -> Metric:
    """`alive_weekN`: 1 if the group was alive on day 7N (`lifetime_days >= 7N`), else 0, and
    undefined (NaN) for a replicate whose horizon ends before day 7N; its aggregate is the share
    of replicates alive. Raises ValueError for week < 1."""
    if week < 1:
        raise ValueError(f"alive_week{week}: the week must be 1 or more")
    return Metric(f"alive_week{week}", f"alive at week {week}", f"第{week}周存活率", "share",
                  aggregate="share", views=views, week=week)


def get(name: str) -> Metric:
    """The registered metric `name`, or `alive_weekN` for any N >= 1. Raises `UnknownMetric`
    naming the known metrics."""
    if name in METRICS:
        return METRICS[name]
    week = ALIVE_WEEK.fullmatch(name)
    if week and int(week[1]) >= 1:
        return alive_week(int(week[1]))
    raise UnknownMetric(f"Unknown metric '{name}'. Metrics: {', '.join(METRICS)}, and "
                        "alive_weekN (share of replicates alive at week N).")


def in_view(view: View) -> tuple[str, ...]:
    """Names of the metrics shown in `view`, in registration order. Raises ValueError for an
    unknown view."""
    if view not in VIEWS:
        raise ValueError(f"unknown view '{view}'; views are {', '.join(VIEWS)}")
    return tuple(name for name, m in METRICS.items() if view in m.views)


def alive_at_week(summary: pd.DataFrame, week: int) -> pd.Series:
    """Per row of `summary` (columns `lifetime_days`, `horizon_days`): 1.0 if alive on day
    7·`week` (lifetime_days >= 7·week), 0.0 if not, NaN when the horizon ends before that day
    (a 4-week run says nothing about week 12)."""
    alive = (summary["lifetime_days"] >= 7 * week).astype(float)
    return alive.where(summary["horizon_days"] >= 7 * week)


def replicate_values(summary: pd.DataFrame, name: str) -> pd.Series:
    """The metric's value per row of `summary` (one row per replicate), as float; NaN where a
    replicate leaves it undefined. Raises `UnknownMetric`, or KeyError when the summary lacks
    the column (a run written before the metric existed)."""
    metric = get(name)
    if metric.week is not None:
        return alive_at_week(summary, metric.week).rename(name)
    return summary[name].astype(float)


def over_replicates(values: pd.Series, name: str) -> dict[str, float]:
    """Aggregate one plan's (or point's) per-replicate values of metric `name`.

    Returns `value` (the median, or the share for a yes/no metric), `p10` and `p90` (quantiles
    over the defined replicates; equal to `value` for a share), `n`, the number of replicates
    that define the metric, and `replicates`, the number aggregated (defined or not). Value
    and quantiles are NaN (and n = 0) when none defines it.
    """
    defined = values.dropna().astype(float)
    n, replicates = len(defined), len(values)
    if n == 0:
        nan = float("nan")
        return {"value": nan, "p10": nan, "p90": nan, "n": 0, "replicates": replicates}
    if get(name).aggregate == "share":
        share = float(defined.mean())
        return {"value": share, "p10": share, "p90": share, "n": n, "replicates": replicates}
    return {"value": float(defined.median()), "p10": float(defined.quantile(0.1)),
            "p90": float(defined.quantile(0.9)), "n": n, "replicates": replicates}


def summarize(summary: pd.DataFrame, metrics: tuple[str, ...] | list[str],
              by: str = "plan") -> pd.DataFrame:
    """`over_replicates` of each metric per value of column `by` (in order of appearance).

    Returns one row per (`by`, metric) with columns `by`, metric, value, p10, p90, n and
    replicates. Metrics whose column `summary` lacks (a run written before the metric existed)
    are left out.
    """
    rows = []
    for key, runs in summary.groupby(by, sort=False):
        for name in metrics:
            try:
                values = replicate_values(runs, name)
            except KeyError:
                continue
            rows.append({by: key, "metric": name, **over_replicates(values, name)})
    return pd.DataFrame(rows, columns=[by, "metric", "value", "p10", "p90", "n", "replicates"])


def paired_metrics(horizons_weeks: Iterable[int]) -> tuple[str, ...]:
    """The metrics a comparison of plans with these horizons pairs seed by seed: survival
    (`alive_weekN`) at the `survival_weeks` of every horizon, in order, then the registry's
    `paired` view."""
    weeks = sorted({w for h in horizons_weeks for w in survival_weeks(h)})
    return (*(f"alive_week{w}" for w in weeks), *in_view("paired"))


def aggregate_by(summary: pd.DataFrame, name: str, by: str) -> pd.Series:
    """The metric aggregated over replicates (median, or share) per value of column `by`
    (e.g. `point`), sorted by it."""
    values = replicate_values(summary, name)
    groups = values.groupby(summary[by], sort=True)
    return (groups.mean() if get(name).aggregate == "share" else groups.median()).rename(name)


_MAIN = frozenset({"table", "deck", "paired", "sensitivity", "sweep", "page", "headline"})
_PROFIT = _MAIN | {"reading"}
_CASH = frozenset({"table", "deck", "paired", "page", "headline"})

register(Metric("alive_at_end", "alive at the end", "期末存活率", "share", aggregate="share"))
register(Metric("horizon_days", "horizon", "模拟天数", "days"))
register(Metric("lifetime_days", "lifetime", "存活天数", "days",
                views=frozenset({"table", "deck", "paired", "reading", "sensitivity", "sweep",
                                 "headline"})))
register(alive_week(4, frozenset({"page"})))
register(alive_week(12, frozenset({"reading", "page"})))
register(Metric("final_members", "final members", "期末成员数", "count", views=_MAIN))
register(Metric("peak_members", "peak members", "峰值成员数", "count", views=frozenset({"table"})))
register(Metric("units_sold", "units sold", "销量 (件)", "count", views=frozenset({"table"})))
register(Metric("total_gmv", "GMV", "成交额 (GMV)", "money", views=_MAIN))
register(Metric("total_cost", "incentive cost", "激励成本", "money", views=_CASH))
register(Metric("gross_profit", "gross profit", "毛利", "money", views=_PROFIT))
register(Metric("roi", "ROI (gross profit ÷ incentive cost)", "投入产出比 (毛利÷激励成本)",
                "multiple", undefined="no incentive cost (below ¥0.01)",
                views=frozenset({"table", "deck", "headline"})))
register(Metric("referral_joins", "referral joins", "邀请入群人数", "count",
                views=frozenset({"table"})))
register(Metric("lurker_share", "lurker share", "潜水率", "share", undefined="no members",
                views=frozenset({"table"})))
register(Metric("posting_gini", "posting inequality (Gini)", "发言集中度 (基尼系数)", "score",
                undefined="no posts"))
register(Metric("top10_share", "share of conversation by the top 10%", "前 10% 成员发言占比",
                "share", undefined="no posts"))
register(Metric("complaint_share", "complaint share of messages", "投诉消息占比", "share",
                views=frozenset({"table"})))
register(Metric("spam_share", "spam share of messages", "广告刷屏占比", "share",
                views=frozenset({"table"})))
register(Metric("trust_end_all", "trust at end (0–1, all who were members)", "期末信任度 (0–1)",
                "score", undefined="no members", views=frozenset({"table"})))
register(Metric("defectors", "spammers among members", "成员中的广告号", "count"))
register(Metric("budget_exhausted_day", "budget ran out on", "预算耗尽日", "day",
                undefined="the budget did not run out"))
register(Metric("skipped_money_items", "paid items skipped (no budget)", "因预算不足跳过的发放",
                "count"))
register(Metric("lead_conversion", "lead conversion (joins ÷ candidate pool)", "引流转换率",
                "share", undefined="no candidate pool", views=frozenset({"review"})))
register(Metric("activity_rate", "activity (daily posters ÷ members)", "活跃度", "share",
                undefined="no day with members", views=frozenset({"review"})))
register(Metric("purchase_conversion", "purchase conversion (buyers ÷ members)", "成交转化率",
                "share", undefined="no members", views=frozenset({"review"})))
register(Metric("repurchase_rate", "repurchase rate (repeat buyers ÷ buyers)", "复购率", "share",
                undefined="no buyers", views=frozenset({"review"})))
register(Metric("fission_ratio", "fission ratio (referral joins per initial member)",
                "裂变倍增率", "multiple", undefined="no initial members",
                views=frozenset({"review"})))
