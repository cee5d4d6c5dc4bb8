"""Attention and posting: who speaks this hour, and what reading the hour's messages does
(M1 M2 M3 M4 M6 M8 M11 M12 M18 M19 M21)."""

from sim.codes import (
    ATTENTION, DESIRE, G_N_LIVE, H_COMPLAINT, H_ENTRIES, H_GUEST, H_HOST, H_PROMPTED, H_REAL,
    H_SHILL, H_SPAM, IN, INTEREST, MUTED, RECENT, R_BURST, R_COMPLAIN, R_POST_BUY, R_REPLY,
    R_STAGE, T_COMPLAIN, T_POST,
)
from sim.core import hot, is_member, open_chance, poisson, rand, say, value_trust, voice_motive
from sim.sales import buy_chance, offer_fit, price_paid, purchase
from sim.ties import reply, tie_of


@hot
def post_chance(ctx, i, h, social, boost, chill, hour_weight):
    """M1/M5/M8/M18/M21: a member speaks if voice × motive × social proof × salience × the
    hour say so."""
    c, lv, s, traits = ctx.c, ctx.lv, ctx.s, ctx.traits
    role = s.role[i]
    p = voice_motive(ctx, i) * social * (1.0 + boost) * chill
    if traits[role, T_POST] > 0.0:
        p += c.urge_post_rate * s.complain_urge[i]  # after-sales complaints need no audience (M12)
    p *= hour_weight * open_chance(c, s, i, h)
    return p * (c.muted_post / c.muted_read if s.status[i] == MUTED else 1.0)


@hot
def post(ctx, i, h):
    """Phase 3, rare path: a member speaks, a few messages in a row (M21): a complaint, a
    reply, or plain talk."""
    c, lv, s, traits, out_h = ctx.c, ctx.lv, ctx.s, ctx.traits, ctx.out_h
    ring = s.recent
    ring_n = s.recent_n
    complaints = s.complaints
    n_complaints = s.n_complaints
    say(s, out_h, i, h, 1 + poisson(lv, R_BURST, i, h, c.burst_extra))
    unhappy = c.complain_below - s.satisfaction[i]
    urge = s.complain_urge[i]
    complain_w = traits[s.role[i], T_COMPLAIN] * min(unhappy * c.complain_slope, 1.0) if unhappy > 0.0 else 0.0
    if rand(lv, R_COMPLAIN, i, h) < min(complain_w + urge, 1.0):
        out_h[H_COMPLAINT, h] += 1
        s.complain_urge[i] = max(urge - 1.0, 0.0)
        if n_complaints[0] < complaints.shape[0]:
            complaints[n_complaints[0]] = i
            n_complaints[0] += 1
    elif rand(lv, R_REPLY, i, h) < c.reply_share:
        reply(ctx, i, h)
    ring[ring_n[0] % RECENT] = i
    ring_n[0] += 1


@hot
def read(ctx, h, n_product, n_value):
    """Phase 4: members who open the group read this hour's messages."""
    c, lv, s, traits, out_h = ctx.c, ctx.lv, ctx.s, ctx.traits, ctx.out_h
    complaints = s.complaints
    n_complaints = s.n_complaints[0]
    answered = s.answered
    real = out_h[H_REAL, h]
    n_msgs = real + out_h[H_HOST, h] + out_h[H_SHILL, h] + out_h[H_SPAM, h] + out_h[H_GUEST, h]
    if n_msgs == 0:
        return
    talk = real - out_h[H_PROMPTED, h] - out_h[H_ENTRIES, h]
    low_value = out_h[H_PROMPTED, h] + out_h[H_ENTRIES, h] + out_h[H_SHILL, h] + out_h[H_SPAM, h]
    spam = out_h[H_SPAM, h]
    for k in range(int(s.group[G_N_LIVE])):
        i = s.live[k]
        if not is_member(s, traits, i):
            continue
        r = open_chance(c, s, i, h)
        if s.status[i] == IN:
            s.last_reason[i] = h  # an unmuted group pings with every message (M18)
        if r <= 0.0:
            continue
        trust = s.trust[i]
        # M11: what a member counts against their tolerance: low-value messages, and offers
        # that do not fit (each sum skipped where this hour adds nothing to it)
        if n_product > 0:
            fit = offer_fit(lv, s, i)
            s.read_day[i] += r * (low_value + n_product * (1.0 - fit))
            s.deal_day[i] += r * n_product
            s.annoy_day[i] += r * n_product * c.annoy_product * (1.0 - fit)
            if trust < c.sell_trust:
                relief = 1.0 - c.hard_sell_match_relief * lv.ip_match
                s.trust[i] -= r * n_product * c.trust_hard_sell * relief
        elif low_value > 0:
            s.read_day[i] += r * low_value
        if talk != 0:
            s.talk_day[i] += r * talk
        if n_value > 0:
            s.info_day[i] += r * n_value
            s.trust[i] += r * n_value * value_trust(c, lv) * (1.0 - trust)
        if spam > 0:
            s.annoy_day[i] += r * spam * c.annoy_spam
        # M8: moods move toward what members read: talk lifts them a little; complaints pull
        # them down, more from people one is tied to; answers help
        if talk != 0:
            s.sentiment[i] += r * talk * c.talk_mood * (c.talk_mood_level - s.sentiment[i])
        for x in range(n_complaints):
            a = complaints[x]
            w = 1.0 + c.tie_weight * tie_of(s, i, a)
            heard = w * r * (c.answered_pull_share if answered[x] else 1.0)
            s.sentiment[i] = max(-1.0, s.sentiment[i] - c.sentiment_pull * heard)
            s.opinion[i] *= 1.0 - c.complaint_opinion * heard  # word of mouth (M12)
            if answered[x]:
                s.trust[i] += r * c.trust_answer_gain * (1.0 - s.trust[i])
            else:
                s.trust[i] -= r * c.trust_silence_loss * s.trust[i]
        s.trust[i] = min(max(s.trust[i], 0.0), 1.0)
        # M12: value content builds interest; product content from a trusted, fitting host desire
        st = s.stage[i]
        if st == ATTENTION and n_value + talk > 0:
            if rand(lv, R_STAGE, i, h) < c.stage_up * r * (n_value + c.talk_interest * talk):
                s.stage[i] = INTEREST
        elif st == INTEREST and n_product > 0:
            if rand(lv, R_STAGE, i, h) < c.desire_up * trust * lv.ip_match * r * n_product:
                s.stage[i] = DESIRE
        if n_product > 0 and s.stage[i] >= DESIRE:
            price = price_paid(lv, s, i, h, 0.0)
            if rand(lv, R_POST_BUY, i, h) < r * c.post_buy * buy_chance(ctx, i, price, h):
                purchase(ctx, i, h, 0.0)
