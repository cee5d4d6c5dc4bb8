"""The what-if page's pure functions: lever edits, what-if runs, tables and figures."""

import socket

import numpy as np
import pytest
from typer.testing import CliRunner

from experiments.cli.main import app as cli
from experiments.outputs import app
from experiments.outputs.charts import per_week
from experiments.outputs.i18n import label
from scenarios.loader import PlanError, load_plan, plan_to_yaml
from sim import codes
from sim.model import GroupModel

SHORT = ["group.weeks=2", "pool.size=60"]


def short(name: str = "tuanzhang"):
    return load_plan(name, SHORT)


def test_own_levers_leave_the_plan_as_it_is():
    for name in ("tuanzhang", "company_account", "small_start"):
        plan = load_plan(name)
        same = app.apply_levers(plan, app.read_levers(plan), name="copy")
        assert same.model_dump(exclude={"name"}) == plan.model_dump(exclude={"name"})
        assert same.name == "copy"


@pytest.mark.parametrize(("key", "value", "read"), [
    ("host.ip_strength", 0.3, lambda p: p.host.ip_strength),
    ("host.ip_match", 0.2, lambda p: p.host.ip_match),
    ("economics.price", 99.0, lambda p: p.economics.price),
    ("members.initial", 200, lambda p: p.members.initial),
    ("members.shills", 5, lambda p: p.members.shills),
    ("rules.strictness", 0.9, lambda p: p.rules.strictness),
    ("economics.budget", 500.0, lambda p: p.economics.budget),
])
def test_a_field_lever_sets_its_field_only(key, value, read):
    plan = load_plan("tuanzhang")
    changed = app.apply_levers(plan, {**app.read_levers(plan), key: value})
    assert read(changed) == value
    assert app.read_levers(changed) == {**app.read_levers(plan), key: value}
    assert changed.calendar == plan.calendar


def test_budget_back_to_no_limit():
    plan = load_plan("tuanzhang", ["economics.budget=300"])
    assert app.apply_levers(plan, {**app.read_levers(plan), "economics.budget": None}) \
        .economics.budget is None


def test_red_packet_levers_add_change_and_remove_red_packets():
    plan = load_plan("tuanzhang")  # no red packet of its own
    levers = app.read_levers(plan)
    assert levers["red_packet.every_days"] == 0
    added = app.apply_levers(plan, {**levers, "red_packet.every_days": 3,
                                    "red_packet.amount": 80.0})
    packets = [item for item in added.calendar if item.kind == "red_packet"]
    assert [(p.every_days, p.weekday, p.amount) for p in packets] == [(3, None, 80.0)]
    assert [item for item in added.calendar if item.kind != "red_packet"] == plan.calendar

    daily = load_plan("company_account")  # a red packet every day
    levers = app.read_levers(daily)
    assert levers["red_packet.every_days"] == 1
    richer = app.apply_levers(daily, {**levers, "red_packet.amount": 90.0})
    assert [i.amount for i in richer.calendar if i.kind == "red_packet"] == [90.0]
    assert [i.every_days for i in richer.calendar if i.kind == "red_packet"] == [1]
    none = app.apply_levers(daily, {**levers, "red_packet.every_days": 0})
    assert not [i for i in none.calendar if i.kind == "red_packet"]


def test_jielong_lever_moves_a_weekday_jielong_to_a_period():
    plan = load_plan("tuanzhang")  # 接龙 every wednesday
    levers = app.read_levers(plan)
    assert levers["jielong.every_days"] == 7
    moved = app.apply_levers(plan, {**levers, "jielong.every_days": 3})
    jielong = [i for i in moved.calendar if i.kind == "jielong"]
    assert [(j.every_days, j.weekday, j.hour) for j in jielong] == [(3, None, 10)]
    gone = app.apply_levers(plan, {**levers, "jielong.every_days": 0})
    assert [i.kind for i in gone.calendar] == ["flash_sale"]


def test_bad_levers_name_the_field_and_range():
    plan = load_plan("tuanzhang")
    levers = app.read_levers(plan)
    with pytest.raises(PlanError, match=r"host\.ip_strength.*0\.0 to 1\.0"):
        app.apply_levers(plan, {**levers, "host.ip_strength": 1.5})
    with pytest.raises(PlanError, match=r"jielong\.every_days = -2.*0 \(none\) to 365"):
        app.apply_levers(plan, {**levers, "jielong.every_days": -2})
    with pytest.raises(PlanError, match="unknown lever"):
        app.apply_levers(plan, {**levers, "host.charm": 1})


def test_downloaded_plan_loads_back(tmp_path):
    plan = load_plan("tuanzhang")
    changed = app.apply_levers(plan, {**app.read_levers(plan), "members.initial": 180,
                                      "red_packet.every_days": 2}, name=app.whatif_name(plan))
    path = tmp_path / f"{changed.name}.yaml"
    path.write_text(plan_to_yaml(changed), encoding="utf-8")
    assert load_plan(str(path)) == changed


def test_uploaded_plan_may_extend_a_library_plan():
    plan = app.plan_from_upload(b"extends: tuanzhang\nname: mine\nhost: {ip_strength: 0.4}\n",
                                "mine.yaml")
    assert (plan.name, plan.host.ip_strength) == ("mine", 0.4)
    assert plan.economics == load_plan("tuanzhang").economics
    with pytest.raises(PlanError, match="not valid YAML"):
        app.plan_from_upload(b"host: [unclosed", "bad.yaml")
    with pytest.raises(PlanError, match="ip_strength"):
        app.plan_from_upload(b"host: {ip_strength: 3}", "bad.yml")


def test_whatif_of_unchanged_levers_differs_by_nothing():
    base = short()
    same = app.apply_levers(base, app.read_levers(base), name=app.whatif_name(base))
    whatif = app.run_whatif(base, same, replicates=3)
    assert list(dict.fromkeys(whatif.summary["plan"])) == [base.name, same.name]
    assert (whatif.paired["value"] == 0).all()
    numbers = whatif.paired[whatif.paired["aggregate"] == "median"]
    assert (numbers[["low", "high"]] == 0).all().all()
    assert list(whatif.paired[whatif.paired["aggregate"] == "share"]["metric"]) == ["alive_week2"]
    table = app.outcome_table(whatif)
    assert list(table["outcome"]) == [label(m, "en") for m in app.OUTCOMES]
    assert (table["base"] == table["what-if"]).all()
    week12 = table.set_index("outcome").loc["alive at week 12"]
    assert week12["base"] == "–"  # a two-week horizon says nothing about week 12


def test_whatif_pairs_the_changed_plan_seed_by_seed():
    base = short()
    changed = app.apply_levers(base, {**app.read_levers(base), "members.initial": 40},
                               name="fewer")
    whatif = app.run_whatif(base, changed, replicates=3, seed=5)
    assert sorted(whatif.summary["seed"].unique()) == [5, 6, 7]
    members = whatif.paired.set_index("metric").loc["final_members"]
    by_seed = whatif.summary.pivot(index="seed", columns="plan", values="final_members")
    assert members["value"] == (by_seed["fewer"] - by_seed[base.name]).median()
    assert members["value"] < 0  # 40 instead of 150 initial members
    with pytest.raises(PlanError, match="own name"):
        app.run_whatif(base, base, replicates=1)


def test_replicates_are_remembered_by_levers_not_name():
    plan = short("small_start")
    first = app.replicates_of(plan, 2)
    renamed = app.replicates_of(plan.model_copy(update={"name": "other"}), 2,
                                stop=lambda: True)  # would raise Stale if it ran again
    assert set(renamed.summary["plan"]) == {"other"}
    assert renamed.summary.drop(columns="plan").equals(first.summary.drop(columns="plan"))
    with pytest.raises(app.Stale):
        app.replicates_of(plan.model_copy(update={"description": "x", "pool": plan.pool.model_copy(
            update={"size": 61})}), 2, stop=lambda: True)


def test_figures_draw_both_plans():
    base = short()
    changed = app.apply_levers(base, {**app.read_levers(base), "economics.price": 90.0},
                               name="dearer")
    whatif = app.run_whatif(base, changed, replicates=2)
    figures = app.whatif_figures(whatif)
    assert list(figures) == ["survival", "cumulative_profit", "members", "weekly_gmv"]
    for fig in figures.values():
        assert [t.name for t in fig.data if t.showlegend is not False] == [base.name, "dearer"]
        assert fig.layout.width <= 480  # two side by side beside the lever panel at 1280 px
    assert list(figures["survival"].data[0].x) == list(range(15))
    assert list(figures["members"].data[2].x) == list(range(14))
    assert list(figures["weekly_gmv"].data[0].x) == [1, 2]
    weekly = per_week(whatif.daily, "gmv")
    one = whatif.daily[(whatif.daily["plan"] == "dearer") & (whatif.daily["replicate"] == 0)]
    assert weekly.query("plan == 'dearer' and replicate == 0")["gmv"].sum() == \
        pytest.approx(one["gmv"].sum())


def _median_line(fig, plan):
    return next(t for t in fig.data if t.name == plan)


def test_a_red_packet_every_two_days_shows_in_the_cumulative_profit():
    base = load_plan("tuanzhang", ["pool.size=60"])  # no red packet of its own
    changed = app.apply_levers(base, {**app.read_levers(base), "red_packet.every_days": 2},
                               name="packets")
    whatif = app.run_whatif(base, changed, replicates=3)
    cost = whatif.summary.groupby("plan")["total_cost"].median()
    assert cost["packets"] - cost[base.name] > 1000  # 42 packets of ¥50
    profit = app.whatif_figures(whatif)["cumulative_profit"]
    base_end = _median_line(profit, base.name).y[-1]
    packets_end = _median_line(profit, "packets").y[-1]
    assert base_end - packets_end > 1000
    assert "+" not in app.outcome_table(whatif).set_index("outcome").loc["gross profit",
                                                                         "difference"][:1]


def test_levers_without_effect_follow_the_calendar():
    small = load_plan("small_start")  # topics only: no red packet, nothing that costs money
    inert = app.inert_levers(small)
    assert set(inert) == {"red_packet.amount", "economics.budget"}
    assert "red packet every N days" in inert["red_packet.amount"]
    assert "不起作用" in app.inert_levers(small, "zh")["economics.budget"]
    with_packets = app.apply_levers(small, {**app.read_levers(small), "red_packet.every_days": 2})
    assert app.inert_levers(with_packets) == {}
    referral = load_plan("small_start", ["growth.referral_reward_referrer=5"])
    assert set(app.inert_levers(referral)) == {"red_packet.amount"}
    # tuanzhang pays a red packet before each flash sale: its budget can bite
    assert set(app.inert_levers(load_plan("tuanzhang"))) == {"red_packet.amount"}
    assert app.inert_levers(load_plan("company_account")) == {}  # red packets every day


def test_every_lever_has_a_one_line_help_in_both_languages():
    for key in app.LEVERS:
        for lang in ("en", "zh"):
            help_ = app.lever_help(key, lang)
            assert help_ and "\n" not in help_, (key, lang)
    assert app.lever_help("economics.price", "en") == "product price in the group, yuan"
    assert app.lever_help("economics.price", "zh") == "群内商品售价 (元)"


def test_a_bad_lever_names_its_field_and_range_and_only_that_lever():
    plan = load_plan("tuanzhang")
    levers = {**app.read_levers(plan), "economics.price": -5.0, "members.initial": 90}
    errors = app.lever_errors(plan, levers)
    assert list(errors) == ["economics.price"]
    assert "economics.price = -5" in errors["economics.price"]
    assert "allowed range 0.0 to 1000000.0" in errors["economics.price"]
    assert app.lever_errors(plan, app.read_levers(plan)) == {}


def test_changed_levers_name_their_plan_values():
    plan = load_plan("tuanzhang")
    levers = {**app.read_levers(plan), "economics.price": 80.0, "economics.budget": 500.0}
    assert app.changed_levers(plan, levers, "en") == {
        "economics.price": "price (yuan) 80 (plan: 60)",
        "economics.budget": "budget (yuan; empty: no limit) 500 (plan: no limit)",
    }
    assert app.changed_levers(plan, levers, "zh")["economics.price"] == "售价 (元) 80 (方案：60)"
    assert app.changed_levers(plan, app.read_levers(plan), "en") == {}


def test_outcome_table_in_chinese():
    base = short()
    whatif = app.run_whatif(base, app.apply_levers(base, app.read_levers(base), name="x"), 2)
    table = app.outcome_table(whatif, "zh")
    assert list(table.columns) == ["结果", "原方案", "推演方案", "差异"]
    assert list(table["结果"]) == [label(m, "zh") for m in app.OUTCOMES]


def test_member_network_follows_the_group():
    model = GroupModel(short("ip_mismatch"), rng=0)  # some members leave within two weeks
    layout = app.member_layout(model)
    for _ in range(14):
        model.step()
    g = app.member_graph(model)
    assert set(g) == set(np.flatnonzero(model.state.was_member == 1))
    node_of = {int(slot): node for node, slot in enumerate(model.slot_of)}
    friendships = {frozenset((node_of[a], node_of[b])) for a, b in g.edges}
    among_members = {frozenset(e) for e in model.graph.edges
                     if all(model.slot_of[v] in g for v in e)}
    assert friendships == among_members
    fig = app.network_figure(model, layout)
    drawn = {t.name for t in fig.data[1:]}
    roles = {app.ROLES[g.nodes[slot]["role"]].name for slot in g}
    assert drawn == roles
    faded = [o for t in fig.data[1:] for o in t.marker.opacity if o < 0.9]
    away = [slot for slot in g
            if g.nodes[slot]["status"] in (codes.LEFT, codes.REMOVED, codes.MUTED)]
    assert len(faded) == len(away)
    counts = app.day_counts(model)
    assert list(counts) == list(app.DAY_COUNTS)
    s = model.state
    members = model.traits[s.role, codes.T_MEMBER] > 0  # a member turned spammer is not one
    in_group = (s.was_member == 1) & np.isin(s.status, [codes.IN, codes.MUTED]) & members
    assert counts["members"] == in_group.sum()


def test_day_counts_are_empty_before_the_first_day():
    assert app.day_counts(GroupModel(short(), rng=0)) == {}


def test_cli_app_refuses_bad_arguments():
    runner = CliRunner()
    result = runner.invoke(cli, ["app", "no_such_plan"])
    assert result.exit_code == 2
    assert "Unknown plan 'no_such_plan'" in result.output
    result = runner.invoke(cli, ["app", "--replicates", "0"])
    assert result.exit_code == 2
    assert "--replicates must be 1 to 1000, not 0" in result.output
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(cli, ["app", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
