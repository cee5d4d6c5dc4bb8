"""The results of a run, in memory and in a run directory.

A run directory holds:

- `daily.parquet`: one row per plan, replicate and day.
- `summary.parquet`: one row per plan and replicate.
- `members.parquet`: one row per plan, replicate and account that was ever a member.
- `paired.parquet`: for a comparison, each plan's per-seed differences from the first plan
  (see `experiments.paired`).
- `hourly.parquet`: one row per plan, replicate and hour (only for hourly runs).
- `plan.yaml` when the run has one plan, or `plans/<name>.yaml` for each plan of a comparison:
  the resolved plans with every default filled, each one a plan `groupsim run` accepts.
- `report.html`, written by `experiments.report`.
- `deck/`, written by `groupsim deck` (`experiments.deck`): the slide decks and chart images.
- `parts/` while a run is under way: one parquet file per finished replicate and table, combined
  into the tables above when the run ends or is interrupted. If a run dies, what finished is here.

Every table starts with the columns `plan` and `replicate`; rows are sorted by plan order,
replicate, then day or hour. Same tables give byte-identical parquet files.
"""

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from scenarios.loader import load_plan, plan_to_yaml
from scenarios.schema import Plan

TABLES = ("daily", "summary", "members", "paired", "hourly")
OUTPUTS = (
    "daily.parquet",
    "summary.parquet",
    "members.parquet",
    "paired.parquet",
    "hourly.parquet",
    "plan.yaml",
    "plans",
    "parts",
    "report.html",
    "deck",
)


@dataclass(frozen=True)
class Results:
    """Long tables of a run; `plans` in the order of their rows."""

    plans: list[Plan]
    daily: pd.DataFrame
    summary: pd.DataFrame
    members: pd.DataFrame
    paired: pd.DataFrame | None = None
    hourly: pd.DataFrame | None = None


def write_parquet(table: pd.DataFrame, path: Path) -> None:
    """Write without the index; the file depends only on the table."""
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), path)


def start_run(out: Path, plans: Sequence[Plan]) -> None:
    """Make `out` ready for a run and write the plans there.

    `out` may be missing, empty or an earlier run directory, whose outputs are replaced.
    """
    out.mkdir(parents=True, exist_ok=True)
    strangers = sorted(path.name for path in out.iterdir() if path.name not in OUTPUTS)
    if strangers:
        raise FileExistsError(
            f"{out} is not a run directory (it holds {', '.join(strangers[:3])}); "
            "choose another --out"
        )
    for name in OUTPUTS:
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    if len(plans) == 1:
        (out / "plan.yaml").write_text(plan_to_yaml(plans[0]), encoding="utf-8")
        return
    (out / "plans").mkdir()
    for plan in plans:
        (out / "plans" / f"{plan.name}.yaml").write_text(plan_to_yaml(plan), encoding="utf-8")


def write_part(out: Path, plan_index: int, replicate: int, tables: dict[str, pd.DataFrame]) -> None:
    """Save one finished replicate's tables to `out/parts/`."""
    parts = out / "parts"
    parts.mkdir(exist_ok=True)
    for table, frame in tables.items():
        write_parquet(frame, parts / f"{plan_index:03d}-{replicate:05d}-{table}.parquet")


def write_tables(results: Results, out: Path) -> None:
    """Write the combined tables and drop the parts they were combined from."""
    for table in TABLES:
        frame = getattr(results, table)
        if frame is not None:
            write_parquet(frame, out / f"{table}.parquet")
    shutil.rmtree(out / "parts", ignore_errors=True)


def read_results(out: Path) -> Results:
    """Read a run directory written by `experiments.runner.run_plans`."""
    summary = pd.read_parquet(out / "summary.parquet")
    if (out / "plan.yaml").is_file():
        plans = [load_plan(str(out / "plan.yaml"))]
    else:
        plans = [
            load_plan(str(out / "plans" / f"{name}.yaml")) for name in summary["plan"].unique()
        ]
    optional = {
        name: pd.read_parquet(out / f"{name}.parquet") if (out / f"{name}.parquet").is_file() else None
        for name in ("paired", "hourly")
    }
    return Results(
        plans=plans,
        daily=pd.read_parquet(out / "daily.parquet"),
        summary=summary,
        members=pd.read_parquet(out / "members.parquet"),
        **optional,
    )
