from typer.testing import CliRunner

from experiments.cli.main import app
from experiments.running.checks import plan_warnings
from scenarios.loader import library, load_plan
from scenarios.schema import Plan


def plan(**sections) -> Plan:
    return Plan.model_validate({"group": {"weeks": 2}, **sections})


def test_money_larger_than_the_whole_budget_is_warned_per_item():
    warnings = plan_warnings(plan(
        economics={"budget": 20, "price": 100},
        calendar=[{"kind": "red_packet", "amount": 30}, {"kind": "red_packet", "amount": 20},
                  {"kind": "lucky_draw", "amount": 21}, {"kind": "checkin", "reward": 25.5},
                  {"kind": "coupon", "discount": 0.3}, {"kind": "coupon", "discount": 0.2},
                  {"kind": "flash_sale", "preheat_red_packet": 50}],
    ))
    assert [w.split(" ")[0] for w in warnings] == [
        "calendar[0]", "calendar[2]", "calendar[3]", "calendar[4]", "calendar[6]"]
    assert "amount ¥30 is more than the whole budget ¥20" in warnings[0]
    assert "¥30 per redeemed coupon" in warnings[3]


def test_items_outside_the_horizon_and_levers_that_cannot_work_are_warned():
    warnings = plan_warnings(plan(
        pool={"size": 0},
        economics={"budget": 10},
        growth={"referral_reward_referrer": 8, "referral_reward_referee": 5,
                "early_join_discounts": [{"by_hour": 0, "discount": 0.2}]},
        calendar=[{"kind": "topic", "start_day": 14},
                  {"kind": "topic", "weekday": "sun", "start_day": 0, "end_day": 5},
                  {"kind": "topic", "weekday": "sun"},
                  {"kind": "cleanup", "inactive_days": 14}],
    ))
    text = "\n".join(warnings)
    assert "calendar[0] (topic) never fires" in text and "calendar[1] (topic) never fires" in text
    assert "calendar[2]" not in text
    assert "calendar[3] (cleanup) inactive_days 14" in text
    assert "¥13 is more than the whole budget ¥10" in text
    assert "pool.size is 0" in text
    assert "early_join_discounts[0]" in text


def test_the_library_plans_have_no_warnings():
    for name in library():
        assert plan_warnings(load_plan(name)) == [], name


def test_validate_prints_a_warning_line_and_exits_0(tmp_path):
    file = tmp_path / "plan.yaml"
    file.write_text("economics: {budget: 20}\n"
                    "calendar:\n  - {kind: red_packet, amount: 30, every_days: 7}\n")
    result = CliRunner().invoke(app, ["validate", str(file)])
    assert result.exit_code == 0
    assert ("warning: calendar[0] (red_packet) amount ¥30 is more than the whole budget ¥20: "
            "it is never paid.") in result.output.splitlines()
    file.write_text("economics: {budget: 40}\n"
                    "calendar:\n  - {kind: red_packet, amount: 30, every_days: 7}\n")
    result = CliRunner().invoke(app, ["validate", str(file)])
    assert result.exit_code == 0 and "warning" not in result.output
