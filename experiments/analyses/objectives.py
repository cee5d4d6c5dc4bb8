"""What sensitivity runs and plan searches measure: a metric of a point, taken over its replicates.

A metric is a registered summary metric (`experiments.running.metrics`: `total_gmv`,
`final_members`, ...), aggregated as its registration says: the median over the point's
replicates, or the share of replicates for a yes/no metric (`alive_at_end`, and `alive_weekN`:
alive at day 7N, i.e. `lifetime_days >= 7N`; the plan's horizon must reach week N).
"""

import math
import re
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from experiments.running.metrics import METRICS, UnknownMetric, aggregate_by, get
from experiments.running.runner import RunError
from scenarios.schema import Plan


def check_metric(name: str, plan: Plan) -> None:
    """Raise `RunError` unless `name` is a metric this plan can report (a registered metric, or
    `alive_weekN` with 1 <= N <= the plan's weeks)."""
    try:
        metric = get(name)
    except UnknownMetric:
        raise RunError(
            f"Unknown metric '{name}'. Metrics: {', '.join(METRICS)}, and alive_weekN "
            f"(share of replicates alive at week N, N from 1 to {plan.group.weeks})."
        ) from None
    if metric.week is not None and metric.week > plan.group.weeks:
        raise RunError(
            f"Metric '{name}' needs a horizon of at least {metric.week} weeks; the plan runs "
            f"{plan.group.weeks} (group.weeks). Use alive_week1 to "
            f"alive_week{plan.group.weeks}."
        )


def by_point(summary: pd.DataFrame, metric: str) -> pd.Series:
    """`metric` for each point of a summary table (rows of runs with a `point` column), indexed
    by point: the median over its replicates, or the share for a yes/no metric. Raises
    `UnknownMetric` for a name `check_metric` refuses."""
    return aggregate_by(summary, metric, "point")


def describe(metric: str) -> str:
    """How the metric is taken over replicates, for titles and help."""
    try:
        share = get(metric).aggregate == "share"
    except UnknownMetric:
        share = False
    return f"{metric} (share of replicates)" if share else f"{metric} (median over replicates)"


@dataclass(frozen=True)
class Objective:
    """A metric to maximise or minimise (over a point's replicates, see `by_point`)."""

    metric: str
    direction: Literal["maximize", "minimize"]


def parse_objective(text: str) -> Objective:
    """`METRIC`, `METRIC:max` or `METRIC:min` (maximised unless it says min)."""
    metric, _, way = text.strip().partition(":")
    directions = {"": "maximize", "max": "maximize", "min": "minimize"}
    if way not in directions or not metric:
        raise RunError(
            f"Bad --objective '{text}': write METRIC, METRIC:max or METRIC:min, "
            "e.g. total_gmv:max."
        )
    return Objective(metric, directions[way])


CONSTRAINT = re.compile(
    r"\s*([A-Za-z_][A-Za-z_0-9]*)\s*(<=|>=)\s*([-+]?[0-9.]+(?:[eE][-+]?\d+)?)\s*"
)


@dataclass(frozen=True)
class Constraint:
    """`metric op bound`: a point is feasible when its metric (over replicates) satisfies it."""

    metric: str
    op: Literal["<=", ">="]
    bound: float

    def violation(self, value: float) -> float:
        """How far `value` breaks the constraint: at most 0 when it holds, inf when undefined."""
        if math.isnan(value):
            return math.inf
        return self.bound - value if self.op == ">=" else value - self.bound

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.bound:g}"


def parse_constraint(text: str) -> Constraint:
    """`METRIC>=NUMBER` or `METRIC<=NUMBER`, e.g. `alive_week12>=0.8`, `total_cost<=2000`."""
    match = CONSTRAINT.fullmatch(text)
    try:
        bound = float(match[3]) if match else math.nan
    except ValueError:
        bound = math.nan
    if match is None or math.isnan(bound):
        raise RunError(
            f"Bad --constraint '{text}': write METRIC>=NUMBER or METRIC<=NUMBER, "
            "e.g. 'alive_week12>=0.8' or 'total_cost<=2000'."
        )
    return Constraint(match[1], match[2], bound)
