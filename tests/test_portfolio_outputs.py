"""Portfolio outputs (experiments/outputs/portfolio_report.py, `groupsim compare` of portfolios,
`groupsim deck` of a portfolio directory): the answer states each portfolio against the first
seed by seed, the report and the deck show it, and bad input is named."""

import ast
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation
from typer.testing import CliRunner

from experiments.cli.main import app
from experiments.outputs import portfolio_report

GROUPS = ("groups:\n  - {plan: tuanzhang, name: tz, copies: 2, HOST"
          "set: {group.weeks: 1, members.initial: 30, pool.size: 60}}\n")
STAFFED = ("portfolio: staffed\npool: {size: 150}\nhosts: [{name: amei, capacity: 4}]\n"
           "staff: [{name: ah, host: amei, capacity: 4, weekly_cost: 700}]\n"
           + GROUPS.replace("HOST", "host: amei, ") + "targets: {alive_week: 1}\n")
OWN_HOSTS = ("portfolio: own_hosts\npool: {size: 150}\n" + GROUPS.replace("HOST", "")
             + "targets: {alive_week: 1}\n")


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """`groupsim compare` of two small portfolios (two one-week copies each, 4 replicates)."""
    folder = tmp_path_factory.mktemp("portfolios")
    files = []
    for name, body in (("staffed", STAFFED), ("own_hosts", OWN_HOSTS)):
        files.append(folder / f"{name}.yaml")
        files[-1].write_text(body, encoding="utf-8")
    out = folder / "out"
    result = CliRunner().invoke(app, ["compare", *map(str, files), "--replicates", "4",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output, files


def test_compare_runs_each_portfolio_on_the_same_seeds_and_writes_one_report(compared):
    out, output, _ = compared
    assert (out / "portfolios.json").is_file()
    seeds = [pd.read_parquet(out / name / "portfolio.parquet")["seed"].tolist()
             for name in ("staffed", "own_hosts")]
    assert seeds == [[0, 1, 2, 3]] * 2
    page = (out / "report.html").read_text(encoding="utf-8")
    for needle in ("staffed", "own_hosts", "复制成功率", "chart-copy_success", "chart-members",
                   "A copy succeeds if it is alive at the end of week 1"):
        assert needle in page, needle


def test_the_answer_measures_each_portfolio_against_the_first_and_cost_lower_is_better(compared):
    out, output, _ = compared
    found = dict(portfolio_report.answer(portfolio_report.read_portfolios(out), "en"))
    cost = found[portfolio_report.outcome_label("total_cost", "en")]
    # the staffed baseline pays 700 a week for its staff: the portfolio without staff leads on
    # cost by that much, on every seed
    assert "own_hosts costs less: −¥700 against staffed" in cost, cost
    assert "cheaper on 4 of 4 paired seeds" in cost
    alive = found[portfolio_report.outcome_label("alive_week_12", "en")]
    assert "not defined" in alive  # one-week copies never reach week 12
    assert "own_hosts costs less: −¥700" in output.replace("\n", " ")
    table = portfolio_report.outcome_table(portfolio_report.read_portfolios(out), "en")
    costs = [portfolio_report.outcome_label(m, "en")
             for m in ("incentive_cost", "weekly_costs", "relay_fees", "total_cost")]
    assert set(costs) <= set(table.index)  # every part of the total cost has its row


def test_deck_of_a_portfolio_comparison_has_the_answer_charts_and_table(compared):
    out, _, _ = compared
    result = CliRunner().invoke(app, ["deck", str(out), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    slides = Presentation(out / "deck" / "deck-zh.pptx").slides
    texts = ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
             for slide in slides]
    assert texts[0].startswith("社群矩阵报告")
    assert "结论" in texts[1] and "复制成功率" in texts[1]
    assert sum("各矩阵方案的复制成功率" in t or "矩阵累计毛利" in t for t in texts) == 2
    # each chart slide is titled with its finding (own_hosts pays no staff: ¥700 more profit)
    titles = portfolio_report.chart_titles(portfolio_report.read_portfolios(out), "zh")
    assert titles["cumulative_profit"] == \
        "own_hosts：全部群扣除成本后的毛利 (中位数) 比 staffed 高 ¥700"
    assert sum(t.startswith(title) for title in titles.values() for t in texts) == 4
    assert any(any(shape.has_table for shape in slide.shapes) for slide in slides)


def test_compare_refuses_a_plan_beside_a_portfolio_and_an_unknown_baseline(compared, tmp_path):
    _, _, files = compared
    mixed = CliRunner().invoke(app, ["compare", str(files[0]), "tuanzhang", "--out",
                                     str(tmp_path / "m")])
    assert mixed.exit_code == 2
    assert "not both" in mixed.output and "tuanzhang (plan)" in mixed.output
    wrong = CliRunner().invoke(app, ["compare", *map(str, files), "--baseline", "nope",
                                     "--out", str(tmp_path / "b")])
    assert wrong.exit_code == 2 and "not one of the portfolios" in wrong.output


def test_a_command_that_takes_one_plan_names_a_portfolio_as_such(compared):
    _, _, files = compared
    for source in ("copy_one_host", str(files[0])):
        result = CliRunner().invoke(app, ["sensitivity", source, "--vary",
                                          "host.ip_strength=0.2:0.8", "--replicates", "1"])
        assert result.exit_code == 2, result.output
        assert "is a portfolio (several groups), not a plan" in result.output


def test_a_band_and_a_difference_in_wan_never_hide_their_ends(compared):
    """A cell read "¥1.3万 [¥1.3万]" for GMV of 12,600 to 13,400 yuan."""
    out, _, _ = compared
    read = portfolio_report.read_portfolios(out)
    gmv = pd.Series([12_600.0, 13_000.0, 13_000.0, 13_400.0])
    items = [replace(r, replicates=r.replicates.assign(total_gmv=gmv * (k + 1),
                                                       gross_profit=gmv * (k + 1)))
             for k, r in enumerate(read.items)]
    portfolios = portfolio_report.Portfolios(items)
    table = portfolio_report.outcome_table(portfolios, "zh")
    assert table.loc[portfolio_report.outcome_label("total_gmv", "zh"), "staffed"] == \
        "¥1.30万 [¥1.26万–¥1.34万]"
    same = [replace(r, replicates=r.replicates.assign(total_gmv=13_000.0)) for r in read.items]
    assert portfolio_report.outcome_table(portfolio_report.Portfolios(same), "en").loc[
        portfolio_report.outcome_label("total_gmv", "en"), "staffed"] == "¥13,000"  # not "X [X]"
    found = dict(portfolio_report.answer(portfolios, "zh"))
    profit = found[portfolio_report.outcome_label("gross_profit", "zh")]
    assert "中位数 ¥1.30万 (各次模拟的 10–90%：¥1.26万 至 ¥1.34万)" in profit, profit
    # own_hosts makes 12,600 to 13,400 more, seed by seed: the difference and its interval
    assert re.search(r"比 staffed \+¥1\.\d\d万 \(90% 置信区间 \+¥1\.\d\d万 至 \+¥1\.\d\d万\)",
                     profit), profit


def test_a_row_of_the_portfolio_table_reads_in_one_form(compared):
    """The zh deck's row read "¥3.3万 [¥3.0万–¥3.5万]" beside "¥11,308 [¥8,999–¥13,961]"."""
    out, _, _ = compared
    read = portfolio_report.read_portfolios(out)
    cost = [pd.Series([8_999.0, 11_308.0, 11_308.0, 13_961.0]),
            pd.Series([30_000.0, 33_000.0, 33_000.0, 35_000.0])]
    items = [replace(r, replicates=r.replicates.assign(total_cost=c))
             for r, c in zip(read.items, cost)]
    row = portfolio_report.outcome_table(portfolio_report.Portfolios(items), "zh").loc[
        portfolio_report.outcome_label("total_cost", "zh")]
    assert list(row) == ["¥11,308 [¥8,999–¥13,961]", "¥33,000 [¥30,000–¥35,000]"]


def test_the_report_shows_each_copy_and_how_often_it_met_the_targets(compared):
    out, _, _ = compared
    read = portfolio_report.read_portfolios(out)
    first = read.items[0]
    table = portfolio_report.copy_table(first, "en")
    copies = first.summary.groupby("group", sort=False)
    assert list(table["copy"]) == list(copies.groups)
    met = copies["meets_targets"].mean()
    assert list(table["meets the targets"]) == [f"{v:.0%}" for v in met]
    page = portfolio_report.report_html(read, "zh")
    assert "逐群：" in page and "达成目标" in page


def test_chart_titles_state_the_finding_computed_from_the_results(compared):
    """The titles described ("复制成功率 by portfolio"); they state what the results show."""
    out, _, _ = compared
    read = portfolio_report.read_portfolios(out)
    success = ([0.5, 0.5, 0.5, 0.5], [1.0, 1.0, 1.0, 0.5])
    portfolios = portfolio_report.Portfolios(
        [replace(r, replicates=r.replicates.assign(copy_success=s))
         for r, s in zip(read.items, success)])
    en = portfolio_report.chart_titles(portfolios, "en")
    assert en["copy_success"] == "own_hosts leads on 复制成功率 (median): 50 pp above staffed"
    zh = portfolio_report.chart_titles(portfolios, "zh")
    assert zh["copy_success"] == "own_hosts：复制成功率 (中位数) 比 staffed 高 50 个百分点"
    # both copies are open at once in every run of both, and a portfolio alone states its value
    assert en["open_groups"] == "most copies open at once (median): the same in all (2)"
    alone = portfolio_report.chart_titles(portfolio_report.Portfolios(read.items[:1]), "en")
    assert alone["cumulative_profit"].startswith(
        "staffed: gross profit after costs, all copies (median) −¥7")
    page = portfolio_report.report_html(portfolios, "en")
    assert f"<h3>{en['copy_success']}</h3>" in page
    assert "复制成功率 by portfolio" not in page.split("<h3>")[1].split("</h3>")[0]


def test_portfolios_of_different_sizes_are_compared_on_shares_of_their_copies(compared):
    """20 copies alive of 40 do not lead 15 of 20: the answer and the chart title compare the
    share of each portfolio's copies alive (or open) when the portfolios differ in size."""
    out, _, _ = compared
    read = portfolio_report.read_portfolios(out)

    def sized(r, n: int, alive: int, open_: int):
        """`r` with `n` twelve-week copies, `alive` of them alive at week 12, `open_` open."""
        twelve = [c.model_copy(update={"plan": c.plan.model_copy(update={
            "group": c.plan.group.model_copy(update={"weeks": 12})})}) for c in r.portfolio.copies]
        return replace(r, portfolio=r.portfolio.model_copy(update={"copies": (twelve * 4)[:n]}),
                       replicates=r.replicates.assign(alive_week_12=float(alive)),
                       days=r.days.assign(open_groups=open_))

    # staffed: 2 copies, both alive and open; own_hosts: 4 copies, 3 alive and open
    portfolios = portfolio_report.Portfolios([sized(read.items[0], 2, 2, 2),
                                              sized(read.items[1], 4, 3, 3)])
    found = dict(portfolio_report.answer(portfolios, "en"))
    label = ("copies alive at week 12, as a share of the copies (the portfolios differ in size: "
             "staffed 2, own_hosts 4)")
    assert "own_hosts trails: −25 pp against staffed" in found[label], found
    titles = portfolio_report.chart_titles(portfolios, "en")
    assert titles["open_groups"] == ("The baseline staffed leads on most copies open at once, as "
                                     "a share of the portfolio's copies (median): 25 pp above "
                                     "own_hosts")
    table = portfolio_report.outcome_table(portfolios, "en")  # the count, then its share
    assert table.loc["copies alive at week 12"].tolist() == ["2", "3"]
    assert table.loc[label].tolist() == ["100%", "75%"]
    # the same sizes: counts, as before
    same = portfolio_report.Portfolios([sized(read.items[0], 4, 2, 2),
                                        sized(read.items[1], 4, 3, 3)])
    assert not any("share of the copies" in row for row in
                   portfolio_report.outcome_table(same, "en").index)
    found = dict(portfolio_report.answer(same, "en"))
    assert "own_hosts leads: +1 against staffed" in found["copies alive at week 12"], found
    assert portfolio_report.chart_titles(same, "en")["open_groups"] == \
        "own_hosts leads on most copies open at once (median): 1 above staffed"


def test_no_module_imports_another_modules_private_names():
    """portfolio_report used charts._colour and charts._layout: one obvious place, public."""
    root = Path(__file__).resolve().parent.parent
    offenders = []
    for path in [*root.glob("experiments/**/*.py"), *root.glob("sim/**/*.py"),
                 *root.glob("scenarios/**/*.py"), *root.glob("benchmarks/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
                    "experiments", "sim", "scenarios"):
                offenders += [f"{path.relative_to(root)}: {node.module}.{a.name}"
                              for a in node.names
                              if a.name.startswith("_") and not a.name.startswith("__")]
    assert offenders == [], offenders
