"""The what-if catalogue: the questions a strategist asks, each a lever change on a library plan
with the outcome we expect, its direction, a rough size where one is known and its source.

`ROWS` is the one place the catalogue lives: docs/whatifs.md's tables and tests/test_whatifs.py
are generated from it. A row compares a plan as changed by `base` with the same plan changed by
`variant`, replicate by replicate on the same seeds (paired: the random streams are tied to
accounts and moments, so the difference measures the lever). A property row (`against` set) has
no variant: it compares the plan's own outcome with a fixed number from a study.

`python -m experiments.analyses.whatifs --write docs/whatifs.md` (`make whatifs`) reruns every
row and rewrites the two generated tables between the markers of the doc; `levers()` lists every
field of the plan schema that needs a row (tests/test_whatifs.py checks that each has one).

A change (`base`, `variant`) is a tuple of operations on the plan as written, applied in order:
`path=value` sets a field exactly as `--set` does (`calendar[jielong].discount=0.3`),
`+{kind: ..., ...}` appends a calendar item (a YAML flow mapping), `-kind` drops every calendar
item of that kind.
"""

import copy
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Literal, get_args, get_origin

import numpy as np
import pandas as pd
from pydantic import BaseModel

from experiments.running.metrics import get, replicate_values
from scenarios.loader import load_plan, parse_yaml, set_path, validate_dict
from scenarios.schema import CALENDAR_KINDS, Plan, Timing
from sim.run import RunResult, simulate

SEED = 7000
"""First seed of every row (seeds SEED … SEED + replicates − 1; no other test uses them)."""
REPLICATES = 12
"""Paired replicates per row: enough for the sign of every effect the catalogue states to be
stable across seed blocks, few enough for the whole catalogue to run in a few minutes on two
cores (docs/whatifs.md says how long)."""
LAUNCH_SATURATED = ("xiaomei's whole pool of 800 joins on the launch day with or without it: with rewards "
                    "and early invitations (M13) each new member brings in more than one friend "
                    "within hours, so the lever moves the hour, not the count")
"""Why the launch-growth rows disagree (docs/whatifs.md, 'Where the model disagrees')."""
EXPECTED = ("<!-- whatifs-expected:start -->", "<!-- whatifs-expected:end -->")
MEASURED = ("<!-- whatifs-measured:start -->", "<!-- whatifs-measured:end -->")
"""Markers of docs/whatifs.md's two generated blocks (tests/test_whatifs.py checks the first
against `ROWS`; `make whatifs` rewrites both)."""


# ---- outcomes -----------------------------------------------------------------------------


def _daily_sum(column: str) -> Callable[[RunResult], float]:
    return lambda run: float(run.daily[column].sum())


def _conversation(run: RunResult) -> float:
    d = run.daily
    return float((d["real_messages"] - d["prompted_messages"] - d["jielong_entries"]).sum())


def _newcomer_excess(run: RunResult) -> float:
    """Weekly leave hazard of members who joined after day 0 in their first two weeks of tenure
    minus that in their weeks 5–6 (leaves per member-week at risk); NaN without exposure."""
    m, horizon = run.members, len(run.daily) * 24
    joined = m[m["joined_hour"] > 0]
    if joined.empty:
        return float("nan")
    start = joined["joined_hour"].to_numpy(float)
    end = np.where(joined["left_hour"] >= 0, joined["left_hour"], horizon).astype(float)
    left = (joined["left_hour"] >= 0).to_numpy()

    def hazard(lo_days: int, hi_days: int) -> float:
        lo, hi = start + lo_days * 24, np.minimum(start + hi_days * 24, horizon)
        exposure = np.clip(np.minimum(end, hi) - lo, 0, None).sum() / (24 * 7)
        leaves = (left & (end >= lo) & (end < hi)).sum()
        return leaves / exposure if exposure > 0 else float("nan")

    return hazard(0, 14) - hazard(28, 42)


def _first_invite_p80(run: RunResult) -> float:
    """80th percentile over referrers of days from their join (opening for initial members) to
    the join of the first member they brought in; NaN without referral joins."""
    m = run.members.set_index("slot")
    referred = m[m["invited_by"] >= 0]
    if referred.empty:
        return float("nan")
    first = referred.groupby("invited_by")["joined_hour"].min()
    joined = m.loc[first.index, "joined_hour"].clip(lower=0)
    return float(np.percentile((first - joined) / 24, 80))


EXTRA_OUTCOMES: dict[str, tuple[str, Callable[[RunResult], float]]] = {
    "conversation": ("unprompted member talk (messages)", _conversation),
    "prompted_messages": ("prompted messages: thanks, check-ins, 收到", _daily_sum("prompted_messages")),
    "share_two_ties": ("share of members with two ties at the end",
                       lambda run: float(run.daily["share_two_ties"].iloc[-1])),
    "newcomer_leave_excess": ("weekly leave hazard, tenure weeks 1–2 minus weeks 5–6",
                              _newcomer_excess),
    "first_invite_p80_days": ("80th percentile of days from join to first invitation",
                              _first_invite_p80),
}
"""Outcomes that are not summary metrics: name -> (what it measures, value of one run)."""


def outcome(run: RunResult, name: str) -> float:
    """The value of outcome `name` (a registered summary metric or one of `EXTRA_OUTCOMES`)."""
    if name in EXTRA_OUTCOMES:
        return EXTRA_OUTCOMES[name][1](run)
    return float(replicate_values(pd.DataFrame([run.summary]), name).iloc[0])


def outcome_label(name: str) -> str:
    return EXTRA_OUTCOMES[name][0] if name in EXTRA_OUTCOMES else get(name).en


def is_share(name: str) -> bool:
    """Yes/no outcomes compare as shares (difference of the shares of replicates)."""
    return name not in EXTRA_OUTCOMES and get(name).aggregate == "share"


# ---- rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatIf:
    """One question. `direction` is +1 (the outcome rises from base to variant), −1 (falls) or
    0 (stays within `tolerance` × |base median|). `levers` are the schema keys of `levers()` the
    row answers for. `disagrees` (the model disagrees; the test is a strict xfail with this
    reason)."""

    id: str
    question: str
    plan: str
    variant: tuple[str, ...]
    metric: str
    direction: Literal[-1, 0, 1]
    size: str
    source: str
    levers: tuple[str, ...]
    base: tuple[str, ...] = ()
    against: float | None = None
    tolerance: float = 0.1
    disagrees: str | None = None


def _rows() -> list[WhatIf]:
    R = WhatIf
    return [
        # --- economics: price, market price, cost, discounts, need cycle, quality, budget
        R("price_up", "Raise the price from ¥60 to ¥90: do fewer units sell?", "tuanzhang",
          ("economics.price=90",), "units_sold", -1,
          "elasticity −1 to −3: −33 % to −70 % units",
          "study: brand price elasticities average −2.6 (Bijmolt et al. 2005); [002] 复购",
          ("economics.price",)),
        R("market_price_up", "The same goods cost ¥90 elsewhere instead of ¥60: do more sell at our ¥60?",
          "tuanzhang", ("economics.market_price=90",), "units_sold", 1,
          "mirror of a price cut: +30 % or more",
          "study: demand answers the price against the reference (Bijmolt et al. 2005)",
          ("economics.market_price",)),
        R("unit_cost_up", "Goods cost ¥55 a unit instead of ¥45: how much profit is lost?",
          "tuanzhang", ("economics.unit_cost=55",), "gross_profit", -1,
          "−¥10 per unit sold", "accounting: gross profit = GMV − units × unit cost − incentives",
          ("economics.unit_cost",)),
        R("margin_up", "A 40 % margin at the market price instead of 25 %: more profit?",
          "tuanzhang", ("economics.margin=0.4",), "gross_profit", 1,
          "+15 % of the market price per unit", "accounting (docs/model.md, Derived defaults)",
          ("economics.margin",)),
        R("sale_below_cost", "A 40 % flash-sale discount (¥36, under the ¥45 cost): does the sale lose money?",
          "tuanzhang", ("calendar[flash_sale].discount=0.4",), "gross_profit", -1,
          "each unit sold at the sale loses ¥9", "accounting; issue 13 (a discount under cost must lose)",
          ("calendar.flash_sale.discount",)),
        R("repurchase_slower", "The goods are needed every 30 days instead of 7: fewer units?",
          "tuanzhang", ("economics.repurchase_days=30",), "units_sold", -1,
          "about a third to a half of the units", "[002]: 复购 is the point of 社群电商; need cycle (M19)",
          ("economics.repurchase_days",)),
        R("quality_down", "Goods that please 40 % of buyers instead of 85 %: more complaints?",
          "tuanzhang", ("economics.quality=0.4",), "complaint_share", 1, "",
          "[001]: negative questioning of the product in week 3", ("economics.quality",)),
        R("budget_cap", "Cap the incentive budget at ¥300: does spending stop there?",
          "company_account", ("economics.budget=300",), "total_cost", -1,
          "cost at most ¥300 (from about ¥1,700)", "accounting: money stops when spent",
          ("economics.budget",)),
        # --- sales events
        R("flash_discount_deeper", "A 30 % flash-sale discount instead of 15 %: more units?",
          "tuanzhang", ("calendar[flash_sale].discount=0.3",), "units_sold", 1,
          "a lower price sells more (elasticity −1 to −3)", "study: Bijmolt et al. 2005; [001] flash sale",
          ("calendar.flash_sale.discount",)),
        R("flash_stock_low", "Only 20 units in the launch's flash sale instead of 400: fewer units?",
          "xiaomei_launch", ("calendar[flash_sale].stock=20",), "units_sold", -1, "",
          "stated practice: stock caps a sale", ("calendar.flash_sale.stock",)),
        R("flash_preheat_off", "Drop the ¥20 pre-heat red packet before the flash sale: fewer units?",
          "tuanzhang", ("calendar[flash_sale].preheat_red_packet=0",), "units_sold", -1, "small",
          "[001]: the 团长's red packet as a pre-heat before a sale",
          ("calendar.flash_sale.preheat_red_packet",)),
        R("flash_sale_off", "Drop the weekly flash sale: less GMV?", "tuanzhang", ("-flash_sale",),
          "total_gmv", -1, "", "[001]: pre-heat, flash sale and 接龙 are the 团长's whole method",
          ("calendar.flash_sale",)),
        R("flash_hour_night", "Hold the flash sale at 03:00 instead of 12:00: fewer units?",
          "tuanzhang", ("calendar[flash_sale].hour=3",), "units_sold", -1,
          "most of the sale's units", "[000]: fixed-time rituals in members' waking hours (MODEL.md, Time)",
          ("calendar.*.hour",)),
        R("flash_daily", "A flash sale every day instead of weekly: more GMV, but far from 7×?",
          "tuanzhang", ("calendar[flash_sale].weekday=null", "calendar[flash_sale].every_days=1"),
          "total_gmv", 1, "well under 7×: sale fatigue and the need cycle",
          "[002]: too many offers tire members (M6, M19)", ("calendar.*.every_days",)),
        R("sale_weekday", "Hold the weekly flash sale on Tuesday instead of Saturday: does the day matter?",
          "tuanzhang", ("calendar[flash_sale].weekday=tue",), "total_gmv", 0,
          "within ±10 % (the model has no weekly rhythm)", "stated practice: none known; the model's daily rhythm is the same every day",
          ("calendar.*.weekday",), tolerance=0.1),
        R("jielong_off", "Drop the weekly 接龙: less GMV?", "tuanzhang", ("-jielong",), "total_gmv", -1,
          "", "[001]: 开团接龙 is how the 团长 takes orders", ("calendar.jielong",)),
        R("jielong_discount", "A 30 % 接龙 discount instead of 10 %: more units?", "tuanzhang",
          ("calendar[jielong].discount=0.3",), "units_sold", 1, "elasticity −1 to −3",
          "study: Bijmolt et al. 2005", ("calendar.jielong.discount",)),
        R("jielong_short", "Keep the 接龙 open 2 hours instead of 12: fewer units?", "tuanzhang",
          ("calendar[jielong].hours_open=2",), "units_sold", -1, "",
          "stated practice: a 接龙 needs time for the list to grow (social proof, M12)",
          ("calendar.jielong.hours_open",)),
        R("coupon_on", "Give a weekly 10 % coupon: more units?", "tuanzhang",
          ("+{kind: coupon, weekday: thu, hour: 20}",), "units_sold", 1, "small",
          "[003]: coupons to reactivate old customers", ("calendar.coupon",)),
        R("coupon_deeper", "A 30 % coupon instead of 10 %: more units?", "tuanzhang",
          ("calendar[coupon].discount=0.3",), "units_sold", 1, "",
          "study: Bijmolt et al. 2005 (a coupon works through the price it leaves)",
          ("calendar.coupon.discount",), base=("+{kind: coupon, weekday: thu, hour: 20}",)),
        R("coupon_longer", "Coupons valid a week instead of 2 days: more units?", "tuanzhang",
          ("calendar[coupon].valid_hours=168",), "units_sold", 1, "",
          "stated practice: a coupon redeemed at the next sale", ("calendar.coupon.valid_hours",),
          base=("+{kind: coupon, weekday: thu, hour: 20}",)),
        R("end_sales_early", "Stop the flash sales after day 27: less GMV?", "tuanzhang",
          ("calendar[flash_sale].end_day=27",), "total_gmv", -1, "about a quarter of the GMV",
          "accounting", ("calendar.*.end_day",)),
        R("start_sales_late", "Start the flash sales on day 28: less GMV?", "tuanzhang",
          ("calendar[flash_sale].start_day=28",), "total_gmv", -1, "",
          "[001]: the launch sells on trust built before, not later", ("calendar.*.start_day",)),
        # --- money incentives
        R("red_packet_on", "Add a daily ¥30 red packet to a value group: more thanks?", "value_group",
          ("+{kind: red_packet, every_days: 1, hour: 20, amount: 30, count: 20}",),
          "prompted_messages", 1, "", "[000]: red packets as an activation tool",
          ("calendar.red_packet",)),
        R("red_packet_crowds_out", "A daily red packet in a value group: less unprompted talk?",
          "value_group", ("+{kind: red_packet, every_days: 1, hour: 20, amount: 30, count: 20}",),
          "conversation", -1, "small to moderate",
          "[001]: 刺激多了就麻木了; study: crowding-out of intrinsic motivation (Frey & Jegen 2001)",
          ("calendar.red_packet",)),
        R("red_packet_hour", "A weekly ¥50 red packet at 20:00 instead of 03:00: more thanks?",
          "value_group", ("calendar[red_packet].hour=20",), "prompted_messages", 1,
          "clearly more: at 03:00 few are awake to grab and thank",
          "[000]: fixed-time rituals (仪式感); issue 13", ("calendar.*.hour",),
          base=("+{kind: red_packet, weekday: mon, hour: 3, amount: 50, count: 20}",)),
        R("red_packet_amount", "A daily red packet of ¥200 instead of ¥10: more thanks?",
          "value_group", ("calendar[red_packet].amount=200",), "prompted_messages", 1,
          "more, with diminishing returns (not 20×)", "M5 (money felt per grab); issue 13",
          ("calendar.red_packet.amount",),
          base=("+{kind: red_packet, every_days: 1, hour: 20, amount: 10, count: 20}",)),
        R("red_packet_count", "Split a daily ¥30 red packet into 60 grabs instead of 20: more thanks?",
          "value_group", ("calendar[red_packet].count=60",), "prompted_messages", 1,
          "more grabbers, each feels less", "[000]: 红包 count sets how many take part",
          ("calendar.red_packet.count",),
          base=("+{kind: red_packet, every_days: 1, hour: 20, amount: 30, count: 20}",)),
        R("red_packets_stop", "Stop company_account's daily red packets after day 14: less cost?",
          "company_account", ("calendar[red_packet].end_day=14",), "total_cost", -1,
          "about five sixths of the red-packet cost", "accounting", ("calendar.*.end_day",)),
        R("lucky_draw_on", "Add a weekly lucky draw: more prompted messages?", "small_start",
          ("+{kind: lucky_draw, weekday: fri, hour: 20}",), "prompted_messages", 1, "",
          "[001]: lucky draws among the company group's tricks", ("calendar.lucky_draw",)),
        R("lucky_draw_amount", "A ¥500 lucky-draw prize instead of ¥100: more prompted messages?",
          "small_start", ("calendar[lucky_draw].amount=500",), "prompted_messages", 1,
          "more, with diminishing returns", "M5 (money felt per prize); issue 13",
          ("calendar.lucky_draw.amount",),
          base=("+{kind: lucky_draw, weekday: fri, hour: 20}",)),
        R("lucky_draw_count", "30 winners instead of 3: more prompted messages?", "small_start",
          ("calendar[lucky_draw].count=30",), "prompted_messages", 1, "",
          "M5: more members reached by money", ("calendar.lucky_draw.count",),
          base=("+{kind: lucky_draw, weekday: fri, hour: 20}",)),
        R("checkin_on", "Add a daily check-in call: more prompted messages?", "small_start",
          ("+{kind: checkin, every_days: 1, hour: 8}",), "prompted_messages", 1, "",
          "[001]: 打卡 in the company group", ("calendar.checkin",)),
        R("checkin_reward", "Pay ¥1 per check-in: more check-ins?", "small_start",
          ("calendar[checkin].reward=1",), "prompted_messages", 1, "",
          "[001]: paid stimulation works while it is new (M5)", ("calendar.checkin.reward",),
          base=("+{kind: checkin, every_days: 1, hour: 8}",)),
        R("points_on", "Member points and levels for posting: more talk?", "small_start",
          ("incentives.points=true",), "conversation", 1, "small",
          "[002]: 积分 and levels in member management", ("incentives.points",)),
        # --- growth
        R("referrer_reward_off", "No ¥30 reward for the referrer: fewer referral joins?",
          "xiaomei_launch", ("growth.referral_reward_referrer=0",), "referral_joins", -1, "",
          "[001]: 小美's referral coupons", ("growth.referral_reward_referrer",), base=("group.platform=qq",)),
        R("referee_reward_off", "No ¥20 reward for the friend who joins: fewer referral joins?",
          "xiaomei_launch", ("growth.referral_reward_referee=0",), "referral_joins", -1, "",
          "[001]: 小美's referral coupons", ("growth.referral_reward_referee",), base=("group.platform=qq",),
          disagrees=LAUNCH_SATURATED),
        R("early_discounts_off", "No tiered early-join discounts: fewer referral joins?",
          "xiaomei_launch", ("growth.early_join_discounts=[]",), "referral_joins", -1, "",
          "[001]: 9:00 30 % off, 10:00 20 %, 11:00 10 % pulled 200+ joins overnight",
          ("growth.early_join_discounts",), base=("group.platform=qq",),
          disagrees=LAUNCH_SATURATED),
        R("early_discount_deeper", "Early-join discounts of 50 % instead of 30/20/10 %: more referral joins?",
          "xiaomei_launch", ("growth.early_join_discounts=[{by_hour: 11, discount: 0.5}]",),
          "referral_joins", 1, "", "[001]: the discount pulls joins forward (M13)",
          ("growth.early_join_discounts.discount", "growth.early_join_discounts.by_hour"),
          base=("group.platform=qq", "growth.early_join_discounts=[{by_hour: 11, discount: 0.1}]",),
          disagrees=LAUNCH_SATURATED),
        R("early_deadline_later", "The early-join discount open until 23:00 instead of 09:00: more referral joins?",
          "xiaomei_launch", ("growth.early_join_discounts=[{by_hour: 23, discount: 0.3}]",),
          "referral_joins", 1, "", "[001]: hourly deadlines (M13)",
          ("growth.early_join_discounts.by_hour",),
          base=("group.platform=qq", "growth.early_join_discounts=[{by_hour: 9, discount: 0.3}]",),
          disagrees=LAUNCH_SATURATED),
        R("fee_filters", "A ¥50 entry fee: fewer joins?", "tuanzhang", ("growth.fee=50",),
          "referral_joins", -1, "a clear cut: a third or more of the joins",
          "[004]: 会员制 keeps out those who would not value the group; issue 13",
          ("growth.fee",)),
        R("qr_influx_off", "Stop posting the QR code: less spam?", "open_door",
          ("growth.qr_influx_per_day=0",), "spam_share", -1, "to near zero",
          "[004]: the open door is how ad accounts get in", ("growth.qr_influx_per_day",)),
        R("spammer_share_up", "More advertisers among QR strangers (40 % instead of 15 %): more spam?",
          "open_door", ("growth.influx_spammer_share=0.4",), "spam_share", 1, "",
          "[004]: groups without rules become ad groups", ("growth.influx_spammer_share",)),
        R("qr_posted_once",
          "Post the WeChat group's QR code once, never re-posting it (it expires after 7 days): less spam?",
          "open_door", ("growth.qr_repost_days=null",), "spam_share", -1,
          "strangers, and their ads, stop after the first week",
          "[003]: 微信社群二维码7天就过期了; "
          "WeChat team (2016): a group code is valid 7 days from when it is fetched",
          ("growth.qr_repost_days",), base=("group.platform=wechat",)),
        R("live_code_on",
          "Scans through a live code (活码) in a WeChat group flooded with ads: more members at the end?",
          "open_door", ("growth.live_code=true",), "final_members", 1,
          "about what the same group keeps on QQ: past 200 accounts strangers still come in",
          "[003]: 微信200人就不能扫码进群了,就可以用活码工具", ("growth.live_code",),
          base=("group.platform=wechat",)),
        R("invites_early", "Do members invite early? 80 % of first invitations within 5 days",
          "xiaomei_launch", (), "first_invite_p80_days", -1, "at most about 5 days",
          "study: Qiu et al., WWW 2016 (WeChat groups)", ("growth.referral_reward_referrer",),
          against=5.0),
        # --- pool
        R("pool_small", "A pool of 300 candidates instead of 800: fewer referral joins?",
          "xiaomei_launch", ("pool.size=300",), "referral_joins", -1, "",
          "stated practice: a launch draws on the host's reach", ("pool.size",), base=("group.platform=qq",)),
        R("pool_segments", "Members from 8 segments instead of 2 (all cities and ages): fewer ties?",
          "tuanzhang", ("pool.segments=8",), "share_two_ties", -1, "",
          "[001]: the company group's members came from all cities and ages; homophily (M7)",
          ("pool.segments",)),
        R("interest_up", "A pool more interested in the topic (0.8 instead of 0.55): longer life?",
          "guest_lectures", ("pool.interest_mean=0.8",), "lifetime_days", 1, "",
          "[004]: value for the members is the whole game", ("pool.interest_mean",)),
        R("interest_spread_up", "Interest spread wider (0.4 instead of 0.15): more leave?",
          "tuanzhang", ("pool.interest_spread=0.4",), "final_members", -1, "small",
          "reasoning: more members below the leave line (M2, M20)", ("pool.interest_spread",),
          disagrees="final members rise slightly: a wider spread also brings more very interested members, who stay and invite"),
        R("relation_closer", "A pool of close friends (0.9 instead of 0.6): more GMV?", "tuanzhang",
          ("pool.relation_to_host=0.9",), "total_gmv", 1, "",
          "[001]: friends buy from a host they trust", ("pool.relation_to_host",)),
        R("friends_more", "Candidates with 20 friends each instead of 8: more referral joins?",
          "xiaomei_launch", ("pool.mean_friends=20",), "referral_joins", 1, "",
          "M13: a share reaches every friend outside", ("pool.mean_friends",), base=("group.platform=qq",),
          disagrees=LAUNCH_SATURATED),
        R("money_sensitive", "A pool more sensitive to money (0.9 instead of 0.5): more referral joins for the same rewards?",
          "xiaomei_launch", ("pool.money_sensitivity=0.9",), "referral_joins", 1, "",
          "[001]: members who came for the money (功利)", ("pool.money_sensitivity",), base=("group.platform=qq",),
          disagrees=LAUNCH_SATURATED),
        # --- host
        R("ip_weak", "A host with weak personal IP (0.3 instead of 0.85): less GMV?", "tuanzhang",
          ("host.ip_strength=0.3",), "total_gmv", -1, "large",
          "[001]: the 团长 sells on trust; the faceless company account does not",
          ("host.ip_strength",)),
        R("ip_mismatch", "A host whose persona does not fit the goods (match 0.3 instead of 0.9): less GMV?",
          "tuanzhang", ("host.ip_match=0.3",), "total_gmv", -1, "most of it",
          "[001]: the clothing group of a host whose feed is bars and travel", ("host.ip_match",)),
        R("host_capacity", "A host who posts 10 times a day instead of 4: longer life of a small group?",
          "small_start", ("host.capacity=10",), "lifetime_days", 1, "",
          "[000]: the host leads the talk until members take over", ("host.capacity",)),
        R("responsive", "Answer complaints well (0.9 instead of 0.3): more trust?", "company_account",
          ("host.responsiveness=0.9",), "trust_end_all", 1, "",
          "[001]: unanswered negative questioning sank the company group", ("host.responsiveness",)),
        R("company_operator", "Run the 团长's group from a company account (office hours only): less trust?",
          "tuanzhang", ("host.operator=company",), "trust_end_all", -1, "small",
          "[001]: the company account answers only in office hours", ("host.operator",)),
        R("prewarm_off", "Open without 5 days of pre-warming: less GMV?", "xiaomei_launch",
          ("host.prewarm_days=0",), "total_gmv", -1, "",
          "[001]: 小美's five days of steak posts (IP沉淀)", ("host.prewarm_days",)),
        # --- members
        R("start_large", "Start with 120 members instead of 40: alive at week 12?", "small_start",
          ("members.initial=120",), "alive_week12", 1, "from rarely to mostly alive",
          "[000]: the 60-person rule", ("members.initial",)),
        R("clustered_friends", "Invite friends who know each other (0.9 instead of 0.1): more ties?",
          "tuanzhang", ("members.clustered=0.9",), "share_two_ties", 1, "",
          "[001]: customers from a database do not know each other", ("members.clustered",),
          base=("members.clustered=0.1",),
          disagrees="more members with two ties for a month (0.96 vs 0.79 on day 0, 0.98 vs 0.95 on day 28), slightly fewer at week 12: friendships the group does not use decay like any tie (tie_decay_days), so by then the count is of ties made by talk"),
        R("lurkers_more", "More lurkers by role (0.8 instead of 0.4): a higher lurker share?",
          "value_group", ("members.lurker_share=0.8",), "lurker_share", 1, "about +0.4",
          "[000]: most members only watch", ("members.lurker_share",)),
        R("connectors_more", "Ten connectors instead of two: more members with two ties?",
          "value_group", ("members.connectors=10",), "share_two_ties", 1, "",
          "[004]: the members who keep a group together (万金油)", ("members.connectors",)),
        R("complainers_more", "Three times the complainers (15 % instead of 5 %): a higher complaint share?",
          "company_account", ("members.complainer_share=0.15",), "complaint_share", 1, "",
          "[004]: a few 愤青 in every group", ("members.complainer_share",)),
        R("native_kols", "Two native KOLs in the lecture group: longer life?", "guest_lectures",
          ("members.native_kols=2",), "lifetime_days", 1, "from dying to alive (C6)",
          "[004]: the lecture group that is half dead between lectures", ("members.native_kols",)),
        R("shills_small_group", "Six shill accounts in a 40-member group: longer life?",
          "small_start", ("members.shills=6",), "lifetime_days", 1, "",
          "[000]: 小号活跃 to break the ice", ("members.shills",)),
        R("shills_rest", "Shills that go quiet once members talk: more trust?", "company_account",
          ("members.shills_rest=true",), "trust_end_all", 1, "small",
          "[001]: 马甲 noticed cost the host trust", ("members.shills_rest",),
          disagrees="trust ends lower when shills rest in this hard-selling group: their noise made members mute, which kept them from the hard sell (M11, M3); with content.product_share=0 resting shills raise trust, 0.658 to 0.687 (12 seeds)"),
        R("seed_privileges", "Titles and perks for the first members: more members at the end?",
          "tuanzhang", ("members.seed_privileges=true",), "final_members", 1, "small",
          "[002]: seed users' privileges", ("members.seed_privileges",)),
        R("newcomers_leave_first", "Do newcomers leave first? Hazard in tenure weeks 1–2 above weeks 5–6",
          "tuanzhang", (), "newcomer_leave_excess", 1, "most departures soon after joining",
          "study: Zhang et al., KDD 2016; Qiu et al., WWW 2016", ("pool.size",),
          against=0.0),
        # --- content and calendar content
        R("less_selling", "Sell in 10 % of host posts instead of 50 % (company group): longer life?",
          "company_account", ("content.product_share=0.1",), "lifetime_days", 1, "",
          "[002]: a group that feels like an ad channel is muted and left", ("content.product_share",)),
        R("more_interaction", "Ask members to talk in 60 % of host posts instead of 30 %: more talk?",
          "small_start", ("content.interaction_share=0.6",), "conversation", 1, "",
          "[000]: 促活 — topics and questions from the host", ("content.interaction_share",),
          disagrees="slightly less talk: interaction posts replace value posts in the host's few posts, and a 40-member group stays below critical mass (M1)"),
        R("daily_report", "A daily report every morning: longer life of a small group?", "small_start",
          ("+{kind: daily_report, every_days: 1, hour: 8}",), "lifetime_days", 1, "",
          "[000]: 每日早报 keeps the group in view", ("calendar.daily_report",),
          disagrees="lifetime unchanged at the median: 0 days over 40 seeds both before and after sparse ties (issue 17); small_start dies within days (median 3) either way, and the 12-seed pass before was seed luck"),
        R("topic_of_day", "A daily topic in the lecture group: more talk?", "guest_lectures",
          ("+{kind: topic, every_days: 1, hour: 20}",), "conversation", 1, "",
          "[000]: a topic of the day (话题)", ("calendar.topic",)),
        R("lecture_on", "A weekly lecture in a small interest group: more talk?", "small_start",
          ("+{kind: lecture, weekday: thu, hour: 20}",), "conversation", 1, "",
          "[004]: lectures as events", ("calendar.lecture",)),
        R("lecture_native", "The weekly lecture given natively (host/KOL) instead of by a guest: more talk?",
          "guest_lectures", ("calendar[lecture].by=native",), "conversation", 1, "",
          "[004]: a guest leaves when the lecture ends", ("calendar.lecture.by",)),
        R("meetups_off", "No monthly offline meetups: fewer members with two ties?", "xiaomei_launch",
          ("-meetup",), "share_two_ties", -1, "small",
          "[004]: offline meetups make strong ties", ("calendar.meetup",)),
        R("meetup_bigger", "Meetups for 100 instead of 20: more members with two ties?",
          "xiaomei_launch", ("calendar[meetup].capacity=100",), "share_two_ties", 1, "",
          "[004]: offline meetups make strong ties", ("calendar.meetup.capacity",)),
        R("notice_daily", "An @all notice every day: fewer members at the end?", "tuanzhang",
          ("+{kind: notice, every_days: 1, hour: 20}",), "final_members", -1, "small",
          "[004]: overload and annoyance make members mute and leave", ("calendar.notice",)),
        R("cleanup_on", "Remove members inactive for 14 days, weekly: fewer members?", "tuanzhang",
          ("+{kind: cleanup, weekday: sun, hour: 22}",), "final_members", -1, "large in a quiet group",
          "[004]: cleanup raises the active share and shrinks the audience", ("calendar.cleanup",)),
        R("cleanup_stricter", "Clean up after 7 inactive days instead of 30: fewer members?",
          "tuanzhang", ("calendar[cleanup].inactive_days=7",), "final_members", -1, "",
          "[004]: cleanup (M16)", ("calendar.cleanup.inactive_days",),
          base=("+{kind: cleanup, weekday: sun, hour: 22, inactive_days: 30}",)),
        # --- rules
        R("threshold_on", "An entry threshold (0.7) on the open door: less spam?", "open_door",
          ("rules.threshold=0.7",), "spam_share", -1, "", "[004]: thresholds keep ad accounts out",
          ("rules.threshold",)),
        R("strict_rules", "Strict enforcement (0.8) on the open door: less spam?", "open_door",
          ("rules.strictness=0.8",), "spam_share", -1, "", "[004]: rules and moderation",
          ("rules.strictness",)),
        R("tyranny", "Rules enforced to the letter (1.0 instead of 0.4) in a value group: less talk?",
          "value_group", ("rules.strictness=1.0",), "conversation", -1, "",
          "[004]: too strict a regime (暴政) chills conversation", ("rules.strictness",)),
        R("slow_moderation", "Moderate within 48 hours instead of 2: more spam?", "ruled",
          ("rules.moderation_delay_hours=48",), "spam_share", 1, "",
          "[004]: ads stay until someone removes them", ("rules.moderation_delay_hours",)),
        # --- group
        R("wecom", "WeCom (auto-answers) instead of personal WeChat for the company group: more trust?",
          "company_account", ("group.platform=wecom",), "trust_end_all", 1, "small",
          "stated practice: WeCom's welcome and auto-reply (MODEL.md, the plan)", ("group.platform",)),
        R("wechat_scan_stop",
          "The open-door group on WeChat instead of QQ: fewer members at the end (scans stop at 200 accounts)?",
          "open_door", ("group.platform=wechat",), "final_members", -1,
          "spammers who are never removed hold the places scans could fill",
          "[003]: 微信200人就不能扫码进群了", ("group.platform",)),
        R("topic_value_down", "A job group whose topic is worth less (0.4 instead of 0.9): less talk?",
          "value_group", ("group.topic_value=0.4",), "conversation", -1, "",
          "[004]: the 内推群 lives on the value of its topic", ("group.topic_value",)),
        R("open_thursday", "Open on Thursday instead of Monday: does the weekday matter?", "tuanzhang",
          ("group.open_weekday=thu",), "total_gmv", 0, "within ±10 %",
          "stated practice: none known; the model has no weekly rhythm", ("group.open_weekday",),
          tolerance=0.1),
    ]


ROWS: tuple[WhatIf, ...] = tuple(_rows())
"""The catalogue, in the doc's order; row ids are unique."""

NOT_LEVERS: dict[str, str] = {
    "name": "a label for outputs, not a decision",
    "description": "free text for readers",
    "description_zh": "free text for readers (the Chinese description)",
    "group.type": "a label (traffic/conversion/fan/flash/repurchase, [002]); no mechanism reads it",
    "group.weeks": "the horizon of the study, not a decision about the group",
}
"""Schema fields with no row, and why."""


# ---- levers of the schema -----------------------------------------------------------------


def _model_of(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is list:
        (inner,) = get_args(annotation)
        return _model_of(inner)
    return None


def _fields(model: type[BaseModel], prefix: str) -> list[str]:
    out = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        if name == "calendar":
            timing = set(Timing.model_fields)
            out += [f"calendar.*.{f}" for f in Timing.model_fields]
            for kind in CALENDAR_KINDS:
                code = kind.model_fields["kind"].annotation.__args__[0]
                out.append(f"calendar.{code}")
                out += [f"calendar.{code}.{f}" for f in kind.model_fields
                        if f not in timing and f != "kind"]
            continue
        sub = _model_of(field.annotation)
        if sub is None:
            out.append(key)
            continue
        if get_origin(field.annotation) is list:
            out.append(key)
        out += _fields(sub, f"{key}.")
    return out


def levers() -> list[str]:
    """Every field of the plan schema as a lever key: dotted paths (`host.ip_strength`), a
    calendar kind's own fields as `calendar.<kind>.<field>`, the timing fields every kind
    shares as `calendar.*.<field>`, the presence of a kind as `calendar.<kind>`, and a list
    of items as its path (`growth.early_join_discounts`). Sub-sections are not levers
    themselves; their fields are."""
    return _fields(Plan, "")


# ---- measuring ----------------------------------------------------------------------------


def apply(raw: dict, ops: tuple[str, ...]) -> dict:
    """`raw` (a plan mapping) changed by `ops` in place (see the module docstring); returns it."""
    for op in ops:
        if op.startswith("+"):
            raw.setdefault("calendar", []).append(dict(parse_yaml(op[1:])))
        elif op.startswith("-"):
            raw["calendar"] = [item for item in raw.get("calendar", []) if item["kind"] != op[1:]]
        else:
            key, _, text = op.partition("=")
            set_path(raw, key, parse_yaml(text))
    return raw


def plans(row: WhatIf) -> tuple[Plan, Plan | None]:
    """The row's base plan and its variant (None for a property row). Both start from the
    library plan as written, so derived defaults (market price, unit cost) do not move."""
    written = load_plan(row.plan).model_dump(mode="json")

    def build(ops):
        return validate_dict(apply(copy.deepcopy(written), ops), where=f"what-if {row.id}")

    base = build(row.base)
    return base, None if row.against is not None else build(row.base + row.variant)


def _pair(row: WhatIf, seed: int) -> tuple[float, float]:
    base, variant = plans(row)
    b = outcome(simulate(base, seed), row.metric)
    v = row.against if variant is None else outcome(simulate(variant, seed), row.metric)
    return b, v


def pairs(row: WhatIf, replicates: int = REPLICATES, seed: int = SEED) -> pd.DataFrame:
    """One row per seed: `seed`, `base` and `variant` outcome (for a property row, `variant` is
    the row's fixed number `against`), and `diff` = variant − base."""
    values = [_pair(row, s) for s in range(seed, seed + replicates)]
    out = pd.DataFrame(values, columns=["base", "variant"])
    out.insert(0, "seed", range(seed, seed + replicates))
    if row.against is not None:  # the property is the plan's value against the number
        out["diff"] = out["base"] - row.against
    else:
        out["diff"] = out["variant"] - out["base"]
    return out


def _effect(row: WhatIf, p: pd.DataFrame) -> float:
    d = p.dropna(subset=["diff"])
    if is_share(row.metric):  # a difference of shares, not a median of 0/1 differences
        return float(d["variant"].mean() - d["base"].mean())
    return float(d["diff"].median())


@dataclass(frozen=True)
class Measured:
    """A row's measured effect: `effect` (median paired difference, or difference of shares;
    for a property row, the median of value − against), its 90 % bootstrap interval over seeds
    (`low`, `high`), `agree` (share of seeds whose difference points the expected way; for
    direction 0, lies within the tolerance), `n` defined seeds, `base` median, `holds`."""

    effect: float
    low: float
    high: float
    agree: float
    n: int
    base: float
    holds: bool


def measure(row: WhatIf, p: pd.DataFrame) -> Measured:
    """Summarise `pairs(row)` into the effect, its interval and whether the expectation holds."""
    d = p.dropna(subset=["diff"]).reset_index(drop=True)
    n = len(d)
    if n == 0:
        nan = float("nan")
        return Measured(nan, nan, nan, nan, 0, nan, False)
    effect = _effect(row, d)
    rng = np.random.default_rng(0)
    boots = [_effect(row, d.iloc[rng.integers(0, n, n)]) for _ in range(400)]
    low, high = np.quantile(boots, [0.05, 0.95])
    base = float(d["base"].median())
    if row.direction == 0:
        band = row.tolerance * abs(base)
        agree = float((d["diff"].abs() <= band).mean())
        holds = abs(effect) <= band
    else:
        agree = float((np.sign(d["diff"]) == row.direction).mean())
        holds = effect * row.direction > 0
    return Measured(effect, float(low), float(high), agree, n, base, bool(holds))


def _measure_row(row: WhatIf) -> Measured:
    return measure(row, pairs(row))


def measure_all(rows=ROWS, workers: int = 2) -> list[Measured]:
    """`measure` of every row, in `workers` spawned processes."""
    if workers == 1:
        return [_measure_row(r) for r in rows]
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        return list(pool.map(_measure_row, rows))


# ---- the doc ------------------------------------------------------------------------------

_ARROW = {1: "↑", -1: "↓", 0: "≈"}


def _num(x: float) -> str:
    if x != x:
        return "–"
    return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def status(row: WhatIf) -> str:
    return "model disagrees" if row.disagrees else "test"


def expectations_table(rows=ROWS) -> str:
    """The hand-stated side of the catalogue as a markdown table (from `ROWS`)."""
    lines = ["| id | question | plan | change | outcome | expected | rough size | source | levers |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        change = "; ".join(f"`{op}`" for op in r.base + r.variant) or f"against {r.against:g}"
        if r.base:
            change = ("base " + "; ".join(f"`{op}`" for op in r.base)
                      + (" → " + "; ".join(f"`{op}`" for op in r.variant) if r.variant else ""))
        lines.append(
            f"| {r.id} | {r.question} | {r.plan} | {change} | {outcome_label(r.metric)} "
            f"(`{r.metric}`) | {_ARROW[r.direction]} | {r.size or '–'} | {r.source} | "
            f"{', '.join(f'`{k}`' for k in r.levers)} |")
    return "\n".join(lines)


def measured_table(results: list[Measured], rows=ROWS) -> str:
    """The measured side: effect with its 90 % interval and share of seeds that agree."""
    lines = ["| id | expected | base median | effect [90 % interval] | seeds agreeing | n | verdict |",
             "|---|---|---|---|---|---|---|"]
    for r, m in zip(rows, results):
        verdict = ("holds" if m.holds else "**disagrees**")
        if r.disagrees:
            verdict += f" (xfail: {r.disagrees})"
        lines.append(f"| {r.id} | {_ARROW[r.direction]} | {_num(m.base)} | {_num(m.effect)} "
                     f"[{_num(m.low)}, {_num(m.high)}] | {m.agree:.0%} | {m.n} | {verdict} |")
    return "\n".join(lines)


def block(doc: str, markers: tuple[str, str]) -> str:
    """The text between `markers` in `doc`; SystemExit when they are missing."""
    start, end = markers
    _, sep, rest = doc.partition(start)
    inner, sep2, _ = rest.partition(end)
    if not (sep and sep2):
        raise SystemExit(f"the doc has no {start} ... {end} block")
    return inner.strip("\n")


def replace(doc: str, markers: tuple[str, str], text: str) -> str:
    """`doc` with the block between `markers` replaced by `text`."""
    start, end = markers
    block(doc, markers)
    head, _, rest = doc.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{text}\n{end}{tail}"


def write(path: Path) -> None:
    """Rerun every row and rewrite both generated blocks of `path` (docs/whatifs.md)."""
    measured = (f"Seeds {SEED}–{SEED + REPLICATES - 1}, {REPLICATES} paired replicates per row.\n\n"
                f"{measured_table(measure_all())}")
    doc = replace(path.read_text(encoding="utf-8"), EXPECTED, expectations_table())
    path.write_text(replace(doc, MEASURED, measured), encoding="utf-8")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--write"]:
        write(Path(args[1]))
    else:
        print(measured_table(measure_all()))
