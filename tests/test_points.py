from pathlib import Path

import pandas as pd
import pytest

from experiments.running.points import run_points
from experiments.running.runner import RunError, RunInterrupted
from scenarios.loader import PlanError, load_plan

BASE = load_plan("tuanzhang", ["group.weeks=1"])
POINTS = [{"calendar[flash_sale].discount": d, "host.ip_strength": 0.6} for d in (0.1, 0.4)]


def test_rows_are_points_by_replicate_with_shared_seeds_and_values():
    summary = run_points(BASE, POINTS, replicates=2, seed=3)
    assert list(summary.columns[:5]) == [
        "point", "replicate", "seed", "calendar[flash_sale].discount", "host.ip_strength",
    ]
    assert summary[["point", "replicate", "seed"]].values.tolist() == [
        [0, 0, 3], [0, 1, 4], [1, 0, 3], [1, 1, 4],
    ]
    assert summary["calendar[flash_sale].discount"].tolist() == [0.1, 0.1, 0.4, 0.4]
    assert "total_gmv" in summary


def test_a_point_at_the_base_values_matches_the_base_plan():
    same = {"host.ip_strength": BASE.host.ip_strength}
    other = {"host.ip_strength": 0.1}
    summary = run_points(BASE, [same, other], replicates=2)
    base = run_points(BASE, [{}], replicates=2)
    metrics = base.columns[3:]
    assert summary[summary["point"] == 0][metrics].reset_index(drop=True).equals(base[metrics])
    assert not summary[summary["point"] == 1][metrics].reset_index(drop=True).equals(base[metrics])


def test_a_bad_point_names_the_point_and_the_path():
    pattern = r"(?s)point 1 \(host.ip_strength=7\).*host.ip_strength = 7"
    with pytest.raises(PlanError, match=pattern):
        run_points(BASE, [{"host.ip_strength": 0.5}, {"host.ip_strength": 7}], replicates=1)


def test_workers_and_dask_give_identical_tables(tmp_path: Path):
    serial = run_points(BASE, POINTS, replicates=3, out=tmp_path / "serial", daily=True)
    processes = run_points(BASE, POINTS, replicates=3, workers=2, out=tmp_path / "processes",
                           daily=True)
    dask = run_points(BASE, POINTS, replicates=3, workers=2, dask="local")
    assert serial.equals(processes) and serial.equals(dask)
    for name in ("summary.parquet", "daily.parquet"):
        assert (tmp_path / "serial" / name).read_bytes() == (
            tmp_path / "processes" / name).read_bytes()
    daily = pd.read_parquet(tmp_path / "serial" / "daily.parquet")
    assert list(daily.columns[:3]) == ["point", "replicate", "day"]


def test_interrupted_points_resume_without_running_finished_chunks_again(tmp_path: Path):
    points = [{"host.ip_strength": v / 10} for v in range(1, 10)]

    def stop_at_three(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(RunInterrupted) as stop:
        run_points(BASE, points, replicates=1, out=tmp_path, progress=stop_at_three)
    assert stop.value.finished == 3 and stop.value.results["point"].tolist() == [0, 1, 2]
    seen: list[int] = []
    resumed = run_points(BASE, points, replicates=1, out=tmp_path,
                         progress=lambda done, total: seen.append(done))
    assert seen[0] == 3 and seen[-1] == 9
    assert resumed.equals(run_points(BASE, points, replicates=1))


def test_a_running_scheduler_gives_the_same_tables():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        remote = run_points(BASE, POINTS, replicates=2, dask=cluster.scheduler_address)
    assert remote.equals(run_points(BASE, POINTS, replicates=2))


def test_an_unreachable_scheduler_is_bad_input():
    with pytest.raises(RunError, match="cannot reach the Dask scheduler"):
        run_points(BASE, POINTS, replicates=1, dask="tcp://127.0.0.1:1")
