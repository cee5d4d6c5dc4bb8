from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments.analyses.sensitivity import _analyse, sample
from experiments.analyses.vary import axis, parse_lever
from experiments.cli.main import app
from scenarios.loader import load_plan

# No QR influx, so the share of QR strangers who spam cannot change anything: an inert lever.
BASE = ["tuanzhang", "--weeks", "2", "--replicates", "2", "--set", "growth.qr_influx_per_day=0"]
LEVERS = ["--vary", "members.initial=60:180", "--vary", "growth.influx_spammer_share=0:1"]


def invoke(*args: str):
    return CliRunner().invoke(app, ["sensitivity", *(str(arg) for arg in args)])


def test_morris_ranks_levers_writes_indices_report_and_resumes(tmp_path: Path):
    args = [*BASE, *LEVERS, "--samples", "3", "--metrics", "final_members,total_gmv",
            "--out", tmp_path]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert {"indices.parquet", "summary.parquet", "report.html", "plan.yaml"} <= {
        p.name for p in tmp_path.iterdir()
    }
    summary = pd.read_parquet(tmp_path / "summary.parquet")
    assert len(summary) == 3 * (2 + 1) * 2  # trajectories x (levers + 1) x replicates
    indices = pd.read_parquet(tmp_path / "indices.parquet")
    assert list(indices.columns) == [
        "metric", "lever", "mu", "mu_star", "sigma", "mu_star_conf", "rank"
    ]
    assert len(indices) == 2 * 2
    for metric in ("final_members", "total_gmv"):
        rows = indices[indices["metric"] == metric].set_index("lever")
        assert rows.loc["members.initial", "rank"] == 1
        assert rows.loc["growth.influx_spammer_share", "mu_star"] == 0
        assert rows.loc["members.initial", "mu_star"] > 0
        assert f"{metric} (median over replicates): levers by μ*" in result.stdout
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count("plotly.js v") == 1 and html.count('class="plotly-graph-div"') == 2

    again = invoke(*args)  # the same command on the same --out: nothing to run, same indices
    assert again.exit_code == 0, again.output
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "indices.parquet"), indices)

    other = invoke(*args[:-4], "--metrics", "lifetime_days", "--out", tmp_path)
    assert other.exit_code == 0, other.output  # other metrics reuse the runs
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "summary.parquet"), summary)
    assert "no lever moved it" in other.stdout  # every run lives its 2 weeks


def test_sobol_indices_per_metric_and_lever(tmp_path: Path):
    free = ["--set", "calendar[flash_sale].preheat_red_packet=0"]  # no cost: ROI undefined
    result = invoke(*BASE, *free, *LEVERS, "--method", "sobol", "--samples", "4",
                    "--metrics", "final_members,roi", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(tmp_path / "summary.parquet")) == 4 * (2 + 2) * 2
    indices = pd.read_parquet(tmp_path / "indices.parquet")
    assert list(indices.columns) == ["metric", "lever", "S1", "S1_conf", "ST", "ST_conf", "rank"]
    members = indices[indices["metric"] == "final_members"].set_index("lever")
    assert members.loc["members.initial", "rank"] == 1
    assert members.loc["members.initial", "ST"] > members.loc["growth.influx_spammer_share", "ST"]
    roi = indices[indices["metric"] == "roi"]
    assert roi["ST"].isna().all() and roi["rank"].isna().all()
    assert "roi is undefined at some samples" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--metrics", "happiness"], "Unknown metric 'happiness'. Metrics: "),
        (["--metrics", "alive_week3"], "needs a horizon of at least 3 weeks"),
        (["--vary", "host.ip_strength=0.2:1.5"], "allowed range 0.0 to 1.0"),
        (["--vary", "members.initial=60,120"], "sensitivity samples ranges"),
        (["--method", "sobol", "--samples", "5"], "power of 2"),
        (["--method", "fast"], "Unknown --method 'fast'"),
    ],
)
def test_bad_input_exits_2_with_a_message(tmp_path: Path, args: list[str], message: str):
    result = invoke(*BASE, *LEVERS, *args, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert message in result.output
    if "Unknown metric" in message:  # the metrics are listed
        assert "total_gmv" in result.output and "alive_weekN" in result.output
    assert not (tmp_path / "out").exists()


TUANZHANG = load_plan("tuanzhang")
CAPACITY = axis(TUANZHANG, parse_lever("host.capacity=1:3"))
KOLS = axis(TUANZHANG, parse_lever("members.native_kols=0:1"))
IP = axis(TUANZHANG, parse_lever("host.ip_strength=0.2:0.8"))


@pytest.mark.parametrize("lever", [CAPACITY, KOLS])
def test_sobol_gives_each_whole_number_an_equal_share(lever):
    points, _ = sample([lever, IP], "sobol", 64, 0)
    counts = Counter(point[lever.path] for point in points)
    values = range(int(lever.low), int(lever.high) + 1)
    assert set(counts) == set(values)
    for value in values:  # 256 points: each share 1/n within 2 points in 100
        assert abs(counts[value] / len(points) - 1 / len(values)) < 0.02, counts


@pytest.mark.parametrize("lever, slope", [(KOLS, 7.0), (CAPACITY, 5.0)])
def test_morris_effects_of_integer_levers_are_the_change_per_range_crossed(lever, slope):
    # y = slope x lever + 3 x ip_strength: crossing a lever's whole range moves y by
    # slope x (high - low), and ip_strength's 0.2..0.8 by 3 x 0.6, whatever the levels hit
    points, design = sample([lever, IP], "morris", 10, 0)
    y = pd.Series([slope * p[lever.path] + 3 * p["host.ip_strength"] for p in points])
    rows = _analyse("morris", [lever, IP], design, y, "m", 0).set_index("lever")
    assert rows.loc[lever.path, "mu_star"] == pytest.approx(slope * (lever.high - lever.low))
    assert rows.loc[lever.path, "mu"] == pytest.approx(slope * (lever.high - lever.low))
    assert rows.loc[lever.path, "sigma"] == pytest.approx(0, abs=1e-9)
    assert rows.loc["host.ip_strength", "mu_star"] == pytest.approx(3 * 0.6)


def test_morris_on_a_zero_one_lever_reports_the_real_change(tmp_path: Path):
    result = invoke(*BASE, "--vary", "members.native_kols=0:1", "--samples", "3",
                    "--metrics", "lurker_share", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    summary = pd.read_parquet(tmp_path / "summary.parquet")
    share = summary.groupby("point")["lurker_share"].median().to_numpy().reshape(-1, 2)
    kols = summary.groupby("point")["members.native_kols"].first().to_numpy().reshape(-1, 2)
    assert (np.abs(np.diff(kols, axis=1)) == 1).all()  # every step crosses 0 -> 1 or back
    real = np.abs(np.diff(share, axis=1)).mean()
    indices = pd.read_parquet(tmp_path / "indices.parquet")
    assert real > 0 and indices.loc[0, "mu_star"] == pytest.approx(real)
