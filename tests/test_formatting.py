"""One formatter for every output (experiments/outputs/formatting.py)."""

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from experiments.outputs.formatting import (
    FINEST, MINUS, count, format_value, money, number, points, share, span, together, with_range,
)
from experiments.outputs.terminal import paired_tables


def test_money_puts_the_minus_sign_before_the_yuan_sign():
    assert money(-1491, "en") == "−¥1,491"
    assert money(-1491, "zh") == "−¥1,491"
    assert money(-20_000, "zh") == "−¥2万"
    assert money(-15_000, "zh") == "−¥1.5万"
    assert money(1200, "en", signed=True) == "+¥1,200"
    assert money(0, "en", signed=True) == "¥0"
    assert format_value("gross_profit", -1491.4) == "−¥1,491"
    assert "-" not in money(-1491) and "¥-" not in money(-1491, "zh")


def test_chinese_money_and_counts_use_wan_and_yi():
    assert money(8500, "zh") == "¥8,500"
    assert money(123_000, "zh") == "¥12.3万"
    assert money(250_000_000, "zh") == "¥2.5亿"
    assert money(123_000, "en") == "¥123,000"
    assert count(12_345, "zh") == "1.2万" and count(12_345, "en") == "12,345"


def test_shares_and_percentage_points_have_one_unit_name_per_language():
    assert share(0.456) == "46%" and share(0.053) == "5.3%" and share(0.05) == "5%"
    assert points(0.15) == "+15 pp" and points(-0.03) == "−3 pp"
    assert points(0.15, "zh") == "+15 个百分点"
    assert format_value("alive_week12", 0.15, "en", signed=True) == "+15 pp"
    assert format_value("lurker_share", -0.2, "zh", signed=True) == "−20 个百分点"


def test_units_in_both_languages():
    assert format_value("lifetime_days", 42, "en") == "42 days"
    assert format_value("lifetime_days", 42, "zh") == "42 天"
    assert format_value("lifetime_days", -3, "en", signed=True) == "−3 days"
    assert format_value("lifetime_days", 1, "en") == "1 day"
    assert format_value("lifetime_days", -1, "en", signed=True) == "−1 day"
    assert format_value("roi", 1.291) == "1.29×"
    assert format_value("budget_exhausted_day", 5, "zh") == "第 5 天"
    assert format_value("total_gmv", float("nan")) == "–"
    assert format_value("not_a_metric", 0.5) == "0.50"
    with pytest.raises(ValueError, match="unknown unit 'furlongs'"):
        number(1.0, "furlongs")


def test_an_empty_range_collapses():
    assert with_range("lifetime_days", 84, 84, 84) == "84 days"
    assert with_range("lifetime_days", 60, 21, 84) == "60 days [21 days – 84 days]"
    assert with_range("gross_profit", 0.4, 0.2, 0.45) == "¥0"
    assert with_range("gross_profit", -500, -2000, 1000, signed=True) == \
        "−¥500 [−¥2,000 – +¥1,000]"
    assert with_range("roi", float("nan"), float("nan"), float("nan")) == "–"
    assert span("84 days", "84 days") == "84 days" and span("–", "–") == "–"
    assert span("1", "2", "…") == "1…2"
    assert span("−¥734", "−¥728") == "−¥734 – −¥728" and span("−¥5", "¥3") == "−¥5 – ¥3"
    assert span("¥1,200", "¥3,400") == "¥1,200–¥3,400"


def test_terminal_differences_use_the_formatter():
    paired = pd.DataFrame([
        {"plan": "b", "baseline": "a", "metric": m, "n": 5, "replicates": 5, "value": v, "low": v,
         "high": v, "mean": v}
        for m, v in [("lifetime_days", 0.0), ("alive_week12", 0.2), ("final_members", 3.0),
                     ("total_gmv", 10.0), ("total_cost", 0.0), ("gross_profit", -1491.0)]
    ])
    from rich.console import Console
    console = Console(width=200, record=True)
    for table in paired_tables(paired, 200):
        console.print(table)
    out = console.export_text()
    assert "−¥1,491" in out and "¥-" not in out
    assert "+20 pp" in out and "pts" not in out
    assert "+20 pp…+20 pp" not in out  # an empty range collapses


def test_no_output_module_formats_money_by_hand():
    outputs = Path(__file__).resolve().parent.parent / "experiments" / "outputs"
    hand = re.compile(r'f"[^"]*¥\{|tickprefix="¥"|" pts"|" pp"')
    offenders = [f"{p.name}:{i}" for p in outputs.glob("*.py") if p.name != "formatting.py"
                 for i, line in enumerate(p.read_text().splitlines(), 1) if hand.search(line)]
    assert offenders == [], offenders
    assert MINUS == "\u2212" and not math.isnan(0.0)


def test_plain_numbers_are_readable():
    from experiments.outputs.formatting import readable
    assert readable(12345.6) == "12,346"
    assert readable(-0.1234) == "−0.123"
    assert readable(-0.0) == "0"
    assert readable(float("nan")) == "–"
    assert readable(3) == "3"


def test_a_value_and_its_band_share_one_form_and_never_print_alike():
    # 12,600 and 13,400 both read "¥1.3万" alone: the band was hidden ("¥1.3万")
    assert with_range("total_gmv", 13_000, 12_600, 13_400, "zh") == "¥1.30万 [¥1.26万 – ¥1.34万]"
    # one cell mixed digits and 万 ("¥1.1万 [¥9,800 – ¥1.2万]")
    assert with_range("total_gmv", 11_000, 9_800, 12_000, "zh") == "¥11,000 [¥9,800 – ¥12,000]"
    assert with_range("total_gmv", 123_456, 123_455, 123_457, "zh") == \
        "¥12.3456万 [¥12.3455万 – ¥12.3457万]"
    # a difference and its interval
    assert together([13_000, 12_600, 13_400], "money", "zh", signed=True) == \
        ["+¥1.30万", "+¥1.26万", "+¥1.34万"]
    assert together([-30_000, -120_000, 0], "money", "zh", signed=True) == \
        ["−¥3.0万", "−¥12.0万", "¥0"]
    assert together([0.456, 0.455, 0.464], "share") == ["45.6%", "45.5%", "46.4%"]
    assert together([0.053, 0.12], "share") == ["5%", "12%"]  # one number of decimals
    assert together([1.291, 1.294], "multiple") == ["1.291×", "1.294×"]
    assert together([60.5, 60, 61], "days") == ["60.5 days", "60.0 days", "61.0 days"]
    # values alike as far as the unit goes keep their own form; a value alone is as it was
    assert together([125_000, 125_000.3], "money", "zh") == ["¥12.5万", "¥12.5万"]
    assert together([float("nan"), 12_600], "count", "zh") == ["–", "1.3万"]
    assert money(12_600, "zh") == "¥1.3万" and money(13_400, "zh") == "¥1.3万"
    with pytest.raises(ValueError, match="unknown unit 'furlongs'"):
        together([1.0, 2.0], "furlongs")


def _form(shown: str) -> tuple[str, int]:
    """What a formatted number's form is: its compact suffix and its number of decimals (the
    unit's word in the singular: "1 day" and "2 days" are one form)."""
    digits = re.search(r"[\d,]+(?:\.(\d+))?", shown)
    return shown[digits.end():].strip().removesuffix("s"), len(digits.group(1) or "")


@given(st.lists(st.floats(-3e8, 3e8, allow_nan=False), min_size=2, max_size=4),
       st.sampled_from(sorted(FINEST)), st.sampled_from(["en", "zh"]), st.booleans())
def test_values_read_together_differ_where_they_differ_in_one_form(values, unit, lang, signed):
    shown = together(values, unit, lang, signed)
    finest = together(values, unit, "en", signed=False)  # whole digits, no 万: what differs
    if len(set(finest)) > 1:
        for (a, x), (b, y) in [(p, q) for p in zip(finest, shown) for q in zip(finest, shown)]:
            assert a == b or x != y, (values, shown)
        forms = {_form(x) for x, v in zip(shown, values) if v != 0}
        assert len(forms) == 1, (values, shown)


def test_terminal_cells_show_a_value_and_its_range_in_one_form():
    paired = pd.DataFrame([{"plan": "b", "baseline": "a", "metric": "gross_profit", "n": 5,
                            "replicates": 5, "value": 13_000.0, "low": 12_600.0,
                            "high": 13_400.0, "mean": 13_000.0}])
    from rich.console import Console
    console = Console(width=200, record=True)
    for table in paired_tables(paired, 200, "zh"):
        console.print(table)
    out = console.export_text()
    assert "+¥1.30万" in out and "+¥1.26万…+¥1.34万" in out, out


def test_a_row_in_wan_never_shows_a_real_value_as_zero():
    """A portfolio table's GMV row read "¥0.00万 [¥0–¥0.01万]" for a median of ¥50 beside
    another portfolio's ¥3万: such a row is written in whole digits; one whose values all
    read in 万 stays in 万."""
    from experiments.outputs.formatting import together
    assert together([50, 0, 120, 31300, 30500, 32000], "money", "zh", by_largest=True) == [
        "¥50", "¥0", "¥120", "¥31,300", "¥30,500", "¥32,000"]
    assert together([8900, 7600, 11500, 32000], "money", "zh", by_largest=True)[0] == "¥0.9万"
