"""Replicates of a portfolio (社群矩阵): its tables, per-replicate summary and replicate band.

Replicate r uses seed `seed + r`. Runs go through `experiments.running.runner.execute`, so they
are cut into chunks, saved as they finish and resumed after an interrupt, here, in local
processes or on Dask; within a replicate the copies of a day advance in `threads` threads (the
tables do not depend on `threads`, nor on where runs happen).

A portfolio's run directory holds `daily`, `summary` and `members.parquet` (led by
`portfolio`, `replicate`, `group`, `open_day`; see `sim.portfolio.PortfolioResult`),
`portfolio.parquet` (one row per replicate: `sim.portfolio.portfolio_summary`),
`portfolio_days.parquet` (one row per replicate and portfolio day), `portfolio_band.parquet`
(median and 10-90 % band over replicates of each portfolio outcome), `portfolio.json` (the
resolved portfolio: every copy's plan) and `groupsim.json`.
"""

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from experiments.running import storage
from experiments.running.metrics import Unit
from experiments.running.runner import Progress, Run, RunError, RunInterrupted, execute
from scenarios.portfolio import Portfolio
from scenarios.schema import Plan
from sim.portfolio import PortfolioResult, simulate_portfolio

TABLES = ("daily", "summary", "members", "portfolio", "portfolio_days")
BAND: dict[str, Unit] = {
    "copy_success": "share", "met_alive_week": "share", "met_members": "share",
    "met_weekly_gmv": "share", "alive_week_4": "count", "alive_week_12": "count",
    "total_gmv": "money", "incentive_cost": "money", "weekly_costs": "money",
    "relay_fees": "money", "total_cost": "money", "gross_profit": "money",
    "people_in_several": "count", "qr_scans_lost": "count", "invites_sent": "count",
    "invites_lost": "count",
}
"""Portfolio outcomes given with their replicate band, in the report's order, and their units
(`experiments.running.metrics.Unit`)."""


@dataclass(frozen=True)
class PortfolioRun(Run):
    """One replicate of a portfolio (`plan` holds the `Portfolio`)."""

    threads: int = 1

    def simulate(self, hourly: bool) -> "_Tables":
        return _Tables(simulate_portfolio(self.plan, self.seed, self.threads), self.seed)

    @property
    def plans(self) -> list[Plan]:
        """Every group's plan: a replicate holds them all at once (a live code's arrival
        slots, at most its fill per group, are not counted)."""
        return [copy.plan for copy in self.plan.copies]


@dataclass(frozen=True)
class PortfolioPoint(PortfolioRun):
    """One replicate of a portfolio at a sweep's point: its one table, `summary`, is the
    replicate's row of the `portfolio` table (`sim.portfolio.portfolio_summary`, led by
    `seed`)."""

    def simulate(self, hourly: bool) -> SimpleNamespace:
        return SimpleNamespace(summary=super().simulate(hourly).portfolio)


class _Tables:
    """A replicate's tables under the names `TABLES` gives them."""

    def __init__(self, result: PortfolioResult, seed: int):
        self.daily, self.summary, self.members = result.daily, result.summary, result.members
        self.portfolio = {"seed": seed, **result.portfolio}
        self.portfolio_days = result.days


@dataclass(frozen=True)
class PortfolioResults:
    """Tables of a portfolio's replicates (see the module docstring); `band` has one row per
    outcome of `BAND`: `median`, `p10`, `p90` over replicates."""

    portfolio: Portfolio
    daily: pd.DataFrame
    summary: pd.DataFrame
    members: pd.DataFrame
    replicates: pd.DataFrame
    days: pd.DataFrame
    band: pd.DataFrame


def band_ends(values: pd.Series) -> tuple[float, float]:
    """The 10 % and 90 % quantiles of `values` over replicates as replicates' own values
    (nearest rank: a share of 3 copies is 0, 1/3, 2/3 or 1, never between)."""
    return tuple(float(values.quantile(q, interpolation="nearest")) for q in (0.1, 0.9))


def band(replicates: pd.DataFrame) -> pd.DataFrame:
    """Median and 10-90 % band (`band_ends`) over replicates of each outcome of `BAND`, with its
    `unit`."""
    rows = [{"metric": m, "unit": BAND[m], "median": float(replicates[m].median()),
             **dict(zip(("p10", "p90"), band_ends(replicates[m])))} for m in BAND]
    return pd.DataFrame(rows)


def run_portfolio(
    portfolio: Portfolio,
    replicates: int = 20,
    seed: int = 0,
    threads: int = 1,
    workers: int = 1,
    progress: Progress | None = None,
    out: Path | None = None,
    *,
    dask: str | None = None,
    force: bool = False,
) -> PortfolioResults:
    """Run `replicates` replicates of `portfolio` (seeds `seed + r`) in `workers` processes (or
    on Dask), each with its copies in `threads` threads.

    With `out`: the directory is claimed (`storage.claim`: the same command and portfolio
    resume, others need `force`), and the tables written as chunks finish and at the end.
    `RunError` for bad arguments; Ctrl-C raises `RunInterrupted` with the results of the
    replicates that finished (None if none did).
    """
    if replicates < 1:
        raise RunError(f"replicates must be at least 1, not {replicates}")
    if threads < 1:
        raise RunError(f"threads must be at least 1, not {threads}")
    if out is not None:
        spec = {"replicates": replicates, "seed": seed,
                "portfolio": portfolio.model_dump(mode="json")}
        storage.claim(out, "portfolio", spec, force)
        storage.write_atomic(out / "portfolio.json", lambda tmp: tmp.write_text(
            portfolio.model_dump_json(indent=1), encoding="utf-8"))
    runs = [PortfolioRun(portfolio, {"portfolio": portfolio.name}, r, seed + r, threads=threads)
            for r in range(replicates)]

    def results(tables: dict[str, pd.DataFrame]) -> PortfolioResults:
        spread = band(tables["portfolio"])
        if out is not None:
            storage.write_tables(out, {"portfolio_band": spread})
        return PortfolioResults(portfolio, tables["daily"], tables["summary"], tables["members"],
                                tables["portfolio"], tables["portfolio_days"], spread)

    try:
        tables = execute(runs, TABLES, workers=workers, dask=dask, out=out, progress=progress)
    except RunInterrupted as stop:
        raise RunInterrupted(stop.results and results(stop.results), stop.finished,
                             stop.total) from None
    return results(tables)


def read_portfolio_results(out: Path) -> PortfolioResults:
    """Read back a directory `run_portfolio` finished (`FileNotFoundError` if a table is
    missing)."""
    portfolio = Portfolio.model_validate_json((out / "portfolio.json").read_text(encoding="utf-8"))
    tables = storage.read_tables(out, (*TABLES, "portfolio_band"))
    return PortfolioResults(portfolio, tables["daily"], tables["summary"], tables["members"],
                            tables["portfolio"], tables["portfolio_days"], tables["portfolio_band"])
