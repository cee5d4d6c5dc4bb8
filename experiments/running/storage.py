"""The results of a run, in memory and in a run directory.

A run directory holds:

- `daily.parquet`: one row per plan, replicate and day.
- `summary.parquet`: one row per plan and replicate.
- `members.parquet`: one row per plan, replicate and account that was ever a member.
- `paired.parquet`: for a comparison, each plan's per-seed differences from the baseline plan
  (`compare --baseline`, default the first plan; see `experiments.running.paired`).
- `hourly.parquet`: one row per plan, replicate and hour (only for hourly runs).
- `plan.yaml` when the run has one plan, or `plans/<stem>.yaml` for each plan of a comparison
  (`<stem>` is `scenarios.names.file_stem` of the plan's name): the resolved plans with every
  default filled, each one a plan `groupsim run` accepts.
- `report.html`, written by `experiments.outputs.report`.
- `deck/`, written by `groupsim deck` (`experiments.outputs.deck`): the slide decks and chart images.
- `chunks/` while a run is under way: finished chunks of runs (see `experiments.running.runner`); a
  rerun of the same command on the same directory runs only what is missing, and one with other
  `--replicates` keeps the replicates both share (`REPLICATES_GROW`).
- `profile.yaml` when the plans were played with an audience profile (`--profile`,
  sim/profile.py): a copy of it; `groupsim.json`'s spec holds it and its digest.
- `groupsim.json`: which command wrote the directory, with what, and by which code (see
  `claim`), and
  `runs.json`: which chunks of runs the tables hold, and their rows, once they are all done.

Every table starts with the columns `plan` and `replicate`; rows are sorted by plan order,
replicate, then day or hour. Same tables give byte-identical parquet files.
"""

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from scenarios.loader import load_plan, plan_to_yaml
from scenarios.names import file_stem
from sim.profile import Profile
from sim.profile import load as load_profile
from sim.sources import OUTPUT_SOURCES, code_changes, code_record, source_files
from scenarios.schema import Plan

TABLES = ("daily", "summary", "members", "paired", "hourly")
MANIFEST = "groupsim.json"
RUNS = "runs.json"
REPLICATES_GROW = ("run", "compare", "portfolio", "sweep", "sensitivity")
"""Commands whose --out takes the same command with other --replicates: the runs both share are
kept (`runner.execute` finds them by their identity) and the rest run. Not optimize: its trials
were scored on their replicates."""
PROFILE = "profile.yaml"
LEGACY_OUTPUTS = {f"{t}.parquet" for t in TABLES} | {"plan.yaml", "plans", "parts", "report.html", "deck"}
"""What a run directory held before it had a manifest: --force may replace it."""


class OutDirError(FileExistsError):
    """An output directory that holds something else than what this command would write."""


@dataclass(frozen=True)
class Results:
    """Long tables of a run; `plans` in the order of their rows."""

    plans: list[Plan]
    daily: pd.DataFrame
    summary: pd.DataFrame
    members: pd.DataFrame
    paired: pd.DataFrame | None = None
    hourly: pd.DataFrame | None = None
    profile: Profile | None = None  # the audience the plans were played with (--profile)

    @property
    def baseline(self) -> str:
        """The plan `paired` measures the others against; the first plan when there is none."""
        if self.paired is None or self.paired.empty:
            return self.plans[0].name
        return str(self.paired["baseline"].iloc[0])


def write_parquet(table: pd.DataFrame, path: Path) -> None:
    """Write without the index; the file depends only on the table."""
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), path)


def write_parquet_atomic(table: pd.DataFrame, path: Path) -> None:
    """Write under a temporary name, then rename: the file is whole or absent."""
    write_atomic(path, lambda tmp: write_parquet(table, tmp))


def write_atomic(path: Path, write: Any) -> None:
    """Call `write(tmp)` on a temporary sibling of `path`, then move it over `path`, so that a
    reader never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def claim(out: Path, command: str, spec: dict[str, Any], force: bool = False,
          profile: Profile | None = None) -> bool:
    """Make `out` the directory of `command` run with `spec` (JSON-able); True if resuming.

    With `profile`, the spec also holds the profile and its digest (a run with another profile
    is another run) and `out/profile.yaml` is its copy (`read_profile`).

    The manifest also records the code (`sim.sources.code_record`: a hash of each source that
    can change an output, the numba and groupsim versions). A new or empty directory is claimed;
    one written by the same command, spec and code is resumed; anything else (results of other
    code included: they are never reused) raises `OutDirError` unless `force`, which empties a
    directory groupsim wrote.
    """
    if profile is not None:
        spec = {**spec, "profile": {**profile.to_dict(), "digest": profile.digest}}
    resumed = _claim(out, command, spec, force)
    if profile is not None:
        profile.save(out / PROFILE)
    return resumed


def read_profile(out: Path) -> Profile | None:
    """The profile a run directory's plans were played with (`claim`), or None."""
    return load_profile(out / PROFILE) if (out / PROFILE).is_file() else None


def _claim(out: Path, command: str, spec: dict[str, Any], force: bool) -> bool:
    manifest = {"command": command, "spec": json.loads(json.dumps(spec, default=str)),
                "code": code_record(source_files(OUTPUT_SOURCES))}
    out.mkdir(parents=True, exist_ok=True)
    path = out / MANIFEST
    held = sorted(p.name for p in out.iterdir())
    if path.is_file():
        before = json.loads(path.read_text(encoding="utf-8"))
        if before == manifest:
            return True
        if _other_replicates(before, manifest):
            tables = (_finished(out, ()) or {}).get("tables", ())
            kept = {MANIFEST, RUNS, "chunks", *(f"{t}.parquet" for t in tables)}
            for item in out.iterdir():
                if item.name not in kept:  # the report, deck, plans: of the old replicates
                    shutil.rmtree(item) if item.is_dir() else item.unlink()
            write_atomic(path, lambda tmp: tmp.write_text(json.dumps(manifest, indent=1),
                                                          encoding="utf-8"))
            return True
        if not force and _same_run(before, manifest):
            changes = (code_changes(before["code"], manifest["code"]) if "code" in before
                       else ["made before groupsim recorded its code"])
            shown = ", ".join(changes[:4]) + (f" and {len(changes) - 4} more" if len(changes) > 4
                                               else "")
            raise OutDirError(
                f"--out {out} holds this {command}'s results made by other code ({shown}), so "
                "they are not reused. Add --force to rerun it from scratch there, or choose "
                "another --out."
            )
        if not force:
            what = (_another(command, before["spec"], manifest["spec"])
                    if before["command"] == command else f"a `groupsim {before['command']}` run")
            raise OutDirError(
                f"--out {out} holds {what}. Choose another --out, rerun the same command to "
                "resume it, or add --force to replace it."
            )
    elif held and not (force and set(held) <= LEGACY_OUTPUTS):
        raise OutDirError(
            f"--out {out} is not empty ({', '.join(held[:3])}{', ...' if len(held) > 3 else ''}) "
            "and was not written by this command. Choose another --out"
            + (", or add --force to replace it." if set(held) <= LEGACY_OUTPUTS else ".")
        )
    for item in out.iterdir():
        shutil.rmtree(item) if item.is_dir() else item.unlink()
    write_atomic(path, lambda tmp: tmp.write_text(json.dumps(manifest, indent=1),
                                                  encoding="utf-8"))
    return False


def _another(command: str, before: dict[str, Any], now: dict[str, Any]) -> str:
    """What `--out` holds instead, for the refusal: another portfolio by name ("portfolio
    copy_one_host; this is ten_copies"), else what differs in the spec."""
    held, this = (spec.get("portfolio", {}).get("name") for spec in (before, now))
    if command == "portfolio" and held != this:
        return f"portfolio {held}; this is {this}"
    if command == "portfolio":
        fields = [k for k in {**before["portfolio"], **now["portfolio"]}
                  if before["portfolio"].get(k) != now["portfolio"].get(k)]
        return (f"portfolio {held} run with other settings "
                f"({_spec_changes(before, now, portfolio='its ' + ', '.join(fields))})")
    return f"another {command} ({_spec_changes(before, now)})"


def _spec_changes(before: dict[str, Any], now: dict[str, Any], **named: str) -> str:
    """What differs between two specs, for the refusal: "replicates 4 there, 6 now; plans"
    (a key of `named` is shown as its words)."""
    keys = [k for k in dict.fromkeys([*before, *now]) if before.get(k) != now.get(k)]
    shown = [f"{k} {before.get(k)} there, {now.get(k)} now"
             if all(isinstance(v, (int, float, str, type(None))) for v in (before.get(k), now.get(k)))
             else named.get(k, k) for k in keys]
    return "it differs in " + "; ".join(shown) if shown else "its spec differs"


def _other_replicates(before: dict[str, Any], now: dict[str, Any]) -> bool:
    """The same command, spec and code but for --replicates, for a command that keeps the
    replicates they share (`REPLICATES_GROW`)."""
    return (before["command"] == now["command"] in REPLICATES_GROW
            and before.get("code") == now["code"]
            and {**before["spec"], "replicates": 0} == {**now["spec"], "replicates": 0})


def _same_run(before: dict[str, Any], now: dict[str, Any]) -> bool:
    """Same command and spec (the code aside)."""
    return before["command"] == now["command"] and before["spec"] == now["spec"]


def write_plans(out: Path, plans: Sequence[Plan]) -> None:
    """`plan.yaml` for one plan, or `plans/<file_stem(name)>.yaml` for each plan of a comparison."""
    if len(plans) == 1:
        (out / "plan.yaml").write_text(plan_to_yaml(plans[0]), encoding="utf-8")
        return
    (out / "plans").mkdir(exist_ok=True)
    for plan in plans:
        (out / "plans" / f"{file_stem(plan.name)}.yaml").write_text(plan_to_yaml(plan),
                                                                   encoding="utf-8")


def write_tables(out: Path, tables: dict[str, pd.DataFrame | None]) -> None:
    """Write each table (None: none) as `<name>.parquet`."""
    for name, frame in tables.items():
        if frame is not None:
            write_parquet_atomic(frame, out / f"{name}.parquet")


def read_tables(out: Path, names: Sequence[str]) -> dict[str, pd.DataFrame]:
    """`out/<name>.parquet` for each name. Raises FileNotFoundError for a missing table."""
    return {name: pd.read_parquet(out / f"{name}.parquet") for name in names}


def finished_tables(out: Path, names: Sequence[str]) -> str | None:
    """The key `mark_finished` recorded, if its tables are all there."""
    record = _finished(out, names)
    return record.get("key") if record else None


def finished_chunks(out: Path, names: Sequence[str]) -> dict[str, dict[str, list[int]]]:
    """The chunks the finished tables `names` hold: chunk name -> table -> [first row, end)."""
    record = _finished(out, names)
    if not record or list(record.get("tables", ())) != list(names):
        return {}
    chunks, start = {}, dict.fromkeys(names, 0)
    for name, rows in record.get("chunks", ()):
        chunks[name] = {t: [start[t], start[t] + rows[t]] for t in names}
        start = {t: start[t] + rows[t] for t in names}
    return chunks


def _finished(out: Path, names: Sequence[str]) -> dict[str, Any] | None:
    path = out / RUNS
    if not path.is_file() or not all((out / f"{n}.parquet").is_file() for n in names):
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def mark_finished(out: Path, names: Sequence[str], key: str,
                  chunks: Sequence[tuple[str, dict[str, int]]]) -> None:
    """Record that the tables `names` hold all the runs of `key`: the `chunks` (name, rows per
    table) stacked in that order."""
    write_atomic(out / RUNS, lambda tmp: tmp.write_text(
        json.dumps({"key": key, "tables": list(names), "chunks": [list(c) for c in chunks]}),
        encoding="utf-8"))


def with_alive(daily: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """`daily` with its `alive` column; a table written before the column existed gets it from
    the summary's `lifetime_days` (the death day of a group that died: the same definition)."""
    if "alive" in daily:
        return daily
    runs = summary[["plan", "replicate", "lifetime_days", "alive_at_end"]]
    rows = daily[["plan", "replicate", "day"]].merge(runs, on=["plan", "replicate"], how="left")
    alive = rows["alive_at_end"].to_numpy(bool) | (rows["day"] < rows["lifetime_days"]).to_numpy()
    return daily.assign(alive=alive)


def read_results(out: Path) -> Results:
    """Read a run directory written by `experiments.running.runner.run_plans`."""
    summary = pd.read_parquet(out / "summary.parquet")
    if (out / "plan.yaml").is_file():
        plans = [load_plan(str(out / "plan.yaml"))]
    else:
        plans = [load_plan(str(out / "plans" / f"{file_stem(name)}.yaml"))
                 for name in summary["plan"].unique()]
    optional = {
        name: pd.read_parquet(out / f"{name}.parquet") if (out / f"{name}.parquet").is_file() else None
        for name in ("paired", "hourly")
    }
    return Results(
        plans=plans,
        daily=with_alive(pd.read_parquet(out / "daily.parquet"), summary),
        summary=summary,
        members=pd.read_parquet(out / "members.parquet"),
        profile=read_profile(out),
        **optional,
    )
