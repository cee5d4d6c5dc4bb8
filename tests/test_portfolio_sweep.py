"""Sweeps of a portfolio (experiments/analyses/sweep.py with a `RawPortfolio` base): each point is
the portfolio file with the point's values set as `--set` sets them, run on the same seeds as
`run_portfolio`; the per-run rows are the portfolio's per-replicate rows."""

from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from experiments.analyses.sweep import SweepError, design_points, run_sweep
from experiments.analyses.vary import number_type, parse_lever
from experiments.cli.main import app
from experiments.running.portfolio import run_portfolio
from experiments.running.runner import RunInterrupted
from scenarios.loader import PlanError
from scenarios.portfolio import PortfolioError, RawPortfolio

COPIES = "groups[tz].copies"
SMALL = """\
portfolio: small
pool: {size: 1000}
hosts: [{name: amei, capacity: 6}]
groups:
  - plan: tuanzhang
    name: tz
    stagger_days: 1
    set: {group.weeks: 4, members.initial: 30, pool.size: 150, growth.qr_influx_per_day: 10}
targets: {alive_week: 4}
"""
"""Small copies of tuanzhang (4 weeks, 30 members, 150 candidates), each with its own host."""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_a_grid_over_copies_runs_the_portfolio_at_each_point_on_the_same_seeds(small: Path):
    base = RawPortfolio.read(small)
    result = run_sweep(base, [f"{COPIES}=1,2,4"], replicates=3, seed=5)
    points = result.points
    assert points[COPIES].tolist() == [1, 2, 4] and (points["replicates"] == 3).all()
    alive = points["alive_week_4_median"]
    assert alive.is_monotonic_increasing and alive.iloc[-1] > alive.iloc[0], alive.tolist()
    assert points["groups_median"].tolist() == [1, 2, 4]
    summary = result.summary
    assert list(summary.columns[:4]) == ["point", "replicate", "seed", COPIES]
    for i, copies in enumerate((1, 2, 4)):
        alone = run_portfolio(base.resolve({COPIES: copies}), replicates=3, seed=5).replicates
        rows = summary[summary["point"] == i].drop(columns=["point", COPIES])
        pd.testing.assert_frame_equal(rows.reset_index(drop=True),
                                      alone.drop(columns="portfolio"))


def test_an_interrupted_portfolio_sweep_keeps_its_runs_and_resumes(small: Path, tmp_path: Path):
    base, out = RawPortfolio.read(small), tmp_path / "out"

    def stop_after_two(done, total):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(RunInterrupted) as stop:
        run_sweep(base, [f"{COPIES}=1,2"], replicates=2, out=out, progress=stop_after_two)
    assert stop.value.finished == 2 and len(stop.value.results.summary) == 2
    ran = []
    resumed = run_sweep(base, [f"{COPIES}=1,2"], replicates=2, out=out,
                        progress=lambda done, total: ran.append(done))
    assert ran[0] == 2  # the finished runs were not run again
    fresh = run_sweep(base, [f"{COPIES}=1,2"], replicates=2)
    pd.testing.assert_frame_equal(resumed.summary, fresh.summary)
    pd.testing.assert_frame_equal(resumed.points, fresh.points)


def test_portfolio_fields_take_their_schema_s_number_types(small: Path):
    base = RawPortfolio.read(small)
    assert number_type(base, COPIES) is int
    assert number_type(base, "hosts[amei].capacity") is int
    assert number_type(base, "pool.size") is int
    assert number_type(base, "targets.weekly_gmv") is float
    assert number_type(base, "groups[*].set.members.initial") is int  # the Plan schema's
    assert number_type(base, "groups[tz].set.host.ip_strength") is float
    assert number_type(base, "live_code") is None


@pytest.mark.parametrize(("lever", "message"), [
    (f"{COPIES}=1:3:5", f"{COPIES} takes whole numbers and 1 to 3 holds 3, so 5 values would "
                        f"repeat points (1, 2, 2, 2, 3); write {COPIES}=1:3:3"),
    ("groups[*].set.members.initial=20:22:4", "takes whole numbers and 20 to 22 holds 3"),
    ("growth.qr_influx_per_day=5:10:3", "goes under its groups, e.g. groups[*].set.growth."
                                      "qr_influx_per_day (every group)"),
    ("pool.sise=5:10:3", "'sise' is not a portfolio field here"),
])
def test_bad_portfolio_levers_are_refused_naming_the_field(small: Path, lever, message):
    with pytest.raises((SweepError, PlanError)) as refused:
        design_points(RawPortfolio.read(small), [parse_lever(lever)], "grid", None, 0)
    assert message in str(refused.value)


def test_a_bad_point_names_the_point_and_the_field(small: Path):
    with pytest.raises(PortfolioError) as refused:
        run_sweep(RawPortfolio.read(small), [f"{COPIES}=2,0"], replicates=1)
    assert "point 1 (groups[tz].copies=0)" in str(refused.value)
    assert "groups[0].copies = 0" in str(refused.value) and "allowed range 1 to 1000" in str(
        refused.value)


def test_the_cli_sweeps_a_portfolio_and_writes_its_files(small: Path, tmp_path: Path):
    out = tmp_path / "out"
    args = ["sweep", str(small), "--vary", f"{COPIES}=1,2", "--vary",
            "groups[*].set.members.initial=30:40:2", "--replicates", "2", "--weeks", "2",
            "--set", "targets.alive_week=2", "--threads", "2", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert {"sweep.yaml", "points.parquet", "summary.parquet", "report.html"} <= {
        p.name for p in out.iterdir()}
    points = pd.read_parquet(out / "points.parquet")
    assert len(points) == 4 and "copy_success_median" in points
    spec = yaml.safe_load((out / "sweep.yaml").read_text(encoding="utf-8"))
    assert spec["portfolio"]["portfolio"] == "small" and "plan" not in spec
    assert spec["portfolio"]["groups"][0]["set"]["group.weeks"] == 2  # --weeks
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "复制成功率" in html and "Sweep of small" in html
    assert "copies alive at week 12" not in html  # 2 weeks: no point defines it
    assert "Best points" in result.output
    before = (out / "summary.parquet").read_bytes()
    again = CliRunner().invoke(app, args)  # resumed: nothing run again
    assert again.exit_code == 0 and (out / "summary.parquet").read_bytes() == before


@pytest.mark.parametrize(("extra", "message"), [
    (["--vary", f"{COPIES}=1,2", "--daily"], "--daily does not apply to a portfolio"),
    (["--vary", f"{COPIES}=1,2", "--profile", "p.yaml"], "--profile does not apply"),
    (["--vary", f"{COPIES}=1,0"], "point 1 (groups[tz].copies=0)"),
    (["--vary", "growth.qr_influx_per_day=5,10"], "groups[*].set.growth.qr_influx_per_day"),
])
def test_the_cli_refuses_what_a_portfolio_sweep_cannot_do(small: Path, tmp_path: Path, extra,
                                                          message):
    result = CliRunner().invoke(app, ["sweep", str(small), *extra, "--replicates", "1",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_the_deck_of_a_portfolio_sweep_draws_its_outcomes(small: Path, tmp_path: Path):
    from experiments.outputs import deck
    from experiments.outputs.images import ImageError, find_browser
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["sweep", str(small), "--vary", f"{COPIES}=1,2", "--vary",
                                      "hosts[amei].capacity=4,8", "--replicates", "1",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    charts, _, _ = deck._sweep(out, "en")
    assert "response-copy_success-0" in charts and "tornado-total_cost" in charts
    assert not any("alive_week_12" in name for name in charts)  # 4 weeks: never defined
    assert charts["response-total_cost-0"].layout.title.text.startswith(
        "total cost (incentives, staff, relay fees) against groups[tz].copies")
    try:
        find_browser()
    except ImageError as error:
        pytest.skip(f"no Chrome/Chromium on this machine ({error})")
    deck_run = CliRunner().invoke(app, ["deck", str(out)])
    assert deck_run.exit_code == 0, deck_run.output


def test_sweep_help_says_it_takes_a_portfolio_and_threads_are_for_portfolios(tmp_path: Path):
    shown = CliRunner().invoke(app, ["sweep", "--help"], terminal_width=200)
    assert shown.exit_code == 0 and "or a portfolio" in " ".join(shown.output.split())
    plan = CliRunner().invoke(app, ["sweep", "tuanzhang", "--vary", "host.capacity=4,6",
                                    "--threads", "2", "--out", str(tmp_path / "out")])
    assert plan.exit_code == 2 and "--threads 2 is for portfolios" in plan.output


def test_sweep_charts_tick_each_metric_in_its_unit(small: Path):
    """A portfolio sweep's 复制成功率 axis read 0.7–1 (and 0–200% when every point was 100%),
    copies alive 2, 2.5, 3: shares as %, money as grouped yuan, counts on whole numbers, in the
    report's and the deck's charts, and a plan sweep's alike."""
    from experiments.outputs.charts import heatmap_chart, response_chart, tornado_chart
    from experiments.outputs.sweep_charts import heat_map, metric_by_lever

    points = run_sweep(RawPortfolio.read(small), [f"{COPIES}=1,2"], replicates=1).points
    for fig in (response_chart(points, COPIES, "copy_success"),
                metric_by_lever(points, COPIES, "copy_success", [], "复制成功率")):
        assert fig.layout.yaxis.tickformat == ".0%" and tuple(fig.layout.yaxis.range) == (0, 1.03)
        assert list(fig.layout.xaxis.tickvals) == [1, 2]  # ticks at the copies swept only
    for fig in (response_chart(points, COPIES, "alive_week_4"),
                metric_by_lever(points, COPIES, "alive_week_4", [], "alive")):
        assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.separatethousands
    assert response_chart(points, COPIES, "gross_profit").layout.yaxis.separatethousands
    # a plan sweep: two levers, a heat map's colour bar and a tornado's axis in the unit too
    plan = pd.DataFrame({"point": range(4), "host.ip_strength": [0.2, 0.2, 0.8, 0.8],
                         "members.initial": [30, 60, 30, 60],
                         **{f"gross_profit_{q}": [-1500.0, 200.0, 900.0, 3000.0]
                            for q in ("median", "p10", "p90")}})
    levers = ["host.ip_strength", "members.initial"]
    assert heatmap_chart(plan, *levers, "gross_profit").data[0].colorbar.separatethousands
    assert heat_map(plan, *levers, "gross_profit", "profit").data[0].colorbar.separatethousands
    assert tornado_chart(plan, levers, "gross_profit").layout.xaxis.separatethousands
    share = plan.rename(columns=lambda c: c.replace("gross_profit", "copy_success")).assign(
        **{f"copy_success_{q}": [0.7, 0.8, 0.9, 1.0] for q in ("median", "p10", "p90")})
    assert heatmap_chart(share, *levers, "copy_success").data[0].colorbar.tickformat == ".0%"
