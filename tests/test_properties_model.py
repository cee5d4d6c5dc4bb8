"""What a strategist's first what-ifs must show (issue: a model a strategist can believe):
demand answers price, need and quality (M19); healthy groups lose members too (M20); floods
are muted (M11); lurkers do not talk (M21); a lever's effect is measured seed by seed."""

import numpy as np
import pytest

from conftest import simulate_many
from experiments.analyses.plausibility import rates
from scenarios.loader import library, load_plan

REPS = 20


def units(overrides, reps=REPS, plan="tuanzhang"):
    summary, daily = simulate_many(plan, reps, overrides)
    return daily.groupby("replicate")["purchases"].sum(), summary


def test_purchases_fall_as_price_rises_and_gmv_peaks_inside_the_range():
    # no pinned market price: tuanzhang's is its price as written, ¥60, whatever --set says
    sold = {m: units([f"economics.price={60 * m}"])[0].median() for m in (0.5, 0.9, 1.0, 1.1, 2.0, 3.0)}
    assert sold[2.0] < 0.5 * sold[1.0]
    assert sold[0.5] > sold[1.0] > sold[2.0] > sold[3.0]
    gmv = {m: n * 60 * m for m, n in sold.items()}
    best = max(gmv, key=gmv.get)
    assert 0.5 < best < 3.0
    elasticity = (np.log(sold[1.1]) - np.log(sold[0.9])) / (np.log(1.1) - np.log(0.9))
    assert -3.0 < elasticity < -1.0


def test_a_discount_works_through_the_price_it_leaves():
    # a 20% discount on a price 25% above the market sells like the market price, no more
    def jielong(discount):
        return f"calendar=[{{kind: jielong, weekday: wed, hour: 10, discount: {discount}}}]"

    marked_up, _ = units(["economics.price=75", jielong(0.2)])
    at_market, _ = units(["economics.price=60", jielong(0)])
    assert marked_up.median() == pytest.approx(at_market.median(), rel=0.15)


def test_jielong_draws_orders_from_a_minority_and_sales_frequency_saturates():
    per_jielong = rates(load_plan("tuanzhang"), replicates=10)["orders_per_jielong"].median()
    assert per_jielong < 0.3
    every_day = "calendar=[{kind: jielong, every_days: 1, hour: 10, discount: 0.1, hours_open: 12}]"
    once_a_week = "calendar=[{kind: jielong, weekday: wed, hour: 10, discount: 0.1, hours_open: 12}]"
    daily_units, _ = units([every_day])
    weekly_units, _ = units([once_a_week])
    assert daily_units.median() > weekly_units.median()
    assert daily_units.median() < 7 * weekly_units.median() * 0.5  # far less than proportional


def test_quality_drives_repeat_sales_complaints_and_leaves():
    good_units, good = units(["economics.quality=0.85"])
    bad_units, bad = units(["economics.quality=0.3"])
    _, good_daily = simulate_many("tuanzhang", REPS, ["economics.quality=0.85"])
    _, bad_daily = simulate_many("tuanzhang", REPS, ["economics.quality=0.3"])
    # bad goods sell about half as much and lose two to three times the members; quality acts
    # through repeat purchases and word of mouth, while newcomers' early leaving (M7) and sales
    # met only by those who open the group (M18) happen whatever the quality
    assert bad_units.median() < 0.6 * good_units.median()
    assert bad_daily.complaint_messages.sum() > good_daily.complaint_messages.sum()
    assert bad_daily.leaves.sum() >= 2 * good_daily.leaves.sum()


@pytest.mark.parametrize("plan", list(library()))
def test_every_library_plan_loses_members(plan):
    _, daily = simulate_many(plan, 10)
    assert daily.groupby("replicate")["leaves"].sum().median() > 0


def test_tuanzhang_weekly_churn_is_in_the_documented_range():
    churn = rates(load_plan("tuanzhang"), replicates=10)["weekly_churn"].median()
    assert 0.003 <= churn <= 0.02  # docs/plausibility.md: 0.3–2% a week


def test_a_flood_is_muted_and_a_calm_plan_is_not():
    flood = ["calendar=[{kind: red_packet, every_days: 1, hour: 20, amount: 50, count: 100},"
             " {kind: checkin, every_days: 1, hour: 8}]", "members.shills=20",
             "members.shills_rest=false", "host.capacity=40", "content.product_share=0.6",
             "group.weeks=4"]
    _, loud = simulate_many("large_start", 10, flood)
    _, calm = simulate_many("large_start", 10, ["group.weeks=4"])
    assert loud[loud.day == 27].muted.median() > 0.1 * loud[loud.day == 27].members.median()
    assert calm[calm.day == 27].muted.median() < 0.02 * calm[calm.day == 27].members.median()


@pytest.mark.parametrize("share", [0.2, 0.5, 0.8])
def test_lurker_share_means_what_it_says(share):
    summary, _ = simulate_many("value_group", 10, [f"members.lurker_share={share}"])
    assert summary.lurker_share.median() >= share - 0.05


def test_talk_is_unequal():
    summary, _ = simulate_many("value_group", 10)
    assert summary.posting_gini.median() > 0.6
    assert summary.top10_share.median() > 0.4


@pytest.mark.parametrize("change", [
    ("economics.price=60", "economics.price=66"),
    ("host.ip_strength=0.85", "host.ip_strength=0.8"),
])
def test_a_lever_change_is_measured_seed_by_seed(change):
    base, _ = simulate_many("tuanzhang", 30, [change[0]])
    other, _ = simulate_many("tuanzhang", 30, [change[1]])
    assert np.corrcoef(base.total_gmv, other.total_gmv)[0, 1] >= 0.8
