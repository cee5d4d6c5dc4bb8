"""Numbers for people, in English and Chinese: the one formatter of the terminal, report, deck,
what-if page and chart axes. Built on Babel (grouping, percentages, 万/亿 compact numbers of the
zh_CN locale).

Conventions, the same in every output:
- a negative number takes the minus sign U+2212 before any currency sign: "−¥1,491";
- `signed=True` (differences) adds "+" to positive values;
- money: ¥12,345 in English; in Chinese ¥8,500 below ten thousand, ¥12.3万 and ¥1.2亿 above;
- shares: 46%, 5.3% below 10% (5% when whole); a difference of shares is in percentage points, "pp" in
  English and "个百分点" in Chinese (one unit name everywhere);
- a range whose ends are equal collapses to one value: "84 days", not "84 days–84 days";
- NaN (a metric no replicate defines) is "–";
- an aggregate over replicates of which only some define the metric says how many:
  "0.50 (n=1 of 20)", "0.50 (n=1/20)" in Chinese (`defined_count`).
"""

import math

from babel.numbers import format_compact_decimal, format_decimal, format_percent

from experiments.running.metrics import Lang, Unit, UnknownMetric, get

MINUS = "−"
"""U+2212, the minus sign (Babel's en and zh_CN use the hyphen-minus)."""
MISSING = "–"
LOCALES = {"en": "en_US", "zh": "zh_CN"}
POINTS = {"en": " pp", "zh": " 个百分点"}
"""The unit of a difference of shares: percentage points."""


def _sign(value: float, signed: bool) -> str:
    return MINUS if value < 0 else ("+" if signed and value > 0 else "")


def _missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


def _grouped(v: float, lang: Lang, digits: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(v, format=pattern, locale=LOCALES[lang])


def _compact(v: float, lang: Lang) -> str:
    """12.3万, 1.2亿 in Chinese from ten thousand up; grouped digits otherwise."""
    if lang == "zh" and v >= 1e4:
        return format_compact_decimal(v, locale="zh_CN", fraction_digits=1)
    return _grouped(v, lang)


def money(value: float, lang: Lang = "en", signed: bool = False) -> str:
    """Yuan: "¥12,345", "−¥1,491", "+¥1,200" (signed), "¥12.3万" / "¥1.2亿" in Chinese."""
    if _missing(value):
        return MISSING
    return f"{_sign(value, signed)}¥{_compact(abs(value), lang)}"


def share(value: float, lang: Lang = "en", signed: bool = False) -> str:
    """A fraction 0–1 as a percentage: "46%", "5.3%" below 10%; `signed` adds "+"."""
    if _missing(value):
        return MISSING
    v = abs(value)
    pattern = "#,##0.#%" if 0 < v < 0.1 else "#,##0%"
    return _sign(value, signed) + format_percent(v, format=pattern, locale=LOCALES[lang])


def points(value: float, lang: Lang = "en") -> str:
    """A difference of two shares (fractions) in percentage points: "+15 pp", "−3 个百分点"."""
    if _missing(value):
        return MISSING
    return f"{_sign(value, True)}{_grouped(abs(value) * 100, lang)}{POINTS[lang]}"


def count(value: float, lang: Lang = "en", signed: bool = False) -> str:
    """People or items: "1,234"; in Chinese "1.2万" from ten thousand up."""
    if _missing(value):
        return MISSING
    return _sign(value, signed) + _compact(abs(value), lang)


def number(value: float, unit: Unit, lang: Lang = "en", signed: bool = False) -> str:
    """`value` in `unit` (see `experiments.running.metrics.Unit`); a signed share is a
    difference, in percentage points. Raises ValueError for an unknown unit."""
    if _missing(value):
        return MISSING
    v, sign = abs(value), _sign(value, signed)
    if unit == "money":
        return money(value, lang, signed)
    if unit == "share":
        return points(value, lang) if signed else share(value, lang)
    if unit == "count":
        return count(value, lang, signed)
    if unit == "days":
        return sign + _grouped(v, lang) + (" 天" if lang == "zh" else " days")
    if unit == "day":
        return f"第 {v:.0f} 天" if lang == "zh" else f"day {v:.0f}"
    if unit == "multiple":
        return f"{sign}{_grouped(v, lang, 2)}×"
    if unit == "score":
        return sign + _grouped(v, lang, 2)
    raise ValueError(f"unknown unit '{unit}'")


def format_value(metric: str, value: float, lang: Lang = "en", signed: bool = False) -> str:
    """A summary metric's value with its unit (from the metric registry); `signed` for
    differences ("+3 days", "−¥1,200", "+5 pp"). A column that is not a registered metric is
    shown as a plain number."""
    try:
        unit = get(metric).unit
    except UnknownMetric:
        unit = "score"
    return number(value, unit, lang, signed)


def readable(value: object) -> str:
    """A plain number (an index, a lever's value) as a reader takes it in: from a thousand up
    whole with separators, else 3 significant digits; the minus sign U+2212; "–" for NaN.
    Anything but a float is shown as `str` shows it."""
    if not isinstance(value, float):
        return str(value)
    if math.isnan(value):
        return MISSING
    v = abs(value)
    digits = f"{v:,.0f}" if v >= 1000 else f"{v:.3g}"
    return (MINUS if value < 0 and digits.strip("0.") else "") + digits


def span(low: str, high: str, between: str = "–") -> str:
    """A range of two formatted values: "¥1,200–¥3,400"; one value when they are equal, "–"
    when both are missing."""
    if low == high:
        return low
    return f"{low}{between}{high}"


def with_range(metric: str, median: float, p10: float, p90: float, lang: Lang = "en",
               signed: bool = False) -> str:
    """"median [p10 – p90]" of a metric over replicates, or the median alone when the range
    formats as one value (or is NaN)."""
    value = format_value(metric, median, lang, signed)
    low, high = format_value(metric, p10, lang, signed), format_value(metric, p90, lang, signed)
    if low == high or MISSING in (low, high):
        return value
    return f"{value} [{low} – {high}]"


def defined_count(n: int, replicates: int, lang: Lang = "en") -> str:
    """" (n=1 of 20)" (" (n=1/20)" in Chinese) to write after an aggregate over `replicates`
    replicates of which only `n` define the metric; "" when all do, and when none does (the
    value is then "–", as for survival past the horizon)."""
    if n >= replicates or n == 0:
        return ""
    return f" (n={n}/{replicates})" if lang == "zh" else f" (n={n} of {replicates})"


def axis(unit: Unit | None) -> dict:
    """Plotly axis settings for ticks of a unit: money and counts as grouped digits (plotly
    draws the minus sign U+2212; the axis title names the unit, so no "¥" prefix sits before a
    minus), shares as percentages. Empty for other units."""
    if unit in ("money", "count"):
        # plotly's own precision follows the tick step, so no two ticks read the same (a fixed
        # ",.0f" turned the steps of 0.5 on a zero-range axis into 1, 1, 0, −1, −1)
        return {"separatethousands": True, "exponentformat": "none", "hoverformat": ",.0f"}
    if unit == "share":
        return {"tickformat": ".0%"}
    return {}


def unit_name(unit: Unit | None, lang: Lang = "en") -> str:
    """The word an axis title adds for a unit: "yuan" / "元" for money; empty otherwise."""
    if unit == "money":
        return "元" if lang == "zh" else "yuan"
    return ""

