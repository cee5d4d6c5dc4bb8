import re
from string import Formatter

import pytest

from experiments.outputs.formatting import format_value, money
from experiments.outputs.i18n import LANGS, TEXT, label, text
from experiments.running.metrics import METRICS

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


@pytest.mark.parametrize("key", TEXT)
def test_every_text_has_both_languages_with_the_same_fields(key):
    en, zh = TEXT[key]
    assert en and zh
    assert _fields(en) == _fields(zh)
    assert CJK.search(zh), f"{key}: the Chinese text has no Chinese"


@pytest.mark.parametrize("metric", METRICS)
def test_every_metric_has_a_chinese_label(metric):
    assert CJK.search(label(metric, "zh")) and label(metric, "en")


def test_practitioners_terms():
    assert label("gross_profit", "zh") == "毛利"
    assert label("total_cost", "zh") == "激励成本"
    assert "成交额" in label("total_gmv", "zh")
    assert "存活率" in text("survival", "zh") and "成员数" in text("members", "zh")
    assert "活跃发言人数" in text("weekly_posters", "zh")


def test_money_in_chinese_uses_wan_and_yi():
    assert money(8500, "zh") == "¥8,500"
    assert money(123_000, "zh") == "¥12.3万"
    assert money(-15_000, "zh") == "−¥1.5万"
    assert money(250_000_000, "zh") == "¥2.5亿"
    assert money(123_000, "en") == "¥123,000"
    assert money(1200, "en", signed=True) == "+¥1,200"


def test_every_number_has_its_unit():
    assert format_value("roi", 1.291, "en") == "1.29×"
    assert format_value("lifetime_days", 42, "en") == "42 days"
    assert format_value("lifetime_days", 42, "zh") == "42 天"
    assert format_value("lifetime_days", -3, "en", signed=True) == "−3 days"
    assert format_value("lurker_share", 0.456, "zh") == "46%"
    assert format_value("alive_week12", 0.15, "en", signed=True) == "+15 pp"
    assert format_value("total_gmv", float("nan"), "en") == "–"
    assert all(lang in LANGS for lang in ("en", "zh"))
