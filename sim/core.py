"""What every kernel module shares: the context, counter-based random numbers, member helpers.

The context (`Ctx`) is one tuple of everything an hour reads and writes: the constants, the
levers, the state arrays, the trait table, the output rows, the events and the day's rhythm.
Kernel functions take it as their first argument and unpack what they use.

Random numbers are counter-based: every draw is a hash of (run key, purpose, account, hour),
so a replicate's luck stays with the same people and moments when a lever changes, and two
plans run on the same seed differ by their levers, not by shifted random streams. The run key
is drawn from the model's numpy Generator, so a seed fixes a run.
"""

import math
from typing import Any, NamedTuple

import numba
import numpy as np

from sim.byref import by_ref
from sim.codes import (
    G_ACCOUNTS, G_BOOST_BOUND, G_MEMBERS, G_N_EVER, G_N_LIVE, H_LEAVES, H_PROMPTED, H_REAL, IN,
    LEFT, MUTED, REMOVED, R_OPEN, R_POST, R_SHARE, T_ADVERTISER, T_MEMBER, T_POST, T_SCRIPTED,
    T_UNHAPPY_POST,
)



class Ctx(NamedTuple):
    """Everything the hour's kernels read and write (built by `sim.model.GroupModel`).

    c: `sim.constants.Constants`; lv: `sim.model.Levers`; s: `sim.state.State`; traits:
    roles × `sim.codes.TRAITS` float64; out_h: `HOURLY` rows × hours; out_d: `DAILY` rows × days;
    ev: `sim.calendar.Events`; rhythm: 24 hourly weights with mean 1.
    """

    c: Any
    lv: Any
    s: Any
    traits: np.ndarray
    out_h: np.ndarray
    out_d: np.ndarray
    ev: Any
    rhythm: np.ndarray


# The hour's functions run without reference counting (_nrt=False): they allocate nothing
# (scratch arrays live in the state) and numba's per-call reference counting of the ~50 state
# arrays was measured at 36% of a run (perf, in the runtime's atomic add/sub). They release the
# GIL (nogil=True), so groups of a portfolio advance in parallel from Python threads.
hot = numba.njit(cache=True, _nrt=False, nogil=True)

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)


@hot
def _mix(x):
    """splitmix64's finaliser: a bijective scramble of 64 bits."""
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


@hot
def stream_of(lv, purpose, a):
    """The part of `rand`'s hash fixed by (run key, purpose, a), as uint64: the hot loops keep
    it per account (`State.post_stream` and the like) and draw with `rand_at`."""
    x = _mix(np.uint64(lv.key) + np.uint64(purpose + 1) * _GOLDEN)
    return _mix(x + np.uint64(a + 2) * _GOLDEN)


@hot
def rand_at(stream, b):
    """`rand(lv, purpose, a, b)` for `stream = stream_of(lv, purpose, a)`."""
    x = _mix(stream + np.uint64(b + 2) * _GOLDEN)
    return float(x >> _S11) * (1.0 / 9007199254740992.0)


@hot
def rand(lv, purpose, a, b):
    """A uniform in [0, 1) for (run key, purpose, a, b): usually a = account, b = hour."""
    return rand_at(stream_of(lv, purpose, a), b)


@hot
def poisson(lv, purpose, a, b, lam):
    """Poisson draw by inversion, in chunks of at most 30 (a sum of Poissons is Poisson)."""
    k = 0
    chunk = 0
    while lam > 0.0:
        part = min(lam, 30.0)
        lam -= part
        p = math.exp(-part)
        cdf = p
        u = rand(lv, purpose, a * 64 + chunk, b)
        n = 0
        while u > cdf and p > 0.0:
            n += 1
            p *= part / n
            cdf += p
        k += n
        chunk += 1
    return k


@hot
def is_member(s, traits, i):
    st = s.status[i]
    return (st == IN or st == MUTED) and traits[s.role[i], T_MEMBER] > 0.0


@hot
def enter(s, i):
    """Account i comes into the group: last in `ever` and in `live` (join order)."""
    s.ever[int(s.group[G_N_EVER])] = i
    s.group[G_N_EVER] += 1
    s.live[int(s.group[G_N_LIVE])] = i
    s.live_at[i] = s.group[G_N_LIVE]
    s.group[G_N_LIVE] += 1


@hot
def compact_live(s):
    """At the end of a day: drop from `live` the accounts no longer in the group (keeping join
    order), so the hourly loops go over the group as it is, not over everyone who was ever in
    it. Their share weight goes to 0, as `sim.joins.refresh_share_weights` would set it."""
    n = 0
    for k in range(int(s.group[G_N_LIVE])):
        i = s.live[k]
        if s.status[i] == IN or s.status[i] == MUTED:
            s.live[n] = i
            s.live_at[i] = n
            n += 1
        else:
            s.share_w[i] = 0.0
    s.group[G_N_LIVE] = n


@hot
def salience(c, hours):
    """M18: how much a group is still in view `hours` after it last gave a reason to look."""
    return math.exp(-(hours / 24.0) / c.salience_days)


@hot
def fill_tables(c, lv, s):
    """Set-up: `State.salience` by whole hour, and the accounts' draw streams of posting
    (R_POST), opening the group (R_OPEN) and sharing it (R_SHARE): exactly what the kernels
    would compute each hour."""
    c, lv, s = by_ref(c), by_ref(lv), by_ref(s)
    for k in range(s.salience.shape[0]):
        s.salience[k] = salience(c, float(k))
    for i in range(s.post_stream.shape[0]):
        s.post_stream[i] = stream_of(lv, R_POST, i)
        s.open_stream[i] = stream_of(lv, R_OPEN, i)
        s.share_stream[i] = stream_of(lv, R_SHARE, i)


@hot
def open_chance(c, s, i, h):
    """M18: the chance a member opens the group this hour, falling with days without a reason
    (`salience`, read from its table within the horizon)."""
    since = h - s.last_reason[i]
    k = int(since)
    p = s.salience[k] if k < s.salience.shape[0] else salience(c, since)
    if s.status[i] == MUTED:
        p *= c.muted_read
    return p


@hot
def voice_motive(ctx, i):
    """M1/M5/M21: the part of member i's posting chance that is theirs: post rate × their
    role's posting × voice × motive (`motive`); `sim.posting.post_chance` scales it by the hour,
    `mark_candidates` bounds it."""
    c, s, traits = ctx.c, ctx.s, ctx.traits
    return c.post_rate * traits[s.role[i], T_POST] * s.voice[i] * motive(ctx, i)


@hot
def motive(ctx, i):
    """M5/M8/M21: member i's motive to speak: unpaid, paid and recognised motive and points,
    scaled by satisfaction; the unhappy speak as their role does when unhappy."""
    c, lv, s, traits = ctx.c, ctx.lv, ctx.s, ctx.traits
    m = s.intrinsic[i] + s.paid[i] + s.recognised[i] + lv.points * c.points_motive
    m *= min(max(1.0 + c.sat_motive * s.satisfaction[i], c.sat_motive_min), c.sat_motive_max)
    if s.satisfaction[i] < c.complain_below:
        m *= traits[s.role[i], T_UNHAPPY_POST]
    return m


BOOST_ROOM = 1.0
"""Boost above today's that the posting candidates allow for before they are marked again
(`mark_candidates`): a matter of speed, not of outcomes."""
CANDIDATE_SLACK = 1e-9
"""Relative room in a candidate's bound, far above the rounding of the chance it bounds."""
MAY_POST, MAY_SHARE = 1, 2
"""The bits of `State.candidates`: the account may post, may share (sim.joins.mark_sharing)."""


@hot
def chill_of(c, lv):
    """M10: how enforced rules damp posting, 1 − chill × strictness² (the posting chance's
    factor; below 0 nobody speaks of their own accord)."""
    return 1.0 - c.chill * lv.strictness * lv.strictness


@hot
def mark_candidates(ctx, i, k, h):
    """Mark the hours from h to the day's end at which account i (at position k of `live`) may
    post (`State.candidates`), so the hourly posting loop passes over the rest without computing
    their chances, with the same outcomes. Shills, spammers and newcomers who have not spoken act
    or may act every hour; a member may post at an hour only if their posting draw (the same
    one, `State.post_stream`) falls below the most `sim.posting.post_chance` can be that hour
    while their traits stay as they are: social proof and the chance to open the group at their
    largest, the boost at `G_BOOST_BOUND`. Whatever raises that bound marks again
    (`may_post_more`); marks are only added, so a stale one costs a computed chance, never a
    post."""
    c, lv, s, traits, rhythm = ctx.c, ctx.lv, ctx.s, ctx.traits, ctx.rhythm
    hd = h % 24
    role = s.role[i]
    newcomer = h - s.join_hour[i] < 24 and s.n_posts[i] == 0
    if traits[role, T_SCRIPTED] > 0.0 or traits[role, T_ADVERTISER] > 0.0 or (
            newcomer and traits[role, T_POST] > 0.0):
        for x in range(hd, 24):
            s.candidates[x, k] |= MAY_POST
        return
    top = (voice_motive(ctx, i) * max(c.social_floor, 1.0) * (1.0 + s.group[G_BOOST_BOUND])
           * max(chill_of(c, lv), 0.0))
    if traits[role, T_POST] > 0.0:
        top += c.urge_post_rate * s.complain_urge[i]
    if s.status[i] == MUTED:
        top *= max(c.muted_read, 1.0) * c.muted_post / c.muted_read
    top *= 1.0 + CANDIDATE_SLACK
    for x in range(hd, 24):
        if rand_at(s.post_stream[i], h - hd + x) < top * rhythm[x]:
            s.candidates[x, k] |= MAY_POST


@hot
def may_post_more(ctx, i, h):
    """Member i's chance to post may have risen at hour h (a motive, satisfaction or urge
    grew): mark their candidate hours again (`mark_candidates`)."""
    s = ctx.s
    if s.status[i] == IN or s.status[i] == MUTED:
        mark_candidates(ctx, i, s.live_at[i], h)


@hot
def value_trust(c, lv):
    """M3: trust a value post builds, more from a host whose persona fits the topic."""
    w = c.value_trust_match_weight
    return c.trust_value_gain * ((1.0 - w) + w * lv.ip_match)


@hot
def leave_group(s, out_h, i, h, removed):
    """Member i leaves (or is removed from) the group at hour h."""
    s.group[G_MEMBERS] -= 1
    s.group[G_ACCOUNTS] -= 1
    s.status[i] = REMOVED if removed else LEFT
    s.left_hour[i] = h
    s.trust_end[i] = s.trust[i]
    out_h[H_LEAVES, h] += 1


@hot
def say(s, out_h, i, h, n):
    """`n` conversation messages by member i (M21: talk comes in exchanges)."""
    s.n_posts[i] += n
    s.last_post[i] = h
    s.posted_day[i] = h // 24
    s.conv_day[i] = h // 24
    out_h[H_REAL, h] += n


@hot
def say_prompted(s, out_h, i, h):
    """A message money or a prompt asked for: thanks, a paid check-in."""
    s.n_prompted[i] += 1
    out_h[H_PROMPTED, h] += 1
    out_h[H_REAL, h] += 1
