"""The 复盘 (review) metrics a strategist reports after a campaign, per replicate.

Defined in docs/metrics.md. 裂变倍增率 is the summary's `fission_ratio`; 复制成功率 is a
portfolio's (`sim.portfolio.portfolio_summary`, `copy_success`).
"""

from collections.abc import Mapping
from typing import Any

import numpy as np

from scenarios.schema import Plan


def review_metrics(daily: Mapping[str, Any], members: Mapping[str, Any], plan: Plan) -> dict:
    """引流转换率, 活跃度, 成交转化率 and 复购率 of one replicate (NaN where undefined), from its
    daily and members tables or their columns (`sim.metrics.daily_columns`, `members_columns`)."""
    joined = int((np.asarray(members["joined_hour"]) >= 0).sum())
    count = np.asarray(daily["members"])
    present = count > 0
    active = np.asarray(daily["active_posters"])[present] / count[present]
    purchases = np.asarray(members["purchases"])
    buyers = int((purchases >= 1).sum())
    return {
        "lead_conversion": joined / plan.pool.size if plan.pool.size else np.nan,
        "activity_rate": float(active.mean()) if present.any() else np.nan,
        "purchase_conversion": buyers / purchases.size if purchases.size else np.nan,
        "repurchase_rate": float((purchases >= 2).sum() / buyers) if buyers else np.nan,
    }
