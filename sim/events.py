"""Calendar event handlers: one registration per kind.

A calendar kind is its schema class (`scenarios/schema.py`) and one handler here, registered
with `@handles(SchemaClass)`. Kind codes follow the schema's order (`CALENDAR_KINDS`); the
dispatcher `dispatch` and the parameter table `PARAMS` (read by `sim/calendar.py`) are derived
from the registrations. A handler takes the context, the hour `h`, and whichever it needs of
`eid` (the event's index, an id for the item), `nov` (the kind's novelty before this firing,
M17) and the schema fields of its kind, by name (float64 values). A kind without a handler,
or a handler naming something else, fails at import.

A kind whose event stays open for members to act on (see "open offers" below) also registers,
with `@meets(SchemaClass)`, what a member does on meeting it: `(ctx, i, h, o)` for member `i`
at hour `h` and offer slot `o`; the generated `meet` dispatches to it by the offer's kind.
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
    DESIRE, G_BOOST, G_GUEST_LEFT, G_N_EVER, G_N_LIVE, G_SKIPPED_MONEY, H_ENTRIES, H_GRABS,
    H_HOST, H_PACKET_YUAN, H_REAL, IN,
    INTEREST, MAX_OFFERS, O_A, O_B, O_EID, O_KIND, O_N, O_START, O_UNTIL, R_CHECKIN, R_ENTRY,
    R_GRAB, R_LECTURE_DESIRE, R_MEET, R_MEET_START, R_SALE_BUY, R_THANKS, RECENT,
    T_LECTURER, T_MEMBER,
)
from sim.core import (
    hot, is_member, leave_group, may_post_more, open_chance, rand, rand_at, say, say_prompted,
    value_trust,
)
from sim.money import can_spend, felt, money_exposure, spend
from sim.sales import buy_chance, price_paid, purchase, sale_seen
from sim.ties import strengthen

KINDS: tuple[str, ...] = tuple(get_args(m.model_fields["kind"].annotation)[0] for m in CALENDAR_KINDS)
"""Calendar kinds by code (`scenarios.schema.CALENDAR_KINDS` order)."""
(RED_PACKET, LUCKY_DRAW, CHECKIN, COUPON, FLASH_SALE, JIELONG, DAILY_REPORT, LECTURE,
 NOTICE) = (KINDS.index(k) for k in ("red_packet", "lucky_draw", "checkin", "coupon", "flash_sale",
                                      "jielong", "daily_report", "lecture", "notice"))
CONTEXT_ARGS = ("ctx", "h", "eid", "nov")
"""Handler parameters that are not schema fields."""
HANDLERS: dict[str, Callable] = {}
PARAMS: dict[str, tuple[str, ...]] = {}
"""Per kind, the schema fields its handler reads, in its parameter order (`Events.params` columns)."""
MEETERS: dict[str, Callable] = {}
"""Per kind that opens offers, what a member does on meeting one (`@meets`)."""


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


def meets(item: type[Timing]):
    """Register the decorated `(ctx, i, h, o)` function as what a member does on meeting an open
    offer of `item`'s kind. Raises TypeError on another signature or a second registration."""
    kind = get_args(item.model_fields["kind"].annotation)[0]

    def register(meeter):
        names = tuple(inspect.signature(_python(meeter)).parameters)
        if names != ("ctx", "i", "h", "o"):
            raise TypeError(f"meeting a {kind!r} offer takes (ctx, i, h, o), not {names}")
        if kind in MEETERS:
            raise TypeError(f"calendar kind {kind!r} has two @meets functions")
        MEETERS[kind] = meeter
        return meeter

    return register


# An event that members act on (a red packet, a lucky draw, a check-in call, a coupon, a flash
# sale, a 接龙, a daily report, a notice, a lecture) fires as an open offer: it stays open until
# its hour `until` (or its count runs out), and each member meets it at the first hour they open
# the group (`meet_offers`, phase 4, through the kind's `@meets` handler), so a 03:00 packet is
# grabbed in the morning and a sale closes before late openers see it. Offers live in `s.offers`
# (`sim.codes.OFFER_FIELDS` columns); `s.met` holds, per member and offer slot, 1 + the event id
# of the offer they last met there.
@hot
def open_offer(s, h, kind, a, b, until, n, eid):
    """Put an offer in a free slot (or in place of the one closing first)."""
    slot = 0
    for o in range(MAX_OFFERS):
        if s.offers[o, O_KIND] < 0:
            slot = o
            break
        if s.offers[o, O_UNTIL] < s.offers[slot, O_UNTIL]:
            slot = o
    s.offers[slot, O_KIND] = kind
    s.offers[slot, O_A] = a
    s.offers[slot, O_B] = b
    s.offers[slot, O_START] = h
    s.offers[slot, O_UNTIL] = until
    s.offers[slot, O_N] = n
    s.offers[slot, O_EID] = eid


@hot
def ping(s, traits, h):
    """Everyone gets a reason to look (M18): the notification of a packet, sale, 接龙 or @all."""
    for k in range(int(s.group[G_N_LIVE])):
        i = s.live[k]
        if is_member(s, traits, i):
            s.last_reason[i] = h


@hot
def money_event(ctx, h, kind, amount, count, eid):
    """Red packet (`amount` yuan split among `count` grabs, paid as they are grabbed: the rest
    returns after a day, as on WeChat) or lucky draw (`count` winners share `amount`, paid at
    once), open for `packet_hours`; skipped whole when the budget cannot cover it."""
    c, lv, s, traits, out_h = ctx.c, ctx.lv, ctx.s, ctx.traits, ctx.out_h
    if not can_spend(lv, s, h, amount):
        s.group[G_SKIPPED_MONEY] += 1
        return
    if kind == LUCKY_DRAW:
        spend(s, out_h, h, amount)
    ping(s, traits, h)
    open_offer(s, h, kind, amount, count, h + c.packet_hours, count, eid)


@handles(RedPacket)
@hot
def on_red_packet(ctx, h, amount, count, eid):
    money_event(ctx, h, RED_PACKET, amount, count, eid)


@handles(LuckyDraw)
@hot
def on_lucky_draw(ctx, h, amount, count, eid):
    money_event(ctx, h, LUCKY_DRAW, amount, count, eid)


@meets(RedPacket)
@meets(LuckyDraw)
@hot
def grab(ctx, i, h, o):
    """A member meets an open red packet or lucky draw (`a` yuan among `b`): the numb and those
    who feel little of the money grab less; thanks and chatter go round while it is new (M5).
    A red packet pays as it is grabbed, and only while the budget covers the grab."""
    c, lv, s, out_h = ctx.c, ctx.lv, ctx.s, ctx.out_h
    if s.offers[o, O_N] <= 0.0:
        return  # 手慢了: all grabbed
    yuan = s.offers[o, O_A] / s.offers[o, O_B]
    if s.offers[o, O_KIND] == RED_PACKET and not can_spend(lv, s, h, yuan):
        return  # the budget ran out while the packet was open: nothing more is paid
    f = felt(c, s, i, yuan)
    numb = math.exp(-s.habituation[i])
    want = (1.0 - c.grab_money_weight * (1.0 - f)) * (c.grab_numb_floor + (1.0 - c.grab_numb_floor) * numb)
    eid = int(s.offers[o, O_EID])
    if rand(lv, R_GRAB, i, eid) >= want:
        return
    s.offers[o, O_N] -= 1.0
    if s.offers[o, O_KIND] == RED_PACKET:
        spend(s, out_h, h, yuan)
        out_h[H_GRABS, h] += 1
        out_h[H_PACKET_YUAN, h] += yuan
    money_exposure(ctx, i, h, yuan)
    fresh = math.exp(-(h - s.offers[o, O_START]) / c.thanks_fresh_hours)
    s.group[G_BOOST] += c.grab_buzz * f * fresh
    if rand(lv, R_THANKS, i, eid) < c.thanks_share * f * numb * fresh:
        say_prompted(s, out_h, i, h)


@handles(Checkin)
@hot
def on_checkin(ctx, h, reward, nov, eid):
    """A check-in call, met within `call_hours` (its novelty, M17, rides in the offer)."""
    open_offer(ctx.s, h, CHECKIN, reward, nov, h + ctx.c.call_hours, 0.0, eid)


@meets(Checkin)
@hot
def check_in(ctx, i, h, o):
    """A check-in call met: members with a motive (or a reward) check in; a check-in is prompted."""
    c, lv, s, out_h = ctx.c, ctx.lv, ctx.s, ctx.out_h
    reward = s.offers[o, O_A]
    pull = c.checkin_pull * s.offers[o, O_B] * (s.intrinsic[i] + s.paid[i])
    if reward > 0.0:
        pull += c.checkin_reward_pull * felt(c, s, i, reward) * math.exp(-s.habituation[i])
    if rand(lv, R_CHECKIN, i, int(s.offers[o, O_EID])) >= pull:
        return
    if reward > 0.0:
        if not can_spend(lv, s, h, reward):
            s.group[G_SKIPPED_MONEY] += 1
            s.offers[o, O_A] = 0.0  # the call no longer pays, and is counted once
        else:
            spend(s, out_h, h, reward)
            money_exposure(ctx, i, h, reward)
    say_prompted(s, out_h, i, h)


@handles(Coupon)
@hot
def on_coupon(ctx, h, discount, valid_hours, eid):
    """Coupons reach members who open the group while they are valid; paid for when redeemed."""
    open_offer(ctx.s, h, COUPON, discount, valid_hours, h + valid_hours, 0.0, eid)


@meets(Coupon)
@hot
def take_coupon(ctx, i, h, o):
    """A coupon met: kept until it expires; a discount is money too (M5)."""
    c, lv, s = ctx.c, ctx.lv, ctx.s
    s.coupon_disc[i] = s.offers[o, O_A]
    s.coupon_until[i] = s.offers[o, O_UNTIL]
    s.habituation[i] += c.coupon_hab_share * c.hab_gain * felt(c, s, i, lv.price * s.offers[o, O_A])


@handles(FlashSale)
@hot
def on_flash_sale(ctx, h, discount, stock, eid):
    """M12/M19: a limited stock at a discount, open for `sale_hours` or until it is gone."""
    ping(ctx.s, ctx.traits, h)
    open_offer(ctx.s, h, FLASH_SALE, discount, stock, h + ctx.c.sale_hours, stock, eid)


@meets(FlashSale)
@hot
def buy_at_sale(ctx, i, h, o):
    """M12/M19: a flash sale met while stock lasts: one decision at the sale price."""
    c, lv, s = ctx.c, ctx.lv, ctx.s
    discount = s.offers[o, O_A]
    if s.offers[o, O_N] > 0.0:
        price = price_paid(lv, s, i, h, discount)
        if rand(lv, R_SALE_BUY, i, int(s.offers[o, O_EID])) < buy_chance(ctx, i, price, h):
            purchase(ctx, i, h, discount)
            s.offers[o, O_N] -= 1.0
    sale_seen(c, lv, s, i)
    if discount > 0.0:  # a discount is money too (M5)
        s.habituation[i] += c.coupon_hab_share * c.hab_gain * felt(c, s, i, lv.price * discount)


@handles(Jielong)
@hot
def on_jielong(ctx, h, discount, hours_open, eid):
    """M12: a 接龙 order list opens for `hours_open` hours."""
    ping(ctx.s, ctx.traits, h)
    open_offer(ctx.s, h, JIELONG, discount, hours_open, h + hours_open, 0.0, eid)


@meets(Jielong)
@hot
def jielong_entry(ctx, i, h, o):
    """M12: a 接龙 met: one considered decision, more likely as the list grows (social proof);
    an entry is an order and a message."""
    c, lv, s, out_h = ctx.c, ctx.lv, ctx.s, ctx.out_h
    sale_seen(c, lv, s, i)
    discount = s.offers[o, O_A]
    proof = 1.0 + c.jielong_proof * math.log1p(s.offers[o, O_N])
    p = buy_chance(ctx, i, price_paid(lv, s, i, h, discount), h) * proof
    if rand(lv, R_ENTRY, i, int(s.offers[o, O_EID])) < p:
        s.offers[o, O_N] += 1.0
        s.n_entries[i] += 1
        s.last_post[i] = h
        s.posted_day[i] = h // 24
        out_h[H_ENTRIES, h] += 1
        out_h[H_REAL, h] += 1
        purchase(ctx, i, h, discount)


@hot
def host_post(ctx, h, kind, eid):
    """A daily report or an @all notice: a host message everyone is pinged about (M18), met
    within `call_hours`."""
    ping(ctx.s, ctx.traits, h)
    ctx.out_h[H_HOST, h] += 1
    open_offer(ctx.s, h, kind, 0.0, 0.0, h + ctx.c.call_hours, 0.0, eid)


@handles(DailyReport)
@hot
def on_daily_report(ctx, h, eid):
    host_post(ctx, h, DAILY_REPORT, eid)


@meets(DailyReport)
@hot
def read_report(ctx, i, h, o):
    """A daily report met: information value (M2) and trust (M3)."""
    c, lv, s = ctx.c, ctx.lv, ctx.s
    s.info_day[i] += 1.0
    s.trust[i] += value_trust(c, lv) * (1.0 - s.trust[i])


@handles(Topic)
@hot
def on_topic(ctx, h, nov):
    """Topic of the day: the host asks, talk follows for a while (M17 novelty)."""
    c, s, out_h = ctx.c, ctx.s, ctx.out_h
    out_h[H_HOST, h] += 1
    s.group[G_BOOST] += c.topic_pull * nov


@handles(Lecture)
@hot
def on_lecture(ctx, h, native, nov, eid):
    """M14/M17: a lecture lifts talk while it lasts; a native one is given by a KOL who lives in
    the group (else the host). Its value is met by those who open the group during it."""
    c, s, traits, out_h = ctx.c, ctx.s, ctx.traits, ctx.out_h
    ring, ring_n = s.recent, s.recent_n
    ping(s, traits, h)
    open_offer(s, h, LECTURE, native, 0.0, h + c.lecture_hours, 0.0, eid)
    s.group[G_BOOST] += c.lecture_pull * nov
    if native <= 0.0:
        s.group[G_GUEST_LEFT] = c.lecture_messages
        return
    speaker = -1
    for k in range(int(s.group[G_N_LIVE])):
        i = s.live[k]
        if is_member(s, traits, i) and traits[s.role[i], T_LECTURER] > 0.0:
            speaker = i
            break
    n_msgs = int(c.lecture_messages)
    if speaker >= 0:
        say(s, out_h, speaker, h, n_msgs)
        s.recognised[speaker] = min(s.recognised[speaker] + c.lecture_recognition, c.recognised_max)
        may_post_more(ctx, speaker, h)
        ring[ring_n[0] % RECENT] = speaker
        ring_n[0] += 1
    else:
        out_h[H_HOST, h] += n_msgs


@meets(Lecture)
@hot
def attend_lecture(ctx, i, h, o):
    """A lecture met: value by interest; a native one can turn interest into desire."""
    c, lv, s = ctx.c, ctx.lv, ctx.s
    native = s.offers[o, O_A] > 0.0
    s.value_day[i] += (c.lecture_value_native if native else c.lecture_value_guest) * s.interest[i]
    if native and s.stage[i] <= INTEREST:
        if rand(lv, R_LECTURE_DESIRE, i, int(s.offers[o, O_EID])) < c.lecture_desire * lv.ip_match:
            s.stage[i] = DESIRE


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
            strengthen(s, i, came[y], c.tie_meetup)


@handles(Notice)
@hot
def on_notice(ctx, h, eid):
    host_post(ctx, h, NOTICE, eid)


@meets(Notice)
@hot
def read_notice(ctx, i, h, o):
    """An @all notice met: it annoys (M6)."""
    ctx.s.annoy_day[i] += ctx.c.notice_annoy


@handles(Cleanup)
@hot
def on_cleanup(ctx, h, inactive_days):
    """M16: members silent for `inactive_days` are removed."""
    s, traits, out_h = ctx.s, ctx.traits, ctx.out_h
    for k in range(int(s.group[G_N_LIVE])):
        i = s.live[k]
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
    return numba.njit(_nrt=False, nogil=True)(namespace["dispatch"])


def _meet_dispatcher():
    """`meet(ctx, i, h, o)`: member `i` meets the open offer in slot `o` through its kind's
    `@meets` function. Generated from the registrations."""
    lines = ["def meet(ctx, i, h, o):", "    kind = ctx.s.offers[o, O_KIND]"]
    for n, (code, kind) in enumerate((code, k) for code, k in enumerate(KINDS) if k in MEETERS):
        lines.append(f"    {'if' if n == 0 else 'elif'} kind == {code}:")
        lines.append(f"        {_python(MEETERS[kind]).__name__}(ctx, i, h, o)")
    namespace = {_python(m).__name__: m for m in MEETERS.values()}
    namespace["O_KIND"] = O_KIND
    exec("\n".join(lines), namespace)
    # generated, so not cached on its own: the cached `sim.hour.run_hours` carries its code
    return numba.njit(_nrt=False, nogil=True)(namespace["meet"])


dispatch = _dispatcher()
meet = _meet_dispatcher()


@hot
def meet_offers(ctx, h, hour_weight):
    """Phase 4: members who open the group this hour meet the offers still open, each once.
    A member opens it with chance 1 − exp(−opens_per_day × salience × RHYTHM[hour] / 24),
    more often while a red packet they feel is waiting (M5, M18)."""
    c, lv, s, traits = ctx.c, ctx.lv, ctx.s, ctx.traits
    n_open = 0
    packet = 0.0  # yuan per grab of the richest packet still open
    for o in range(MAX_OFFERS):
        if s.offers[o, O_KIND] < 0.0:
            continue
        kind = s.offers[o, O_KIND]
        money = kind == RED_PACKET or kind == LUCKY_DRAW
        if h >= s.offers[o, O_UNTIL] or (money or kind == FLASH_SALE) and s.offers[o, O_N] <= 0.0:
            s.offers[o, O_KIND] = -1.0  # closed, sold out or all grabbed
            continue
        n_open += 1
        if money:
            packet = max(packet, s.offers[o, O_A] / s.offers[o, O_B])
    if n_open == 0:
        return
    rate = c.opens_per_day * hour_weight / 24.0
    for k in range(int(s.group[G_N_LIVE])):
        i = s.live[k]
        if not is_member(s, traits, i):
            continue
        r = rate * open_chance(c, s, i, h)
        if packet > 0.0:
            r *= 1.0 + c.money_open_pull * felt(c, s, i, packet) * math.exp(-s.habituation[i])
        if rand_at(s.open_stream[i], h) >= 1.0 - math.exp(-r):
            continue
        for o in range(MAX_OFFERS):
            if s.offers[o, O_KIND] < 0.0:
                continue
            mark = 1 + int(s.offers[o, O_EID])
            if s.met[i, o] != mark:
                s.met[i, o] = mark
                meet(ctx, i, h, o)
MAX_PARAMS = max(map(len, PARAMS.values()), default=0)
"""Columns of `Events.params`."""
