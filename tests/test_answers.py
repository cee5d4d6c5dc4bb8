"""The answer first: who wins each question, by how much against the baseline, how sure; a plan
leads only when its paired interval against the next excludes zero."""

import re

import numpy as np
import pandas as pd
import pytest

from experiments.outputs.answers import answers, chart_title, choose_baseline, finding
from experiments.running.paired import pair, paired_differences
from experiments.running.storage import Results
from scenarios.loader import load_plan

SEEDS = 20


def _summary(**plans: dict[str, np.ndarray]) -> pd.DataFrame:
    rows = []
    for name, columns in plans.items():
        for seed in range(SEEDS):
            row = {"plan": name, "replicate": seed, "seed": seed, "lifetime_days": 84,
                   "alive_at_end": True, "total_gmv": 0.0, "gross_profit": 0.0,
                   "total_cost": 0.0, "final_members": 100, "horizon_days": 84}
            row.update({k: v[seed] for k, v in columns.items()})
            rows.append(row)
    return pd.DataFrame(rows)


def _results(summary: pd.DataFrame, baseline: str | None = None) -> Results:
    names = list(dict.fromkeys(summary["plan"]))
    plans = [load_plan("small_start").model_copy(update={"name": n}) for n in names]
    return Results(plans, pd.DataFrame(), summary, pd.DataFrame(),
                   paired=paired_differences(summary, baseline))


def test_pair_interval_excludes_zero_only_for_a_consistent_difference():
    rng = np.random.default_rng(0)
    base = pd.Series(rng.normal(0, 100, SEEDS))
    better = pair(base + 50 + rng.normal(0, 5, SEEDS), base, "gross_profit")
    assert better.decided and better.low > 0 and better.ahead == SEEDS and better.behind == 0
    noisy = pair(base + rng.normal(0, 100, SEEDS), base, "gross_profit")
    assert not noisy.decided and noisy.low < 0 < noisy.high
    same = pair(base, base, "gross_profit")
    assert (same.difference, same.low, same.high, same.decided) == (0, 0, 0, False)


def test_plans_all_dead_are_level_not_a_lead_at_zero():
    """The old reading said "X leads, alive in 0% of runs; next is Y (0%)"."""
    dead = {"lifetime_days": np.full(SEEDS, 5)}
    results = _results(_summary(a=dead, b=dead))
    text = dict(answers(results, "en"))["Survives?"]
    assert text.startswith("All plans are level: alive at week 12 in 0% of runs")
    assert "leads" not in text


def test_a_plan_leads_with_its_difference_interval_and_seed_count():
    profit = np.linspace(1000, 3000, SEEDS)
    results = _results(_summary(base={"gross_profit": profit},
                                better={"gross_profit": profit + 4200}))
    text = dict(answers(results, "en"))["Profits?"]
    assert text.startswith("better leads (median gross profit ¥6,200): +¥4,200 against base")
    assert "ahead on 20 of 20 paired seeds, behind on 0" in text
    zh = dict(answers(results, "zh"))["赚钱吗？"]
    assert "比 base 高 ¥4,200" in zh and "20 个配对种子中 20 个领先" in zh
    f = finding(results.summary, "gross_profit", "base")
    assert chart_title("cumulative_profit", f, "zh", results) == \
        "better：12 周毛利 (中位数) 比 base 高 ¥4,200"


def test_a_difference_and_its_interval_share_one_form_in_chinese():
    """"高 ¥1.3万 (90% 区间 ¥1.3万 至 ¥1.3万)" hid an interval of 12,600 to 13,400."""
    profit = np.linspace(1000, 3000, SEEDS)
    results = _results(_summary(base={"gross_profit": profit},
                                better={"gross_profit": profit + np.linspace(12_600, 13_400,
                                                                             SEEDS)}))
    zh = dict(answers(results, "zh"))["赚钱吗？"]
    found = re.search(r"高 ¥(\d\.\d\d)万 \(90% 区间 \+¥(\d\.\d\d)万 至 \+¥(\d\.\d\d)万\)", zh)
    assert found, zh
    diff, low, high = map(float, found.groups())
    assert low < diff < high


def test_a_noisy_difference_is_level_and_says_so():
    rng = np.random.default_rng(1)
    profit = rng.normal(0, 1000, SEEDS)
    results = _results(_summary(base={"gross_profit": profit},
                                other={"gross_profit": profit + rng.normal(0, 1000, SEEDS)}))
    text = dict(answers(results, "en"))["Profits?"]
    assert " are level (" in text and "leads" not in text


def test_the_baseline_can_lead_and_the_cost_is_read_for_the_profit_plan():
    profit = np.linspace(1000, 3000, SEEDS)
    results = _results(_summary(base={"gross_profit": profit + 500, "total_cost": profit},
                                worse={"gross_profit": profit, "total_cost": profit + 100}))
    found = dict(answers(results, "en"))
    assert found["Profits?"].startswith("The baseline base leads")
    assert "−¥500 against base" in found["Profits?"]
    assert found["At what cost?"] == ("base, the baseline, profits most: median incentive cost "
                                      "¥2,000; worse ¥2,100.")


def test_choose_baseline_says_why_and_refuses_an_unknown_plan():
    summary = _summary(a={}, b={"gross_profit": np.ones(SEEDS)})
    results = _results(summary)
    assert choose_baseline(results)[1] == "why_first"
    rebased, why = choose_baseline(results, "b")
    assert why == "why_named" and rebased.baseline == "b"
    assert set(rebased.paired["plan"]) == {"a"}
    assert choose_baseline(_results(summary, "b"))[1] == "why_named"  # compare --baseline b
    with pytest.raises(ValueError, match="--baseline c is not one of the compared plans: a, b"):
        choose_baseline(results, "c")


def test_survival_names_its_newcombe_interval_and_money_its_bootstrap_interval():
    alive = np.arange(SEEDS) < 15  # 75 % alive against 0 %
    results = _results(_summary(base={"lifetime_days": np.full(SEEDS, 5)},
                                lives={"lifetime_days": np.where(alive, 84, 5),
                                       "gross_profit": np.linspace(100, 300, SEEDS)}))
    found = dict(answers(results, "en"))
    assert "(95% interval" in found["Survives?"] and "90%" not in found["Survives?"]
    assert "(90% interval" in found["Profits?"]
    assert "(95% 区间" in dict(answers(results, "zh"))["能活下来吗？"]
