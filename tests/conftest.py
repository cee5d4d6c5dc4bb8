"""Shared helpers: run a plan over fixed seeds and stack the tables."""

import pandas as pd

from scenarios.loader import load_plan
from scenarios.schema import Plan
from sim.constants import CONSTANTS, Constants
from sim.run import simulate


def simulate_many(plan: str | Plan, reps: int, overrides=(), constants: Constants = CONSTANTS,
                  seed: int = 0, hourly: bool = False):
    """Summary (one row per replicate) and daily (or hourly) table over seeds seed..seed+reps-1."""
    if isinstance(plan, str):
        plan = load_plan(plan, list(overrides))
    results = [simulate(plan, seed + r, hourly, constants) for r in range(reps)]
    summary = pd.DataFrame([{"replicate": r, **res.summary} for r, res in enumerate(results)])
    tables = [(res.hourly if hourly else res.daily).assign(replicate=r)
              for r, res in enumerate(results)]
    return summary, pd.concat(tables, ignore_index=True)
