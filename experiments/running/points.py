"""Points: variations of one base plan or portfolio, each run over the same seeds.

A point is `{path: value}` applied to the base plan with the same path setter as `--set`
(`scenarios.loader.set_path`), or to a portfolio file as read (`RawPortfolio`) as its `--set`
does (`scenarios.portfolio.set_value`). Replicate r of every point uses seed `seed + r` (common
random numbers), so points are paired: the difference between two points measures their levers.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.running.portfolio import PortfolioPoint
from experiments.running.runner import Backend, Run, RunError, RunInterrupted, execute
from scenarios.loader import PlanError, set_path, validate_dict
from scenarios.portfolio import Portfolio, RawPortfolio
from scenarios.schema import Plan
from sim.profile import Profile

Point = dict[str, Any]


def point_plan(base: Plan | RawPortfolio, point: Point, index: int) -> Plan | Portfolio:
    """The base plan (or portfolio, resolved) with the point's values set; `PlanError`
    (`PortfolioError`) names the point and the path or field."""
    shown = ", ".join(f"{path}={value!r}" for path, value in point.items())
    where = f"point {index} ({shown})"
    if isinstance(base, RawPortfolio):
        return base.resolve(point, where)
    raw = base.model_dump(mode="json")
    for path, value in point.items():
        try:
            set_path(raw, path, value)
        except PlanError as err:
            raise PlanError(f"{where}: {err}") from None
    return validate_dict(raw, where=where)


def point_plans(base: Plan | RawPortfolio, points: list[Point]) -> list[Plan | Portfolio]:
    """Every point's plan (`point_plan`): `PlanError` for the first that is not valid."""
    return [point_plan(base, point, i) for i, point in enumerate(points)]


def run_points(
    base: Plan | RawPortfolio,
    points: list[Point],
    replicates: int,
    seed: int = 0,
    *,
    workers: int = 1,
    dask: str | None = None,
    out: Path | None = None,
    daily: bool = False,
    progress: Callable[[int, int], None] | None = None,
    backend: Backend | None = None,
    profile: Profile | None = None,
    threads: int = 1,
    plans: list[Plan | Portfolio] | None = None,
) -> pd.DataFrame:
    """Run `replicates` replicates of every point; the summary table, one row per run.
    `plans`: the points' plans as `point_plans` made them (a caller that must know them valid
    before it claims `out`), else made here.

    Columns: `point` (the point's index in `points`), `replicate`, `seed`, one column per varied
    path (named by the path), then the summary metrics: a plan's summary, or for a portfolio
    (`RawPortfolio`) its per-replicate row (`PortfolioPoint`: 复制成功率 `copy_success`, copies
    alive at weeks 4 and 12, GMV, costs, gross profit; its copies advance in `threads`
    threads; no `daily` or `profile`). Rows are sorted by point and replicate,
    whatever the workers or `dask` ("local" or a scheduler address), or the open `backend` that
    replaces them (see `experiments.running.runner.open_backend`). `profile` plays every run
    with an audience's behaviour (sim/profile.py).
    With `out`, finished runs are kept there in chunks, a rerun with the same arguments runs
    only what is missing, and `summary.parquet` (and `daily.parquet`, led by `point` and
    `replicate`, with `daily`) are written there at the end. Ctrl-C raises `RunInterrupted`
    with the summary of the finished runs.
    """
    if not points:
        raise RunError("no points to run")
    if replicates < 1:
        raise RunError(f"replicates must be at least 1, not {replicates}")
    plans = plans or point_plans(base, points)
    paths = list(dict.fromkeys(path for point in points for path in point))
    portfolio = isinstance(base, RawPortfolio)
    if portfolio and (daily or profile is not None):
        raise RunError("a portfolio's sweep writes no daily table and takes no profile")
    runs = [
        PortfolioPoint(plan, {"point": i}, r, seed + r, values, threads=threads) if portfolio
        else Run(plan, {"point": i}, r, seed + r, values, profile)
        for i, plan in enumerate(plans)
        for values in [{path: points[i].get(path) for path in paths}]
        for r in range(replicates)
    ]
    tables = ("summary", "daily") if daily else ("summary",)
    try:
        return execute(runs, tables, workers=workers, dask=dask, out=out, progress=progress,
                       backend=backend)["summary"]
    except RunInterrupted as stop:
        raise RunInterrupted(stop.results and stop.results["summary"], stop.finished,
                             stop.total) from None
