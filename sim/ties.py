"""Ties: their storage, replies and triadic closure, daily decay and counts (M7 M13 M14).

Ties are sparse, so memory and time grow with the slots and their ties, not the slots squared.
Each slot has a row of (neighbour, strength) pairs in `tie_nb` (int32) and `tie_w` (float32):
slot i's row starts at `tie_ptr[i]`, holds `tie_len[i]` ties and has room for `tie_cap[i]`. A
tie is stored in both rows with the same strength; a strength of 0 is no tie. A row starts
with room for the slot's pool friendships plus `TIE_ROOM`; a row that fills moves to a shared
spare area at the end of the arrays (`TIE_SPARE` entries a slot, handed out from `tie_top`)
with twice the room. When the spare area is used up too, a new tie to a full row drops the
row's weakest tie (from both rows), or is dropped itself if it is weaker still; each drop counts
in `group[G_TIES_DROPPED]`. The busiest talkers of the library plans tie to up to about 280
members in 12 weeks (xiaomei_launch); they move, and no replicate drops a tie.

The storage is reached only through the functions marked "Storage." below; tests/dense_ties.py
implements the same functions over a dense slots × slots matrix, the reference the sparse
kernel is tested against (tests/test_ties.py).
"""

import numpy as np

from sim.codes import G_TIES_DROPPED, OUT, RECENT, R_REPLY_TO, R_TRIAD, T_RECOGNITION, T_TIE
from sim.core import hot, is_member, may_post_more, rand

TIE_ROOM = 32
"""Ties a slot's first row holds beyond its pool friendships (see the module docstring)."""
TIE_SPARE = 64
"""Entries per slot in the spare area that full rows move to."""


def tie_arrays(n: int, friend_ptr: np.ndarray) -> dict[str, np.ndarray]:
    """Storage. Empty rows for `n` slots with room for each slot's friendships (`friend_ptr`,
    CSR row pointers (n + 1,)) plus `TIE_ROOM`, and the spare area: `tie_ptr`, `tie_cap`,
    `tie_len` (n,) int64, `tie_top` (1,) int64 (the spare area's first free entry), `tie_nb`
    int32 and `tie_w` float32 (friendships + n × (TIE_ROOM + TIE_SPARE),), `tie_mark` (n,) int8
    scratch."""
    starts = friend_ptr + TIE_ROOM * np.arange(n + 1, dtype=np.int64)
    size = starts[-1] + n * TIE_SPARE
    return dict(tie_ptr=starts[:-1].copy(), tie_cap=np.diff(starts), tie_len=np.zeros(n, dtype=np.int64),
                tie_top=starts[-1:].copy(), tie_nb=np.full(size, -1, dtype=np.int32),
                tie_w=np.zeros(size, dtype=np.float32), tie_mark=np.zeros(n, dtype=np.int8))


def seed_friendships(s, strength: float) -> None:
    """Storage. Every pool friendship (`s.friend_ptr`, `s.friend_idx`) becomes a tie of
    `strength` (members arrive with the ties they already have)."""
    degree = np.diff(s.friend_ptr)
    starts = np.repeat(s.tie_ptr, degree)
    offsets = np.arange(s.friend_idx.shape[0]) - np.repeat(s.friend_ptr[:-1], degree)
    s.tie_nb[starts + offsets] = s.friend_idx
    s.tie_w[starts + offsets] = strength
    s.tie_len[:] = degree


@hot
def _find(s, i, j):
    """Position of j in i's row, −1 if they have no tie."""
    lo = s.tie_ptr[i]
    for p in range(lo, lo + s.tie_len[i]):
        if s.tie_nb[p] == j:
            return p
    return -1


@hot
def tie_of(s, i, j):
    """Storage. The strength of the tie between slots i and j (0 without one)."""
    if s.tie_len[j] < s.tie_len[i]:
        i, j = j, i
    p = _find(s, i, j)
    return s.tie_w[p] if p >= 0 else 0.0


@hot
def _room(s, i):
    """−1 if i's row has room for one more tie (moving it to the spare area with twice the
    room if it was full and the area has that room), else the position of its weakest tie."""
    lo = s.tie_ptr[i]
    n = s.tie_len[i]
    if n < s.tie_cap[i]:
        return -1
    top = s.tie_top[0]
    if top + 2 * n <= s.tie_w.shape[0]:
        for x in range(n):
            s.tie_nb[top + x] = s.tie_nb[lo + x]
            s.tie_w[top + x] = s.tie_w[lo + x]
        s.tie_ptr[i] = top
        s.tie_cap[i] = 2 * n
        s.tie_top[0] = top + 2 * n
        return -1
    best = lo
    for p in range(lo + 1, lo + n):
        if s.tie_w[p] < s.tie_w[best]:
            best = p
    return best


@hot
def _remove(s, i, p):
    """Take position p out of i's row (the row's last tie moves into it)."""
    last = s.tie_ptr[i] + s.tie_len[i] - 1
    s.tie_nb[p] = s.tie_nb[last]
    s.tie_w[p] = s.tie_w[last]
    s.tie_len[i] -= 1


@hot
def _cut(s, i, p):
    """Drop the tie at position p of i's row from both rows."""
    _remove(s, s.tie_nb[p], _find(s, s.tie_nb[p], i))
    _remove(s, i, p)
    s.group[G_TIES_DROPPED] += 1


@hot
def _append(s, i, j, t):
    p = s.tie_ptr[i] + s.tie_len[i]
    s.tie_nb[p] = j
    s.tie_w[p] = t
    s.tie_len[i] += 1


@hot
def strengthen(s, i, j, w):
    """Storage. The tie between slots i ≠ j grows by w toward 1: t += w (1 − t)."""
    p = _find(s, i, j)
    old = s.tie_w[p] if p >= 0 else 0.0
    t = old + w * (1.0 - old)
    if p >= 0:
        s.tie_w[p] = t
        s.tie_w[_find(s, j, i)] = t
        return
    if t <= 0.0:
        return
    wi = _room(s, i)
    wj = _room(s, j)
    if (wi >= 0 and s.tie_w[wi] >= t) or (wj >= 0 and s.tie_w[wj] >= t):
        s.group[G_TIES_DROPPED] += 1  # weaker than every tie of a full row
        return
    if wi >= 0:
        _cut(s, i, wi)
    if wj >= 0:
        _cut(s, j, wj)
    _append(s, i, j, t)
    _append(s, j, i, t)


@hot
def triad_partner(ctx, i, j, h):
    """Storage. A current member other than i tied above `tie_strong` to j, chosen uniformly
    (the one with the lowest draw, so the choice does not depend on storage order); −1 if
    none."""
    c, lv, s, traits = ctx.c, ctx.lv, ctx.s, ctx.traits
    best = -1
    best_u = 2.0
    lo = s.tie_ptr[j]
    for p in range(lo, lo + s.tie_len[j]):
        m = s.tie_nb[p]
        if m != i and s.tie_w[p] > c.tie_strong and is_member(s, traits, m):
            u = rand(lv, R_TRIAD, m, h * 64 + i % 64)
            if u < best_u:
                best_u = u
                best = m
    return best


@hot
def count_ties(ctx, tie_keep, n_ever):
    """Storage. Ties between accounts that have been in the group decay by `tie_keep` (ties to
    candidates still outside keep their strength); each member's ties of at least `tie_strong`
    to other members are counted in `n_ties`."""
    c, s, traits = ctx.c, ctx.s, ctx.traits
    for x in range(n_ever):
        i = s.ever[x]
        mi = is_member(s, traits, i)
        n = 0
        lo = s.tie_ptr[i]
        for p in range(lo, lo + s.tie_len[i]):
            j = s.tie_nb[p]
            if s.status[j] == OUT:
                continue
            t = s.tie_w[p] * tie_keep
            s.tie_w[p] = t
            if t >= c.tie_strong and mi and is_member(s, traits, j):
                n += 1
        s.n_ties[i] = n


@hot
def friends_inside(s, traits, j):
    """Storage. Friends of candidate j in the group, and the share of their pairs who are tied."""
    lo, hi = s.friend_ptr[j], s.friend_ptr[j + 1]
    n = 0
    for k in range(lo, hi):
        a = s.friend_idx[k]
        if is_member(s, traits, a):
            s.tie_mark[a] = 1
            n += 1
    linked = 0
    if n >= 2:
        for k in range(lo, hi):
            a = s.friend_idx[k]
            if s.tie_mark[a] == 0:
                continue
            for p in range(s.tie_ptr[a], s.tie_ptr[a] + s.tie_len[a]):
                if s.tie_mark[s.tie_nb[p]] == 1 and s.tie_w[p] > 0.0:
                    linked += 1  # each pair is seen from both of its rows
    for k in range(lo, hi):
        s.tie_mark[s.friend_idx[k]] = 0
    if n < 2:
        return n, 0.0
    return n, (linked // 2) / (n * (n - 1) // 2)


@hot
def add_tie(ctx, i, j, strength):
    """M7: a tie from an exchange, scaled by the pair's tie traits and their segments."""
    c, s, traits = ctx.c, ctx.s, ctx.traits
    if i == j or j < 0:
        return
    w = strength * max(traits[s.role[i], T_TIE], traits[s.role[j], T_TIE])
    if s.segment[i] == s.segment[j]:
        w *= c.tie_homophily
    strengthen(s, i, j, w)


@hot
def reply(ctx, i, h):
    """M7/M14/M21: a reply ties two members and recognises the one replied to; a friend of
    theirs may close a triangle."""
    c, lv, s, traits = ctx.c, ctx.lv, ctx.s, ctx.traits
    ring = s.recent
    ring_n = s.recent_n
    n = min(ring_n[0], RECENT)
    if n == 0:
        return
    j = ring[int(rand(lv, R_REPLY_TO, i, h) * n)]
    if j == i or j < 0:
        return
    add_tie(ctx, i, j, c.tie_reply)
    s.recognised[j] = min(s.recognised[j] + c.recognition * traits[s.role[j], T_RECOGNITION],
                          c.recognised_max)
    may_post_more(ctx, j, h)
    best = triad_partner(ctx, i, j, h)
    if best >= 0:
        add_tie(ctx, i, best, c.tie_triad * c.tie_reply)
