"""Replicates of plans, run in worker processes and gathered into long tables.

Replicate r of every plan uses seed `seed + r` (common random numbers), so plans in a
comparison meet the same luck. A replicate is a pure function of (plan, seed) and rows are
sorted by plan order, replicate and day, so the tables do not depend on the worker count.
"""

import signal
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

import pandas as pd

from experiments import storage
from experiments.paired import paired_differences
from experiments.storage import Results
from scenarios.schema import Plan
from sim.run import simulate

Progress = Callable[[int, int], None]
"""Called with (finished, total) replicates: once before the first and after each one."""

Tables = dict[str, pd.DataFrame]
Job = tuple[Plan, int, int, int, bool]


class RunError(ValueError):
    """A run cannot start with these arguments."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run; `results` holds the replicates that finished (None if none did)."""

    def __init__(self, results: Results | None, total: int):
        self.results = results
        self.finished = 0 if results is None else len(results.summary)
        self.total = total
        super().__init__(f"interrupted after {self.finished} of {total} replicates")


def run_plan(
    plan: Plan,
    replicates: int = 20,
    seed: int = 0,
    workers: int = 1,
    hourly: bool = False,
    progress: Progress | None = None,
    out: Path | None = None,
) -> Results:
    """Run `replicates` replicates of one plan; see `run_plans`."""
    return run_plans([plan], replicates, seed, workers, hourly, progress, out)


def run_plans(
    plans: Sequence[Plan],
    replicates: int = 20,
    seed: int = 0,
    workers: int = 1,
    hourly: bool = False,
    progress: Progress | None = None,
    out: Path | None = None,
) -> Results:
    """Run `replicates` replicates of each plan in `workers` processes.

    With `out`, the plans are written there first, each replicate is saved to `out/parts/` as it
    finishes, and the combined tables are written at the end (see `experiments.storage`).
    Ctrl-C raises `RunInterrupted` once what finished is combined (and written, with `out`).
    """
    _check(plans, replicates, workers)
    jobs = [
        (plan, i, r, seed + r, hourly) for i, plan in enumerate(plans) for r in range(replicates)
    ]
    if out is not None:
        storage.start_run(out, plans)
    finished: dict[tuple[int, int], Tables] = {}

    def keep(plan_index: int, replicate: int, tables: Tables) -> None:
        if out is not None:
            storage.write_part(out, plan_index, replicate, tables)
        finished[plan_index, replicate] = tables
        if progress is not None:
            progress(len(finished), len(jobs))

    if progress is not None:
        progress(0, len(jobs))
    interrupted = False
    try:
        _run_jobs(jobs, workers, keep)
    except KeyboardInterrupt:
        if not finished:
            raise RunInterrupted(None, len(jobs)) from None
        interrupted = True
    results = _combine(plans, finished)
    if out is not None:
        storage.write_tables(results, out)
    if interrupted:
        raise RunInterrupted(results, len(jobs))
    return results


def _check(plans: Sequence[Plan], replicates: int, workers: int) -> None:
    if not plans:
        raise RunError("no plans to run")
    if replicates < 1:
        raise RunError(f"replicates must be at least 1, not {replicates}")
    if workers < 1:
        raise RunError(f"workers must be at least 1, not {workers}")
    names = [plan.name for plan in plans]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise RunError(f"plans in one run need distinct names; given twice: {', '.join(twice)}")


def _run_jobs(jobs: list[Job], workers: int, keep: Callable[[int, int, Tables], None]) -> None:
    """Run every job, handing each result to `keep` as it finishes."""
    if workers == 1:
        for job in jobs:
            keep(*_replicate(*job))
        return
    # spawn, not fork: a forked child would inherit this process's threads (pyarrow, numba) in
    # a broken state. Workers ignore Ctrl-C; this process handles it.
    with ProcessPoolExecutor(
        min(workers, len(jobs)), mp_context=get_context("spawn"), initializer=_ignore_sigint
    ) as pool:
        futures = [pool.submit(_replicate, *job) for job in jobs]
        try:
            for future in as_completed(futures):
                keep(*future.result())
        finally:
            for future in futures:
                future.cancel()


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _replicate(
    plan: Plan, plan_index: int, replicate: int, seed: int, hourly: bool
) -> tuple[int, int, Tables]:
    """One simulation, its tables led by `plan` and `replicate` columns."""
    tables = simulate(plan, seed, hourly=hourly).tables()
    for frame in tables.values():
        frame.insert(0, "replicate", replicate)
        frame.insert(0, "plan", plan.name)
    return plan_index, replicate, tables


def _combine(plans: Sequence[Plan], finished: dict[tuple[int, int], Tables]) -> Results:
    keys = sorted(finished)
    tables = {
        name: pd.concat([finished[key][name] for key in keys], ignore_index=True)
        for name in finished[keys[0]]
    }
    ran = sorted({plan_index for plan_index, _ in keys})
    return Results(plans=[plans[i] for i in ran], paired=paired_differences(tables["summary"]),
                   **tables)


@dataclass(frozen=True)
class Run:
    """One simulation: its plan, the columns that lead its rows, its replicate and seed."""

    plan: Plan
    key: dict[str, Any]
    replicate: int
    seed: int


def execute(
    runs: Sequence[Run],
    tables: Sequence[str],
    *,
    hourly: bool = False,
    workers: int = 1,
    dask: str | None = None,
    out: Path | None = None,
    progress: Progress | None = None,
) -> Tables:
    """Run every run; each wanted table stacked in run order, led by the key columns and
    `replicate`."""
    done: list[Tables] = []
    if progress is not None:
        progress(0, len(runs))
    for run in runs:
        result = simulate(run.plan, run.seed, hourly=hourly).tables()
        frames = {}
        for name in tables:
            frame = result[name]
            frame.insert(0, "replicate", run.replicate)
            for k, (column, value) in enumerate(run.key.items()):
                frame.insert(k, column, value)
            frames[name] = frame
        done.append(frames)
        if progress is not None:
            progress(len(done), len(runs))
    return {name: pd.concat([d[name] for d in done], ignore_index=True) for name in tables}
