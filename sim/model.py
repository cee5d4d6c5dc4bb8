"""GroupModel: a mesa Model whose members are views onto state arrays played by one kernel."""

from typing import NamedTuple

import mesa
import networkx as nx
import numpy as np

from agents import ROLES, Host, trait_table
from scenarios.schema import PLATFORM_CAP, Plan
from sim import kernels, state
from sim.calendar import KINDS, compile_calendar
from sim.constants import CONSTANTS, RHYTHM, Constants


class Levers(NamedTuple):
    """The plan as numbers the kernel reads, plus the slot layout."""

    pool_lo: int
    pool_hi: int
    spam_hi: int
    n_shills: int
    platform_cap: int
    ip_strength: float
    ip_match: float
    capacity: float
    responsiveness: float
    auto_answer: float
    company: int
    topic_value: float
    product_share: float
    interaction_share: float
    qr_influx: float
    influx_spam: float
    reward_referrer: float
    reward_referee: float
    early_hours: np.ndarray
    early_discs: np.ndarray
    fee: float
    threshold: float
    strictness: float
    mod_delay: float
    points: float
    shills_rest: int
    price: float
    quality: float
    budget: float


class GroupModel(mesa.Model):
    """One group under one plan. `step()` plays a day; `run()` plays to the horizon.

    Slots: initial members, then shills, then pool candidates, then spammer slots for QR
    influx. A run is a pure function of (plan, seed): pass `rng=seed`.
    """

    def __init__(self, plan: Plan, rng: int | None = None, constants: Constants = CONSTANTS):
        super().__init__(rng=rng)
        self.plan = plan
        self.constants = constants
        self.n_hours = plan.horizon_days * 24
        self.hour = 0
        m, pool, growth = plan.members, plan.pool, plan.growth
        self.n_initial = m.initial
        shill_lo = m.initial
        pool_lo = shill_lo + m.shills
        pool_hi = pool_lo + pool.size
        n_spam = 0
        if growth.qr_influx_per_day > 0 and growth.influx_spammer_share > 0:
            expected = growth.qr_influx_per_day * plan.horizon_days * growth.influx_spammer_share
            n_spam = min(int(expected * 1.5) + 10, 3000)
        n = pool_hi + n_spam
        self.graph = self._pool_graph(m.initial + pool.size)
        slot_of = self._slot_order(shill_lo, pool_lo)
        ptr, idx = _csr(self.graph, slot_of, n)
        self.state = state.allocate(n, kernels.N_GROUP_FIELDS, len(KINDS), ptr, idx)
        self.levers = self._levers(pool_lo, pool_hi, n)
        self.traits = trait_table()
        self._init_people(slot_of, shill_lo, pool_lo, pool_hi, n)
        self.events = compile_calendar(plan)
        self.out_h = np.zeros((kernels.N_HOURLY, self.n_hours))
        self.out_d = np.zeros((kernels.N_DAILY, plan.horizon_days))
        self.host = Host(self)
        self._n_agents = 0
        self._make_agents()

    # ---- set-up -------------------------------------------------------------------------
    def _pool_graph(self, n_nodes: int) -> nx.Graph:
        """The pool's friendships: clustered, heavy-tailed degree; segments by homophily."""
        k = max(1, self.plan.pool.mean_friends // 2)
        if n_nodes <= k:
            g = nx.complete_graph(n_nodes)
        else:
            g = nx.powerlaw_cluster_graph(n_nodes, k, 0.5, seed=int(self.rng.integers(2**31)))
        segments = self.plan.pool.segments
        order = list(nx.bfs_tree(g, 0)) if n_nodes else []
        order += [v for v in g if v not in set(order)]
        seg = {}
        for v in order:
            placed = [seg[u] for u in g[v] if u in seg]
            if placed and self.rng.random() < 0.8:
                seg[v] = placed[int(self.rng.integers(len(placed)))]
            else:
                seg[v] = int(self.rng.integers(segments))
        nx.set_node_attributes(g, seg, "segment")
        return g

    def _slot_order(self, n_initial: int, pool_lo: int) -> dict[int, int]:
        """Graph node -> slot. Initial members are friends invited together (clustered) or
        customers from a database (random), as `members.clustered` says."""
        g, clustered = self.graph, self.plan.members.clustered
        chosen: list[int] = []
        taken: set[int] = set()
        frontier: list[int] = []
        nodes = list(g)
        while len(chosen) < n_initial:
            if frontier and self.rng.random() < clustered:
                v = frontier.pop(int(self.rng.integers(len(frontier))))
            else:
                v = nodes[int(self.rng.integers(len(nodes)))]
            if v in taken:
                continue
            taken.add(v)
            chosen.append(v)
            frontier.extend(u for u in g[v] if u not in taken)
        rest = [v for v in nodes if v not in taken]
        slot_of = {v: i for i, v in enumerate(chosen)}
        slot_of.update({v: pool_lo + i for i, v in enumerate(rest)})
        return slot_of

    def _init_people(self, slot_of, shill_lo, pool_lo, pool_hi, n) -> None:
        s, c, p, rng = self.state, self.constants, self.plan, self.rng
        for v, slot in slot_of.items():
            s.segment[slot] = self.graph.nodes[v]["segment"]
        s.interest[:] = np.clip(rng.normal(p.pool.interest_mean, p.pool.interest_spread, n), 0, 1)
        s.money_sens[:] = np.clip(rng.normal(p.pool.money_sensitivity, 0.2, n), 0, 1)
        s.tolerance[:] = c.tolerance_mean * rng.lognormal(0.0, 0.4, n)
        relation = np.clip(p.pool.relation_to_host * rng.uniform(0.5, 1.5, n), 0, 1)
        s.trust[:] = c.trust_base + c.trust_from_ip * p.host.ip_strength + c.trust_from_relation * relation
        s.intrinsic[:] = c.intrinsic_interest * s.interest
        s.sentiment[:] = 0.1
        s.last_buy[:] = -1e9
        s.first_ad[:] = -1
        s.posted_day[:] = -1
        s.event_mark[:] = -1
        s.group[kernels.G_DEAD_DAY] = -1
        s.group[kernels.G_NEXT_SPAM] = pool_hi
        # M15: pre-warm days raise the pool's trust and desire before the group opens
        days = p.host.prewarm_days
        if days:
            gain = 1 - (1 - c.prewarm_trust * p.host.ip_strength * p.host.ip_match) ** days
            s.trust[:] += gain * (1 - s.trust)
            wants = 1 - (1 - c.prewarm_desire * s.interest * p.host.ip_match) ** days
            s.stage[:] = np.where(rng.random(n) < wants, state.DESIRE, state.INTEREST)
        np.clip(s.trust, 0, 1, out=s.trust)
        s.trust_end[:] = s.trust
        # roles
        m = p.members
        u = rng.random(n)
        roles = np.where(u < m.complainer_share, state.COMPLAINER,
                         np.where(u < m.complainer_share + m.lurker_share, state.LURKER, state.REGULAR))
        conn_share = m.connectors / max(m.initial, 1)
        roles = np.where((rng.random(n) < conn_share) & (roles == state.REGULAR), state.CONNECTOR, roles)
        roles[: m.native_kols] = state.KOL
        roles[m.native_kols: min(m.native_kols + m.connectors, m.initial)] = state.CONNECTOR
        roles[shill_lo:pool_lo] = state.SHILL
        roles[pool_hi:] = state.SPAMMER
        s.role[:] = roles
        s.intrinsic[roles == state.KOL] = 1.5
        # members arrive with the ties they already have
        for a, b in self.graph.edges:
            i, j = slot_of[a], slot_of[b]
            s.tie[i, j] = s.tie[j, i] = c.tie_initial
        # the initial members and the shills are in at opening; initial members are not joins
        s.status[:pool_lo] = state.IN
        s.was_member[:shill_lo] = 1
        s.ever[:pool_lo] = np.arange(pool_lo)
        s.group[kernels.G_N_EVER] = pool_lo
        s.group[kernels.G_MEMBERS] = shill_lo
        if m.seed_privileges:
            s.satisfaction[:shill_lo] += c.privilege_sat
        for i in range(shill_lo):
            s.share_w[i] = kernels.share_weight(c, self.levers, s, self.traits, i)

    def _levers(self, pool_lo: int, pool_hi: int, n: int) -> Levers:
        p, c = self.plan, self.constants
        tiers = sorted(p.growth.early_join_discounts, key=lambda t: t.by_hour)
        return Levers(
            pool_lo=pool_lo, pool_hi=pool_hi, spam_hi=n, n_shills=p.members.shills,
            platform_cap=PLATFORM_CAP[p.group.platform],
            ip_strength=p.host.ip_strength, ip_match=p.host.ip_match,
            capacity=float(p.host.capacity), responsiveness=p.host.responsiveness,
            auto_answer=c.wecom_auto_answer if p.group.platform == "wecom" else 0.0,
            company=int(p.host.operator == "company"), topic_value=p.group.topic_value,
            product_share=p.content.product_share, interaction_share=p.content.interaction_share,
            qr_influx=p.growth.qr_influx_per_day, influx_spam=p.growth.influx_spammer_share,
            reward_referrer=p.growth.referral_reward_referrer,
            reward_referee=p.growth.referral_reward_referee,
            early_hours=np.array([t.by_hour for t in tiers], dtype=np.float64),
            early_discs=np.array([t.discount for t in tiers], dtype=np.float64),
            fee=p.growth.fee, threshold=p.rules.threshold, strictness=p.rules.strictness,
            mod_delay=float(p.rules.moderation_delay_hours), points=float(p.incentives.points),
            shills_rest=int(p.members.shills_rest), price=p.economics.price,
            quality=p.economics.quality,
            budget=np.inf if p.economics.budget is None else p.economics.budget,
        )

    def _make_agents(self) -> None:
        """Create the mesa Agent for every slot that has come into the group since last time."""
        s = self.state
        n_ever = int(s.group[kernels.G_N_EVER])
        for k in range(self._n_agents, n_ever):
            slot = int(s.ever[k])
            ROLES[int(s.role[slot])](self, slot)
        self._n_agents = n_ever

    # ---- time ---------------------------------------------------------------------------
    @property
    def day(self) -> int:
        return self.hour // 24

    @property
    def finished(self) -> bool:
        return self.hour >= self.n_hours

    def advance(self, hours: int) -> None:
        """Play `hours` hours in one kernel call."""
        end = min(self.hour + hours, self.n_hours)
        if end <= self.hour:
            return
        kernels.run_hours(self.constants, self.levers, self.state, self.events, self.traits,
                          RHYTHM, self.rng, self.out_h, self.out_d, self.hour, end)
        self.hour = end
        self._make_agents()

    def step(self) -> None:
        """One day, for interactive use and pictures."""
        self.advance(24)

    def run(self) -> None:
        """The whole horizon in one call."""
        self.advance(self.n_hours - self.hour)


def _csr(graph: nx.Graph, slot_of: dict[int, int], n: int) -> tuple[np.ndarray, np.ndarray]:
    nbrs: list[list[int]] = [[] for _ in range(n)]
    for a, b in graph.edges:
        i, j = slot_of[a], slot_of[b]
        nbrs[i].append(j)
        nbrs[j].append(i)
    ptr = np.zeros(n + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(x) for x in nbrs])
    idx = np.fromiter((j for x in nbrs for j in sorted(x)), dtype=np.int64, count=int(ptr[-1]))
    return ptr, idx
