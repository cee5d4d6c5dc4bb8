"""The dense tie storage, a test reference only: the storage functions of `sim.ties` over a
slots × slots float32 matrix (in `State.tie_w`), as the engine held ties before issue 17.

`use_dense()` puts these functions in place of the sparse ones in every loaded `sim` module.
Call it before the first run of the process, in a process of its own with its own
NUMBA_CACHE_DIR: numba compiles a kernel's callees when it first compiles the kernel, and its
cache keys machine code by the sources of `sim`, not by what was swapped in.
"""

import sys

import numpy as np

from sim import ties
from sim.codes import G_N_EVER, R_TRIAD
from sim.core import hot, is_member, rand

STORAGE = ("tie_arrays", "seed_friendships", "tie_of", "strengthen", "triad_partner",
           "count_ties", "friends_inside")
"""The functions of `sim.ties` that touch the storage (marked "Storage." there)."""


def tie_arrays(n: int, friend_ptr: np.ndarray) -> dict[str, np.ndarray]:
    """`tie_w` (n, n) float32; the sparse fields are left empty."""
    empty = np.zeros(1, dtype=np.int64)
    return dict(tie_ptr=empty, tie_cap=empty, tie_len=empty, tie_top=empty,
                tie_nb=np.zeros(1, dtype=np.int32), tie_w=np.zeros((n, n), dtype=np.float32),
                tie_mark=np.zeros(1, dtype=np.int8))


def seed_friendships(s, strength: float) -> None:
    rows = np.repeat(np.arange(s.friend_ptr.shape[0] - 1), np.diff(s.friend_ptr))
    s.tie_w[rows, s.friend_idx] = strength


@hot
def tie_of(s, i, j):
    return s.tie_w[i, j]


@hot
def strengthen(s, i, j, w):
    t = s.tie_w[i, j] + w * (1.0 - s.tie_w[i, j])
    s.tie_w[i, j] = t
    s.tie_w[j, i] = t


@hot
def triad_partner(ctx, i, j, h):
    c, lv, s, traits = ctx.c, ctx.lv, ctx.s, ctx.traits
    best = -1
    best_u = 2.0
    for k in range(int(s.group[G_N_EVER])):
        m = s.ever[k]
        if m != i and m != j and s.tie_w[j, m] > c.tie_strong and is_member(s, traits, m):
            u = rand(lv, R_TRIAD, m, h * 64 + i % 64)
            if u < best_u:
                best_u = u
                best = m
    return best


@hot
def count_ties(ctx, tie_keep, n_ever):
    c, s, traits = ctx.c, ctx.s, ctx.traits
    for x in range(n_ever):
        s.n_ties[s.ever[x]] = 0
    for x in range(n_ever):
        i = s.ever[x]
        mi = is_member(s, traits, i)
        for y in range(x + 1, n_ever):
            j = s.ever[y]
            t = s.tie_w[i, j]
            if t == 0.0:
                continue
            t *= tie_keep
            s.tie_w[i, j] = t
            s.tie_w[j, i] = t
            if t >= c.tie_strong and mi and is_member(s, traits, j):
                s.n_ties[i] += 1
                s.n_ties[j] += 1


@hot
def friends_inside(s, traits, j):
    n = 0
    lo, hi = s.friend_ptr[j], s.friend_ptr[j + 1]
    for k in range(lo, hi):
        if is_member(s, traits, s.friend_idx[k]):
            n += 1
    if n < 2:
        return n, 0.0
    pairs = 0
    linked = 0
    for k in range(lo, hi):
        a = s.friend_idx[k]
        if not is_member(s, traits, a):
            continue
        for m in range(k + 1, hi):
            b = s.friend_idx[m]
            if not is_member(s, traits, b):
                continue
            pairs += 1
            if s.tie_w[a, b] > 0.0:
                linked += 1
    return n, linked / pairs


def use_dense() -> None:
    """Swap the dense storage functions into every loaded `sim` module (see the docstring)."""
    here = sys.modules[__name__]
    for name in STORAGE:
        sparse = getattr(ties, name)
        for module in list(sys.modules.values()):
            in_sim = getattr(module, "__name__", "").startswith("sim")
            if in_sim and getattr(module, name, None) is sparse:
                setattr(module, name, getattr(here, name))
