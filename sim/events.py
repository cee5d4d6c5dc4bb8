"""Calendar event handlers: one registration per kind.

A calendar kind is its schema class (`scenarios/schema.py`) and one handler here, registered
with `@handles(SchemaClass)`. Kind codes follow the schema's order (`CALENDAR_KINDS`); the
dispatcher `dispatch` and the parameter table `PARAMS` (read by `sim/calendar.py`) are derived
from the registrations. A handler takes the context, the hour `h`, and whichever it needs of
`eid` (the event's index, an id for the item), `nov` (the kind's novelty before this firing,
M17) and the schema fields of its kind, by name (float64 values). A kind without a handler,
or a handler naming something else, fails at import.
"""

import inspect
import math
from collections.abc import Callable
from typing import get_args

import numba

from scenarios.schema import (
    CALENDAR_KINDS, Checkin, Cleanup, Coupon, DailyReport, FlashSale, Jielong, Lecture,
    LuckyDraw, Meetup, Notice, RedPacket, Timing, Topic,
)
from sim.codes import (
    DESIRE, G_BOOST, G_GUEST_LEFT, G_JL_DISC, G_JL_N, G_JL_UNTIL, G_N_EVER, G_SALE_ID,
    G_SKIPPED_MONEY, H_HOST, IN, INTEREST, R_CHECKIN, R_COUPON, R_GRAB, R_GRAB_START,
    R_LECTURE_DESIRE, R_LECTURE_SEE, R_MEET, R_MEET_START, R_SALE_BUY, R_SALE_SEE, R_THANKS,
    RECENT, T_LECTURER, T_MEMBER,
)
from sim.core import hot, is_member, leave_group, open_chance, rand, say, say_prompted, value_trust
from sim.money import can_spend, money_exposure, spend
from sim.sales import buy_chance, price_paid, purchase, sale_seen

KINDS: tuple[str, ...] = tuple(get_args(m.model_fields["kind"].annotation)[0] for m in CALENDAR_KINDS)
"""Calendar kinds by code (`scenarios.schema.CALENDAR_KINDS` order)."""
CONTEXT_ARGS = ("ctx", "h", "eid", "nov")
"""Handler parameters that are not schema fields."""
HANDLERS: dict[str, Callable] = {}
PARAMS: dict[str, tuple[str, ...]] = {}
"""Per kind, the schema fields its handler reads, in its parameter order (`Events.params` columns)."""


def _python(handler):
    """The Python function of a handler (itself when NUMBA_DISABLE_JIT is set)."""
    return getattr(handler, "py_func", handler)


def handles(item: type[Timing]):
    """Register the decorated handler as the one for `item`'s kind.

    Raises TypeError if the kind already has a handler or a parameter is neither in
    `CONTEXT_ARGS` nor a field (or property) of `item`.
    """
    kind = get_args(item.model_fields["kind"].annotation)[0]

    def register(handler):
        names = tuple(inspect.signature(_python(handler)).parameters)
        if names[:2] != ("ctx", "h"):
            raise TypeError(f"the handler of {kind!r} must start with (ctx, h), not {names[:2]}")
        fields = tuple(n for n in names if n not in CONTEXT_ARGS)
        unknown = [n for n in fields if n not in item.model_fields and not hasattr(item, n)]
        if unknown:
            raise TypeError(f"the handler of {kind!r} reads {unknown}, which {item.__name__} lacks")
        if kind in HANDLERS:
            raise TypeError(f"calendar kind {kind!r} has two handlers")
        HANDLERS[kind] = handler
        PARAMS[kind] = fields
        return handler

    return register


@hot
def money_event(ctx, h, amount, count, grabbed_only):
    """Red packet (`amount` yuan split among `count` grabs, paid for the grabs taken:
    `grabbed_only`) or lucky draw (`count` winners share `amount`, all paid): the numb stop
    bothering to grab and stop saying thanks (M5)."""
    c, lv, s, traits, out_h = ctx.c, ctx.lv, ctx.s, ctx.traits, ctx.out_h
    if not can_spend(lv, s, h, amount):
        s.group[G_SKIPPED_MONEY] += 1
        return
    n_ever = int(s.group[G_N_EVER])
    grabs = 0
    start = int(rand(lv, R_GRAB_START, 0, h) * max(n_ever, 1))
    for k in range(n_ever):
        i = s.ever[(start + k) % n_ever]
        if not is_member(s, traits, i):
            continue
        s.last_reason[i] = h
        numb = math.exp(-s.habituation[i])
        want = 1.0 - c.grab_money_weight * (1.0 - s.money_sens[i])
        see = open_chance(c, s, i, h) * want * (c.grab_numb_floor + (1.0 - c.grab_numb_floor) * numb)
        if grabs < count and rand(lv, R_GRAB, i, h) < see:
            grabs += 1
            money_exposure(c, s, i, amount / count)
            if rand(lv, R_THANKS, i, h) < c.thanks_share * numb:
                say_prompted(s, out_h, i, h)
    spend(s, out_h, h, amount * min(grabs, count) / count if grabbed_only else amount)


@handles(RedPacket)
@hot
def on_red_packet(ctx, h, amount, count):
    money_event(ctx, h, amount, count, True)


@handles(LuckyDraw)
@hot
def on_lucky_draw(ctx, h, amount, count):
    money_event(ctx, h, amount, count, False)


@handles(Checkin)
@hot
def on_checkin(ctx, h, reward, nov):
    """A check-in call: members with a motive (or a reward) check in; a check-in is prompted."""
    c, lv, s, traits, out_h = ctx.c, ctx.lv, ctx.s, ctx.traits, ctx.out_h
    refused = False
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        if not is_member(s, traits, i):
            continue
        pull = c.checkin_pull * nov * (s.intrinsic[i] + s.paid[i])
        if reward > 0.0:
            pull += c.checkin_reward_pull * s.money_sens[i] * math.exp(-s.habituation[i])
        if rand(lv, R_CHECKIN, i, h) < min(pull, 1.0) * open_chance(c, s, i, h):
            if reward > 0.0:
                if not can_spend(lv, s, h, reward):
                    refused = True
                    continue
                spend(s, out_h, h, reward)
                money_exposure(c, s, i, reward)
            say_prompted(s, out_h, i, h)
    if refused:
        s.group[G_SKIPPED_MONEY] += 1


@handles(Coupon)
@hot
def on_coupon(ctx, h, discount, valid_hours):
    """Coupons reach members who open the group; they are paid for when redeemed."""
    c, lv, s, traits = ctx.c, ctx.lv, ctx.s, ctx.traits
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        if is_member(s, traits, i) and rand(lv, R_COUPON, i, h) < open_chance(c, s, i, h):
            s.coupon_disc[i] = discount
            s.coupon_until[i] = h + valid_hours
            s.habituation[i] += c.coupon_hab_share * c.hab_gain


@handles(FlashSale)
@hot
def on_flash_sale(ctx, h, discount, stock):
    """M12/M19: a limited stock at a discount, bought at once by those who see it."""
    c, lv, s, traits = ctx.c, ctx.lv, ctx.s, ctx.traits
    left = stock
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        if not is_member(s, traits, i):
            continue
        s.last_reason[i] = h
        if left <= 0 or rand(lv, R_SALE_SEE, i, h) >= open_chance(c, s, i, h):
            continue
        price = price_paid(lv, s, i, h, discount)
        if rand(lv, R_SALE_BUY, i, h) < buy_chance(ctx, i, price, h):
            purchase(ctx, i, h, discount)
            left -= 1
        sale_seen(c, lv, s, i)
        if discount > 0.0:
            s.habituation[i] += c.coupon_hab_share * c.hab_gain  # a discount is money too (M5)


@handles(Jielong)
@hot
def on_jielong(ctx, h, discount, hours_open, eid):
    """M12: a 接龙 order list opens; members add entries while it is open (phase 3)."""
    c, lv, s, traits = ctx.c, ctx.lv, ctx.s, ctx.traits
    s.group[G_JL_UNTIL] = h + hours_open
    s.group[G_JL_DISC] = discount
    s.group[G_JL_N] = 0.0
    s.group[G_SALE_ID] = eid
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        if is_member(s, traits, i):
            s.last_reason[i] = h
            if rand(lv, R_SALE_SEE, i, h) < open_chance(c, s, i, h):
                sale_seen(c, lv, s, i)


@hot
def host_post(ctx, h, notice):
    """A daily report (value, M2) or, if `notice`, an @all notice (brings the group back into
    view, M18)."""
    c, lv, s, traits, out_h = ctx.c, ctx.lv, ctx.s, ctx.traits, ctx.out_h
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        if not is_member(s, traits, i):
            continue
        s.last_reason[i] = h
        if notice:
            s.annoy_day[i] += c.notice_annoy
        else:
            r = open_chance(c, s, i, h)
            s.info_day[i] += r
            s.trust[i] += r * value_trust(c, lv) * (1.0 - s.trust[i])
    out_h[H_HOST, h] += 1


@handles(DailyReport)
@hot
def on_daily_report(ctx, h):
    host_post(ctx, h, False)


@handles(Topic)
@hot
def on_topic(ctx, h, nov):
    """Topic of the day: the host asks, talk follows for a while (M17 novelty)."""
    c, s, out_h = ctx.c, ctx.s, ctx.out_h
    out_h[H_HOST, h] += 1
    s.group[G_BOOST] += c.topic_pull * nov


@handles(Lecture)
@hot
def on_lecture(ctx, h, native, nov):
    """M14/M17: a lecture lifts talk while it lasts; a native one (by a KOL who lives in the
    group, else the host) leaves more value and can turn interest into desire."""
    c, lv, s, traits, out_h = ctx.c, ctx.lv, ctx.s, ctx.traits, ctx.out_h
    ring, ring_n = s.recent, s.recent_n
    native_talk = native > 0.0
    s.group[G_BOOST] += c.lecture_pull * nov
    value = c.lecture_value_native if native_talk else c.lecture_value_guest
    if not native_talk:
        s.group[G_GUEST_LEFT] = c.lecture_messages
    n_ever = int(s.group[G_N_EVER])
    speaker = -1
    for k in range(n_ever):
        i = s.ever[k]
        if not is_member(s, traits, i):
            continue
        s.last_reason[i] = h
        if native_talk and speaker < 0 and traits[s.role[i], T_LECTURER] > 0.0:
            speaker = i
        if rand(lv, R_LECTURE_SEE, i, h) < open_chance(c, s, i, h):
            s.value_day[i] += value * s.interest[i]
            if native_talk and s.stage[i] <= INTEREST:
                if rand(lv, R_LECTURE_DESIRE, i, h) < c.lecture_desire * lv.ip_match:
                    s.stage[i] = DESIRE
    if not native_talk:
        return
    n_msgs = int(c.lecture_messages)
    if speaker >= 0:
        say(s, out_h, speaker, h, n_msgs)
        s.recognised[speaker] = min(s.recognised[speaker] + c.lecture_recognition, c.recognised_max)
        ring[ring_n[0] % RECENT] = speaker
        ring_n[0] += 1
    else:
        out_h[H_HOST, h] += n_msgs


@handles(Meetup)
@hot
def on_meetup(ctx, h, capacity):
    """M7: offline meetups make strong ties fast among those who come."""
    c, lv, s, traits = ctx.c, ctx.lv, ctx.s, ctx.traits
    n_ever = int(s.group[G_N_EVER])
    came = s.scratch
    n_came = 0
    start = int(rand(lv, R_MEET_START, 0, h) * max(n_ever, 1))
    for k in range(n_ever):
        i = s.ever[(start + k) % n_ever]
        if n_came >= capacity:
            break
        if s.status[i] == IN and traits[s.role[i], T_MEMBER] > 0.0:
            come = c.meetup_turnout * (1.0 + s.satisfaction[i]) * s.interest[i]
            if rand(lv, R_MEET, i, h) < come:
                came[n_came] = i
                n_came += 1
    for x in range(n_came):
        i = came[x]
        s.value_day[i] += c.meetup_value
        s.sentiment[i] = min(1.0, s.sentiment[i] + c.meetup_sentiment)
        s.trust[i] += c.meetup_trust * (1.0 - s.trust[i])
        for y in range(x + 1, n_came):
            j = came[y]
            t = s.tie[i, j] + c.tie_meetup * (1.0 - s.tie[i, j])
            s.tie[i, j] = t
            s.tie[j, i] = t


@handles(Notice)
@hot
def on_notice(ctx, h):
    host_post(ctx, h, True)


@handles(Cleanup)
@hot
def on_cleanup(ctx, h, inactive_days):
    """M16: members silent for `inactive_days` are removed."""
    s, traits, out_h = ctx.s, ctx.traits, ctx.out_h
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        if is_member(s, traits, i) and h - s.last_post[i] > inactive_days * 24.0:
            leave_group(s, out_h, i, h, True)



def _dispatcher():
    """`dispatch(ctx, e, h)`: event `e` of `ctx.ev` at hour `h`, to its kind's handler; the
    kind's novelty decays with each firing (M17). Generated from the registrations."""
    missing = [k for k in KINDS if k not in HANDLERS]
    if missing:
        raise ImportError(f"calendar kinds without a handler in sim/events.py: {missing}")
    lines = ["def dispatch(ctx, e, h):",
             "    ev, s = ctx.ev, ctx.s",
             "    kind = ev.kind[e]",
             "    nov = s.novelty[kind]",
             "    s.novelty[kind] *= 1.0 - ctx.c.novelty_decay"]
    for code, kind in enumerate(KINDS):
        handler = HANDLERS[kind]
        args = []
        for name in inspect.signature(_python(handler)).parameters:
            if name in CONTEXT_ARGS:
                args.append("e" if name == "eid" else name)
            else:
                args.append(f"ev.params[e, {PARAMS[kind].index(name)}]")
        lines.append(f"    {'if' if code == 0 else 'elif'} kind == {code}:")
        lines.append(f"        {_python(handler).__name__}({', '.join(args)})")
    namespace = {_python(HANDLERS[k]).__name__: HANDLERS[k] for k in KINDS}
    exec("\n".join(lines), namespace)
    # generated, so not cached on its own: the cached `sim.hour.run_hours` carries its code
    return numba.njit(_nrt=False)(namespace["dispatch"])


dispatch = _dispatcher()
MAX_PARAMS = max(map(len, PARAMS.values()), default=0)
"""Columns of `Events.params`."""
