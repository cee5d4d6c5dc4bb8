"""Fit an audience's behaviour to a group's history: `calibrate` writes profile.yaml and
fit.parquet (docs/history.md, "Calibrate"); `experiments.outputs.fit_report` draws fit.html.

A trial is one set of values of the fitted names (`sim.profile.PARAMETERS`); it is scored by
playing the history's plan `replicates` times (seeds `seed`, `seed + 1`, ...: every trial meets the
same luck) and comparing summary statistics of the fit days with the observed ones. Trials are
kept in an Optuna journal (`out/calibrate.journal`), so an interrupted calibration resumes
where it stopped.

Score (minimised) = −log-likelihood − log prior.
- Likelihood (`synthetic_loglik`, Wood 2010): one history is one run, and runs differ in their
  whole level (who happened to join, how loud the loud ones are), so day-by-day counts were the
  wrong unit (a negative binomial per day around a random level left posting propensity and its
  spread unidentified: the level absorbed the volume, and nothing separated a higher rate from
  a wider spread). The statistics (`statistics`): the totals of the known series (counts: a
  negative binomial each, with the replicates' mean and variance), and shapes: messages per
  active poster-day, the circular mean hour, the night, morning and evening shares of
  conversation and the top 10 %'s and the top half's shares of it (read from events.parquet,
  and from the simulated members' posts), shares as log-odds. The shapes' predictive
  distribution is Student's t around the trial's replicates' mean, with the covariance of a
  pilot (`PILOT_FACTOR` × replicates at one point, on seeds of their own: TPE's best, then the
  climb's best), the same for every trial scored with it; TPE's trials, before any pilot, use
  their own replicates' covariance. A day unknown in observed.parquet (NA) is left out of the
  totals, and a series unknown on every day is not used (nor are the names only it could tell,
  `NEEDS`).
- When the plan has red packets and the export shows none (Telegram, WhatsApp), simulated
  prompted thanks are counted as conversation, as the import counts them.
- Prior: normal around the default (sim/constants.py, the plan's value for plan levers), on the
  log scale for rates and lengths, with σ a quarter of the allowed range.

Trials (p fitted names): n_local = max(p(p + 3)/2 + 5, trials/4) (at most half) are kept for the
end; of the rest, the first half are TPE's search (seeded; the first trial is the defaults) and
the second half a Nelder-Mead climb (`climb`), half from TPE's best and half from the defaults,
scored with the first pilot's covariance; the last n_local are a cloud around the climb's best
(σ `LOCAL_SIGMA` of each range) that shows the score's curvature, scored with the second
pilot's. Each trial keeps its statistics (user attribute `STATISTICS`), so every trial is
scored again with the pilot in use (`Scored`): the climb's start, the best and the interval
read all trials on one likelihood. The pilots are kept in the journal (study attributes
`PILOTS`): a resumed calibration reuses them.

Interval of a fitted name: 95 % of a Laplace approximation of the posterior. A quadratic is
fitted by least squares to the scores (with the second pilot's covariance) of the trials within
the 99 % region of the best (on each
name's search scale mapped to [0, 1]); its Hessian's eigenvalues are floored at the prior's own
curvature (noise cannot make a direction sharper than nothing-but-prior is flat), its inverse,
times 1 + 1/replicates (the simulated means' own noise, as in synthetic likelihood), is the
covariance, to whose variances the search's own error is added (the variance, per name, of the
best max(5, trials/20) trials: a search that has not settled gives a wider interval). The fitted
value is the mean of those best trials (the best alone is the luckiest; a Newton step towards
the quadratic's minimum, tried first, moved the value a whole σ off), and the interval that
± 1.96 σ, clipped to the allowed range. A name whose interval spans more than `UNPINNED` of its
range is reported as not identified.
"""

import hashlib
import math
from collections.abc import Callable, Sequence
from datetime import date
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from experiments.running.history.times import BadTime, zone
from experiments.running.runner import Backend, Run, RunError, execute, open_backend
from scenarios.loader import PlanError, load_plan
from scenarios.schema import Plan
from sim.calendar import compile_calendar
from sim.constants import CONSTANTS
from sim.events import KINDS
from sim.profile import DEFAULT_FIT, PARAMETERS, Profile

SERIES = ("conversation", "prompted_messages", "jielong_entries", "active_posters", "joins",
          "leaves", "hour_of_day", "top_share")
"""Series compared: observed.parquet's columns, the hour-of-day profile of conversation and the
top posters' shares of it (`top_share`, one number per share of `TOPS`)."""
TOTALS = ("conversation", "prompted_messages", "jielong_entries", "joins", "leaves")
"""Series whose fit-window total is a statistic (a count)."""
TOPS = (0.1, 0.5)  # `top_share`: the shares of conversation by the top 10 % and top half of posters
NIGHT, MORNING, EVENING = slice(0, 7), slice(7, 12), slice(18, 24)  # hour blocks (shares)
SHRINK = 0.5  # the statistics' covariance: halfway between the replicates' own and its diagonal
SD_FLOOR = 0.01  # least standard deviation of a shape statistic
SHARE_CLIP = 0.001  # shares are compared as log-odds within [this, 1 - this]
PILOT_FACTOR = 4  # a pilot plays this many times a trial's replicates ...
PILOT_SEED = 20_000  # ... on seeds `seed + PILOT_SEED + r` (trials': `seed + r`)
PILOT_SHRINK = 0.0  # a pilot's covariance is not shrunk: its replicates estimate it
PILOTS = ("pilot after the search", "pilot after the climb", "pilot after the second climb")
"""The study's user attributes that keep each pilot (its values and its replicates' shapes)."""
STATISTICS = "statistics"
"""A trial's user attribute: its statistics, observed and per replicate (`_pack`)."""
MU_FLOOR = 0.5  # least mean of a simulated total
NEEDS = {"churn_per_day": "leaves", "thanks_share": "prompted_messages",
         "jielong_proof": "jielong_entries"}
"""A name fitted only when its series is known and not all zero."""
UNPINNED = 0.5
FIT_CHECK_P = 0.01  # below this `fit_check` p, the fit is said not to reproduce the history ...
FIT_CHECK_FAILS = ("the fitted values do not reproduce this history: the search may have missed, "
                   "or the plan is not the one the group played; read the intervals with care")
"""... in these words (the command line and fit.html)."""
FIT_CHECK_SAYS = ("the history's statistics taken together, against runs at the fitted values; "
                  "the one farthest out alone: {worst}")
"""How the check's p and its farthest statistic are read (p is of all the statistics together,
with their correlations: it can be small while no one statistic is far out)."""
TOP_TRIALS = 5  # at least this many best trials measure the search's own error
LOCAL_SIGMA = 0.08  # σ of the local cloud, as a share of each name's range
CLIMB_STEP = 0.1  # Nelder-Mead's first simplex: this share of each name's range
QUAD_LEVEL = 0.99  # the quadratic is fitted to the trials within this posterior region ...
QUAD_POINTS = 3  # ... and to at least this many times its coefficients (2 left it non-convex)
PRIOR_CURVATURE = 16.0  # the prior's own curvature on the unit scale (σ = a quarter range)
JOURNAL = "calibrate.journal"
INPUTS = "inputs"  # the journal's record of what its trials fitted (`History.digest`, names, ...)


class CalibrationError(ValueError):
    """Bad input to a calibration (history directory, plan, counts); the message says which."""



def has_red_packets(plan: Plan) -> bool:
    """Whether `plan` fires red packets (the thanks they prompt are `prompted_messages`): its
    calendar's red packets and flash sales' pre-heat red packets, as the run compiles them."""
    return bool(np.any(compile_calendar(plan).kind == KINDS.index("red_packet")))

@dataclass
class History:
    """What a calibration fits: observed daily series (NaN = unknown) and the plan."""

    plan: Plan
    observed: dict[str, np.ndarray]  # series -> (days,) floats, NaN where unknown
    hour_of_day: np.ndarray  # (24,) conversation per local hour over the fit days
    top_share: np.ndarray  # (len(TOPS),) shares of the fit days' conversation by its top posters
    days: int  # fit days (all but the holdout)
    total_days: int
    thanks_talk: bool  # the plan has red packets the export does not show: thanks are talk

    @property
    def red_packets(self) -> bool:
        """The plan has red packets (`has_red_packets`)."""
        return has_red_packets(self.plan)

    def digest(self) -> str:
        """A hash of everything a trial is scored on and played with: the plan, the observed
        series and shapes, the fit days. A journal is resumed only for the same."""
        h = hashlib.sha256(self.plan.model_dump_json().encode())
        for name in sorted(self.observed):
            h.update(name.encode() + self.observed[name].tobytes())
        for part in (self.hour_of_day, self.top_share,
                     np.array([self.days, self.total_days, self.thanks_talk], dtype=np.float64)):
            h.update(part.tobytes())
        return h.hexdigest()

    @property
    def fit_plan(self) -> Plan:
        """The plan played by trials: to the end of the fit days' last week."""
        weeks = math.ceil(self.days / 7)
        return self.plan.model_copy(update={"group": self.plan.group.model_copy(
            update={"weeks": weeks})})


def read_history(history_dir: Path, plan: Path | None = None, holdout_days: int = 0,
                 tz: str | None = None) -> History:
    """Read observed.parquet, events.parquet and the plan (history-plan.yaml by default).
    `tz`: the zone of the local days, by default the import's (recorded in events.parquet);
    another than the import's raises `CalibrationError` (its days are the import's)."""
    history_dir = Path(history_dir)
    try:
        obs = pd.read_parquet(history_dir / "observed.parquet")
        events = pd.read_parquet(history_dir / "events.parquet",
                                 columns=["time", "kind", "host", "prompted", "who"])
    except OSError:
        raise CalibrationError(f"{history_dir}: no observed.parquet and events.parquet here; "
                               "write them with `groupsim import`") from None
    imported = events.attrs.get("tz", "Asia/Shanghai")  # imports before it was recorded
    try:
        zone(tz or imported)
    except BadTime as error:
        raise CalibrationError(str(error)) from None
    if tz is not None and tz != imported:
        raise CalibrationError(f"--tz {tz}: this history was imported with --tz {imported}, "
                               "whose local days its observed series count; leave --tz out, or "
                               "import again with the zone you want")
    try:
        local_zone = zone(imported)
    except BadTime as error:
        raise CalibrationError(str(error)) from None
    try:
        plan_obj = load_plan(str(plan or history_dir / "history-plan.yaml"))
    except PlanError as error:
        raise CalibrationError(str(error)) from None
    total = len(obs)
    if total < 7:
        raise CalibrationError(f"the history has {total} days; a calibration needs at least 7")
    if not 0 <= holdout_days < total - 6:
        raise CalibrationError(f"--holdout-days {holdout_days}: must be in [0, {total - 7}] "
                               f"(the history has {total} days; at least 7 are fitted)")
    weeks = math.ceil(total / 7)
    if weeks > 52:
        raise CalibrationError(f"the history has {total} days; at most 52 weeks are fitted")
    plan_obj = plan_obj.model_copy(update={"group": plan_obj.group.model_copy(
        update={"weeks": max(plan_obj.group.weeks, weeks)})})
    observed = {name: obs[name].astype("Float64").to_numpy(np.float64, na_value=np.nan)
                for name in SERIES if name in obs}
    fit_days = total - holdout_days
    local = events["time"].dt.tz_convert(local_zone)
    first = pd.Timestamp(obs["date"].iloc[0])
    talk = (events["kind"] == "message") & ~events["host"] & ~events["prompted"]
    day = (local.dt.tz_localize(None).dt.normalize() - first).dt.days
    window = talk & (day < fit_days)
    hour_of_day = np.bincount(local.dt.hour[window].to_numpy(), minlength=24).astype(np.float64)
    per_poster = events.loc[window, "who"].value_counts().to_numpy(np.float64)
    packets = obs["red_packets"].astype("Float64").fillna(0).sum() if "red_packets" in obs else 0
    thanks_talk = packets == 0 and has_red_packets(plan_obj)
    return History(plan_obj, observed, hour_of_day, top_share(per_poster), fit_days, total,
                   bool(thanks_talk))


def top_share(posts: np.ndarray) -> np.ndarray:
    """Shares of all messages in `posts` (messages per member) by the top `TOPS` of the members
    who posted (at least one), shape (len(TOPS),); NaN when nobody posted."""
    posts = np.sort(posts[posts > 0])[::-1]
    if not len(posts):
        return np.full(len(TOPS), np.nan)
    return np.array([posts[:math.ceil(top * len(posts))].sum() / posts.sum() for top in TOPS])


def simulate_series(plan: Plan, profile: Profile, seeds: Sequence[int], days: int,
                    thanks_talk: bool = False, backend: Backend | None = None
                    ) -> dict[str, np.ndarray]:
    """Play `plan` with `profile` once per seed (on `backend`, default here): series ->
    (len(seeds), days) counts, `hour_of_day` -> (len(seeds), 24) conversation per hour over
    the first `days` days and `top_share` -> (len(seeds), len(TOPS)) the top posters' shares of
    the run's conversation (members' posts over the whole run). `thanks_talk`: the export shows
    no red packets, so prompted thanks are conversation."""
    runs = [Run(plan, {"plan": plan.name}, r, seed, profile=profile)
            for r, seed in enumerate(seeds)]
    tables = execute(runs, ("daily", "hourly", "members"), hourly=True,
                     backend=backend or Backend())
    out: dict[str, list] = {name: [] for name in SERIES}
    for (_, d), (_, h), (_, m) in zip(*(tables[t].groupby("replicate", sort=True)
                                        for t in ("daily", "hourly", "members"))):
        d, h = d.iloc[:days], h.iloc[:days * 24]
        for name in SERIES[:-2]:
            out[name].append(_conversation(d, thanks_talk) if name == "conversation"
                             else d[name].to_numpy(np.float64))
        out["hour_of_day"].append(_conversation(h, thanks_talk).reshape(-1, 24).sum(axis=0))
        posts = m["posts"] + (m["prompted_posts"] if thanks_talk else 0)
        out["top_share"].append(top_share(posts.to_numpy(np.float64)))
    return {name: np.array(v) for name, v in out.items()}


def _conversation(frame: pd.DataFrame, thanks_talk: bool) -> np.ndarray:
    """Real messages that are neither 接龙 entries nor (unless `thanks_talk`) prompted thanks."""
    talk = frame["real_messages"] - frame["jielong_entries"]
    if not thanks_talk:
        talk = talk - frame["prompted_messages"]
    return talk.to_numpy(np.float64)


Statistic = tuple[float, np.ndarray]  # (observed, (replicates,) simulated)


def statistics(history: History, sims: dict[str, np.ndarray]
               ) -> tuple[dict[str, Statistic], dict[str, Statistic]]:
    """The fit days' summary statistics, observed and per replicate: (totals, shapes), each
    name -> (observed, (replicates,) simulated).

    Totals (counts, over the days known in the export): `total <series>` for each of `TOTALS`
    the export knows (prompted thanks only when the export shows red packets). Shapes:
    - `log messages per poster`: log((1 + conversation) / (1 + active poster-days));
    - `mean hour`: the circular mean hour of conversation, in hours from the observed one
      (in (-12, 12]), and `night`, `morning`, `evening log-odds`: the log-odds of its shares
      at 0-6 h, 7-11 h and 18-23 h (the rhythm's shift, night and evening; shares of equal
      blocks alone made the shift's fit multimodal);
    - `top 10 % log-odds` and `top 50 % log-odds`: the log-odds of the top posters' shares of
      conversation (`top_share`).
    Shares are compared as log-odds: a small share's spread between runs (the night's, about
    0.003 on a share of 0.06) is then a relative one, above `SD_FLOOR`."""
    days = history.days
    totals: dict[str, Statistic] = {}
    shapes: dict[str, Statistic] = {}
    for series in TOTALS:
        if series not in history.observed or (series == "prompted_messages" and (
                history.thanks_talk or not history.red_packets)):
            continue
        known = ~np.isnan(history.observed[series][:days])
        if known.any():
            totals[f"total {series}"] = (history.observed[series][:days][known].sum(),
                                         sims[series][:, :days][:, known].sum(axis=1))
    known = ~np.isnan(history.observed["conversation"][:days]) & \
        ~np.isnan(history.observed["active_posters"][:days])
    if known.any():
        def per_poster(conv, posters):
            return np.log1p(conv[..., known].sum(axis=-1)) - np.log1p(
                posters[..., known].sum(axis=-1))
        shapes["log messages per poster"] = (
            per_poster(history.observed["conversation"][:days],
                       history.observed["active_posters"][:days]),
            per_poster(sims["conversation"][:, :days], sims["active_posters"][:, :days]))
    if history.hour_of_day.sum() > 0:
        hours, observed = sims["hour_of_day"], history.hour_of_day
        angle = 2 * np.pi * np.arange(24) / 24
        centre = np.angle((observed * np.exp(1j * angle)).sum())
        turn = np.angle((hours * np.exp(1j * (angle - centre))).sum(axis=1))
        shapes["mean hour"] = (0.0, turn * 24 / (2 * np.pi))
        total = np.maximum(hours.sum(axis=1), 1.0)
        for name, block in (("night", NIGHT), ("morning", MORNING), ("evening", EVENING)):
            shapes[f"{name} log-odds"] = (log_odds(observed[block].sum() / observed.sum()),
                                          log_odds(hours[:, block].sum(axis=1) / total))
    if not np.isnan(history.top_share).any():
        for j, top in enumerate(TOPS):
            shapes[f"top {top:.0%} log-odds"] = (
                log_odds(history.top_share[j]), log_odds(np.nan_to_num(sims["top_share"][:, j])))
    return totals, shapes


def log_odds(share):
    """log(share / (1 - share)), the share kept within [`SHARE_CLIP`, 1 - `SHARE_CLIP`]."""
    share = np.clip(share, SHARE_CLIP, 1 - SHARE_CLIP)
    return np.log(share / (1 - share))


def count_loglik(y: float, sims: np.ndarray) -> tuple[float, float]:
    """Log-likelihood of an observed total count `y` given the replicates' totals `sims`
    (replicates,), and its z-score: negative binomial with the replicates' mean (at least
    `MU_FLOOR`) and variance (at least the mean: Poisson), the variance times 1 + 1/n (the mean
    is itself estimated from n replicates). The replicates' variance holds the history-level
    variation (who joined, how loud the loud ones are), so it is the right yardstick for one
    history's total."""
    n = len(sims)
    mu = max(float(sims.mean()), MU_FLOOR)
    var = max(float(sims.var(ddof=1)) if n > 1 else 0.0, mu) * (1 + 1 / n)
    y = round(float(y))
    ll = stats.nbinom.logpmf(y, mu**2 / (var - mu), mu / var) if var > mu \
        else stats.poisson.logpmf(y, mu)
    return float(ll), (y - mu) / math.sqrt(var)


Spread = tuple[np.ndarray, int]  # a covariance (p, p) and its degrees of freedom


def spread(sims: np.ndarray, shrink: float = SHRINK) -> Spread:
    """The shape statistics' covariance (p, p) from replicates' `sims` (replicates, p), and its
    degrees of freedom (replicates − 1): shrunk `shrink` of the way to its diagonal (few
    replicates estimate it), standard deviations at least `SD_FLOOR`."""
    n, p = sims.shape
    cov = np.cov(sims, rowvar=False, ddof=1).reshape(p, p) if n > 1 else np.zeros((p, p))
    cov = (1 - shrink) * cov + shrink * np.diag(np.diag(cov))
    cov[np.diag_indices_from(cov)] = np.maximum(np.diag(cov), SD_FLOOR**2)
    return cov, n - 1


def synthetic_loglik(y: np.ndarray, sims: np.ndarray, pilot: Spread | None = None
                     ) -> tuple[float, np.ndarray]:
    """Log-likelihood of the observed shape statistics `y` (p,) given the replicates' `sims`
    (n, p), and the z-score of each: the predictive distribution of one more run (Wood 2010's
    synthetic likelihood), Student's t around the replicates' mean with scale C (1 + 1/n) (the
    mean's own noise added). C and the t's degrees of freedom are `pilot`'s (a covariance from
    many replicates at a nearby point, `spread`) or, without one, the replicates' own
    (`spread(sims)`: n − 1 degrees of freedom). (A normal with 8 replicates' own spread put one
    history's night share 3σ from the truth that made it.)"""
    mean, cov, df = predictive(sims, pilot)
    ll = stats.multivariate_t.logpdf(y, mean, cov, df=df)
    return float(ll), (y - mean) / np.sqrt(np.diag(cov))


def predictive(sims: np.ndarray, pilot: Spread | None = None
               ) -> tuple[np.ndarray, np.ndarray, int]:
    """The predictive distribution of one more run's shape statistics from replicates' `sims`
    (n, p): mean (p,), scale C (1 + 1/n) (p, p) and degrees of freedom, C and the degrees of
    freedom `pilot`'s or, without one, the replicates' own (`spread`)."""
    cov, df = pilot if pilot is not None else spread(sims)
    return sims.mean(axis=0), cov * (1 + 1 / len(sims)), df


def fit_check(history: History, sims: dict[str, np.ndarray], pilot: Spread | None
              ) -> tuple[float, str, float]:
    """Whether the fitted values reproduce the history (a posterior predictive check): the
    discrepancy D = Σ z² of the totals (`count_loglik`'s z-scores against `sims`, replicates
    played at the fitted values) plus the shapes' Mahalanobis distance from their mean (with
    `pilot`'s covariance, or the replicates' own), against χ² with one degree of freedom per
    statistic. Returns (p, the statistic farthest out, its z)."""
    totals, shapes = statistics(history, sims)
    _, z = score(totals, shapes, pilot)
    d = sum(z[name] ** 2 for name in totals)
    if shapes:
        mean, cov, _ = predictive(np.column_stack([v for _, v in shapes.values()]), pilot)
        gap = np.array([v for v, _ in shapes.values()]) - mean
        d += float(gap @ np.linalg.solve(cov, gap))
    worst = max(z, key=lambda name: abs(z[name]))
    return float(stats.chi2.sf(d, len(z))), worst, float(z[worst])


def prior_centre(name: str, plan: Plan) -> float:
    """The default a name's prior is centred on: the constant, the plain rhythm, the plan's
    lever."""
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


def score(totals: dict[str, Statistic], shapes: dict[str, Statistic],
          pilot: Spread | None = None) -> tuple[float, dict[str, float]]:
    """Log-likelihood of the fit days' statistics (`statistics`' totals and shapes): a negative
    binomial per total (`count_loglik`) plus the shapes' synthetic likelihood
    (`synthetic_loglik`, with `pilot`'s covariance if given); and the z-score of each
    statistic."""
    ll, z = 0.0, {}
    for name, (y, s) in totals.items():
        part, z[name] = count_loglik(y, s)
        ll += part
    if shapes:
        part, zs = synthetic_loglik(np.array([y for y, _ in shapes.values()]),
                                    np.column_stack([s for _, s in shapes.values()]), pilot)
        ll += part
        z.update(zip(shapes, zs.tolist()))
    return ll, z


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
        elif series and np.nansum(y[:history.days]) == 0:
            skipped.append(f"{name}: no {series} in this export")
        elif name == "thanks_share" and not history.red_packets:
            skipped.append(f"{name}: the plan has no red packets")
        elif name == "jielong_proof" and "jielong" not in plan_kinds:
            skipped.append(f"{name}: the plan has no 接龙")
        else:
            keep.append(name)
    return keep, skipped


@dataclass
class Calibration:
    """What `calibrate` found: the profile, the per-day comparison and where it wrote them."""

    profile: Profile
    table: pd.DataFrame  # one row per fitted name: value, lo, hi, prior, identified
    skipped: list[str]
    fit: pd.DataFrame  # fit.parquet's rows (`fit_table`)
    fit_days: int  # days fitted (the rest are held out)
    paths: list[Path]
    skeleton: bool = False  # played the import's plan skeleton (no --plan)

    def lines(self) -> list[str]:
        out = [f"{r.name}: {r.value:.4g} [{r.lo:.4g}, {r.hi:.4g}]"
               + ("" if r.identified else "  (not identified)") for r in self.table.itertuples()]
        trials, least = self.profile.fit["trials"], least_trials(len(self.table))
        few = ([f"too few trials ({trials}) to measure the intervals of {len(self.table)} "
                f"names: at least {least}; the values are the search's best, and no name is "
                "called identified"] if trials < least else [])
        vague = [r.name for r in self.table.itertuples() if not r.identified]
        thin = ([f"not identified: {', '.join(vague)}: this history does not hold enough of "
                 "them (a longer or busier one may; docs/history.md, \"How much a history "
                 "holds\")"] if vague and not few else [])
        check = self.profile.fit.get("fit_check")
        off = [] if not check else [
            (f"{FIT_CHECK_FAILS} (p = {check['p']:.2g}: " if check["p"] < FIT_CHECK_P else
             f"fit check: the fitted values reproduce this history as a run of them would "
             f"(p = {check['p']:.2g}: ")
            + f"{FIT_CHECK_SAYS.format(worst=check['worst'])}, z = {check['z']:+.1f}; "
              "fit.html draws each series against the history)"]
        look = self.profile.fit.get("second_look")
        again = [] if not look else [
            f"second look: the first fit check failed (p = {look['first_p']:.2g}), so the search "
            f"climbed on from its best ({look['trials']} trials more) and measured again; kept "
            + ("the second look" if look["kept"] == "second" else
               "the first (the second's check was no better)")]
        guessed = (["fitted on the import's plan skeleton (history-plan.yaml): what it could "
                    "not infer (its comments list it: sales, the pool's interest and relation to "
                    "the host, …) plays at its defaults and biases the constants; give --plan "
                    "with the plan the group played"] if self.skeleton else [])
        return (out + [f"not fitted: {s}" for s in self.skipped] + few + thin + again + off
                + guessed)


def calibrate(history_dir: Path, plan: Path | None = None, *, trials: int = 200,
              replicates: int = 8, workers: int = 1, dask: str | None = None, seed: int = 0,
              holdout_days: int = 0,
              out: Path | None = None, names: Sequence[str] = DEFAULT_FIT,
              tz: str | None = None, name: str | None = None,
              progress: Callable[[int, int], None] | None = None) -> Calibration:
    """Fit `names` to the history in `history_dir` (see the module docstring).

    Trials and the two pilots (each `PILOT_FACTOR` × `replicates` runs: together 8 trials'
    worth at the default factor) run here (`workers` 1), in `workers` local processes or on
    Dask (`dask`: "local" or a scheduler's address), as `groupsim run` does. Writes
    `out/profile.yaml`, `out/fit.parquet` (one row per series and day: observed, the fitted
    values' simulated median, 10 % and 90 % over max(replicates, 20) fresh replicates, and
    whether the day was fitted or held out) and the trial journal. `out` defaults to
    `history_dir/fit`. `progress(finished, trials)` is called as trials finish (first with
    those a resumed journal already holds). Raises `CalibrationError` for bad input.
    """
    import optuna

    bad = [f"--{name} {value}: must be at least {least}{why}" for name, value, least, why in (
        ("trials", trials, 1, ""), ("replicates", replicates, 2, " (the dispersion is read from "
                                    "them)"), ("workers", workers, 1, "")) if value < least]
    if bad:
        raise CalibrationError("; ".join(bad))
    history = read_history(history_dir, plan, holdout_days, tz)
    keep, skipped = fitted_names(history, names)
    if not keep:
        raise CalibrationError("nothing to fit: " + "; ".join(skipped))
    out = Path(out or Path(history_dir) / "fit")
    out.mkdir(parents=True, exist_ok=True)
    seeds = [seed + r for r in range(replicates)]
    # ERROR: a trial stopped by Ctrl-C is logged as a failed trial with its traceback at WARNING;
    # the command says what was saved instead
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    storage = optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(out / JOURNAL)))
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=min(20, trials // 4 + 1),
                                         multivariate=True)
    if "calibrate" in optuna.study.get_all_study_names(storage):  # loading writes nothing
        study = optuna.load_study(study_name="calibrate", storage=storage, sampler=sampler)
    else:
        study = optuna.create_study(study_name="calibrate", storage=storage, sampler=sampler)
    if any(STATISTICS not in t.user_attrs for t in _complete(study)) or (
            study.trials and INPUTS not in study.user_attrs):
        raise CalibrationError(f"{out / JOURNAL}: written by an earlier version of calibrate (its "
                               "trials keep no statistics to score again, or not what they "
                               "fitted); remove it or give another --out")
    inputs = {"history": history.digest(), "fitted": keep, "replicates": replicates,
              "seed": seed}
    if study.trials and study.user_attrs[INPUTS] != inputs:
        differs = [k for k in inputs if study.user_attrs[INPUTS].get(k) != inputs[k]]
        what = {"history": "the history or its plan (another import, --plan or --holdout-days)",
                "fitted": "the names fitted (--fit, or those this history's series allow)",
                "replicates": "--replicates",
                "seed": "--seed"}
        raise CalibrationError(f"{out / JOURNAL} holds the trials of another calibration: it "
                               f"differs in {'; '.join(what[k] for k in differs)}. Give another "
                               "--out, or remove that journal to start again (rerun the same "
                               "command to resume it)")
    study.set_user_attr(INPUTS, inputs)
    if not study.trials:  # the defaults first: the trial the prior favours
        study.enqueue_trial({n: prior_centre(n, history.plan) for n in keep})
    try:
        with open_backend(workers, dask) as backend:  # workers start once for all trials
            pilot: Spread | None = None  # the shapes' covariance; None: each trial's own
            goal = trials  # trials to run (more if the fit check asks for a second look)

            def objective(trial) -> float:
                values = {n: trial.suggest_float(n, PARAMETERS[n].lo, PARAMETERS[n].hi,
                                                 log=PARAMETERS[n].log) for n in keep}
                sims = simulate_series(history.fit_plan, Profile("trial", values), seeds,
                                       history.days, history.thanks_talk, backend)
                totals, shapes = statistics(history, sims)
                trial.set_user_attr(STATISTICS, _pack(totals, shapes))
                total, parts = score(totals, shapes, pilot)
                for series, value in parts.items():
                    trial.set_user_attr(series, value)
                if progress is not None:
                    progress(len(_complete(study)) + 1, goal)
                return -(total + log_prior(values, history.plan))

            def scored() -> list[Scored]:  # every trial so far, scored with `pilot`
                return [Scored(t.params, -(score(*_unpack(t.user_attrs[STATISTICS]), pilot)[0]
                                           + log_prior(t.params, history.plan)))
                        for t in _complete(study)]

            def run_pilot(label: str, point: Scored) -> Spread | None:
                if label not in study.user_attrs:  # else: a resumed calibration's own
                    sims = simulate_series(
                        history.fit_plan, Profile("pilot", point.params),
                        [seed + PILOT_SEED + r for r in range(PILOT_FACTOR * replicates)],
                        history.days, history.thanks_talk, backend)
                    study.set_user_attr(label, {"values": point.params, "shapes": {
                        k: s.tolist() for k, (_, s) in statistics(history, sims)[1].items()}})
                shapes = study.user_attrs[label]["shapes"]
                return spread(np.column_stack(list(shapes.values())), PILOT_SHRINK) \
                    if shapes else None

            if progress is not None:  # a resumed calibration starts where it stopped
                progress(len(_complete(study)), max(len(_complete(study)), trials))
            n_local = min(trials // 2, max(len(keep) * (len(keep) + 3) // 2 + 5, trials // 4))
            n_tpe = (trials - n_local + 1) // 2
            done = len(_complete(study))
            if done < n_tpe:  # search: TPE, each trial scored with its own replicates' spread
                study.optimize(objective, n_trials=n_tpe - done)
            # search: Nelder-Mead from TPE's best, then from the defaults (trial 0), scored with
            # the spread of a pilot at TPE's best
            pilot = run_pilot(PILOTS[0], min(scored()[:n_tpe], key=lambda t: t.value))
            n_climb = trials - n_local - n_tpe
            climb(study, objective, scored, keep, n_tpe, n_tpe + n_climb // 2, start="best")
            climb(study, objective, scored, keep, n_tpe, trials - n_local, start="defaults")
            def measure(label: str, until: int):
                """A cloud around the best of the first `until` trials, for the curvature,
                scored with the spread of a pilot there, until there are `until`; the
                intervals over them and the fit check. (A resumed calibration finds its
                pilot and cloud in the journal, and a second look's trials after these.)"""
                nonlocal pilot
                centre = min(scored()[:until], key=lambda t: t.value)
                pilot = run_pilot(label, centre)
                done = len(_complete(study))
                if done < until:
                    rng = np.random.default_rng([seed, done])
                    cloud = _to_unit(centre.params, keep) + LOCAL_SIGMA * rng.standard_normal(
                        (until - done, len(keep)))
                    for u in np.clip(cloud, 0, 1):
                        study.enqueue_trial(_from_unit(u, keep))
                    study.optimize(objective, n_trials=until - done)
                final = scored()[:until]
                table = intervals(final, keep, replicates, history.plan)
                values = dict(zip(table["name"], table["value"].astype(float)))
                fresh = [seed + 10_000 + r for r in range(max(replicates, 20))]
                sims = simulate_series(history.plan, Profile("best", values), fresh,
                                       history.total_days, history.thanks_talk, backend)
                return final, table, values, sims, fit_check(history, sims, pilot)

            final, table, best_values, check, (fit_p, worst, worst_z) = measure(PILOTS[1], trials)
            second = {}  # the second look, if taken: the first's p, its trials, which is kept
            if fit_p < FIT_CHECK_P:  # a second look: climb on from the best, measure again
                goal = trials + n_climb + n_local
                if progress is not None:
                    progress(len(_complete(study)), goal)
                climb(study, objective, scored, keep, trials, trials + n_climb, start="best")
                again = measure(PILOTS[2], goal)
                second = {"first_p": fit_p, "trials": goal - trials,
                          "kept": "second" if again[-1][0] > fit_p else "first"}
                if again[-1][0] > fit_p:
                    final, table, best_values, check, (fit_p, worst, worst_z) = again
            best = min(final, key=lambda t: t.value)
    except RunError as error:  # e.g. no Dask scheduler at that address
        raise CalibrationError(str(error)) from None
    profile = Profile(name or f"{Path(history_dir).resolve().name}", best_values, fit={
        "history": str(history_dir), "date": date.today().isoformat(),
        "trials": len(final), "replicates": replicates,
        "pilot_replicates": PILOT_FACTOR * replicates,
        "seed": seed, "holdout_days": holdout_days, "score": float(best.value),
        "intervals": {r.name: [float(r.lo), float(r.hi)] for r in table.itertuples()},
        "not_identified": [r.name for r in table.itertuples() if not r.identified],
        "not_fitted": skipped,
        "fit_check": {"p": fit_p, "worst": worst, "z": worst_z},
        **({"second_look": second} if second else {})})
    fit = fit_table(history, check)
    paths = [profile.save(out / "profile.yaml")]
    fit.to_parquet(out / "fit.parquet", index=False)
    paths.append(out / "fit.parquet")
    return Calibration(profile, table, skipped, fit, history.days, paths, skeleton=plan is None)


@dataclass(frozen=True)
class Scored:
    """A trial's values and its score (minimised) under the likelihood in use."""

    params: dict[str, float]
    value: float


def _pack(totals: dict[str, Statistic], shapes: dict[str, Statistic]) -> dict:
    """`statistics`' output as a trial's user attribute (JSON)."""
    return {part: {k: [float(y), s.tolist()] for k, (y, s) in group.items()}
            for part, group in (("totals", totals), ("shapes", shapes))}


def _unpack(packed: dict) -> tuple[dict[str, Statistic], dict[str, Statistic]]:
    """`_pack`'s inverse."""
    return tuple({k: (y, np.array(s)) for k, (y, s) in packed[part].items()}
                 for part in ("totals", "shapes"))


class _Spent(Exception):
    """The climb's trials are used up."""


def climb(study, objective, scored, keep: list[str], start_after: int, until: int,
          start: str = "best") -> None:
    """Nelder-Mead on the unit scale (scipy), from the best of the study's first `start_after`
    trials (`start` "best") or from its first trial (the defaults), until the study holds
    `until` complete trials; `scored()` gives the study's trials (`Scored`) with the score the
    climb minimises, which `objective` returns for a new one. A point already in the journal is
    not run again, so a resumed calibration replays the same steps. (The likelihood's peak is
    narrow: TPE finds a region, the climb follows the ridge to the peak; a second start from
    the defaults keeps a broad plateau of noisy, loud-and-unequal audiences that TPE may settle
    on from deciding.)"""
    from scipy.optimize import minimize

    trials = scored()
    if len(trials) >= until or len(trials) < start_after:
        return
    seen = {_key(t.params, keep): t.value for t in trials}
    first = trials[0] if start == "defaults" else min(trials[:start_after], key=lambda t: t.value)
    x0 = _to_unit(first.params, keep)

    def f(u: np.ndarray) -> float:
        params = _from_unit(np.clip(u, 0, 1), keep)
        key = _key(params, keep)
        if key not in seen:
            if len(_complete(study)) >= until:
                raise _Spent
            study.enqueue_trial(params)
            study.optimize(objective, n_trials=1)
            seen[key] = study.trials[-1].value
        return seen[key]

    steps = np.where(x0 > 0.9, -CLIMB_STEP, CLIMB_STEP)
    simplex = np.vstack([x0, x0 + np.diag(steps)])
    try:
        minimize(f, x0, method="Nelder-Mead", bounds=[(0.0, 1.0)] * len(keep),
                 options={"initial_simplex": simplex, "maxfev": 10 * until, "xatol": 1e-3,
                          "fatol": 0.1})
    except _Spent:
        pass


def _key(params: dict[str, float], keep: list[str]) -> tuple:
    return tuple(round(float(params[n]), 12) for n in keep)


def _complete(study) -> list:
    import optuna

    return [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]


def _scale(name: str):
    return np.log if PARAMETERS[name].log else (lambda x: x)


def _to_unit(values: dict[str, float], keep: list[str]) -> np.ndarray:
    """Values on the search scale mapped to [0, 1] per name."""
    out = []
    for n in keep:
        f, p = _scale(n), PARAMETERS[n]
        out.append((f(values[n]) - f(p.lo)) / (f(p.hi) - f(p.lo)))
    return np.array(out)


def _from_unit(u: np.ndarray, keep: list[str]) -> dict[str, float]:
    out = {}
    for n, x in zip(keep, u):
        p = PARAMETERS[n]
        if p.log:
            out[n] = float(np.clip(np.exp(np.log(p.lo) + x * (np.log(p.hi) - np.log(p.lo))),
                                   p.lo, p.hi))
        else:
            out[n] = float(np.clip(p.lo + x * (p.hi - p.lo), p.lo, p.hi))
    return out


def quadratic(trials: list, keep: list[str]) -> np.ndarray:
    """A quadratic fitted by least squares to the scores of the trials within the `QUAD_LEVEL`
    region of the best (scores up to χ²_p(0.99)/2 above it; at least the best 3 × coefficients),
    on the unit scale around the best trial: its Hessian, with the eigenvalues floored at the
    prior's curvature. (Further out the score is
    not quadratic: the t likelihood's tails flatten it, and a quadratic fitted there made the
    intervals twice too wide.)"""
    scores = np.array([t.value for t in trials])
    order = np.argsort(scores)
    p = len(keep)
    n_coef = 1 + p + p * (p + 1) // 2
    span = stats.chi2.ppf(QUAD_LEVEL, p) / 2
    near = [i for i in order if scores[i] <= scores[order[0]] + span]
    if len(near) < QUAD_POINTS * n_coef:
        near = list(order[:QUAD_POINTS * n_coef])
    u0 = _to_unit(trials[order[0]].params, keep)
    du = np.array([_to_unit(trials[i].params, keep) for i in near]) - u0
    iu = np.triu_indices(p)
    quad = du[:, iu[0]] * du[:, iu[1]]
    design = np.hstack([np.ones((len(near), 1)), du, quad])
    coef = np.linalg.lstsq(design, scores[near], rcond=None)[0]
    h = np.zeros((p, p))
    h[iu] = coef[1 + p:]
    h = h + h.T  # diagonal: 2 × a_jj; off-diagonal: a_jk
    w, v = np.linalg.eigh(h)
    return (v * np.maximum(w, PRIOR_CURVATURE)) @ v.T


def least_trials(p: int) -> int:
    """Trials that can measure the intervals of `p` fitted names: the quadratic fitted near the
    best needs `QUAD_POINTS` times its 1 + p + p(p + 1)/2 coefficients."""
    return QUAD_POINTS * (1 + p + p * (p + 1) // 2)


def intervals(trials: list, keep: list[str], replicates: int, plan: Plan) -> pd.DataFrame:
    """Per fitted name: the Laplace approximation's mode and 95 % interval (see the module
    docstring). With fewer than `least_trials` trials the curvature cannot be measured (a
    quadratic with more coefficients than points is any shape, and gave narrow intervals that
    moved from run to run): every interval is then the allowed range, and no name identified."""
    if len(trials) < least_trials(len(keep)):
        cov = np.diag(np.full(len(keep), np.inf))
    else:
        cov = np.linalg.inv(quadratic(trials, keep)) * (1 + 1 / replicates)
    # the best few trials: their mean is the value (the best alone is the luckiest), their
    # spread the search's own error
    top = sorted(trials, key=lambda t: t.value)[:max(TOP_TRIALS, len(trials) // 20)]
    points = np.array([_to_unit(t.params, keep) for t in top])
    u0, search = points.mean(axis=0), points.std(axis=0)
    sd = np.sqrt(np.diag(cov) + search**2)
    half = 1.96 * sd
    mode = _from_unit(u0, keep)
    lo = _from_unit(np.clip(u0 - half, 0, 1), keep)
    hi = _from_unit(np.clip(u0 + half, 0, 1), keep)
    rows = []
    for j, n in enumerate(keep):
        p = PARAMETERS[n]
        share = float(min(u0[j] + half[j], 1) - max(u0[j] - half[j], 0))
        rows.append({"name": n, "value": mode[n], "lo": lo[n], "hi": hi[n],
                     "prior": prior_centre(n, plan), "range_lo": p.lo, "range_hi": p.hi,
                     "share_of_range": share, "identified": bool(share <= UNPINNED),
                     "doc": p.doc})
    return pd.DataFrame(rows)


def fit_table(history: History, sims: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per series and day (or hour for `hour_of_day`): observed, simulated median,
    10 % and 90 %, and `fitted` (False on held-out days)."""
    frames = []
    for name in SERIES:
        if name == "hour_of_day":
            y, s, idx, fitted = history.hour_of_day, sims[name], np.arange(24), np.ones(24, bool)
        elif name == "top_share":
            y, s, idx = history.top_share, sims[name], np.arange(len(TOPS))
            fitted = np.ones(len(TOPS), bool)
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

