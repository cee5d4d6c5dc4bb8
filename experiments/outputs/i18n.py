"""Every word a chart, table, report or deck shows, in English and Chinese.

Chinese text uses the terms 社群运营 practitioners use (存活率, 成员数, 成交额, 毛利, 激励成本,
活跃发言人数, …). Metric labels live with each metric in `experiments.running.metrics`; numbers
are formatted by `experiments.outputs.formatting`.
"""

from importlib.metadata import version
from typing import TYPE_CHECKING

from experiments.running.metrics import LANGS, Lang, UnknownMetric, get

if TYPE_CHECKING:
    from scenarios.schema import Plan
    from sim.profile import Profile

VERSION = version("groupsim")
"""The installed groupsim's version, for footers."""

TEXT: dict[str, tuple[str, str]] = {
    # charts
    "day": ("day (gridline every week)", "天 (每周一条网格线)"),
    "week": ("week", "周"),
    "median_note": ("median over runs", "各次模拟的中位数"),
    "band": ("median over runs; band: 10–90% of runs", "各次模拟的中位数；阴影：10–90% 区间"),
    "bars": ("bars: median over runs; whiskers: 10–90% of runs",
             "柱：各次模拟的中位数；误差线：10–90% 区间"),
    "survival": ("Survival: share of runs still alive", "存活率：仍存活的模拟占比"),
    "survival_axis": ("share of runs alive", "存活率"),
    "survival_note": ("a group is dead from its first day of 14 quiet days",
                      "连续 14 天冷清即判定为死群，从第一天算起"),
    "members": ("Members", "成员数"),
    "members_axis": ("members at end of day", "日末成员数"),
    "weekly_gmv": ("Weekly GMV", "每周成交额 (GMV)"),
    "weekly_profit": ("Weekly gross profit (GMV − units × unit cost − incentive cost)",
                      "每周毛利 (成交额 − 销量 × 单位成本 − 激励成本)"),
    "money_week_axis": ("yuan per week", "元/周"),
    "cumulative_profit": ("Cumulative gross profit (GMV − units × unit cost − incentive cost)",
                          "累计毛利 (成交额 − 销量 × 单位成本 − 激励成本)"),
    "baseline_name": ("{plan} (baseline)", "{plan} (对照)"),
    "best_name": ("{plan} (best)", "{plan} (最佳)"),
    "grey_others": ("grey: the other {n} plans", "灰线：其余 {n} 个方案"),
    "clipped": ("axis clipped: {plan} reaches {value}", "坐标轴已截断：{plan} 达到 {value}"),
    "line_ends": ("a line ends (✕) on the last day at least {share} of its runs are alive",
                  "曲线在存活模拟不足 {share} 时结束 (✕)"),
    "nothing": ("{what}: every median is zero", "{what}：所有中位数均为零"),
    "zero_plans": ("no bars (every median zero): {plans}", "中位数全为零、未画柱：{plans}"),
    "bars_shown": ("shown: the baseline and the {shown} plans of the highest totals; {n} more "
                   "in the table",
                   "仅显示对照与合计最高的 {shown} 个方案；其余 {n} 个方案见表格"),
    "bars_top": ("shown: the {shown} plans of the highest totals; {n} more in the table",
                 "仅显示合计最高的 {shown} 个方案；其余 {n} 个方案见表格"),
    "money_axis": ("yuan", "元"),
    "weekly_posters": ("Weekly active posters", "每周活跃发言人数"),
    "posters_axis": ("members who talked (conversation) that week", "当周聊过天的成员数"),
    "trust": ("Mean trust of current members", "现有成员平均信任度"),
    "trust_axis": ("mean trust (0–1)", "平均信任度 (0–1)"),
    "sentiment": ("Mean sentiment of current members", "现有成员平均情绪"),
    "sentiment_axis": ("mean sentiment", "平均情绪"),
    # the what-if page
    "page_title": ("What if: {plan}", "推演：{plan}"),
    "levers": ("Levers", "杠杆"),
    "library_plan": ("library plan", "方案库"),
    "drop_plan": ("…or drop a plan YAML here", "…或把方案 YAML 文件拖到这里"),
    "reset_levers": ("Reset levers", "恢复方案原值"),
    "download_plan": ("Download plan", "下载方案"),
    "tab_whatif": ("What if", "推演"),
    "tab_watch": ("Watch one replicate", "观看一次模拟"),
    "running": ("Running {n} replicates of each plan…", "每个方案运行 {n} 次模拟…"),
    "whatif_status": ("{n} replicates of {changed} against {base}, same seeds, in {seconds} s",
                      "{changed} 对比 {base}：各 {n} 次模拟，相同随机种子，用时 {seconds} 秒"),
    "updating": (" (updating…)", " (更新中…)"),
    "outcome": ("outcome", "结果"),
    "base": ("base", "原方案"),
    "whatif": ("what-if", "推演方案"),
    "difference": ("difference", "差异"),
    "difference_note": ("difference: the what-if plan minus the base plan, seed by seed "
                        "(median [10–90%]); for survival, the difference in the share alive.",
                        "差异：推演方案减原方案，逐个随机种子配对 (中位数 [10–90%])；"
                        "存活率为存活占比之差。"),
    "changed": ("Changed: {levers}", "已改动：{levers}"),
    "changed_lever": ("{label} {value} (plan: {base})", "{label} {value} (方案：{base})"),
    "unchanged": ("No lever changed yet: the what-if plan is the plan itself.",
                  "尚未改动杠杆：推演方案与原方案相同。"),
    "no_limit": ("no limit", "不限"),
    "inert_kind": ("no effect: this plan has no such calendar item; set “{lever}” above 0 to "
                   "add one", "不起作用：本方案日历中没有此项；先把“{lever}”设为大于 0"),
    "inert_budget": ("no effect: nothing in this plan costs money (no paid calendar item, no "
                     "referral reward)", "不起作用：本方案没有花钱的活动 (没有发钱的日历项，也没有邀请奖励)"),
    "kept_results": ("Fix the lever marked in red: the results are still those of the last valid "
                     "levers.", "请修正标红的杠杆：下面仍是上一组有效取值的结果。"),
    "run_failed": ("The run failed: {error}", "模拟失败：{error}"),
    "step_day": ("Step one day", "前进一天"),
    "step_week": ("Step a week", "前进一周"),
    "restart": ("Restart", "重新开始"),
    "day_of": ("day {day} of {days} (seed 0)", "第 {day} 天 / 共 {days} 天 (随机种子 0)"),
    "building": ("building the group…", "正在建群…"),
    "step_hint": ("Step a day to see its counts.", "前进一天后显示当天的计数。"),
    "day_n": ("day {day}", "第 {day} 天"),
    "count": ("count", "数量"),
    "network_title": ("Members on day {day}", "第 {day} 天的成员"),
    "network_note": ("colour: role; size: posts; faded: left or muted",
                     "颜色：角色；大小：发言数；变淡：已退群或屏蔽"),
    # tables, report and deck
    "metric": ("metric", "指标"),
    "plan": ("plan", "方案"),
    "description": ("description", "说明"),
    "library_title": ("Library plans", "方案库"),
    "portfolio": ("portfolio", "矩阵方案"),
    "portfolio_library_title": ("Library portfolios (groupsim run, compare, sweep, validate)",
                                "矩阵方案库 (groupsim run, compare, sweep, validate)"),
    "summary_table": ("Median over replicates (10–90% below)", "各次模拟的中位数 (下方为 10–90% 区间)"),
    "paired_table": ("Difference from {base}, same seeds: median of per-seed differences "
                     "(10–90% below); survival: difference of shares (95% interval below)",
                     "与 {base} 的差值 (相同种子)：逐个种子差值的中位数 (下方为 10–90% 区间)；"
                     "存活率为两个存活率之差 (下方为 95% 置信区间)"),
    "median_range": ("median [10–90%]", "中位数 [10–90%]"),
    "paired_title": ("Paired differences from {base} (same seeds)",
                     "与 {base} 的配对差异 (相同随机种子)"),
    "vs": ("vs {base}", "对比 {base}"),
    "table_title": ("All plans side by side: median over runs [10–90%]",
                    "各方案对比：各次模拟的中位数 [10–90%]"),
    "review_title": ("Review metrics (复盘)", "复盘指标"),
    "table_slide": ("All plans side by side (median over runs)", "各方案对比 (各次模拟的中位数)"),
    "table_note": ("Money in yuan; ROI as a multiple (×) of the incentive cost.",
                   "金额单位为元；投入产出比为激励成本的倍数 (×)。"),
    "paired_note": ("Δ rows: difference from the baseline {base} (every plan met the same "
                    "seeds): median of per-seed differences [10–90%]; for survival the "
                    "difference of the shares alive [95% interval, Newcombe].",
                    "Δ 行：与对照方案 {base} 的差值 (各方案使用相同种子)：逐个种子差值的中位数 "
                    "[10–90%]；存活率为两个存活率之差 [95% 置信区间，Newcombe 法]。"),
    "baseline_short": ("baseline {base}", "对照 {base}"),
    "review_note": ("引流转换率 joins ÷ candidate pool; 活跃度 mean daily unprompted posters ÷ "
                    "members; 成交转化率 members who bought ÷ all who were members; 复购率 buyers "
                    "who bought twice or more ÷ buyers; 裂变倍增率 referral joins ÷ initial "
                    "members. 复制成功率 needs portfolios of groups: not computed.",
                    "引流转换率＝入群人数÷候选池人数；活跃度＝每日主动发言人数÷成员数 (日均)；"
                    "成交转化率＝下单成员÷全部入过群的成员；复购率＝下单两次及以上的成员÷下单成员；"
                    "裂变倍增率＝邀请入群人数÷初始成员数。复制成功率需要多群组合，暂不计算。"),
    "report_title": ("groupsim report", "groupsim 模拟报告"),
    "deck_title": ("Group plan simulation", "社群方案模拟"),
    "reading": ("Reading", "解读"),
    "plans": ("Plans", "方案"),
    "charts": ("Charts", "图表"),
    "meta": ("{plans} plan(s); {replicates} runs per plan, seeds {first}–{last}; {date}",
             "{plans} 个方案；每个方案 {replicates} 次模拟，随机种子 {first}–{last}；{date}"),
    "no_description": ("(no description)", "(无说明)"),
    "profile_label": ("Audience profile", "受众画像"),
    "profile_line": ("Audience profile: {who}", "受众画像：{who}"),
    "profile_fitted": ("{name} (fitted from {history}, {date})", "{name}（拟合自 {history}，{date}）"),
    "profile_by_hand": ("{name} (set by hand)", "{name}（手工设定）"),
    # reading
    "alive_at": ("alive at week {week} in {k} of {n} runs ({share})",
                 "第 {week} 周仍存活：{n} 次中 {k} 次 ({share})"),
    "profit_reading": ("median gross profit over {weeks} weeks {value} (10–90% of runs: {low} to {high}), "
                       "on GMV {gmv} and incentive cost {cost}",
                       "{weeks} 周毛利中位数 {value} (各次模拟的 10–90%：{low} 至 {high})，"
                       "成交额 {gmv}，激励成本 {cost}"),
    "paired_reading": ("Against {base}, seed by seed: {items}.",
                       "与 {base} 逐个种子配对比较：{items}。"),
    "paired_item_median": ("{label} {value} (10–90% of seeds: {low} to {high})",
                           "{label} {value} (各种子的 10–90%：{low} 至 {high})"),
    "paired_item_share": ("{label} {value} (95% interval: {low} to {high})",
                          "{label} {value} (95% 置信区间：{low} 至 {high})"),
    "alive_row": ("alive at week {week} (share of runs)", "第 {week} 周存活率"),
    "warning_word": ("Warning", "注意"),
    "budget_warning": ("Warning: the budget ran out in {k} of {n} runs (median day {day}); "
                       "a median of {skipped} paid items (red packets, draws, rewards) were "
                       "skipped per run.",
                       "注意：预算在 {n} 次模拟中的 {k} 次耗尽 (中位数：第 {day} 天)；"
                       "每次模拟中位数跳过 {skipped} 次发钱活动 (红包、抽奖、奖励)。"),
    "list_sep": ("; ", "；"),
    # the answer first (experiments.outputs.answers)
    "answer_title": ("The answer", "结论"),
    "q_survives": ("Survives?", "能活下来吗？"),
    "q_sells": ("Sells?", "卖得动吗？"),
    "q_profits": ("Profits?", "赚钱吗？"),
    "q_cost": ("At what cost?", "花多少钱？"),
    "phrase_alive_week": ("alive at week {week} in {value} of runs", "第 {week} 周存活率 {value}"),
    "phrase_total_gmv": ("median GMV {value}", "成交额中位数 {value}"),
    "phrase_gross_profit": ("median gross profit {value}", "毛利中位数 {value}"),
    "phrase_total_cost": ("median incentive cost {value}", "激励成本中位数 {value}"),
    "phrase_final_members": ("median final members {value}", "期末成员数中位数 {value}"),
    "phrase_weekly_posters": ("median {value} active posters in week {week}",
                              "第 {week} 周活跃发言人数中位数 {value}"),
    "answer_one": ("{best}: {phrase}.", "{best}：{phrase}。"),
    "answer_alike": ("All plans are level: {phrase} for every plan, seed by seed.",
                     "各方案持平：每个方案、每个种子都是{phrase}。"),
    "answer_lead": ("{best} leads ({phrase}): {against}.", "{best} 领先 ({phrase})：{against}。"),
    "answer_base_leads": ("The baseline {base} leads ({phrase}); the next, {runner}: {against}.",
                          "对照方案 {base} 领先 ({phrase})；其次是 {runner}：{against}。"),
    "answer_level": ("{names} are level ({phrase} for {best}; against it, every other's {pct}% "
                     "paired interval includes zero)",
                     "{names} 持平 ({best} {phrase}；其余方案与它的 {pct}% 配对区间都包含零)"),
    "answer_level_alike": ("{names} are level: {phrase} each, alike on every seed",
                           "{names} 持平：均为{phrase}，每个种子都相同"),
    "answer_level_base": ("; {best}: {against}.", "；{best} {against}。"),
    "against_base": ("{diff} against {base} {interval}, ahead on {ahead} of {n} paired seeds, "
                     "behind on {behind}",
                     "比 {base} {diff} {interval}，{n} 个配对种子中 {ahead} 个领先、{behind} 个落后"),
    "cost_against": ("{diff} against {base} {interval}, more on {ahead} of {n} paired seeds, "
                     "less on {behind}",
                     "比 {base} {diff} {interval}，{n} 个配对种子中 {ahead} 个更高、{behind} 个更低"),
    "interval": ("({pct}% interval {low} to {high})", "({pct}% 区间 {low} 至 {high})"),
    "every_seed": ("(the same on every paired seed)", "(每个配对种子都如此)"),
    "higher": ("higher by {size}", "高 {size}"),
    "lower": ("lower by {size}", "低 {size}"),
    "same": ("the same", "持平"),
    "names_and": ("{names} and {last}", "{names} 和 {last}"),
    "names_more": ("{names} and {n} more", "{names} 及另外 {n} 个方案"),
    "name_sep": (", ", "、"),
    "stop": (".", "。"),
    "cost_base": ("{base}, the baseline, profits most: {phrase}; {others}.",
                  "对照方案 {base} 利润最高：{phrase}；{others}。"),
    "cost_plan": ("{plan}: {phrase}, {against}.", "{plan}：{phrase}，{against}。"),
    "cost_same": ("{plan}: {phrase}, the same as {base} on every paired seed.",
                  "{plan}：{phrase}，每个配对种子都与 {base} 相同。"),
    "baseline_line": ("Baseline: {base} ({why}). Intervals: 90% bootstrap over paired seeds; for "
                      "survival, Newcombe's 95% interval of the difference of shares; a plan leads "
                      "only when its interval against the next excludes zero.",
                      "对照方案：{base} ({why})。区间：配对种子的 90% bootstrap 区间；存活率为两个"
                      "存活率之差的 95% Newcombe 区间；只有与第二名的区间不含零时才算领先。"),
    "why_named": ("chosen with --baseline", "由 --baseline 指定"),
    "why_first": ("the first plan named; choose another with --baseline",
                  "命令行中第一个方案；可用 --baseline 另选"),
    "why_library": ("the first library plan in name order; choose another with --baseline",
                    "按名称排序的第一个方案库方案；可用 --baseline 另选"),
    "what_survival": ("share alive at week {week}", "第 {week} 周存活率"),
    "what_members": ("final members (median)", "期末成员数 (中位数)"),
    "what_weekly_gmv": ("{weeks}-week GMV (median)", "{weeks} 周成交额 (中位数)"),
    "what_weekly_profit": ("{weeks}-week gross profit (median)", "{weeks} 周毛利 (中位数)"),
    "what_cumulative_profit": ("{weeks}-week gross profit (median)", "{weeks} 周毛利 (中位数)"),
    "what_trust": ("mean trust of current members at the end of week {weeks} (median)",
                   "第 {weeks} 周末现有成员平均信任度 (中位数)"),
    "what_sentiment": ("mean sentiment of current members at the end of week {weeks} (median)",
                       "第 {weeks} 周末现有成员平均情绪 (中位数)"),
    "what_weekly_posters": ("active posters in week {weeks} (median)",
                            "第 {weeks} 周活跃发言人数 (中位数)"),
    "title_one": ("{best}: {what} {value}", "{best}：{what} {value}"),
    "title_alike": ("{what}: the same in all ({value})", "{what}：全部相同 ({value})"),
    "title_level": ("{what}: {names} are level", "{what}：{names} 持平"),
    "title_lead": ("{best} leads on {what}: {size} above {base}",
                   "{best}：{what} 比 {base} 高 {size}"),
    "title_base_leads": ("The baseline {base} leads on {what}: {size} above {runner}",
                         "对照方案 {base} 领先：{what} 比 {runner} 高 {size}"),
    "left_out": ("Left out: {items}.", "未展示：{items}。"),
    # sweeps
    "response": ("{metric} against {lever}", "{metric} 随 {lever} 的变化"),
    "heatmap": ("{metric}: median by {x} and {y}", "{metric}：按 {x} 和 {y} 的中位数"),
    "tornado": ("{metric}: swing of the median across each lever's range",
                "{metric}：各杠杆取值范围内中位数的变化幅度"),
    "tornado_note": ("each bar runs from the median at the lever's lowest value to the median at "
                     "its highest (the other levers pooled)",
                     "每根柱从该杠杆最低取值时的中位数，到最高取值时的中位数 (其他杠杆合并)"),
    "sweep_title": ("Sweep of {plan}: {levers}", "{plan} 参数扫描：{levers}"),
    "points": ("{points} points × {replicates} runs", "{points} 个取值点 × 每点 {replicates} 次模拟"),
}
"""Key -> (English, Chinese); `{name}` fields are filled by `text(key, lang, name=...)`."""


def profile_line(profile: "Profile | None", lang: Lang) -> str | None:
    """'Audience profile: NAME (fitted from HISTORY, DATE)' (or 'set by hand') for a run played
    with a profile (`--profile`); None without one."""
    if profile is None:
        return None
    return text("profile_line", lang, who=profile_name(profile, lang))


def profile_name(profile: "Profile", lang: Lang) -> str:
    """'NAME (fitted from HISTORY, DATE)', or 'NAME (set by hand)'."""
    if profile.origin is None:
        return text("profile_by_hand", lang, name=profile.name)
    history, day = profile.origin
    return text("profile_fitted", lang, name=profile.name, history=history, date=day)


def text(key: str, lang: Lang, **fields: object) -> str:
    """The words for `key` in `lang`, with `fields` filled in. Raises KeyError for an unknown
    key or a missing field."""
    return TEXT[key][LANGS.index(lang)].format(**fields)


def describe(plan: "Plan", lang: Lang) -> str:
    """A plan's description in `lang` (`Plan.describe`), or "(no description)"."""
    return plan.describe(lang) or text("no_description", lang)


def label(metric: str, lang: Lang) -> str:
    """A summary metric's label (from the metric registry); an unknown column is shown as it
    is."""
    try:
        return get(metric).label(lang)
    except UnknownMetric:
        return metric
