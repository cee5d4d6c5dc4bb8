"""Portfolios (sim/portfolio.py, scenarios/portfolio.py, experiments/running/portfolio.py):
the shared pool of people, trust shared across a host's groups, live-code routing, 复制成功率,
weekly costs, thread-independence and the schema's errors."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments.cli.main import app
from experiments.running.portfolio import read_portfolio_results, run_portfolio
from experiments.running.runner import RunInterrupted
from experiments.running.storage import OutDirError
from scenarios.loader import dump_yaml
from scenarios.portfolio import PortfolioError, PortfolioFile, load_portfolio, resolve
from sim.codes import ELSEWHERE, G_N_ARRIVALS, G_REFERRAL_JOINS, H_COST, OUT
from sim.portfolio import PortfolioModel, meets_targets, simulate_portfolio

SMALL = {"group.weeks": 1, "members.initial": 30, "pool.size": 60}


def portfolio(groups, pool=120, **more):
    """A resolved portfolio of small tuanzhang groups (one week, 30 members, 60 candidates)."""
    spec = {"portfolio": "test", "pool": {"size": pool},
            "groups": [{"plan": "tuanzhang", "name": "tz", **g,
                        "set": {**SMALL, **g.get("set", {})}}
                       for g in groups],
            "targets": {"alive_week": 1}, **more}
    return resolve(PortfolioFile.model_validate(spec), Path("."))


def people_of(model, j):
    """{person: slot} of copy j's slots that have a person."""
    of = model.person_of_slot[j]
    return {int(p): s for s, p in enumerate(of) if p >= 0}


def test_a_person_is_one_person_in_every_group_and_can_join_two():
    p = portfolio([{"copies": 2, "set": {"growth.qr_influx_per_day": 20}}], pool=100)
    result = simulate_portfolio(p, seed=3)
    in_groups = result.members[result.members["person"] >= 0].groupby("person")["group"].nunique()
    assert (in_groups == 2).sum() > 0
    assert result.portfolio["people_in_several"] == (in_groups == 2).sum()
    model = PortfolioModel(p, seed=3)
    first, second = people_of(model, 0), people_of(model, 1)
    both = sorted(set(first) & set(second))
    assert both
    for field in ("interest", "money_sens", "tolerance", "voice", "wtp", "cycle"):
        a = getattr(model.copies[0].state, field)[[first[x] for x in both]]
        b = getattr(model.copies[1].state, field)[[second[x] for x in both]]
        np.testing.assert_array_equal(a, b, err_msg=field)


def _day_with_trust_capture(model):
    """Play one day of `model`, returning each copy's trust after the kernels and before the
    coupling, and the shared trust before the day."""
    playing = list(range(len(model.copies)))
    open_ = [j for j in playing if model.is_open(j)]
    model._open_new(playing)
    before = {h: shared.copy() for h, shared in model.trust.items()}
    model._levers(playing, open_)
    for j in playing:
        model.copies[j].advance(24)
    played = [m.state.trust.copy() for m in model.copies]
    model._share_trust(playing)
    model.day += 1
    return before, played


def test_trust_in_a_host_is_shared_across_its_groups():
    p = portfolio([{"copies": 2, "host": "amei"}], pool=90, hosts=[{"name": "amei", "capacity": 6}])
    model = PortfolioModel(p, seed=5)
    first, second = people_of(model, 0), people_of(model, 1)
    both = sorted(set(first) & set(second))
    carried = 0  # trust moved by one group only, and so in the other too
    for _ in range(3):
        shared, played = _day_with_trust_capture(model)
        shared = shared[0]
        for x in both:
            a, b = model.copies[0].state.trust[first[x]], model.copies[1].state.trust[second[x]]
            assert a == b  # one trust, written back to both groups
            changes = (played[0][first[x]] - shared[x], played[1][second[x]] - shared[x])
            assert a == pytest.approx(np.clip(shared[x] + sum(changes), 0, 1))
            carried += (changes[0] == 0) != (changes[1] == 0) and a != shared[x]
    assert carried > 0
    # with a host each, the same people keep a trust per group
    own = PortfolioModel(portfolio([{"copies": 2}], pool=90), seed=5)
    own.run()
    a = own.copies[0].state.trust[[first[x] for x in both]]
    b = own.copies[1].state.trust[[second[x] for x in both]]
    assert (a != b).any()


def test_live_code_fills_the_first_group_before_the_second():
    def levers(live, initial, candidates=60):
        scans = {"growth.qr_influx_per_day": 20, "pool.size": candidates}
        p = portfolio([{"name": "first", "set": {**scans, "members.initial": initial}},
                       {"name": "second", "set": scans}], pool=initial + 60, live_code=live)
        model = PortfolioModel(p, seed=1)
        model.step()
        day = model.days[0]
        assert day.qr_scans + day.qr_scans_lost == (40 if live else 0)
        return [m.levers.qr_influx for m in model.copies], day.qr_scans

    # room for all 40 scans in group 1: group 2 gets none
    assert levers(True, 30) == ([40.0, 0.0], 40.0)
    # group 1 has room for 9 more accounts (190 members and the host below the 200 at which
    # the live code moves on): the rest go to group 2
    assert levers(True, 190) == ([9.0, 31.0], 40.0)
    # a group's scans are drawn from its candidates: no more than it has outside
    assert levers(True, 30, candidates=25) == ([25.0, 15.0], 40.0)
    assert levers(True, 30, candidates=12) == ([12.0, 12.0], 24.0)  # 16 scans lost
    # without a live code each group keeps its own scans and gets none of the other's
    assert levers(False, 30) == ([20.0, 20.0], 0.0)


def test_live_code_sends_invitations_into_a_full_group_on_to_the_next():
    full = {"members.initial": 499, "pool.size": 120, "growth.qr_influx_per_day": 0}
    groups = [{"name": "full", "set": full},
              {"name": "next", "set": {"growth.qr_influx_per_day": 0}}]

    def played(live):
        model = PortfolioModel(portfolio(groups, pool=900, live_code=live), seed=2)
        model.run()
        return model

    model = played(True)
    sent = sum(d.invites_sent for d in model.days)
    lost = sum(d.invites_lost for d in model.days)
    assert sent > 0
    first, second = model.copies
    elsewhere = np.flatnonzero(first.state.status == ELSEWHERE)
    assert elsewhere.size == sent + lost  # every invitation accepted into the full group
    arrivals = second.state.arrivals[:int(second.state.group[G_N_ARRIVALS])]
    assert len(arrivals) == sent
    came = model.person_of_slot[1][arrivals[:, 0]]
    assert set(came) <= set(model.person_of_slot[0][elsewhere])  # ... the next group's arrivals
    assert second.state.was_member[arrivals[:, 0]].all()  # which had room for them all
    np.testing.assert_array_equal(second.state.join_hour[arrivals[:, 0]], arrivals[:, 1])
    assert (np.diff(arrivals[:, 1]) >= 0).all()  # in hour order
    for person in came:
        a, b = model.slot_of_person[0][person], model.slot_of_person[1][person]
        assert second.state.invited_by[b] == -1
        assert first.state.left_hour[a] == -1 and first.state.was_member[a] == 0
        # invited by a friend in the full group, who was in it
        friends = first.state.friend_idx[first.state.friend_ptr[a]:first.state.friend_ptr[a + 1]]
        assert first.state.was_member[friends].any()
        if b >= second.pool.spam_hi:  # seated: the person's traits, as the next plan maps them
            for field in ("interest", "money_sens", "voice", "wtp", "cycle", "segment"):
                assert getattr(second.state, field)[b] == getattr(first.state, field)[a], field
    assert (second.state.status[second.pool.spam_hi:] != OUT).any()
    # without a live code nobody is sent on: invitations into a full group are lost there
    alone = played(False)
    assert sum(d.invites_sent for d in alone.days) == 0
    assert not (alone.copies[0].state.status == ELSEWHERE).any()


def test_referral_rewards_are_paid_on_joins_only_where_they_happen():
    rewards = {"growth.referral_reward_referrer": 3, "growth.referral_reward_referee": 2,
               "growth.qr_influx_per_day": 0}
    groups = [{"plan": "large_start", "name": "full",
               "set": {**rewards, "members.initial": 499, "pool.size": 120}},
              {"plan": "large_start", "name": "next", "set": rewards}]
    model = PortfolioModel(portfolio(groups, pool=900, live_code=True), seed=2)
    model.run()
    assert sum(d.invites_sent for d in model.days) > 0
    for copy in model.copies:  # large_start pays no other incentive
        s = copy.state
        slot, hour = s.arrivals[:int(s.group[G_N_ARRIVALS])].T
        joined = ((s.was_member[slot] == 1) & (s.join_hour[slot] == hour)
                  & (s.invited_by[slot] == -1)).sum()
        assert copy.out_h[H_COST].sum() == 5 * (s.group[G_REFERRAL_JOINS] + joined)


def test_copy_success_is_the_share_of_copies_meeting_the_targets():
    p = portfolio([{"copies": 4, "stagger_days": 1}], pool=200)
    result = simulate_portfolio(p, seed=2)
    members_at_end = result.daily.groupby("group")["members"].last()
    target = int(members_at_end.median())
    p = p.model_copy(update={"targets": p.targets.model_copy(update={"members": target})})
    result = simulate_portfolio(p, seed=2)
    expected = {}
    for group, daily in result.daily.groupby("group"):
        expected[group] = bool(daily["alive"].iloc[6] and daily["members"].iloc[6] >= target)
    got = dict(zip(result.summary["group"], result.summary["meets_targets"]))
    assert got == expected
    assert 0 < sum(expected.values()) < 4  # the targets separate the copies
    assert result.portfolio["copy_success"] == sum(expected.values()) / 4
    members = [daily["members"].iloc[6] >= target for _, daily in result.daily.groupby("group")]
    assert result.portfolio["met_members"] == sum(members) / 4
    assert result.portfolio["met_alive_week"] >= result.portfolio["copy_success"]
    assert np.isnan(result.portfolio["met_weekly_gmv"])  # not stated
    weekly = p.targets.model_copy(update={"members": None, "alive_week": None,
                                          "weekly_gmv": 1e9})
    assert not meets_targets(result.daily[result.daily["group"] == "tz-01"], weekly, 1)


def test_staff_cost_lowers_gross_profit_by_weekly_cost_times_weeks():
    hosts = [{"name": "amei", "capacity": 6}]
    groups = [{"copies": 2, "host": "amei", "stagger_days": 3}]
    plain = simulate_portfolio(portfolio(groups, hosts=hosts), seed=4)
    staffed = simulate_portfolio(portfolio(groups, hosts=hosts, staff=[
        {"name": "h1", "host": "amei", "capacity": 0, "weekly_cost": 700}]), seed=4)
    pd.testing.assert_frame_equal(plain.daily, staffed.daily)  # capacity 0 changes nothing else
    open_days = int((staffed.days["open_groups"] > 0).sum())
    assert open_days == 10  # days 0-9: the second group opens on day 3 and runs a week
    assert plain.portfolio["gross_profit"] - staffed.portfolio["gross_profit"] == pytest.approx(
        700 * open_days / 7)


def test_relay_fee_counted_once_and_lecture_in_each_group():
    p = portfolio([{"copies": 3, "stagger_days": 2}], pool=200,
                  relay=[{"day": 5, "hour": 20, "groups": ["tz"], "fee": 500}])
    local = {c.name: [(i.start_day, i.hour) for i in c.plan.calendar if i.kind == "lecture"]
             for c in p.copies}
    assert local == {"tz-01": [(5, 20)], "tz-02": [(3, 20)], "tz-03": [(1, 20)]}
    assert simulate_portfolio(p, seed=0).portfolio["relay_fees"] == 500


def test_tables_do_not_depend_on_threads():
    p = portfolio([{"copies": 3, "stagger_days": 1, "set": {"growth.qr_influx_per_day": 15}}],
                  pool=150, live_code=True, hosts=[{"name": "amei", "capacity": 6}])
    one, two = simulate_portfolio(p, seed=7, threads=1), simulate_portfolio(p, seed=7, threads=2)
    for table in ("daily", "summary", "members", "days"):
        pd.testing.assert_frame_equal(getattr(one, table), getattr(two, table))
    pd.testing.assert_series_equal(pd.Series(one.portfolio), pd.Series(two.portfolio))


def test_copies_coupled_to_none_played_days_at_a_time_give_the_day_by_day_tables(monkeypatch):
    """Copies whose host runs no other copy go several days per kernel call (`days_ahead`), up
    to the first day their death could become known; two copies of one host go a day at a time.
    Small groups that die within the horizon and a group that lives, against a day-by-day play."""
    small = {"group.weeks": 5}
    spec = {"portfolio": "alone", "pool": {"size": 600},
            "hosts": [{"name": n, "capacity": 4, "weekly_cost": 100} for n in "abcd"],
            "groups": [{"plan": "small_start", "name": "dies", "host": "a", "set": small},
                       {"plan": "small_start", "name": "dies2", "host": "c", "open_day": 1,
                        "set": small},
                       {"plan": "small_start", "name": "pair", "copies": 2, "host": "b",
                        "set": small},
                       {"plan": "tuanzhang", "name": "lives", "host": "d", "open_day": 3,
                        "set": {"group.weeks": 4, "members.initial": 60, "pool.size": 120}}],
            "targets": {"alive_week": 2}}
    p = resolve(PortfolioFile.model_validate(spec), Path("."))
    model = PortfolioModel(p, seed=5)
    assert model.alone.tolist() == [True, True, False, False, True]
    blocks = simulate_portfolio(p, seed=5, threads=2)
    assert (blocks.summary["lifetime_days"] < 28).any()  # a copy died, and was closed
    monkeypatch.setattr(PortfolioModel, "days_ahead", lambda self, j: 1)
    daily = simulate_portfolio(p, seed=5)
    for table in ("daily", "summary", "members", "days"):
        pd.testing.assert_frame_equal(getattr(blocks, table), getattr(daily, table))
    pd.testing.assert_series_equal(pd.Series(blocks.portfolio), pd.Series(daily.portfolio))


@pytest.mark.parametrize("change, named", [
    ({"groups": [{"plan": "tuanzhang", "copies": 0}]},
     "groups[0].copies = 0: input should be greater than or equal to 1; allowed range 1 to 1000"),
    ({"groups": [{"plan": "tuanzhang", "host": "bob"}]}, "groups[0].host = 'bob': not a host"),
    ({"pool": {"size": 100}}, "pool.size = 100: groups[0]'s plan draws members.initial + its own pool.size = 450 people"),
    ({"relay": [{"day": 1, "groups": ["nope"]}]}, "relay[0].groups[0] = 'nope'"),
    ({"targets": {}}, "targets = {...}: Value error, state at least one of alive_week"),
    ({"targets": {"weekly_gmv": -1}},  # an Annotated bound inside `| None` is found
     "targets.weekly_gmv = -1: input should be greater than or equal to 0; allowed range 0.0 to "
     "1000000.0"),
    ({"groups": [{"plan": "tuanzhang", "set": {"host.ip_strength": 3}}]},
     "groups[0].set: tuanzhang: 1 bad field(s)\n      host.ip_strength = 3: input should be less "
     "than or equal to 1; allowed range 0.0 to 1.0"),
])
def test_schema_errors_name_the_field(tmp_path, change, named):
    assert named in _refusal(tmp_path, change)


def _refusal(tmp_path, change: dict) -> str:
    """The error of a small portfolio file with `change` made to it."""
    spec = {"portfolio": "bad", "pool": {"size": 1000}, "groups": [{"plan": "tuanzhang"}],
            "targets": {"alive_week": 4}, **change}
    path = tmp_path / "bad.yaml"
    path.write_text(dump_yaml(spec), encoding="utf-8")
    with pytest.raises(PortfolioError) as err:
        load_portfolio(path)
    return str(err.value)


@pytest.mark.parametrize("change, named", [
    ({"targets": {"weekly_revenue": 1400}},
     "targets.weekly_revenue = 1400: unknown key (did you mean 'weekly_gmv'?); allowed here: "
     "alive_week, members, weekly_gmv (docs/model.md, \"Portfolios\""),
    ({"groups": [{"plan": "tuanzhang", "copise": 3}]},
     "groups[0].copise = 3: unknown key (did you mean 'copies'?); allowed here: plan, name, "
     "copies, host, open_day, stagger_days, set"),
    ({"live_cod": True}, "live_cod = True: unknown key (did you mean 'live_code'?); allowed "
                         "here: portfolio, description, description_zh, pool, hosts, staff"),
    ({"hosts": [{"name": "a", "capacty": 12}]},
     "hosts[0].capacty = 12: unknown key (did you mean 'capacity'?); allowed here: name, "
     "capacity, weekly_cost"),
    ({"pool": {"colour": 1}}, "pool.colour = 1: unknown key; allowed here: size (docs"),
])
def test_an_unknown_key_lists_the_keys_allowed_where_it_is(tmp_path, change, named):
    """Portfolio fields and targets are no levers: the message lists the keys of their place."""
    said = _refusal(tmp_path, change)
    assert named in said and "lever" not in said, said


def test_a_members_target_above_the_platform_cap_is_refused(tmp_path):
    """Members count real members, the cap accounts with the host's: 499 is the most a WeChat
    copy can hold, so a target of 800 can never be met."""
    spec = {"portfolio": "big", "pool": {"size": 2000}, "targets": {"members": 800},
            "groups": [{"plan": "tuanzhang"}, {"plan": "tuanzhang", "name": "q",
                                               "set": {"group.platform": "qq"}}]}
    path = tmp_path / "big.yaml"
    path.write_text(dump_yaml(spec), encoding="utf-8")
    with pytest.raises(PortfolioError) as err:
        load_portfolio(path)
    assert ("targets.members = 800: can never be met: the wechat cap is 500 accounts "
            "(groups[0]), the host's included, so a copy holds at most 499 members; allowed "
            "range 0 to 499") in str(err.value)
    assert "qq" not in str(err.value)  # a QQ copy holds 2,999 members
    spec["targets"] = {"members": 499}
    path.write_text(dump_yaml(spec), encoding="utf-8")
    assert load_portfolio(path).targets.members == 499


def test_another_portfolio_in_out_is_named(tmp_path):
    """--out holding another portfolio says which, not "it differs in ...; portfolio"."""
    p = portfolio([{"copies": 2}], pool=100)
    out = tmp_path / "out"
    run_portfolio(p, replicates=1, out=out)
    with pytest.raises(OutDirError, match=r"holds portfolio test; this is ten_copies\. Choose"):
        run_portfolio(p.model_copy(update={"name": "ten_copies"}), replicates=1, out=out)
    with pytest.raises(OutDirError, match=r"holds portfolio test run with other settings \(it "
                                          r"differs in seed 0 there, 1 now\)"):
        run_portfolio(p, replicates=1, seed=1, out=out)
    with pytest.raises(OutDirError, match=r"differs in its pool_size\)"):
        run_portfolio(p.model_copy(update={"pool_size": 99}), replicates=1, out=out)


def test_a_misspelled_plan_is_named_once_not_again_by_the_relay_that_names_its_group(tmp_path):
    spec = {"portfolio": "bad", "pool": {"size": 1000}, "targets": {"alive_week": 4},
            "groups": [{"plan": "tuanzhng", "name": "tz"}], "relay": [{"day": 1, "groups": ["tz"]}]}
    path = tmp_path / "bad.yaml"
    path.write_text(dump_yaml(spec), encoding="utf-8")
    with pytest.raises(PortfolioError) as err:
        load_portfolio(path)
    assert "1 bad field(s)" in str(err.value) and "groups[0].plan = 'tuanzhng'" in str(err.value)


def test_validate_warns_of_a_live_code_with_no_scans_and_a_host_with_no_group(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("portfolio: w\npool: {size: 1000}\nhosts: [{name: a}, {name: b}]\n"
                    "groups: [{plan: tuanzhang, host: a}]\nlive_code: true\n"
                    "targets: {alive_week: 4}\n")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "live_code: true routes no scans" in result.output
    assert "host b runs no group" in result.output and "ok (1 groups)" in result.output


@pytest.mark.parametrize("spec, warned", [
    ("live_code_fill: 150\n", "live_code_fill 150 does nothing without live_code: true"),
    ("live_code: true\nlive_code_fill: 3000\n",
     "live_code_fill 3000 is above the wechat cap of 500 accounts"),
    ("hosts: [{name: a, capacity: 0}]\n", "host a has capacity 0 and no staff"),
    ("relay: [{day: 300, hour: 20, by: guest, groups: [tz]}]\n",
     "the relay on day 300 reaches no group: none of its 1 group(s) is open that day"),
])
def test_validate_warns_of_portfolio_levers_that_cannot_work(tmp_path, spec, warned):
    path = tmp_path / "p.yaml"
    host = "" if "hosts:" in spec else "hosts: [{name: a}]\n"
    path.write_text(f"portfolio: w\npool: {{size: 1000}}\n{host}"
                    "groups: [{plan: tuanzhang, name: tz, host: a, "
                    "set: {growth.qr_influx_per_day: 5}}]\n"
                    f"targets: {{alive_week: 4}}\n{spec}")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert warned in " ".join(result.output.split()), result.output


def test_a_missing_section_is_named_as_missing(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("portfolio: bad\ngroups: [{plan: tuanzhang}]\ntargets: {alive_week: 4}\n")
    with pytest.raises(PortfolioError, match=r"  pool: missing; field required"):
        load_portfolio(path)


def test_options_a_portfolio_does_not_take_are_named():
    hourly = CliRunner().invoke(app, ["run", "copy_one_host", "--hourly"])
    assert hourly.exit_code == 2 and "--hourly does not apply to a portfolio" in hourly.output
    assert "set:" not in hourly.output
    threads = CliRunner().invoke(app, ["run", "tuanzhang", "--threads", "2"])
    assert threads.exit_code == 2 and "--threads 2 is for portfolios" in threads.output
    weeks = CliRunner().invoke(app, ["run", "copy_one_host", "--weeks", "4"])  # targets week 12
    assert weeks.exit_code == 2 and "targets.alive_week = 12: groups[0] runs 4 weeks" in " ".join(
        weeks.output.split())


def test_a_key_written_twice_is_refused(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("portfolio: a\npool: {size: 500}\ngroups: [{plan: tuanzhang}]\n"
                    "targets: {alive_week: 4}\nlive_code: true\nlive_code: false\n")
    with pytest.raises(PortfolioError, match="'live_code' is written twice, on line 5 and line 6"):
        load_portfolio(path)


def test_run_command_writes_tables_and_resumes(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("portfolio: small\npool: {size: 150}\nhosts: [{name: amei, capacity: 4}]\n"
                    "groups:\n  - {plan: tuanzhang, name: tz, copies: 2, host: amei, "
                    "set: {group.weeks: 1, members.initial: 30, pool.size: 60}}\n"
                    "targets: {alive_week: 1}\n")
    out = tmp_path / "out"
    args = ["run", str(path), "--replicates", "2", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "复制成功率" in result.output and (out / "report.html").is_file()
    for table in ("daily", "summary", "members", "portfolio", "portfolio_days", "portfolio_band"):
        assert (out / f"{table}.parquet").is_file()
    daily = pd.read_parquet(out / "daily.parquet")
    assert list(daily.columns[:5]) == ["portfolio", "replicate", "group", "open_day", "day"]
    replicates = pd.read_parquet(out / "portfolio.parquet")
    assert list(replicates["seed"]) == [0, 1]
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    fresh, stored = run_portfolio(load_portfolio(path), replicates=2), read_portfolio_results(out)
    assert stored.portfolio.model_dump() == fresh.portfolio.model_dump()
    for table in ("daily", "summary", "members", "replicates", "days", "band"):
        pd.testing.assert_frame_equal(getattr(stored, table), getattr(fresh, table))


def test_an_interrupted_run_keeps_its_finished_replicates(tmp_path):
    p = portfolio([{"copies": 2}], pool=100)
    out = tmp_path / "out"

    def stop_after_first(done, total):
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(RunInterrupted) as stop:
        run_portfolio(p, replicates=3, out=out, progress=stop_after_first)
    assert stop.value.finished == 1 and len(stop.value.results.replicates) == 1
    ran = []
    resumed = run_portfolio(p, replicates=3, out=out, progress=lambda done, total: ran.append(done))
    assert ran[0] == 1  # the finished replicate was not run again
    fresh = run_portfolio(p, replicates=3)
    pd.testing.assert_frame_equal(resumed.replicates, fresh.replicates)
    pd.testing.assert_frame_equal(resumed.daily, fresh.daily)


def test_validate_names_a_portfolio_s_bad_field(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("portfolio: p\npool: {size: 500}\ngroups: [{plan: tuanzhang, copies: 3}]\n"
                    "targets: {alive_week: 4}\n")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0 and "ok (3 groups)" in result.output, result.output
    path.write_text(path.read_text().replace("copies: 3", "copies: 3, stagger_days: -1"))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "groups[0].stagger_days = -1" in result.output


def test_set_overrides_a_portfolio_s_own_fields_and_its_groups_levers():
    p = load_portfolio("copy_five_hosts", [
        "pool.size=5000", "hosts[bing].capacity=9", "groups[tzb].copies=2",
        "groups[*].set.growth.qr_influx_per_day=25", "groups[tza].set.group.weeks=8",
        "targets.alive_week=8"])
    assert p.pool_size == 5000 and [h.capacity for h in p.hosts][:2] == [6, 9]
    names = [c.name for c in p.copies]
    assert sum(n.startswith("tzb") for n in names) == 2 and len(names) == 18
    assert {c.plan.growth.qr_influx_per_day for c in p.copies} == {25}
    assert {c.plan.group.weeks for c in p.copies if c.name.startswith("tza")} == {8}
    assert {c.plan.group.weeks for c in p.copies if c.name.startswith("tzb")} == {12}


@pytest.mark.parametrize(("item", "message"), [
    ("groups[tq].copies=2", r"groups\[tq\] matches no item\. .*the items are: \[0\] tza, "
                            r"\[1\] tzb"),
    ("growth.qr_influx_per_day=20", r"growth is a plan's; .*groups\[\*\]\.set\.growth\."
                                    r"qr_influx_per_day=20"),
    ("pool.set.x=1", r"a plan's lever goes after a group's `\.set\.`"),
    ("groups[tza].copies=0", r"groups\[0\]\.copies = 0: .*allowed range 1 to 1000 "
                             r"\(groups\[0\] is tza\)"),
    ("groups[*].set.growth.qr_influx_per_dy=4", r"did you mean 'qr_influx_per_day'"),
    ("pool.size", r"Bad --set 'pool\.size': write it as dotted\.key=value"),
])
def test_a_bad_portfolio_set_names_the_path_and_what_is_allowed(item, message):
    with pytest.raises(PortfolioError, match=message):
        load_portfolio("copy_five_hosts", [item])


def test_run_command_takes_weeks_and_set_for_a_portfolio(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "run", "lecture_relay", "--weeks", "2", "--set", "pool.size=900",
        "--set", "groups[gl].copies=2", "--set", "groups[*].set.members.initial=40",
        "--set", "relay=[]", "--set", "targets.alive_week=2", "--replicates", "1",
        "--out", str(out)])
    assert result.exit_code == 0, result.output
    stored = read_portfolio_results(out).portfolio
    assert stored.pool_size == 900 and len(stored.copies) == 2
    assert {(c.plan.group.weeks, c.plan.members.initial) for c in stored.copies} == {(2, 40)}
    daily = pd.read_parquet(out / "daily.parquet")
    assert daily["day"].max() == 13


def test_a_portfolio_extends_another_and_changes_what_it_states(tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "mine.yaml").write_text("extends: tuanzhang\nname: mine\n"
                                                  "members: {initial: 40}\n", encoding="utf-8")
    (tmp_path / "base.yaml").write_text(
        "portfolio: base\npool: {size: 900}\ngroups: [{plan: plans/mine.yaml, name: m, "
        "copies: 2}]\ntargets: {alive_week: 4}\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    child = tmp_path / "sub" / "bigger.yaml"
    child.write_text("extends: ../base.yaml\nportfolio: bigger\npool: {size: 1200}\n",
                     encoding="utf-8")
    p = load_portfolio(child)
    assert (p.name, p.pool_size, len(p.copies)) == ("bigger", 1200, 2)
    assert p.copies[0].plan.members.initial == 40  # the parent's plan, found from its folder
    library = tmp_path / "library_child.yaml"
    library.write_text("extends: copy_one_host\nportfolio: mine\nhosts: [{name: amei, "
                       "capacity: 16}]\n", encoding="utf-8")
    p = load_portfolio(library)
    assert len(p.copies) == 20 and p.hosts[0].capacity == 16 and len(p.staff) == 1


@pytest.mark.parametrize(("files", "message"), [
    ({"a.yaml": "extends: b.yaml\nportfolio: a\n", "b.yaml": "extends: a.yaml\nportfolio: b\n"},
     "extends forms a cycle"),
    ({"a.yaml": "extends: tuanzhang\nportfolio: a\n"},
     r"extends 'tuanzhang': a plan: a portfolio's groups name plans"),
    ({"a.yaml": "extends: copy_one_hots\nportfolio: a\n"},
     r"extends 'copy_one_hots': not a portfolio file next to it nor a library portfolio "
     r"\(did you mean 'copy_one_host'\?\); library portfolios: copy_five_hosts, copy_one_host, "
     r"lecture_relay"),
    ({"a.yaml": "extends: copy_one_host\n"}, r"portfolio: missing; field required"),
])
def test_a_bad_extends_is_named(tmp_path, files, message):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(PortfolioError, match=message):
        load_portfolio(tmp_path / "a.yaml")


def test_a_portfolio_comparison_rerun_with_more_replicates_drops_its_old_deck(tmp_path):
    """The deck of a comparison is made from the runs its portfolios held; once a rerun adds
    replicates it would be stale, so it goes (rerun `groupsim deck`); a rerun that adds nothing
    keeps it."""
    files = []
    for name, copies in (("one", 1), ("two", 2)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(f"portfolio: {name}\npool: {{size: 150}}\ngroups:\n  - {{plan: "
                        f"tuanzhang, name: tz, copies: {copies}, set: {{group.weeks: 1, "
                        "members.initial: 30, pool.size: 60}}\ntargets: {alive_week: 1}\n",
                        encoding="utf-8")
        files.append(str(path))
    out = tmp_path / "out"

    def compare(replicates):
        result = CliRunner().invoke(app, ["compare", *files, "--replicates", str(replicates),
                                          "--out", str(out)])
        assert result.exit_code == 0, result.output

    compare(1)
    (out / "deck").mkdir()
    compare(1)
    assert (out / "deck").is_dir()
    compare(2)
    assert not (out / "deck").exists()
