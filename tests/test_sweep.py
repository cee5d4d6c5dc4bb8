import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from experiments.analyses.sweep import design_points
from experiments.analyses.vary import parse_lever
from experiments.cli.main import app
from scenarios.loader import load_plan

DISCOUNT = "calendar[flash_sale].discount"
FAST = ["--replicates", "2", "--weeks", "1"]
GRID = ["tuanzhang", "--vary", f"{DISCOUNT}=0.1:0.3:3", "--vary", "host.ip_strength=0.4,0.8"]


def invoke(*args):
    return CliRunner().invoke(app, [str(arg) for arg in args])


def test_grid_sweep_writes_points_runs_spec_and_report(tmp_path: Path):
    result = invoke("sweep", *GRID, *FAST, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert {"sweep.yaml", "points.parquet", "summary.parquet", "report.html"} <= {
        p.name for p in tmp_path.iterdir()
    }
    assert not (tmp_path / "daily.parquet").exists()
    points = pd.read_parquet(tmp_path / "points.parquet")
    assert list(points.columns[:3]) == ["point", DISCOUNT, "host.ip_strength"]
    assert points[[DISCOUNT, "host.ip_strength"]].values.tolist() == [
        [d, ip] for d in (0.1, 0.2, 0.3) for ip in (0.4, 0.8)
    ]
    for stat in ("median", "p10", "p90", "mean", "se"):
        assert f"total_gmv_{stat}" in points
    assert (points["total_gmv_p10"] <= points["total_gmv_median"]).all()
    assert (points["total_gmv_median"] <= points["total_gmv_p90"]).all()

    summary = pd.read_parquet(tmp_path / "summary.parquet")
    assert len(summary) == 6 * 2 and list(summary.columns[:3]) == ["point", "replicate", "seed"]
    assert summary.groupby("point")["seed"].apply(list).map(lambda s: s == [0, 1]).all()
    medians = summary.groupby("point")["total_gmv"].median()
    assert points.set_index("point")["total_gmv_median"].equals(medians.astype(float))

    spec = yaml.safe_load((tmp_path / "sweep.yaml").read_text(encoding="utf-8"))
    assert spec["vary"] == {DISCOUNT: "0.1:0.3:3", "host.ip_strength": "0.4,0.8"}
    assert spec["plan"]["group"]["weeks"] == 1 and spec["replicates"] == 2

    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc=[\"']?http", html)
    assert html.count("Plotly.newPlot") > 1 and '"type":"heatmap"' in html
    assert "Best points" in html


def test_lhs_samples_the_ranges_with_whole_numbers_for_integer_fields(tmp_path: Path):
    result = invoke(
        "sweep", "tuanzhang", "--vary", "calendar[flash_sale].stock=20:120",
        "--vary", f"{DISCOUNT}=0.05:0.5", "--design", "lhs", "--samples", "5", "--seed", "3",
        *FAST, "--daily", "--out", tmp_path,
    )
    assert result.exit_code == 0, result.output
    points = pd.read_parquet(tmp_path / "points.parquet")
    stock = points["calendar[flash_sale].stock"]
    assert len(points) == 5 and stock.between(20, 120).all()
    assert pd.api.types.is_integer_dtype(stock)
    assert points[DISCOUNT].between(0.05, 0.5).all() and points[DISCOUNT].nunique() == 5
    daily = pd.read_parquet(tmp_path / "daily.parquet")
    assert list(daily.columns[:3]) == ["point", "replicate", "day"] and len(daily) == 5 * 2 * 7


def test_sobol_draws_a_power_of_two(tmp_path: Path):
    result = invoke("sweep", "tuanzhang", "--vary", f"{DISCOUNT}=0.05:0.5", "--design", "sobol",
                    "--samples", "4", *FAST, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(tmp_path / "points.parquet")) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vary", "host.ip_strength=0.1:0.9"], "a grid needs n values"),
        (["--vary", "host.ip_strength=abc"], "SPEC must be"),
        (["--vary", "host.ip_strength=0.1:0.9", "--design", "sobol", "--samples", "5"],
         "power of 2"),
        (["--vary", "host.ip_strength=0.1:0.9", "--design", "lhs"], "needs --samples"),
        (["--vary", "host.ip_strength=0.1:0.9:3", "--design", "cube"], "Unknown --design"),
        (["--vary", "calendar[red_packet].amount=10,20"], "[0] flash_sale, [1] jielong"),
        (["--vary", "host.ip_strength=0.5,3"], "allowed range 0.0 to 1.0"),
        (["--vary", "host.capacity=1:3:5"],
         "host.capacity takes whole numbers and 1 to 3 holds 3, so 5 values would repeat "
         "points (1, 2, 2, 2, 3); write host.capacity=1:3:3"),
        (["--vary", "host.capacity=1,2,1"], "lists 1 more than once"),
        (["--vary", "host.ip_strength=0.5:0.5:3"], "the range is a single value"),
        (["--vary", "host.capacity=1.5:3", "--design", "lhs", "--samples", "3"],
         "host.capacity takes whole numbers; give whole ends"),
    ],
)
def test_bad_sweeps_exit_2_with_a_message(tmp_path: Path, args, message):
    result = invoke("sweep", "tuanzhang", *args, *FAST, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()  # nothing claimed: the mended command may use it


def test_same_sweep_resumes_other_spec_or_command_needs_force(tmp_path: Path):
    first = invoke("sweep", *GRID, *FAST, "--out", tmp_path)
    assert first.exit_code == 0, first.output
    before = (tmp_path / "summary.parquet").read_bytes()
    again = invoke("sweep", *GRID, *FAST, "--out", tmp_path)
    assert again.exit_code == 0 and (tmp_path / "summary.parquet").read_bytes() == before

    more = invoke("sweep", *GRID, "--replicates", "3", "--weeks", "1", "--out", tmp_path)
    assert more.exit_code == 0, more.output  # other --replicates keep those both share
    assert len(pd.read_parquet(tmp_path / "summary.parquet")) == 6 * 3
    other = invoke("sweep", *GRID, *FAST, "--seed", "1", "--out", tmp_path)
    assert other.exit_code == 2 and "--force" in other.output
    run = invoke("run", "tuanzhang", *FAST, "--out", tmp_path)
    assert run.exit_code == 2 and "groupsim sweep" in run.output
    forced = invoke("sweep", *GRID, *FAST, "--seed", "1", "--out", tmp_path, "--force")
    assert forced.exit_code == 0, forced.output
    assert pd.read_parquet(tmp_path / "summary.parquet")["seed"].tolist() == [1, 2] * 6


def test_a_grid_runs_each_whole_number_once_and_designs_share_them_equally():
    plan = load_plan("tuanzhang")
    grid = design_points(plan, [parse_lever("host.capacity=1:3:3")], "grid", None, 0)
    assert [p["host.capacity"] for p in grid] == [1, 2, 3]
    for design, samples in (("sobol", 64), ("lhs", 63)):
        points = design_points(plan, [parse_lever("host.capacity=1:3")], design, samples, 0)
        counts = Counter(p["host.capacity"] for p in points)
        assert max(counts.values()) - min(counts.values()) <= 1, (design, counts)


def test_a_portfolio_point_s_band_ends_are_replicates_own_values():
    """A share of 2 copies is 0, 50 % or 100 %: a portfolio sweep's p10 is never 70 % (a run's
    band says the same, experiments.running.portfolio.band_ends); a plan's stays interpolated."""
    from experiments.analyses.sweep import point_table
    summary = pd.DataFrame({"point": [0] * 5, "replicate": range(5), "seed": range(5),
                            "copies": [2] * 5, "copy_success": [1, 1, 1, 0.5, 1]})
    assert point_table(summary, ["copies"], "nearest")["copy_success_p10"].iloc[0] == 0.5
    assert point_table(summary, ["copies"])["copy_success_p10"].iloc[0] == pytest.approx(0.7)
