"""Each mechanism M1-M18 moves outcomes the right way against a control (same seeds)."""

import numpy as np

from conftest import simulate_many
from scenarios.loader import load_plan
from agents import Regular, Shill
from sim import codes
from sim.core import open_chance
from sim.joins import entry_filter, join_chance, share_weight
from sim.money import felt
from sim.constants import CONSTANTS
from sim.model import GroupModel

REPS = 10


def week(daily, column, first_day, days=7):
    part = daily[(daily.day >= first_day) & (daily.day < first_day + days)]
    return part.groupby("replicate")[column].sum().median()


def test_m1_critical_mass_larger_groups_talk_more_per_member():
    small, ds = simulate_many("small_start", REPS, ["group.weeks=2"])
    large, dl = simulate_many("large_start", REPS, ["group.weeks=2"])
    per_member = lambda d: (d.active_posters / d.members).groupby(d.replicate).mean().median()
    assert per_member(dl) > 1.5 * per_member(ds)


def test_m2_value_keeps_members_satisfied_and_in():
    rich, dr = simulate_many("company_account", REPS, ["group.topic_value=0.9"])
    poor, dp = simulate_many("company_account", REPS, ["group.topic_value=0.05"])
    assert week(dr, "mean_satisfaction", 21) > week(dp, "mean_satisfaction", 21)
    assert dr.leaves.sum() < dp.leaves.sum()


def test_m3_trust_follows_ip_and_drives_purchases():
    strong, ds = simulate_many("tuanzhang", REPS, ["group.weeks=4", "host.ip_strength=0.9"])
    weak, dw = simulate_many("tuanzhang", REPS, ["group.weeks=4", "host.ip_strength=0.2"])
    assert ds.mean_trust.mean() > dw.mean_trust.mean() + 0.1
    assert strong.total_gmv.median() > 1.5 * weak.total_gmv.median()


def test_m3_unanswered_complaints_cost_trust():
    answered, da = simulate_many("company_account", REPS, ["host.responsiveness=1", "host.operator=person"])
    ignored, di = simulate_many("company_account", REPS, ["host.responsiveness=0", "host.operator=person"])
    assert answered.trust_end_all.median() > ignored.trust_end_all.median()


def test_m4_ip_topic_mismatch_sells_almost_nothing():
    match, _ = simulate_many("tuanzhang", REPS, ["group.weeks=4", "host.ip_match=0.9"])
    mismatch, _ = simulate_many("tuanzhang", REPS, ["group.weeks=4", "host.ip_match=0.1"])
    assert mismatch.total_gmv.median() < 0.1 * match.total_gmv.median()


def test_m5_the_tenth_daily_red_packet_brings_a_smaller_spike_than_the_first():
    packet = "calendar=[{kind: red_packet, hour: 20, every_days: 1, start_day: 1, amount: 100, count: 100}]"
    _, with_money = simulate_many("large_start", REPS, ["group.weeks=2", packet], hourly=True)
    _, without = simulate_many("large_start", REPS, ["group.weeks=2", "calendar=[]"], hourly=True)

    def spike(day):
        hours = range(day * 24 + 20, day * 24 + 24)
        a = with_money[with_money.hour.isin(hours)].real_messages.sum()
        b = without[without.hour.isin(hours)].real_messages.sum()
        return a - b

    assert spike(1) > 0
    assert spike(10) < 0.6 * spike(1)


def test_m5_money_crowds_out_the_unpaid_motive():
    plan = load_plan("large_start", ["group.weeks=3", "calendar=[{kind: red_packet, hour: 20, every_days: 1, amount: 200, count: 100}]"])
    paid = GroupModel(plan, rng=1)
    paid.run()
    control = GroupModel(load_plan("large_start", ["group.weeks=3", "calendar=[]"]), rng=1)
    control.run()
    members = lambda m: m.state.ever[: m.n_initial]
    assert paid.state.intrinsic[members(paid)].mean() < 0.8 * control.state.intrinsic[members(control)].mean()
    assert paid.state.habituation[members(paid)].mean() > 1.0


def test_m6_offers_annoy_unless_the_host_is_trusted_and_fits():
    low = ["host.ip_strength=0.1", "host.ip_match=0.2", "pool.relation_to_host=0"]
    sell = ["content.product_share=0.9", "content.interaction_share=0", "host.capacity=12"]
    calm = ["content.product_share=0.0", "host.capacity=12"]
    _, d_sell = simulate_many("large_start", REPS, ["group.weeks=4", *low, *sell])
    _, d_calm = simulate_many("large_start", REPS, ["group.weeks=4", *low, *calm])
    assert week(d_sell, "mean_satisfaction", 21) < week(d_calm, "mean_satisfaction", 21)
    high = ["host.ip_strength=0.9", "host.ip_match=0.95", "pool.relation_to_host=0.8"]
    _, t_sell = simulate_many("large_start", REPS, ["group.weeks=4", *high, *sell])
    _, t_calm = simulate_many("large_start", REPS, ["group.weeks=4", *high, *calm])
    harm_low = week(d_calm, "mean_satisfaction", 21) - week(d_sell, "mean_satisfaction", 21)
    harm_high = week(t_calm, "mean_satisfaction", 21) - week(t_sell, "mean_satisfaction", 21)
    assert harm_high < harm_low


def test_m7_members_with_two_ties_leave_less_often():
    tied_left, loose_left = [], []
    # six weeks: ties from the pool fade over months, so look while they hold
    plan = load_plan("company_account", ["members.clustered=0.5", "group.weeks=6"])
    for seed in range(6):
        model = GroupModel(plan, rng=seed)
        for _ in range(7):
            model.step()
        s = model.state
        members = np.array([i for i in s.ever[: int(s.group[codes.G_N_EVER])]
                            if s.status[i] == codes.IN and s.role[i] != Shill.role_id])
        tied = members[s.n_ties[members] >= 2]
        loose = members[s.n_ties[members] < 2]
        model.run()
        tied_left.append((s.status[tied] == codes.LEFT).mean())
        loose_left.append((s.status[loose] == codes.LEFT).mean())
    assert np.mean(tied_left) < 0.6 * np.mean(loose_left)


def test_m7_meetups_and_friends_build_ties():
    meet = "calendar=[{kind: meetup, weekday: sat, hour: 14, capacity: 40}]"
    _, with_meet = simulate_many("company_account", REPS, ["group.weeks=3", meet])
    _, without = simulate_many("company_account", REPS, ["group.weeks=3", "calendar=[]"])
    assert week(with_meet, "share_two_ties", 14) > week(without, "share_two_ties", 14)
    _, friends = simulate_many("large_start", REPS, ["group.weeks=1", "members.clustered=1"])
    _, strangers = simulate_many("large_start", REPS, ["group.weeks=1", "members.clustered=0"])
    assert friends[friends.day == 0].share_two_ties.mean() > strangers[strangers.day == 0].share_two_ties.mean()


def test_m8_complaints_spread_negative_sentiment():
    many, dm = simulate_many("company_account", REPS, ["group.weeks=4", "members.complainer_share=0.5"])
    few, df = simulate_many("company_account", REPS, ["group.weeks=4", "members.complainer_share=0.0"])
    assert dm.complaint_messages.sum() > df.complaint_messages.sum()
    assert week(dm, "mean_sentiment", 21) < week(df, "mean_sentiment", 21)


def test_m9_shills_break_the_ice_and_cost_trust_when_noticed():
    shills, ds = simulate_many("small_start", REPS, ["group.weeks=1", "members.shills=8"])
    none, dn = simulate_many("small_start", REPS, ["group.weeks=1", "members.shills=0"])
    assert ds.real_messages.sum() > dn.real_messages.sum()
    noticed, _ = simulate_many("large_start", REPS, ["group.weeks=8", "members.shills=10", "members.shills_rest=false"])
    clean, _ = simulate_many("large_start", REPS, ["group.weeks=8"])
    assert noticed.trust_end_all.median() < clean.trust_end_all.median() - 0.05


def test_m10_open_door_fills_with_spam_and_strict_rules_chill_talk():
    open_, _ = simulate_many("open_door", 5, ["group.weeks=3"])
    ruled, _ = simulate_many("ruled", 5, ["group.weeks=3"])
    assert ruled.spam_share.median() < 0.5 * open_.spam_share.median()
    _, lax = simulate_many("value_group", 5, ["group.weeks=3", "rules.strictness=0"])
    _, strict = simulate_many("value_group", 5, ["group.weeks=3", "rules.strictness=1"])
    assert strict.real_messages.sum() < lax.real_messages.sum()


def test_m11_members_with_little_tolerance_mute():
    flood = ["members.shills=15", "members.shills_rest=false", "group.weeks=3"]
    tolerant, dt = simulate_many("large_start", REPS, flood)
    touchy, dto = simulate_many("large_start", REPS, flood, constants=CONSTANTS._replace(tolerance_mean=5.0))
    assert week(dto, "muted", 14) > week(dt, "muted", 14)


def test_m12_flash_sales_sell_and_bad_products_bring_complaints():
    sale = "calendar=[{kind: flash_sale, weekday: sat, hour: 12, discount: 0.3}]"
    with_sale, _ = simulate_many("large_start", REPS, ["group.weeks=4", sale])
    without, _ = simulate_many("large_start", REPS, ["group.weeks=4", "calendar=[]"])
    assert with_sale.total_gmv.median() > 2 * without.total_gmv.median()
    _, good = simulate_many("tuanzhang", REPS, ["group.weeks=4", "economics.quality=0.95"])
    _, bad = simulate_many("tuanzhang", REPS, ["group.weeks=4", "economics.quality=0.2"])
    assert bad.complaint_messages.sum() > 2 * good.complaint_messages.sum()


def test_m12_jielong_social_proof_raises_orders():
    proof, _ = simulate_many("tuanzhang", REPS, ["group.weeks=4"])
    no_proof, _ = simulate_many("tuanzhang", REPS, ["group.weeks=4"], constants=CONSTANTS._replace(jielong_proof=0.0))
    assert proof.total_gmv.median() > no_proof.total_gmv.median()


def test_m13_more_friends_inside_raise_the_join_chance_with_diminishing_returns():
    plan = load_plan("large_start", ["pool.mean_friends=20", "rules.threshold=0"])
    model = GroupModel(plan, rng=2)
    s, lv, c = model.state, model.levers, model.constants
    lo, hi = lv.pool_lo, lv.pool_hi
    degree = np.diff(s.friend_ptr)[lo:hi]
    j = lo + int(np.argmax(degree))
    friends = s.friend_idx[s.friend_ptr[j]:s.friend_ptr[j + 1]]
    s.status[friends] = codes.OUT
    s.role[friends] = Regular.role_id
    for a in friends:  # no ties among them
        row = slice(s.tie_ptr[a], s.tie_ptr[a] + s.tie_len[a])
        s.tie_w[row][np.isin(s.tie_nb[row], friends)] = 0.0
    chances = []
    for k in range(5):
        s.status[friends[:k]] = codes.IN
        chances.append(join_chance(model.ctx, j, 100, 0.0))
    gains = np.diff(chances)
    assert (gains > 0).all()
    assert (np.diff(gains) < 0).all()


def test_m13_referral_rewards_bring_referral_joins():
    paid, _ = simulate_many("large_start", REPS, ["group.weeks=3", "growth.referral_reward_referrer=20", "growth.referral_reward_referee=10"])
    free, _ = simulate_many("large_start", REPS, ["group.weeks=3"])
    assert paid.referral_joins.median() > 2 * max(free.referral_joins.median(), 1)
    assert paid.total_cost.median() > 0


def test_m14_native_kols_keep_the_group_talking_between_lectures():
    _, guest = simulate_many("guest_lectures", REPS, ["group.weeks=4"])
    _, native = simulate_many("native_kol", REPS, ["group.weeks=4"])
    between = lambda d: d[(d.day % 7) != 3].real_messages.sum()
    assert between(native) > 1.5 * between(guest)


def test_m15_prewarming_raises_launch_day_joins_and_sales():
    plain = ["group.weeks=1", "growth.referral_reward_referrer=0", "growth.referral_reward_referee=0",
             "growth.early_join_discounts=[]"]
    warm, dw = simulate_many("xiaomei_launch", REPS, [*plain, "host.prewarm_days=5"])
    cold, dc = simulate_many("xiaomei_launch", REPS, [*plain, "host.prewarm_days=0"])
    assert dw[dw.day == 0].gmv.median() > 1.3 * dc[dc.day == 0].gmv.median()
    assert dw[dw.day == 0].mean_trust.median() > dc[dc.day == 0].mean_trust.median()
    # joins follow trust; a long pre-warm among strangers shows it clearly
    strangers = [*plain, "pool.relation_to_host=0.1", "group.weeks=2"]
    _, long_warm = simulate_many("xiaomei_launch", REPS, [*strangers, "host.prewarm_days=30"])
    _, no_warm = simulate_many("xiaomei_launch", REPS, [*strangers, "host.prewarm_days=0"])
    assert long_warm.joins.sum() > 1.3 * no_warm.joins.sum()


def test_m16_thresholds_filter_low_match_joiners_and_cleanup_shrinks_the_audience():
    def joiner_interest(threshold):
        plan = load_plan("open_door", ["group.weeks=2", "growth.influx_spammer_share=0",
                                       "pool.interest_spread=0.3", f"rules.threshold={threshold}"])
        values = []
        for seed in range(3):
            m = GroupModel(plan, rng=seed)
            m.run()
            joined = m.state.ever[m.n_initial: int(m.state.group[codes.G_N_EVER])]
            values.append(m.state.interest[joined].mean())
        return np.mean(values)

    assert joiner_interest(0.9) > joiner_interest(0.0) + 0.03
    clean = "calendar=[{kind: cleanup, every_days: 7, hour: 10, inactive_days: 7}]"
    cleaned, dcl = simulate_many("company_account", REPS, ["group.weeks=4", clean])
    kept, dk = simulate_many("company_account", REPS, ["group.weeks=4", "calendar=[]"])
    assert cleaned.final_members.median() < kept.final_members.median()


def test_m17_the_sixth_weekly_lecture_draws_fewer_messages_than_the_first():
    long = ["group.weeks=6", "group.topic_value=0.4"]
    _, lect = simulate_many("guest_lectures", 20, long, hourly=True)
    _, none = simulate_many("guest_lectures", 20, [*long, "calendar=[]"], hourly=True)

    def pull(week_no):
        day = 3 + 7 * week_no  # thursdays
        hours = range(day * 24 + 20, day * 24 + 24)
        return (lect[lect.hour.isin(hours)].real_messages.sum()
                - none[none.hour.isin(hours)].real_messages.sum())

    assert pull(0) > 0
    assert pull(5) < 0.7 * pull(0)


def test_m18_a_silent_group_drops_out_of_view_and_notices_bring_it_back():
    plan = load_plan("small_start", ["group.weeks=1"])
    model = GroupModel(plan, rng=0)
    s, c = model.state, model.constants
    s.last_reason[0] = 0.0
    chances = [open_chance(c, s, 0, 24 * d) for d in (0, 2, 5, 10)]
    assert chances == sorted(chances, reverse=True) and chances[-1] < 0.1
    plan = load_plan("small_start", ["group.weeks=1", "calendar=[{kind: notice, start_day: 5, hour: 20}]"])
    model = GroupModel(plan, rng=0)
    for _ in range(5):
        model.step()
    members = model.state.ever[: model.n_initial]
    before = np.mean([open_chance(c, model.state, i, 5 * 24 + 21) for i in members])
    model.step()
    after = np.mean([open_chance(c, model.state, i, 5 * 24 + 21) for i in members
                     if model.state.status[i] == codes.IN])
    assert after > before


def test_m18_an_event_reaches_members_as_they_open_the_group_hour_by_hour():
    night = "calendar=[{kind: red_packet, start_day: 1, hour: 3, amount: 50, count: 20}]"
    model = GroupModel(load_plan("value_group", ["group.weeks=1", night]), rng=11)
    model.advance(24 + 4)  # to 04:00 of day 1
    grabbed_first_hour = model.out_h[codes.H_COST, 24 + 3]
    model.advance(12)  # to 16:00
    total = model.out_h[codes.H_COST].sum()
    assert grabbed_first_hour < 0.5 * total  # few are awake at 03:00 ...
    assert total == 50  # ... and the packet is gone by the afternoon, grabbed by early openers


def test_m5_money_is_felt_per_yuan_reaching_a_member_with_diminishing_returns():
    model = GroupModel(load_plan("small_start", ["group.weeks=1"]), rng=0)
    s, c = model.state, model.constants
    s.money_sens[0], s.money_sens[1] = 0.3, 0.9
    felts = [felt(c, s, 0, y) for y in (0.5, 2.5, 10.0)]
    assert felts[0] < felts[1] < felts[2] < 1.0
    assert felts[2] < 20 * felts[0] / 4  # twenty times the money, felt far less than twenty times
    assert felt(c, s, 1, 2.5) > felt(c, s, 0, 2.5)  # the money-sensitive feel more


def test_m13_the_urge_to_invite_is_highest_soon_after_joining():
    model = GroupModel(load_plan("value_group", ["group.weeks=1"]), rng=0)
    s = model.state
    i = int(s.ever[10])
    s.satisfaction[i] = 0.2
    urges = [share_weight(model.ctx, i, 24 * d) for d in (0, 2, 7, 30)]
    assert urges == sorted(urges, reverse=True) and urges[0] > 10 * urges[-1]


def test_m16_a_fee_is_paid_by_the_interested_and_the_money_indifferent():
    model = GroupModel(load_plan("value_group", ["group.weeks=1", "growth.fee=50"]), rng=0)
    s, lv = model.state, model.levers
    j = lv.pool_lo
    s.role[j] = Regular.role_id
    chance = {}
    for interest in (0.3, 0.9):
        for sens in (0.1, 0.9):
            s.interest[j], s.money_sens[j] = interest, sens
            chance[interest, sens] = entry_filter(model.ctx, j)
    assert chance[0.9, 0.1] > chance[0.3, 0.1] and chance[0.9, 0.9] > chance[0.3, 0.9]
    assert chance[0.9, 0.1] > chance[0.9, 0.9]
    assert chance[0.3, 0.9] < 0.1 < 0.5 < chance[0.9, 0.1]
