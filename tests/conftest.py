"""Shared helpers: run a plan over fixed seeds and stack the tables."""

import pandas as pd

from scenarios.loader import load_plan
from scenarios.schema import Plan
from sim import metrics
from sim.constants import CONSTANTS, Constants
from sim.model import GroupModel


def simulate_many(plan: str | Plan, reps: int, overrides=(), constants: Constants = CONSTANTS,
                  seed: int = 0, hourly: bool = False):
    """Summary (one row per replicate) and daily (or hourly) table over seeds seed..seed+reps-1."""
    if isinstance(plan, str):
        plan = load_plan(plan, list(overrides))
    rows, tables = [], []
    for r in range(reps):
        model = GroupModel(plan, rng=seed + r, constants=constants)
        model.run()
        daily = metrics.daily_table(model.out_h, model.out_d)
        rows.append({"replicate": r, **metrics.summary(model, daily)})
        table = metrics.hourly_table(model.out_h) if hourly else daily
        tables.append(table.assign(replicate=r))
    return pd.DataFrame(rows), pd.concat(tables, ignore_index=True)
