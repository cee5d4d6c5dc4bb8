"""What a portfolio run or a comparison of portfolios (社群矩阵) says: the answer, the table,
the charts and the HTML page; `experiments.outputs.deck` puts the same on slides.

A comparison directory (`groupsim compare A.yaml B.yaml`) holds one portfolio run directory
per portfolio (`experiments.running.portfolio`, named by the portfolio) and `portfolios.json`
(their names, in order; the first is the baseline). Replicate r of every portfolio meets seed
`seed + r`, so portfolios are compared seed by seed (`experiments.running.paired.pair`: the
median of per-seed differences with a 90 % bootstrap interval, and the seeds ahead or behind).
"""

import json
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from experiments.outputs.answers import Finding, finding, finding_title
from experiments.outputs.charts import Chart, band_chart, plan_colour, style_figure
from experiments.outputs.formatting import number, span, together
from experiments.outputs.i18n import Lang, VERSION, text
from experiments.outputs.report import STYLE
from experiments.running.metrics import Unit
from experiments.running.paired import CONFIDENCE, pair
from experiments.running.portfolio import BAND, PortfolioResults, band_ends, read_portfolio_results
from scenarios.portfolio import Targets

INDEX = "portfolios.json"
"""A comparison directory's list of its portfolios, in order."""
OUTCOMES = tuple(BAND)
"""Rows of the portfolio table, in order."""
QUESTIONS = ("copy_success", "alive_week_12", "gross_profit", "total_cost")
"""What the answer states, in order: 复制成功率, copies alive at week 12, gross profit, cost."""
TARGETED = ("copy_success", "met_alive_week", "met_members", "met_weekly_gmv")
"""Outcomes judged on each portfolio's own `targets:`: shares of copies meeting different targets
are not comparable, so portfolios whose targets differ are not ranked on them."""
STAND_IN = "alive_week_4"
"""Answered after 复制成功率 when the portfolios' targets differ: survival at week 4, judged
alike in every portfolio (as a share of the copies when they differ in size)."""
COPIES_ALIVE = {"alive_week_4": 4, "alive_week_12": 12}
"""Outcomes that count copies (alive at the end of that week of their own life, of the copies
whose horizon reaches it): portfolios of different sizes are compared on the share of those
copies, since more copies alive says nothing when there are more copies."""
LOWER_IS_BETTER = ("total_cost",)
"""Outcomes where the smaller figure is the better one (a portfolio that spends less leads)."""
LABELS = {
    "copy_success": ("复制成功率 (copies meeting the targets)", "复制成功率 (达标的群占比)"),
    "met_alive_week": ("… meeting the target of being alive", "… 达到存活目标的群占比"),
    "met_members": ("… meeting the members target", "… 达到人数目标的群占比"),
    "met_weekly_gmv": ("… meeting the weekly GMV target", "… 达到周成交额目标的群占比"),
    "alive_week_4": ("copies alive at week 4", "第 4 周仍存活的群数"),
    "alive_week_12": ("copies alive at week 12", "第 12 周仍存活的群数"),
    "total_gmv": ("GMV, all copies", "全部群成交额"),
    "incentive_cost": ("incentive cost", "激励成本"),
    "weekly_costs": ("hosts' and staff's costs (paid weekly, whole run)",
                     "群主与助理的成本 (按周付，全期合计)"),
    "relay_fees": ("relayed lectures' fees", "转播讲座费用"),
    "total_cost": ("total cost (incentives, staff, relay fees)", "总成本 (激励、人力、转播费)"),
    "gross_profit": ("gross profit, all copies, after costs", "全部群毛利 (扣除成本)"),
    "people_in_several": ("people who joined two copies or more", "加入两个及以上群的人数"),
    "qr_scans_lost": ("QR scans no copy could take (live code)", "活码无群可接的扫码数"),
    "invites_sent": ("invited into a full copy, sent on by the live code",
                     "受邀时群已满、经活码转入其他群的人数"),
    "invites_lost": ("invited into a full copy, no copy with room", "受邀时群已满且无群可进的人数"),
}
WORDS = {
    "title": ("Portfolio report", "社群矩阵报告"),
    "meta": ("{portfolios} portfolio(s); {replicates} runs each, seeds {first}–{last}; {date}",
             "{portfolios} 个矩阵方案；每个 {replicates} 次模拟，随机种子 {first}–{last}；{date}"),
    "answer": ("The answer", "结论"),
    "table": ("Portfolios side by side: median over runs [10–90% of runs]",
              "矩阵方案对比：各次模拟的中位数 [10–90% 区间]"),
    "targets": ("A copy succeeds if {items}.", "一个群达标的条件：{items}。"),
    "alive_week": ("it is alive at the end of week {v}", "第 {v} 周末仍存活"),
    "members": ("it has at least {v} members then", "届时成员至少 {v} 人"),
    "weekly_gmv": ("it sells at least {v} a week on average", "平均每周成交额至少 {v}"),
    "groups": ("{n} groups ({families}); pool of {pool} people; hosts: {hosts}; {live}.",
               "{n} 个群 ({families})；共享人群 {pool} 人；群主 {hosts} 位；{live}。"),
    "bands_note": ("Each cell: median over runs [10–90% of runs, as the runs' own values].",
                   "每格：各次模拟的中位数 [10–90% 区间，取实际模拟值]。"),
    "live_on": ("one live code (活码)", "使用活码"),
    "live_off": ("no live code", "不用活码"),
    "targets_differ": (
        "Not compared: the portfolios' targets differ ({targets}), and shares of copies meeting "
        "different targets do not rank portfolios; see the outcomes below.",
        "不作比较：各方案的达标条件不同 ({targets})，达标率不能用来比较方案；请看下面的其他结果。"),
    "targets_row": ("targets (they differ: 复制成功率 not comparable)",
                    "达标条件 (各不相同：复制成功率不可比)"),
    "brief_alive_week": ("alive at week {v}", "第 {v} 周存活"),
    "brief_members": ("≥{v} members", "≥{v} 人"),
    "brief_weekly_gmv": ("≥{v}/week", "周成交额 ≥{v}"),
    "success_apart": ("复制成功率 by portfolio, each on its own targets (they differ: not ranked)",
                      "各矩阵方案按各自达标条件的复制成功率 (条件不同，不作排名)"),
    "one": ("{name}: median {value} (10–90% of runs: {low} to {high}).",
            "{name}：中位数 {value} (各次模拟的 10–90%：{low} 至 {high})。"),
    "cheaper": ("{name} costs less: {diff} against {base} ({level}% interval {low} to {high}); "
                "cheaper on {k} of {n} paired seeds.",
                "{name} 成本更低：比 {base} {diff} ({level}% 置信区间 {low} 至 {high})；"
                "{n} 个配对种子中 {k} 个更省。"),
    "dearer": ("{name} costs more: {diff} against {base} ({level}% interval {low} to {high}); "
               "dearer on {k} of {n} paired seeds.",
               "{name} 成本更高：比 {base} {diff} ({level}% 置信区间 {low} 至 {high})；"
               "{n} 个配对种子中 {k} 个更贵。"),
    "undefined": ("{name}: not defined (no copy's horizon reaches it).",
                  "{name}：无数据 (没有群的周期达到这一周)。"),
    "leads": ("{name} leads: {diff} against {base} ({level}% interval {low} to {high}); "
              "better on {k} of {n} paired seeds.",
              "{name} 领先：比 {base} {diff} ({level}% 置信区间 {low} 至 {high})；"
              "{n} 个配对种子中 {k} 个更好。"),
    "behind": ("{name} trails: {diff} against {base} ({level}% interval {low} to {high}); "
               "worse on {k} of {n} paired seeds.",
               "{name} 落后：比 {base} {diff} ({level}% 置信区间 {low} 至 {high})；"
               "{n} 个配对种子中 {k} 个更差。"),
    "level": ("{name} and {base} are level: {diff} ({level}% interval {low} to {high} "
              "includes zero).",
              "{name} 与 {base} 持平：{diff} ({level}% 置信区间 {low} 至 {high} 包含 0)。"),
    "baseline": ("Baseline: {base} (the first portfolio named). Differences are medians of "
                 "per-seed differences with a {level}% bootstrap interval.",
                 "基准：{base} (第一个方案)。差值为逐个种子差值的中位数，附 {level}% bootstrap 置信区间。"),
    "success_chart": ("复制成功率 by portfolio", "各矩阵方案的复制成功率"),
    "success_axis": ("share of copies meeting the targets", "达标群占比"),
    "open_chart": ("Copies open, by portfolio day", "每天开着的群数"),
    "open_axis": ("copies open", "开着的群数"),
    "members_chart": ("Members of a copy, by day of its own life", "单个群的成员数 (按开群后天数)"),
    "members_axis": ("members", "成员数"),
    "members_note": ("median over copies and runs; band: 10–90%",
                     "所有群与模拟的中位数；阴影：10–90% 区间"),
    "profit_chart": ("Cumulative gross profit of the portfolio, after costs",
                     "矩阵累计毛利 (扣除成本)"),
    "profit_axis": ("gross profit so far (yuan)", "累计毛利 (元)"),
    "portfolio_day": ("portfolio day (gridline every week)", "矩阵第几天 (每周一条网格线)"),
    "bars_note": ("bars: median over runs; whiskers: 10–90% of runs",
                  "柱：各次模拟的中位数；误差线：10–90% 区间"),
    "charts": ("Charts", "图表"),
    "copies": ("Copy by copy: {name} (share of runs, or median over runs)",
               "逐群：{name} (各次模拟中的占比，或中位数)"),
    "copy_columns": (("copy", "opens (day)", "host", "meets the targets", "alive at the end",
                      "final members", "GMV"),
                     ("群", "开群 (第几天)", "群主", "达成目标", "期末仍存活", "期末成员", "成交额")),
    "what_copy_success": ("复制成功率 (median)", "复制成功率 (中位数)"),
    "what_open_groups": ("most copies open at once (median)", "同时开着的群数峰值 (中位数)"),
    "what_open_share": ("most copies open at once, as a share of the portfolio's copies (median)",
                        "同时开着的群数峰值占本方案群数的比例 (中位数)"),
    "as_share": ("{what}, as a share of the copies (the portfolios differ in size: {sizes})",
                 "{what}，按占群数的比例 (各方案群数不同：{sizes})"),
    "sized": ("{name} {n}", "{name} {n} 个"),
    "what_members": ("members of a copy at its end (median)", "单个群期末成员数 (中位数)"),
    "what_cumulative_profit": ("gross profit after costs, all copies (median)",
                               "全部群扣除成本后的毛利 (中位数)"),
}


def word(key: str, lang: Lang, **values) -> str:
    """A portfolio page's text in `lang`, filled with `values`."""
    return WORDS[key][lang == "zh"].format(**values)


def _band(values: pd.Series, unit: Unit, lang: Lang) -> tuple[str, str, str]:
    """The median over replicates and the band's ends (`band_ends`), in one form
    (`formatting.together`)."""
    return tuple(together([values.median(), *band_ends(values)], unit, lang))


def outcome_label(name: str, lang: Lang) -> str:
    return LABELS[name][lang == "zh"]


@dataclass(frozen=True)
class Portfolios:
    """Portfolios run on the same seeds; `items[0]` is the baseline."""

    items: list[PortfolioResults]

    @property
    def names(self) -> list[str]:
        return [r.portfolio.name for r in self.items]

    def per_seed(self, outcome: str) -> pd.DataFrame:
        """Seeds as rows, portfolios as columns: one replicate outcome."""
        return pd.DataFrame({r.portfolio.name: r.replicates.set_index("seed")[outcome]
                             for r in self.items})

    def copies_of(self, outcome: str) -> pd.Series | None:
        """Per portfolio, the copies a count of copies (`COPIES_ALIVE`, or `open_groups`) is
        out of; None for another outcome."""
        if outcome == "open_groups":
            return pd.Series({r.portfolio.name: len(r.portfolio.copies) for r in self.items})
        if outcome not in COPIES_ALIVE:
            return None
        days = 7 * COPIES_ALIVE[outcome]
        return pd.Series({r.portfolio.name: sum(c.plan.horizon_days >= days
                                                for c in r.portfolio.copies)
                          for r in self.items})

    @property
    def targets_differ(self) -> bool:
        """Whether the portfolios' `targets:` differ: then they are not ranked on `TARGETED`."""
        return len({r.portfolio.targets.model_dump_json() for r in self.items}) > 1

    def differ_in_size(self, outcome: str) -> bool:
        """Whether a count of copies (`copies_of`) is out of different numbers of copies in
        different portfolios: then portfolios are compared on its share of them."""
        sizes = self.copies_of(outcome)
        return sizes is not None and sizes.nunique() > 1


def write_index(out: Path, names: list[str]) -> None:
    """Write a comparison directory's `portfolios.json`."""
    (out / INDEX).write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")


def read_portfolios(out: Path) -> Portfolios:
    """A comparison directory (`portfolios.json`) or one portfolio run directory read back;
    FileNotFoundError when `out` is neither."""
    if (out / INDEX).is_file():
        names = json.loads((out / INDEX).read_text(encoding="utf-8"))
        return Portfolios([read_portfolio_results(out / name) for name in names])
    return Portfolios([read_portfolio_results(out)])


def with_baseline(portfolios: Portfolios, baseline: str | None) -> Portfolios:
    """The same portfolios with `baseline` first; ValueError naming the choices if unknown."""
    if baseline is None:
        return portfolios
    if baseline not in portfolios.names:
        raise ValueError(f"--baseline {baseline!r} is not one of the portfolios: "
                         f"{', '.join(portfolios.names)}")
    first = portfolios.names.index(baseline)
    items = portfolios.items
    return Portfolios([items[first], *items[:first], *items[first + 1:]])


def meta(portfolios: Portfolios, lang: Lang) -> str:
    """"2 portfolio(s); 20 runs each, seeds 0–19; 2026-11-30"."""
    seeds = sorted(portfolios.items[0].replicates["seed"])
    return word("meta", lang, portfolios=len(portfolios.items), replicates=len(seeds),
                first=seeds[0], last=seeds[-1], date=date.today().isoformat())


def targets_line(targets: Targets, lang: Lang) -> str:
    """"A copy succeeds if it is alive at the end of week 12 and ..."."""
    items = [word(name, lang, v=number(value, "money", lang) if name == "weekly_gmv" else value)
             for name, value in targets.model_dump(exclude_none=True).items()]
    return word("targets", lang, items=("；" if lang == "zh" else " and ").join(items))


def targets_brief(targets: Targets, lang: Lang) -> str:
    """"alive at week 12, ≥200 members, ≥¥1,400/week": a portfolio's targets in a few words."""
    return ("、" if lang == "zh" else ", ").join(
        word(f"brief_{name}", lang, v=number(value, "money", lang) if name == "weekly_gmv"
             else value)
        for name, value in targets.model_dump(exclude_none=True).items())


def _each_targets(portfolios: Portfolios, lang: Lang) -> str:
    """"copy_one_host: alive at week 12, …; lecture_relay: alive at week 4"."""
    return ("；" if lang == "zh" else "; ").join(
        f"{r.portfolio.name}{'：' if lang == 'zh' else ': '}"
        f"{targets_brief(r.portfolio.targets, lang)}" for r in portfolios.items)


def composition(result: PortfolioResults, lang: Lang) -> str:
    """One line on what a portfolio is (its name aside): groups, families, pool, hosts, live
    code."""
    p = result.portfolio
    families = pd.Series([c.family for c in p.copies]).value_counts(sort=False)
    return word("groups", lang, n=len(p.copies),
                families=", ".join(f"{n} × {f}" for f, n in families.items()),
                pool=f"{p.pool_size:,}", hosts=len({c.host for c in p.copies}),
                live=word("live_on" if p.live_code else "live_off", lang))


def outcome_table(portfolios: Portfolios, lang: Lang) -> pd.DataFrame:
    """Rows: `OUTCOMES` (labels) defined for some portfolio, and after a count of copies alive
    its share of the copies when the portfolios differ in size (`COPIES_ALIVE`); columns:
    portfolios; cells "median [p10–p90]", or the median alone when the band is that one value
    (as the plans' tables); a row's numbers share one form (`formatting.together`, set by its
    largest value, as the other rows in 万). When the portfolios' targets differ, a first row
    states each one's (`TARGETED` rows are each on its own targets)."""
    rows = {}
    if portfolios.targets_differ:
        rows[word("targets_row", lang)] = [targets_brief(r.portfolio.targets, lang)
                                           for r in portfolios.items]

    def row(label: str, values: list[pd.Series], unit: Unit) -> None:
        # one form for the whole row, so that portfolios side by side read alike
        shown = together([x for v in values for x in (v.median(), *band_ends(v))], unit, lang,
                         by_largest=True)
        cells = []
        for k, v in enumerate(values):
            value, low, high = shown[3 * k: 3 * k + 3]
            alone = v.isna().all() or low == high == value
            cells.append(value + ("" if alone else f" [{span(low, high)}]"))
        rows[label] = cells

    for outcome in OUTCOMES:
        if all(r.replicates[outcome].isna().all() for r in portfolios.items):
            continue  # undefined for every portfolio: a target not stated, no live code, …
        values = [r.replicates[outcome] for r in portfolios.items]
        row(outcome_label(outcome, lang), values, BAND[outcome])
        if outcome in COPIES_ALIVE and portfolios.differ_in_size(outcome):
            sizes = portfolios.copies_of(outcome)
            label = word("as_share", lang, what=outcome_label(outcome, lang),
                         sizes=_sizes(sizes, lang))
            row(label, [v / n if n else v * np.nan for v, n in zip(values, sizes)], "share")
    return pd.DataFrame.from_dict(rows, orient="index", columns=portfolios.names)


def _sizes(sizes: pd.Series, lang: Lang) -> str:
    """"staffed 2, own_hosts 4": each portfolio's copies a share is of."""
    return ("、" if lang == "zh" else ", ").join(word("sized", lang, name=name, n=n)
                                                for name, n in sizes.items())


def answer(portfolios: Portfolios, lang: Lang) -> list[tuple[str, str]]:
    """(question, sentence) per outcome of `QUESTIONS`: the baseline's median and band, then each
    other portfolio against it, seed by seed; copies alive (`COPIES_ALIVE`) as a share of the
    copies when the portfolios differ in size (the question says so). When their targets differ,
    复制成功率 is not ranked: its sentence names each one's targets, and survival at week 4
    (`STAND_IN`) is answered after it."""
    base = portfolios.names[0]
    out = []
    apart = portfolios.targets_differ
    questions = (QUESTIONS[0], STAND_IN, *QUESTIONS[1:]) if apart else QUESTIONS
    for outcome in questions:
        if apart and outcome in TARGETED:
            out.append((outcome_label(outcome, lang),
                        word("targets_differ", lang, targets=_each_targets(portfolios, lang))))
            continue
        unit = BAND[outcome]
        wide = portfolios.per_seed(outcome)
        label = outcome_label(outcome, lang)
        if portfolios.differ_in_size(outcome):  # 20 copies alive of 40 do not beat 15 of 20
            sizes = portfolios.copies_of(outcome)
            wide, unit = wide / sizes.replace(0, np.nan), "share"
            label = word("as_share", lang, what=label, sizes=_sizes(sizes, lang))
        v = wide[base]
        if v.isna().all():
            out.append((label, word("undefined", lang, name=base)))
            continue
        value, low, high = _band(v, unit, lang)
        parts = [word("one", lang, name=base, value=value, low=low, high=high)]
        for name in portfolios.names[1:]:
            p = pair(wide[name], wide[base], outcome)
            if p.n == 0:
                parts.append(word("undefined", lang, name=name))
                continue
            lower = outcome in LOWER_IS_BETTER
            better, worse = (p.behind, p.ahead) if lower else (p.ahead, p.behind)
            leads = p.difference < 0 if lower else p.difference > 0
            key = "level" if not p.decided else ("leads" if leads else "behind")
            if lower and key != "level":
                key = "cheaper" if leads else "dearer"
            diff, low, high = together([p.difference, p.low, p.high], unit, lang, signed=True)
            parts.append(word(key, lang, name=name, base=base, diff=diff, low=low, high=high,
                              level=round(CONFIDENCE * 100),
                              k=better if key in ("leads", "cheaper") else worse, n=p.n))
        out.append((label, " ".join(parts)))
    return out


def _tagged(portfolios: Portfolios, table: str) -> pd.DataFrame:
    """One of the portfolios' tables stacked, with `plan` = the portfolio's name (for
    `charts.band_chart`)."""
    return pd.concat([getattr(r, table).assign(plan=r.portfolio.name)
                      for r in portfolios.items], ignore_index=True)


def cumulative_profit(result: PortfolioResults) -> pd.DataFrame:
    """Per replicate and portfolio day: gross profit so far, all copies, after the hosts' and
    staff's weekly costs and the relay fees (yuan)."""
    daily = result.daily.assign(pday=result.daily["open_day"] + result.daily["day"])
    days = result.days.rename(columns={"day": "pday"})
    profit = daily.groupby(["replicate", "pday"])["gross_profit"].sum()
    frame = days.set_index(["replicate", "pday"])
    net = profit.reindex(frame.index, fill_value=0.0) - frame["weekly_costs"]
    for relay in result.portfolio.relay:
        if relay.fee and result.portfolio.heard(relay):
            net.loc[(slice(None), relay.day)] -= relay.fee
    out = net.groupby(level="replicate").cumsum().rename("profit").reset_index()
    return out.rename(columns={"pday": "day"})


def charts(portfolios: Portfolios, lang: Lang) -> dict[str, Chart]:
    """复制成功率 bars (each bar named with its portfolio's targets when they differ), copies
    open per portfolio day, members of a copy by its own day, and the portfolio's cumulative
    gross profit."""
    base = portfolios.names[0]
    fig = go.Figure()
    for i, r in enumerate(portfolios.items):
        v = r.replicates["copy_success"]
        med, (low, high) = v.median(), band_ends(v)
        name = r.portfolio.name + (f"<br>{targets_brief(r.portfolio.targets, lang)}"
                                   if portfolios.targets_differ else "")
        fig.add_bar(x=[name], y=[med], marker_color=plan_colour(i), showlegend=False,
                    error_y={"type": "data", "symmetric": False, "array": [high - med],
                             "arrayminus": [med - low]})
        # the median's label above the band's top, clear of the error bar
        fig.add_scatter(x=[name], y=[high], mode="text", showlegend=False,
                        text=[number(med, "share", lang)], textposition="top center",
                        hoverinfo="skip")
    style_figure(fig, "", word("success_axis", lang))
    fig.update_yaxes(range=[0, 1.12], tickformat=".0%")
    out = {"copy_success": Chart(fig, word("success_chart", lang), word("bars_note", lang))}
    days = _tagged(portfolios, "days")
    out["open_groups"] = band_chart(days, "open_groups", word("open_chart", lang),
                                    word("open_axis", lang), base, lang)
    members = band_chart(_tagged(portfolios, "daily"), "members", word("members_chart", lang), word("members_axis", lang),
                         base, lang)
    out["members"] = Chart(members.fig, members.title, word("members_note", lang), members.empty)
    profit = pd.concat([cumulative_profit(r).assign(plan=r.portfolio.name)
                        for r in portfolios.items], ignore_index=True)
    out["cumulative_profit"] = band_chart(profit, "profit", word("profit_chart", lang),
                                          word("profit_axis", lang), base, lang, money=True)
    for name in ("open_groups", "cumulative_profit"):
        out[name].fig.update_xaxes(title=word("portfolio_day", lang))
    return out


def chart_findings(portfolios: Portfolios) -> dict[str, Finding]:
    """The finding each chart of `charts` states, by chart name, seed by seed
    (`answers.finding`): 复制成功率; the most copies open on one portfolio day (as a share of
    each portfolio's copies when they differ in size); the median over a replicate's copies of
    their final members; the portfolio's gross profit after costs."""
    base = portfolios.names[0]

    def ranked(outcome: str, unit: Unit, per_replicate) -> Finding:
        rows = [pd.DataFrame({"plan": r.portfolio.name, "seed": r.replicates["seed"].to_numpy(),
                              outcome: per_replicate(r).reindex(r.replicates["replicate"])
                              .to_numpy(dtype=float)})
                for r in portfolios.items]
        return finding(pd.concat(rows, ignore_index=True), outcome, base, unit)

    def outcome(name: str):
        return lambda r: r.replicates.set_index("replicate")[name]

    def most_open(r: PortfolioResults) -> pd.Series:
        return r.days.groupby("replicate")["open_groups"].max()

    return {
        "copy_success": ranked("copy_success", "share", outcome("copy_success")),
        # portfolios of different sizes: the share of each one's copies
        "open_groups": ranked("open_share", "share",
                              lambda r: most_open(r) / len(r.portfolio.copies))
        if portfolios.differ_in_size("open_groups") else ranked("open_groups", "count", most_open),
        "members": ranked("final_members", "count",
                          lambda r: r.summary.groupby("replicate")["final_members"].median()),
        "cumulative_profit": ranked("gross_profit", "money", outcome("gross_profit")),
    }


def chart_titles(portfolios: Portfolios, lang: Lang) -> dict[str, str]:
    """Each chart's finding (`chart_findings`) as its title: "copy_five_hosts leads on
    复制成功率 (median): 22 pp above copy_one_host"; 复制成功率 unranked when the portfolios'
    targets differ."""
    titles = {}
    for name, f in chart_findings(portfolios).items():
        if name in TARGETED and portfolios.targets_differ:
            titles[name] = word("success_apart", lang)
            continue
        what = "open_share" if f.metric == "open_share" else name  # on shares of copies
        titles[name] = finding_title(f, word(f"what_{what}", lang), lang)
    return titles


def copy_table(result: PortfolioResults, lang: Lang) -> pd.DataFrame:
    """One row per copy of one portfolio, in opening order: its opening day and host, the
    share of runs in which it met the targets and was alive at its horizon, and its median
    final members and GMV over runs (which copies fail, and when they opened)."""
    by = result.summary.groupby("group", sort=False)
    first = by.first()
    frame = pd.DataFrame({
        "copy": list(by.groups), "opens": first["open_day"].astype(str).to_numpy(),
        "host": first["host"].to_numpy(),
        # a column's numbers in one form (formatting.together), as the portfolio table's rows
        **{column: together(list(by[source].agg(how)), unit, lang, by_largest=True)
           for column, source, how, unit
           in (("meets", "meets_targets", "mean", "share"),
               ("alive", "alive_at_end", "mean", "share"),
               ("members", "final_members", "median", "count"),
               ("gmv", "total_gmv", "median", "money"))}})
    frame.columns = WORDS["copy_columns"][lang == "zh"]
    return frame


def report_html(portfolios: Portfolios, lang: Lang = "en") -> str:
    """The page of one portfolio or a comparison: offline HTML (plotly.js inlined once)."""
    names = portfolios.names
    items = "".join(f"<dt>{escape(q)}</dt><dd>{escape(a)}</dd>" for q, a in answer(portfolios, lang))
    about = "".join(f"<p><b>{escape(r.portfolio.name)}</b>: {escape(composition(r, lang))} "
                    f"{escape(targets_line(r.portfolio.targets, lang))}</p>"
                    + (f'<p class="note">{escape(r.portfolio.describe(lang))}</p>'
                       if r.portfolio.describe(lang) else "")
                    for r in portfolios.items)
    table = outcome_table(portfolios, lang)
    head = "".join(f"<th>{escape(n)}</th>" for n in table.columns)
    body = "".join(f"<tr><td>{escape(row)}</td>{''.join(f'<td>{escape(c)}</td>' for c in cells)}</tr>"
                   for row, cells in zip(table.index, table.to_numpy()))
    copies = "".join(
        f"<h3>{escape(word('copies', lang, name=r.portfolio.name))}</h3>"
        f"<div class=\"scroll\"><table><tr>{''.join(f'<th>{escape(c)}</th>' for c in frame.columns)}"
        "</tr>" + "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>"
                          for cells in frame.to_numpy()) + "</table></div>"
        for r in portfolios.items for frame in [copy_table(r, lang)])
    titles = chart_titles(portfolios, lang)
    figures = "".join(
        f"<h3>{escape(titles[name])}</h3><p class=\"note\">{escape(c.title)} — {escape(c.note)}</p>"
        + pio.to_html(c.fig, full_html=False, include_plotlyjs=False, div_id=f"chart-{name}",
                      config={"displaylogo": False})
        for name, c in charts(portfolios, lang).items() if c.empty is None)
    foot = word("baseline", lang, base=names[0], level=round(CONFIDENCE * 100)) \
        if len(names) > 1 else ""
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<title>{escape(word("title", lang))}: {escape(", ".join(names))}</title>
<style>{STYLE}</style><script>{get_plotlyjs()}</script></head>
<body><h1>{escape(word("title", lang))}</h1><p class="meta">{escape(meta(portfolios, lang))} · groupsim {escape(VERSION)}</p>
{about}
<h2>{escape(word("answer", lang))}</h2><dl class="answer">{items}</dl>
{f'<p class="note">{escape(foot)}</p>' if foot else ""}
<h2>{escape(word("table", lang))}</h2><div class="scroll"><table>
<tr><th>{escape(text("metric", lang))}</th>{head}</tr>{body}</table></div>
{copies}
<h2>{escape(word("charts", lang))}</h2>{figures}
</body></html>
"""


def write_report(portfolios: Portfolios, path: Path, lang: Lang = "en") -> None:
    """Write `report_html(portfolios, lang)` to `path`."""
    path.write_text(report_html(portfolios, lang), encoding="utf-8")
