"""Paired differences: each plan against the first plan of a comparison, seed by seed.

Replicate r of every plan meets the same seed, and the random streams are tied to accounts and
moments, so a plan's per-seed difference from the first plan measures its levers, not its luck.
"""

import pandas as pd

PAIRED_METRICS = {
    "lifetime_days": "lifetime (days)",
    "alive_week12": "alive at week 12 (share)",
    "total_gmv": "GMV (yuan)",
    "gross_profit": "gross profit (yuan)",
    "total_cost": "incentive cost (yuan)",
    "final_members": "final members",
}
"""Summary metrics compared seed by seed, with their labels."""


def alive_week12(summary: pd.DataFrame) -> pd.Series:
    """1.0 where the group was still alive on day 84, else 0.0."""
    return (summary["lifetime_days"] >= 84).astype(float)


def paired_differences(summary: pd.DataFrame) -> pd.DataFrame | None:
    """Per plan after the first and per metric: median, 10% and 90% quantiles and mean of
    per-seed differences (plan − first plan), over the seeds both plans ran. None for one plan.
    """
    plans = list(dict.fromkeys(summary["plan"]))
    if len(plans) < 2:
        return None
    wide = summary.assign(alive_week12=alive_week12(summary))
    wide = wide.set_index(["plan", "seed"])[list(PAIRED_METRICS)].astype(float)
    base = wide.loc[plans[0]]
    rows = []
    for plan in plans[1:]:
        diff = (wide.loc[plan] - base).dropna(how="all")
        for metric in PAIRED_METRICS:
            d = diff[metric].dropna()
            rows.append({
                "plan": plan, "baseline": plans[0], "metric": metric, "n": len(d),
                "median": d.median(), "p10": d.quantile(0.1), "p90": d.quantile(0.9),
                "mean": d.mean(),
            })
    return pd.DataFrame(rows)
