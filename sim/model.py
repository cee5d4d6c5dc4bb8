"""GroupModel: a mesa Model whose members are views onto state arrays played by the kernels.

Set-up reads model -> pool (`sim/pool.py`) -> state (`sim/state.py`) -> roles (`agents/`) ->
calendar (`sim/calendar.py`); `advance` hands the context to the kernels (`sim/hour.py`), and
`sim/metrics.py` reads the results.
"""

import functools
from collections.abc import Callable
from typing import NamedTuple

import mesa
import networkx as nx
import numpy as np

from agents import ADVERTISER, ROLES, Host, Setup, assign_roles, trait_table
from scenarios.schema import HOST_ACCOUNTS, PLATFORM_CAP, QR_SCAN_STOP, QR_VALID_DAYS, Plan
from sim import pool, state
from sim.calendar import compile_calendar
from sim.codes import (
    DAILY, DESIRE, G_ACCOUNTS, G_BUDGET_OUT_HOUR, G_DEAD_DAY, G_MEMBERS, G_N_EVER, G_N_LIVE,
    G_NEXT_SEAT, G_NEXT_SPAM, HOURLY, IN, INTEREST, T_MOTIVE_FLOOR,
)
from sim.constants import CONSTANTS, RHYTHM, Constants
from sim.core import Ctx, fill_tables
from sim.hour import run_hours
from sim.profile import Profile
from sim.joins import refresh_share_weights
from sim.ties import seed_friendships

# Set-up draws: one independent stream per purpose, so changing one lever (say, the pre-warm
# days) leaves every other draw of the replicate as it was (paired comparisons). A new purpose
# is appended, so the existing ones keep their streams.
STREAMS = {name: purpose for purpose, name in enumerate((
    "graph", "segments", "initial", "interest", "money", "tolerance", "relation", "prewarm",
    "roles", "connectors", "voice", "wtp", "cycle", "need"))}


PERSON_DRAWS = ("interest", "money", "tolerance", "relation", "voice", "wtp", "cycle", "need_now",
                "need_when", "prewarm")
"""What a person brings to every group they are a candidate of (the rows of `person_draws`):
standard normals (interest, money), uniforms (relation, need_now, need_when, prewarm) and
lognormal multipliers whose spreads are constants, not levers (tolerance, voice, wtp, cycle);
a plan maps them to traits in `GroupModel._init_people`."""


def person_draws(stream: Callable[[str], np.random.Generator], n: int,
                 c: Constants = CONSTANTS) -> np.ndarray:
    """(len(PERSON_DRAWS), n) float64: `n` people's draws, each row from `stream(purpose)`.

    A group draws its own slots' with its set-up streams (so draws without a portfolio are the
    ones they always were); a portfolio draws its people's once and hands each group those of
    its candidates (`GroupModel(people=...)`)."""
    out = np.empty((len(PERSON_DRAWS), n))
    row = {name: out[k] for k, name in enumerate(PERSON_DRAWS)}
    row["interest"][:] = stream("interest").standard_normal(n)
    row["money"][:] = stream("money").standard_normal(n)
    row["tolerance"][:] = stream("tolerance").lognormal(0.0, c.tolerance_spread, n)
    row["relation"][:] = stream("relation").random(n)
    row["voice"][:] = stream("voice").lognormal(-c.voice_spread**2 / 2, c.voice_spread, n)
    row["wtp"][:] = stream("wtp").lognormal(0.0, c.wtp_spread, n)
    row["cycle"][:] = stream("cycle").lognormal(0.0, c.cycle_spread, n)
    out[PERSON_DRAWS.index("need_now"):PERSON_DRAWS.index("need_when") + 1] = (
        stream("need").random((2, n)))
    row["prewarm"][:] = stream("prewarm").random(n)
    return out


class Levers(NamedTuple):
    """The plan as numbers the kernel reads, plus the slot layout."""

    key: int  # the run's random key (see sim.core.rand)
    pool_lo: int
    pool_hi: int
    spam_hi: int
    route_invites: int  # 1: an invitation accepted while the group is full waits in `routed`
    n_shills: int
    platform_cap: int  # accounts, the host's included
    qr_stop: int  # accounts from which a QR scan no longer joins (the cap if none)
    qr_valid_hours: float  # hours a posted QR code admits scans (inf: never expires)
    qr_repost_hours: float  # hours between postings of a fresh code (0: posted once, at opening)
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
    reference_price: float  # the product's market price (economics.market_price)
    repurchase_hours: float
    quality: float
    budget: float
    defect_role: int  # the role a dissatisfied member who stays turns into (M10)


class GroupModel(mesa.Model):
    """One group under one plan. `step()` plays a day; `run()` plays to the horizon.

    Slots: initial members, then shills, then pool candidates, then spammer slots for QR
    influx. A run is a pure function of (plan, seed, profile, people): pass `rng=seed`.
    `people` ((len(PERSON_DRAWS), members.initial + pool.size) float64, `person_draws` of the
    people behind the pool graph's nodes) replaces the group's own draws of those slots' traits
    (a portfolio's shared pool, sim/portfolio.py); `slot_of` maps a node to its slot.
    `arrivals` arrival slots take people a portfolio's live code sends from another group
    (`seat`); with any, an invitation accepted while the group is full is kept for the
    portfolio to route (`State.routed`) rather than lost.
    """

    def __init__(self, plan: Plan, rng: int | None = None, constants: Constants = CONSTANTS,
                 profile: Profile | None = None, people: np.ndarray | None = None,
                 arrivals: int = 0):
        super().__init__(rng=rng)
        if profile is not None:  # an audience's behaviour (sim/profile.py) over `constants`
            plan, constants = profile.apply_plan(plan), profile.constants(constants)
        self.profile = profile
        self.key = int(self.rng.integers(2**62))
        self.plan = plan
        self.constants = constants
        self.n_hours = plan.horizon_days * 24
        self.hour = 0
        self.n_initial = plan.members.initial
        self.pool = pool.build(plan, constants, self.stream, arrivals)
        nodes = plan.members.initial + plan.pool.size
        if people is not None and people.shape != (len(PERSON_DRAWS), nodes):
            raise ValueError(f"people must be (len(PERSON_DRAWS), members.initial + pool.size) = "
                             f"({len(PERSON_DRAWS)}, {nodes}), not {people.shape}")
        self.people = people
        self.slot_of = self.pool.slot_of
        self.state = state.allocate(self.pool.n, self.pool.ptr, self.pool.idx, self.n_hours)
        self.levers = self._levers(self.pool)
        fill_tables(constants, self.levers, self.state)
        self.traits = trait_table()
        self._init_people()
        self.events = compile_calendar(plan)
        self.out_h = np.zeros((len(HOURLY), self.n_hours))
        self.out_d = np.zeros((len(DAILY), plan.horizon_days))
        self.ctx = Ctx(constants, self.levers, self.state, self.traits, self.out_h, self.out_d,
                       self.events, RHYTHM if profile is None else profile.rhythm())
        refresh_share_weights(self.ctx, 0)
        self.host = Host(self)
        self._n_agents = 0
        self._kernel = self._first_call

    # ---- set-up -------------------------------------------------------------------------
    def stream(self, purpose: str) -> np.random.Generator:
        """The set-up stream for one purpose (a name in `STREAMS`), derived from the run's key."""
        return np.random.default_rng([self.key, STREAMS[purpose]])

    def _init_people(self) -> None:
        s, pl = self.state, self.pool
        s.segment[self.slot_of] = pl.segment
        s.role[:] = assign_roles(Setup(self.plan, pl.n, pl.shill_lo, pl.pool_lo, pl.pool_hi,
                                       pl.spam_hi, self.stream))
        d = person_draws(self.stream, pl.spam_hi, self.constants)
        if self.people is not None:  # the people of a portfolio (sim/portfolio.py) on the nodes
            d[:, self.slot_of] = self.people
        self._set_traits(np.arange(pl.spam_hi), d, 0)
        for field in ("first_ad", "posted_day", "conv_day", "invited_by", "left_hour",
                      "muted_hour"):
            getattr(s, field)[:] = -1
        s.group[G_DEAD_DAY] = -1
        s.group[G_BUDGET_OUT_HOUR] = -1
        s.group[G_NEXT_SPAM] = pl.pool_hi
        s.group[G_NEXT_SEAT] = pl.spam_hi
        # members arrive with the ties they already have
        c, p, shill_lo, pool_lo = self.constants, self.plan, pl.shill_lo, pl.pool_lo
        seed_friendships(s, c.tie_initial)
        # the initial members and the shills are in at opening; initial members are not joins
        s.status[:pool_lo] = IN
        s.was_member[:shill_lo] = 1
        s.ever[:pool_lo] = s.live[:pool_lo] = s.live_at[:pool_lo] = np.arange(pool_lo)
        s.group[G_N_EVER] = s.group[G_N_LIVE] = pool_lo
        s.group[G_MEMBERS] = shill_lo
        s.group[G_ACCOUNTS] = pool_lo + HOST_ACCOUNTS
        if p.members.seed_privileges:
            s.satisfaction[:shill_lo] += c.privilege_sat

    def _set_traits(self, slots: np.ndarray, d: np.ndarray, hour: int) -> None:
        """Write into `slots` ((k,) int64) the traits of the people with draws `d`
        ((len(PERSON_DRAWS), k), `person_draws`) as the plan maps them (the slots' roles are
        set), their first need counted from `hour`."""
        s, c, p = self.state, self.constants, self.plan
        draw = dict(zip(PERSON_DRAWS, d))
        interest = np.clip(p.pool.interest_mean + p.pool.interest_spread * draw["interest"], 0, 1)
        s.interest[slots] = interest
        s.money_sens[slots] = np.clip(
            p.pool.money_sensitivity + c.money_sens_spread * draw["money"], 0, 1)
        s.tolerance[slots] = c.tolerance_mean * draw["tolerance"]
        lo, hi = 1 - c.relation_spread, 1 + c.relation_spread
        relation = np.clip(p.pool.relation_to_host * (lo + (hi - lo) * draw["relation"]), 0, 1)
        trust = c.trust_base + c.trust_from_ip * p.host.ip_strength + c.trust_from_relation * relation
        s.intrinsic[slots] = np.maximum(c.intrinsic_interest * interest,
                                        self.traits[s.role[slots], T_MOTIVE_FLOOR])
        # M21: a heavy-tailed voice with mean 1; M19: willingness to pay, personal repurchase
        # cycles, and who needs the product on opening day
        s.voice[slots] = draw["voice"]
        s.wtp[slots] = draw["wtp"]
        s.cycle[slots] = draw["cycle"]
        first_need = draw["need_when"] * self.levers.repurchase_hours * draw["cycle"]
        s.need_at[slots] = hour + np.where(draw["need_now"] < c.initial_need_share, 0.0,
                                           first_need)
        s.opinion[slots] = 1.0
        s.sentiment[slots] = 0.1
        # M15: pre-warm days raise the pool's trust and desire before the group opens
        days = p.host.prewarm_days
        if days:
            gain = 1 - (1 - c.prewarm_trust * p.host.ip_strength * p.host.ip_match) ** days
            trust = trust + gain * (1 - trust)
            wants = 1 - (1 - c.prewarm_desire * interest * p.host.ip_match) ** days
            s.stage[slots] = np.where(draw["prewarm"] < wants, DESIRE, INTEREST)
        s.trust[slots] = s.trust_end[slots] = np.clip(trust, 0, 1)

    def seat(self, draws: np.ndarray, segment: int) -> int | None:
        """Give an arrival slot to a person a portfolio's live code sends here (draws
        (len(PERSON_DRAWS),), `person_draws`; `segment`, theirs in the group that sent them,
        kept below this plan's `pool.segments`): their traits as this plan maps them, needs
        counted from now. The slot, or None when every arrival slot is taken."""
        slot = int(self.state.group[G_NEXT_SEAT])
        if slot >= self.pool.n:
            return None
        self.state.group[G_NEXT_SEAT] += 1
        self._set_traits(np.array([slot]), draws[:, None], self.hour)
        self.state.segment[slot] = min(segment, self.plan.pool.segments - 1)
        return slot

    def _levers(self, pl: pool.Pool) -> Levers:
        p, c = self.plan, self.constants
        tiers = sorted(p.growth.early_join_discounts, key=lambda t: t.by_hour)
        e = p.economics
        # platform rules of QR joins (docs/model.md, Platforms); a live code (活码) lifts both
        cap, live = PLATFORM_CAP[p.group.platform], p.growth.live_code
        stop, valid = QR_SCAN_STOP[p.group.platform], QR_VALID_DAYS[p.group.platform]
        return Levers(
            key=self.key, pool_lo=pl.pool_lo, pool_hi=pl.pool_hi, spam_hi=pl.spam_hi,
            route_invites=int(pl.n > pl.spam_hi), n_shills=p.members.shills,
            platform_cap=cap, qr_stop=cap if live or stop is None else stop,
            qr_valid_hours=np.inf if live or valid is None else 24.0 * valid,
            qr_repost_hours=24.0 * (p.growth.qr_repost_days or 0),
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
            shills_rest=int(p.members.shills_rest), price=e.price,
            reference_price=e.market_price,
            repurchase_hours=24.0 * e.repurchase_days, quality=e.quality,
            budget=np.inf if e.budget is None else e.budget, defect_role=ADVERTISER.role_id,
        )

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """Every agent: the host, and one view per account that has been in the group."""
        self._make_agents()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type[mesa.Agent], mesa.agent.AgentSet]:
        """The agents by class (their role when first read)."""
        self._make_agents()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type[mesa.Agent]]:
        """The agents' classes."""
        self._make_agents()
        return super().agent_types

    def _make_agents(self) -> None:
        """Create the mesa Agent of every account that has come into the group since the last
        call (in join order, as it is read: runs do not need them)."""
        s = self.state
        n_ever = int(s.group[G_N_EVER])
        for k in range(self._n_agents, n_ever):
            slot = int(s.ever[k])
            ROLES[int(s.role[slot])](self, slot)
        self._n_agents = n_ever

    @functools.cached_property
    def graph(self) -> nx.Graph:
        """The pool's friendship graph (node = candidate, attribute `segment`), for looking at;
        the kernel reads the same friendships as arrays."""
        g = nx.Graph()
        g.add_nodes_from((v, {"segment": int(seg)}) for v, seg in enumerate(self.pool.segment))
        g.add_edges_from(self.pool.edges.tolist())
        return g

    # ---- time ---------------------------------------------------------------------------
    @property
    def day(self) -> int:
        return self.hour // 24

    @property
    def finished(self) -> bool:
        return self.hour >= self.n_hours

    def advance(self, hours: int) -> None:
        """Play `hours` hours (fewer at the horizon, none past it) in one kernel call."""
        end = min(self.hour + hours, self.n_hours)
        if end <= self.hour:
            return
        self._kernel(self.ctx, self.hour, end)
        self.hour = end

    def _first_call(self, ctx: Ctx, start: int, end: int) -> None:
        """The model's first kernel call, through numba's dispatcher, which types the context
        (~25 µs a call: portfolios advance each group a day at a time). When the kernel has one
        compiled version, it is the one that took this context, and later calls enter it
        directly (~5 µs; it releases the GIL as the dispatcher's call does); else (or without
        the JIT, NUMBA_DISABLE_JIT) every call goes through `run_hours` as it is."""
        run_hours(ctx, start, end)
        compiled = getattr(run_hours, "overloads", {})
        self._kernel = (next(iter(compiled.values())).entry_point if len(compiled) == 1
                        else run_hours)

    def step(self) -> None:
        """One day, for interactive use and pictures."""
        self.advance(24)

    def run(self) -> None:
        """The whole horizon in one call."""
        self.advance(self.n_hours - self.hour)

