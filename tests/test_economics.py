"""Market price and unit cost are facts about the product (issue 13, item 1): no lever a user
varies moves them; gross profit = GMV − units × unit cost − incentive cost, computed once;
`groupsim validate` warns of prices below cost and says how an older `margin` is read.

The simulated tests use seeds 9100–9119, which no other test uses."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import simulate_many
from experiments.running import points
from experiments.outputs.app import apply_levers, read_levers
from experiments.running.checks import plan_notes, plan_warnings
from experiments.cli.main import app
from experiments.running.points import point_plan, run_points
from scenarios.loader import PlanError, get_path, load_plan, plan_to_yaml, validate_dict
from scenarios.schema import DERIVED_DEFAULTS

SEED, REPS = 9100, 20
DOCS = Path(__file__).parents[1] / "docs" / "model.md"


def derived(plan) -> dict[str, float]:
    raw = plan.model_dump(mode="json")
    return {path: get_path(raw, path)[0] for path in DERIVED_DEFAULTS}


def test_the_derived_defaults_come_from_the_plan_as_written():
    plan = load_plan("tuanzhang")  # price 60, margin 0.25
    assert derived(plan) == {"economics.market_price": 60.0, "economics.unit_cost": 45.0}
    for path in DERIVED_DEFAULTS:
        assert f"`{path}`" in DOCS.read_text(encoding="utf-8"), f"{path} is not listed in the docs"


@pytest.mark.parametrize("price", [30.0, 120.0, 1500.0])
def test_no_derived_default_moves_with_the_price(price, monkeypatch):
    base = load_plan("tuanzhang")
    fixed = derived(base)
    by_set = load_plan("tuanzhang", [f"economics.price={price}"])
    by_point = point_plan(base, {"economics.price": price}, 0)
    by_app = apply_levers(base, {**read_levers(base), "economics.price": price})
    ran = []  # the plans a sweep or an optimize trial runs (both go through run_points)
    monkeypatch.setattr(points, "execute", lambda runs, *a, **k: ran.extend(runs) or {"summary": None})
    run_points(base, [{"economics.price": price}], replicates=1)
    for plan in (by_set, by_point, by_app, ran[0].plan):
        assert plan.economics.price == price
        assert derived(plan) == fixed


def test_other_levers_leave_the_unit_cost_and_a_margin_is_read_at_the_market_price():
    assert derived(load_plan("tuanzhang", ["economics.market_price=80"]))["economics.unit_cost"] == 45
    assert load_plan("tuanzhang", ["economics.reference_price=80"]).economics.market_price == 80
    assert load_plan("tuanzhang", ["economics.margin=0.5"]).economics.unit_cost == 30
    assert load_plan("tuanzhang", ["economics.unit_cost=20"]).economics.unit_cost == 20
    assert validate_dict({"economics": {"price": 50}}).economics.unit_cost == 35  # margin 0.3


def test_the_saved_plan_records_the_derived_defaults_and_reads_back_the_same(tmp_path):
    plan = load_plan("tuanzhang", ["economics.price=120"])
    text = plan_to_yaml(plan)
    assert "market_price: 60.0" in text and "unit_cost: 45.0" in text and "margin" not in text
    (tmp_path / "plan.yaml").write_text(text, encoding="utf-8")
    assert load_plan(str(tmp_path / "plan.yaml")) == plan.model_copy(
        update={"economics": plan.economics.model_copy(update={"margin": None})})


def test_the_runs_plan_yaml_records_them(tmp_path):
    result = CliRunner().invoke(app, ["run", "tuanzhang", "--set", "economics.price=120",
                                      "--replicates", "1", "--weeks", "1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    saved = load_plan(str(tmp_path / "plan.yaml")).economics
    assert (saved.price, saved.market_price, saved.unit_cost) == (120, 60, 45)


def test_a_plan_states_its_cost_one_way(tmp_path):
    with pytest.raises(PlanError, match="economics.unit_cost = 40 and economics.margin = 0.25 disagree"):
        validate_dict({"economics": {"price": 60, "unit_cost": 40, "margin": 0.25}})
    with pytest.raises(PlanError, match="reference_price is the old name of market_price"):
        validate_dict({"economics": {"reference_price": 60, "market_price": 70}})
    child = tmp_path / "child.yaml"  # the child's unit cost replaces the parent's margin
    child.write_text("extends: tuanzhang\neconomics: {unit_cost: 40}\n", encoding="utf-8")
    assert load_plan(str(child)).economics.unit_cost == 40


def test_validate_warns_of_prices_below_cost_and_notes_how_a_margin_is_read(tmp_path):
    plan = load_plan("tuanzhang", ["calendar[flash_sale].discount=0.4",
                                   "growth.early_join_discounts=[{by_hour: 12, discount: 0.2}]"])
    text = "\n".join(plan_warnings(plan))
    assert "calendar[0] (flash_sale) discount 40% leaves a price of ¥36, below economics.unit_cost ¥45" in text
    assert "calendar[1]" not in text and "early_join_discounts" not in text  # 10%, 20%: above cost
    assert "every unit sold loses ¥5" in plan_warnings(load_plan("tuanzhang", ["economics.price=40"]))[-1]
    coupon = load_plan("tuanzhang", ["calendar=[{kind: coupon, discount: 0.3, weekday: mon}]"])
    assert "calendar[0] (coupon) discount 30% leaves a price of ¥42" in plan_warnings(coupon)[-1]
    assert plan_notes(load_plan("tuanzhang", ["economics.unit_cost=45"])) == []
    file = tmp_path / "old.yaml"
    file.write_text("extends: tuanzhang\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(file)])
    assert result.exit_code == 0
    assert result.output.startswith(
        "note: economics.margin 0.25 is read as the margin at the market price ¥60: a unit cost "
        "of ¥45 (economics.unit_cost)")


# ---- simulated, from the inputs ---------------------------------------------------
def test_a_higher_price_sells_fewer_units_seed_by_seed():
    cheap, cheap_daily = simulate_many("tuanzhang", REPS, ["economics.price=60"], seed=SEED)
    dear, dear_daily = simulate_many("tuanzhang", REPS, ["economics.price=120"], seed=SEED)
    fewer = dear["units_sold"] < cheap["units_sold"]
    assert fewer.sum() >= 18, (dear["units_sold"] - cheap["units_sold"]).tolist()
    assert (dear["units_sold"] - cheap["units_sold"]).median() < -0.3 * cheap["units_sold"].median()
    assert (cheap["units_sold"] == cheap_daily.groupby("replicate")["purchases"].sum()).all()


def test_selling_every_sale_below_cost_loses_money():
    # tuanzhang: margin 25% at ¥60, so a unit costs ¥45; 40% off sells it at ¥36
    summary, daily = simulate_many("tuanzhang", REPS, ["calendar[flash_sale].discount=0.4",
                                                       "calendar[jielong].discount=0.4"], seed=SEED)
    assert (summary["gross_profit"] < 0).sum() >= 18, summary["gross_profit"].tolist()
    assert summary["gross_profit"].median() < 0
    # one computation: the summary is the daily column summed, and the column is the formula
    by_run = daily.groupby("replicate")[["gmv", "purchases", "incentive_cost", "gross_profit"]].sum()
    assert summary["gross_profit"].to_numpy() == pytest.approx(by_run["gross_profit"].to_numpy())
    assert by_run["gross_profit"].to_numpy() == pytest.approx(
        (by_run["gmv"] - by_run["purchases"] * 45.0 - by_run["incentive_cost"]).to_numpy())
