"""Paired differences: each plan against the first plan of a comparison, seed by seed.

Replicate r of every plan meets the same seed, and the random streams are tied to accounts and
moments, so a plan's per-seed difference from the first plan measures its levers, not its luck.
The metrics compared are those registered with the `paired` view (`experiments.running.metrics`).
"""

import pandas as pd

from experiments.running.metrics import in_view, replicate_values


def paired_differences(summary: pd.DataFrame) -> pd.DataFrame | None:
    """Per plan after the first and per paired metric: median, 10% and 90% quantiles and mean of
    per-seed differences (plan − first plan), over the `n` seeds both plans define it for.

    `summary` has one row per replicate with `plan`, `seed` and the summary columns. Returns one
    row per (plan, metric) with columns plan, baseline, metric, n, median, p10, p90, mean (units
    of the metric; a share's difference is a fraction), or None for a single plan.
    """
    plans = list(dict.fromkeys(summary["plan"]))
    if len(plans) < 2:
        return None
    metrics = in_view("paired")
    wide = pd.DataFrame({m: replicate_values(summary, m) for m in metrics})
    wide.index = pd.MultiIndex.from_frame(summary[["plan", "seed"]])
    base = wide.loc[plans[0]]
    rows = []
    for plan in plans[1:]:
        diff = (wide.loc[plan] - base).dropna(how="all")
        for metric in metrics:
            d = diff[metric].dropna()
            rows.append({
                "plan": plan, "baseline": plans[0], "metric": metric, "n": len(d),
                "median": d.median(), "p10": d.quantile(0.1), "p90": d.quantile(0.9),
                "mean": d.mean(),
            })
    return pd.DataFrame(rows)
