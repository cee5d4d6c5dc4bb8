import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pandas as pd
import psutil
import pytest
from typer.testing import CliRunner

from experiments.cli.main import app
from promises import HANG_S, INTERRUPT_EXIT_S, WORKERS_GONE_S
from experiments.analyses import optimize
from experiments.analyses.optimize import BATCH, STUDY_FILE, STUDY_NAME
from experiments.running.points import point_plan, run_points
from scenarios.loader import load_plan

BASE = ["tuanzhang", "--weeks", "2", "--replicates", "2"]
LEVERS = ["--vary", "members.initial=60:180", "--vary", "host.ip_strength=0.2:0.9"]
GMV = ["--objective", "total_gmv"]


def invoke(*args: str, command: str = "optimize"):
    return CliRunner().invoke(app, [command, *(str(arg) for arg in args)])


def test_single_objective_with_constraints_writes_trials_and_a_runnable_best_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out = tmp_path / "study"
    result = invoke(*BASE, *LEVERS, *GMV, "--constraint", "final_members<=150",
                    "--constraint", "alive_week2>=0.5", "--trials", "10", "--out", out)
    assert result.exit_code == 0, result.output
    assert {"trials.parquet", "best.yaml", "report.html", STUDY_FILE} <= {
        p.name for p in out.iterdir()
    }
    trials = pd.read_parquet(out / "trials.parquet")
    assert list(trials.columns) == [
        "trial", "state", "members.initial", "host.ip_strength", "total_gmv", "final_members",
        "alive_week2", "feasible", "pareto",
    ]
    assert list(trials["trial"]) == list(range(10)) and set(trials["state"]) == {"COMPLETE"}
    assert pd.api.types.is_integer_dtype(trials["members.initial"])  # an int field: int trials
    assert trials["members.initial"].between(60, 180).all()
    assert trials["host.ip_strength"].between(0.2, 0.9).all()
    assert (trials["feasible"] == ((trials["final_members"] <= 150)
                                   & (trials["alive_week2"] >= 0.5))).all()
    best = trials[trials["pareto"]]
    assert len(best) >= 1 and best["feasible"].all()
    assert best["total_gmv"].iloc[0] == trials.loc[trials["feasible"], "total_gmv"].max()
    assert "Best trial" in result.stdout
    assert "Optimisation history" in (out / "report.html").read_text(encoding="utf-8")

    # best.yaml extends the library plan with only what differs, and runs as the best trial did
    text = (out / "best.yaml").read_text(encoding="utf-8")
    assert "extends: tuanzhang" in text and "calendar" not in text
    trial = best.iloc[0]
    point = {"members.initial": int(trial["members.initial"]),
             "host.ip_strength": float(trial["host.ip_strength"])}
    expected = point_plan(load_plan("tuanzhang", ["group.weeks=2"]), point, 0)
    loaded = load_plan(str(out / "best.yaml"))
    ignore = {"name", "description", "description_zh"}
    assert loaded.model_dump(exclude=ignore) == expected.model_dump(exclude=ignore)
    monkeypatch.chdir(out)
    ran = invoke("best.yaml", "--replicates", "2", "--out", tmp_path / "best-run", command="run")
    assert ran.exit_code == 0, ran.output
    summary = pd.read_parquet(tmp_path / "best-run" / "summary.parquet")
    assert summary["total_gmv"].median() == trial["total_gmv"]  # same seeds, same result


def test_rerun_continues_the_study_to_the_requested_trials(tmp_path: Path):
    args = [*BASE, *LEVERS, *GMV, "--out", tmp_path]
    assert invoke(*args, "--trials", "3").exit_code == 0
    first = pd.read_parquet(tmp_path / "trials.parquet")
    result = invoke(*args, "--trials", "6")
    assert result.exit_code == 0, result.output
    trials = pd.read_parquet(tmp_path / "trials.parquet")
    assert list(trials["trial"]) == list(range(6))
    pd.testing.assert_frame_equal(trials.iloc[:3].drop(columns="pareto"),
                                  first.drop(columns="pareto"))
    assert invoke(*args, "--trials", "6").exit_code == 0  # nothing left to do
    assert len(pd.read_parquet(tmp_path / "trials.parquet")) == 6


def test_a_trial_cut_off_by_an_interruption_runs_first_under_its_number(tmp_path: Path):
    args = [*BASE, *LEVERS, *GMV, "--out", tmp_path]
    assert invoke(*args, "--trials", "2").exit_code == 0
    storage = optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(tmp_path / STUDY_FILE)))
    study = optuna.load_study(study_name=STUDY_NAME, storage=storage)
    cut = study.ask({"members.initial": optuna.distributions.IntDistribution(60, 180),
                     "host.ip_strength": optuna.distributions.FloatDistribution(0.2, 0.9)})
    result = invoke(*args, "--trials", "3")
    assert result.exit_code == 0, result.output
    trials = pd.read_parquet(tmp_path / "trials.parquet")
    assert list(trials["state"]) == ["COMPLETE"] * 3
    assert trials.loc[2, "members.initial"] == cut.params["members.initial"]
    assert trials.loc[2, "host.ip_strength"] == cut.params["host.ip_strength"]


def test_two_objectives_give_a_pareto_front(tmp_path: Path):
    result = invoke(*BASE, "--vary", "members.initial=60:180",
                    "--vary", "calendar[flash_sale].preheat_red_packet=0:50",
                    "--objective", "total_gmv:max", "--objective", "total_cost:min",
                    "--trials", "8", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    trials = pd.read_parquet(tmp_path / "trials.parquet")
    front = trials[trials["pareto"]]
    assert len(front) >= 1
    for row in front.itertuples():  # no trial is at least as good on both and better on one
        better = trials[(trials["total_gmv"] >= row.total_gmv)
                        & (trials["total_cost"] <= row.total_cost)
                        & ((trials["total_gmv"] > row.total_gmv)
                           | (trials["total_cost"] < row.total_cost))]
        assert better.empty
    assert "Pareto front" in result.stdout
    assert "Pareto front" in (tmp_path / "report.html").read_text(encoding="utf-8")
    # a calendar lever: best.yaml carries the whole calendar, since extends replaces lists
    assert "calendar:" in (tmp_path / "best.yaml").read_text(encoding="utf-8")
    assert load_plan(str(tmp_path / "best.yaml")).calendar[0].preheat_red_packet == pytest.approx(
        trials.loc[trials["pareto"]].sort_values("total_gmv").iloc[-1][
            "calendar[flash_sale].preheat_red_packet"])


def test_best_plan_of_a_plan_file_extends_it_by_a_relative_path(tmp_path: Path):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "mine.yaml").write_text("extends: small_start\nhost: {capacity: 2}\n")
    out = tmp_path / "runs" / "search"
    result = invoke(plans / "mine.yaml", "--weeks", "1", "--replicates", "2",
                    "--vary", "host.ip_strength=0.2:0.9", *GMV, "--trials", "2", "--out", out)
    assert result.exit_code == 0, result.output
    text = (out / "best.yaml").read_text(encoding="utf-8")
    assert "extends: ../../plans/mine.yaml" in text
    best = load_plan(str(out / "best.yaml"))
    assert best.host.capacity == 2 and best.group.weeks == 1


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "Give an --objective METRIC[:max|:min]"),
        (["--objective", "happiness"], "Unknown metric 'happiness'. Metrics: "),
        (["--objective", "total_gmv:up"], "Bad --objective 'total_gmv:up'"),
        ([*GMV, "--constraint", "alive_week2 > 0.8"], "Bad --constraint 'alive_week2 > 0.8'"),
        ([*GMV, "--constraint", "alive_week12>=0.8"], "needs a horizon of at least 12 weeks"),
        ([*GMV, "--vary", "pool.mean_friends=1:10"], "allowed range 2 to 40"),
    ],
)
def test_bad_input_exits_2_with_a_message(tmp_path: Path, args: list[str], message: str):
    result = invoke(*BASE, *LEVERS, *args, "--trials", "2", "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "out").exists()


def test_other_arguments_on_the_same_out_are_refused(tmp_path: Path):
    assert invoke(*BASE, *LEVERS, *GMV, "--trials", "2", "--out", tmp_path).exit_code == 0
    result = invoke(*BASE, *LEVERS, "--objective", "final_members", "--trials", "2",
                    "--out", tmp_path)
    assert result.exit_code == 2 and "--force" in result.output


def test_trials_do_not_depend_on_the_workers(tmp_path: Path):
    args = ["tuanzhang", "--weeks", "1", "--replicates", "2", *LEVERS, *GMV, "--trials", "3"]
    for workers in (1, 2):
        result = invoke(*args, "--workers", workers, "--out", tmp_path / str(workers))
        assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "1" / "trials.parquet"),
                                  pd.read_parquet(tmp_path / "2" / "trials.parquet"))


def test_ctrl_c_stops_the_study_keeps_its_trials_and_a_rerun_finishes_it(tmp_path: Path):
    # batches after the first take about a second on running workers: six leave time to stop
    args = ["optimize", *BASE, *LEVERS, *GMV, "--trials", str(6 * BATCH), "--out", str(tmp_path)]
    groupsim = str(Path(sys.executable).with_name("groupsim"))
    proc = subprocess.Popen([groupsim, *args, "--workers", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE,
                            text=True, start_new_session=True)  # its own group, as in a terminal
    deadline = time.monotonic() + HANG_S
    while _complete(tmp_path) < BATCH:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no trial finished"
        time.sleep(0.2)
    workers = psutil.Process(proc.pid).children(recursive=True)
    os.killpg(proc.pid, signal.SIGINT)
    sent = time.monotonic()
    _, stderr = proc.communicate(timeout=HANG_S)
    assert time.monotonic() - sent < INTERRUPT_EXIT_S
    assert proc.returncode == 130, stderr
    assert "Interrupted: " in stderr  # mid-study, not while writing at the end
    _, alive = psutil.wait_procs(workers, timeout=WORKERS_GONE_S)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
    kept = pd.read_parquet(tmp_path / "trials.parquet")
    assert (kept["state"] == "COMPLETE").sum() >= BATCH

    result = invoke(*args[1:])  # the workers are not part of the study: 1 here
    assert result.exit_code == 0, result.output
    trials = pd.read_parquet(tmp_path / "trials.parquet")
    assert (trials["state"] == "COMPLETE").sum() == 6 * BATCH
    done = kept[kept["state"] == "COMPLETE"].drop(columns="pareto")
    pd.testing.assert_frame_equal(trials.loc[done.index].drop(columns="pareto"), done)


def _complete(out: Path) -> int:
    if not (out / STUDY_FILE).exists():
        return 0
    storage = optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(out / STUDY_FILE)))
    try:
        study = optuna.load_study(study_name=STUDY_NAME, storage=storage)
    except KeyError:  # not created yet
        return 0
    return len(study.get_trials(states=(optuna.trial.TrialState.COMPLETE,)))


@pytest.mark.parametrize("objectives", [GMV, [*GMV, "--objective", "total_cost:min"]])
def test_a_study_interrupted_in_batch_2_and_resumed_is_the_uninterrupted_study(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, objectives: list[str]
):
    args = ["tuanzhang", "--weeks", "1", "--replicates", "1", *LEVERS, *objectives,
            "--trials", str(3 * BATCH)]
    through = invoke(*args, "--out", tmp_path / "through")
    assert through.exit_code == 0, through.output

    calls = []

    def cut_in_batch_2(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return run_points(*a, **k)

    monkeypatch.setattr(optimize, "run_points", cut_in_batch_2)
    cut = invoke(*args, "--out", tmp_path / "resumed")
    assert cut.exit_code == 130, cut.output
    monkeypatch.setattr(optimize, "run_points", run_points)
    resumed = invoke(*args, "--out", tmp_path / "resumed")
    assert resumed.exit_code == 0, resumed.output

    expected = pd.read_parquet(tmp_path / "through" / "trials.parquet")
    trials = pd.read_parquet(tmp_path / "resumed" / "trials.parquet")
    assert len(trials) == 3 * BATCH and set(trials["state"]) == {"COMPLETE"}
    pd.testing.assert_frame_equal(trials, expected)  # numbers, levers, metrics, front
    best = [(out / "best.yaml").read_text(encoding="utf-8")
            for out in (tmp_path / "through", tmp_path / "resumed")]
    assert best[0] == best[1]
