"""The answer first: per question (survives? sells? profits? at what cost?) which plan wins, by how
much against the baseline and how sure, in one sentence each, in English or Chinese; and the
finding each chart slide states as its title.

Every statement comes from paired seeds (`experiments.running.paired.pair`): plans are ranked by
their median over runs (shares: by the share), and the first "leads" only when its paired
interval against the second excludes zero; otherwise the two are level. "How sure" is the
number of paired seeds on which the winner is ahead of (and behind) the baseline.
"""

from dataclasses import dataclass, replace

import pandas as pd

from experiments.outputs.formatting import MINUS, format_value, number, together
from experiments.outputs.i18n import Lang, text
from experiments.running.metrics import ALIVE_WEEK, Unit, get
from experiments.running.paired import (
    CONFIDENCE,
    SHARE_CONFIDENCE,
    Pair,
    check_baseline,
    is_share,
    pair,
    paired_differences,
    per_seed,
)
from experiments.running.storage import Results
from scenarios.loader import library

QUESTIONS = ("survives", "sells", "profits", "cost")
"""The summary's questions, in order; `cost` is asked of the plan that answers `profits` (the
best on gross profit, leading or level)."""
SURVIVAL_WEEK = 12
"""Survival is read at this week, or at the shortest horizon when a plan is shorter."""


@dataclass(frozen=True)
class Finding:
    """Plans ranked on one metric (`values`: median over runs, or share), best first; `unit`
    formats its values (`formatting.number`).

    `versus_runner` is best − runner, `against` best − baseline (None when the best is the
    baseline); `alike` is True when every plan has the same value on every seed; `level` the
    best and the plans whose paired interval against it includes zero, `level_alike` True
    when those have the same value on every seed.
    """

    metric: str
    unit: Unit
    values: pd.Series
    baseline: str
    versus_runner: Pair | None
    against: Pair | None
    alike: bool
    level: tuple[str, ...]
    level_alike: bool

    @property
    def best(self) -> str:
        return str(self.values.index[0])

    @property
    def runner(self) -> str | None:
        return str(self.values.index[1]) if len(self.values) > 1 else None

    @property
    def leads(self) -> bool:
        return self.versus_runner is not None and self.versus_runner.decided


def finding(table: pd.DataFrame, metric: str, baseline: str, unit: Unit | None = None) -> Finding:
    """Rank the plans of `table` (columns plan, seed and `metric`, or a summary for
    `alive_weekN`) on `metric`, higher first (ties keep plan order). A registered summary
    metric brings its unit and aggregate from the registry; another column (a daily count)
    names its `unit` and is ranked by its median. Raises `UnknownMetric` for an unregistered
    metric without `unit`."""
    wide = per_seed(table, metric)
    share = is_share(metric)
    values = (wide.mean() if share else wide.median()).sort_values(ascending=False, kind="stable")
    best = values.index[0]
    runner = values.index[1] if len(values) > 1 else None
    level = [best, *(p for p in values.index[1:] if not pair(wide[best], wide[p], metric).decided)]
    return Finding(
        metric=metric,
        unit=unit or get(metric).unit,
        values=values,
        baseline=baseline,
        versus_runner=None if runner is None else pair(wide[best], wide[runner], metric),
        against=None if best == baseline else pair(wide[best], wide[baseline], metric),
        alike=bool((wide.nunique(axis=1, dropna=False) == 1).all()),
        level=tuple(str(p) for p in level),
        level_alike=bool((wide[level].nunique(axis=1, dropna=False) == 1).all()),
    )


def survival_week(results: Results) -> int:
    """The week survival is read at: `SURVIVAL_WEEK`, or the shortest horizon."""
    return min(SURVIVAL_WEEK, *(plan.group.weeks for plan in results.plans))


def horizon_weeks(results: Results) -> int:
    """The shortest horizon of the plans, in weeks (what "12-week profit" reads)."""
    return min(plan.group.weeks for plan in results.plans)


def choose_baseline(results: Results, baseline: str | None = None) -> tuple[Results, str]:
    """`results` with `paired` against `baseline`, and why that plan is the baseline (an `i18n`
    key): named (`baseline` given, or a compare run with --baseline), else the first plan named,
    or for the whole library the first library plan in name order.

    Without `baseline` the one of `results.paired` (the compare's) is kept. Raises ValueError
    when `baseline` is not one of the plans.
    """
    names = [plan.name for plan in results.plans]
    stored = results.baseline if len(names) > 1 else None
    chosen = check_baseline(baseline or stored, names)
    if baseline is not None or chosen != names[0]:
        why = "why_named"
    else:
        why = "why_library" if names == list(library()) else "why_first"
    if len(names) > 1 and chosen != stored:
        results = replace(results, paired=paired_differences(results.summary, chosen))
    return results, why


def question_findings(results: Results) -> dict[str, Finding]:
    """The findings of survives, sells and profits, against `results.baseline`."""
    summary, baseline = results.summary, results.baseline
    return {
        "survives": finding(summary, f"alive_week{survival_week(results)}", baseline),
        "sells": finding(summary, "total_gmv", baseline),
        "profits": finding(summary, "gross_profit", baseline),
    }


# --- words: every number goes through `formatting.number` in the finding's unit


NAMES_SHOWN = 4
"""A list of level plans names this many, then says how many more."""


def _unsigned(shown: str) -> str:
    """A formatted difference without its sign: "45 pp" from "+45 pp", "¥4.2万" from "−¥4.2万"."""
    return shown.lstrip("+" + MINUS)


def _size(unit: Unit, value: float, lang: Lang) -> str:
    """A difference's size without its sign ("45 pp", "¥4.2万")."""
    return _unsigned(number(value, unit, lang, signed=True))


def _diff(shown: str, value: float, lang: Lang) -> str:
    """A difference `value`, formatted signed as `shown`: so in English (+¥1,200), 高/低 in
    Chinese (高 ¥1,200)."""
    if lang == "en":
        return shown
    return text("same", lang) if value == 0 else text(
        "higher" if value > 0 else "lower", lang, size=_unsigned(shown))


def _names(names: list[str], lang: Lang) -> str:
    """"a, b and c" / "a、b 和 c"; beyond `NAMES_SHOWN`, "a, b, c and 3 more"."""
    if len(names) > NAMES_SHOWN:
        return text("names_more", lang, names=text("name_sep", lang).join(names[:NAMES_SHOWN - 1]),
                    n=len(names) - NAMES_SHOWN + 1)
    return text("names_and", lang, names=text("name_sep", lang).join(names[:-1]), last=names[-1])


def _phrase(f: Finding, plan: str, lang: Lang, week: int) -> str:
    key = "alive_week" if ALIVE_WEEK.fullmatch(f.metric) else f.metric
    return text(f"phrase_{key}", lang, week=week, value=number(f.values[plan], f.unit, lang))


def _confidence(unit: Unit) -> float:
    """Newcombe's interval for a share's difference, the bootstrap's for a median difference."""
    return SHARE_CONFIDENCE if unit == "share" else CONFIDENCE


def _against(unit: Unit, p: Pair, base: str, lang: Lang, key: str = "against_base") -> str:
    """"+¥9,194 against base (90% interval …), ahead on 10 of 10 paired seeds, behind on 0";
    the difference and its interval in one form (`formatting.together`)."""
    diff, low, high = together([p.difference, p.low, p.high], unit, lang, signed=True)
    interval = (text("every_seed", lang) if p.low == p.high else
                text("interval", lang, pct=round(100 * _confidence(unit)), low=low, high=high))
    return text(key, lang, diff=_diff(diff, p.difference, lang), base=base,
                interval=interval, ahead=p.ahead, behind=p.behind, n=p.n)


def sentence(f: Finding, lang: Lang, week: int) -> str:
    """One sentence: who leads (or which plans are level), by how much against the baseline
    and on how many paired seeds."""
    best, runner, base = f.best, f.runner, f.baseline
    phrase = _phrase(f, best, lang, week)
    if runner is None:
        return text("answer_one", lang, best=best, phrase=phrase)
    if f.alike:
        return text("answer_alike", lang, phrase=phrase)
    if f.leads and f.against is not None:
        return text("answer_lead", lang, best=best, phrase=phrase,
                    against=_against(f.unit, f.against, base, lang))
    if f.leads:  # the baseline leads: how far the next plan is behind it
        v = f.versus_runner
        behind = Pair(-v.difference, -v.high, -v.low, v.behind, v.ahead, v.n)
        return text("answer_base_leads", lang, base=base, runner=runner, phrase=phrase,
                    against=_against(f.unit, behind, base, lang))
    names = _names(list(f.level), lang)
    if f.level_alike:
        level = text("answer_level_alike", lang, names=names, phrase=phrase)
    else:
        level = text("answer_level", lang, names=names, best=best, phrase=phrase,
                     pct=round(100 * _confidence(f.unit)))
    if f.against is None:
        return level + text("stop", lang)
    return level + text("answer_level_base", lang, best=best,
                        against=_against(f.unit, f.against, base, lang))


def cost_sentence(summary: pd.DataFrame, plan: str, baseline: str, lang: Lang) -> str:
    """The median incentive cost of `plan` (the one that answers "profits") and its paired
    difference from the baseline's; when `plan` is the baseline, the other plans' medians."""
    wide = per_seed(summary, "total_cost")
    median = format_value("total_cost", wide[plan].median(), lang)
    phrase = text("phrase_total_cost", lang, value=median)
    if plan == baseline:
        others = (("、" if lang == "zh" else ", ").join(
            f"{p} {format_value('total_cost', wide[p].median(), lang)}"
            for p in wide.columns if p != baseline))
        return text("cost_base", lang, base=baseline, phrase=phrase, others=others)
    p = pair(wide[plan], wide[baseline], "total_cost")
    if p.ahead == p.behind == 0:
        return text("cost_same", lang, plan=plan, phrase=phrase, base=baseline)
    against = _against(get("total_cost").unit, p, baseline, lang, "cost_against")
    return text("cost_plan", lang, plan=plan, phrase=phrase, against=against)


def answers(results: Results, lang: Lang) -> list[tuple[str, str]]:
    """(question, sentence) for each of `QUESTIONS`, against `results.baseline`."""
    baseline = results.baseline
    findings = question_findings(results)
    week = survival_week(results)
    out = [(text(f"q_{q}", lang), sentence(findings[q], lang, week)) for q in QUESTIONS[:3]]
    out.append((text("q_cost", lang),
                cost_sentence(results.summary, findings["profits"].best, baseline, lang)))
    return out


# --- chart findings: the title of each chart slide


def chart_findings(results: Results) -> dict[str, Finding]:
    """The finding each run chart states, by chart name (`run_charts`)."""
    baseline = results.baseline
    weeks = horizon_weeks(results)
    days = results.daily[results.daily["day"] == 7 * weeks - 1]
    seeds = results.summary[["plan", "replicate", "seed"]]
    last = days.merge(seeds, on=["plan", "replicate"])
    found = question_findings(results)
    return {
        "survival": found["survives"],
        "members": finding(results.summary, "final_members", baseline),
        "weekly_gmv": found["sells"],
        "weekly_profit": found["profits"],
        "cumulative_profit": found["profits"],
        **{name: finding(last[["plan", "seed", column]], column, baseline, unit=unit)
           for name, column, unit in (("weekly_posters", "weekly_posters", "count"),
                                      ("trust", "mean_trust", "score"),
                                      ("sentiment", "mean_sentiment", "score"))},
    }


def chart_title(name: str, f: Finding, lang: Lang, results: Results) -> str:
    """The finding of run chart `name` (`chart_findings`) as its title (`finding_title`)."""
    what = text(f"what_{name}", lang, week=survival_week(results), weeks=horizon_weeks(results))
    return finding_title(f, what, lang)


def finding_title(f: Finding, what: str, lang: Lang) -> str:
    """A finding on `what` ("12-week GMV (median)") as a chart's title: who is ahead of whom by
    how much, who is level, or the one plan's value."""
    if f.runner is None:
        return text("title_one", lang, what=what, best=f.best,
                    value=number(f.values.iloc[0], f.unit, lang))
    if f.alike:
        return text("title_alike", lang, what=what, value=number(f.values.iloc[0], f.unit, lang))
    if not f.leads:
        return text("title_level", lang, what=what, names=_names(list(f.level), lang))
    if f.against is not None:
        return text("title_lead", lang, what=what, best=f.best, base=f.baseline,
                    size=_size(f.unit, f.against.difference, lang))
    return text("title_base_leads", lang, what=what, base=f.baseline, runner=f.runner,
                size=_size(f.unit, f.versus_runner.difference, lang))
