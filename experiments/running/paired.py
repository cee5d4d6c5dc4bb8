"""Paired differences: each plan against a baseline plan of a comparison, seed by seed.

Replicate r of every plan meets the same seed, and the random streams are tied to accounts and
moments, so a plan's per-seed difference from the baseline measures its levers, not its luck.

`pair` gives one plan's difference from another with a bootstrap interval and the number of
seeds on which it is ahead or behind; a plan "leads" another only when that interval excludes
zero (`Pair.decided`).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import bootstrap

PAIRED_METRICS = {
    "lifetime_days": "lifetime (days)",
    "alive_week12": "alive at week 12 (share)",
    "total_gmv": "GMV (yuan)",
    "gross_profit": "gross profit (yuan)",
    "total_cost": "incentive cost (yuan)",
    "final_members": "final members",
}
"""Summary metrics compared seed by seed, with their labels."""

SHARES = ("alive_week12",)
"""0/1 metrics: their difference is the difference of shares (the mean of per-seed differences);
every other metric's difference is the median of per-seed differences."""



def stated(row: "pd.Series", metric: str) -> tuple[float, float, float]:
    """What outputs state of one `paired_differences` row: for a 0/1 metric (`SHARES`) the
    difference of shares and its bootstrap interval, else the median and the 10–90% range of
    the per-seed differences."""
    columns = ("difference", "low", "high") if metric in SHARES else ("median", "p10", "p90")
    return tuple(float(row[c]) for c in columns)


CONFIDENCE = 0.9
"""Two-sided confidence of the bootstrap interval of a paired difference."""
RESAMPLES = 2000


def alive_week12(summary: pd.DataFrame) -> pd.Series:
    """1.0 where the group was still alive on day 84, else 0.0."""
    return alive_at_week(summary, 12)


def alive_at_week(summary: pd.DataFrame, week: int) -> pd.Series:
    """1.0 where the group was still alive on day 7 × `week`, else 0.0."""
    return (summary["lifetime_days"] >= 7 * week).astype(float)


@dataclass(frozen=True)
class Pair:
    """One plan against another over the seeds both ran (differences: plan − other).

    `difference` is the mean (shares) or median (anything else) of the per-seed differences,
    `low`..`high` its bootstrap interval (`CONFIDENCE`), `ahead`/`behind` the number of seeds
    on which the plan is above/below the other, `n` the seeds compared.
    """

    difference: float
    low: float
    high: float
    ahead: int
    behind: int
    n: int

    @property
    def decided(self) -> bool:
        """True when the interval excludes zero: one plan is ahead beyond seed luck."""
        return self.low > 0 or self.high < 0


def pair(plan: pd.Series, other: pd.Series, share: bool = False) -> Pair:
    """`plan` against `other`: two per-seed Series (index: seed); seeds missing from either are
    left out. `share` takes the mean of the differences (0/1 metrics), else the median."""
    d = (plan - other).dropna().to_numpy(dtype=float)
    if d.size == 0:
        return Pair(np.nan, np.nan, np.nan, 0, 0, 0)
    statistic = np.mean if share else np.median
    centre = float(statistic(d))
    if np.ptp(d) == 0:
        low = high = centre
    else:
        ci = bootstrap((d,), statistic, confidence_level=CONFIDENCE, n_resamples=RESAMPLES,
                       method="percentile", rng=np.random.default_rng(0)).confidence_interval
        low, high = float(ci.low), float(ci.high)
    return Pair(centre, low, high, int((d > 0).sum()), int((d < 0).sum()), int(d.size))


def per_seed(summary: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Seeds as rows, plans as columns (in plan order): one summary metric, or `alive_weekN`."""
    table = summary
    if metric.startswith("alive_week"):
        table = summary.assign(**{metric: alive_at_week(summary, int(metric[10:]))})
    wide = table.pivot(index="seed", columns="plan", values=metric).astype(float)
    return wide[list(dict.fromkeys(summary["plan"]))]


def paired_differences(summary: pd.DataFrame, baseline: str | None = None) -> pd.DataFrame | None:
    """Per plan other than `baseline` (default: the first plan) and per metric: median, 10% and
    90% quantiles and mean of per-seed differences (plan − baseline) over the seeds both plans
    ran; `difference`, `low`, `high`, `ahead`, `behind` as in `pair`. None for one plan.

    Raises ValueError when `baseline` is not one of the plans.
    """
    plans = list(dict.fromkeys(summary["plan"]))
    if len(plans) < 2:
        return None
    baseline = check_baseline(baseline, plans)
    wide = {metric: per_seed(summary, metric) for metric in PAIRED_METRICS}
    rows = []
    for plan in plans:
        if plan == baseline:
            continue
        for metric in PAIRED_METRICS:
            d = (wide[metric][plan] - wide[metric][baseline]).dropna()
            p = pair(wide[metric][plan], wide[metric][baseline], metric in SHARES)
            rows.append({
                "plan": plan, "baseline": baseline, "metric": metric, "n": len(d),
                "median": d.median(), "p10": d.quantile(0.1), "p90": d.quantile(0.9),
                "mean": d.mean(), "difference": p.difference, "low": p.low, "high": p.high,
                "ahead": p.ahead, "behind": p.behind,
            })
    return pd.DataFrame(rows)


def check_baseline(baseline: str | None, plans: list[str]) -> str:
    """`baseline`, or the first plan when None; ValueError naming the plans when it is not one."""
    if baseline is None:
        return plans[0]
    if baseline not in plans:
        raise ValueError(f"--baseline {baseline} is not one of the compared plans: "
                         f"{', '.join(plans)}")
    return baseline
