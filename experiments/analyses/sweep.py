"""Sweeps: a base plan or portfolio run at many settings of its levers, every point over the
same seeds.

A lever is a plan path (as `--set` takes it; a portfolio's: its file's own fields such as
`groups[tz].copies`, or a group's plan lever after `.set.`) with a SPEC: `a:b:n` (n evenly
spaced values from a to b), `a,b,c` (listed values) or `a:b` (a range, for the lhs and sobol
designs). A portfolio's point is run as its per-replicate row (`run_points`). The grid
design runs every combination of the levers' values, and refuses a lever whose values repeat
(`host.capacity=1:3:5` would run 1, 2, 2, 2, 3: the message says 1:3 holds 3 whole numbers);
lhs and sobol draw `samples` points from the levers' ranges (scipy.stats.qmc, seeded). A lever
on an integer field of the schema takes whole-number values, each of a range's values equally
often in lhs and sobol (`experiments.analyses.vary.from_unit`).
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

from experiments.analyses.vary import Lever, from_unit, number_type, parse_lever
from experiments.running import storage
from experiments.running.points import Point, point_plans, run_points
from experiments.running.runner import RunError, RunInterrupted
from scenarios.loader import dump_yaml
from scenarios.portfolio import RawPortfolio
from scenarios.schema import Plan
from sim.profile import Profile

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
    base: Plan | RawPortfolio, levers: list[Lever], design: Design, samples: int | None, seed: int
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
        if whole[lever.path] and lever.values is None and not (
                lever.low.is_integer() and lever.high.is_integer()):
            raise SweepError(f"--vary {lever.path}={lever.spec}: {lever.path} takes whole "
                             "numbers; give whole ends.")
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
    """The lever's values in a grid; `SweepError` if a value would come twice."""
    text = f"--vary {lever.path}={lever.spec}"
    if lever.values is not None:
        values = list(lever.values)
        twice = sorted({str(v) for v in values if values.count(v) > 1})
        if twice:
            raise SweepError(f"{text} lists {', '.join(twice)} more than once; a grid runs "
                             "each point once.")
        return values
    if lever.n is None:
        raise SweepError(f"{text}: a grid needs n values, e.g. {lever.spec}:5, or listed "
                         "values a,b,c.")
    values = [int(round(v)) if whole else round(float(v), 10)
              for v in np.linspace(lever.low, lever.high, lever.n)]
    if len(set(values)) < len(values):
        low, high = lever.spec.split(":")[:2]
        if whole:
            count = math.floor(lever.high) - math.ceil(lever.low) + 1
            raise SweepError(
                f"{text}: {lever.path} takes whole numbers and {low} to {high} holds "
                f"{count}, so {lever.n} values would repeat points "
                f"({', '.join(map(str, values))}); write {lever.path}={low}:{high}:{count} "
                "or list the values.")
        raise SweepError(f"{text}: the range is a single value; give two ends or one value.")
    return values


def _from_unit(lever: Lever, u: float, whole: bool) -> Any:
    if lever.values is not None:
        return lever.values[min(int(u * len(lever.values)), len(lever.values) - 1)]
    return from_unit(u, lever.low, lever.high, whole)


def point_table(summary: pd.DataFrame, paths: list[str],
                interpolation: Literal["linear", "nearest"] = "linear") -> pd.DataFrame:
    """One row per point: its id and values, `replicates` (runs of the point), then median,
    p10, p90, mean, standard error and `n` (replicates defining it) (`<metric>_<stat>`) of every
    metric over its replicates (NaN values skipped). p10 and p90 are read as a run's are:
    interpolated for a plan (`experiments.running.metrics`), the replicates' own values for a
    portfolio ("nearest", `experiments.running.portfolio.band_ends`: a share of 2 copies is 0,
    50 % or 100 %, never 70 %)."""
    metrics = [c for c in summary.columns
               if c not in (*NOT_METRICS, *paths) and pd.api.types.is_numeric_dtype(summary[c])]
    values = summary.groupby("point", sort=True)[paths].first()
    grouped = summary[["point", *metrics]].astype({m: float for m in metrics}).groupby("point")
    stats = {
        "median": grouped.median(),
        "p10": grouped.quantile(0.1, interpolation=interpolation),
        "p90": grouped.quantile(0.9, interpolation=interpolation),
        "mean": grouped.mean(),
        "se": grouped.sem(),
        "n": grouped.count(),
    }
    wide = pd.DataFrame({f"{m}_{s}": stats[s][m] for m in metrics for s in STATS})
    return values.join(grouped.size().rename("replicates")).join(wide).reset_index()


def sweep_spec(
    base: Plan | RawPortfolio, levers: list[Lever], design: Design, samples: int | None,
    replicates: int, seed: int, daily: bool,
) -> dict[str, Any]:
    """What makes a sweep's tables: written as sweep.yaml; another spec is another sweep. The
    base is under `plan` (resolved), or `portfolio` (the file as read, with its `--set`)."""
    held = ({"portfolio": base.raw} if isinstance(base, RawPortfolio)
            else {"plan": base.model_dump(mode="json")})
    return {
        "vary": {lever.path: lever.spec for lever in levers},
        "design": design,
        "samples": samples,
        "replicates": replicates,
        "seed": seed,
        "daily": daily,
        **held,
    }


def run_sweep(
    base: Plan | RawPortfolio,
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
    profile: Profile | None = None,
    threads: int = 1,
) -> Sweep:
    """Run a sweep; with `out`, write sweep.yaml, summary.parquet, points.parquet (and
    daily.parquet) there, resuming a sweep of the same spec. `profile` plays every run with an
    audience's behaviour (recorded in `out` as `storage.claim` does). A portfolio's runs
    (`base` a `RawPortfolio`, each point validated and resolved: `PortfolioError` names the
    point and the field) are its per-replicate rows (`run_points`), its copies advancing in
    `threads` threads; it takes no `daily` or `profile` (`RunError`). Ctrl-C raises
    `RunInterrupted` with the Sweep of the finished runs (also written)."""
    levers = [parse_lever(text) for text in vary]
    points = design_points(base, levers, design, samples, seed)
    plans = point_plans(base, points)  # a bad point is named before --out is claimed
    paths = [lever.path for lever in levers]
    if out is not None:
        spec = sweep_spec(base, levers, design, samples, replicates, seed, daily)
        storage.claim(out, "sweep", spec, force, profile)
        played = {"profile": profile.name, "profile_digest": profile.digest} if profile else {}
        (out / "sweep.yaml").write_text(dump_yaml({**spec, **played}), encoding="utf-8")

    def finish(summary: pd.DataFrame) -> Sweep:
        table = point_table(summary, paths,
                            "nearest" if isinstance(base, RawPortfolio) else "linear")
        if out is not None:
            storage.write_tables(out, {"points": table})
        return Sweep(levers, table, summary)

    try:
        summary = run_points(base, points, replicates, seed, workers=workers, dask=dask,
                             out=out, daily=daily, progress=progress, profile=profile,
                             threads=threads, plans=plans)
    except RunInterrupted as stop:
        done = None if stop.results is None else finish(stop.results)
        raise RunInterrupted(done, stop.finished, stop.total) from None
    return finish(summary)
