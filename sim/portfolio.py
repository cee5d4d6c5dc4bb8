"""PortfolioModel: the groups of a portfolio (社群矩阵) and what couples them.

The portfolio draws its people once (`sim.model.person_draws`); each copy's initial members and
candidates are a sample of them (without replacement within the copy), so a person can be a
candidate of several copies, join several, and brings the same traits to each (mapped through
each copy's plan). Friendships stay each copy's own graph. The copies advance one portfolio day
at a time, side by side in threads (a day's copies are independent); at each day's end, in one
thread and a fixed order, the coupling runs:

1. trust in a host is the person's: the day's changes of a person's trust in all the copies of
   one host are summed onto their shared trust (clipped to [0, 1]) and written back to them;
   a copy that opens takes its people's shared trust in its host;
2. host capacity split: a host's posts per day, with its staff's, are split evenly over its open
   copies (opened, within their horizon, not yet known dead);
3. live code (活码): the QR scans of the open copies go to the first open copy with room below
   the live code's fill (`Portfolio.live_code_fill`, else the platform's 200-account scan
   stop), at most its room and its candidates still outside in a day, then to the next; and the people who accepted a member's
   invitation while that member's copy was full go the same way, joining the next day
   (`_route`; arrival slots seat those who are not candidates there).

Relayed lectures (转播) are already in the copies' calendars (`scenarios.portfolio`). A copy is
open from its opening day until its horizon, or until its death is known (14 quiet days after
the day it died).

A copy that shares nothing with the others (its host runs no other copy, and the portfolio has
no live code) needs no coupling but its capacity, which changes only when its death becomes
known; it is advanced several days per kernel call (`days_ahead`), never past the first day
that could happen, so the tables are those of a day-by-day play (tested). The result is the
same for any number of threads.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scenarios.portfolio import Portfolio, Targets
from scenarios.schema import PLATFORM_CAP, QR_SCAN_STOP
from sim.codes import (
    DEAD_AFTER_QUIET_DAYS, G_ACCOUNTS, G_DEAD_DAY, G_N_ARRIVALS, G_N_ROUTED, G_QUIET_RUN, OUT,
)
from sim.constants import CONSTANTS, Constants
from sim.model import PERSON_DRAWS, STREAMS, GroupModel, person_draws
from sim.run import advance_together, result_columns

DEAD_KNOWN_AFTER = DEAD_AFTER_QUIET_DAYS
"""Days from a copy's death day until the host knows (its 14th quiet day has ended: the death
day is set then, back-dated, sim.day)."""
_RELATION = PERSON_DRAWS.index("relation")


@dataclass
class Day:
    """What the coupling did on one portfolio day (the portfolio's daily table)."""

    open_groups: int
    qr_scans: float  # scans the live code routed (0 without one)
    qr_scans_lost: float  # scans no open copy had room or candidates for (0 without one)
    invites_sent: int  # people invited into a full copy whom the live code sent to another
    # (one who finds that copy full by then is sent on again, and counted again)
    invites_lost: int  # people invited into a full copy whom it could place nowhere
    weekly_costs: float  # hosts' and staff's weekly costs accrued this day, yuan


class PortfolioModel:
    """A portfolio played with `seed`: `copies[j]` is copy j's GroupModel, `person_of_slot[j]`
    (its slots,) int64 the person behind each slot (-1 for shills and spammer slots).

    `run()` plays every day; `days` then holds the coupling's record per portfolio day.
    """

    def __init__(self, portfolio: Portfolio, seed: int, threads: int = 1,
                 constants: Constants = CONSTANTS):
        if threads < 1:
            raise ValueError(f"threads must be at least 1, not {threads}")
        self.portfolio, self.threads, self.day = portfolio, threads, 0
        root = np.random.SeedSequence([seed, 0x5041])  # the portfolio's own streams
        key = int(root.generate_state(1, np.uint64)[0] >> np.uint64(2))
        names = [h.name for h in portfolio.hosts]
        self.host_of = np.array([names.index(c.host) for c in portfolio.copies])
        people = person_draws(lambda purpose: np.random.default_rng([key, STREAMS[purpose]]),
                              portfolio.pool_size, constants)
        n_copies = np.bincount(self.host_of, minlength=len(names))
        shared_hosts = np.flatnonzero(n_copies > 1)
        live = portfolio.live_code
        # copies coupled to no other (see the module docstring), and the portfolio day up to
        # which each copy has been played
        self.alone = (n_copies[self.host_of] == 1) & (not portfolio.live_code)
        self.played = np.array([c.open_day for c in portfolio.copies])
        # a person's relation to each host is their own: drawn for all people of a host with
        # several copies or behind a live code (anyone may be sent to any of its groups), for
        # the sampled ones of a host with one
        relation = {h: np.random.default_rng([key, len(STREAMS), h]).random(portfolio.pool_size)
                    for h in (range(len(names)) if live else shared_hosts)}
        # with a live code: everyone's draws (a person sent to another group takes theirs
        # there), and each copy's slot of each of its people
        self.people = people if live else None
        self.relation = relation
        self.slot_of_person: list[dict[int, int]] = []
        self.sent: list[set[int]] = [set() for _ in portfolio.copies]
        self.queued = np.zeros(len(portfolio.copies), dtype=np.int64)
        self.copies: list[GroupModel] = []
        self.person_of_slot: list[np.ndarray] = []
        for j, copy in enumerate(portfolio.copies):
            nodes = copy.plan.members.initial + copy.plan.pool.size
            sample = np.random.default_rng([key, len(STREAMS) + 1, j]).choice(
                portfolio.pool_size, nodes, replace=False)
            drawn = people[:, sample]
            h = self.host_of[j]
            drawn[_RELATION] = (relation[h][sample] if h in relation else
                                np.random.default_rng([key, len(STREAMS), h]).random(nodes))
            group_seed = int(np.random.SeedSequence([seed, j]).generate_state(1, np.uint64)[0]
                             >> np.uint64(2))
            model = GroupModel(copy.plan, rng=group_seed, constants=constants, people=drawn,
                               arrivals=self.fill(j) if live else 0)
            of_slot = np.full(model.pool.n, -1, dtype=np.int64)
            of_slot[model.slot_of] = sample
            self.copies.append(model)
            self.person_of_slot.append(of_slot)
            if live:
                self.slot_of_person.append(dict(zip(sample.tolist(), model.slot_of.tolist())))
        # people's shared trust in each host with several copies (NaN: not yet known)
        self.trust = {h: np.full(portfolio.pool_size, np.nan) for h in shared_hosts}
        self.opened = np.zeros(len(self.copies), dtype=bool)
        self.days: list[Day] = []
        hosts = {h.name: h for h in portfolio.hosts}
        self.capacity = np.array([float(hosts[n].capacity) for n in names])
        self.weekly_cost = np.array([hosts[n].weekly_cost for n in names])
        for s in portfolio.staff:
            self.capacity[names.index(s.host)] += s.capacity
            self.weekly_cost[names.index(s.host)] += s.weekly_cost

    # ---- the day's coupling ---------------------------------------------------------------
    def is_open(self, j: int, day: int | None = None) -> bool:
        """Copy j is open on portfolio `day` (default today): opened, within its horizon, and
        not known to be dead."""
        copy, model = self.portfolio.copies[j], self.copies[j]
        local = (self.day if day is None else day) - copy.open_day
        dead = int(model.state.group[G_DEAD_DAY])
        return (0 <= local < model.plan.horizon_days
                and not (dead >= 0 and local >= dead + DEAD_KNOWN_AFTER))

    def fill(self, j: int) -> int:
        """Accounts at which the live code moves on from copy j: `live_code_fill`, else the
        platform's scan stop (the cap where there is none), at most the cap."""
        platform = self.portfolio.copies[j].plan.group.platform
        cap = PLATFORM_CAP[platform]
        return min(self.portfolio.live_code_fill or QR_SCAN_STOP[platform] or cap, cap)

    def days_ahead(self, j: int) -> int:
        """Days copy j can be played from today in one kernel call: 1 if it is coupled to
        another copy; else to its horizon once it is closed for good (known dead: its levers
        no longer change), or until its death could first become known (14 days less its
        current run of quiet days; sim.day)."""
        if not self.alone[j]:
            return 1
        model = self.copies[j]
        left = model.plan.horizon_days - (self.day - self.portfolio.copies[j].open_day)
        if model.state.group[G_DEAD_DAY] >= 0:
            return left
        return min(left, DEAD_AFTER_QUIET_DAYS - int(model.state.group[G_QUIET_RUN]))

    def _open_new(self, playing: list[int]) -> None:
        """Copies opening today take their people's shared trust in their host."""
        for j in playing:
            if self.opened[j] or self.host_of[j] not in self.trust:
                continue
            self.opened[j] = True
            self._take_shared_trust(j, np.flatnonzero(self.person_of_slot[j] >= 0))

    def _take_shared_trust(self, j: int, slots: np.ndarray) -> None:
        """The people in copy j's `slots` take their shared trust in its host where it is known,
        and make it known where it is not."""
        shared = self.trust[self.host_of[j]]
        people = self.person_of_slot[j][slots]
        trust = self.copies[j].state.trust
        known = ~np.isnan(shared[people])
        trust[slots[known]] = shared[people[known]]
        shared[people[~known]] = trust[slots[~known]]

    def _levers(self, playing: list[int], open_: list[int]) -> tuple[float, float]:
        """Set today's capacity (split) and QR influx (live code) of the copies playing. With
        a live code, a copy takes at most its room and its candidates still outside (the scans
        of a copy are drawn from its candidates, sim.joins); returns (scans routed, scans no
        copy could take)."""
        n_open = np.bincount(self.host_of[open_], minlength=len(self.capacity))
        open_ = set(open_)
        routed = 0.0
        scans = sum(self.portfolio.copies[j].plan.growth.qr_influx_per_day for j in sorted(open_))
        for j in self._in_opening_order(playing):
            model, h = self.copies[j], self.host_of[j]
            changes = {"capacity": self.capacity[h] / n_open[h] if j in open_ else 0.0}
            if self.portfolio.live_code:
                lv = model.levers
                outside = int(np.count_nonzero(model.state.status[lv.pool_lo:lv.pool_hi] == OUT))
                room = max(min(self.room(j), outside), 0)
                give = min(scans - routed, float(room)) if j in open_ else 0.0
                changes["qr_influx"] = give
                routed += give
            model.levers = model.levers._replace(**changes)
            model.ctx = model.ctx._replace(lv=model.levers)
        return routed, (scans - routed if self.portfolio.live_code else 0.0)

    def _in_opening_order(self, copies: list[int]) -> list[int]:
        """`copies` by opening day (then index): the order the live code fills them in."""
        return sorted(copies, key=lambda j: (self.portfolio.copies[j].open_day, j))

    def room(self, j: int) -> int:
        """Accounts copy j can still take through the live code: its fill less its accounts
        and the people already sent to it for the next day."""
        return self.fill(j) - int(self.copies[j].state.group[G_ACCOUNTS]) - int(self.queued[j])

    def _route(self, playing: list[int]) -> tuple[int, int]:
        """Send on the invitations accepted today in full copies (`State.routed`; also people
        sent yesterday who found their copy full by then): each person goes through the live
        code to the first copy open tomorrow (by opening day) with room, to join it at the same
        hour tomorrow (in their candidate slot there if they are one, else in an arrival slot
        with their traits as its plan maps them, `GroupModel.seat`). A person sent there before,
        or finding no copy with room or no free arrival slot, is lost. Returns (sendings, people
        lost)."""
        tomorrow = [j for j in range(len(self.copies)) if self.is_open(j, self.day + 1)]
        order = self._in_opening_order(tomorrow)
        sent = lost = 0
        for a in self._in_opening_order(playing):
            s = self.copies[a].state
            rows = s.routed[:int(s.group[G_N_ROUTED])].copy()
            s.group[G_N_ROUTED] = 0
            for slot, hour in rows[np.argsort(rows[:, 1], kind="stable")]:
                # the same hour tomorrow, on the portfolio's clock
                when = int(hour) + 24 * (self.portfolio.copies[a].open_day + 1)
                b = next((b for b in order if b != a and self.room(b) > 0), None)
                if b is None or not self._send(int(self.person_of_slot[a][slot]), b,
                                               when - 24 * self.portfolio.copies[b].open_day,
                                               int(s.segment[slot])):
                    lost += 1
                    continue
                sent += 1
        return sent, lost

    def _send(self, person: int, b: int, hour: int, segment: int) -> bool:
        """Queue `person` (of `segment` where they were invited) to join copy b at its own
        `hour`; False if they cannot (sent there before, in or gone from it, no free arrival
        slot)."""
        model, s = self.copies[b], self.copies[b].state
        if person in self.sent[b]:
            return False
        self.sent[b].add(person)
        slot = self.slot_of_person[b].get(person)
        if slot is None:
            draws = self.people[:, person].copy()
            draws[_RELATION] = self.relation[self.host_of[b]][person]
            slot = model.seat(draws, segment)
            if slot is None:
                return False
            self.slot_of_person[b][person] = slot
            self.person_of_slot[b][slot] = person
            if self.host_of[b] in self.trust:
                self._take_shared_trust(b, np.array([slot]))
        if s.status[slot] != OUT:
            return False
        x = int(s.group[G_N_ARRIVALS])
        s.arrivals[x] = (slot, hour)
        s.group[G_N_ARRIVALS] += 1
        self.queued[b] += 1
        return True

    def _share_trust(self, playing: list[int]) -> None:
        """Sum each person's trust changes over the copies of one host onto their shared trust
        and write it back to all of them."""
        for h in np.unique(self.host_of[playing]):
            if h not in self.trust:  # one copy: nothing to share
                continue
            mine = [j for j in playing if self.host_of[j] == h]
            shared = self.trust[h]
            slots = [np.flatnonzero(self.person_of_slot[j] >= 0) for j in mine]
            people = np.concatenate([self.person_of_slot[j][s] for j, s in zip(mine, slots)])
            now = np.concatenate([self.copies[j].state.trust[s] for j, s in zip(mine, slots)])
            change = np.bincount(people, weights=now - shared[people], minlength=shared.size)
            seen = np.bincount(people, minlength=shared.size) > 0
            shared[seen] = np.clip(shared[seen] + change[seen], 0.0, 1.0)
            for j, s in zip(mine, slots):
                self.copies[j].state.trust[s] = shared[self.person_of_slot[j][s]]

    # ---- time -----------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.day >= self.portfolio.days

    def step(self) -> None:
        """One portfolio day: open, set levers, advance the copies due today (in `threads`
        threads, `sim.run.advance_together`; a copy coupled to no other by `days_ahead`, the
        others a day), couple."""
        copies = self.portfolio.copies
        playing = [j for j in range(len(copies))
                   if 0 <= self.day - copies[j].open_day < self.copies[j].plan.horizon_days]
        open_ = [j for j in playing if self.is_open(j)]
        self._open_new(playing)
        due = [j for j in playing if self.played[j] == self.day]
        routed, scans_lost = self._levers(due, open_)
        days = [self.days_ahead(j) for j in due]
        advance_together([self.copies[j] for j in due], [24 * d for d in days], self.threads)
        self.played[due] += np.array(days, dtype=np.int64)
        self.queued[:] = 0  # yesterday's arrivals have come
        sent, lost = self._route(playing) if self.portfolio.live_code else (0, 0)
        self._share_trust(playing)
        hosts_open = np.unique(self.host_of[open_]) if open_ else np.array([], dtype=np.int64)
        self.days.append(Day(len(open_), routed, scans_lost, sent, lost,
                             float(self.weekly_cost[hosts_open].sum()) / 7))
        self.day += 1

    def run(self) -> None:
        """Every portfolio day."""
        while not self.finished:
            self.step()


@dataclass
class PortfolioResult:
    """One replicate of a portfolio.

    daily: one row per copy and day of its own life (`day` 0 is its opening), led by `group`
    and `open_day` (the portfolio day it opened); summary: one row per copy (`group`, `family`,
    `host`, `open_day`, the single-group summary, `meets_targets` and `meets_<target>` for
    each stated target); members: one row per copy
    and account that was ever a member, with `person` (the portfolio's person, -1 for none);
    portfolio: the replicate's portfolio summary (`portfolio_summary`); days: one row per
    portfolio day (`Day`'s fields).
    """

    daily: pd.DataFrame
    summary: pd.DataFrame
    members: pd.DataFrame
    portfolio: dict
    days: pd.DataFrame


TARGETS = ("alive_week", "members", "weekly_gmv")
"""The targets a portfolio may state (`scenarios.portfolio.Targets`), in order."""


def target_results(daily: Mapping[str, Any], targets: Targets,
                   horizon_weeks: int) -> dict[str, bool]:
    """Each stated target (names of `TARGETS`) and whether one copy's daily table (or its
    columns, `sim.metrics.daily_columns`) meets it over its first `targets.weeks(horizon_weeks)`
    weeks: alive at their end, members at their end at least `members`, mean GMV per week over
    them at least `weekly_gmv`."""
    end = 7 * targets.weeks(horizon_weeks)
    met = {"alive_week": lambda: np.asarray(daily["alive"])[end - 1],
           "members": lambda: np.asarray(daily["members"])[end - 1] >= targets.members,
           "weekly_gmv": lambda: np.asarray(daily["gmv"])[:end].sum() / (end // 7)
           >= targets.weekly_gmv}
    return {name: bool(met[name]()) for name in TARGETS if getattr(targets, name) is not None}


def meets_targets(daily: Mapping[str, Any], targets: Targets, horizon_weeks: int) -> bool:
    """Whether one copy's daily table meets every stated target (`target_results`)."""
    return all(target_results(daily, targets, horizon_weeks).values())


def simulate_portfolio(portfolio: Portfolio, seed: int, threads: int = 1,
                       constants: Constants = CONSTANTS) -> PortfolioResult:
    """Play one replicate of `portfolio` with `seed` in `threads` threads (the same tables for
    any number) and return its tables (`PortfolioResult`)."""
    model = PortfolioModel(portfolio, seed, threads, constants)
    model.run()
    return portfolio_result(model, seed)


def portfolio_result(model: PortfolioModel, seed: int) -> PortfolioResult:
    """The tables of a portfolio played to its end (`seed` is each copy's summary `seed`)."""
    portfolio = model.portfolio
    daily, summary, members = [], [], []
    for copy, group, of_slot in zip(portfolio.copies, model.copies, model.person_of_slot):
        days, result, people = result_columns(group, seed)
        people["person"] = of_slot[people["slot"]]
        daily.append(days)
        members.append(people)
        met = target_results(days, portfolio.targets, copy.plan.group.weeks)
        summary.append({"group": copy.name, "open_day": copy.open_day, "family": copy.family,
                        "host": copy.host, **result, "meets_targets": all(met.values()),
                        **{f"meets_{name}": value for name, value in met.items()}})
    summary = pd.DataFrame(summary)
    days = pd.DataFrame([vars(d) for d in model.days]).rename_axis("day").reset_index()
    daily, members = _joined(portfolio, daily, "day"), _joined(portfolio, members, "slot")
    return PortfolioResult(daily, summary, members,
                           portfolio_summary(portfolio, summary, members, days), days)


def _joined(portfolio: Portfolio, tables: list[dict], rows: str) -> pd.DataFrame:
    """One table of the copies' columns (`tables`, one dict per copy; `rows` names a column
    with one value per row), led by each row's `group` and `open_day`."""
    lengths = [len(t[rows]) for t in tables]
    names = np.array([c.name for c in portfolio.copies], dtype=object)
    opened = np.array([c.open_day for c in portfolio.copies], dtype=np.int64)
    lead = {"group": np.repeat(names, lengths), "open_day": np.repeat(opened, lengths)}
    return pd.DataFrame({**lead, **{name: np.concatenate([t[name] for t in tables])
                                    for name in tables[0]}})


def portfolio_summary(portfolio: Portfolio, summary: pd.DataFrame, members: pd.DataFrame,
                      days: pd.DataFrame) -> dict:
    """One replicate's portfolio outcomes (yuan for money).

    `alive_week_4`/`_12`: copies alive at the end of week 4/12 of their own life, among the copies
    whose horizon reaches that week (NaN when none does); `copy_success`
    (复制成功率): the share of copies meeting the targets, and `met_alive_week`,
    `met_members`, `met_weekly_gmv` the share meeting each (NaN when not stated);
    `weekly_costs`: hosts' and staff's weekly costs over the days they had an open copy; `relay_fees`: each relayed lecture's fee
    once, if any copy heard it; `gross_profit`: the copies' gross profit less those costs;
    `people_in_several`: people who were members of two copies or more; `qr_scans_lost`: QR
    scans the live code could send to no copy (room and candidates left); `invites_sent`,
    `invites_lost`: people invited into a full copy whom the live code sent to another, and
    those for whom none had room (NaN without a live code: such invitations are refused)."""
    weekly = float(days["weekly_costs"].sum())
    relay = float(sum(r.fee for r in portfolio.relay if portfolio.heard(r)))
    incentive = float(summary["total_cost"].sum())
    people = members.loc[members["person"] >= 0].groupby("person")["group"].nunique()
    return {
        "groups": len(summary),
        **{f"alive_week_{week}": _alive(summary, week) for week in (4, 12)},
        "copy_success": float(summary["meets_targets"].mean()),
        **{f"met_{name}": float(summary[f"meets_{name}"].mean()) if f"meets_{name}" in summary
           else float("nan") for name in TARGETS},
        "total_gmv": float(summary["total_gmv"].sum()),
        "incentive_cost": incentive,
        "weekly_costs": weekly,
        "relay_fees": relay,
        "total_cost": incentive + weekly + relay,
        "gross_profit": float(summary["gross_profit"].sum()) - weekly - relay,
        "people_in_groups": int(people.size),
        "people_in_several": int((people >= 2).sum()),
        **{k: float(days[k].sum()) if portfolio.live_code else float("nan")
           for k in ("qr_scans_lost", "invites_sent", "invites_lost")},
    }


def _alive(summary: pd.DataFrame, week: int) -> float:
    """Copies alive at the end of week `week` of their own life, of those whose horizon reaches
    it; NaN when no copy's does (a 6-week copy is not dead at week 12, nor alive)."""
    reach = summary["horizon_days"] >= 7 * week
    return float((summary.loc[reach, "lifetime_days"] >= 7 * week).sum()) if reach.any() \
        else float("nan")
