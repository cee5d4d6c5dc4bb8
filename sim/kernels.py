"""The hourly interaction kernel: all members, any number of hours, one numba call.

Phase order of one hour (the only place it is written):
  1. calendar events firing this hour (money, sales, 接龙, content, meetups, cleanup)   M5 M12 M14 M16 M17
  2. joins: referral invites, the host's feed, QR influx, through the threshold        M13 M15 M16 M10
  3. posting: host, members (social proof × motive × salience), shills, spammers,
     replies and ties, complaints and their answers, 接龙 entries                      M1 M3 M7 M8 M9 M10 M14
  4. reading: value, annoyance, sentiment, trust, funnel and product purchases          M2 M3 M4 M6 M8 M11 M12 M18
  5. at the day's last hour: satisfaction, mute and leave, habituation and motives,
     tie decay and counts, shill noticing, defection to ads, moderation, metrics,
     quiet days and death                                                               M2 M5 M7 M9 M10 M11

Hot loops live here, over arrays; `sim.model` only prepares arrays and reads results.
Random draws come from the model's numpy Generator, passed in, so a seed fixes a run.
"""

import math

import numba
import numpy as np

from sim.calendar import (
    CHECKIN, CLEANUP, COUPON, DAILY_REPORT, FLASH_SALE, JIELONG, LECTURE_GUEST, LECTURE_NATIVE,
    LUCKY_DRAW, MEETUP, NOTICE, RED_PACKET, TOPIC,
)
from sim.state import (
    ACTION, ATTENTION, COMPLAINER, RECENT, DESIRE, IN, INTEREST, KOL, LEFT, MUTED, OUT, REMOVED,
    SATISFIED, SHARE, SHILL, SPAMMER,
)

# group-level scalars (State.group)
(G_SOCIAL, G_BOOST, G_QUIET_RUN, G_DEAD_DAY, G_COST, G_SALE_ID, G_JL_UNTIL, G_JL_DISC, G_JL_N,
 G_SHILL_SHARE, G_N_EVER, G_PEAK, G_REFERRAL_JOINS, G_NEXT_SPAM, G_NEXT_EVENT, G_GUEST_LEFT,
 G_REAL_DAY, G_SHILL_DAY, G_MEMBERS, G_SHARE_TOTAL) = range(20)
N_GROUP_FIELDS = 20

# hourly metrics (out_h rows)
(H_MEMBERS, H_JOINS, H_LEAVES, H_REAL, H_PROMPTED, H_HOST, H_SHILL, H_SPAM, H_COMPLAINT,
 H_GUEST, H_PURCHASES, H_GMV, H_COST, H_REFERRAL) = range(14)
N_HOURLY = 14
# daily metrics (out_d rows) that are not sums of hourly ones
(D_MEMBERS, D_MUTED, D_ACTIVE, D_UNPROMPTED_POSTERS, D_TRUST, D_SAT, D_SENT, D_TWO_TIES,
 D_QUIET) = range(9)
N_DAILY = 9

# traits columns (agents.TRAIT_NAMES)
T_POST, T_BUY, T_SHARE, T_TIE, T_COMPLAIN = range(5)



# The hour's functions run without reference counting (_nrt=False): they allocate nothing
# (scratch arrays live in the state) and numba's per-call reference counting of the ~50 state
# arrays was measured at 36% of a run (perf, in the runtime's atomic add/sub).
_hot = numba.njit(cache=True, _nrt=False)


# ---- set-up -------------------------------------------------------------------------------
@numba.njit(cache=True)
def _linked(head, nxt, to, u, v):
    x = head[u]
    while x >= 0:
        if to[x] == v:
            return True
        x = nxt[x]
    return False


@numba.njit(cache=True)
def holme_kim(n, m, p, rng):
    """Edges of a Holme-Kim graph (as networkx.powerlaw_cluster_graph): preferential
    attachment, heavy-tailed degree, and triad formation with chance `p` for clustering."""
    n_edges_max = (n - m) * m
    edges = np.empty((n_edges_max, 2), dtype=np.int64)
    head = np.full(n, -1, dtype=np.int64)
    nxt = np.empty(2 * n_edges_max, dtype=np.int64)
    to = np.empty(2 * n_edges_max, dtype=np.int64)
    repeated = np.empty(2 * n_edges_max + m, dtype=np.int64)
    n_rep = m
    for v in range(m):
        repeated[v] = v
    targets = np.empty(m, dtype=np.int64)
    nbrs = np.empty(n, dtype=np.int64)
    n_edges = 0
    for source in range(m, n):
        # m distinct targets drawn from the degree-weighted list
        k = 0
        while k < m:
            t = repeated[int(rng.random() * n_rep)]
            fresh = True
            for y in range(k):
                if targets[y] == t:
                    fresh = False
            if fresh:
                targets[k] = t
                k += 1
        n_targets = m - 1
        target = targets[n_targets]
        count = 0
        while True:
            # add the edge source-target
            edges[n_edges, 0] = source
            edges[n_edges, 1] = target
            to[2 * n_edges] = target
            nxt[2 * n_edges] = head[source]
            head[source] = 2 * n_edges
            to[2 * n_edges + 1] = source
            nxt[2 * n_edges + 1] = head[target]
            head[target] = 2 * n_edges + 1
            n_edges += 1
            repeated[n_rep] = target
            n_rep += 1
            count += 1
            if count >= m:
                break
            target = -1
            if rng.random() < p:
                # triad formation: a friend of the last target not yet linked to source
                n_nbrs = 0
                x = head[edges[n_edges - 1, 1]]
                while x >= 0:
                    u = to[x]
                    if u != source and not _linked(head, nxt, to, source, u):
                        nbrs[n_nbrs] = u
                        n_nbrs += 1
                    x = nxt[x]
                if n_nbrs > 0:
                    target = nbrs[int(rng.random() * n_nbrs)]
            while target < 0:
                n_targets -= 1
                if n_targets < 0:
                    break
                if not _linked(head, nxt, to, source, targets[n_targets]):
                    target = targets[n_targets]
            if target < 0:
                break
        for _ in range(m):
            repeated[n_rep] = source
            n_rep += 1
    return edges[:n_edges]


@numba.njit(cache=True)
def homophilous_segments(ptr, idx, n_segments, rng):
    """Segments over the friendship graph, walked breadth first: a node mostly takes the
    segment of a friend already placed (homophily), else a random one."""
    n = ptr.shape[0] - 1
    seg = np.full(n, -1, dtype=np.int64)
    queue = np.empty(n, dtype=np.int64)
    placed = np.empty(n, dtype=np.int64)
    seen = np.zeros(n, dtype=np.bool_)
    for start in range(n):
        if seen[start]:
            continue
        seen[start] = True
        queue[0] = start
        head, tail = 0, 1
        while head < tail:
            v = queue[head]
            head += 1
            n_placed = 0
            for x in range(ptr[v], ptr[v + 1]):
                u = idx[x]
                if seg[u] >= 0:
                    placed[n_placed] = seg[u]
                    n_placed += 1
                if not seen[u]:
                    seen[u] = True
                    queue[tail] = u
                    tail += 1
            if n_placed > 0 and rng.random() < 0.8:
                seg[v] = placed[int(rng.random() * n_placed)]
            else:
                seg[v] = int(rng.random() * n_segments)
    return seg


@numba.njit(cache=True)
def pick_initial(ptr, idx, n_initial, clustered, rng):
    """The initial members: with chance `clustered` the next one is a friend of those already
    invited (friends invited together), else anyone (customers from a database)."""
    n = ptr.shape[0] - 1
    chosen = np.empty(n_initial, dtype=np.int64)
    taken = np.zeros(n, dtype=np.bool_)
    frontier = np.empty(idx.shape[0] + 1, dtype=np.int64)
    n_frontier = 0
    k = 0
    while k < n_initial:
        if n_frontier > 0 and rng.random() < clustered:
            x = int(rng.random() * n_frontier)
            v = frontier[x]
            n_frontier -= 1
            frontier[x] = frontier[n_frontier]
        else:
            v = int(rng.random() * n)
        if taken[v]:
            continue
        taken[v] = True
        chosen[k] = v
        k += 1
        for x in range(ptr[v], ptr[v + 1]):
            if not taken[idx[x]]:
                frontier[n_frontier] = idx[x]
                n_frontier += 1
    return chosen


# ---- the hour -------------------------------------------------------------------------------
@_hot
def _poisson(rng, lam):
    """Poisson draw by inversion, in chunks of at most 30 (a sum of Poissons is Poisson);
    numpy's own needs reference counting, and the rates here are a handful an hour."""
    k = 0
    while lam > 0.0:
        part = min(lam, 30.0)
        lam -= part
        p = math.exp(-part)
        cdf = p
        u = rng.random()
        n = 0
        while u > cdf and p > 0.0:
            n += 1
            p *= part / n
            cdf += p
        k += n
    return k


@_hot
def _is_member(s, i):
    st = s.status[i]
    r = s.role[i]
    return (st == IN or st == MUTED) and r != SHILL and r != SPAMMER


@_hot
def _open_chance(c, s, i, h):
    """M18: the chance a member opens the group this hour, falling with days without a reason."""
    days = (h - s.last_reason[i]) / 24.0
    p = math.exp(-days / c.salience_days)
    if s.status[i] == MUTED:
        p *= c.muted_read
    return p


@_hot
def _leave(s, out_h, i, h, removed):
    s.group[G_MEMBERS] -= 1
    s.status[i] = REMOVED if removed else LEFT
    s.left_hour[i] = h
    s.trust_end[i] = s.trust[i]
    out_h[H_LEAVES, h] += 1


@_hot
def share_weight(c, lv, s, traits, i):
    """M13: shares a day a member would make: satisfied, trusting members of their own accord,
    any member when the referral reward pays enough for their money sensitivity."""
    if s.status[i] != IN:
        return 0.0
    willing = max(s.satisfaction[i] + 0.1, 0.0) * s.trust[i] * (2.0 if s.stage[i] == SHARE else 1.0)
    w = c.share_rate * willing * traits[s.role[i], T_SHARE]
    if lv.reward_referrer > 0.0 and _can_spend(lv, s, lv.reward_referrer + lv.reward_referee):
        w += c.reward_share * lv.reward_referrer * s.money_sens[i] * math.exp(-s.habituation[i])
    return w


@_hot
def refresh_share_weights(c, lv, s, traits):
    """Everyone's share weight and their total (kept up to date through the day by _join)."""
    total = 0.0
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        s.share_w[i] = share_weight(c, lv, s, traits, i)
        total += s.share_w[i]
    s.group[G_SHARE_TOTAL] = total


@_hot
def _join(c, lv, s, traits, out_h, j, h, inviter):
    s.status[j] = IN
    s.join_hour[j] = h
    s.last_reason[j] = h
    s.last_post[j] = h
    s.invited_by[j] = inviter
    s.ever[int(s.group[G_N_EVER])] = j
    s.group[G_N_EVER] += 1
    if s.role[j] != SPAMMER:
        s.group[G_MEMBERS] += 1
        s.share_w[j] = share_weight(c, lv, s, traits, j)
        s.group[G_SHARE_TOTAL] += s.share_w[j]
        s.was_member[j] = 1
        out_h[H_JOINS, h] += 1
        s.satisfaction[j] += c.fee_commitment * lv.fee
        # M13: tiered early-join discounts with hourly deadlines on day 0
        for k in range(lv.early_hours.shape[0]):
            if h < lv.early_hours[k]:
                s.early_disc[j] = max(s.early_disc[j], lv.early_discs[k])
        if inviter >= 0:
            out_h[H_REFERRAL, h] += 1
            s.group[G_REFERRAL_JOINS] += 1


@_hot
def friends_inside(s, j):
    """Friends of candidate j in the group, and the share of their pairs who know each other."""
    n = 0
    lo, hi = s.friend_ptr[j], s.friend_ptr[j + 1]
    for k in range(lo, hi):
        f = s.friend_idx[k]
        if _is_member(s, f):
            n += 1
    if n < 2:
        return n, 0.0
    pairs = 0
    linked = 0
    for k in range(lo, hi):
        a = s.friend_idx[k]
        if not _is_member(s, a):
            continue
        for m in range(k + 1, hi):
            b = s.friend_idx[m]
            if not _is_member(s, b):
                continue
            pairs += 1
            if s.tie[a, b] > 0.0:
                linked += 1
    return n, linked / pairs


@_hot
def join_chance(c, lv, s, j, h, referee_reward):
    """M13/M16: a candidate's chance to join, rising with friends inside (diminishing) and
    with rewards and early discounts; the entry threshold and fee filter low-match candidates."""
    n, clustered = friends_inside(s, j)
    social = 1.0 - math.exp(-c.join_friends * n)
    appeal = c.join_base + (1.0 - c.join_base) * social * (1.0 + c.join_clustered * clustered)
    appeal *= s.trust[j] * (0.5 + s.interest[j])
    appeal *= 1.0 + c.join_reward * referee_reward * s.money_sens[j]
    best = 0.0
    for k in range(lv.early_hours.shape[0]):
        if h < lv.early_hours[k]:
            best = max(best, lv.early_discs[k])
    appeal *= 1.0 + c.discount_pull * best
    appeal *= _filter(c, lv, s, j)
    return min(appeal, 1.0)


@_hot
def _filter(c, lv, s, j):
    """M16: the threshold stops spammers and low-match candidates; a fee stops the unwilling."""
    if s.role[j] == SPAMMER:
        return 1.0 - lv.threshold * c.threshold_filter
    f = 1.0 - lv.threshold * c.threshold_filter * (1.0 - s.interest[j])
    return f * math.exp(-lv.fee * s.money_sens[j] / 100.0)


@_hot
def _money_exposure(c, s, i, yuan):
    """M5: a money incentive's pull decays with habituation; it erodes the unpaid motive."""
    response = math.exp(-s.habituation[i])
    s.paid[i] += c.paid_gain * s.money_sens[i] * response
    s.habituation[i] += c.hab_gain
    s.intrinsic[i] *= 1.0 - c.erosion
    s.value_day[i] += c.value_money * yuan * s.money_sens[i] * response


@_hot
def _buy_chance(c, lv, s, traits, i, discount, h):
    """M3/M4/M12: purchase is driven by trust and the host's match, not by activity."""
    stage = s.stage[i]
    if stage == ATTENTION:
        w = 0.1
    elif stage == INTEREST:
        w = 0.35
    elif stage == DESIRE:
        w = 1.0
    else:
        w = c.repeat_weight
    gap = (h - s.last_buy[i]) / (24.0 * c.repeat_gap_days)
    fresh = 1.0 - math.exp(-gap) if s.n_purchases[i] > 0 else 1.0
    p = c.buy_rate * traits[s.role[i], T_BUY] * w * fresh
    p *= s.trust[i] * lv.ip_match ** c.match_power * (0.5 + s.interest[i])
    p *= 1.0 + c.discount_pull * discount * math.exp(-s.habituation[i])
    return min(p, 1.0)


@_hot
def _purchase(c, lv, s, rng, out_h, i, h, discount):
    price = lv.price * (1.0 - discount)
    coupon = lv.price * s.coupon_disc[i]
    if s.coupon_until[i] >= h and coupon > 0.0 and _can_spend(lv, s, coupon):
        price = max(price - coupon, 0.0)
        _spend(lv, s, out_h, h, coupon)
        s.coupon_disc[i] = 0.0
    s.spend[i] += price
    s.n_purchases[i] += 1
    s.last_buy[i] = h
    out_h[H_PURCHASES, h] += 1
    out_h[H_GMV, h] += price
    if s.stage[i] < ACTION:
        s.stage[i] = ACTION
    # post-purchase experience from the product's quality
    if rng.random() < lv.quality:
        s.satisfaction[i] += c.pleased_sat
        s.sentiment[i] = min(1.0, s.sentiment[i] + 0.1)
        s.stage[i] = SHARE if rng.random() < c.pleased_share else SATISFIED
    else:
        s.complain_urge[i] += c.disappointed_urge
        s.sentiment[i] = max(-1.0, s.sentiment[i] - 0.2)


@_hot
def _can_spend(lv, s, yuan):
    return s.group[G_COST] + yuan <= lv.budget


@_hot
def _spend(lv, s, out_h, h, yuan):
    s.group[G_COST] += yuan
    out_h[H_COST, h] += yuan


@_hot
def _effective_discount(s, i, h, sale_discount):
    d = sale_discount
    if h < 24:
        d = max(d, s.early_disc[i])
    return d


@_hot
def _event(c, lv, s, traits, rng, out_h, h, kind, a, b, eid, ring, ring_n):
    """Phase 1: one calendar event."""
    n_ever = int(s.group[G_N_EVER])
    nov = s.novelty[kind]
    s.novelty[kind] *= 1.0 - c.novelty_decay
    if kind == RED_PACKET or kind == LUCKY_DRAW:
        if not _can_spend(lv, s, a):
            return
        grabs = 0
        start = int(rng.random() * max(n_ever, 1))
        for k in range(n_ever):
            i = s.ever[(start + k) % n_ever]
            if not _is_member(s, i):
                continue
            s.last_reason[i] = h
            # M5: the numb stop bothering to grab, and stop saying thanks
            numb = math.exp(-s.habituation[i])
            see = _open_chance(c, s, i, h) * (0.5 + 0.5 * s.money_sens[i]) * (0.3 + 0.7 * numb)
            if grabs < b and rng.random() < see:
                grabs += 1
                _money_exposure(c, s, i, a / b)
                if rng.random() < c.thanks_share * numb:
                    out_h[H_PROMPTED, h] += 1
                    out_h[H_REAL, h] += 1
                    s.n_prompted[i] += 1
        _spend(lv, s, out_h, h, a * min(grabs, b) / b if kind == RED_PACKET else a)
    elif kind == CHECKIN:
        for k in range(n_ever):
            i = s.ever[k]
            if not _is_member(s, i):
                continue
            pull = 0.3 * nov * (s.intrinsic[i] + s.paid[i])
            if a > 0.0:
                pull += 0.5 * s.money_sens[i] * math.exp(-s.habituation[i])
            if rng.random() < min(pull, 1.0) * _open_chance(c, s, i, h):
                if a > 0.0:
                    if not _can_spend(lv, s, a):
                        continue
                    _spend(lv, s, out_h, h, a)
                    _money_exposure(c, s, i, a)
                out_h[H_PROMPTED, h] += 1
                out_h[H_REAL, h] += 1
                s.n_prompted[i] += 1
    elif kind == COUPON:
        for k in range(n_ever):
            i = s.ever[k]
            if _is_member(s, i) and rng.random() < _open_chance(c, s, i, h):
                s.coupon_disc[i] = a
                s.coupon_until[i] = h + b
                s.habituation[i] += 0.5 * c.hab_gain
    elif kind == FLASH_SALE:
        stock = b
        for k in range(n_ever):
            i = s.ever[k]
            if not _is_member(s, i):
                continue
            s.last_reason[i] = h
            if stock <= 0:
                continue
            if rng.random() < _open_chance(c, s, i, h):
                d = _effective_discount(s, i, h, a)
                if s.coupon_until[i] >= h:
                    d += s.coupon_disc[i]
                if rng.random() < _buy_chance(c, lv, s, traits, i, d, h):
                    _purchase(c, lv, s, rng, out_h, i, h, _effective_discount(s, i, h, a))
                    stock -= 1
                if a > 0.0:
                    s.habituation[i] += 0.5 * c.hab_gain
    elif kind == JIELONG:
        s.group[G_JL_UNTIL] = h + b
        s.group[G_JL_DISC] = a
        s.group[G_JL_N] = 0.0
        s.group[G_SALE_ID] = eid
        for k in range(n_ever):
            i = s.ever[k]
            if _is_member(s, i):
                s.last_reason[i] = h
    elif kind == DAILY_REPORT or kind == NOTICE:
        for k in range(n_ever):
            i = s.ever[k]
            if not _is_member(s, i):
                continue
            s.last_reason[i] = h
            if kind == NOTICE:
                s.annoy_day[i] += c.notice_annoy
        out_h[H_HOST, h] += 1  # the report or the @all notice is a host post
        if kind == DAILY_REPORT:
            _host_value_read(c, lv, s, h, 1.0)
    elif kind == TOPIC:
        out_h[H_HOST, h] += 1
        s.group[G_BOOST] += c.topic_pull * nov
    elif kind == LECTURE_GUEST or kind == LECTURE_NATIVE:
        s.group[G_BOOST] += c.lecture_pull * nov
        value = c.lecture_value_guest if kind == LECTURE_GUEST else c.lecture_value_native
        if kind == LECTURE_GUEST:
            s.group[G_GUEST_LEFT] = c.guest_messages
        for k in range(n_ever):
            i = s.ever[k]
            if not _is_member(s, i):
                continue
            s.last_reason[i] = h
            if rng.random() < _open_chance(c, s, i, h):
                s.value_day[i] += value * s.interest[i]
                if kind == LECTURE_NATIVE and s.stage[i] <= INTEREST:
                    if rng.random() < c.lecture_desire * lv.ip_match:
                        s.stage[i] = DESIRE
        if kind == LECTURE_NATIVE:
            # the lecturer is a native KOL when there is one, else the host
            speaker = -1
            for k in range(n_ever):
                i = s.ever[k]
                if s.role[i] == KOL and _is_member(s, i):
                    speaker = i
                    break
            n_msgs = int(c.guest_messages)
            if speaker >= 0:
                out_h[H_REAL, h] += n_msgs
                s.n_posts[speaker] += n_msgs
                s.intrinsic[speaker] += c.kol_recognition * 5.0
                ring[ring_n[0] % RECENT] = speaker
                ring_n[0] += 1
            else:
                out_h[H_HOST, h] += n_msgs
    elif kind == MEETUP:
        # M7: offline meetups make strong ties fast among those who come
        cap = int(a)
        came = s.scratch
        n_came = 0
        start = int(rng.random() * max(n_ever, 1))
        for k in range(n_ever):
            i = s.ever[(start + k) % n_ever]
            if n_came >= cap:
                break
            if _is_member(s, i) and s.status[i] == IN:
                if rng.random() < 0.3 * (1.0 + s.satisfaction[i]) * s.interest[i]:
                    came[n_came] = i
                    n_came += 1
        for x in range(n_came):
            i = came[x]
            s.value_day[i] += 0.2
            s.sentiment[i] = min(1.0, s.sentiment[i] + 0.2)
            s.trust[i] += 0.1 * (1.0 - s.trust[i])
            for y in range(x + 1, n_came):
                j = came[y]
                t = s.tie[i, j] + c.tie_meetup * (1.0 - s.tie[i, j])
                s.tie[i, j] = t
                s.tie[j, i] = t
    elif kind == CLEANUP:
        for k in range(n_ever):
            i = s.ever[k]
            if _is_member(s, i) and h - s.last_post[i] > a * 24.0:
                _leave(s, out_h, i, h, True)


@_hot
def _host_value_read(c, lv, s, h, weight):
    """Members who open the group take value from a host post and trust the host a bit more."""
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        if not _is_member(s, i):
            continue
        r = _open_chance(c, s, i, h) * weight
        s.info_day[i] += r
        s.trust[i] += r * c.trust_value_gain * (0.5 + 0.5 * lv.ip_match) * (1.0 - s.trust[i])


@_hot
def _invite_and_join(c, lv, s, traits, rng, out_h, h, hour_weight):
    """Phase 2: referral invites (M13), QR influx (M10/M16)."""
    n_ever = int(s.group[G_N_EVER])
    cap = lv.platform_cap
    n_members = int(s.group[G_MEMBERS])
    reward_ok = _can_spend(lv, s, lv.reward_referrer + lv.reward_referee)
    urgency = 0.0
    for k in range(lv.early_hours.shape[0]):
        if h < lv.early_hours[k]:
            urgency = max(urgency, lv.early_discs[k])
    urgency = 1.0 + c.urgency * urgency
    total = s.group[G_SHARE_TOTAL]
    n_shares = _poisson(rng, total * urgency * hour_weight / 24.0) if total > 0.0 else 0
    for _ in range(n_shares):
        # the sharer, drawn in proportion to their share weight
        u = rng.random() * total
        i = s.ever[n_ever - 1]
        for k in range(n_ever):
            u -= s.share_w[s.ever[k]]
            if u < 0.0:
                i = s.ever[k]
                break
        if not _is_member(s, i):
            continue
        # a share (forward, 朋友圈 post) reaches every friend still outside
        for x in range(s.friend_ptr[i], s.friend_ptr[i + 1]):
            j = s.friend_idx[x]
            if s.status[j] != OUT or n_members >= cap:
                continue
            if rng.random() < join_chance(c, lv, s, j, h, lv.reward_referee if reward_ok else 0.0):
                _join(c, lv, s, traits, out_h, j, h, i)
                n_members += 1
                if reward_ok and (lv.reward_referrer + lv.reward_referee) > 0.0:
                    _spend(lv, s, out_h, h, lv.reward_referrer + lv.reward_referee)
                    s.value_day[i] += c.value_money * lv.reward_referrer * s.money_sens[i]
                    reward_ok = _can_spend(lv, s, lv.reward_referrer + lv.reward_referee)
    # QR influx: strangers scanning a posted code; some come to advertise
    n_arrive = _poisson(rng, lv.qr_influx * hour_weight / 24.0) if lv.qr_influx > 0 else 0
    for _ in range(n_arrive):
        if rng.random() < lv.influx_spam:
            j = int(s.group[G_NEXT_SPAM])
            if j >= lv.spam_hi:
                continue
            s.group[G_NEXT_SPAM] += 1
        else:
            if lv.pool_hi == lv.pool_lo or n_members >= cap:
                continue
            j = lv.pool_lo + int(rng.random() * (lv.pool_hi - lv.pool_lo))
            if s.status[j] != OUT:
                continue
        if rng.random() < _filter(c, lv, s, j):
            _join(c, lv, s, traits, out_h, j, h, -1)
            if s.role[j] != SPAMMER:
                n_members += 1


@_hot
def host_feed(c, lv, s, traits, rng, out_h, h):
    """M13/M15: the host's own feed (朋友圈) reaches part of the pool once a day."""
    n_members = int(s.group[G_MEMBERS])
    for j in range(lv.pool_lo, lv.pool_hi):
        if n_members >= lv.platform_cap:
            break
        if s.status[j] != OUT or rng.random() >= c.feed_reach * (0.5 + lv.ip_strength):
            continue
        if rng.random() < join_chance(c, lv, s, j, h, 0.0):
            _join(c, lv, s, traits, out_h, j, h, -1)
            n_members += 1


@_hot
def _add_tie(c, s, traits, i, j, strength):
    if i == j or j < 0:
        return
    w = strength * max(traits[s.role[i], T_TIE], traits[s.role[j], T_TIE])
    if s.segment[i] == s.segment[j]:
        w *= c.tie_homophily
    t = s.tie[i, j] + w * (1.0 - s.tie[i, j])
    s.tie[i, j] = t
    s.tie[j, i] = t


@_hot
def _reply(c, s, traits, rng, i, ring, ring_n):
    """M7/M14: a reply ties two members; a friend of the one replied to may close a triangle."""
    n = min(ring_n[0], RECENT)
    if n == 0:
        return
    j = ring[int(rng.random() * n)]
    if j == i or j < 0:
        return
    _add_tie(c, s, traits, i, j, c.tie_reply)
    if s.role[j] == KOL:
        s.intrinsic[j] = min(s.intrinsic[j] + c.kol_recognition, 3.0)
    # triadic closure through one of j's ties
    n_ever = int(s.group[G_N_EVER])
    best = -1
    seen = 0
    for k in range(n_ever):
        m = s.ever[k]
        if m != i and m != j and s.tie[j, m] > 0.3 and _is_member(s, m):
            seen += 1
            if rng.random() * seen < 1.0:
                best = m
    if best >= 0:
        _add_tie(c, s, traits, i, best, c.tie_triad * c.tie_reply)


@_hot
def _post_chance(c, lv, s, traits, i, social, boost, chill, hour_weight):
    """M1/M5/M8/M18: a member posts if motive × social proof × salience × the hour say so."""
    role = s.role[i]
    motive = s.intrinsic[i] + s.paid[i] + lv.points * c.points_motive
    motive *= min(max(1.0 + 2.0 * s.satisfaction[i], 0.2), 2.0)
    if role == COMPLAINER and s.satisfaction[i] < c.complain_below:
        motive *= c.complain_rate
    p = c.post_rate * traits[role, T_POST] * (motive + s.complain_urge[i]) * social * (1.0 + boost) * chill
    p *= hour_weight
    return p * s.open_now[i] * (c.muted_post / c.muted_read if s.status[i] == MUTED else 1.0)


@_hot
def _post(c, s, traits, rng, out_h, i, h, ring, ring_n, complaints, n_complaints):
    """Phase 3, rare path: a member posts; a complaint, a reply, or plain talk."""
    s.n_posts[i] += 1
    s.last_post[i] = h
    s.posted_day[i] = h // 24
    out_h[H_REAL, h] += 1
    unhappy = c.complain_below - s.satisfaction[i]
    urge = s.complain_urge[i]
    complain_w = traits[s.role[i], T_COMPLAIN] * min(unhappy * 5.0, 1.0) if unhappy > 0.0 else 0.0
    if rng.random() < min(complain_w + urge, 1.0):
        out_h[H_COMPLAINT, h] += 1
        s.complain_urge[i] = max(urge - 1.0, 0.0)
        if n_complaints[0] < complaints.shape[0]:
            complaints[n_complaints[0]] = i
            n_complaints[0] += 1
    elif rng.random() < c.reply_share:
        _reply(c, s, traits, rng, i, ring, ring_n)
    ring[ring_n[0] % RECENT] = i
    ring_n[0] += 1


@_hot
def _jielong_entry(c, lv, s, traits, rng, out_h, i, h):
    """M12: an open 接龙 draws entries, more as it grows; each is an order and a message."""
    proof = 1.0 + c.jielong_proof * math.log1p(s.group[G_JL_N])
    hours = max(s.group[G_JL_UNTIL] - h, 1.0)
    d = _effective_discount(s, i, h, s.group[G_JL_DISC])
    q = _buy_chance(c, lv, s, traits, i, d, h) * proof * s.open_now[i] / hours * 3.0
    if rng.random() < min(q, 1.0):
        s.event_mark[i] = int(s.group[G_SALE_ID])
        s.group[G_JL_N] += 1
        s.n_entries[i] += 1
        s.last_post[i] = h
        s.posted_day[i] = h // 24
        out_h[H_REAL, h] += 1
        _purchase(c, lv, s, rng, out_h, i, h, d)


@_hot
def _read(c, lv, s, traits, rng, out_h, h, complaints, n_complaints, answered, n_product,
          n_value):
    """Phase 4: members who open the group read this hour's messages."""
    real = out_h[H_REAL, h]
    n_msgs = real + out_h[H_HOST, h] + out_h[H_SHILL, h] + out_h[H_SPAM, h] + out_h[H_GUEST, h]
    if n_msgs == 0:
        return
    low_value = out_h[H_PROMPTED, h] + out_h[H_SHILL, h] + out_h[H_SPAM, h]
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        if not _is_member(s, i):
            continue
        if s.status[i] == IN:
            s.last_reason[i] = h  # an unmuted group pings with every message (M18)
        r = s.open_now[i]
        if r <= 0.0:
            continue
        s.read_day[i] += r * low_value
        s.talk_day[i] += r * (real - out_h[H_PROMPTED, h])
        s.info_day[i] += r * n_value
        s.deal_day[i] += r * n_product
        trust = s.trust[i]
        fit = trust * lv.ip_match
        s.annoy_day[i] += r * n_product * c.annoy_product * (1.0 - fit)
        s.annoy_day[i] += r * out_h[H_SPAM, h] * c.annoy_spam
        if n_product > 0 and trust < c.sell_trust:
            s.trust[i] -= r * n_product * c.trust_hard_sell * (1.0 - lv.ip_match * 0.5)
        if n_value > 0:
            s.trust[i] += r * n_value * c.trust_value_gain * (0.5 + 0.5 * lv.ip_match) * (1.0 - trust)
        # M8: complaints pull sentiment down, more from people one is tied to; answers help
        for x in range(n_complaints):
            a = complaints[x]
            w = 1.0 + c.tie_weight * s.tie[i, a]
            pull = c.sentiment_pull * w * r * (0.5 if answered[x] else 1.0)
            s.sentiment[i] = max(-1.0, s.sentiment[i] - pull)
            if answered[x]:
                s.trust[i] += r * c.trust_answer_gain * (1.0 - s.trust[i])
            else:
                s.trust[i] -= r * c.trust_silence_loss * s.trust[i]
        s.trust[i] = min(max(s.trust[i], 0.0), 1.0)
        # M12: value content builds interest; product content from a trusted, fitting host desire
        st = s.stage[i]
        if st == ATTENTION and n_value + real > 0:
            if rng.random() < c.stage_up * r * (n_value + 0.2 * real):
                s.stage[i] = INTEREST
        elif st == INTEREST and n_product > 0:
            if rng.random() < c.desire_up * fit * r * n_product:
                s.stage[i] = DESIRE
        if n_product > 0 and s.stage[i] >= DESIRE:
            d = s.coupon_disc[i] if s.coupon_until[i] >= h else 0.0
            if rng.random() < r * c.post_buy * _buy_chance(c, lv, s, traits, i, d, h):
                _purchase(c, lv, s, rng, out_h, i, h, 0.0)


@_hot
def _end_of_day(c, lv, s, traits, rng, out_h, out_d, day):
    """Phase 5: once a day."""
    n_ever = int(s.group[G_N_EVER])
    h = day * 24 + 23
    hab_keep = math.exp(-1.0 / c.hab_recovery_days)
    paid_keep = math.exp(-1.0 / c.paid_decay_days)
    tie_keep = math.exp(-1.0 / c.tie_decay_days)
    alpha = 1.0 / c.sat_memory_days
    real_day = s.group[G_REAL_DAY]
    shill_day = s.group[G_SHILL_DAY]
    total = real_day + shill_day
    share = shill_day / total if total > 0 else 0.0
    s.group[G_SHILL_SHARE] = 0.7 * s.group[G_SHILL_SHARE] + 0.3 * share
    # ties: decay, count, and belonging value
    for x in range(n_ever):
        i = s.ever[x]
        s.n_ties[i] = 0
    for x in range(n_ever):
        i = s.ever[x]
        mi = _is_member(s, i)
        for y in range(x + 1, n_ever):
            j = s.ever[y]
            t = s.tie[i, j]
            if t == 0.0:
                continue
            t *= tie_keep
            s.tie[i, j] = t
            s.tie[j, i] = t
            if t >= c.tie_strong and mi and _is_member(s, j):
                s.n_ties[i] += 1
                s.n_ties[j] += 1
    n_members = 0
    n_muted = 0
    n_two = 0
    trust_sum = 0.0
    sat_sum = 0.0
    sent_sum = 0.0
    n_posters = 0
    for x in range(n_ever):
        i = s.ever[x]
        role = s.role[i]
        if role == SPAMMER:
            if s.status[i] == IN and s.first_ad[i] >= 0 and h - s.first_ad[i] >= lv.mod_delay:
                # M10: moderation removes spammers after a delay, as strictly as rules say
                if rng.random() < 1.0 - (1.0 - lv.strictness) ** 24:
                    s.status[i] = REMOVED
            continue
        if not _is_member(s, i):
            continue
        # M2: satisfaction is a moving average of the day's value minus annoyance
        over = s.read_day[i] - s.tolerance[i]
        annoy = s.annoy_day[i] + (c.overload_annoy * over if over > 0 else 0.0)
        fit = s.trust[i] * lv.ip_match
        taste = 0.5 + s.interest[i]
        today = c.sat_base + s.value_day[i] - annoy + c.value_tie * min(s.n_ties[i], 5)
        today += c.value_info * taste * (1.0 - math.exp(-s.info_day[i] / c.info_half))
        today += c.value_talk * lv.topic_value * taste * (1.0 - math.exp(-s.talk_day[i] / c.talk_half))
        today += c.value_deal * fit * (1.0 - math.exp(-s.deal_day[i] / c.deal_half))
        today += c.sentiment_to_sat * s.sentiment[i]
        s.satisfaction[i] += alpha * (today - s.satisfaction[i])
        s.value_day[i] = 0.0
        s.annoy_day[i] = 0.0
        s.read_day[i] = 0.0
        s.info_day[i] = 0.0
        s.talk_day[i] = 0.0
        s.deal_day[i] = 0.0
        if s.stage[i] == DESIRE and rng.random() < 1.0 / c.desire_fade_days:
            s.stage[i] = INTEREST
        s.sentiment[i] *= 0.97
        s.habituation[i] *= hab_keep
        s.paid[i] *= paid_keep
        s.complain_urge[i] *= 0.7
        if role == KOL:
            s.intrinsic[i] = max(s.intrinsic[i] * 0.97, 0.3)
        protect = c.two_ties_protect if s.n_ties[i] >= 2 else 1.0
        sat = s.satisfaction[i]
        leave = c.leave_hazard * (c.leave_below - sat) / 0.2 if sat < c.leave_below else 0.0
        if s.status[i] == MUTED and sat < c.mute_below:
            leave = max(leave, c.muted_leave_hazard)
        if rng.random() < protect * leave:
            _leave(s, out_h, i, h, False)
            continue
        if s.status[i] == IN and sat < c.mute_below:
            if rng.random() < c.mute_hazard * (c.mute_below - sat) / 0.2:
                s.status[i] = MUTED
                s.muted_hour[i] = h
        # M9: shills are noticed more as their share of messages and time in group grow
        if s.noticed[i] == 0 and lv.n_shills > 0:
            weeks = (h - s.join_hour[i]) / 168.0
            if rng.random() < c.shill_notice * s.group[G_SHILL_SHARE] * weeks:
                s.noticed[i] = 1
                s.trust[i] *= 1.0 - c.trust_shill_loss
                s.sentiment[i] = max(-1.0, s.sentiment[i] - 0.2)
        # M10: a dissatisfied member who stays may start posting ads
        if sat < c.mute_below and rng.random() < c.defect_hazard * (1.0 - lv.strictness):
            s.group[G_MEMBERS] -= 1
            out_h[H_LEAVES, h] += 1  # no longer a member, though still in the group
            s.group[G_SHARE_TOTAL] -= s.share_w[i]
            s.share_w[i] = 0.0
            s.role[i] = SPAMMER
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
        sat_sum += s.satisfaction[i]
        sent_sum += s.sentiment[i]
        if s.posted_day[i] == day:
            n_posters += 1
    out_d[D_MEMBERS, day] = n_members
    out_d[D_MUTED, day] = n_muted
    out_d[D_UNPROMPTED_POSTERS, day] = n_posters
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
    # when a group is dead: 14 quiet days in a row (MODEL.md)
    quiet = n_posters < max(3.0, 0.03 * n_members) or n_members == 0
    out_d[D_QUIET, day] = 1.0 if quiet else 0.0
    if quiet:
        s.group[G_QUIET_RUN] += 1
        if s.group[G_QUIET_RUN] >= 14 and s.group[G_DEAD_DAY] < 0:
            s.group[G_DEAD_DAY] = day - 13
    else:
        s.group[G_QUIET_RUN] = 0
    s.group[G_REAL_DAY] = 0.0
    s.group[G_SHILL_DAY] = 0.0


@_hot
def run_hours(c, lv, s, ev, traits, rhythm, rng, out_h, out_d, h_start, h_end):
    """Play hours [h_start, h_end) for every account. The core of the engine."""
    ring = s.recent
    ring_n = s.recent_n
    complaints = s.complaints
    answered = s.answered
    n_complaints = s.n_complaints
    mem_keep = math.exp(-1.0 / c.social_memory_hours)
    boost_keep = math.exp(-1.0 / 2.0)
    chill = 1.0 - c.chill * lv.strictness * lv.strictness
    for h in range(h_start, h_end):
        hd = h % 24
        day = h // 24
        w = rhythm[hd]
        # 1. calendar events
        e = int(s.group[G_NEXT_EVENT])
        while e < ev.hour.shape[0] and ev.hour[e] <= h:
            if ev.hour[e] == h:
                _event(c, lv, s, traits, rng, out_h, h, ev.kind[e], ev.a[e], ev.b[e], e, ring, ring_n)
            e += 1
        s.group[G_NEXT_EVENT] = e
        # 2. joins
        _invite_and_join(c, lv, s, traits, rng, out_h, h, w)
        if hd == 21:
            host_feed(c, lv, s, traits, rng, out_h, h)
        # 3. posting
        sd = s.group[G_SOCIAL] * 24.0 / c.social_memory_hours  # conversation per day
        social = c.social_floor + (1.0 - c.social_floor) * sd * sd / (sd * sd + c.social_half ** 2)
        boost = s.group[G_BOOST] + c.opening_burst * math.exp(-h / 36.0)
        n_product = 0.0
        n_value = 0.0
        host_on = lv.company == 0 or (9 <= hd <= 18)
        if host_on and lv.capacity > 0:
            hw = w if lv.company == 0 else 24.0 / 10.0
            n_host = _poisson(rng, lv.capacity * hw / 24.0)
            for _ in range(n_host):
                u = rng.random()
                if u < lv.product_share:
                    n_product += 1
                elif u < lv.product_share + lv.interaction_share:
                    s.group[G_BOOST] += 0.3
                else:
                    n_value += 1
            out_h[H_HOST, h] += n_host
        n_complaints[0] = 0
        n_ever = int(s.group[G_N_EVER])
        jielong_until = s.group[G_JL_UNTIL]
        jielong_id = int(s.group[G_SALE_ID])
        shill_on = lv.shills_rest == 0 or s.group[G_REAL_DAY] < c.shill_rest_above
        for k in range(n_ever):
            i = s.ever[k]
            st = s.status[i]
            if st != IN and st != MUTED:
                continue
            role = s.role[i]
            if role == SHILL:
                if shill_on and rng.random() < c.shill_rate * w * min(1.0, 0.2 + hd / 24.0):
                    out_h[H_SHILL, h] += 1
                    s.group[G_SHILL_DAY] += 1
                    ring[ring_n[0] % RECENT] = -1
                    ring_n[0] += 1
            elif role == SPAMMER:
                if rng.random() < c.spam_rate * w / 24.0 * 4.0:
                    out_h[H_SPAM, h] += 1
                    if s.first_ad[i] < 0:
                        s.first_ad[i] = h
            else:
                s.open_now[i] = _open_chance(c, s, i, h)
                if rng.random() < _post_chance(c, lv, s, traits, i, social, boost, chill, w):
                    _post(c, s, traits, rng, out_h, i, h, ring, ring_n, complaints, n_complaints)
                if h < jielong_until and s.event_mark[i] != jielong_id:
                    _jielong_entry(c, lv, s, traits, rng, out_h, i, h)
        if s.group[G_GUEST_LEFT] > 0:
            g = min(s.group[G_GUEST_LEFT], c.guest_messages / 2.0)
            out_h[H_GUEST, h] += g
            n_value += 0.25 * g
            s.group[G_GUEST_LEFT] -= g
        for x in range(n_complaints[0]):
            resp = lv.responsiveness
            if lv.company == 1 and not (9 <= hd <= 18):
                resp = 0.0
            answered[x] = rng.random() < max(resp, lv.auto_answer)
        # 4. reading
        _read(c, lv, s, traits, rng, out_h, h, complaints, n_complaints[0], answered, n_product,
              n_value)
        conversation = out_h[H_REAL, h] - out_h[H_PROMPTED, h] + out_h[H_SHILL, h]
        conversation += 0.3 * (out_h[H_HOST, h] + out_h[H_GUEST, h])
        s.group[G_SOCIAL] = s.group[G_SOCIAL] * mem_keep + conversation
        s.group[G_REAL_DAY] += out_h[H_REAL, h] - out_h[H_PROMPTED, h]
        s.group[G_BOOST] *= boost_keep
        n_members = int(s.group[G_MEMBERS])
        out_h[H_MEMBERS, h] = n_members
        s.group[G_PEAK] = max(s.group[G_PEAK], n_members)
        # 5. end of day
        if hd == 23:
            _end_of_day(c, lv, s, traits, rng, out_h, out_d, day)
            refresh_share_weights(c, lv, s, traits)
