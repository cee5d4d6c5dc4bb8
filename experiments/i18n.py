"""Every word a chart, table, report or deck shows, in English and Chinese, and number formats.

Chinese labels use the terms 社群运营 practitioners use (存活率, 成员数, 成交额, 毛利, 激励成本,
活跃发言人数, …); Chinese money reads ¥8,500 below ten thousand and ¥12.3万 / ¥1.2亿 above.
"""

import math
from typing import Literal

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

Unit = Literal["days", "day", "count", "money", "share", "multiple", "score"]

METRICS: dict[str, tuple[str, str, Unit]] = {
    "lifetime_days": ("lifetime", "存活天数", "days"),
    "alive_week12": ("alive at week 12", "第12周存活率", "share"),
    "peak_members": ("peak members", "峰值成员数", "count"),
    "final_members": ("final members", "期末成员数", "count"),
    "units_sold": ("units sold", "销量 (件)", "count"),
    "total_gmv": ("GMV", "成交额 (GMV)", "money"),
    "total_cost": ("incentive cost", "激励成本", "money"),
    "gross_profit": ("gross profit", "毛利", "money"),
    "roi": ("ROI (gross profit ÷ incentive cost)", "投入产出比 (毛利÷激励成本)", "multiple"),
    "referral_joins": ("referral joins", "邀请入群人数", "count"),
    "fission_ratio": ("fission ratio (referral joins per initial member)", "裂变倍增率", "multiple"),
    "lead_conversion": ("lead conversion (joins ÷ candidate pool)", "引流转换率", "share"),
    "activity_rate": ("activity (daily posters ÷ members)", "活跃度", "share"),
    "purchase_conversion": ("purchase conversion (buyers ÷ members)", "成交转化率", "share"),
    "repurchase_rate": ("repurchase rate (repeat buyers ÷ buyers)", "复购率", "share"),
    "lurker_share": ("lurker share", "潜水率", "share"),
    "posting_gini": ("posting inequality (Gini)", "发言集中度 (基尼系数)", "score"),
    "complaint_share": ("complaint share of messages", "投诉消息占比", "share"),
    "spam_share": ("spam share of messages", "广告刷屏占比", "share"),
    "trust_end_all": ("trust at end (0–1, all who were members)", "期末信任度 (0–1)", "score"),
    "budget_exhausted_day": ("budget ran out on", "预算耗尽日", "day"),
    "skipped_money_items": ("paid items skipped (no budget)", "因预算不足跳过的发放", "count"),
}
"""Summary metric -> (English label, Chinese label, unit)."""

REVIEW_METRICS = ("lead_conversion", "activity_rate", "purchase_conversion", "repurchase_rate",
                  "fission_ratio")
"""The 复盘 metrics of seed 003 that the outputs define (docs/metrics.md), in its order."""

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
    "cumulative_profit": ("Cumulative gross profit", "累计毛利"),
    "money_axis": ("yuan", "元"),
    "weekly_posters": ("Weekly active posters", "每周活跃发言人数"),
    "posters_axis": ("members who talked (conversation) that week", "当周聊过天的成员数"),
    "trust": ("Mean trust of current members", "现有成员平均信任度"),
    "trust_axis": ("mean trust (0–1)", "平均信任度 (0–1)"),
    "sentiment": ("Mean sentiment of current members", "现有成员平均情绪"),
    "sentiment_axis": ("mean sentiment", "平均情绪"),
    # tables, report and deck
    "metric": ("metric", "指标"),
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
    "paired_note": ("Δ rows: per-seed difference from {base}, the first plan (every plan met the "
                    "same seeds), median over seeds.",
                    "Δ 行：与第一个方案 {base} 逐个随机种子的差值 (各方案使用相同种子)，取中位数。"),
    "review_note": ("引流转换率 joins ÷ candidate pool; 活跃度 mean daily unprompted posters ÷ "
                    "members; 成交转化率 members who bought ÷ all who were members; 复购率 buyers "
                    "who bought twice or more ÷ buyers; 裂变倍增率 referral joins ÷ initial "
                    "members. 复制成功率 needs portfolios of groups: not computed. "
                    "See docs/metrics.md.",
                    "引流转换率＝入群人数÷候选池人数；活跃度＝每日主动发言人数÷成员数 (日均)；"
                    "成交转化率＝下单成员÷全部入过群的成员；复购率＝下单两次及以上的成员÷下单成员；"
                    "裂变倍增率＝邀请入群人数÷初始成员数。复制成功率需要多群组合，暂不计算。"
                    "定义见 docs/metrics.md。"),
    "report_title": ("groupsim report", "groupsim 模拟报告"),
    "deck_title": ("Group plan simulation", "社群方案模拟"),
    "reading": ("Reading", "解读"),
    "plans": ("Plans", "方案"),
    "charts": ("Charts", "图表"),
    "meta": ("{plans} plan(s); {replicates} runs per plan, seeds {first}–{last}; {date}",
             "{plans} 个方案；每个方案 {replicates} 次模拟，随机种子 {first}–{last}；{date}"),
    "no_description": ("(no description)", "(无说明)"),
    # reading
    "alive_at": ("alive at week {week} in {k} of {n} runs ({share})",
                 "第 {week} 周仍存活：{n} 次中 {k} 次 ({share})"),
    "alive_end": ("alive at the end of its {weeks}-week horizon in {k} of {n} runs ({share})",
                  "{weeks} 周结束时仍存活：{n} 次中 {k} 次 ({share})"),
    "profit_reading": ("median gross profit over {weeks} weeks {value} (10–90%: {low} to {high}), "
                       "on GMV {gmv} and incentive cost {cost}",
                       "{weeks} 周毛利中位数 {value} (10–90%：{low} 至 {high})，"
                       "成交额 {gmv}，激励成本 {cost}"),
    "paired_reading": ("Against {base}, seed by seed: {items}.",
                       "与 {base} 逐个种子配对比较：{items}。"),
    "paired_item": ("{label} {median} (10–90%: {low} to {high})",
                    "{label} {median} (10–90%：{low} 至 {high})"),
    "alive_row": ("alive at week {week} (share of runs)", "第 {week} 周存活率"),
    "survival_word": ("Survival", "存活率"),
    "profit_word": ("Gross profit", "毛利"),
    "warning_word": ("Warning", "注意"),
    "budget_warning": ("Warning: the budget ran out in {k} of {n} runs (median day {day}); "
                       "a median of {skipped} paid items (red packets, draws, rewards) were "
                       "skipped per run.",
                       "注意：预算在 {n} 次模拟中的 {k} 次耗尽 (中位数：第 {day} 天)；"
                       "每次模拟中位数跳过 {skipped} 次发钱活动 (红包、抽奖、奖励)。"),
    "lead_survival": ("Survival: {who}, alive at week {week} in {best} of runs; "
                      "next is {runner} ({next}).",
                      "存活率：{who}，第 {week} 周存活率 {best}；其次是 {runner} ({next})。"),
    "lead_profit": ("Gross profit: {who} with a median {best}; next is {runner} ({next}).",
                    "毛利：{who}，中位数 {best}；其次是 {runner} ({next})。"),
    "one_leads": ("{names} leads", "{names} 领先"),
    "level": ("{what}: all plans are level.", "{what}：各方案持平。"),
    "noise": ("With {n} runs per plan a survival share moves in steps of {step}; treat a gap of "
              "a step or two as noise. Every plan met the same seeds.",
              "每个方案 {n} 次模拟，存活率以 {step} 为一档变化，一两档的差距视为噪声。"
              "所有方案使用相同的随机种子。"),
    "and": (" and ", "和"),
    "share_lead": ("{names} share the lead", "{names} 并列领先"),
    "list_sep": ("; ", "；"),
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


def text(key: str, lang: Lang, **fields: object) -> str:
    """The words for `key` in `lang`, with `fields` filled in."""
    return TEXT[key][LANGS.index(lang)].format(**fields)


def label(metric: str, lang: Lang) -> str:
    """A summary metric's name; an unknown column is shown as it is."""
    return METRICS[metric][LANGS.index(lang)] if metric in METRICS else metric


def unit(metric: str) -> Unit | None:
    return METRICS[metric][2] if metric in METRICS else None


def money(value: float, lang: Lang, signed: bool = False) -> str:
    """Yuan: ¥12,345 in English; ¥8,500, ¥12.3万, ¥1.2亿 in Chinese."""
    if math.isnan(value):
        return "–"
    sign = ("+" if signed and value > 0 else "") + ("−" if value < 0 else "")
    v = abs(value)
    if lang == "zh" and v >= 1e8:
        return f"{sign}¥{v / 1e8:.1f}亿"
    if lang == "zh" and v >= 1e4:
        return f"{sign}¥{v / 1e4:.1f}万"
    return f"{sign}¥{v:,.0f}"


def format_value(metric: str, value: float, lang: Lang = "en", signed: bool = False) -> str:
    """A metric's value with its unit; `signed` for differences (+3 days, −¥1,200, +5 pp)."""
    if value is None or math.isnan(value):
        return "–"
    kind = unit(metric)
    if kind == "money":
        return money(value, lang, signed)
    plus = "+" if signed and value > 0 else ""
    minus = "−" if value < 0 else ""
    v = abs(value)
    if kind == "share" and signed:
        return f"{plus}{minus}{v * 100:.0f}" + (" pp" if lang == "en" else " 个百分点")
    if kind == "share":
        return f"{minus}{v:.1%}" if 0 < v < 0.1 else f"{minus}{v:.0%}"
    if kind == "days":
        return f"{plus}{minus}{v:,.0f}" + (" days" if lang == "en" else " 天")
    if kind == "day":
        return f"day {v:.0f}" if lang == "en" else f"第 {v:.0f} 天"
    if kind == "count":
        if lang == "zh" and v >= 1e4:
            return f"{plus}{minus}{v / 1e4:.1f}万"
        return f"{plus}{minus}{v:,.0f}"
    if kind == "multiple":
        return f"{plus}{minus}{v:.2f}×"
    return f"{plus}{minus}{v:.2f}"


def percent(share: float) -> str:
    return "–" if math.isnan(share) else f"{share:.0%}"
