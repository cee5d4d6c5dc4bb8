"""Paired differences: each plan against a baseline plan of a comparison, seed by seed.

Replicate r of every plan meets the same seed, and the random streams are tied to accounts and
moments, so a plan's per-seed difference from the baseline measures its levers, not its luck.
The metrics compared are survival at weeks 4, 12 and the horizon, then those registered with the
`paired` view (`experiments.running.metrics.paired_metrics`).

How a difference is taken follows the metric's aggregate, here and nowhere else:
- `median` (a number): the median of the per-seed differences, with their 10% and 90%
  quantiles;
- `share` (a yes/no outcome such as alive at week 12): the difference of the two shares
  (share of plan − share of the first plan over the same seeds; never the median of per-seed
  0/1 differences, which is −1, 0 or +1), with Newcombe's 95% interval for paired proportions.

`pair` states one plan against another for the answers: the same difference of shares (via
`difference`), or the median of per-seed differences with a bootstrap interval of that median,
and the number of seeds on which the plan is ahead or behind; a plan "leads" another only when
that interval excludes zero (`Pair.decided`).
"""

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd
from scipy.stats import bootstrap

from experiments.running.metrics import UnknownMetric, get, paired_metrics, replicate_values

SHARE_CONFIDENCE = 0.95
"""Confidence level of the interval of a difference of shares."""


def wilson_interval(successes: int, n: int, confidence: float = SHARE_CONFIDENCE
                    ) -> tuple[float, float]:
    """Wilson's score interval (Wilson 1927, no continuity correction) of a proportion
    `successes`/`n`, as (low, high) fractions. Raises ValueError for n < 1."""
    if n < 1:
        raise ValueError(f"a proportion needs n >= 1 observations, not {n}")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_paired_interval(both: int, first_only: int, second_only: int, neither: int,
                             confidence: float = SHARE_CONFIDENCE) -> tuple[float, float]:
    """Newcombe's hybrid score interval for the difference p1 − p2 of two paired proportions.

    The counts are the paired 2×2 table: pairs where both outcomes are yes, only the first,
    only the second, neither; p1 = (both + first_only)/n, p2 = (both + second_only)/n. Returns
    (low, high) as fractions within [−1, 1]. Raises ValueError for an empty table.

    Method 10 of Newcombe, R. G. (1998), "Improved confidence intervals for the difference
    between binomial proportions based on paired data", Statistics in Medicine 17, 2635–2650:
    the Wilson intervals (l1, u1) and (l2, u2) of the two margins, squared and added with the
    correlation φ of the margins, φ = (AD − BC)/√(product of the four margins), where AD − BC
    is shrunk by n/2 towards 0 when positive (0 when at most n/2) and φ = 0 when a margin is
    empty:
        low  = (p1 − p2) − √((p1 − l1)² − 2φ(p1 − l1)(u2 − p2) + (u2 − p2)²)
        high = (p1 − p2) + √((p2 − l2)² − 2φ(p2 − l2)(u1 − p1) + (u1 − p1)²)
    The same as `Newcombe_square_and_add_CI_paired_2x2` of the R package contingencytables
    (Fagerland, Lydersen and Laake, "Statistical Analysis of Contingency Tables", 2017, ch. 8),
    which recommends it for paired proportions at small n. No maintained Python library
    offered it when this was written (statsmodels 0.15 has only the independent-samples
    version, `confint_proportions_2indep`).
    """
    n = both + first_only + second_only + neither
    if n < 1:
        raise ValueError("a paired interval needs at least one pair")
    yes1, yes2 = both + first_only, both + second_only
    p1, p2 = yes1 / n, yes2 / n
    l1, u1 = wilson_interval(yes1, n, confidence)
    l2, u2 = wilson_interval(yes2, n, confidence)
    margins = yes1 * (n - yes1) * yes2 * (n - yes2)
    cross = both * neither - first_only * second_only
    if margins == 0 or 0 <= cross <= n / 2:
        phi = 0.0
    else:
        phi = (cross - n / 2 if cross > 0 else cross) / math.sqrt(margins)
    d = p1 - p2
    low = d - math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2)
                            + (u2 - p2) ** 2))
    high = d + math.sqrt(max(0.0, (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1)
                             + (u1 - p1) ** 2))
    return max(-1.0, low), min(1.0, high)


def difference(values: pd.Series, base: pd.Series, name: str) -> dict[str, float]:
    """Plan − first plan for metric `name`, over the seeds both define it for.

    `values` and `base` are per-replicate values indexed by seed (NaN where undefined).
    Returns `value`, the interval `low` and `high`, `mean` (of the per-seed differences) and
    `n`, the number of seeds compared: for a `median` metric the median and 10%/90% quantiles
    of the per-seed differences; for a `share` the difference of the shares and its Newcombe
    interval (`SHARE_CONFIDENCE`). Value, interval and mean are NaN when n = 0.
    """
    pairs = pd.DataFrame({"a": values, "b": base}).dropna()
    n = len(pairs)
    if n == 0:
        nan = float("nan")
        return {"n": 0, "value": nan, "low": nan, "high": nan, "mean": nan}
    d = pairs["a"] - pairs["b"]
    if get(name).aggregate == "share":
        a, b = pairs["a"].to_numpy() == 1, pairs["b"].to_numpy() == 1
        low, high = newcombe_paired_interval(int((a & b).sum()), int((a & ~b).sum()),
                                             int((~a & b).sum()), int((~a & ~b).sum()))
        value = float(a.mean() - b.mean())
        return {"n": n, "value": value, "low": low, "high": high, "mean": value}
    return {"n": n, "value": float(d.median()), "low": float(d.quantile(0.1)),
            "high": float(d.quantile(0.9)), "mean": float(d.mean())}


CONFIDENCE = 0.9
"""Two-sided confidence of the bootstrap interval of a median paired difference (`pair`)."""
RESAMPLES = 2000


@dataclass(frozen=True)
class Pair:
    """One plan against another over the seeds both define a metric for (plan − other).

    `difference` is the difference of shares (a `share` metric, interval as in `difference`)
    or the median of the per-seed differences (bootstrap interval, `CONFIDENCE`), `low`..`high`
    its interval, `ahead`/`behind` the number of seeds on which the plan is above/below the
    other, `n` the seeds compared.
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


def pair(plan: pd.Series, other: pd.Series, name: str) -> Pair:
    """`plan` against `other` on metric `name` (a registered metric, or a column of counts):
    two per-seed Series (index: seed); seeds missing from either are left out."""
    pairs = pd.DataFrame({"a": plan, "b": other}).dropna()
    d = (pairs["a"] - pairs["b"]).to_numpy(dtype=float)
    ahead, behind = int((d > 0).sum()), int((d < 0).sum())
    if d.size and is_share(name):
        stated = difference(pairs["a"], pairs["b"], name)
        return Pair(stated["value"], stated["low"], stated["high"], ahead, behind, d.size)
    if d.size == 0:
        return Pair(np.nan, np.nan, np.nan, 0, 0, 0)
    centre = float(np.median(d))
    if np.ptp(d) == 0:
        low = high = centre
    else:
        ci = bootstrap((d,), np.median, confidence_level=CONFIDENCE, n_resamples=RESAMPLES,
                       method="percentile", rng=np.random.default_rng(0)).confidence_interval
        low, high = float(ci.low), float(ci.high)
    return Pair(centre, low, high, ahead, behind, int(d.size))


def is_share(name: str) -> bool:
    """True for a registered yes/no metric (the `share` aggregate); False for a median metric
    or a column that is no registered metric (a daily count)."""
    try:
        return get(name).aggregate == "share"
    except UnknownMetric:
        return False


def per_seed(summary: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Seeds as rows, plans as columns (in plan order): one column of `summary` (columns plan,
    seed and `metric`), or a registered metric it derives (`replicate_values`: `alive_weekN`);
    NaN where a replicate leaves it undefined."""
    table = summary if metric in summary else summary.assign(
        **{metric: replicate_values(summary, metric)})
    wide = table.pivot(index="seed", columns="plan", values=metric).astype(float)
    return wide[list(dict.fromkeys(summary["plan"]))]


def paired_differences(summary: pd.DataFrame, baseline: str | None = None
                       ) -> pd.DataFrame | None:
    """Per plan other than `baseline` (default: the first plan) and per paired metric: the
    `difference` from the baseline.

    `summary` has one row per replicate with `plan`, `seed` and the summary columns (with
    `lifetime_days` and `horizon_days`). Returns one row per (plan, metric) with columns plan,
    baseline, metric, aggregate ("median" or "share"), n (seeds both plans define the metric
    for), replicates (seeds both plans ran), value, low, high and mean, in units of the metric
    (a share's difference is a fraction); no row where n = 0 (survival past either plan's
    horizon is not reported). None for a single plan. Raises ValueError when `baseline` is
    not one of the plans.
    """
    plans = list(dict.fromkeys(summary["plan"]))
    if len(plans) < 2:
        return None
    metrics = paired_metrics(np.unique(summary["horizon_days"] // 7).tolist())
    wide = pd.DataFrame({m: replicate_values(summary, m) for m in metrics})
    wide.index = pd.MultiIndex.from_frame(summary[["plan", "seed"]])
    baseline = check_baseline(baseline, plans)
    base = wide.loc[baseline]
    rows = []
    for plan in (p for p in plans if p != baseline):
        values = wide.loc[plan]
        seeds = values.index.intersection(base.index)
        for metric in metrics:
            d = difference(values.loc[seeds, metric], base.loc[seeds, metric], metric)
            if d["n"]:
                rows.append({"plan": plan, "baseline": baseline, "metric": metric,
                             "aggregate": get(metric).aggregate, "n": d["n"],
                             "replicates": len(seeds), "value": d["value"], "low": d["low"],
                             "high": d["high"], "mean": d["mean"]})
    return pd.DataFrame(rows)


def check_baseline(baseline: str | None, plans: list[str]) -> str:
    """`baseline`, or the first plan when None; ValueError naming the plans when it is not one."""
    if baseline is None:
        return plans[0]
    if baseline not in plans:
        raise ValueError(f"--baseline {baseline} is not one of the compared plans: "
                         f"{', '.join(plans)}")
    return baseline
