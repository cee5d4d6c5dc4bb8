"""The hourly interaction kernel: all members, any number of hours, one numba call.

Phase order of one hour (the only place it is written):
  1. calendar events firing this hour, one handler per kind (money, sales, 接龙, content,
     meetups, cleanup)                                                               M5 M12 M14 M16 M17 M19
  2. joins: referral invites, the host's feed, QR influx, through the threshold        M13 M15 M16 M10
  3. posting: host, members (voice × motive × social proof × salience), shills,
     spammers, replies and ties, complaints and their answers, 接龙 entries          M1 M3 M7 M8 M9 M10 M14 M21
  4. reading: value, annoyance, sentiment, trust, funnel and product purchases          M2 M3 M4 M6 M8 M11 M12 M19
  5. at the day's last hour: satisfaction, mute and leave (everyday churn, overload,
     dissatisfaction), habituation and motives, tie decay and counts, shill noticing,
     defection to ads, moderation, metrics, quiet days and death                     M2 M5 M7 M9 M10 M11 M20

Hot loops live here, over arrays; `sim.model` only prepares arrays and reads results.

Random numbers are counter-based: every draw is a hash of (run key, purpose, account, hour),
so a replicate's luck stays with the same people and moments when a lever changes, and two
plans run on the same seed differ by their levers, not by shifted random streams. The run key
is drawn from the model's numpy Generator, so a seed fixes a run.

Every code the kernels compare against (status, funnel stage, calendar kind, trait column,
random purpose) is defined in this module: numba's cache only notices changes to the file of
the function it compiles.
"""

import math

import numba
import numpy as np

RECENT = 24  # recent posters remembered for replies
NEVER = 1e18  # an hour that never comes
# MODEL.md "When a group is dead": a day is quiet when fewer than max(3, 3% of members) members
# post an unprompted message; a group is dead from the first of 14 quiet days in a row
QUIET_MIN_POSTERS, QUIET_SHARE, DEAD_AFTER_QUIET_DAYS = 3.0, 0.03, 14

# account status
OUT, IN, MUTED, LEFT, REMOVED = range(5)
STATUS_NAMES = ("candidate", "in", "muted", "left", "removed")
# roles (agents.ROLES order); behaviour is read from the trait table, not from these codes
REGULAR, LURKER, KOL, CONNECTOR, SHILL, COMPLAINER, SPAMMER = range(7)
# funnel stages (AIDASS)
ATTENTION, INTEREST, DESIRE, ACTION, SATISFIED, SHARE = range(6)

# calendar kinds, one handler each (see `_event`); scenarios.schema's items name the same kinds
KINDS = (
    "red_packet", "lucky_draw", "checkin", "coupon", "flash_sale", "jielong", "daily_report",
    "topic", "lecture", "meetup", "notice", "cleanup",
)
(RED_PACKET, LUCKY_DRAW, CHECKIN, COUPON, FLASH_SALE, JIELONG, DAILY_REPORT, TOPIC, LECTURE,
 MEETUP, NOTICE, CLEANUP) = range(len(KINDS))

# trait table columns (agents: each role's behaviour as data)
TRAITS = (
    "post",  # multiplier on the shared posting rate
    "buy",  # multiplier on the purchase chance
    "share",  # multiplier on invitations sent
    "tie",  # multiplier on tie formation
    "complain",  # share of an unhappy member's posts that are complaints
    "unhappy_post",  # posting multiplier when dissatisfied (complainers speak up)
    "recognition",  # multiplier on the motive gained per reply received (M14, M21)
    "motive_floor",  # the unpaid motive never falls below this (native KOLs live in the group)
    "member",  # 1: a real member in the counts; 0: shill or spammer
    "scripted",  # 1: posts on the operator's script (shill)
    "advertiser",  # 1: posts ads (spammer)
    "lecturer",  # 1: gives native lectures when there is one
)
(T_POST, T_BUY, T_SHARE, T_TIE, T_COMPLAIN, T_UNHAPPY_POST, T_RECOGNITION, T_MOTIVE_FLOOR,
 T_MEMBER, T_SCRIPTED, T_ADVERTISER, T_LECTURER) = range(len(TRAITS))

# group-level scalars (State.group)
GROUP_FIELDS = (
    "social", "boost", "quiet_run", "dead_day", "cost", "sale_id", "jl_until", "jl_disc",
    "jl_n", "shill_share", "n_ever", "peak", "referral_joins", "next_spam", "next_event",
    "guest_left", "real_day", "shill_day", "members", "share_total", "budget_out_hour",
    "skipped_money",
)
(G_SOCIAL, G_BOOST, G_QUIET_RUN, G_DEAD_DAY, G_COST, G_SALE_ID, G_JL_UNTIL, G_JL_DISC, G_JL_N,
 G_SHILL_SHARE, G_N_EVER, G_PEAK, G_REFERRAL_JOINS, G_NEXT_SPAM, G_NEXT_EVENT, G_GUEST_LEFT,
 G_REAL_DAY, G_SHILL_DAY, G_MEMBERS, G_SHARE_TOTAL, G_BUDGET_OUT_HOUR,
 G_SKIPPED_MONEY) = range(len(GROUP_FIELDS))

# hourly output rows (out_h) with their column names in the hourly and daily tables
HOURLY = (
    "members", "joins", "leaves", "real_messages", "prompted_messages", "jielong_entries",
    "host_messages", "shill_messages", "spam_messages", "complaint_messages", "guest_messages",
    "purchases", "gmv", "incentive_cost", "referral_joins",
)
(H_MEMBERS, H_JOINS, H_LEAVES, H_REAL, H_PROMPTED, H_ENTRIES, H_HOST, H_SHILL, H_SPAM,
 H_COMPLAINT, H_GUEST, H_PURCHASES, H_GMV, H_COST, H_REFERRAL) = range(len(HOURLY))
# daily output rows (out_d) that are not sums of hourly ones, with their column names
DAILY = (
    "members", "muted", "active_posters", "weekly_posters", "mean_trust", "mean_satisfaction",
    "mean_sentiment", "share_two_ties", "quiet",
)
(D_MEMBERS, D_MUTED, D_ACTIVE, D_WEEKLY_POSTERS, D_TRUST, D_SAT, D_SENT, D_TWO_TIES,
 D_QUIET) = range(len(DAILY))

# purposes of random draws: each its own stream (see `_rand`)
(R_HOST_POSTS, R_HOST_KIND, R_SHILL, R_SPAM, R_POST, R_BURST, R_COMPLAIN, R_REPLY, R_REPLY_TO,
 R_TRIAD, R_ANSWER, R_ENTRY, R_QUALITY, R_PLEASED_SHARE, R_STAGE, R_POST_BUY, R_GRAB_START,
 R_GRAB, R_THANKS, R_CHECKIN, R_COUPON, R_SALE_SEE, R_SALE_BUY, R_LECTURE_SEE, R_LECTURE_DESIRE,
 R_MEET_START, R_MEET, R_SHARE, R_JOIN, R_N_ARRIVE, R_ARRIVE_SPAM, R_ARRIVE_WHO,
 R_ARRIVE_FILTER, R_FEED_SEE, R_FEED_JOIN, R_MODERATE, R_DESIRE_FADE, R_LEAVE, R_MUTE, R_NOTICE,
 R_DEFECT, R_INTRO) = range(42)


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
def homophilous_segments(ptr, idx, n_segments, homophily, rng):
    """Segments over the friendship graph, walked breadth first: a node takes the segment of a
    friend already placed with chance `homophily`, else a random one."""
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
            if n_placed > 0 and rng.random() < homophily:
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




# ---- random numbers -------------------------------------------------------------------------
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)


@_hot
def _mix(x):
    """splitmix64's finaliser: a bijective scramble of 64 bits."""
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


@_hot
def _rand(lv, purpose, a, b):
    """A uniform in [0, 1) for (run key, purpose, a, b): usually a = account, b = hour."""
    x = _mix(np.uint64(lv.key) + np.uint64(purpose + 1) * _GOLDEN)
    x = _mix(x + np.uint64(a + 2) * _GOLDEN)
    x = _mix(x + np.uint64(b + 2) * _GOLDEN)
    return float(x >> _S11) * (1.0 / 9007199254740992.0)


@_hot
def _poisson(lv, purpose, a, b, lam):
    """Poisson draw by inversion, in chunks of at most 30 (a sum of Poissons is Poisson)."""
    k = 0
    chunk = 0
    while lam > 0.0:
        part = min(lam, 30.0)
        lam -= part
        p = math.exp(-part)
        cdf = p
        u = _rand(lv, purpose, a * 64 + chunk, b)
        n = 0
        while u > cdf and p > 0.0:
            n += 1
            p *= part / n
            cdf += p
        k += n
        chunk += 1
    return k


# ---- members --------------------------------------------------------------------------------
@_hot
def _is_member(s, traits, i):
    st = s.status[i]
    return (st == IN or st == MUTED) and traits[s.role[i], T_MEMBER] > 0.0


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
def _say(s, out_h, i, h, n):
    """`n` conversation messages by member i (M21: talk comes in exchanges)."""
    s.n_posts[i] += n
    s.last_post[i] = h
    s.posted_day[i] = h // 24
    s.conv_day[i] = h // 24
    out_h[H_REAL, h] += n


@_hot
def _say_prompted(s, out_h, i, h):
    """A message money or a prompt asked for: thanks, a paid check-in."""
    s.n_prompted[i] += 1
    out_h[H_PROMPTED, h] += 1
    out_h[H_REAL, h] += 1


# ---- money ----------------------------------------------------------------------------------
@_hot
def _can_spend(lv, s, h, yuan):
    """Whether the budget covers `yuan`; the first refusal marks the hour the money ran out."""
    if s.group[G_COST] + yuan <= lv.budget:
        return True
    if s.group[G_BUDGET_OUT_HOUR] < 0:
        s.group[G_BUDGET_OUT_HOUR] = h
    return False


@_hot
def _spend(s, out_h, h, yuan):
    s.group[G_COST] += yuan
    out_h[H_COST, h] += yuan


@_hot
def _money_exposure(c, s, i, yuan):
    """M5: a money incentive's pull decays with habituation; it erodes the unpaid motive."""
    response = math.exp(-s.habituation[i])
    s.paid[i] += c.paid_gain * s.money_sens[i] * response
    s.habituation[i] += c.hab_gain
    s.intrinsic[i] *= 1.0 - c.erosion
    s.value_day[i] += c.value_money_per_yuan * yuan * s.money_sens[i] * response


# ---- demand and purchases (M3 M4 M12 M19) ---------------------------------------------------
@_hot
def _list_price(lv, s, i, h, sale_discount):
    """The price before coupons: the best of the sale's and the member's early-join discount."""
    d = sale_discount
    if h < 24:
        d = max(d, s.early_disc[i])
    return lv.price * (1.0 - d)


@_hot
def _coupon_value(lv, s, i, h, list_price):
    """Yuan a valid coupon takes off `list_price` (0 without one)."""
    if s.coupon_until[i] >= h and s.coupon_disc[i] > 0.0:
        return min(lv.price * s.coupon_disc[i], list_price)
    return 0.0


@_hot
def _price_paid(lv, s, i, h, sale_discount):
    """The price member i would pay now, coupon included (M19: discounts work through it)."""
    price = _list_price(lv, s, i, h, sale_discount)
    return price - _coupon_value(lv, s, i, h, price)


@_hot
def _buy_chance(c, lv, s, traits, i, price, h):
    """M19: a purchase needs a need and a price the member accepts; trust, the host's match
    (M3, M4) and the funnel stage (M12) scale the chance; sale fatigue lowers it."""
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
    p = c.buy_rate * traits[s.role[i], T_BUY] * w * _accept(c, lv, s, i, price)
    p *= s.trust[i] * lv.ip_match ** c.match_power * (c.taste_floor + s.interest[i])
    p *= math.exp(-s.sale_fatigue[i])
    return min(p, 1.0)


@_hot
def _accept(c, lv, s, i, price):
    """M19: the chance member i accepts `price`: 1/2 at their willingness to pay, which is
    their taste for the goods times their opinion of this seller's product."""
    willing = s.wtp[i] * s.opinion[i] * lv.reference_price
    if price <= 0.0:
        return 1.0  # free: everyone with a need takes it
    if willing <= 0.0:
        return 0.0  # a product worth nothing elsewhere is not bought at a price
    return 1.0 / (1.0 + (price / willing) ** c.price_steepness)


@_hot
def _offer_fit(lv, s, i):
    """M6: how much an offer is value rather than noise to member i: trust in a host whose
    persona fits the product, and their opinion of the product (a burned buyer's offers are noise)."""
    return s.trust[i] * lv.ip_match * s.opinion[i]


@_hot
def _purchase(c, lv, s, out_h, i, h, sale_discount):
    price = _list_price(lv, s, i, h, sale_discount)
    coupon = _coupon_value(lv, s, i, h, price)
    if coupon > 0.0:
        if _can_spend(lv, s, h, coupon):  # the operator pays for a redeemed coupon
            _spend(s, out_h, h, coupon)
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
    if _rand(lv, R_QUALITY, i, h) < lv.quality:
        s.satisfaction[i] += c.pleased_sat
        s.sentiment[i] = min(1.0, s.sentiment[i] + c.pleased_sentiment)
        s.opinion[i] += c.pleased_opinion * (1.0 - s.opinion[i])
        s.stage[i] = SHARE if _rand(lv, R_PLEASED_SHARE, i, h) < c.pleased_share else SATISFIED
    else:
        s.complain_urge[i] += c.disappointed_urge
        s.satisfaction[i] -= c.disappointed_sat
        s.sentiment[i] = max(-1.0, s.sentiment[i] - c.disappointed_sentiment)
        s.trust[i] *= 1.0 - c.disappointed_trust
        s.opinion[i] *= 1.0 - c.disappointed_opinion
        s.stage[i] = INTEREST


@_hot
def _value_trust(c, lv):
    """M3: trust a value post builds, more from a host whose persona fits the topic."""
    w = c.value_trust_match_weight
    return c.trust_value_gain * ((1.0 - w) + w * lv.ip_match)


@_hot
def _sale_seen(c, lv, s, i):
    """M6/M19: every sale a member sees tires them of sales and, unless the host is trusted
    and fits, annoys them."""
    s.sale_fatigue[i] += c.sale_fatigue_gain
    s.deal_day[i] += 1.0
    s.annoy_day[i] += c.annoy_sale * (1.0 - _offer_fit(lv, s, i))


# ---- calendar events: one handler per kind --------------------------------------------------
@_hot
def _on_money(c, lv, s, traits, out_h, h, kind, amount, count):
    """Red packet (`amount` split among `count` grabs) or lucky draw (`count` winners share
    `amount`): the numb stop bothering to grab and stop saying thanks (M5)."""
    if not _can_spend(lv, s, h, amount):
        s.group[G_SKIPPED_MONEY] += 1
        return
    n_ever = int(s.group[G_N_EVER])
    grabs = 0
    start = int(_rand(lv, R_GRAB_START, 0, h) * max(n_ever, 1))
    for k in range(n_ever):
        i = s.ever[(start + k) % n_ever]
        if not _is_member(s, traits, i):
            continue
        s.last_reason[i] = h
        numb = math.exp(-s.habituation[i])
        want = 1.0 - c.grab_money_weight * (1.0 - s.money_sens[i])
        see = _open_chance(c, s, i, h) * want * (c.grab_numb_floor + (1.0 - c.grab_numb_floor) * numb)
        if grabs < count and _rand(lv, R_GRAB, i, h) < see:
            grabs += 1
            _money_exposure(c, s, i, amount / count)
            if _rand(lv, R_THANKS, i, h) < c.thanks_share * numb:
                _say_prompted(s, out_h, i, h)
    _spend(s, out_h, h, amount * min(grabs, count) / count if kind == RED_PACKET else amount)


@_hot
def _on_checkin(c, lv, s, traits, out_h, h, reward, nov):
    """A check-in call: members with a motive (or a reward) check in; a check-in is prompted."""
    refused = False
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        if not _is_member(s, traits, i):
            continue
        pull = c.checkin_pull * nov * (s.intrinsic[i] + s.paid[i])
        if reward > 0.0:
            pull += c.checkin_reward_pull * s.money_sens[i] * math.exp(-s.habituation[i])
        if _rand(lv, R_CHECKIN, i, h) < min(pull, 1.0) * _open_chance(c, s, i, h):
            if reward > 0.0:
                if not _can_spend(lv, s, h, reward):
                    refused = True
                    continue
                _spend(s, out_h, h, reward)
                _money_exposure(c, s, i, reward)
            _say_prompted(s, out_h, i, h)
    if refused:
        s.group[G_SKIPPED_MONEY] += 1


@_hot
def _on_coupon(c, lv, s, traits, h, discount, valid_hours):
    """Coupons reach members who open the group; they are paid for when redeemed."""
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        if _is_member(s, traits, i) and _rand(lv, R_COUPON, i, h) < _open_chance(c, s, i, h):
            s.coupon_disc[i] = discount
            s.coupon_until[i] = h + valid_hours
            s.habituation[i] += c.coupon_hab_share * c.hab_gain


@_hot
def _on_flash_sale(c, lv, s, traits, out_h, h, discount, stock):
    """M12/M19: a limited stock at a discount, bought at once by those who see it."""
    left = stock
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        if not _is_member(s, traits, i):
            continue
        s.last_reason[i] = h
        if left <= 0 or _rand(lv, R_SALE_SEE, i, h) >= _open_chance(c, s, i, h):
            continue
        price = _price_paid(lv, s, i, h, discount)
        if _rand(lv, R_SALE_BUY, i, h) < _buy_chance(c, lv, s, traits, i, price, h):
            _purchase(c, lv, s, out_h, i, h, discount)
            left -= 1
        _sale_seen(c, lv, s, i)
        if discount > 0.0:
            s.habituation[i] += c.coupon_hab_share * c.hab_gain  # a discount is money too (M5)


@_hot
def _on_jielong(c, lv, s, traits, h, discount, hours_open, eid):
    """M12: a 接龙 order list opens; members add entries while it is open (phase 3)."""
    s.group[G_JL_UNTIL] = h + hours_open
    s.group[G_JL_DISC] = discount
    s.group[G_JL_N] = 0.0
    s.group[G_SALE_ID] = eid
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        if _is_member(s, traits, i):
            s.last_reason[i] = h
            if _rand(lv, R_SALE_SEE, i, h) < _open_chance(c, s, i, h):
                _sale_seen(c, lv, s, i)


@_hot
def _on_host_post(c, lv, s, traits, out_h, h, kind):
    """A daily report (value, M2) or an @all notice (brings the group back into view, M18)."""
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        if not _is_member(s, traits, i):
            continue
        s.last_reason[i] = h
        if kind == NOTICE:
            s.annoy_day[i] += c.notice_annoy
        else:
            r = _open_chance(c, s, i, h)
            s.info_day[i] += r
            s.trust[i] += r * _value_trust(c, lv) * (1.0 - s.trust[i])
    out_h[H_HOST, h] += 1


@_hot
def _on_topic(c, s, out_h, h, nov):
    """Topic of the day: the host asks, talk follows for a while (M17 novelty)."""
    out_h[H_HOST, h] += 1
    s.group[G_BOOST] += c.topic_pull * nov


@_hot
def _on_lecture(c, lv, s, traits, out_h, h, native, nov, ring, ring_n):
    """M14/M17: a lecture lifts talk while it lasts; a native one (by a KOL who lives in the
    group, else the host) leaves more value and can turn interest into desire."""
    s.group[G_BOOST] += c.lecture_pull * nov
    value = c.lecture_value_native if native else c.lecture_value_guest
    if not native:
        s.group[G_GUEST_LEFT] = c.lecture_messages
    n_ever = int(s.group[G_N_EVER])
    speaker = -1
    for k in range(n_ever):
        i = s.ever[k]
        if not _is_member(s, traits, i):
            continue
        s.last_reason[i] = h
        if native and speaker < 0 and traits[s.role[i], T_LECTURER] > 0.0:
            speaker = i
        if _rand(lv, R_LECTURE_SEE, i, h) < _open_chance(c, s, i, h):
            s.value_day[i] += value * s.interest[i]
            if native and s.stage[i] <= INTEREST:
                if _rand(lv, R_LECTURE_DESIRE, i, h) < c.lecture_desire * lv.ip_match:
                    s.stage[i] = DESIRE
    if not native:
        return
    n_msgs = int(c.lecture_messages)
    if speaker >= 0:
        _say(s, out_h, speaker, h, n_msgs)
        s.recognised[speaker] = min(s.recognised[speaker] + c.lecture_recognition, c.recognised_max)
        ring[ring_n[0] % RECENT] = speaker
        ring_n[0] += 1
    else:
        out_h[H_HOST, h] += n_msgs


@_hot
def _on_meetup(c, lv, s, traits, h, capacity):
    """M7: offline meetups make strong ties fast among those who come."""
    n_ever = int(s.group[G_N_EVER])
    came = s.scratch
    n_came = 0
    start = int(_rand(lv, R_MEET_START, 0, h) * max(n_ever, 1))
    for k in range(n_ever):
        i = s.ever[(start + k) % n_ever]
        if n_came >= capacity:
            break
        if s.status[i] == IN and traits[s.role[i], T_MEMBER] > 0.0:
            come = c.meetup_turnout * (1.0 + s.satisfaction[i]) * s.interest[i]
            if _rand(lv, R_MEET, i, h) < come:
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


@_hot
def _on_cleanup(s, traits, out_h, h, inactive_days):
    """M16: members silent for `inactive_days` are removed."""
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        if _is_member(s, traits, i) and h - s.last_post[i] > inactive_days * 24.0:
            _leave(s, out_h, i, h, True)


@_hot
def _event(c, lv, s, traits, out_h, h, kind, a, b, eid, ring, ring_n):
    """Phase 1: one calendar event, dispatched to its kind's handler; (a, b) are the kind's
    parameters (see `sim.calendar`)."""
    nov = s.novelty[kind]
    s.novelty[kind] *= 1.0 - c.novelty_decay
    if kind == RED_PACKET or kind == LUCKY_DRAW:
        _on_money(c, lv, s, traits, out_h, h, kind, a, b)
    elif kind == CHECKIN:
        _on_checkin(c, lv, s, traits, out_h, h, a, nov)
    elif kind == COUPON:
        _on_coupon(c, lv, s, traits, h, a, b)
    elif kind == FLASH_SALE:
        _on_flash_sale(c, lv, s, traits, out_h, h, a, b)
    elif kind == JIELONG:
        _on_jielong(c, lv, s, traits, h, a, b, eid)
    elif kind == DAILY_REPORT or kind == NOTICE:
        _on_host_post(c, lv, s, traits, out_h, h, kind)
    elif kind == TOPIC:
        _on_topic(c, s, out_h, h, nov)
    elif kind == LECTURE:
        _on_lecture(c, lv, s, traits, out_h, h, a > 0.0, nov, ring, ring_n)
    elif kind == MEETUP:
        _on_meetup(c, lv, s, traits, h, int(a))
    elif kind == CLEANUP:
        _on_cleanup(s, traits, out_h, h, a)


# ---- joins (M13 M15 M16 M10) ----------------------------------------------------------------
@_hot
def share_weight(c, lv, s, traits, i):
    """M13: shares a day a member would make: satisfied, trusting members of their own accord,
    any member when the referral reward pays enough for their money sensitivity."""
    if s.status[i] != IN:
        return 0.0
    willing = max(s.satisfaction[i] + c.share_sat_offset, 0.0) * s.trust[i]
    if s.stage[i] == SHARE:
        willing *= c.share_stage_boost
    w = c.share_rate_per_day * willing * traits[s.role[i], T_SHARE]
    if lv.reward_referrer > 0.0 and s.group[G_COST] + lv.reward_referrer + lv.reward_referee <= lv.budget:
        w += c.reward_share_per_yuan * lv.reward_referrer * s.money_sens[i] * math.exp(-s.habituation[i])
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
    if traits[s.role[j], T_MEMBER] > 0.0:
        s.group[G_MEMBERS] += 1
        s.share_w[j] = share_weight(c, lv, s, traits, j)
        s.group[G_SHARE_TOTAL] += s.share_w[j]
        s.was_member[j] = 1
        out_h[H_JOINS, h] += 1
        s.satisfaction[j] += c.fee_commitment_per_yuan * lv.fee
        # M13: tiered early-join discounts with hourly deadlines on day 0
        s.early_disc[j] = _early_discount(lv, h)
        if inviter >= 0:
            out_h[H_REFERRAL, h] += 1
            s.group[G_REFERRAL_JOINS] += 1


@_hot
def _early_discount(lv, h):
    """The early-join discount still open at hour h (0 after the last deadline)."""
    best = 0.0
    for k in range(lv.early_hours.shape[0]):
        if h < lv.early_hours[k]:
            best = max(best, lv.early_discs[k])
    return best


@_hot
def friends_inside(s, traits, j):
    """Friends of candidate j in the group, and the share of their pairs who know each other."""
    n = 0
    lo, hi = s.friend_ptr[j], s.friend_ptr[j + 1]
    for k in range(lo, hi):
        if _is_member(s, traits, s.friend_idx[k]):
            n += 1
    if n < 2:
        return n, 0.0
    pairs = 0
    linked = 0
    for k in range(lo, hi):
        a = s.friend_idx[k]
        if not _is_member(s, traits, a):
            continue
        for m in range(k + 1, hi):
            b = s.friend_idx[m]
            if not _is_member(s, traits, b):
                continue
            pairs += 1
            if s.tie[a, b] > 0.0:
                linked += 1
    return n, linked / pairs


@_hot
def join_chance(c, lv, s, traits, j, h, referee_reward):
    """M13/M16: a candidate's chance to join, rising with friends inside (diminishing) and
    with rewards and early discounts; the entry threshold and fee filter low-match candidates."""
    n, clustered = friends_inside(s, traits, j)
    social = 1.0 - math.exp(-c.join_friends * n)
    appeal = c.join_base + (1.0 - c.join_base) * social * (1.0 + c.join_clustered * clustered)
    appeal *= s.trust[j] * (c.taste_floor + s.interest[j])
    appeal *= 1.0 + c.join_reward_per_yuan * referee_reward * s.money_sens[j]
    appeal *= 1.0 + c.discount_pull * _early_discount(lv, h)
    appeal *= _filter(c, lv, s, traits, j)
    return min(appeal, 1.0)


@_hot
def _filter(c, lv, s, traits, j):
    """M16: the threshold stops spammers and low-match candidates; a fee stops the unwilling."""
    if traits[s.role[j], T_ADVERTISER] > 0.0:
        return 1.0 - lv.threshold * c.threshold_filter
    f = 1.0 - lv.threshold * c.threshold_filter * (1.0 - s.interest[j])
    return f * math.exp(-lv.fee * s.money_sens[j] / c.fee_scale_yuan)


@_hot
def _invite_and_join(c, lv, s, traits, out_h, h, hour_weight):
    """Phase 2: referral invites (M13), QR influx (M10/M16)."""
    n_ever = int(s.group[G_N_EVER])
    cap = lv.platform_cap
    n_members = int(s.group[G_MEMBERS])
    reward = lv.reward_referrer + lv.reward_referee
    reward_ok = reward == 0.0 or _can_spend(lv, s, h, reward)
    urgency = 1.0 + c.urgency * _early_discount(lv, h)
    if s.group[G_SHARE_TOTAL] > 0.0:
        for k in range(n_ever):
            # each member shares (forwards, posts to 朋友圈) at their own rate; a share reaches
            # every friend still outside
            i = s.ever[k]
            if s.share_w[i] <= 0.0 or not _is_member(s, traits, i):
                continue
            if _rand(lv, R_SHARE, i, h) >= s.share_w[i] * urgency * hour_weight / 24.0:
                continue
            for y in range(s.friend_ptr[i], s.friend_ptr[i + 1]):
                j = s.friend_idx[y]
                if s.status[j] != OUT or n_members >= cap:
                    continue
                chance = join_chance(c, lv, s, traits, j, h, lv.reward_referee if reward_ok else 0.0)
                if _rand(lv, R_JOIN, j, h * 4096 + i % 4096) < chance:
                    _join(c, lv, s, traits, out_h, j, h, i)
                    n_members += 1
                    if reward > 0.0 and reward_ok:
                        _spend(s, out_h, h, reward)
                        s.value_day[i] += c.value_money_per_yuan * lv.reward_referrer * s.money_sens[i]
                        reward_ok = _can_spend(lv, s, h, reward)
    # QR influx: strangers scanning a posted code; some come to advertise
    n_arrive = _poisson(lv, R_N_ARRIVE, 0, h, lv.qr_influx * hour_weight / 24.0) if lv.qr_influx > 0 else 0
    for x in range(n_arrive):
        if _rand(lv, R_ARRIVE_SPAM, x, h) < lv.influx_spam:
            j = int(s.group[G_NEXT_SPAM])
            if j >= lv.spam_hi:
                continue
            s.group[G_NEXT_SPAM] += 1
        else:
            if lv.pool_hi == lv.pool_lo or n_members >= cap:
                continue
            j = lv.pool_lo + int(_rand(lv, R_ARRIVE_WHO, x, h) * (lv.pool_hi - lv.pool_lo))
            if s.status[j] != OUT:
                continue
        if _rand(lv, R_ARRIVE_FILTER, j, h) < _filter(c, lv, s, traits, j):
            _join(c, lv, s, traits, out_h, j, h, -1)
            if traits[s.role[j], T_MEMBER] > 0.0:
                n_members += 1


@_hot
def host_feed(c, lv, s, traits, out_h, h):
    """M13/M15: the host's own feed (朋友圈) reaches part of the pool once a day."""
    n_members = int(s.group[G_MEMBERS])
    reach = c.feed_reach_per_day * (c.feed_reach_floor + lv.ip_strength)
    for j in range(lv.pool_lo, lv.pool_hi):
        if n_members >= lv.platform_cap:
            break
        if s.status[j] != OUT or _rand(lv, R_FEED_SEE, j, h) >= reach:
            continue
        if _rand(lv, R_FEED_JOIN, j, h) < join_chance(c, lv, s, traits, j, h, 0.0):
            _join(c, lv, s, traits, out_h, j, h, -1)
            n_members += 1


# ---- posting (M1 M7 M8 M14 M21) -------------------------------------------------------------
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
def _reply(c, lv, s, traits, i, h, ring, ring_n):
    """M7/M14/M21: a reply ties two members and recognises the one replied to; a friend of
    theirs may close a triangle."""
    n = min(ring_n[0], RECENT)
    if n == 0:
        return
    j = ring[int(_rand(lv, R_REPLY_TO, i, h) * n)]
    if j == i or j < 0:
        return
    _add_tie(c, s, traits, i, j, c.tie_reply)
    s.recognised[j] = min(s.recognised[j] + c.recognition * traits[s.role[j], T_RECOGNITION],
                          c.recognised_max)
    # triadic closure through one of j's ties (reservoir sampling)
    best = -1
    seen = 0
    for k in range(int(s.group[G_N_EVER])):
        m = s.ever[k]
        if m != i and m != j and s.tie[j, m] > c.tie_strong and _is_member(s, traits, m):
            seen += 1
            if _rand(lv, R_TRIAD, m, h * 64 + i % 64) * seen < 1.0:
                best = m
    if best >= 0:
        _add_tie(c, s, traits, i, best, c.tie_triad * c.tie_reply)


@_hot
def _post_chance(c, lv, s, traits, i, social, boost, chill, hour_weight):
    """M1/M5/M8/M18/M21: a member speaks if voice × motive × social proof × salience × the
    hour say so."""
    role = s.role[i]
    motive = s.intrinsic[i] + s.paid[i] + s.recognised[i] + lv.points * c.points_motive
    motive *= min(max(1.0 + c.sat_motive * s.satisfaction[i], c.sat_motive_min), c.sat_motive_max)
    if s.satisfaction[i] < c.complain_below:
        motive *= traits[role, T_UNHAPPY_POST]
    p = c.post_rate * traits[role, T_POST] * s.voice[i] * motive * social * (1.0 + boost) * chill
    if traits[role, T_POST] > 0.0:
        p += c.urge_post_rate * s.complain_urge[i]  # after-sales complaints need no audience (M12)
    p *= hour_weight * s.open_now[i]
    return p * (c.muted_post / c.muted_read if s.status[i] == MUTED else 1.0)


@_hot
def _post(c, lv, s, traits, out_h, i, h, ring, ring_n, complaints, n_complaints):
    """Phase 3, rare path: a member speaks, a few messages in a row (M21): a complaint, a
    reply, or plain talk."""
    _say(s, out_h, i, h, 1 + _poisson(lv, R_BURST, i, h, c.burst_extra))
    unhappy = c.complain_below - s.satisfaction[i]
    urge = s.complain_urge[i]
    complain_w = traits[s.role[i], T_COMPLAIN] * min(unhappy * c.complain_slope, 1.0) if unhappy > 0.0 else 0.0
    if _rand(lv, R_COMPLAIN, i, h) < min(complain_w + urge, 1.0):
        out_h[H_COMPLAINT, h] += 1
        s.complain_urge[i] = max(urge - 1.0, 0.0)
        if n_complaints[0] < complaints.shape[0]:
            complaints[n_complaints[0]] = i
            n_complaints[0] += 1
    elif _rand(lv, R_REPLY, i, h) < c.reply_share:
        _reply(c, lv, s, traits, i, h, ring, ring_n)
    ring[ring_n[0] % RECENT] = i
    ring_n[0] += 1


@_hot
def _jielong_entry(c, lv, s, traits, out_h, i, h):
    """M12: an open 接龙 draws entries, more as it grows; each is an order and a message."""
    proof = 1.0 + c.jielong_proof * math.log1p(s.group[G_JL_N])
    hours = max(s.group[G_JL_UNTIL] - h, 1.0)
    price = _price_paid(lv, s, i, h, s.group[G_JL_DISC])
    p = _buy_chance(c, lv, s, traits, i, price, h)
    q = p * proof * s.open_now[i] * c.jielong_reads / hours
    if _rand(lv, R_ENTRY, i, h) < min(q, 1.0):
        s.event_mark[i] = int(s.group[G_SALE_ID])
        s.group[G_JL_N] += 1
        s.n_entries[i] += 1
        s.last_post[i] = h
        s.posted_day[i] = h // 24
        out_h[H_ENTRIES, h] += 1
        out_h[H_REAL, h] += 1
        _purchase(c, lv, s, out_h, i, h, s.group[G_JL_DISC])


# ---- reading (M2 M3 M4 M6 M8 M11 M12 M19) ---------------------------------------------------
@_hot
def _read(c, lv, s, traits, out_h, h, complaints, n_complaints, answered, n_product, n_value):
    """Phase 4: members who open the group read this hour's messages."""
    real = out_h[H_REAL, h]
    n_msgs = real + out_h[H_HOST, h] + out_h[H_SHILL, h] + out_h[H_SPAM, h] + out_h[H_GUEST, h]
    if n_msgs == 0:
        return
    talk = real - out_h[H_PROMPTED, h] - out_h[H_ENTRIES, h]
    low_value = out_h[H_PROMPTED, h] + out_h[H_ENTRIES, h] + out_h[H_SHILL, h] + out_h[H_SPAM, h]
    for k in range(int(s.group[G_N_EVER])):
        i = s.ever[k]
        if not _is_member(s, traits, i):
            continue
        if s.status[i] == IN:
            s.last_reason[i] = h  # an unmuted group pings with every message (M18)
        r = s.open_now[i]
        if r <= 0.0:
            continue
        trust = s.trust[i]
        fit = _offer_fit(lv, s, i)
        # M11: what a member counts against their tolerance: low-value messages, and offers
        # that do not fit
        s.read_day[i] += r * (low_value + n_product * (1.0 - fit))
        s.talk_day[i] += r * talk
        s.info_day[i] += r * n_value
        s.deal_day[i] += r * n_product
        s.annoy_day[i] += r * n_product * c.annoy_product * (1.0 - fit)
        s.annoy_day[i] += r * out_h[H_SPAM, h] * c.annoy_spam
        if n_product > 0 and trust < c.sell_trust:
            s.trust[i] -= r * n_product * c.trust_hard_sell * (1.0 - c.hard_sell_match_relief * lv.ip_match)
        if n_value > 0:
            s.trust[i] += r * n_value * _value_trust(c, lv) * (1.0 - trust)
        # M8: moods move toward what members read: talk lifts them a little; complaints pull
        # them down, more from people one is tied to; answers help
        s.sentiment[i] += r * talk * c.talk_mood * (c.talk_mood_level - s.sentiment[i])
        for x in range(n_complaints):
            a = complaints[x]
            w = 1.0 + c.tie_weight * s.tie[i, a]
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
            if _rand(lv, R_STAGE, i, h) < c.stage_up * r * (n_value + c.talk_interest * talk):
                s.stage[i] = INTEREST
        elif st == INTEREST and n_product > 0:
            if _rand(lv, R_STAGE, i, h) < c.desire_up * trust * lv.ip_match * r * n_product:
                s.stage[i] = DESIRE
        if n_product > 0 and s.stage[i] >= DESIRE:
            price = _price_paid(lv, s, i, h, 0.0)
            if _rand(lv, R_POST_BUY, i, h) < r * c.post_buy * _buy_chance(c, lv, s, traits, i, price, h):
                _purchase(c, lv, s, out_h, i, h, 0.0)


# ---- the end of a day (M2 M5 M7 M9 M10 M11 M20) ---------------------------------------------
@_hot
def _count_ties(c, s, traits, tie_keep, n_ever):
    """Ties decay without interaction; count each member's ties of meaningful strength."""
    for x in range(n_ever):
        s.n_ties[s.ever[x]] = 0
    for x in range(n_ever):
        i = s.ever[x]
        mi = _is_member(s, traits, i)
        for y in range(x + 1, n_ever):
            j = s.ever[y]
            t = s.tie[i, j]
            if t == 0.0:
                continue
            t *= tie_keep
            s.tie[i, j] = t
            s.tie[j, i] = t
            if t >= c.tie_strong and mi and _is_member(s, traits, j):
                s.n_ties[i] += 1
                s.n_ties[j] += 1


@_hot
def _day_satisfaction(c, lv, s, i, alpha):
    """M2: satisfaction is a moving average of the day's value minus annoyance."""
    over = s.read_day[i] - s.tolerance[i]
    annoy = s.annoy_day[i] + (c.overload_annoy * over if over > 0 else 0.0)
    fit = _offer_fit(lv, s, i)
    taste = c.taste_floor + s.interest[i]
    today = c.sat_base + s.value_day[i] - annoy + c.value_tie * min(s.n_ties[i], c.ties_valued)
    today += c.value_info * taste * (1.0 - math.exp(-s.info_day[i] / c.info_half))
    today += c.value_talk * lv.topic_value * taste * (1.0 - math.exp(-s.talk_day[i] / c.talk_half))
    today += c.value_deal * fit * (1.0 - math.exp(-s.deal_day[i] / c.deal_half))
    today += c.sentiment_to_sat * s.sentiment[i]
    s.satisfaction[i] += alpha * (today - s.satisfaction[i])


@_hot
def _mute_or_leave(c, lv, s, out_h, i, h):
    """M2/M11/M20: everyday churn, raised by dissatisfaction, overload and bad sentiment;
    members with two ties leave far less (M7). Returns whether the member left."""
    sat = s.satisfaction[i]
    overload = max(s.read_day[i] / s.tolerance[i] - 1.0, 0.0)
    leave = c.churn_per_day
    leave += c.leave_hazard * max(c.leave_below - sat, 0.0) / c.hazard_scale
    leave += c.overload_leave * overload
    bad_mood = max(-s.sentiment[i], 0.0)
    leave += c.sentiment_leave * bad_mood * bad_mood  # mild gloom hardly matters, anger does
    if s.status[i] == MUTED and sat < c.mute_below:
        leave = max(leave, c.muted_leave_hazard)
    if s.n_ties[i] >= 2:
        leave *= c.two_ties_protect
    if _rand(lv, R_LEAVE, i, h) < leave:
        _leave(s, out_h, i, h, False)
        return True
    if s.status[i] == IN:
        mute = c.mute_hazard * max(c.mute_below - sat, 0.0) / c.hazard_scale
        mute += c.overload_mute * overload
        if _rand(lv, R_MUTE, i, h) < mute:
            s.status[i] = MUTED
            s.muted_hour[i] = h
    return False


@_hot
def _end_of_day(c, lv, s, traits, out_h, out_d, day):
    """Phase 5: once a day."""
    n_ever = int(s.group[G_N_EVER])
    h = day * 24 + 23
    hab_keep = math.exp(-1.0 / c.hab_recovery_days)
    paid_keep = math.exp(-1.0 / c.paid_decay_days)
    fatigue_keep = math.exp(-1.0 / c.sale_fatigue_days)
    recognised_keep = math.exp(-1.0 / c.recognised_days)
    alpha = 1.0 / c.sat_memory_days
    total = s.group[G_REAL_DAY] + s.group[G_SHILL_DAY]
    share = s.group[G_SHILL_DAY] / total if total > 0 else 0.0
    s.group[G_SHILL_SHARE] += c.shill_share_weight * (share - s.group[G_SHILL_SHARE])
    _count_ties(c, s, traits, math.exp(-1.0 / c.tie_decay_days), n_ever)
    n_members = 0
    n_muted = 0
    n_two = 0
    trust_sum = 0.0
    sat_sum = 0.0
    sent_sum = 0.0
    n_posters = 0
    n_weekly = 0
    for x in range(n_ever):
        i = s.ever[x]
        role = s.role[i]
        if traits[role, T_ADVERTISER] > 0.0:
            in_group = s.status[i] == IN or s.status[i] == MUTED
            if in_group and s.first_ad[i] >= 0 and h - s.first_ad[i] >= lv.mod_delay:
                # M10: moderation removes spammers after a delay, as strictly as rules say
                if _rand(lv, R_MODERATE, i, h) < 1.0 - (1.0 - lv.strictness) ** 24:
                    s.status[i] = REMOVED
            continue
        if not _is_member(s, traits, i):
            continue
        _day_satisfaction(c, lv, s, i, alpha)
        if s.stage[i] == DESIRE and _rand(lv, R_DESIRE_FADE, i, h) < 1.0 / c.desire_fade_days:
            s.stage[i] = INTEREST
        s.sentiment[i] *= c.sentiment_keep
        s.habituation[i] *= hab_keep
        s.paid[i] *= paid_keep
        s.sale_fatigue[i] *= fatigue_keep
        s.complain_urge[i] *= c.urge_keep
        s.recognised[i] *= recognised_keep
        s.intrinsic[i] = max(s.intrinsic[i], traits[role, T_MOTIVE_FLOOR])
        left = _mute_or_leave(c, lv, s, out_h, i, h)
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
            if _rand(lv, R_NOTICE, i, h) < c.shill_notice * s.group[G_SHILL_SHARE] * weeks:
                s.noticed[i] = 1
                s.trust[i] *= 1.0 - c.trust_shill_loss
                s.sentiment[i] = max(-1.0, s.sentiment[i] - c.shill_sentiment_loss)
        # M10: a dissatisfied member who stays may start posting ads
        if sat < c.mute_below and _rand(lv, R_DEFECT, i, h) < c.defect_hazard * (1.0 - lv.strictness):
            s.group[G_MEMBERS] -= 1
            out_h[H_LEAVES, h] += 1  # no longer a member, though still in the group
            s.group[G_SHARE_TOTAL] -= s.share_w[i]
            s.share_w[i] = 0.0
            s.role[i] = SPAMMER
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
    # when a group is dead: 14 quiet days in a row (MODEL.md)
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


# ---- the hour -------------------------------------------------------------------------------
@_hot
def run_hours(c, lv, s, ev, traits, rhythm, out_h, out_d, h_start, h_end):
    """Play hours [h_start, h_end) for every account. The core of the engine."""
    ring = s.recent
    ring_n = s.recent_n
    complaints = s.complaints
    answered = s.answered
    n_complaints = s.n_complaints
    mem_keep = math.exp(-1.0 / c.social_memory_hours)
    boost_keep = math.exp(-1.0 / c.boost_hours)
    chill = 1.0 - c.chill * lv.strictness * lv.strictness
    intro_rate = -math.log(1.0 - c.intro_share) / 24.0
    for h in range(h_start, h_end):
        hd = h % 24
        w = rhythm[hd]
        # 1. calendar events
        e = int(s.group[G_NEXT_EVENT])
        while e < ev.hour.shape[0] and ev.hour[e] <= h:
            if ev.hour[e] == h:
                _event(c, lv, s, traits, out_h, h, ev.kind[e], ev.a[e], ev.b[e], e, ring, ring_n)
            e += 1
        s.group[G_NEXT_EVENT] = e
        # 2. joins
        _invite_and_join(c, lv, s, traits, out_h, h, w)
        if hd == c.feed_hour:
            host_feed(c, lv, s, traits, out_h, h)
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
            n_host = _poisson(lv, R_HOST_POSTS, 0, h, lv.capacity * hw / 24.0)
            for x in range(n_host):
                u = _rand(lv, R_HOST_KIND, x, h)
                if u < lv.product_share:
                    n_product += 1
                elif u < lv.product_share + lv.interaction_share:
                    s.group[G_BOOST] += c.interaction_pull
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
            if traits[role, T_SCRIPTED] > 0.0:
                ramp = min(1.0, c.shill_morning + hd / 24.0)  # scripts warm up over the day
                if shill_on and _rand(lv, R_SHILL, i, h) < c.shill_rate * w * ramp:
                    out_h[H_SHILL, h] += 1
                    s.group[G_SHILL_DAY] += 1
                    ring[ring_n[0] % RECENT] = -1
                    ring_n[0] += 1
            elif traits[role, T_ADVERTISER] > 0.0:
                if _rand(lv, R_SPAM, i, h) < c.spam_per_day * w / 24.0:
                    out_h[H_SPAM, h] += 1
                    if s.first_ad[i] < 0:
                        s.first_ad[i] = h
            else:
                s.open_now[i] = _open_chance(c, s, i, h)
                if _rand(lv, R_POST, i, h) < _post_chance(c, lv, s, traits, i, social, boost, chill, w):
                    _post(c, lv, s, traits, out_h, i, h, ring, ring_n, complaints, n_complaints)
                elif h - s.join_hour[i] < 24 and s.n_posts[i] == 0 and traits[role, T_POST] > 0.0:
                    # M1: newcomers greet and introduce themselves (自我介绍) in their first day
                    if _rand(lv, R_INTRO, i, h) < intro_rate * w:
                        _say(s, out_h, i, h, 1 + _poisson(lv, R_BURST, i, h, c.burst_extra))
                        ring[ring_n[0] % RECENT] = i
                        ring_n[0] += 1
                if h < jielong_until and s.event_mark[i] != jielong_id:
                    _jielong_entry(c, lv, s, traits, out_h, i, h)
        if s.group[G_GUEST_LEFT] > 0:
            g = min(s.group[G_GUEST_LEFT], c.lecture_messages / c.lecture_hours)
            out_h[H_GUEST, h] += g
            n_value += c.guest_value_share * g
            s.group[G_GUEST_LEFT] -= g
        for x in range(n_complaints[0]):
            resp = lv.responsiveness if host_on else 0.0
            answered[x] = _rand(lv, R_ANSWER, complaints[x], h) < max(resp, lv.auto_answer)
        # 4. reading
        _read(c, lv, s, traits, out_h, h, complaints, n_complaints[0], answered, n_product, n_value)
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
            _end_of_day(c, lv, s, traits, out_h, out_d, h // 24)
            refresh_share_weights(c, lv, s, traits)
