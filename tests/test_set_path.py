import pytest

from scenarios.loader import PlanError, get_path, load_plan, set_path


def raw_plan() -> dict:
    return {
        "host": {"ip_strength": 0.5},
        "calendar": [
            {"kind": "red_packet", "amount": 10},
            {"kind": "flash_sale", "discount": 0.2},
            {"kind": "red_packet", "amount": 20},
        ],
    }


def test_dotted_keys_create_sections():
    raw = raw_plan()
    set_path(raw, "host.ip_strength", 0.9)
    set_path(raw, "rules.strictness", 0.4)
    assert raw["host"]["ip_strength"] == 0.9 and raw["rules"] == {"strictness": 0.4}


def test_index_picks_one_item_and_kind_picks_every_item_of_that_kind():
    raw = raw_plan()
    set_path(raw, "calendar[0].amount", 30)
    assert [item.get("amount") for item in raw["calendar"]] == [30, None, 20]
    set_path(raw, "calendar[red_packet].amount", 40)
    assert [item.get("amount") for item in raw["calendar"]] == [40, None, 40]
    assert get_path(raw, "calendar[red_packet].amount") == [40, 40]


def test_a_selector_alone_replaces_the_items():
    raw = raw_plan()
    set_path(raw, "calendar[1]", {"kind": "notice"})
    assert raw["calendar"][1] == {"kind": "notice"}


@pytest.mark.parametrize("path", ["calendar[5].amount", "calendar[coupon].amount"])
def test_a_selector_matching_nothing_lists_the_items(path):
    with pytest.raises(PlanError) as err:
        set_path(raw_plan(), path, 1)
    message = str(err.value)
    assert path in message
    assert "[0] red_packet, [1] flash_sale, [2] red_packet" in message


@pytest.mark.parametrize("path", ["calendar[].amount", "calendar[0.amount", "host..x", "[0].a"])
def test_malformed_paths_are_refused(path):
    with pytest.raises(PlanError, match="Bad path"):
        set_path(raw_plan(), path, 1)


def test_set_reaches_calendar_items_of_a_library_plan():
    plan = load_plan("tuanzhang", ["calendar[flash_sale].discount=0.3", "calendar[1].hours_open=6"])
    assert plan.calendar[0].discount == 0.3 and plan.calendar[1].hours_open == 6
    with pytest.raises(PlanError, match=r"\[0\] flash_sale, \[1\] jielong"):
        load_plan("tuanzhang", ["calendar[red_packet].amount=30"])
