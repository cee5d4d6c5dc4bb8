"""One formatter for every output (experiments/outputs/formatting.py)."""

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from experiments.outputs.formatting import (
    MINUS, count, format_value, money, number, points, share, span, with_range,
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
