"""Plans that validate but cannot do what they say: items that never fire, levers that cannot
work, prices that sell below cost; and notes on how older ways of stating a lever are read now.

These are warnings, not errors: the plan runs, but a strategist should know before reading
its results that, say, every red packet will be skipped.
"""

from typing import TYPE_CHECKING

from scenarios.schema import PLATFORM_CAP, Plan
from sim.calendar import occurrence_days

if TYPE_CHECKING:
    from scenarios.portfolio import Portfolio


def _yuan(x: float) -> str:
    return f"¥{x:,.2f}".replace(".00", "")


def plan_warnings(plan: Plan) -> list[str]:
    """One sentence per item that can never fire or lever that cannot work in `plan`."""
    out = []
    budget = plan.economics.budget
    horizon = plan.horizon_days
    for n, item in enumerate(plan.calendar):
        where = f"calendar[{n}] ({item.kind})"
        if not occurrence_days(item, horizon, plan.group.open_weekday):
            out.append(f"{where} never fires: none of its days falls within the "
                       f"{horizon}-day horizon (days 0 to {horizon - 1}).")
            continue
        for what, cost in payments(plan, item):
            if budget is not None and cost > budget:
                out.append(f"{where} {what} is more than the whole budget {_yuan(budget)}: "
                           "it is never paid.")
        if item.kind == "cleanup" and item.inactive_days >= horizon:
            out.append(f"{where} inactive_days {item.inactive_days} is not shorter than the "
                       f"{horizon}-day horizon: nobody is ever inactive long enough to be removed.")
    growth = plan.growth
    referral = growth.referral_reward_referrer + growth.referral_reward_referee
    if budget is not None and referral > budget:
        out.append(f"growth.referral_reward_referrer + referral_reward_referee = {_yuan(referral)} "
                   f"is more than the whole budget {_yuan(budget)}: no referral reward is ever paid.")
    if referral > 0 and plan.pool.size == 0:
        out.append("growth referral rewards are set but pool.size is 0: nobody is left to invite.")
    for n, tier in enumerate(growth.early_join_discounts):
        if tier.by_hour == 0:
            out.append(f"growth.early_join_discounts[{n}] by_hour 0: nobody can join before "
                       "hour 0 of day 0, so this discount never applies.")
    return out + _below_cost(plan)


def _below_cost(plan: Plan) -> list[str]:
    """One sentence for the price, and for each discount, that sells a unit below its cost."""
    e = plan.economics
    cost = f"economics.unit_cost {_yuan(e.unit_cost)}"
    if e.price < e.unit_cost:
        return [f"economics.price {_yuan(e.price)} is below {cost}: every unit sold loses "
                f"{_yuan(e.unit_cost - e.price)}, before any discount."]
    discounts = [(f"growth.early_join_discounts[{n}]", tier.discount)
                 for n, tier in enumerate(plan.growth.early_join_discounts)]
    discounts += [(f"calendar[{n}] ({item.kind})", item.discount)
                  for n, item in enumerate(plan.calendar)
                  if item.kind in ("flash_sale", "jielong", "coupon")]
    out = []
    for where, discount in discounts:
        price = e.price * (1 - discount)
        if price < e.unit_cost:
            out.append(f"{where} discount {discount:.0%} leaves a price of {_yuan(price)}, below "
                       f"{cost}: each unit sold with it loses {_yuan(e.unit_cost - price)}.")
    return out


def plan_notes(plan: Plan) -> list[str]:
    """How `plan`'s older ways of stating a lever are read now (one sentence each)."""
    e = plan.economics
    if e.margin is None:
        return []
    return [f"economics.margin {e.margin:g} is read as the margin at the market price "
            f"{_yuan(e.market_price)}: a unit cost of {_yuan(e.unit_cost)} "
            f"(economics.unit_cost), whatever the plan's price; gross profit = GMV − units × "
            f"{_yuan(e.unit_cost)} − incentive cost. (Before, it was GMV × {e.margin:g} − "
            "incentive cost, so discounts never sold below cost.)"]


def payments(plan: Plan, item) -> list[tuple[str, float]]:
    """(what it pays, in words; yuan) for each payment one firing of `item` makes at least."""
    match item.kind:
        case "red_packet" | "lucky_draw":
            return [(f"amount {_yuan(item.amount)}", item.amount)]
        case "checkin":
            return [(f"reward {_yuan(item.reward)} per check-in", item.reward)]
        case "coupon":
            cost = item.discount * plan.economics.price
            return [(f"discount {item.discount:.0%} of economics.price = {_yuan(cost)} per "
                     "redeemed coupon", cost)]
        case "flash_sale":
            return [(f"preheat_red_packet {_yuan(item.preheat_red_packet)}",
                     item.preheat_red_packet)]
    return []


def portfolio_warnings(portfolio: "Portfolio") -> list[str]:
    """One sentence per lever of `portfolio` that cannot work (fully): a live code with no
    scans to route, a live-code fill without a live code or above a platform's cap, a host with
    no posts, a relayed lecture no group hears, a host or staff member with no group."""
    out = []
    if portfolio.live_code and not any(c.plan.growth.qr_influx_per_day > 0
                                       for c in portfolio.copies):
        out.append("live_code: true routes no scans: no group has QR scans "
                   "(growth.qr_influx_per_day is 0 in every plan; set it under a group's set:); "
                   "it only sends on people invited into a full group.")
    fill = portfolio.live_code_fill
    if fill is not None and not portfolio.live_code:
        out.append(f"live_code_fill {fill} does nothing without live_code: true.")
    if fill is not None and portfolio.live_code:
        caps = {c.plan.group.platform: PLATFORM_CAP[c.plan.group.platform]
                for c in portfolio.copies if PLATFORM_CAP[c.plan.group.platform] < fill}
        for platform, cap in caps.items():
            out.append(f"live_code_fill {fill} is above the {platform.value} cap of {cap} "
                       f"accounts: the code moves on from those groups at {cap}.")
    used = {c.host for c in portfolio.copies}
    staffed = {s.host for s in portfolio.staff if s.capacity > 0}
    for h in portfolio.hosts:
        if h.name not in used:
            out.append(f"host {h.name} runs no group (no groups: entry names it), so it and its "
                       "staff do nothing and cost nothing.")
        elif h.capacity == 0 and h.name not in staffed:
            out.append(f"host {h.name} has capacity 0 and no staff: its groups get no host posts.")
    for relay in portfolio.relay:
        if not portfolio.heard(relay):
            out.append(f"the relay on day {relay.day} reaches no group: none of its "
                       f"{len(set(relay.groups))} group(s) is open that day (its fee is not paid).")
    return out
