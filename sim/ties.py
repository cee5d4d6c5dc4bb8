"""Tie kernels: ties from replies and triadic closure, their daily decay and counts (M7 M14)."""

from sim.codes import G_N_EVER, RECENT, R_REPLY_TO, R_TRIAD, T_RECOGNITION, T_TIE
from sim.core import hot, is_member, rand


@hot
def add_tie(ctx, i, j, strength):
    c, s, traits = ctx.c, ctx.s, ctx.traits
    if i == j or j < 0:
        return
    w = strength * max(traits[s.role[i], T_TIE], traits[s.role[j], T_TIE])
    if s.segment[i] == s.segment[j]:
        w *= c.tie_homophily
    t = s.tie[i, j] + w * (1.0 - s.tie[i, j])
    s.tie[i, j] = t
    s.tie[j, i] = t


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
    # triadic closure through one of j's ties (reservoir sampling)
    best = -1
    seen = 0
    for k in range(int(s.group[G_N_EVER])):
        m = s.ever[k]
        if m != i and m != j and s.tie[j, m] > c.tie_strong and is_member(s, traits, m):
            seen += 1
            if rand(lv, R_TRIAD, m, h * 64 + i % 64) * seen < 1.0:
                best = m
    if best >= 0:
        add_tie(ctx, i, best, c.tie_triad * c.tie_reply)


@hot
def count_ties(ctx, tie_keep, n_ever):
    """Ties decay without interaction; count each member's ties of meaningful strength."""
    c, s, traits = ctx.c, ctx.s, ctx.traits
    for x in range(n_ever):
        s.n_ties[s.ever[x]] = 0
    for x in range(n_ever):
        i = s.ever[x]
        mi = is_member(s, traits, i)
        for y in range(x + 1, n_ever):
            j = s.ever[y]
            t = s.tie[i, j]
            if t == 0.0:
                continue
            t *= tie_keep
            s.tie[i, j] = t
            s.tie[j, i] = t
            if t >= c.tie_strong and mi and is_member(s, traits, j):
                s.n_ties[i] += 1
                s.n_ties[j] += 1
