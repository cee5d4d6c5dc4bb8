"""One replicate: a pure function of (plan, seed, profile); and many groups advanced together."""

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd

from scenarios.schema import Plan
from sim import metrics
from sim.constants import CONSTANTS, Constants
from sim.codes import G_DEAD_DAY
from sim.model import GroupModel
from sim.profile import Profile
from sim.review import review_metrics


@dataclass
class RunResult:
    daily: pd.DataFrame
    summary: dict
    members: pd.DataFrame
    hourly: pd.DataFrame | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """The run's tables by name (`summary` as one row); `hourly` only when asked for."""
        out = {"daily": self.daily, "summary": pd.DataFrame([self.summary]),
               "members": self.members}
        if self.hourly is not None:
            out["hourly"] = self.hourly
        return out


def simulate(plan: Plan, seed: int, hourly: bool = False,
             constants: Constants = CONSTANTS, profile: Profile | None = None) -> RunResult:
    """Run one replicate of `plan` with `seed` (a pure function of both).

    Returns its daily table (one row per day), summary (one dict), members table (one row per
    account that was ever a member) and, if `hourly`, the hourly table. `constants` is for
    studying the model; plans never change it. `profile` plays the plan with an audience's
    behaviour (sim/profile.py).
    """
    model = GroupModel(plan, rng=seed, constants=constants, profile=profile)
    model.run()
    return result_of(model, seed, hourly)


def result_of(model: GroupModel, seed: int, hourly: bool = False) -> RunResult:
    """The tables of a model played to its horizon (`seed` is the summary's `seed`)."""
    daily, summary, members = result_columns(model, seed)
    return RunResult(pd.DataFrame(daily), summary, pd.DataFrame(members),
                     metrics.hourly_table(model.out_h) if hourly else None)


def result_columns(model: GroupModel, seed: int) -> tuple[dict, dict, dict]:
    """`result_of`'s daily table and members table as columns by name
    (`sim.metrics.daily_columns`, `members_columns`), and its summary: what a portfolio joins
    over its copies before it makes one table of each."""
    plan = model.plan
    daily = metrics.daily_columns(model.out_h, model.out_d, plan.economics.unit_cost,
                                  int(model.state.group[G_DEAD_DAY]))
    members = metrics.members_columns(model)
    summary = {"seed": seed, **metrics.summary(model, daily),
               **review_metrics(daily, members, plan)}
    return daily, summary, members


def advance_together(models: Sequence[GroupModel], hours: int | Sequence[int],
                     threads: int = 1) -> None:
    """Advance every model by `hours` (one number for all, or one per model; see
    `GroupModel.advance`), in `threads` Python threads (≥ 1), each taking an equal run of the
    models in turn. The kernel releases the GIL, so the threads play groups in parallel; models
    share nothing they write, so the result is the same for any number of threads. Raises
    ValueError if `threads` < 1."""
    if threads < 1:
        raise ValueError(f"threads must be at least 1, not {threads}")
    work = list(zip(models, [hours] * len(models) if isinstance(hours, int) else hours))

    def play(part: Sequence[tuple[GroupModel, int]]) -> None:
        for model, n in part:
            model.advance(n)

    if threads == 1 or len(work) < 2:
        play(work)
        return
    size = -(-len(work) // threads)
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(play, [work[k:k + size] for k in range(0, len(work), size)]))
