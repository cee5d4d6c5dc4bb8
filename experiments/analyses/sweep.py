"""Sweeps: a base plan run at many settings of its levers, every point over the same seeds.

A lever is a plan path (as `--set` takes it) with a SPEC: `a:b:n` (n evenly spaced values from a
to b), `a,b,c` (listed values) or `a:b` (a range, for the lhs and sobol designs). The grid
design runs every combination of the levers' values; lhs and sobol draw `samples` points from
the levers' ranges (scipy.stats.qmc, seeded). A lever on an integer field of the schema takes
whole-number values.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import qmc

from experiments.analyses.vary import Lever, number_type, parse_lever
from experiments.running import storage
from experiments.running.points import Point, run_points
from experiments.running.runner import RunError, RunInterrupted
from scenarios.loader import dump_yaml
from scenarios.schema import Plan

Design = Literal["grid", "lhs", "sobol"]
DESIGNS = ("grid", "lhs", "sobol")
STATS = ("median", "p10", "p90", "mean", "se", "n")
"""Per metric and point: `<metric>_<stat>`; `n` counts the replicates that define the metric."""
NOT_METRICS = ("point", "replicate", "seed")


class SweepError(RunError):
    """A sweep cannot start with these arguments."""


@dataclass(frozen=True)
class Sweep:
    """A sweep's results: `points` one row per point (values and per-metric statistics),
    `summary` one row per run."""

    levers: list[Lever]
    points: pd.DataFrame
    summary: pd.DataFrame


def design_points(
    base: Plan, levers: list[Lever], design: Design, samples: int | None, seed: int
) -> list[Point]:
    """The sweep's points, each {path: value}, in a fixed order."""
    if not levers:
        raise SweepError("Give at least one --vary PATH=SPEC.")
    if design not in DESIGNS:
        raise SweepError(f"Unknown --design '{design}': use one of {', '.join(DESIGNS)}.")
    paths = [lever.path for lever in levers]
    twice = sorted({p for p in paths if paths.count(p) > 1})
    if twice:
        raise SweepError(f"--vary names {', '.join(twice)} twice; give each path once.")
    whole = {lever.path: number_type(base, lever.path) is int for lever in levers}
    if design == "grid":
        if samples is not None:
            raise SweepError("--samples is for the lhs and sobol designs; a grid runs every "
                             "combination of the --vary values.")
        columns = [_grid_values(lever, whole[lever.path]) for lever in levers]
        return [dict(zip(paths, combo)) for combo in product(*columns)]
    if samples is None or samples < 1:
        raise SweepError(f"--design {design} needs --samples N (a whole number >= 1).")
    if design == "sobol" and samples & (samples - 1):
        raise SweepError(f"--design sobol needs --samples a power of 2 (e.g. 32, 64), "
                         f"not {samples}.")
    for lever in levers:
        if lever.n is not None:
            raise SweepError(f"--vary {lever.path}={lever.spec}: --design {design} samples a "
                             "range a:b or listed values a,b,c, not a:b:n.")
    if design == "lhs":
        unit = qmc.LatinHypercube(d=len(levers), seed=seed).random(samples)
    else:
        unit = qmc.Sobol(d=len(levers), scramble=True, seed=seed).random_base2(
            int(math.log2(samples)))
    return [
        {lever.path: _from_unit(lever, u, whole[lever.path]) for lever, u in zip(levers, row)}
        for row in unit
    ]


def _grid_values(lever: Lever, whole: bool) -> list[Any]:
    if lever.values is not None:
        return list(lever.values)
    if lever.n is None:
        raise SweepError(f"--vary {lever.path}={lever.spec}: a grid needs n values, "
                         f"e.g. {lever.spec}:5, or listed values a,b,c.")
    return [_number(v, whole) for v in np.linspace(lever.low, lever.high, lever.n)]


def _from_unit(lever: Lever, u: float, whole: bool) -> Any:
    if lever.values is not None:
        return lever.values[min(int(u * len(lever.values)), len(lever.values) - 1)]
    if whole:  # every whole number in the range equally likely
        return int(min(math.floor(lever.low + u * (lever.high - lever.low + 1)), lever.high))
    return _number(lever.low + u * (lever.high - lever.low), whole)


def _number(value: float, whole: bool) -> int | float:
    return int(round(value)) if whole else round(float(value), 10)


def point_table(summary: pd.DataFrame, paths: list[str]) -> pd.DataFrame:
    """One row per point: its id and values, `replicates` (runs of the point), then median,
    p10, p90, mean, standard error and `n` (replicates defining it) (`<metric>_<stat>`) of every
    metric over its replicates (NaN values skipped)."""
    metrics = [c for c in summary.columns
               if c not in (*NOT_METRICS, *paths) and pd.api.types.is_numeric_dtype(summary[c])]
    values = summary.groupby("point", sort=True)[paths].first()
    grouped = summary[["point", *metrics]].astype({m: float for m in metrics}).groupby("point")
    stats = {
        "median": grouped.median(),
        "p10": grouped.quantile(0.1),
        "p90": grouped.quantile(0.9),
        "mean": grouped.mean(),
        "se": grouped.sem(),
        "n": grouped.count(),
    }
    wide = pd.DataFrame({f"{m}_{s}": stats[s][m] for m in metrics for s in STATS})
    return values.join(grouped.size().rename("replicates")).join(wide).reset_index()


def sweep_spec(
    base: Plan, levers: list[Lever], design: Design, samples: int | None, replicates: int,
    seed: int, daily: bool,
) -> dict[str, Any]:
    """What makes a sweep's tables: written as sweep.yaml; another spec is another sweep."""
    return {
        "vary": {lever.path: lever.spec for lever in levers},
        "design": design,
        "samples": samples,
        "replicates": replicates,
        "seed": seed,
        "daily": daily,
        "plan": base.model_dump(mode="json"),
    }


def run_sweep(
    base: Plan,
    vary: list[str],
    *,
    design: Design = "grid",
    samples: int | None = None,
    replicates: int = 20,
    seed: int = 0,
    workers: int = 1,
    dask: str | None = None,
    out: Path | None = None,
    daily: bool = False,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Sweep:
    """Run a sweep; with `out`, write sweep.yaml, summary.parquet, points.parquet (and
    daily.parquet) there, resuming a sweep of the same spec. Ctrl-C raises `RunInterrupted`
    with the Sweep of the finished runs (also written)."""
    levers = [parse_lever(text) for text in vary]
    points = design_points(base, levers, design, samples, seed)
    paths = [lever.path for lever in levers]
    if out is not None:
        spec = sweep_spec(base, levers, design, samples, replicates, seed, daily)
        storage.claim(out, "sweep", spec, force)
        (out / "sweep.yaml").write_text(
            dump_yaml(spec), encoding="utf-8")

    def finish(summary: pd.DataFrame) -> Sweep:
        table = point_table(summary, paths)
        if out is not None:
            storage.write_tables(out, {"points": table})
        return Sweep(levers, table, summary)

    try:
        summary = run_points(base, points, replicates, seed, workers=workers, dask=dask,
                             out=out, daily=daily, progress=progress)
    except RunInterrupted as stop:
        done = None if stop.results is None else finish(stop.results)
        raise RunInterrupted(done, stop.finished, stop.total) from None
    return finish(summary)
