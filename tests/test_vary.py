import pytest

from experiments.analyses.vary import Axis, Lever, axis, number_type, parse_lever
from experiments.running.runner import RunError
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
    assert lever == Axis("members.initial", 50, 150, integer=True) and lever.at(77.6) == 78
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
