import math

import pandas as pd

from scenarios.loader import load_plan
from sim.review import review_metrics
from sim.run import simulate


def _members(purchases: list[int], joined: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"purchases": purchases, "joined_hour": joined})


def test_definitions_on_a_hand_made_group():
    plan = load_plan("tuanzhang", ["pool.size=40"])
    daily = pd.DataFrame({"members": [10, 10, 0], "active_posters": [5, 2, 0]})
    members = _members([0, 1, 2, 3, 0], [-1, -1, 5, 30, 40])  # two initial, three joins
    review = review_metrics(daily, members, plan)
    assert review["lead_conversion"] == 3 / 40
    assert review["activity_rate"] == (0.5 + 0.2) / 2  # days without members are left out
    assert review["purchase_conversion"] == 3 / 5
    assert review["repurchase_rate"] == 2 / 3


def test_undefined_metrics_are_empty_not_zero():
    plan = load_plan("tuanzhang", ["pool.size=0"])
    daily = pd.DataFrame({"members": [0, 0], "active_posters": [0, 0]})
    review = review_metrics(daily, _members([0, 0], [-1, -1]), plan)
    assert math.isnan(review["lead_conversion"])
    assert math.isnan(review["activity_rate"])
    assert review["purchase_conversion"] == 0
    assert math.isnan(review["repurchase_rate"])


def test_simulate_puts_review_metrics_in_the_summary():
    result = simulate(load_plan("tuanzhang", ["group.weeks=2"]), seed=1)
    for column in ("lead_conversion", "activity_rate", "purchase_conversion", "repurchase_rate"):
        value = result.summary[column]
        assert math.isnan(value) or 0.0 <= value <= 1.0, column
    buyers = (result.members["purchases"] > 0).mean()
    assert result.summary["purchase_conversion"] == buyers
