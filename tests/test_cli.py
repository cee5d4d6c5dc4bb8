import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments.cli.main import app
from experiments.outputs.formatting import format_value
from scenarios.loader import library, portfolio_library

NAMES = list(library())[:2]
FAST = ["--replicates", "2", "--weeks", "2"]
DAILY = [
    "plan",
    "replicate",
    "day",
    "members",
    "joins",
    "leaves",
    "muted",
    "active_posters",
    "messages",
    "real_messages",
    "prompted_messages",
    "host_messages",
    "shill_messages",
    "spam_messages",
    "complaint_messages",
    "guest_messages",
    "incentive_cost",
    "purchases",
    "gmv",
    "mean_trust",
    "mean_satisfaction",
    "mean_sentiment",
    "share_two_ties",
    "quiet",
    "gross_profit",
    "alive",
]
SUMMARY = [
    "plan",
    "replicate",
    "seed",
    "alive_at_end",
    "lifetime_days",
    "peak_members",
    "final_members",
    "units_sold",
    "total_gmv",
    "total_cost",
    "gross_profit",
    "roi",
    "referral_joins",
    "fission_ratio",
    "lurker_share",
    "posting_gini",
    "complaint_share",
    "spam_share",
    "trust_end_all",
]


def invoke(*args: str):
    return CliRunner().invoke(app, [str(arg) for arg in args])


def test_run_writes_tables_plan_and_report(tmp_path: Path):
    result = invoke("run", NAMES[0], *FAST, "--hourly", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert str(tmp_path) in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "daily.parquet",
        "groupsim.json",
        "hourly.parquet",
        "members.parquet",
        "plan.yaml",
        "report.html",
        "runs.json",
        "summary.parquet",
    ]
    daily = pd.read_parquet(tmp_path / "daily.parquet")
    assert set(DAILY) <= set(daily.columns) and list(daily.columns[:3]) == DAILY[:3]
    assert len(daily) == 2 * 14 and set(daily["plan"]) == {NAMES[0]}
    assert set(SUMMARY) <= set(pd.read_parquet(tmp_path / "summary.parquet").columns)
    assert {"plan", "replicate", "hour", "day"} <= set(pd.read_parquet(tmp_path / "hourly.parquet"))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc=[\"']?http", html)
    assert f"{NAMES[0]}: alive at week 2 in " in html  # survival at the horizon, never past it
    assert "alive at week 4" not in html and "alive at week 12" not in html


def test_compare_has_a_plan_column_with_both_plans(tmp_path: Path):
    result = invoke("compare", *NAMES, *FAST, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    summary = pd.read_parquet(tmp_path / "summary.parquet")
    assert summary["plan"].unique().tolist() == NAMES
    assert sorted(p.name for p in (tmp_path / "plans").iterdir()) == [f"{n}.yaml" for n in NAMES]
    assert "Survival:" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_compare_library_runs_every_library_plan(tmp_path: Path):
    result = invoke("compare", "--library", "--replicates", "1", "--weeks", "1", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert pd.read_parquet(tmp_path / "summary.parquet")["plan"].tolist() == list(library())


def test_scenarios_lists_library_plans():
    result = invoke("scenarios")
    assert result.exit_code == 0
    assert all(name in result.stdout for name in library())


def test_validate_ok(tmp_path: Path):
    path = tmp_path / "plan.yaml"
    path.write_text("group:\n  weeks: 3\n")
    result = invoke("validate", path)
    assert (result.exit_code, result.stdout.strip()) == (0, "ok")


def test_validate_takes_a_library_name_as_every_other_command_does():
    plan = invoke("validate", "tuanzhang")
    assert plan.exit_code == 0 and plan.stdout.strip().splitlines()[-1] == "ok", plan.output
    portfolio = invoke("validate", "copy_one_host")
    assert (portfolio.exit_code, portfolio.stdout.strip()) == (0, "ok (20 groups)"), portfolio.output
    unknown = invoke("validate", "no_such_plan")
    assert unknown.exit_code == 2 and "Traceback" not in unknown.output
    assert unknown.stderr == invoke("run", "no_such_plan").stderr  # the same message
    assert "Unknown plan 'no_such_plan'" in unknown.stderr
    listed = unknown.stderr.replace("\n", " ")
    assert all(name in listed for name in [*library(), *portfolio_library()]), listed


def test_validate_names_the_bad_field(tmp_path: Path):
    path = tmp_path / "plan.yaml"
    path.write_text("group:\n  weeks: 0\nhost:\n  ip_strength: 3\n")
    result = invoke("validate", path)
    assert result.exit_code == 2
    assert "group.weeks" in result.stderr and "host.ip_strength" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "no_such_plan"], "no_such_plan"),
        (["run", "missing.yaml"], "missing.yaml"),
        (["run", "{bad}"], "not valid YAML"),
        (["run", "{plan}", "--set", "host.ip_strength=3"], "host.ip_strength"),
        (["run", "{plan}", "--set", "host.ip_strength"], "--set"),
        (["run", "{plan}", "--replicates", "0"], "replicates"),
        (["run", "{plan}", "--workers", "0"], "workers"),
        (["compare", "{plan}"], "at least two plans"),
        (["validate", "missing.yaml"], "missing.yaml"),
    ],
)
def test_bad_input_exits_2_with_a_message(tmp_path: Path, args, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text("group: [unclosed\n")
    args = [a.format(plan=NAMES[0], bad=bad) for a in args]
    result = invoke(*args, "--out", tmp_path / "out") if args[0] != "validate" else invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_worker_count_does_not_change_the_files(tmp_path: Path):
    for workers in (1, 2):
        result = invoke(
            "compare", *NAMES, *FAST, "--workers", workers, "--out", tmp_path / str(workers)
        )
        assert result.exit_code == 0, result.output
    for table in ("daily.parquet", "summary.parquet"):
        assert (tmp_path / "1" / table).read_bytes() == (tmp_path / "2" / table).read_bytes()


def test_compare_tables_fit_80_columns_and_show_paired_differences(tmp_path: Path):
    plans = list(library())[:4]
    result = invoke("compare", *plans, *FAST, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert f"Difference from {plans[0]}, same seeds" in result.stdout
    paired = pd.read_parquet(tmp_path / "paired.parquet")  # every paired median is shown
    assert all(format_value(row.metric, row.value, signed=True) in result.stdout
               for row in paired.itertuples())
    assert all(plan in result.stdout for plan in plans)
    summary = pd.read_parquet(tmp_path / "summary.parquet")
    gmv = summary.groupby("plan")["total_gmv"].quantile(0.9)  # the widest cells: not cut short
    assert all(f"¥{value:,.0f}" in result.stdout for value in gmv)


def test_compare_baseline_option_and_chinese_terminal(tmp_path: Path):
    plans = list(library())[:3]
    result = invoke("compare", *plans, *FAST, "--baseline", plans[2], "--lang", "zh",
                    "--out", tmp_path)
    assert result.exit_code == 0, result.output
    paired = pd.read_parquet(tmp_path / "paired.parquet")
    assert set(paired["baseline"]) == {plans[2]} and set(paired["plan"]) == set(plans[:2])
    out = result.stdout
    assert "各次模拟的中位数" in out and f"与 {plans[2]} 的差值 (相同种子)" in out
    assert "毛利" in out and "Median over" not in out
    assert "结论" in out and "能活下来吗？" in out and f"对照方案：{plans[2]} (由 --baseline 指定)" in out


def test_compare_library_states_its_baseline_rule(tmp_path: Path):
    result = invoke("compare", "--library", "--replicates", "1", "--weeks", "1", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    first = next(iter(library()))
    assert f"Baseline: {first} (the first library plan in name order" in result.stdout


def test_compare_with_an_unknown_baseline_exits_2_before_running(tmp_path: Path):
    result = invoke("compare", *NAMES, *FAST, "--baseline", "nope", "--out", tmp_path)
    assert result.exit_code == 2
    assert "--baseline nope is not one of the compared plans" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "summary.parquet").exists()


def test_scenarios_in_chinese_lists_chinese_descriptions():
    result = invoke("scenarios", "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert "方案库" in result.stdout and "内推群" in result.stdout
    assert "矩阵方案库" in result.stdout and "copy_one_host" in result.stdout  # portfolios too
