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
from scenarios.portfolio import Targets

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
    # in 万, as the other money rows from ten thousand up (then it read "¥11,308 [¥8,999–…]")
    assert list(row) == ["¥1.1万 [¥0.9万–¥1.4万]", "¥3.3万 [¥3.0万–¥3.5万]"]


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


def test_portfolios_with_different_targets_are_not_ranked_on_copy_success(compared):
    """`compare copy_one_host lecture_relay my_matrix.yaml` said "my_matrix leads: +40 pp" on
    复制成功率 although each portfolio judged its copies on its own targets."""
    out, _, _ = compared
    read = portfolio_report.read_portfolios(out)
    own = Targets(alive_week=1, members=20, weekly_gmv=800)
    success = ([0.5] * 4, [1.0] * 4)  # own_hosts would lead by 50 pp on every seed
    portfolios = portfolio_report.Portfolios(
        [replace(read.items[0], replicates=read.items[0].replicates.assign(
            copy_success=success[0])),
         replace(read.items[1], portfolio=read.items[1].portfolio.model_copy(
             update={"targets": own}), replicates=read.items[1].replicates.assign(
             copy_success=success[1]))])
    for lang in ("en", "zh"):
        found = dict(portfolio_report.answer(portfolios, lang))
        said = found[portfolio_report.outcome_label("copy_success", lang)]
        assert not re.search("leads|trails|领先|落后|\\+50", said), said
        brief = portfolio_report.targets_brief(own, lang)
        assert brief in said and ("differ" in said or "不同" in said), said
        # the comparable outcomes are still answered, survival at week 4 among them
        assert portfolio_report.outcome_label("alive_week_4", lang) in found
        assert portfolio_report.outcome_label("gross_profit", lang) in found
        title = portfolio_report.chart_titles(portfolios, lang)["copy_success"]
        assert "own_hosts" not in title and "50" not in title, title
        table = portfolio_report.outcome_table(portfolios, lang)
        assert table.iloc[0].tolist() == [
            portfolio_report.targets_brief(r.portfolio.targets, lang) for r in portfolios.items]
    assert portfolio_report.targets_brief(own, "en") == "alive at week 1, ≥20 members, ≥¥800/week"
    bars = portfolio_report.charts(portfolios, "en")["copy_success"].fig.data
    assert bars[2].x[0] == "own_hosts<br>alive at week 1, ≥20 members, ≥¥800/week"
    # the same targets: ranked as before
    same = dict(portfolio_report.answer(portfolio_report.Portfolios(
        [replace(r, replicates=r.replicates.assign(copy_success=s))
         for r, s in zip(read.items, success)]), "en"))
    assert "own_hosts leads: +50 pp against staffed" in same[
        portfolio_report.outcome_label("copy_success", "en")]


def test_zh_table_rows_read_like_the_others_and_counts_are_whole(compared):
    """The zh compare deck wrote gross profit "¥32,047" beside rows in 万 (one portfolio was
    below ten thousand) and lost scans "1.5264万"."""
    out, _, _ = compared
    read = portfolio_report.read_portfolios(out)
    profit = ([30_495.7, 32_046.7, 32_046.7, 32_478.7], [7_634.4, 8_873.4, 8_873.4, 11_540.4])
    scans = ([15_230.0, 15_264.0, 15_264.0, 15_379.0], [15_196.0, 15_262.0, 15_262.0, 15_405.0])
    portfolios = portfolio_report.Portfolios(
        [replace(r, replicates=r.replicates.assign(gross_profit=p, qr_scans_lost=q))
         for r, p, q in zip(read.items, profit, scans)])
    table = portfolio_report.outcome_table(portfolios, "zh")
    assert table.loc[portfolio_report.outcome_label("gross_profit", "zh")].tolist() == \
        ["¥3.20万 [¥3.05万–¥3.25万]", "¥0.89万 [¥0.76万–¥1.15万]"]
    assert table.loc[portfolio_report.outcome_label("qr_scans_lost", "zh")].tolist() == \
        ["15,264 [15,230–15,379]", "15,262 [15,196–15,405]"]


def test_the_zh_title_of_a_leading_baseline_is_a_sentence(compared):
    """It read "对照 staffed 的全部群扣除成本后的毛利 (中位数) 领先：比 own_hosts 高 ¥700"."""
    out, _, _ = compared
    read = portfolio_report.read_portfolios(out)
    # staffed makes 700 more on every seed
    items = [replace(r, replicates=r.replicates.assign(gross_profit=r.replicates["seed"] * 10.0
                                                       + 700 * (k == 0)))
             for k, r in enumerate(read.items)]
    title = portfolio_report.chart_titles(portfolio_report.Portfolios(items), "zh")
    assert title["cumulative_profit"] == \
        "对照方案 staffed 领先：全部群扣除成本后的毛利 (中位数) 比 own_hosts 高 ¥700"
