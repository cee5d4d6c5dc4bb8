"""Money kernels: the budget, spending, and a money incentive's effect on motives (M5)."""

import math

from sim.codes import G_BUDGET_OUT_HOUR, G_COST, H_COST
from sim.core import hot


@hot
def can_spend(lv, s, h, yuan):
    """Whether the budget covers `yuan`; the first refusal marks the hour the money ran out."""
    if s.group[G_COST] + yuan <= lv.budget:
        return True
    if s.group[G_BUDGET_OUT_HOUR] < 0:
        s.group[G_BUDGET_OUT_HOUR] = h
    return False


@hot
def spend(s, out_h, h, yuan):
    s.group[G_COST] += yuan
    out_h[H_COST, h] += yuan


@hot
def money_exposure(c, s, i, yuan):
    """M5: a money incentive's pull decays with habituation; it erodes the unpaid motive."""
    response = math.exp(-s.habituation[i])
    s.paid[i] += c.paid_gain * s.money_sens[i] * response
    s.habituation[i] += c.hab_gain
    s.intrinsic[i] *= 1.0 - c.erosion
    s.value_day[i] += c.value_money_per_yuan * yuan * s.money_sens[i] * response
