"""The end of a day: satisfaction, motives, mute and leave, shill noticing, defection,
moderation, the daily metrics and quiet days (M2 M5 M7 M9 M10 M11 M20)."""

import math

import numpy as np

from sim.codes import (
    DEAD_AFTER_QUIET_DAYS, DESIRE, D_ACTIVE, D_MEMBERS, D_MUTED, D_QUIET, D_SAT, D_SENT, D_TRUST,
    D_TWO_TIES, D_WEEKLY_POSTERS, G_ACCOUNTS, G_DEAD_DAY, G_MEMBERS, G_N_EVER, G_N_LIVE,
    G_QUIET_RUN, G_REAL_DAY, G_SHARE_TOTAL, G_SHILL_DAY, G_SHILL_SHARE, H_LEAVES, IN, INTEREST,
    MUTED, QUIET_MIN_POSTERS, QUIET_SHARE, REMOVED, R_DEFECT, R_DESIRE_FADE, R_MODERATE, R_NOTICE,
    T_ADVERTISER, T_MOTIVE_FLOOR,
)
from sim.core import hot, is_member, rand
from sim.joins import mute_or_leave
from sim.sales import offer_fit
from sim.ties import count_ties


@hot
def day_satisfaction(c, lv, s, i, h, alpha):
    """M2: satisfaction is a moving average of the day's value minus annoyance; a newcomer's is
    a running mean of the hours seen, weighted against one day of their expectations (first
    impressions count fully)."""
    seen = (h + 1 - s.join_hour[i]) / 24.0
    alpha = max(alpha, min(seen, 1.0) / (1.0 + seen))
    over = s.read_day[i] - s.tolerance[i]
    annoy = s.annoy_day[i] + (c.overload_annoy * over if over > 0 else 0.0)
    fit = offer_fit(lv, s, i)
    taste = c.taste_floor + s.interest[i]
    today = c.sat_base + s.value_day[i] - annoy + c.value_tie * min(s.n_ties[i], c.ties_valued)
    today += c.value_info * taste * (1.0 - math.exp(-s.info_day[i] / c.info_half))
    today += c.value_talk * lv.topic_value * taste * (1.0 - math.exp(-s.talk_day[i] / c.talk_half))
    today += c.value_deal * fit * (1.0 - math.exp(-s.deal_day[i] / c.deal_half))
    today += c.sentiment_to_sat * s.sentiment[i]
    s.satisfaction[i] += alpha * (today - s.satisfaction[i])


@hot
def end_of_day(ctx, day):
    """Phase 5: once a day."""
    c, lv, s, traits, out_h, out_d = ctx.c, ctx.lv, ctx.s, ctx.traits, ctx.out_h, ctx.out_d
    h = day * 24 + 23
    hab_keep = math.exp(-1.0 / c.hab_recovery_days)
    paid_keep = math.exp(-1.0 / c.paid_decay_days)
    fatigue_keep = math.exp(-1.0 / c.sale_fatigue_days)
    recognised_keep = math.exp(-1.0 / c.recognised_days)
    alpha = 1.0 / c.sat_memory_days
    total = s.group[G_REAL_DAY] + s.group[G_SHILL_DAY]
    share = s.group[G_SHILL_DAY] / total if total > 0 else 0.0
    s.group[G_SHILL_SHARE] += c.shill_share_weight * (share - s.group[G_SHILL_SHARE])
    count_ties(ctx, math.exp(-1.0 / c.tie_decay_days), int(s.group[G_N_EVER]))
    n_members = 0
    n_muted = 0
    n_two = 0
    trust_sum = 0.0
    sat_sum = 0.0
    sent_sum = 0.0
    n_posters = 0
    n_weekly = 0
    for x in range(int(s.group[G_N_LIVE])):
        i = s.live[x]
        role = s.role[i]
        if traits[role, T_ADVERTISER] > 0.0:
            in_group = s.status[i] == IN or s.status[i] == MUTED
            if in_group and s.first_ad[i] >= 0 and h - s.first_ad[i] >= lv.mod_delay:
                # M10: moderation removes spammers after a delay, as strictly as rules say
                if rand(lv, R_MODERATE, i, h) < 1.0 - (1.0 - lv.strictness) ** 24:
                    s.status[i] = REMOVED
                    s.group[G_ACCOUNTS] -= 1
            continue
        if not is_member(s, traits, i):
            continue
        day_satisfaction(c, lv, s, i, h, alpha)
        if s.stage[i] == DESIRE and rand(lv, R_DESIRE_FADE, i, h) < 1.0 / c.desire_fade_days:
            s.stage[i] = INTEREST
        s.sentiment[i] *= c.sentiment_keep
        s.habituation[i] *= hab_keep
        s.paid[i] *= paid_keep
        s.sale_fatigue[i] *= fatigue_keep
        s.complain_urge[i] *= c.urge_keep
        s.recognised[i] *= recognised_keep
        s.intrinsic[i] = max(s.intrinsic[i], traits[role, T_MOTIVE_FLOOR])
        left = mute_or_leave(ctx, i, h)
        s.value_day[i] = 0.0
        s.annoy_day[i] = 0.0
        s.read_day[i] = 0.0
        s.info_day[i] = 0.0
        s.talk_day[i] = 0.0
        s.deal_day[i] = 0.0
        if left:
            continue
        sat = s.satisfaction[i]
        # M9: shills are noticed more as their share of messages and time in group grow
        if s.noticed[i] == 0 and lv.n_shills > 0:
            weeks = (h - s.join_hour[i]) / 168.0
            if rand(lv, R_NOTICE, i, h) < c.shill_notice * s.group[G_SHILL_SHARE] * weeks:
                s.noticed[i] = 1
                s.trust[i] *= 1.0 - c.trust_shill_loss
                s.sentiment[i] = max(-1.0, s.sentiment[i] - c.shill_sentiment_loss)
        # M10: a dissatisfied member who stays may start posting ads
        if sat < c.mute_below and rand(lv, R_DEFECT, i, h) < c.defect_hazard * (1.0 - lv.strictness):
            s.group[G_MEMBERS] -= 1
            out_h[H_LEAVES, h] += 1  # no longer a member, though still in the group
            s.group[G_SHARE_TOTAL] -= s.share_w[i]
            s.share_w[i] = 0.0
            s.role[i] = lv.defect_role
            s.left_hour[i] = h  # left the members, though still in the group
            s.first_ad[i] = -1
            s.trust_end[i] = s.trust[i]
            continue
        s.trust_end[i] = s.trust[i]
        n_members += 1
        if s.status[i] == MUTED:
            n_muted += 1
        if s.n_ties[i] >= 2:
            n_two += 1
        trust_sum += s.trust[i]
        sat_sum += sat
        sent_sum += s.sentiment[i]
        if s.posted_day[i] == day:
            n_posters += 1
        if day - s.conv_day[i] < 7:
            n_weekly += 1
    out_d[D_MEMBERS, day] = n_members
    out_d[D_MUTED, day] = n_muted
    out_d[D_ACTIVE, day] = n_posters
    out_d[D_WEEKLY_POSTERS, day] = n_weekly
    if n_members > 0:
        out_d[D_TRUST, day] = trust_sum / n_members
        out_d[D_SAT, day] = sat_sum / n_members
        out_d[D_SENT, day] = sent_sum / n_members
        out_d[D_TWO_TIES, day] = n_two / n_members
    else:
        out_d[D_TRUST, day] = np.nan
        out_d[D_SAT, day] = np.nan
        out_d[D_SENT, day] = np.nan
        out_d[D_TWO_TIES, day] = np.nan
    # when a group is dead: 14 quiet days in a row (docs/model.md, "When a group is dead")
    quiet = n_members == 0 or n_posters < max(QUIET_MIN_POSTERS, QUIET_SHARE * n_members)
    out_d[D_QUIET, day] = 1.0 if quiet else 0.0
    if quiet:
        s.group[G_QUIET_RUN] += 1
        if s.group[G_QUIET_RUN] >= DEAD_AFTER_QUIET_DAYS and s.group[G_DEAD_DAY] < 0:
            s.group[G_DEAD_DAY] = day - DEAD_AFTER_QUIET_DAYS + 1
    else:
        s.group[G_QUIET_RUN] = 0
    s.group[G_REAL_DAY] = 0.0
    s.group[G_SHILL_DAY] = 0.0
