"""The hourly loop: all members, any number of hours, one numba call.

Phase order of one hour (the only place it is written):
  1. calendar events firing this hour, one handler per kind (`sim/events.py`): money, calls,
     coupons, sales, 接龙, reports, notices and lectures open offers; topics, lecture talk,
     meetups and cleanup act at once                                              M5 M12 M14 M16 M17 M19
  2. joins: referral invites, the host's feed, QR influx, through the threshold
     (`sim/joins.py`)                                                              M13 M15 M16 M10
  3. posting: host, members (voice × motive × social proof × salience), shills,
     spammers, replies and ties, complaints and their answers
     (`sim/posting.py`, `sim/ties.py`)                                             M1 M3 M7 M8 M9 M10 M14 M21
  4. reading: members who open the group meet the open offers (grabs, thanks, check-ins,
     sale purchases, 接龙 entries, ...; `sim.events.meet_offers`); then value, annoyance,
     sentiment, trust, funnel and product purchases from this hour's messages
     (`sim/posting.py`)                                                            M2 M3 M4 M5 M6 M8 M11 M12 M18 M19
  5. at the day's last hour: satisfaction, mute and leave (everyday churn, overload,
     dissatisfaction), habituation and motives, tie decay and counts, shill noticing,
     defection to ads, moderation, metrics, quiet days and death (`sim/day.py`)  M2 M5 M7 M9 M10 M11 M20

Hot loops live in the kernel modules, over arrays; `sim.model` only prepares arrays and reads
results.
"""

import math

from sim.codes import (
    G_BOOST, G_BOOST_BOUND, G_GUEST_LEFT, G_MEMBERS, G_NEXT_EVENT, G_N_LIVE, G_PEAK, G_REAL_DAY,
    G_SHILL_DAY, G_SOCIAL, H_ENTRIES, H_GUEST, H_HOST, H_MEMBERS, H_PROMPTED, H_REAL, H_SHILL,
    H_SPAM, IN, MUTED, RECENT, R_ANSWER, R_BURST, R_HOST_KIND, R_HOST_POSTS, R_INTRO, R_SHILL, R_SPAM,
    T_ADVERTISER, T_POST, T_SCRIPTED,
)
from sim.byref import by_ref
from sim.core import (
    BOOST_ROOM, MAY_POST, chill_of, compact_live, hot, mark_candidates, poisson, rand, rand_at, say,
)
from sim.day import end_of_day
from sim.events import dispatch, meet_offers
from sim.joins import host_feed, invite_and_join, mark_sharing, refresh_share_weights
from sim.posting import post, post_chance, read


@hot
def run_hours(ctx, h_start, h_end):
    """Play hours [h_start, h_end) for every account in the group (`State.live`), writing the
    state and the output rows of `ctx` (a `sim.core.Ctx`) in place. The core of the engine."""
    ctx = by_ref(ctx)
    c, lv, s, traits, out_h, ev, rhythm = ctx.c, ctx.lv, ctx.s, ctx.traits, ctx.out_h, ctx.ev, ctx.rhythm
    ring = s.recent
    ring_n = s.recent_n
    complaints = s.complaints
    answered = s.answered
    n_complaints = s.n_complaints
    mem_keep = math.exp(-1.0 / c.social_memory_hours)
    boost_keep = math.exp(-1.0 / c.boost_hours)
    chill = chill_of(c, lv)
    intro_rate = -math.log(1.0 - c.intro_share) / 24.0
    for h in range(h_start, h_end):
        hd = h % 24
        w = rhythm[hd]
        if hd == 0:  # the day's candidate hours: to share now, to post in phase 3
            for k in range(int(s.group[G_N_LIVE])):
                for x in range(24):
                    s.candidates[x, k] = 0
                mark_sharing(ctx, s.live[k], k, h)
        # 1. calendar events
        e = int(s.group[G_NEXT_EVENT])
        while e < ev.hour.shape[0] and ev.hour[e] <= h:
            if ev.hour[e] == h:
                dispatch(ctx, e, h)
            e += 1
        s.group[G_NEXT_EVENT] = e
        # 2. joins
        invite_and_join(ctx, h, w)
        if hd == c.feed_hour:
            host_feed(ctx, h)
        # 3. posting
        sd = s.group[G_SOCIAL] * 24.0 / c.social_memory_hours  # conversation per day
        social = c.social_floor + (1.0 - c.social_floor) * sd * sd / (sd * sd + c.social_half ** 2)
        boost = s.group[G_BOOST] + c.opening_burst * math.exp(-h / c.opening_burst_hours)
        n_product = 0.0
        n_value = 0.0
        office = c.office_open <= hd <= c.office_close
        host_on = lv.company == 0 or office
        if host_on and lv.capacity > 0:
            hw = w if lv.company == 0 else 24.0 / (c.office_close - c.office_open + 1)
            n_host = poisson(lv, R_HOST_POSTS, 0, h, lv.capacity * hw / 24.0)
            for x in range(n_host):
                u = rand(lv, R_HOST_KIND, x, h)
                if u < lv.product_share:
                    n_product += 1
                elif u < lv.product_share + lv.interaction_share:
                    s.group[G_BOOST] += c.interaction_pull
                else:
                    n_value += 1
            out_h[H_HOST, h] += n_host
        n_complaints[0] = 0
        n_live = int(s.group[G_N_LIVE])
        if hd == 0 or boost > s.group[G_BOOST_BOUND]:  # the hours each account may post
            s.group[G_BOOST_BOUND] = boost + BOOST_ROOM
            for k in range(n_live):
                mark_candidates(ctx, s.live[k], k, h)
        shill_on = lv.shills_rest == 0 or s.group[G_REAL_DAY] < c.shill_rest_above
        for k in range(n_live):
            if s.candidates[hd, k] & MAY_POST == 0:
                continue  # cannot post this hour (sim.core.mark_candidates)
            i = s.live[k]
            st = s.status[i]
            if st != IN and st != MUTED:
                continue
            role = s.role[i]
            if traits[role, T_SCRIPTED] > 0.0:
                ramp = min(1.0, c.shill_morning + hd / 24.0)  # scripts warm up over the day
                if shill_on and rand(lv, R_SHILL, i, h) < c.shill_rate * w * ramp:
                    out_h[H_SHILL, h] += 1
                    s.group[G_SHILL_DAY] += 1
                    ring[ring_n[0] % RECENT] = -1
                    ring_n[0] += 1
            elif traits[role, T_ADVERTISER] > 0.0:
                if rand(lv, R_SPAM, i, h) < c.spam_per_day * w / 24.0:
                    out_h[H_SPAM, h] += 1
                    if s.first_ad[i] < 0:
                        s.first_ad[i] = h
            else:
                if rand_at(s.post_stream[i], h) < post_chance(ctx, i, h, social, boost, chill, w):
                    post(ctx, i, h)
                elif h - s.join_hour[i] < 24 and s.n_posts[i] == 0 and traits[role, T_POST] > 0.0:
                    # M1: newcomers greet and introduce themselves (自我介绍) in their first day
                    if rand(lv, R_INTRO, i, h) < intro_rate * w:
                        say(s, out_h, i, h, 1 + poisson(lv, R_BURST, i, h, c.burst_extra))
                        ring[ring_n[0] % RECENT] = i
                        ring_n[0] += 1
        if s.group[G_GUEST_LEFT] > 0:
            g = min(s.group[G_GUEST_LEFT], c.lecture_messages / c.lecture_hours)
            out_h[H_GUEST, h] += g
            n_value += c.guest_value_share * g
            s.group[G_GUEST_LEFT] -= g
        for x in range(n_complaints[0]):
            resp = lv.responsiveness if host_on else 0.0
            answered[x] = rand(lv, R_ANSWER, complaints[x], h) < max(resp, lv.auto_answer)
        # 4. reading: the open offers, then this hour's messages
        meet_offers(ctx, h, w)
        read(ctx, h, n_product, n_value)
        talk = out_h[H_REAL, h] - out_h[H_PROMPTED, h] - out_h[H_ENTRIES, h]
        conversation = talk + out_h[H_SHILL, h] + c.host_talk_weight * (out_h[H_HOST, h] + out_h[H_GUEST, h])
        s.group[G_SOCIAL] = s.group[G_SOCIAL] * mem_keep + conversation
        s.group[G_REAL_DAY] += talk
        s.group[G_BOOST] *= boost_keep
        n_members = int(s.group[G_MEMBERS])
        out_h[H_MEMBERS, h] = n_members
        s.group[G_PEAK] = max(s.group[G_PEAK], n_members)
        # 5. end of day
        if hd == 23:
            end_of_day(ctx, h // 24)
            compact_live(s)
            refresh_share_weights(ctx, h)
