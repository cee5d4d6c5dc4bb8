"""Paired differences: each plan against a baseline plan of a comparison, seed by seed.

Replicate r of every plan meets the same seed, and the random streams are tied to accounts and
moments, so a plan's per-seed difference from the baseline measures its levers, not its luck.
The metrics compared are those registered with the `paired` view (`experiments.running.metrics`).

`pair` gives one plan's difference from another with a bootstrap interval and the number of
seeds on which it is ahead or behind; a plan "leads" another only when that interval excludes
zero (`Pair.decided`).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import bootstrap

from experiments.running.metrics import get, in_view, replicate_values

CONFIDENCE = 0.9
"""Two-sided confidence of the bootstrap interval of a paired difference."""
RESAMPLES = 2000


def is_share(metric: str) -> bool:
    """True for a yes/no metric (registered with the `share` aggregate): its difference is the
    difference of shares (the mean of per-seed differences), not their median."""
    return get(metric).aggregate == "share"


def stated(row: "pd.Series | dict", metric: str) -> tuple[float, float, float]:
    """What outputs state of one `paired_differences` row: for a yes/no metric (`is_share`) the
    difference of shares and its bootstrap interval, else the median and the 10–90% range of
    the per-seed differences (units of the metric; a share's difference is a fraction)."""
    columns = ("difference", "low", "high") if is_share(metric) else ("median", "p10", "p90")
    return tuple(float(row[c]) for c in columns)


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
    """Seeds as rows, plans as columns (in plan order): one column of `summary` (columns plan,
    seed and `metric`), or a registered metric it derives (`replicate_values`: `alive_weekN`);
    NaN where a replicate leaves it undefined."""
    table = summary if metric in summary else summary.assign(
        **{metric: replicate_values(summary, metric)})
    wide = table.pivot(index="seed", columns="plan", values=metric).astype(float)
    return wide[list(dict.fromkeys(summary["plan"]))]


def paired_differences(summary: pd.DataFrame, baseline: str | None = None) -> pd.DataFrame | None:
    """Per plan other than `baseline` (default: the first plan) and per paired metric: median,
    10% and 90% quantiles and mean of per-seed differences (plan − baseline) over the `n` seeds
    both plans define it for; `difference`, `low`, `high`, `ahead`, `behind` as in `pair`.

    `summary` has one row per replicate with `plan`, `seed` and the summary columns. Returns one
    row per (plan, metric) with columns plan, baseline, metric, n, median, p10, p90, mean,
    difference, low, high, ahead, behind (units of the metric; a share's difference is a
    fraction), or None for a single plan. Raises ValueError when `baseline` is not one of the
    plans.
    """
    plans = list(dict.fromkeys(summary["plan"]))
    if len(plans) < 2:
        return None
    baseline = check_baseline(baseline, plans)
    metrics = in_view("paired")
    wide = {metric: per_seed(summary, metric) for metric in metrics}
    rows = []
    for plan in plans:
        if plan == baseline:
            continue
        for metric in metrics:
            d = (wide[metric][plan] - wide[metric][baseline]).dropna()
            p = pair(wide[metric][plan], wide[metric][baseline], is_share(metric))
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
