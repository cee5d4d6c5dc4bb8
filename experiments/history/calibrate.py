"""Fit an audience's behaviour to a group's history: `calibrate` writes profile.yaml, fit.parquet
and fit.html (docs/history.md, "Calibrate").

A trial is one set of values of the fitted names (`sim.profile.PARAMETERS`); it is scored by
playing the history's plan `replicates` times (seeds `seed`, `seed + 1`, ...: every trial meets the
same luck) and comparing each simulated daily series with the observed one. Optuna's TPE
(seeded) proposes trials; they are kept in a journal file (`out/calibrate.journal`), so an
interrupted calibration resumes where it stopped.

Score (minimised) = −(Σ over series of weight × log-likelihood) − log prior.
- Likelihood: each known day's count is negative binomial with mean the replicates' mean that
  day and a dispersion k per series taken from the replicates themselves (method of moments,
  pooled over days: var = μ + μ²/k), so the fit does not punish the day-to-day luck the model
  itself produces; k lies in [K_MIN, K_MAX] (K_MAX ≈ Poisson, K_MIN keeps a series from being
  ignored). A day unknown in observed.parquet (NA) is skipped, and a series unknown on every day
  is not fitted (nor are the names only it could tell, `NEEDS`).
- The hour-of-day series is the fit window's conversation per local hour (24 counts).
- Prior: normal around the default (sim/constants.py, the plan's value for plan levers), on the
  log scale for rates and lengths, with σ a quarter of the allowed range.

Interval of a fitted name: the range of its values over the trials whose score is within
`DELTA` of the best (a profile-likelihood interval: 1.92 is the 95 % χ²₁ cut-off, widened by the
score's own Monte Carlo noise, measured by re-playing the best values with fresh seeds). A name
whose interval spans more than `UNPINNED` of its allowed range is reported as not identified.
"""

import math
import zoneinfo
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from scenarios.loader import PlanError, load_plan
from scenarios.schema import Plan
from sim.constants import CONSTANTS
from sim.profile import PARAMETERS, Profile
from sim.run import simulate

SERIES = ("conversation", "prompted_messages", "jielong_entries", "active_posters", "joins",
          "leaves", "hour_of_day")
"""Fitted series: observed.parquet's columns (and the hour-of-day profile of conversation)."""
WEIGHTS = dict.fromkeys(SERIES, 1.0)
NEEDS = {"churn_per_day": "leaves", "thanks_share": "prompted_messages",
         "jielong_reads": "jielong_entries"}
"""A name fitted only when its series is known and not all zero."""
DEFAULT_FIT = ("post_rate", "voice_spread", "burst_extra", "salience_days", "churn_per_day",
               "thanks_share", "jielong_reads", "shift", "night", "evening",
               "pool.interest_mean", "pool.relation_to_host")
K_MIN, K_MAX = 2.0, 1000.0
DELTA = 1.92
UNPINNED = 0.5
MU_FLOOR = 0.05
JOURNAL = "calibrate.journal"


class CalibrationError(ValueError):
    """Bad input to a calibration (history directory, plan, counts); the message says which."""


@dataclass
class History:
    """What a calibration fits: observed daily series (NaN = unknown) and the plan."""

    plan: Plan
    observed: dict[str, np.ndarray]  # series -> (days,) floats, NaN where unknown
    hour_of_day: np.ndarray  # (24,) conversation per local hour over the fit days
    days: int  # fit days (all but the holdout)
    total_days: int


def read_history(history_dir: Path, plan: Path | None = None, holdout_days: int = 0,
                 tz: str = "Asia/Shanghai") -> History:
    """Read observed.parquet, events.parquet and the plan (history-plan.yaml by default)."""
    history_dir = Path(history_dir)
    try:
        obs = pd.read_parquet(history_dir / "observed.parquet")
        events = pd.read_parquet(history_dir / "events.parquet",
                                 columns=["time", "kind", "host", "prompted", "who"])
    except OSError:
        raise CalibrationError(f"{history_dir}: no observed.parquet and events.parquet here; "
                               "write them with `groupsim import`") from None
    try:
        plan_obj = load_plan(str(plan or history_dir / "history-plan.yaml"))
    except PlanError as error:
        raise CalibrationError(str(error)) from None
    total = len(obs)
    if not 0 <= holdout_days < total - 6:
        raise CalibrationError(f"holdout_days = {holdout_days}: must be in [0, {total - 7}] "
                               f"(the history has {total} days; at least 7 are fitted)")
    weeks = math.ceil(total / 7)
    if weeks > 52:
        raise CalibrationError(f"the history has {total} days; at most 52 weeks are fitted")
    plan_obj = plan_obj.model_copy(update={"group": plan_obj.group.model_copy(
        update={"weeks": max(plan_obj.group.weeks, weeks)})})
    observed = {name: obs[name].astype("Float64").to_numpy(np.float64, na_value=np.nan)
                for name in SERIES if name in obs}
    fit_days = total - holdout_days
    local = events["time"].dt.tz_convert(zoneinfo.ZoneInfo(tz))
    first = pd.Timestamp(obs["date"].iloc[0])
    talk = (events["kind"] == "message") & ~events["host"] & ~events["prompted"]
    day = (local.dt.tz_localize(None).dt.normalize() - first).dt.days
    hours = local.dt.hour[talk & (day < fit_days)]
    hour_of_day = np.bincount(hours.to_numpy(), minlength=24).astype(np.float64)
    return History(plan_obj, observed, hour_of_day, fit_days, total)


def simulate_series(plan: Plan, profile: Profile, seeds: Sequence[int],
                    days: int) -> dict[str, np.ndarray]:
    """Play `plan` with `profile` once per seed: series -> (len(seeds), days) counts, and
    `hour_of_day` -> (len(seeds), 24) conversation per hour over the first `days` days."""
    out: dict[str, list[np.ndarray]] = {name: [] for name in SERIES}
    for seed in seeds:
        run = simulate(plan, seed, hourly=True, profile=profile)
        d = run.daily.iloc[:days]
        conv = d["real_messages"] - d["prompted_messages"] - d["jielong_entries"]
        for name in SERIES[:-1]:
            out[name].append((conv if name == "conversation" else d[name]).to_numpy(np.float64))
        h = run.hourly.iloc[:days * 24]
        hconv = (h["real_messages"] - h["prompted_messages"] - h["jielong_entries"]).to_numpy()
        out["hour_of_day"].append(hconv.reshape(-1, 24).sum(axis=0))
    return {name: np.array(v) for name, v in out.items()}


def nb_loglik(y: np.ndarray, sims: np.ndarray) -> float:
    """Negative-binomial log-likelihood of observed counts `y` (NaN skipped) given replicate
    counts `sims` (replicates × len(y)); dispersion pooled from the replicates' variance."""
    known = ~np.isnan(y)
    if not known.any():
        return 0.0
    mu = np.maximum(sims.mean(axis=0), MU_FLOOR)[known]
    var = sims.var(axis=0, ddof=1)[known] if len(sims) > 1 else mu
    excess = np.maximum(var - mu, 0.0).sum()
    k = K_MAX if excess <= 0 else float(np.clip((mu**2).sum() / excess, K_MIN, K_MAX))
    return float(stats.nbinom.logpmf(np.round(y[known]), k, k / (k + mu)).sum())


def prior_centre(name: str, plan: Plan) -> float:
    """The default a name's prior is centred on: the constant, the plain rhythm, the plan's lever."""
    p = PARAMETERS[name]
    if p.where == "constants":
        return float(getattr(CONSTANTS, name))
    if p.where == "rhythm":
        return 0.0 if name == "shift" else 1.0
    group, key = name.split(".")
    return float(getattr(getattr(plan, group), key))


def log_prior(values: dict[str, float], plan: Plan) -> float:
    total = 0.0
    for name, value in values.items():
        p = PARAMETERS[name]
        f = np.log if p.log else (lambda x: x)
        sigma = (f(p.hi) - f(p.lo)) / 4
        total += stats.norm.logpdf(f(value), f(prior_centre(name, plan)), sigma)
    return float(total)


def score(history: History, sims: dict[str, np.ndarray],
          weights: dict[str, float] = WEIGHTS) -> tuple[float, dict[str, float]]:
    """Weighted log-likelihood of the fit days, in total and per series."""
    parts = {}
    for name in SERIES:
        if name == "hour_of_day":
            parts[name] = nb_loglik(history.hour_of_day, sims[name])
        elif name in history.observed:
            parts[name] = nb_loglik(history.observed[name][:history.days],
                                    sims[name][:, :history.days])
    return sum(weights.get(n, 1.0) * v for n, v in parts.items()), parts


def fitted_names(history: History, names: Sequence[str]) -> tuple[list[str], list[str]]:
    """Names that can be fitted, and the names left out with the reason."""
    plan_kinds = {item.kind for item in history.plan.calendar}
    keep, skipped = [], []
    for name in names:
        if name not in PARAMETERS:
            raise CalibrationError(f"{name}: unknown name; fitted names are "
                                   + ", ".join(PARAMETERS))
        series = NEEDS.get(name)
        y = history.observed.get(series) if series else None
        if series and (y is None or np.all(np.isnan(y[:history.days]))):
            skipped.append(f"{name}: {series} unknown in this export")
        elif name == "thanks_share" and "red_packet" not in plan_kinds:
            skipped.append(f"{name}: the plan has no red packets")
        elif name == "jielong_reads" and "jielong" not in plan_kinds:
            skipped.append(f"{name}: the plan has no 接龙")
        else:
            keep.append(name)
    return keep, skipped


def _chunked(plan: Plan, profile: Profile, seeds: list[int], days: int, pool) -> dict:
    if pool is None:
        return simulate_series(plan, profile, seeds, days)
    parts = [seeds[i::pool._max_workers] for i in range(pool._max_workers)]
    futures = [pool.submit(simulate_series, plan, profile, part, days) for part in parts if part]
    results = [f.result() for f in futures]
    order = np.argsort(np.concatenate([part for part in parts if part]))
    return {name: np.concatenate([r[name] for r in results])[order] for name in SERIES}


@dataclass
class Calibration:
    """What `calibrate` found: the profile and where it wrote it."""

    profile: Profile
    table: pd.DataFrame  # one row per fitted name: value, lo, hi, prior, identified
    skipped: list[str]
    paths: list[Path]

    def lines(self) -> list[str]:
        out = [f"{r.name}: {r.value:.4g} [{r.lo:.4g}, {r.hi:.4g}]"
               + ("" if r.identified else "  (not identified)") for r in self.table.itertuples()]
        return out + [f"not fitted: {s}" for s in self.skipped]


def calibrate(history_dir: Path, plan: Path | None = None, *, trials: int = 200,
              replicates: int = 8, workers: int = 1, seed: int = 0, holdout_days: int = 0,
              out: Path | None = None, names: Sequence[str] = DEFAULT_FIT,
              tz: str = "Asia/Shanghai", name: str | None = None,
              weights: dict[str, float] = WEIGHTS) -> Calibration:
    """Fit `names` to the history in `history_dir` (see the module docstring).

    Writes `out/profile.yaml`, `out/fit.parquet` (one row per series and day: observed, the
    best values' simulated median, 10 % and 90 % over max(replicates, 20) fresh replicates,
    and whether the day was fitted or held out), `out/fit.html` and the trial journal.
    `out` defaults to `history_dir/fit`. Raises `CalibrationError` for bad input.
    """
    import optuna

    from experiments.history.fit_report import write_fit_html

    if trials < 1 or replicates < 2 or workers < 1:
        raise CalibrationError("trials must be at least 1, replicates at least 2 (the "
                               "dispersion is read from them), workers at least 1")
    history = read_history(history_dir, plan, holdout_days, tz)
    keep, skipped = fitted_names(history, names)
    out = Path(out or Path(history_dir) / "fit")
    out.mkdir(parents=True, exist_ok=True)
    seeds = [seed + r for r in range(replicates)]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(out / JOURNAL)))
    study = optuna.create_study(study_name="calibrate", storage=storage, load_if_exists=True,
                                sampler=optuna.samplers.TPESampler(seed=seed,
                                                                   n_startup_trials=min(20, trials // 4 + 1)))
    if not study.trials:  # the defaults first: the trial the prior favours
        study.enqueue_trial({n: prior_centre(n, history.plan) for n in keep})
    pool = ProcessPoolExecutor(workers) if workers > 1 else None
    try:
        def objective(trial) -> float:
            values = {n: trial.suggest_float(n, PARAMETERS[n].lo, PARAMETERS[n].hi,
                                             log=PARAMETERS[n].log) for n in keep}
            sims = _chunked(history.plan, Profile("trial", values), seeds, history.days, pool)
            total, parts = score(history, sims, weights)
            for series, value in parts.items():
                trial.set_user_attr(series, value)
            return -(total + log_prior(values, history.plan))

        done = sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
        if done < trials:
            study.optimize(objective, n_trials=trials - done)
        best = study.best_trial
        best_values = {n: best.params[n] for n in keep}
        profile_best = Profile("best", best_values)
        fresh = [seed + 10_000 + r for r in range(max(replicates, 20))]
        check = _chunked(history.plan, profile_best, fresh, history.total_days, pool)
    finally:
        if pool is not None:
            pool.shutdown()
    # the score's Monte Carlo noise: the best values re-scored on fresh seeds, in groups
    groups = [list(range(i, len(fresh), len(fresh) // replicates or 1))[:replicates]
              for i in range(len(fresh) // replicates or 1)]
    noise = np.std([score(history, {k: v[g] for k, v in check.items()}, weights)[0]
                    for g in groups]) if len(groups) > 1 else 0.0
    table = intervals(study, keep, best.value, DELTA + float(noise), history.plan)
    profile = Profile(name or f"{Path(history_dir).resolve().name}", best_values, fit={
        "history": str(history_dir), "trials": len(study.trials), "replicates": replicates,
        "seed": seed, "holdout_days": holdout_days, "score": float(best.value),
        "delta": DELTA + float(noise),
        "intervals": {r.name: [float(r.lo), float(r.hi)] for r in table.itertuples()},
        "not_identified": [r.name for r in table.itertuples() if not r.identified],
        "not_fitted": skipped})
    fit = fit_table(history, check)
    paths = [profile.save(out / "profile.yaml")]
    fit.to_parquet(out / "fit.parquet", index=False)
    paths.append(out / "fit.parquet")
    paths.append(write_fit_html(out / "fit.html", fit, table, skipped, history.days))
    return Calibration(profile, table, skipped, paths)


def intervals(study, keep: list[str], best: float, delta: float, plan: Plan) -> pd.DataFrame:
    """Per fitted name: best value, [lo, hi] over trials within `delta` of the best score."""
    import optuna

    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE
            and all(n in t.params for n in keep)]
    near = [t for t in done if t.value <= best + delta]
    best_trial = min(done, key=lambda t: t.value)
    rows = []
    for n in keep:
        p = PARAMETERS[n]
        vals = np.array([t.params[n] for t in near])
        lo, hi = float(vals.min()), float(vals.max())
        f = np.log if p.log else (lambda x: x)
        share = (f(hi) - f(lo)) / (f(p.hi) - f(p.lo))
        rows.append({"name": n, "value": best_trial.params[n], "lo": lo, "hi": hi,
                     "prior": prior_centre(n, plan), "range_lo": p.lo, "range_hi": p.hi,
                     "share_of_range": share, "identified": bool(share <= UNPINNED),
                     "trials_within": len(near), "doc": p.doc})
    return pd.DataFrame(rows)


def fit_table(history: History, sims: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per series and day (or hour for `hour_of_day`): observed, simulated median,
    10 % and 90 %, and `fitted` (False on held-out days)."""
    frames = []
    for name in SERIES:
        if name == "hour_of_day":
            y, s, idx, fitted = history.hour_of_day, sims[name], np.arange(24), np.ones(24, bool)
        elif name in history.observed:
            y, s = history.observed[name], sims[name][:, :history.total_days]
            idx = np.arange(history.total_days)
            fitted = idx < history.days
        else:
            continue
        q = np.quantile(s, [0.1, 0.5, 0.9], axis=0)
        frames.append(pd.DataFrame({"series": name, "index": idx, "observed": y,
                                    "sim_q10": q[0], "sim_median": q[1], "sim_q90": q[2],
                                    "fitted": fitted}))
    return pd.concat(frames, ignore_index=True)

