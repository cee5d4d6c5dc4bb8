"""Turn the kernel's metric arrays into the daily table, the hourly table and the summary.

Empty values (NaN) appear only where a value is undefined, and nowhere else (tested over random
plans in tests/test_properties.py): daily `mean_trust`, `mean_satisfaction`, `mean_sentiment`
and `share_two_ties` on a day with no members; summary `roi` when the incentive cost is under
one fen (¥0.01, `FEN`; a ratio to a smaller cost overflows to infinity),
`fission_ratio` when `members.initial` is 0, `lurker_share`, `posting_gini` and
`trust_end_all` when nobody was ever a member, `top10_share` when nobody ever posted
conversation, and `budget_exhausted_day` when the budget never ran out.
"""

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from agents import ADVERTISER, ROLES
from sim import codes as k

MESSAGE_KINDS = ("real_messages", "host_messages", "shill_messages", "spam_messages", "guest_messages")
COUNTS = ("members", "joins", "leaves", "muted", "active_posters", "weekly_posters", "purchases",
          "referral_joins")
"""Daily columns that count whole things (stored as integers)."""
FEN = 0.01
"""The smallest sum of money (¥0.01): `roi` is empty below it, where it would overflow."""


def hourly_table(out_h: np.ndarray) -> pd.DataFrame:
    hours = out_h.shape[1]
    columns = {"hour": np.arange(hours), "day": np.arange(hours) // 24}
    columns.update(zip(k.HOURLY, out_h))
    columns["messages"] = sum(columns[kind] for kind in MESSAGE_KINDS)
    return pd.DataFrame(columns)


def daily_table(out_h: np.ndarray, out_d: np.ndarray, unit_cost: float,
                dead_day: int) -> pd.DataFrame:
    """`daily_columns` as a table."""
    return pd.DataFrame(daily_columns(out_h, out_d, unit_cost, dead_day))


def daily_columns(out_h: np.ndarray, out_d: np.ndarray, unit_cost: float,
                  dead_day: int) -> dict[str, np.ndarray]:
    """The daily table's columns (days,) by name, in order (a portfolio joins its copies'
    before it makes one table). One row per day: the kernel's daily rows, and its hourly rows
    summed over the day (members are taken at the end of the day, from the daily rows),
    `gross_profit` and `alive`.

    `purchases` are units sold (one unit a purchase). `gross_profit` (yuan) = GMV − purchases ×
    `unit_cost` (the plan's `economics.unit_cost`, yuan per unit) − incentive cost: the one place
    it is computed; the summary, charts, report, deck, app and objectives read it. `alive` is
    False from `dead_day` on (the group's death day, -1 while it lives; `members` still counts
    who stayed).
    """
    days = out_d.shape[1]
    by_day = dict(zip(k.HOURLY, out_h.reshape(out_h.shape[0], days, 24).sum(axis=2)))
    columns = {"day": np.arange(days), **by_day, **dict(zip(k.DAILY, out_d))}
    columns["messages"] = sum(by_day[kind] for kind in MESSAGE_KINDS)
    for name in COUNTS:
        columns[name] = columns[name].astype(np.int64)
    columns["quiet"] = columns["quiet"].astype(bool)
    columns["gross_profit"] = (columns["gmv"] - columns["purchases"] * unit_cost
                               - columns["incentive_cost"])
    columns["alive"] = columns["day"] < dead_day if dead_day >= 0 else np.ones(days, dtype=bool)
    return columns


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values, zeros included."""
    if x.size == 0 or x.sum() == 0:
        return float("nan") if x.size == 0 else 0.0
    v = np.sort(x.astype(np.float64))
    n = v.size
    return float((2 * np.arange(1, n + 1) - n - 1) @ v / (n * v.sum()))


def top_share(x: np.ndarray, share: float = 0.1) -> float:
    """Share of the total held by the top `share` of people (at least one person)."""
    if x.size == 0 or x.sum() == 0:
        return float("nan")
    top = max(1, int(round(share * x.size)))
    return float(np.sort(x)[::-1][:top].sum() / x.sum())


def summary(model, daily: Mapping[str, Any]) -> dict:
    """One replicate's outcomes (docs/model.md "What comes out") from its daily table or
    `daily_columns`; posting counts conversation only."""
    s, plan = model.state, model.plan

    def column(name: str) -> np.ndarray:  # numpy sums: pandas' own, without its overhead
        return np.asarray(daily[name])

    dead = int(s.group[k.G_DEAD_DAY])
    was = s.was_member == 1
    posts = s.n_posts[was]
    cost = float(column("incentive_cost").sum())
    gmv = float(column("gmv").sum())
    real = float(column("real_messages").sum())
    spam = float(column("spam_messages").sum())
    referral = int(s.group[k.G_REFERRAL_JOINS])
    out_hour = int(s.group[k.G_BUDGET_OUT_HOUR])
    gross_profit = float(column("gross_profit").sum())
    return {
        "alive_at_end": dead < 0,
        "lifetime_days": plan.horizon_days if dead < 0 else dead,
        "horizon_days": plan.horizon_days,
        "peak_members": int(s.group[k.G_PEAK]),
        "final_members": int(column("members")[-1]),
        "units_sold": int(column("purchases").sum()),
        "total_gmv": gmv,
        "total_cost": cost,
        "gross_profit": gross_profit,
        "roi": gross_profit / cost if cost >= FEN else float("nan"),
        "referral_joins": referral,
        "fission_ratio": referral / plan.members.initial if plan.members.initial else float("nan"),
        "lurker_share": float((posts == 0).mean()) if posts.size else float("nan"),
        "posting_gini": gini(posts),
        "top10_share": top_share(posts),
        "complaint_share": float(column("complaint_messages").sum() / real) if real else 0.0,
        "spam_share": spam / (real + spam) if real + spam else 0.0,
        "trust_end_all": float(s.trust_end[was].mean()) if was.any() else float("nan"),
        "defectors": int(((s.role == ADVERTISER.role_id) & was).sum()),
        "budget_exhausted_day": out_hour // 24 if out_hour >= 0 else float("nan"),
        "skipped_money_items": int(s.group[k.G_SKIPPED_MONEY]),
    }


def members_table(model) -> pd.DataFrame:
    """`members_columns` as a table."""
    return pd.DataFrame(members_columns(model))


def members_columns(model) -> dict[str, np.ndarray]:
    """The members table's columns by name, in order: one row per account that was ever a
    real member, who they were and what they did.

    `posts` is conversation; `prompted_posts` and `jielong_entries` are counted apart, and the
    three add up to the member's share of the daily `real_messages`. Hours are since opening;
    -1 means never (or, for `joined_hour`, an initial member).
    """
    s = model.state
    slots = np.flatnonzero(s.was_member == 1)
    initial = slots < model.n_initial
    role_names = np.array([role.name for role in ROLES])
    return {
        "slot": slots,
        "role": role_names[s.role[slots]],
        "segment": s.segment[slots],
        "joined_hour": np.where(initial, -1, s.join_hour[slots].astype(np.int64)),
        "left_hour": s.left_hour[slots],
        "muted_hour": s.muted_hour[slots],
        "invited_by": s.invited_by[slots],
        "posts": s.n_posts[slots],
        "prompted_posts": s.n_prompted[slots],
        "jielong_entries": s.n_entries[slots],
        "purchases": s.n_purchases[slots],
        "spend": s.spend[slots],
        "trust_end": s.trust_end[slots],
        "satisfaction_end": s.satisfaction[slots],
    }
