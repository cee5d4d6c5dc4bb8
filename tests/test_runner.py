from pathlib import Path

import pytest

from experiments.running.runner import RunError, RunInterrupted, run_plans
from experiments.running.storage import OutDirError, claim, read_results
from scenarios.loader import library, load_plan

NAMES = list(library())[:2]


def plans(weeks: int = 1):
    return [load_plan(name, [f"group.weeks={weeks}"]) for name in NAMES]


def test_rows_are_tagged_sorted_and_share_seeds():
    results = run_plans(plans(), replicates=2, seed=7)
    for table in (results.daily, results.summary):
        assert list(table.columns[:2]) == ["plan", "replicate"]
    assert results.hourly is None
    assert results.daily[["plan", "replicate"]].drop_duplicates().values.tolist() == [
        [name, r] for name in NAMES for r in (0, 1)
    ]
    assert (
        results.daily.groupby(["plan", "replicate"])["day"]
        .apply(list)
        .map(lambda days: days == list(range(7)))
        .all()
    )
    assert results.summary["seed"].tolist() == [7, 8, 7, 8]


def test_hourly_table_is_tagged():
    results = run_plans(plans()[:1], replicates=1, hourly=True)
    assert list(results.hourly.columns[:4]) == ["plan", "replicate", "hour", "day"]
    assert len(results.hourly) == 7 * 24


def test_run_directory_round_trip(tmp_path: Path):
    results = run_plans(plans(), replicates=2, out=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "daily.parquet",
        "groupsim.json",
        "members.parquet",
        "paired.parquet",
        "plans",
        "runs.json",
        "summary.parquet",
    ]
    back = read_results(tmp_path)
    assert [plan.name for plan in back.plans] == NAMES
    assert back.daily.equals(results.daily)
    assert back.summary.equals(results.summary)
    assert back.members.equals(results.members)
    assert back.paired.equals(results.paired)


def test_interrupt_keeps_finished_runs_and_a_rerun_finishes_them(tmp_path: Path):
    def progress(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(RunInterrupted) as stop:
        run_plans(plans(), replicates=3, progress=progress, out=tmp_path)
    assert (stop.value.finished, stop.value.total) == (2, 6)
    saved = read_results(tmp_path)
    assert saved.summary[["plan", "replicate"]].values.tolist() == [[NAMES[0], 0], [NAMES[0], 1]]
    assert len(list((tmp_path / "chunks").glob("*.summary.parquet"))) == 2

    seen = []
    resumed = run_plans(plans(), replicates=3, progress=lambda d, t: seen.append(d), out=tmp_path)
    assert seen[0] == 2  # the two finished runs are not run again
    fresh = run_plans(plans(), replicates=3)
    assert resumed.summary.equals(fresh.summary)
    assert resumed.daily.equals(fresh.daily)
    assert not (tmp_path / "chunks").exists()


def test_a_finished_directory_is_read_back_not_run_again(tmp_path: Path):
    first = run_plans(plans()[:1], replicates=2, out=tmp_path)
    seen = []
    again = run_plans(plans()[:1], replicates=2, out=tmp_path, progress=lambda d, t: seen.append(d))
    assert seen == [2] and again.summary.equals(first.summary)


def test_another_spec_needs_force(tmp_path: Path):
    run_plans(plans()[:1], replicates=1, hourly=True, out=tmp_path)
    with pytest.raises(OutDirError, match="--force"):
        run_plans(plans(), replicates=1, out=tmp_path)
    with pytest.raises(OutDirError, match=r"another run \(it differs in replicates 1 there, 2 now"):
        run_plans(plans()[:1], replicates=2, out=tmp_path)
    run_plans(plans(), replicates=1, out=tmp_path, force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "daily.parquet",
        "groupsim.json",
        "members.parquet",
        "paired.parquet",
        "plans",
        "runs.json",
        "summary.parquet",
    ]


def test_other_replicates_keep_the_runs_both_share(tmp_path: Path):
    out, fresh_dir = tmp_path / "out", tmp_path / "fresh"
    run_plans(plans(), replicates=2, out=out)
    (out / "deck").mkdir()  # made from the two replicates: stale once there are more
    for replicates in (4, 1):
        seen = []
        grown = run_plans(plans(), replicates=replicates, out=out,
                          progress=lambda d, t: seen.append(d))
        assert seen[0] == min(replicates, 2) * len(NAMES)  # those already run are kept
        fresh = run_plans(plans(), replicates=replicates, out=fresh_dir, force=True)
        for table in ("daily", "summary", "members", "paired"):
            assert getattr(grown, table).equals(getattr(fresh, table))
            assert ((out / f"{table}.parquet").read_bytes()
                    == (fresh_dir / f"{table}.parquet").read_bytes())
        assert not (out / "deck").exists() and not (out / "chunks").exists()


def test_an_optimize_directory_does_not_take_other_replicates(tmp_path: Path):
    claim(tmp_path, "optimize", {"replicates": 2, "seed": 0})
    with pytest.raises(OutDirError, match="--force"):
        claim(tmp_path, "optimize", {"replicates": 3, "seed": 0})


def test_refuses_a_directory_that_is_not_a_run(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("mine")
    for force in (False, True):
        with pytest.raises(OutDirError, match="notes.txt"):
            run_plans(plans()[:1], replicates=1, out=tmp_path, force=force)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"replicates": 0}, "replicates must be at least 1"),
        ({"workers": 0}, "workers must be at least 1"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(RunError, match=message):
        run_plans(plans()[:1], **kwargs)


def test_plan_names_must_differ():
    plan = plans()[0]
    with pytest.raises(RunError, match="distinct names"):
        run_plans([plan, plan], replicates=1)


def test_members_table_adds_up_to_real_messages():
    results = run_plans(plans(weeks=2), replicates=2)
    per_member = results.members.groupby(["plan", "replicate"])[
        ["posts", "prompted_posts", "jielong_entries"]
    ].sum().sum(axis=1)
    real = results.daily.groupby(["plan", "replicate"])["real_messages"].sum()
    assert (per_member == real).all()


def test_paired_differences_are_per_seed():
    results = run_plans(plans(), replicates=3)
    paired = results.paired
    assert set(paired["plan"]) == {NAMES[1]} and set(paired["baseline"]) == {NAMES[0]}
    gmv = results.summary.pivot(index="seed", columns="plan", values="total_gmv")
    diff = gmv[NAMES[1]] - gmv[NAMES[0]]
    row = paired.set_index("metric").loc["total_gmv"]
    assert row["value"] == pytest.approx(diff.median()) and row["n"] == 3


def test_a_daily_table_without_alive_gets_it_from_the_summary():
    from experiments.running.storage import with_alive
    results = run_plans(plans(weeks=2), replicates=2)
    rebuilt = with_alive(results.daily.drop(columns="alive"), results.summary)
    assert rebuilt["alive"].equals(results.daily["alive"])
