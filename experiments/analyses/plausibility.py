"""The rates a practitioner checks, per plan: orders per 接龙, repeat-purchase interval, churn,
talk and muting. `python -m experiments.analyses.plausibility` prints them for the library plans (the
table in docs/plausibility.md, rewritten by `make plausibility`); `rates` is the function tests
use."""

import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.running.metrics import get, replicate_values
from scenarios.loader import library, load_plan
from scenarios.schema import Plan
from sim.calendar import occurrence_days
from sim.run import simulate

START, END = "<!-- rates:start -->", "<!-- rates:end -->"
RATES = {
    "orders_per_jielong": "接龙 orders per member per 接龙",
    "purchases_per_member_week": "purchases per member per week",
    "repeat_interval_days": "days per purchase, members who bought twice or more",
    "weekly_churn": "leaves per member-week",
    "messages_per_member_day": "real messages per member per day",
    "weekly_posting_share": "members who talked in the last 7 days / members",
    "muted_share": "muted / members at the end",
}
SUMMARY_RATES = ("lurker_share", "posting_gini", "top10_share", "alive_week12")
"""Summary metrics the table shows beside the rates (aggregation and labels from the metric
registry, `experiments.running.metrics`)."""
RATES |= {name: get(name).en for name in SUMMARY_RATES}
"""Rate -> what it measures, in the table's column order."""


def replicate_rates(plan: Plan, seed: int) -> dict[str, float]:
    """The rates of one replicate: rate name -> value (NaN where undefined)."""
    run = simulate(plan, seed)
    daily, members, summary = run.daily, run.members, run.summary
    days = plan.horizon_days
    jielong_days = sorted({d for item in plan.calendar if item.kind == "jielong"
                           for d in occurrence_days(item, days, plan.group.open_weekday)})
    at = daily.set_index("day")["members"]
    orders = (members["jielong_entries"].sum() / len(jielong_days) / at.loc[jielong_days].mean()
              if jielong_days else np.nan)
    member_days = daily["members"].sum()
    in_days = np.where(members["left_hour"] >= 0, members["left_hour"], days * 24)
    in_days = (in_days - members["joined_hour"].clip(lower=0)) / 24
    repeat = members["purchases"] >= 2
    week_ends = daily[daily["day"] % 7 == 6]
    return {
        "orders_per_jielong": orders,
        "purchases_per_member_week": daily["purchases"].sum() / member_days * 7,
        "repeat_interval_days": (in_days[repeat] / members["purchases"][repeat]).mean()
        if repeat.any() else np.nan,
        "weekly_churn": daily["leaves"].sum() / member_days * 7,
        "messages_per_member_day": daily["real_messages"].sum() / member_days,
        "weekly_posting_share": (week_ends["weekly_posters"] / week_ends["members"]).median(),
        "muted_share": daily["muted"].iloc[-1] / max(daily["members"].iloc[-1], 1),
        **{name: float(replicate_values(pd.DataFrame([summary]), name).iloc[0])
           for name in SUMMARY_RATES},
    }


def rates(plan: Plan, replicates: int = 10, seed: int = 0, workers: int = 1) -> pd.DataFrame:
    """One row per replicate (seeds `seed` … `seed + replicates − 1`), one column per rate of
    `RATES`; `workers` > 1 runs them in spawned processes."""
    seeds = range(seed, seed + replicates)
    if workers == 1:
        return pd.DataFrame([replicate_rates(plan, s) for s in seeds])
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        rows = list(pool.map(replicate_rates, [plan] * replicates, seeds))
    return pd.DataFrame(rows)


def table(names: list[str], replicates: int = 10) -> str:
    """Medians of every rate, one row per plan, as a markdown table."""
    medians = {name: rates(load_plan(name), replicates, workers=2).median() for name in names}
    return pd.DataFrame(medians).T[list(RATES)].to_markdown(floatfmt=".3g")


def write(path: Path, text: str) -> None:
    """Replace the block between the rates markers of `path` with `text`."""
    doc = path.read_text(encoding="utf-8")
    head, sep, rest = doc.partition(START)
    _, end, tail = rest.partition(END)
    if not (sep and end):
        raise SystemExit(f"{path} has no {START} ... {END} block")
    path.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--write"]:
        write(Path(args[1]), table(list(library())))
    else:
        print(table(args or list(library())))
