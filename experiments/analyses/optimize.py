"""Search a plan's levers for the best plan with Optuna, resumable from a journal in `--out`.

One objective uses seeded TPE, two use NSGA-II; constraints are Optuna trial constraints
(`Trial.set_constraint`, which replaced `constraints_func` in Optuna 5). A trial is a point (see
`experiments.running.points`) run over the same seeds as every other trial, and its objectives and
constraints are metrics over those replicates (`experiments.analyses.objectives`). Trials are asked in
batches of a fixed size, whose replicates run together on the workers, and the sampler is
reseeded from the seed and the number of evaluated trials at each batch, so a study does not
depend on the number of workers. The trials an interruption cut off (left running in the
journal) are run first when the study resumes, under their own numbers, so a study
interrupted and resumed holds the same trials, numbers included, as one that ran through.
"""
import math
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import pandas as pd
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import FrozenTrial, TrialState

from experiments.analyses.objectives import Constraint, Objective, by_point, check_metric
from experiments.analyses.vary import Axis, check_distinct
from experiments.running.points import point_plan, run_points
from experiments.running.runner import RunError, open_backend
from experiments.running.storage import claim, write_parquet_atomic, write_plans
from scenarios.loader import dump_yaml, library, load_plan
from scenarios.schema import Plan
from sim.profile import Profile

BATCH = 8
"""Trials asked at once; fixed so that the trials do not depend on the number of workers."""
POPULATION = 16
"""NSGA-II generation size (a multiple of BATCH)."""
STUDY_FILE = "study.journal"
STUDY_NAME = "groupsim"


@dataclass(frozen=True)
class Search:
    """The trials of a study so far and its best trial.

    `trials` has one row per trial: `trial`, `state`, the levers' values, the metrics of the
    objectives and constraints, `feasible` (every constraint holds) and `pareto` (on the front
    of feasible trials; with one objective, the best one). `best` is the row of the best feasible
    trial (with two objectives: the Pareto trial best on the first), None if there is none yet.
    """

    levers: list[Axis]
    objectives: list[Objective]
    constraints: list[Constraint]
    trials: pd.DataFrame
    best: pd.Series | None


class SearchInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a study; `search` holds the trials that finished (all kept in the journal)."""

    def __init__(self, search: Search):
        self.search = search
        super().__init__(f"interrupted after {len(search.trials)} trials")


def check_search(
    base: Plan,
    levers: Sequence[Axis],
    objectives: Sequence[Objective],
    constraints: Sequence[Constraint],
    trials: int,
    replicates: int,
) -> None:
    """Raise `RunError` for arguments a plan search cannot use."""
    if not objectives:
        raise RunError(
            "Give an --objective METRIC[:max|:min], e.g. --objective total_gmv:max "
            "(two objectives search for a Pareto front)."
        )
    if len(objectives) > 2:
        raise RunError(f"Give one or two --objective, not {len(objectives)}.")
    if not levers:
        raise RunError("Give at least one --vary PATH=a:b to search over.")
    check_distinct(levers)
    for metric in dict.fromkeys(item.metric for item in [*objectives, *constraints]):
        check_metric(metric, base)
    if trials < 1:
        raise RunError(f"--trials must be at least 1, not {trials}.")
    if replicates < 1:
        raise RunError(f"--replicates must be at least 1, not {replicates}.")


def optimize(
    base: Plan,
    levers: Sequence[Axis],
    objectives: Sequence[Objective],
    *,
    constraints: Sequence[Constraint] = (),
    trials: int = 200,
    replicates: int = 20,
    seed: int = 0,
    workers: int = 1,
    dask: str | None = None,
    out: Path | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    profile: Profile | None = None,
) -> Search:
    """Run trials until the study holds `trials` evaluated ones; the study's trials and best.

    With `out`, the study lives in `out/study.journal`: rerunning with the same arguments
    continues it (other arguments there are an error unless `force`), and `plan.yaml` (the
    base plan) and `trials.parquet` are written. `profile` plays every trial with an audience's
    behaviour (and is recorded in `out`). Ctrl-C (and SIGTERM) raise `SearchInterrupted` once
    what finished is written.
    """
    check_search(base, levers, objectives, constraints, trials, replicates)
    # ERROR: a trial stopped by Ctrl-C is logged as a failed trial with its traceback at WARNING;
    # the command says what was saved instead
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    distributions = {lever.path: _distribution(lever) for lever in levers}
    done = 0
    try:
        with _held_interrupts():  # an interrupt here is raised once the study exists
            study = _study(base, levers, objectives, constraints, replicates, seed, out, force,
                           profile)
            cut_off = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
        total = max(0, trials - len(_evaluated(study))) * replicates
        if progress is not None:
            progress(0, total)
        with open_backend(workers, dask) as backend:  # workers start once for all batches
            while len(_evaluated(study)) < trials:
                with _held_interrupts():
                    evaluated = len(_evaluated(study))
                    study.sampler = _sampler(len(objectives), seed + evaluated)
                    if cut_off:  # asked before the interruption: run them as they were asked
                        # (Trial of a stored trial: Optuna names it by its private _trial_id)
                        batch = [optuna.Trial(study, trial._trial_id) for trial in cut_off]
                        cut_off = []
                    else:
                        n = min(BATCH, trials - evaluated)
                        batch = [study.ask(distributions) for _ in range(n)]

                def step(finished: int, _: int) -> None:
                    if progress is not None:
                        progress(done + finished, total)

                summary = run_points(base, [dict(trial.params) for trial in batch],
                                     replicates, seed, progress=step, backend=backend,
                                     profile=profile)
                done += len(summary)
                with _held_interrupts():
                    _tell(study, batch, summary, objectives, constraints)
        with _held_interrupts():
            return _finish(study, levers, objectives, constraints, out)
    except KeyboardInterrupt:
        with _held_interrupts():
            search = _finish(study, levers, objectives, constraints, out)
        raise SearchInterrupted(search) from None


def _tell(
    study: optuna.Study,
    batch: list[optuna.Trial],
    summary: pd.DataFrame,
    objectives: Sequence[Objective],
    constraints: Sequence[Constraint],
) -> None:
    """Give each trial of the batch its metrics, constraints and objective values."""
    metrics = list(dict.fromkeys(item.metric for item in [*objectives, *constraints]))
    values = {metric: by_point(summary, metric) for metric in metrics}
    for i, trial in enumerate(batch):
        measured = {metric: float(values[metric].loc[i]) for metric in metrics}
        trial.set_user_attr("metrics", measured)
        for constraint in constraints:
            trial.set_constraint(str(constraint), constraint.violation(measured[constraint.metric]))
        objective = [measured[o.metric] for o in objectives]
        if any(math.isnan(v) for v in objective):
            study.tell(trial, state=TrialState.FAIL)
        else:
            study.tell(trial, objective)


@contextmanager
def _held_interrupts() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block ends, then raise KeyboardInterrupt: Optuna's
    journal writes take a file lock that an interrupt in the middle would leave broken."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach only the main thread
        return
    caught: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda signum, _: caught.append(signum)) for sig in held}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if caught:
        raise KeyboardInterrupt


def write_best(search: Search, base: Plan, source: str, out: Path,
               profile: Profile | None = None) -> Path | None:
    """Write `out/best.yaml`, the best trial's plan extending `source`; None if no trial is.
    With `profile`, the comment says the trials played with it and how to run it so."""
    if search.best is None:
        return None
    best = search.best
    point = {lever.path: _plain(best[lever.path]) for lever in search.levers}
    plan = point_plan(base, point, int(best["trial"])).model_copy(
        update={"name": f"{base.name}-best", "description": f"{base.description} (best trial)"}
    )
    measured = ", ".join(f"{o.metric} {best[o.metric]:.4g}" for o in search.objectives)
    comment = (
        f"Trial {best['trial']} of `groupsim optimize`: {measured}.\n"
        "Run it with: groupsim run best.yaml"
    ) if profile is None else (
        f"Trial {best['trial']} of `groupsim optimize` with audience profile {profile.name}: "
        f"{measured}.\nRun it with: groupsim run best.yaml --profile profile.yaml"
    )
    path = out / "best.yaml"
    path.write_text(extends_yaml(source, plan, out, comment), encoding="utf-8")
    return path


def extends_yaml(source: str, plan: Plan, where: Path, comment: str = "") -> str:
    """`plan` as a YAML plan that `extends:` `source` and sets only what differs from it.

    `source` is a library name or a path (written relative to the directory `where` the YAML
    goes); lists (the calendar) differ as a whole, since `extends:` replaces lists.
    """
    parent = load_plan(source).model_dump(mode="json")
    child = plan.model_dump(mode="json")
    is_library = source in library() and not Path(source).exists()
    parent_path = os.path.relpath(Path(source).resolve(), where.resolve())
    head = {
        "extends": source if is_library else parent_path,
        "name": plan.name,
        "description": plan.description,
    }
    body = _differences(parent, child)
    for key in ("name", "description"):
        body.pop(key, None)
    text = dump_yaml({**head, **body})
    return "".join(f"# {line}\n" for line in comment.splitlines()) + text


def _differences(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(parent.get(key), dict):
            inner = _differences(parent[key], value)
            if inner:
                out[key] = inner
        elif parent.get(key) != value:
            out[key] = value
    return out


def _study(
    base: Plan,
    levers: Sequence[Axis],
    objectives: Sequence[Objective],
    constraints: Sequence[Constraint],
    replicates: int,
    seed: int,
    out: Path | None,
    force: bool,
    profile: Profile | None = None,
) -> optuna.Study:
    """A new study, or with `out` the one there if these arguments made it (`storage.claim`)."""
    if out is None:
        storage: optuna.storages.BaseStorage = optuna.storages.InMemoryStorage()
    else:
        spec = {
            "plan": base.model_dump(mode="json"),
            "levers": [[lever.path, list(lever.values), lever.low, lever.high] for lever in levers],
            "objectives": [[o.metric, o.direction] for o in objectives],
            "constraints": [str(c) for c in constraints],
            "replicates": replicates,
            "seed": seed,
        }
        claim(out, "optimize", spec, force, profile)
        write_plans(out, [base])
        storage = optuna.storages.JournalStorage(
            optuna.storages.journal.JournalFileBackend(str(out / STUDY_FILE))
        )
    return optuna.create_study(
        storage=storage,
        study_name=STUDY_NAME,
        directions=[o.direction for o in objectives],
        load_if_exists=True,
    )


def _distribution(lever: Axis) -> BaseDistribution:
    if lever.values:
        return CategoricalDistribution(list(lever.values))
    if lever.integer:
        return IntDistribution(int(lever.low), int(lever.high))
    return FloatDistribution(lever.low, lever.high)


def _sampler(n_objectives: int, seed: int) -> optuna.samplers.BaseSampler:
    """Seeded TPE for one objective, NSGA-II for two; both read the trials' constraints."""
    if n_objectives == 1:
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.NSGAIISampler(population_size=POPULATION, seed=seed)


def _evaluated(study: optuna.Study) -> list[FrozenTrial]:
    """Trials whose replicates all ran (complete, or failed on an undefined objective)."""
    return [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,
                                                                TrialState.FAIL))
            if "metrics" in t.user_attrs]


def _finish(
    study: optuna.Study,
    levers: Sequence[Axis],
    objectives: Sequence[Objective],
    constraints: Sequence[Constraint],
    out: Path | None,
) -> Search:
    table = _trials_table(study, levers, objectives, constraints)
    ranked = table[table["pareto"]]
    if len(ranked):
        first = objectives[0]
        ranked = ranked.sort_values(
            [first.metric, "trial"], ascending=[first.direction == "minimize", True]
        )
    search = Search(
        list(levers), list(objectives), list(constraints), table,
        ranked.iloc[0] if len(ranked) else None,
    )
    if out is not None:
        write_parquet_atomic(table, out / "trials.parquet")
    return search


def _trials_table(
    study: optuna.Study,
    levers: Sequence[Axis],
    objectives: Sequence[Objective],
    constraints: Sequence[Constraint],
) -> pd.DataFrame:
    metrics = list(dict.fromkeys(item.metric for item in [*objectives, *constraints]))
    rows = []
    for trial in study.get_trials(deepcopy=False):
        measured = trial.user_attrs.get("metrics", {})
        rows.append({
            "trial": trial.number,
            "state": trial.state.name,
            **{lever.path: trial.params.get(lever.path) for lever in levers},
            **{metric: measured.get(metric, math.nan) for metric in metrics},
            "feasible": trial.state == TrialState.COMPLETE
            and all(v <= 0 for v in trial.constraints.values()),
        })
    table = pd.DataFrame(rows, columns=["trial", "state", *(lv.path for lv in levers), *metrics,
                                        "feasible"])
    table["pareto"] = _pareto(table, objectives)
    return table


def _pareto(table: pd.DataFrame, objectives: Sequence[Objective]) -> pd.Series:
    """Feasible trials no other feasible trial beats on every objective (ties count as level)."""
    signs = [1.0 if o.direction == "maximize" else -1.0 for o in objectives]
    scores = table[[o.metric for o in objectives]].to_numpy(dtype=float) * signs
    feasible = table["feasible"].to_numpy()
    front = []
    for i in range(len(table)):
        beaten = feasible[i] and any(
            feasible[j] and (scores[j] >= scores[i]).all() and (scores[j] > scores[i]).any()
            for j in range(len(table))
        )
        front.append(bool(feasible[i]) and not beaten)
    return pd.Series(front, index=table.index, dtype=bool)


def _plain(value: Any) -> Any:
    """A numpy scalar from a table as the plain Python value a plan takes."""
    return value.item() if hasattr(value, "item") else value
