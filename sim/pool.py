"""The pool before the group opens: friendships, segments and who is invited first.

Set-up only (run once per replicate by `sim.model.GroupModel`); the hour's kernels read the
friendships as CSR arrays in the state.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

import numba
import numpy as np

if TYPE_CHECKING:  # annotations only: the graph kernels' cache does not depend on these
    from scenarios.schema import Plan
    from sim.constants import Constants


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


class Pool(NamedTuple):
    """The accounts' slot layout and the pool's friendships, before the group opens.

    Slots: initial members [0, shill_lo), shills [shill_lo, pool_lo), pool candidates
    [pool_lo, pool_hi), spammer slots for QR influx [pool_hi, spam_hi), and arrival slots
    [spam_hi, n) for people a portfolio's live code sends from another group (none in a group
    of its own; `sim.model.GroupModel.seat`). `edges` (e, 2) int64 and
    `segment` (initial + pool size,) int64 are indexed by graph node; `slot_of` maps a node to
    its slot; `ptr` (n + 1,) and `idx` are the friendships between slots as CSR.
    """

    shill_lo: int
    pool_lo: int
    pool_hi: int
    spam_hi: int
    n: int
    edges: np.ndarray
    segment: np.ndarray
    slot_of: np.ndarray
    ptr: np.ndarray
    idx: np.ndarray


def slot_count(plan: "Plan", arrivals: int = 0) -> int:
    """Slots of a run: initial members, shills, pool candidates, spammer slots for QR influx
    (1.5 × the expected spammers + 10, at most 3000) and `arrivals` arrival slots."""
    growth = plan.growth
    n_spam = 0
    if growth.qr_influx_per_day > 0 and growth.influx_spammer_share > 0:
        expected = growth.qr_influx_per_day * plan.horizon_days * growth.influx_spammer_share
        n_spam = min(int(expected * 1.5) + 10, 3000)
    return plan.members.initial + plan.members.shills + plan.pool.size + n_spam + arrivals


def build(plan: "Plan", constants: "Constants", stream: Callable[[str], np.random.Generator],
          arrivals: int = 0) -> Pool:
    """The pool of a plan: clustered, heavy-tailed friendships (Holme-Kim), segments by
    homophily, and the initial members invited together (clustered) or pulled from a database.
    `stream(purpose)` gives the set-up stream for "graph", "segments" and "initial";
    `arrivals` arrival slots (no friendships) end the layout."""
    m, pool = plan.members, plan.pool
    shill_lo = m.initial
    pool_lo = shill_lo + m.shills
    pool_hi = pool_lo + pool.size
    n = slot_count(plan, arrivals)
    n_nodes = m.initial + pool.size
    k = max(1, pool.mean_friends // 2)
    edges = (holme_kim(n_nodes, min(k, max(n_nodes - 1, 1)), constants.friend_triads,
                       stream("graph"))
             if n_nodes > 1 else np.empty((0, 2), dtype=np.int64))
    node_ptr, node_idx = csr(edges, n_nodes)
    segment = homophilous_segments(node_ptr, node_idx, pool.segments,
                                   constants.segment_homophily, stream("segments"))
    initial = pick_initial(node_ptr, node_idx, m.initial, m.clustered, stream("initial"))
    slot_of = np.empty(n_nodes, dtype=np.int64)
    slot_of[initial] = np.arange(m.initial)
    rest = np.ones(n_nodes, dtype=bool)
    rest[initial] = False
    slot_of[rest] = pool_lo + np.arange(pool.size)
    ptr, idx = csr(slot_of[edges], n)
    return Pool(shill_lo, pool_lo, pool_hi, n - arrivals, n, edges, segment, slot_of, ptr, idx)


@numba.njit(cache=True)
def csr(edges, n):
    """Adjacency of an undirected edge list (e, 2) over n nodes as CSR: row pointers (n + 1,)
    and each row's neighbours in ascending order (2e,), both int64 (a counting sort by source,
    then each row sorted)."""
    ptr = np.zeros(n + 1, dtype=np.int64)
    for e in range(edges.shape[0]):
        ptr[edges[e, 0] + 1] += 1
        ptr[edges[e, 1] + 1] += 1
    for v in range(n):
        ptr[v + 1] += ptr[v]
    fill = ptr[:-1].copy()
    idx = np.empty(ptr[n], dtype=np.int64)
    for e in range(edges.shape[0]):
        a, b = edges[e, 0], edges[e, 1]
        idx[fill[a]] = b
        fill[a] += 1
        idx[fill[b]] = a
        fill[b] += 1
    for v in range(n):
        idx[ptr[v]:ptr[v + 1]].sort()
    return ptr, idx
