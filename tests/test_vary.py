from collections import Counter

import pytest

from experiments.running.runner import RunError
from experiments.analyses.vary import Axis, Lever, axis, from_unit, number_type, parse_lever
from scenarios.loader import PlanError, load_plan

PLAN = load_plan("tuanzhang")  # calendar: [0] flash_sale, [1] jielong


def test_parse_grids_lists_and_ranges():
    assert parse_lever("host.ip_strength=0.2:0.8:4") == Lever(
        "host.ip_strength", "0.2:0.8:4", low=0.2, high=0.8, n=4)
    assert parse_lever("group.platform=wechat,qq").values == ("wechat", "qq")
    assert parse_lever("members.initial=50:150").n is None
    for text in ("host.ip_strength", "host.ip_strength=a:b", "host.ip_strength=0.8:0.2"):
        with pytest.raises(RunError, match="Bad --vary"):
            parse_lever(text)


def test_axes_take_integers_from_the_schema_and_check_the_fields_range():
    lever = axis(PLAN, parse_lever("members.initial=50:150"))
    assert lever == Axis("members.initial", 50, 150, integer=True)
    assert (lever.at(0.0), lever.at(0.5), lever.at(1.0)) == (50, 100, 150)
    assert axis(PLAN, parse_lever("calendar[1].discount=0.05,0.2")).values == (0.05, 0.2)
    assert not axis(PLAN, parse_lever("calendar[flash_sale].discount=0.1:0.3")).integer


def test_number_types_come_from_the_schema_and_the_plans_calendar():
    assert number_type(PLAN, "members.initial") is int
    assert number_type(PLAN, "host.ip_strength") is float
    assert number_type(PLAN, "economics.budget") is float  # optional, None in this plan
    assert number_type(PLAN, "calendar[flash_sale].stock") is int
    assert number_type(PLAN, "calendar[0].every_days") is int  # optional, None in this plan
    assert number_type(PLAN, "calendar[0].discount") is float
    assert number_type(PLAN, "group.platform") is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("host.ip_strength=0.2:1.5", "allowed range 0.0 to 1.0"),
        ("members.initial=1.5:3", "takes whole numbers"),
        ("host.ip_strength=0.2:0.8:3", "a:b:n is a grid for sweeps"),
        ("host.nope=1:2", "'nope' is not a plan field"),
        ("calendar[red_packet].amount=1:2", "the items are: [0] flash_sale, [1] jielong"),
        ("group.platform=1:2", "not a number field"),
        ("group.platform=wechat,telegram", "group.platform"),
    ],
)
def test_bad_axes_name_the_problem(text: str, message: str):
    with pytest.raises(PlanError) as error:
        axis(PLAN, parse_lever(text))
    assert message in str(error.value)


def test_a_unit_sample_gives_each_whole_number_an_equal_share():
    even = [(i + 0.5) / 300 for i in range(300)]
    assert Counter(from_unit(u, 1, 3, True) for u in even) == {1: 100, 2: 100, 3: 100}
    assert Counter(from_unit(u, 0, 1, True) for u in even) == {0: 150, 1: 150}
    assert from_unit(1.0, 1, 3, True) == 3 and from_unit(0.0, 1, 3, True) == 1
    assert from_unit(0.25, 0.2, 0.8, False) == 0.35
