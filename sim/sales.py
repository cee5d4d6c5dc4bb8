"""Sales kernels: prices, coupons, demand and purchases, offers seen (M3 M4 M6 M12 M19); a flash
sale or 接龙 is met in `sim/events.py`."""

import math

from sim.codes import (
    ACTION, ATTENTION, DESIRE, H_GMV, H_PURCHASES, INTEREST, NEVER, R_PLEASED_SHARE, R_QUALITY,
    SATISFIED, SHARE, T_BUY,
)
from sim.core import hot, may_post_more, rand
from sim.money import can_spend, spend


@hot
def list_price(lv, s, i, h, sale_discount):
    """The price before coupons: the best of the sale's and the member's early-join discount."""
    d = sale_discount
    if h < 24:
        d = max(d, s.early_disc[i])
    return lv.price * (1.0 - d)


@hot
def coupon_value(lv, s, i, h, list_price):
    """Yuan a valid coupon takes off `list_price` (0 without one)."""
    if s.coupon_until[i] >= h and s.coupon_disc[i] > 0.0:
        return min(lv.price * s.coupon_disc[i], list_price)
    return 0.0


@hot
def price_paid(lv, s, i, h, sale_discount):
    """The price member i would pay now, coupon included (M19: discounts work through it)."""
    price = list_price(lv, s, i, h, sale_discount)
    return price - coupon_value(lv, s, i, h, price)


@hot
def accept(c, lv, s, i, price):
    """M19: the chance member i accepts `price`: 1/2 at their willingness to pay, which is
    their taste for the goods times their opinion of this seller's product."""
    willing = s.wtp[i] * s.opinion[i] * lv.reference_price
    if price <= 0.0:
        return 1.0  # free: everyone with a need takes it
    if willing <= 0.0:
        return 0.0  # a product worth nothing elsewhere is not bought at a price
    return 1.0 / (1.0 + (price / willing) ** c.price_steepness)


@hot
def offer_fit(lv, s, i):
    """M6: how much an offer is value rather than noise to member i: trust in a host whose
    persona fits the product, and their opinion of the product (a burned buyer's offers are noise)."""
    return s.trust[i] * lv.ip_match * s.opinion[i]


@hot
def buy_chance(ctx, i, price, h):
    """M19: a purchase needs a need and a price the member accepts; trust, the host's match
    (M3, M4) and the funnel stage (M12) scale the chance; sale fatigue lowers it."""
    c, lv, s, traits = ctx.c, ctx.lv, ctx.s, ctx.traits
    if h < s.need_at[i]:
        return 0.0
    stage = s.stage[i]
    if stage == ATTENTION:
        w = c.stage_weight_attention
    elif stage == INTEREST:
        w = c.stage_weight_interest
    elif stage == DESIRE:
        w = 1.0
    else:
        w = c.repeat_weight
    p = c.buy_rate * traits[s.role[i], T_BUY] * w * accept(c, lv, s, i, price)
    p *= s.trust[i] * lv.ip_match ** c.match_power * (c.taste_floor + s.interest[i])
    p *= math.exp(-s.sale_fatigue[i])
    return min(p, 1.0)


@hot
def purchase(ctx, i, h, sale_discount):
    c, lv, s, out_h = ctx.c, ctx.lv, ctx.s, ctx.out_h
    price = list_price(lv, s, i, h, sale_discount)
    coupon = coupon_value(lv, s, i, h, price)
    if coupon > 0.0:
        if can_spend(lv, s, h, coupon):  # the operator pays for a redeemed coupon
            spend(s, out_h, h, coupon)
            price -= coupon
        s.coupon_disc[i] = 0.0
    s.spend[i] += price
    s.n_purchases[i] += 1
    s.need_at[i] = h + lv.repurchase_hours * s.cycle[i] if lv.repurchase_hours > 0 else NEVER
    out_h[H_PURCHASES, h] += 1
    out_h[H_GMV, h] += price
    if s.stage[i] < ACTION:
        s.stage[i] = ACTION
    # the post-purchase experience, from the product's quality
    if rand(lv, R_QUALITY, i, h) < lv.quality:
        s.satisfaction[i] += c.pleased_sat
        s.sentiment[i] = min(1.0, s.sentiment[i] + c.pleased_sentiment)
        s.opinion[i] += c.pleased_opinion * (1.0 - s.opinion[i])
        s.stage[i] = SHARE if rand(lv, R_PLEASED_SHARE, i, h) < c.pleased_share else SATISFIED
    else:
        s.complain_urge[i] += c.disappointed_urge
        s.satisfaction[i] -= c.disappointed_sat
        s.sentiment[i] = max(-1.0, s.sentiment[i] - c.disappointed_sentiment)
        s.trust[i] *= 1.0 - c.disappointed_trust
        s.opinion[i] *= 1.0 - c.disappointed_opinion
        s.stage[i] = INTEREST
    may_post_more(ctx, i, h)  # satisfaction moved, either way, or the urge grew


@hot
def sale_seen(c, lv, s, i):
    """M6/M19: every sale a member sees tires them of sales and, unless the host is trusted
    and fits, annoys them."""
    s.sale_fatigue[i] += c.sale_fatigue_gain
    s.deal_day[i] += 1.0
    s.annoy_day[i] += c.annoy_sale * (1.0 - offer_fit(lv, s, i))
