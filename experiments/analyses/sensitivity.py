"""Which levers matter: SALib's Morris screening or Sobol indices over ranges of a plan's fields.

Each sample of SALib's design is a point (the base plan with the levers set, see
`experiments.running.points`), run over the same seeds as every other point; the model output SALib
analyses is the point's metric over its replicates (`experiments.analyses.objectives`).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from experiments.analyses.objectives import by_point, check_metric
from experiments.analyses.vary import Axis, check_distinct
from experiments.running.metrics import in_view
from experiments.running.points import point_plans, run_points
from experiments.running.runner import RunError
from experiments.running.storage import claim, write_parquet_atomic, write_plans
from scenarios.schema import Plan
from sim.profile import Profile

Method = Literal["morris", "sobol"]
DEFAULT_SAMPLES = {"morris": 10, "sobol": 64}
"""Morris trajectories (runs: samples x (levers + 1) x replicates), or Sobol base samples
(runs: samples x (levers + 2) x replicates)."""
DEFAULT_METRICS = in_view("sensitivity")
"""The metrics analysed unless told: the registry's `sensitivity` view."""
INDICES = {
    "morris": ("mu", "mu_star", "sigma", "mu_star_conf"),
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
}
RANK_BY = {"morris": "mu_star", "sobol": "ST"}
"""The index levers are ranked by: the mean absolute elementary effect, or the total effect."""
MORRIS_LEVELS = 4


@dataclass(frozen=True)
class Sensitivity:
    """A finished sensitivity run.

    `summary` has one row per run (see `experiments.running.points.run_points`); `indices` one row per
    metric and lever: the method's indices and `rank` (1 = the lever that matters most for that
    metric). A metric undefined at some sample (ROI with no cost) has NaN indices and no rank;
    one that no lever moved has indices 0 and no rank.
    """

    method: Method
    levers: list[Axis]
    metrics: list[str]
    summary: pd.DataFrame
    indices: pd.DataFrame


def check_sensitivity(
    base: Plan, levers: Sequence[Axis], method: str, samples: int, metrics: Sequence[str]
) -> None:
    """Raise `RunError` for arguments a sensitivity run cannot use."""
    if method not in INDICES:
        raise RunError(f"Unknown --method '{method}'; use morris or sobol.")
    if not levers:
        raise RunError("Give at least one --vary PATH=a:b to study.")
    for lever in levers:
        if lever.values:
            raise RunError(
                f"--vary {lever.path} lists values; sensitivity samples ranges: write "
                f"{lever.path}=a:b."
            )
    check_distinct(levers)
    if method == "morris" and samples < 2:
        raise RunError(
            f"--samples for morris is the number of trajectories, at least 2, not {samples}."
        )
    if method == "sobol" and (samples < 2 or samples & (samples - 1)):
        raise RunError(
            f"--samples for sobol must be a power of 2 (e.g. 16, 64, 256), not {samples}."
        )
    if not metrics:
        raise RunError("Give at least one metric.")
    for metric in metrics:
        check_metric(metric, base)


def sensitivity(
    base: Plan,
    levers: Sequence[Axis],
    *,
    method: Method = "morris",
    samples: int | None = None,
    metrics: Sequence[str] = DEFAULT_METRICS,
    replicates: int = 20,
    seed: int = 0,
    workers: int = 1,
    dask: str | None = None,
    out: Path | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    profile: Profile | None = None,
) -> Sensitivity:
    """Sample the levers' ranges with SALib (seeded), run every sample, analyse each metric.

    With `out` (claimed as in `storage.claim`; `force` replaces another command's results):
    `plan.yaml` (the base plan), `summary.parquet` and `indices.parquet` are written there, and
    runs are kept as they finish, so a rerun runs only what is missing. The metrics are not part
    of what is claimed: a rerun with other metrics reuses the runs. `profile` plays every run
    with an audience's behaviour (and is recorded in `out`). Ctrl-C raises `RunInterrupted`.
    """
    samples = DEFAULT_SAMPLES.get(method, 0) if samples is None else samples
    check_sensitivity(base, levers, method, samples, metrics)
    points, design = sample(levers, method, samples, seed)
    plans = point_plans(base, points)  # a bad sample is named before --out is claimed
    if out is not None:
        spec = {
            "plan": base.model_dump(mode="json"),
            "levers": [[lever.path, lever.low, lever.high] for lever in levers],
            "method": method,
            "samples": samples,
            "replicates": replicates,
            "seed": seed,
        }
        claim(out, "sensitivity", spec, force, profile)
        write_plans(out, [base])
    summary = run_points(
        base, points, replicates, seed, workers=workers, dask=dask, out=out, progress=progress,
        profile=profile, plans=plans,
    )
    frames = [_analyse(method, levers, design, by_point(summary, m), m, seed) for m in metrics]
    indices = pd.concat(frames, ignore_index=True)
    if out is not None:
        write_parquet_atomic(indices, out / "indices.parquet")
    return Sensitivity(method, list(levers), list(metrics), summary, indices)


def sample(
    levers: Sequence[Axis], method: Method, samples: int, seed: int
) -> tuple[list[dict[str, int | float]], np.ndarray]:
    """SALib's seeded design over [0, 1] per lever, mapped by `Axis.at` (an integer lever's
    values in equal shares): the points, one {path: value} per sample, and the values run as
    shares of each lever's range (samples x levers), which the analysis reads."""
    from SALib.sample import morris as morris_sample  # SALib loads scipy.stats: about 1 s
    from SALib.sample import sobol as sobol_sample

    problem = _problem(levers)
    if method == "morris":
        unit = morris_sample.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)
    else:
        unit = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    points = [{lever.path: lever.at(u) for lever, u in zip(levers, row)} for row in unit]
    design = np.array(
        [[(point[lever.path] - lever.low) / (lever.high - lever.low) for lever in levers]
         for point in points])
    return points, design


def _problem(levers: Sequence[Axis]) -> dict:
    return {
        "num_vars": len(levers),
        "names": [lever.path for lever in levers],
        "bounds": [[0.0, 1.0]] * len(levers),
    }


def _analyse(
    method: Method, levers: Sequence[Axis], design: np.ndarray, values: pd.Series, metric: str,
    seed: int,
) -> pd.DataFrame:
    """One metric's indices, one row per lever; NaN when the metric is undefined at a point.

    `design` is `sample`'s second part; `values` the metric per point (indexed by point)."""
    problem = _problem(levers)
    y = values.sort_index().to_numpy(dtype=float)
    table = pd.DataFrame({"metric": metric, "lever": problem["names"]})
    if np.isnan(y).any() or np.ptp(y) == 0:  # undefined somewhere, or no lever moved it
        for name in INDICES[method]:
            table[name] = np.nan if np.isnan(y).any() else 0.0
        table["rank"] = pd.array([pd.NA] * len(table), dtype="Int64")
        return table
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    if method == "morris":
        result = morris_analyze.analyze(problem, design, _per_step_taken(design, y),
                                        num_levels=MORRIS_LEVELS, seed=seed)
    else:
        result = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    for name in INDICES[method]:
        table[name] = np.asarray(result[name], dtype=float)
    ranked = table[RANK_BY[method]].rank(ascending=False, method="min")
    table["rank"] = ranked.astype("Int64")
    return table


def _per_step_taken(design: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Morris outputs whose steps SALib, which divides each by its level step Δ, turns into
    the change per range actually crossed: Δy / (share of the lever's range the step took).

    `design` (samples x levers) holds the values run as shares of each range, so an integer
    lever's rounded step counts (0:1 with 4 levels steps 0 -> 1, a whole range, not Δ = 2/3 of
    it); `y` one output per sample. Each trajectory (levers + 1 samples) keeps its first
    output, and each step is scaled by Δ / step taken.
    """
    delta = MORRIS_LEVELS / (2 * (MORRIS_LEVELS - 1))
    size = design.shape[1] + 1
    steps = np.abs(np.diff(design.reshape(-1, size, design.shape[1]), axis=1)).sum(axis=2)
    rises = np.diff(y.reshape(-1, size), axis=1) * delta / steps
    start = y.reshape(-1, size)[:, :1]
    return np.concatenate([start, start + np.cumsum(rises, axis=1)], axis=1).ravel()
