"""Money kernels: the budget, spending, and a money incentive's effect on motives (M5)."""

import math

from sim.codes import G_BUDGET_OUT_HOUR, G_COST, H_COST
from sim.core import hot, may_post_more


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
def felt(c, s, i, yuan):
    """M5: how much member i feels `yuan` reaching them, 0-1: 1 − (1 + yuan/felt_yuan)^−sensitivity
    (diminishing returns; the money-sensitive feel more)."""
    return 1.0 - (1.0 + yuan / c.felt_yuan) ** -s.money_sens[i]


@hot
def money_exposure(ctx, i, h, yuan):
    """M5: `yuan` reaching member i at hour h adds a paid motive that decays with habituation,
    habituates and erodes the unpaid motive, each in proportion to how much it is felt."""
    c, s = ctx.c, ctx.s
    f = felt(c, s, i, yuan)
    response = math.exp(-s.habituation[i])
    s.paid[i] += c.paid_gain * f * response
    s.habituation[i] += c.hab_gain * f
    s.intrinsic[i] *= 1.0 - c.erosion * f
    s.value_day[i] += c.value_money_per_yuan * yuan * s.money_sens[i] * response
    may_post_more(ctx, i, h)
