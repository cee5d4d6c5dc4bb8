"""What strategists ask about hour, money, newcomers, invitations and fees (issue 13, items 2-6).

Each test is written from the question as a user asked it, over 20 paired replicates on seeds
9000-9019 (used by no other test), and checks medians or shares of replicates.
"""

import numpy as np
import pandas as pd
import pytest

from conftest import simulate_many
from scenarios.loader import load_plan
from sim.run import simulate

REPS, SEED = 20, 9000


def packet(hour, amount=50, when="weekday: tue", extra=""):
    return f"calendar=[{{kind: red_packet, {when}, hour: {hour}, amount: {amount}, count: 20{extra}}}]"


def conversation(t):
    return t.real_messages - t.prompted_messages - t.jielong_entries


def per_replicate(t, values):
    return values.groupby(t.replicate).sum()


# ---- the hour of an event (item 2) ---------------------------------------------------------
@pytest.fixture(scope="module")
def weekly_packet():
    """value_group with a weekly ¥50 red packet at 03:00, at 20:00, and without one (hourly)."""
    return {hour: simulate_many("value_group", REPS, [packet(hour)] if hour is not None else [],
                                seed=SEED, hourly=True)[1]
            for hour in (3, 20, None)}


def window(hourly, hour, hours=24):
    """Rows of the `hours` hours from each weekly firing (days 1, 8, ...)."""
    h = hourly.hour.values
    sel = np.zeros(len(hourly), dtype=bool)
    for day in range(1, 84, 7):
        sel |= (h >= day * 24 + hour) & (h < day * 24 + hour + hours)
    return hourly[sel]


def test_a_night_packet_is_grabbed_over_the_morning_an_evening_one_at_once(weekly_packet):
    for hour, most, least in ((3, 0.0, 0.4), (20, 0.9, 1.0)):
        t = weekly_packet[hour]
        in_hour = per_replicate(t, t.incentive_cost.where(t.hour % 24 == hour, 0.0))
        share = in_hour / per_replicate(t, t.incentive_cost)
        assert most <= share.median() <= least, (hour, share.median())
    # a night packet still goes, over the following hours
    night = weekly_packet[3]
    assert per_replicate(night, night.incentive_cost).median() >= 0.9 * 12 * 50


def test_a_night_packet_draws_fewer_thanks_and_less_talk(weekly_packet):
    thanks = {h: per_replicate(t, t.prompted_messages) for h, t in weekly_packet.items() if h}
    assert (thanks[20] > thanks[3]).mean() >= 0.8
    assert (thanks[20] / thanks[3]).median() > 1.3
    none = weekly_packet[None]
    extra = {h: per_replicate(window(weekly_packet[h], h), conversation(window(weekly_packet[h], h)))
             - per_replicate(window(none, h), conversation(window(none, h))) for h in (3, 20)}
    assert extra[20].median() > extra[3].median()
    assert (extra[20] - extra[3]).median() > 0


def test_a_flash_sale_at_night_sells_less_than_at_noon():
    gmv = {hour: simulate_many("tuanzhang", REPS, [f"calendar[flash_sale].hour={hour}",
                                                    "calendar[flash_sale].preheat_red_packet=0"],
                               seed=SEED)[0].total_gmv
           for hour in (3, 12)}
    assert (gmv[12] - gmv[3]).median() > 0
    assert (gmv[12] > gmv[3]).mean() >= 0.75


# ---- the size of the money (item 3) --------------------------------------------------------
@pytest.fixture(scope="module")
def daily_packets():
    return {amount: simulate_many("value_group", REPS,
                                  [packet(20, amount, "every_days: 1")], seed=SEED)[1]
            for amount in (10, 50, 200)}


def test_bigger_packets_draw_more_thanks_with_diminishing_returns(daily_packets):
    thanks = {a: per_replicate(d, d.prompted_messages).median() for a, d in daily_packets.items()}
    assert thanks[10] < thanks[50] < thanks[200]
    assert thanks[200] < 4 * thanks[10]  # twenty times the money, not twenty times the thanks


def test_bigger_packets_crowd_out_unpaid_talk(daily_packets):
    talk = {a: per_replicate(d, conversation(d)) for a, d in daily_packets.items()}
    assert (talk[200] - talk[10]).median() < 0  # M5: paid motive in, unpaid motive eroded


def test_a_bigger_night_packet_is_grabbed_faster():
    def by_seven(amount):
        _, t = simulate_many("value_group", REPS, [packet(3, amount)], seed=SEED, hourly=True)
        early = t.incentive_cost.where(((t.hour % 24) >= 3) & ((t.hour % 24) < 7), 0.0)
        return per_replicate(t, early) / per_replicate(t, t.incentive_cost)

    small, big = by_seven(10), by_seven(200)
    assert (big - small).median() > 0


def test_bigger_packets_leave_a_bigger_crowding_out_when_they_stop():
    def talk_after(amount):
        _, d = simulate_many("value_group", REPS,
                             [packet(20, amount, "every_days: 1", ", end_day: 27")], seed=SEED)
        later = d[d.day >= 42]
        return per_replicate(later, conversation(later))

    assert (talk_after(200) - talk_after(10)).median() < 0


# ---- newcomers (item 4) --------------------------------------------------------------------
def weekly_hazard(members, hours, tenure_weeks, calendar_weeks=(5, 12)):
    """Leaves per member-week among members who joined after day 0, at the given tenure (weeks)
    and inside the given calendar weeks, so the group's own age is not mistaken for tenure."""
    m = members[members.joined_hour > 0]
    join = m.joined_hour.to_numpy(float)
    gone = m.left_hour.to_numpy() >= 0
    left = np.where(gone, m.left_hour.to_numpy(float), hours)
    lo = np.maximum(join + tenure_weeks[0] * 168, calendar_weeks[0] * 168)
    end = np.minimum(join + tenure_weeks[1] * 168, calendar_weeks[1] * 168)
    exposure = np.clip(np.minimum(left, end) - lo, 0, None).sum() / 168
    return (gone & (left >= lo) & (left < end)).sum() / exposure


@pytest.mark.parametrize("plan", ["tuanzhang", "value_group"])
def test_newcomers_are_the_most_likely_to_leave(plan):
    from scenarios.loader import load_plan
    from sim.run import simulate

    members = pd.concat([simulate(load_plan(plan), SEED + r).members for r in range(REPS)])
    new = weekly_hazard(members, 84 * 24, (0, 2))
    settled = weekly_hazard(members, 84 * 24, (5, 7))
    assert new > 2 * settled, (new, settled)


# ---- invitations (item 5) ------------------------------------------------------------------
def first_invitation_days(plan, overrides=()):
    p = load_plan(plan, list(overrides))
    lags, joins = [], []
    for r in range(REPS):
        res = simulate(p, SEED + r)
        m = res.members
        first = m[m.invited_by >= 0].groupby("invited_by").joined_hour.min()
        joined = m.set_index("slot").joined_hour.clip(lower=0)
        inviters = first.index.intersection(joined.index)
        lags.extend((first[inviters] - joined[inviters]) / 24)
        joins.append(res.summary["referral_joins"])
    return np.array(lags), np.median(joins)


REWARDS = ["growth.referral_reward_referrer=10", "growth.referral_reward_referee=5"]


@pytest.mark.parametrize("plan, overrides, joins_before", [
    ("value_group", REWARDS, 356),  # referral joins on these seeds before the change
    ("tuanzhang", REWARDS, 289),
    ("xiaomei_launch", [], 450),
])
def test_new_members_invite_early_without_cutting_later_invitations(plan, overrides, joins_before):
    lags, joins = first_invitation_days(plan, overrides)
    assert np.percentile(lags, 80) <= 5.0  # Qiu et al. 2016: 80 % within about five days
    assert abs(joins - joins_before) <= 0.15 * joins_before


def test_without_rewards_first_invitations_still_come_in_the_first_week_or_so():
    lags, _ = first_invitation_days("value_group")
    assert np.percentile(lags, 80) <= 10.0  # was 60-70 days: members invited whenever


def test_without_rewards_total_referral_joins_stay_about_where_they_were():
    # value_group's referral joins are heavy-tailed (one cascade can double a replicate), so the
    # mean over 50 seeds; with the flat urge it was 45.3 on these seeds. The docs (M13) say why a
    # group whose members invite out of slowly grown satisfaction loses about a quarter.
    plan = load_plan("value_group")
    joins = [simulate(plan, SEED + r).summary["referral_joins"] for r in range(50)]
    assert 0.6 * 45.3 <= np.mean(joins) <= 1.2 * 45.3


# ---- fees (item 6) -------------------------------------------------------------------------
@pytest.mark.parametrize("plan, most_kept", [("tuanzhang", 0.4), ("value_group", 0.65)])
def test_a_fifty_yuan_fee_filters_by_willingness_to_pay(plan, most_kept):
    free, _ = simulate_many(plan, REPS, ["growth.fee=0"], seed=SEED)
    fee, _ = simulate_many(plan, REPS, ["growth.fee=50"], seed=SEED)
    # docs/model.md M16: ¥50 should cut a fruit group's joins by two thirds to four fifths,
    # a job-referral group's (members who care more) by about half
    assert fee.referral_joins.median() <= most_kept * free.referral_joins.median()
    assert fee.referral_joins.median() > 0
