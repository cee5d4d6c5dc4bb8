"""Joins and leaves: shares and referral invites, the host's feed, QR influx, the entry
filter, the platform's cap and QR rules, and the daily mute-or-leave decision (M2 M10 M11 M13
M15 M16 M20)."""

import math

from sim.codes import (
    ELSEWHERE, G_ACCOUNTS, G_COST, G_MEMBERS, G_NEXT_ARRIVAL, G_NEXT_SPAM, G_N_ARRIVALS,
    G_N_LIVE, G_N_ROUTED, G_REFERRAL_JOINS, G_SHARE_TOTAL,
    H_JOINS, H_REFERRAL, IN, MUTED, OUT, R_ARRIVE_FILTER, R_ARRIVE_SPAM, R_ARRIVE_WHO,
    R_FEED_JOIN, R_FEED_SEE, R_JOIN, R_LEAVE, R_MUTE, R_N_ARRIVE, SHARE, T_ADVERTISER,
    T_MEMBER, T_SHARE,
)
from sim.byref import by_ref
from sim.core import (
    CANDIDATE_SLACK, MAY_SHARE, enter, hot, is_member, leave_group, mark_candidates, poisson, rand,
    rand_at,
)
from sim.money import can_spend, spend
from sim.ties import friends_inside


@hot
def share_weight(ctx, i, h):
    """M13: shares a day member i would make at hour h: satisfied, trusting members of their own
    accord, any member when the referral reward pays enough for their money sensitivity; the
    urge is highest while the group is new to them and wanes with tenure."""
    c, lv, s, traits = ctx.c, ctx.lv, ctx.s, ctx.traits
    if s.status[i] != IN:
        return 0.0
    willing = max(s.satisfaction[i] + c.share_sat_offset, 0.0) * s.trust[i]
    if s.stage[i] == SHARE:
        willing *= c.share_stage_boost
    w = c.share_rate_per_day * willing * traits[s.role[i], T_SHARE]
    if lv.reward_referrer > 0.0 and s.group[G_COST] + lv.reward_referrer + lv.reward_referee <= lv.budget:
        w += c.reward_share_per_yuan * lv.reward_referrer * s.money_sens[i] * math.exp(-s.habituation[i])
    tenure_days = (h - s.join_hour[i]) / 24.0
    return w * (c.invite_settled + c.invite_new * math.exp(-tenure_days / c.invite_days))


@hot
def refresh_share_weights(ctx, h):
    """The share weight at hour h of everyone in the group (`live`) and their total (kept up to
    date through the day by `join_group`)."""
    ctx = by_ref(ctx)
    c, lv, s, traits = ctx.c, ctx.lv, ctx.s, ctx.traits
    total = 0.0
    for k in range(int(s.group[G_N_LIVE])):
        i = s.live[k]
        s.share_w[i] = share_weight(ctx, i, h)
        total += s.share_w[i]
    s.group[G_SHARE_TOTAL] = total


@hot
def mark_sharing(ctx, i, k, h):
    """Mark the hours from h to the day's end at which member i (at position k of `live`) may
    share (bit `MAY_SHARE` of `State.candidates`): those whose share draw (the same one,
    `State.share_stream`) falls below the most the chance can be while their share weight stays
    as it is (the urgency of early discounts only falls); `invite_and_join` passes over the
    rest, with the same outcomes. A share weight is set for the day (`refresh_share_weights`)
    or at joining, and otherwise only falls."""
    c, lv, s, rhythm = ctx.c, ctx.lv, ctx.s, ctx.rhythm
    if s.share_w[i] <= 0.0:
        return
    hd = h % 24
    top = (s.share_w[i] * (1.0 + c.urgency * early_discount(lv, h)) / 24.0
           * (1.0 + CANDIDATE_SLACK))
    for x in range(hd, 24):
        if rand_at(s.share_stream[i], h - hd + x) < top * rhythm[x]:
            s.candidates[x, k] |= MAY_SHARE


@hot
def join_group(ctx, j, h, inviter):
    c, lv, s, traits, out_h = ctx.c, ctx.lv, ctx.s, ctx.traits, ctx.out_h
    s.status[j] = IN
    s.join_hour[j] = h
    s.last_reason[j] = h
    s.last_post[j] = h
    s.invited_by[j] = inviter
    enter(s, j)
    s.group[G_ACCOUNTS] += 1
    if traits[s.role[j], T_MEMBER] > 0.0:
        s.group[G_MEMBERS] += 1
        s.share_w[j] = share_weight(ctx, j, h)
        s.group[G_SHARE_TOTAL] += s.share_w[j]
        s.was_member[j] = 1
        out_h[H_JOINS, h] += 1
        s.satisfaction[j] += c.fee_commitment_per_yuan * lv.fee
        # M13: tiered early-join discounts with hourly deadlines on day 0
        s.early_disc[j] = early_discount(lv, h)
        if inviter >= 0:
            out_h[H_REFERRAL, h] += 1
            s.group[G_REFERRAL_JOINS] += 1
    mark_candidates(ctx, j, s.live_at[j], h)
    mark_sharing(ctx, j, s.live_at[j], h)


@hot
def route(s, j, h):
    """Candidate j accepted an invitation at hour h while the group was full (or was sent here
    and found it full): kept in `State.routed` for the portfolio's live code to send to another
    of its groups; here they are elsewhere from now on."""
    s.status[j] = ELSEWHERE
    x = int(s.group[G_N_ROUTED])
    s.routed[x, 0] = j
    s.routed[x, 1] = h
    s.group[G_N_ROUTED] += 1


@hot
def early_discount(lv, h):
    """The early-join discount still open at hour h (0 after the last deadline)."""
    best = 0.0
    for k in range(lv.early_hours.shape[0]):
        if h < lv.early_hours[k]:
            best = max(best, lv.early_discs[k])
    return best


@hot
def join_chance(ctx, j, h, referee_reward):
    """M13/M16: a candidate's chance to join, rising with friends inside (diminishing) and
    with rewards and early discounts; the entry threshold and fee filter low-match candidates."""
    c, lv, s, traits = ctx.c, ctx.lv, ctx.s, ctx.traits
    n, clustered = friends_inside(s, traits, j)
    social = 1.0 - math.exp(-c.join_friends * n)
    appeal = c.join_base + (1.0 - c.join_base) * social * (1.0 + c.join_clustered * clustered)
    appeal *= s.trust[j] * (c.taste_floor + s.interest[j])
    appeal *= 1.0 + c.join_reward_per_yuan * referee_reward * s.money_sens[j]
    appeal *= 1.0 + c.discount_pull * early_discount(lv, h)
    appeal *= entry_filter(ctx, j)
    return min(appeal, 1.0)


@hot
def entry_filter(ctx, j):
    """M16: the threshold stops spammers and low-match candidates; a fee is paid only by those
    whose willingness to pay for membership (interest, against money sensitivity) exceeds it."""
    c, lv, s, traits = ctx.c, ctx.lv, ctx.s, ctx.traits
    if traits[s.role[j], T_ADVERTISER] > 0.0:
        return 1.0 - lv.threshold * c.threshold_filter
    f = 1.0 - lv.threshold * c.threshold_filter * (1.0 - s.interest[j])
    if lv.fee > 0.0:
        willing = c.fee_wtp_yuan * s.interest[j] * (1.0 - c.fee_money_weight * s.money_sens[j])
        f *= 1.0 / (1.0 + (lv.fee / willing) ** c.fee_steepness) if willing > 0.0 else 0.0
    return f


@hot
def has_room(lv, s):
    """Whether one more account fits under the platform cap, which counts every account in the
    group: the host, members, shills and spammers (every join path asks this)."""
    return s.group[G_ACCOUNTS] < lv.platform_cap


@hot
def qr_scan_joins(lv, s, h):
    """M10: whether a scan of the group's QR code at hour h can join: the code posted last (at
    opening, then every `qr_repost_hours`) has not expired, the group is below the platform's
    scan stop, and there is room (a live code lifts the expiry and the stop)."""
    since_posted = h % lv.qr_repost_hours if lv.qr_repost_hours > 0.0 else float(h)
    return since_posted < lv.qr_valid_hours and s.group[G_ACCOUNTS] < lv.qr_stop and has_room(lv, s)


@hot
def invite_and_join(ctx, h, hour_weight):
    """Phase 2: referral invites (M13), arrivals a portfolio's live code sends from another
    group's invitations, QR influx (M10/M16)."""
    c, lv, s, traits, out_h = ctx.c, ctx.lv, ctx.s, ctx.traits, ctx.out_h
    n_live = int(s.group[G_N_LIVE])
    reward = lv.reward_referrer + lv.reward_referee
    reward_ok = reward == 0.0 or can_spend(lv, s, h, reward)
    urgency = 1.0 + c.urgency * early_discount(lv, h)
    if s.group[G_SHARE_TOTAL] > 0.0:
        hd = h % 24
        for k in range(n_live):
            # each member shares (forwards, posts to 朋友圈) at their own rate; a share reaches
            # every friend still outside
            if s.candidates[hd, k] & MAY_SHARE == 0:
                continue  # cannot share this hour (mark_sharing)
            i = s.live[k]
            if s.share_w[i] <= 0.0 or not is_member(s, traits, i):
                continue
            if rand_at(s.share_stream[i], h) >= s.share_w[i] * urgency * hour_weight / 24.0:
                continue
            for y in range(s.friend_ptr[i], s.friend_ptr[i + 1]):
                j = s.friend_idx[y]
                if s.status[j] != OUT:
                    continue
                room = has_room(lv, s)
                if not room and lv.route_invites == 0:
                    continue
                chance = join_chance(ctx, j, h, lv.reward_referee if reward_ok else 0.0)
                if rand(lv, R_JOIN, j, h * 4096 + i % 4096) < chance:
                    if not room:  # the portfolio's live code sends them on (sim/portfolio.py)
                        route(s, j, h)
                        continue
                    join_group(ctx, j, h, i)
                    if reward > 0.0 and reward_ok:
                        spend(s, out_h, h, reward)
                        s.value_day[i] += c.value_money_per_yuan * lv.reward_referrer * s.money_sens[i]
                        reward_ok = can_spend(lv, s, h, reward)
    # people another group's members invited, sent here by the portfolio's live code
    while s.group[G_NEXT_ARRIVAL] < s.group[G_N_ARRIVALS]:
        x = int(s.group[G_NEXT_ARRIVAL])
        if s.arrivals[x, 1] > h:
            break
        s.group[G_NEXT_ARRIVAL] += 1
        j = s.arrivals[x, 0]
        if s.status[j] != OUT:
            continue
        if not has_room(lv, s):  # full since they were sent: the live code sends them on again
            route(s, j, h)
            continue
        join_group(ctx, j, h, -1)
        # the referral rewards are paid on a join, here where it happened (the inviter, in
        # another group, is not credited)
        if reward > 0.0 and reward_ok:
            spend(s, out_h, h, reward)
            reward_ok = can_spend(lv, s, h, reward)
    # QR influx: strangers scanning a posted code; some come to advertise
    n_arrive = poisson(lv, R_N_ARRIVE, 0, h, lv.qr_influx * hour_weight / 24.0) if lv.qr_influx > 0 else 0
    for x in range(n_arrive):
        if not qr_scan_joins(lv, s, h):
            break
        if rand(lv, R_ARRIVE_SPAM, x, h) < lv.influx_spam:
            j = int(s.group[G_NEXT_SPAM])
            if j >= lv.spam_hi:
                continue
            s.group[G_NEXT_SPAM] += 1
        else:
            if lv.pool_hi == lv.pool_lo:
                continue
            j = lv.pool_lo + int(rand(lv, R_ARRIVE_WHO, x, h) * (lv.pool_hi - lv.pool_lo))
            if s.status[j] != OUT:
                continue
        if rand(lv, R_ARRIVE_FILTER, j, h) < entry_filter(ctx, j):
            join_group(ctx, j, h, -1)


@hot
def host_feed(ctx, h):
    """M13/M15: the host's own feed (朋友圈) reaches part of the pool once a day: each candidate
    sees it with chance `reach`, drawn as geometric gaps between those who see it (so the cost
    is the candidates reached, not the pool)."""
    c, lv, s = ctx.c, ctx.lv, ctx.s
    reach = c.feed_reach_per_day * (c.feed_reach_floor + lv.ip_strength)
    if reach <= 0.0:
        return
    log_miss = math.log1p(-reach) if reach < 1.0 else -math.inf
    j = lv.pool_lo - 1
    x = 0
    while True:
        j += 1 + int(math.log1p(-rand(lv, R_FEED_SEE, x, h)) / log_miss)
        x += 1
        if j >= lv.pool_hi or not has_room(lv, s):
            break
        if s.status[j] != OUT:
            continue
        if rand(lv, R_FEED_JOIN, j, h) < join_chance(ctx, j, h, 0.0):
            join_group(ctx, j, h, -1)


@hot
def mute_or_leave(ctx, i, h):
    """M2/M11/M20: everyday churn, raised by dissatisfaction, overload and bad sentiment;
    members with two ties leave far less (M7); newcomers who have not yet found value (ties'
    value included, M2) are the most likely to leave. Returns whether the member left."""
    c, lv, s, out_h = ctx.c, ctx.lv, ctx.s, ctx.out_h
    sat = s.satisfaction[i]
    overload = max(s.read_day[i] / s.tolerance[i] - 1.0, 0.0)
    leave = c.churn_per_day
    leave += c.leave_hazard * max(c.leave_below - sat, 0.0) / c.hazard_scale
    leave += c.overload_leave * overload
    bad_mood = max(-s.sentiment[i], 0.0)
    leave += c.sentiment_leave * bad_mood * bad_mood  # mild gloom hardly matters, anger does
    if s.status[i] == MUTED and sat < c.mute_below:
        leave = max(leave, c.muted_leave_hazard)
    unfound = max(c.newcomer_found_sat - sat, 0.0) / c.hazard_scale
    leave += c.newcomer_leave * math.exp(-(h - s.join_hour[i]) / 24.0 / c.newcomer_days) * unfound
    if s.n_ties[i] >= 2:
        leave *= c.two_ties_protect
    if rand(lv, R_LEAVE, i, h) < leave:
        leave_group(s, out_h, i, h, False)
        return True
    if s.status[i] == IN:
        mute = c.mute_hazard * max(c.mute_below - sat, 0.0) / c.hazard_scale
        mute += c.overload_mute * overload
        if rand(lv, R_MUTE, i, h) < mute:
            s.status[i] = MUTED
            s.muted_hour[i] = h
    return False
