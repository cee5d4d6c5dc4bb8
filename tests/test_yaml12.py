"""Plans, --set and --vary values are read as YAML 1.2, strictly: a repeated key is an error
naming both lines, `010` is ten, and a clock time in a number field is named with a hint."""

import pytest
from typer.testing import CliRunner

from experiments.cli.main import app
from experiments.analyses.vary import parse_lever
from scenarios.loader import PlanError, load_plan, parse_yaml
from test_bad_input import assert_bad_input


def validate(*args: str):
    return CliRunner().invoke(app, ["validate", *args])


@pytest.mark.parametrize("text, key, first, second", [
    # two economics blocks: before, the second silently replaced the first (price 60, no budget)
    ("extends: tuanzhang\neconomics: {price: 80, budget: 1500}\ngroup: {weeks: 4}\n"
     "economics: {margin: 0.4}\n", "economics", 2, 4),
    ("extends: tuanzhang\ncalendar:\n  - {kind: topic}\ncalendar:\n  - {kind: red_packet}\n",
     "calendar", 2, 4),
    ("extends: tuanzhang\nhost:\n  capacity: 3\n  ip_strength: 0.5\n  capacity: 4\n",
     "capacity", 3, 5),
    ("calendar:\n  - {kind: topic, hour: 9}\n  - {kind: red_packet, hour: 20,\n     hour: 21}\n",
     "hour", 3, 4),
])
def test_a_key_written_twice_names_both_lines(tmp_path, text, key, first, second):
    file = tmp_path / "plan.yaml"
    file.write_text(text, encoding="utf-8")
    assert_bad_input(validate(str(file)), f"'{key}' is written twice, on line {first} and line "
                     f"{second}")


def test_the_same_key_in_different_mappings_is_fine(tmp_path):
    file = tmp_path / "plan.yaml"
    file.write_text("extends: tuanzhang\ncalendar:\n  - {kind: topic, hour: 9}\n"
                    "  - {kind: topic, hour: 21}\n", encoding="utf-8")
    assert validate(str(file)).exit_code == 0


def test_a_leading_zero_is_decimal_not_octal(tmp_path):
    file = tmp_path / "plan.yaml"
    file.write_text("extends: tuanzhang\ncalendar:\n  - {kind: topic, hour: 010}\n"
                    "  - {kind: topic, hour: 09}\n", encoding="utf-8")
    assert [c.hour for c in load_plan(str(file)).calendar] == [10, 9]
    assert load_plan("tuanzhang", ["calendar[0].hour=010"]).calendar[0].hour == 10


@pytest.mark.parametrize("line, path, written, hours", [
    ("calendar: [{kind: topic, hour: 20:00}]", "calendar[0].hour", "20:00", "20"),
    ("rules: {moderation_delay_hours: 2:00}", "rules.moderation_delay_hours", "2:00", "2"),
    ("calendar: [{kind: coupon, valid_hours: 1:30}]", "calendar[0].valid_hours", "1:30", "1.5"),
    ("calendar: [{kind: topic, hour: '20:00'}]", "calendar[0].hour", "20:00", "20"),
])
def test_a_clock_time_in_a_number_field_is_quoted_with_the_hours(tmp_path, line, path, written,
                                                                 hours):
    """YAML 1.1 read these as base 60 (2:00 was 120 hours); now they are named, never converted."""
    file = tmp_path / "plan.yaml"
    file.write_text(f"extends: tuanzhang\n{line}\n", encoding="utf-8")
    assert_bad_input(validate(str(file)), f"{path} = '{written}'",
                     f"write hours as a number, e.g. {hours}")


def test_set_values_are_read_the_same_way():
    with pytest.raises(PlanError, match=r"rules.moderation_delay_hours = '2:00'.*e\.g\. 2$"):
        load_plan("tuanzhang", ["rules.moderation_delay_hours=2:00"])
    with pytest.raises(PlanError, match="Bad --set 'host.capacity=\\[1'"):
        load_plan("tuanzhang", ["host.capacity=[1"])
    assert parse_lever("calendar[0].hour=010,011").values == (10, 11)
    assert parse_lever("group.platform=yes,no").values == ("yes", "no")


def test_yaml_1_2_scalars():
    assert parse_yaml("a: 010\nb: 2:00\nc: yes\nd: 0o10\n") == {
        "a": 10, "b": "2:00", "c": "yes", "d": 8}
