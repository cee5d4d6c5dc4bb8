import re

import pytest
import yaml

from scenarios.loader import PlanError, library, load_plan, plan_to_yaml, portfolio_library
from scenarios.portfolio import load_portfolio
from scenarios.schema import Plan

CASE_PLANS = {
    "company_account", "tuanzhang", "xiaomei_launch", "ip_mismatch", "small_start",
    "large_start", "guest_lectures", "native_kol", "open_door", "ruled", "value_group",
}


def test_library_has_every_case_with_a_description():
    lib = library()
    assert CASE_PLANS <= set(lib)
    assert all(lib[name].strip() for name in lib)
    for name in lib:
        assert load_plan(name).name == name


def test_library_plans_have_a_chinese_description_that_zh_outputs_use():
    zh = library("zh")
    for name, line in library().items():
        plan = load_plan(name)
        assert re.search(r"[\u4e00-\u9fff]", plan.description_zh), name
        assert zh[name] == plan.describe("zh") == plan.description_zh
        assert plan.describe("en") == plan.description == line
    assert Plan(description="only English").describe("zh") == "only English"
    with pytest.raises(ValueError, match="description_zh"):
        Plan(description_zh="长" * 301)


def test_library_portfolios_have_a_chinese_description_that_zh_outputs_use():
    zh = portfolio_library("zh")
    for name, line in portfolio_library().items():
        portfolio = load_portfolio(name)
        assert portfolio.description_zh not in ("", portfolio.description), name
        assert zh[name] == portfolio.describe("zh") == portfolio.description_zh
        assert portfolio.describe("en") == portfolio.description == line


def test_extends_merges_mappings_and_replaces_lists(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({
        "extends": "guest_lectures",
        "host": {"capacity": 9},
        "calendar": [{"kind": "topic", "every_days": 3, "hour": 12}],
    }))
    parent, plan = load_plan("guest_lectures"), load_plan(str(path))
    assert plan.host.capacity == 9
    assert plan.host.ip_strength == parent.host.ip_strength  # merged key by key
    assert [item.kind for item in plan.calendar] == ["topic"]  # list replaced whole
    assert plan.name == "mine"


def test_resolved_plan_round_trips_with_every_default(tmp_path):
    text = plan_to_yaml(load_plan("native_kol"))
    data = yaml.safe_load(text)
    assert data["rules"]["moderation_delay_hours"] == Plan().rules.moderation_delay_hours
    path = tmp_path / "resolved.yaml"
    path.write_text(text)
    assert load_plan(str(path)) == load_plan("native_kol")


def test_set_overrides_dotted_keys():
    plan = load_plan("tuanzhang", ["host.ip_strength=0.2", "group.weeks=4"])
    assert plan.host.ip_strength == 0.2 and plan.horizon_days == 28


@pytest.mark.parametrize("overrides, words", [
    (["host.ip_strength=1.5"], ["host.ip_strength", "1.5", "0.0 to 1.0"]),
    (["members.initial=-1"], ["members.initial", "0 to 3000"]),
    (["host.charisma=3"], ["host.charisma", "unknown key; allowed here: ip_strength, ip_match, "
                           "capacity, responsiveness, operator, prewarm_days"]),
    (["pool.sise=3"], ["pool.sise = 3: unknown key (did you mean 'size'?); allowed here: size, "
                       "segments", "docs/model.md lists every lever"]),
    (["rules.strictness=high"], ["rules.strictness", "number"]),
    (["calendar=[{kind: party}]"], ["calendar[0]", "unknown calendar kind", "red_packet"]),
    (["calendar=[{kind: red_packet, hour: 24}]"], ["calendar[0].hour", "0 to 23"]),
    (["members.initial=600"], ["cap of 500"]),
    (["host.ip_strength"], ["--set", "dotted.key=value"]),
])
def test_bad_fields_are_named_with_their_range(overrides, words):
    with pytest.raises(PlanError) as err:
        load_plan("tuanzhang", overrides)
    for word in words:
        assert word in str(err.value)


def test_unknown_plan_and_bad_yaml(tmp_path):
    with pytest.raises(PlanError, match="Unknown plan 'nope'") as err:
        load_plan("nope")
    assert "Did you mean" not in str(err.value)
    with pytest.raises(PlanError, match="Did you mean 'tuanzhang'?"):
        load_plan("tuanzang")
    bad = tmp_path / "bad.yaml"
    bad.write_text("host: [unclosed")
    with pytest.raises(PlanError, match="not valid YAML"):
        load_plan(str(bad))
    cycle = tmp_path / "a.yaml"
    cycle.write_text("extends: a.yaml\n")
    with pytest.raises(PlanError, match="cycle"):
        load_plan(str(cycle))
