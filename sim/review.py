"""The 复盘 (review) metrics a strategist reports after a campaign, per replicate.

Defined in docs/metrics.md. 裂变倍增率 is the summary's `fission_ratio`; 复制成功率 needs
portfolios of groups and is not computed.
"""

import numpy as np
import pandas as pd

from scenarios.schema import Plan


def review_metrics(daily: pd.DataFrame, members: pd.DataFrame, plan: Plan) -> dict:
    """引流转换率, 活跃度, 成交转化率 and 复购率 of one replicate (NaN where undefined)."""
    joined = int((members["joined_hour"].to_numpy() >= 0).sum())
    count = daily["members"].to_numpy()
    present = count > 0
    active = daily["active_posters"].to_numpy()[present] / count[present]
    purchases = members["purchases"].to_numpy()
    buyers = int((purchases >= 1).sum())
    return {
        "lead_conversion": joined / plan.pool.size if plan.pool.size else np.nan,
        "activity_rate": float(active.mean()) if present.any() else np.nan,
        "purchase_conversion": buyers / len(members) if len(members) else np.nan,
        "repurchase_rate": float((purchases >= 2).sum() / buyers) if buyers else np.nan,
    }
