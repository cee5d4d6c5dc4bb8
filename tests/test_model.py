import networkx as nx
import numpy as np
import pandas as pd

import agents
from scenarios.loader import load_plan
from sim import codes, metrics
from sim.model import GroupModel
from sim.run import advance_together, simulate


def test_same_plan_and_seed_give_the_same_run():
    plan = load_plan("company_account", ["group.weeks=3"])
    a, b = simulate(plan, 3), simulate(plan, 3)
    # Series.equals: empty values (NaN, e.g. a budget never exhausted) count as equal
    assert a.daily.equals(b.daily) and pd.Series(a.summary).equals(pd.Series(b.summary))
    assert not simulate(plan, 4).daily.equals(a.daily)


def test_stepping_day_by_day_equals_one_batch_call():
    plan = load_plan("xiaomei_launch", ["group.weeks=2"])
    batch = GroupModel(plan, rng=5)
    batch.run()
    stepped = GroupModel(plan, rng=5)
    while not stepped.finished:
        stepped.step()
    assert stepped.day == 14
    np.testing.assert_array_equal(batch.out_h, stepped.out_h)
    np.testing.assert_array_equal(batch.out_d, stepped.out_d)


def test_members_are_mesa_agents_of_their_role_class_viewing_the_arrays():
    plan = load_plan("native_kol", ["group.weeks=1", "members.shills=2"])
    model = GroupModel(plan, rng=1)
    model.run()
    kinds = {type(a) for a in model.agents}
    assert {agents.NativeKol, agents.Shill, agents.Host} <= kinds
    kol = model.agents_by_type[agents.NativeKol][0]
    assert kol.trust == model.state.trust[kol.slot]
    assert isinstance(model.graph, nx.Graph)
    assert {"segment"} <= set(next(iter(model.graph.nodes(data=True)))[1])
    # every slot that has been in the group has its agent
    assert len(model.agents) == int(model.state.group[codes.G_N_EVER]) + 1


def test_daily_counts_follow_the_counting_rules():
    result = simulate(load_plan("company_account", ["group.weeks=4"]), 0)
    d = result.daily
    kinds = ["real_messages", "host_messages", "shill_messages", "spam_messages", "guest_messages"]
    assert np.allclose(d["messages"], d[kinds].sum(axis=1))
    assert (d["prompted_messages"] <= d["real_messages"]).all()
    assert (d["complaint_messages"] <= d["real_messages"]).all()
    assert (d["active_posters"] <= d["members"]).all()
    assert len(d) == 28 and d["day"].tolist() == list(range(28))
    assert result.summary["peak_members"] >= d["members"].max()
    s = result.summary
    assert s["lifetime_days"] == 28 if s["alive_at_end"] else s["lifetime_days"] < 28
    # members change only by joins and leaves (a member turning spammer is a leave)
    change = np.diff(np.r_[150, d["members"].to_numpy()])
    assert (change == d["joins"] - d["leaves"]).all()


def test_death_is_the_first_day_of_fourteen_quiet_days():
    result = simulate(load_plan("ip_mismatch"), 0)
    quiet = result.daily["quiet"].to_numpy()
    dead = result.summary["lifetime_days"]
    assert not result.summary["alive_at_end"]
    assert quiet[dead:dead + 14].all()
    # the daily `alive` column: alive before the death day, dead from it on; members unchanged
    assert (result.daily["alive"].to_numpy() == (np.arange(len(quiet)) < dead)).all()
    runs = np.diff(np.flatnonzero(np.diff(np.r_[0, quiet[:dead].astype(int), 0])))
    assert (runs[::2] < 14).all() if runs.size else True


def test_gini_counts_zeros():
    assert metrics.gini(np.array([0, 0, 0, 10])) == 0.75
    assert metrics.gini(np.array([5, 5])) == 0.0


def test_red_packet_grabs_and_yuan_are_counted_in_the_hour_grabbed():
    # a daily ¥20 packet in 10 grabs at 03:00 in a lively group
    packet = "calendar=[{kind: red_packet, every_days: 1, hour: 3, amount: 20, count: 10}]"
    result = simulate(load_plan("value_group", [packet, "group.weeks=2"]), 4, hourly=True)
    d, h = result.daily, result.hourly
    assert 0 < d["red_packet_grabs"].sum() <= 10 * 14
    assert np.allclose(d["red_packet_yuan"], d["red_packet_grabs"] * 2.0)  # ¥2 a grab
    assert (d["red_packet_yuan"] <= d["incentive_cost"] + 1e-9).all()
    assert np.isclose(h["red_packet_grabs"].sum(), d["red_packet_grabs"].sum())
    # few open the group at 03:00: most grabs come in the following hours
    at_three = h.loc[h["hour"] % 24 == 3, "red_packet_grabs"].sum()
    assert at_three < 0.5 * h["red_packet_grabs"].sum()
    without = simulate(load_plan("value_group", ["group.weeks=2"]), 4).daily
    assert (without["red_packet_grabs"] == 0).all() and (without["red_packet_yuan"] == 0).all()


def test_red_packets_open_together_never_pay_past_the_budget():
    # three ¥50 packets sent at night, an hour apart: each is affordable when sent (little has
    # been grabbed yet), all three together are not
    packets = "calendar=[" + ", ".join(
        f"{{kind: red_packet, every_days: 1, hour: {h}, amount: 50, count: 20}}" for h in (3, 4, 5)) + "]"
    for seed in range(3):
        daily = simulate(load_plan("value_group", [packets, "economics.budget=130",
                                                   "group.weeks=2"]), seed).daily
        assert daily["incentive_cost"].sum() <= 130 + 1e-9
        assert daily["red_packet_yuan"].sum() >= 125  # paid until the money ran out


def test_groups_advanced_in_threads_give_the_daily_tables_of_one_thread():
    """The kernel releases the GIL and groups share nothing they write: 2 threads advancing 4
    groups a day at a time give the tables of 1 thread exactly."""
    plan = load_plan("tuanzhang", ["group.weeks=2"])
    tables = []
    for threads in (1, 2):
        models = [GroupModel(plan, rng=seed) for seed in range(4)]
        for _ in range(plan.horizon_days):
            advance_together(models, 24, threads)
        tables.append([metrics.daily_table(m.out_h, m.out_d, 0.0, -1) for m in models])
    for one, two in zip(*tables):
        pd.testing.assert_frame_equal(one, two)
    assert not tables[0][0].equals(tables[0][1])


def test_the_live_list_is_the_group_in_join_order_at_each_days_end():
    """`State.live` (what the hourly loops go over) holds, after each day, exactly the accounts
    of `ever` still in the group (members, shills, spammers), in join order."""
    model = GroupModel(load_plan("open_door", ["group.weeks=3"]), rng=2)
    s = model.state
    left = 0
    while not model.finished:
        model.step()
        ever = s.ever[:int(s.group[codes.G_N_EVER])]
        inside = [i for i in ever if s.status[i] in (codes.IN, codes.MUTED)]
        assert s.live[:int(s.group[codes.G_N_LIVE])].tolist() == inside
        left = max(left, len(ever) - len(inside))
    assert left > 10
