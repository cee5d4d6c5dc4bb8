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
- values read together (a median and its band's ends, a difference and its interval, a range's
  two ends: `together`) share one form and as many decimals as tell them apart:
  "¥1.30万 [¥1.26万 – ¥1.34万]", never "¥1.3万 [¥1.3万]"; "¥9,800 – ¥12,000", never
  "¥9,800 – ¥1.2万". A value alone keeps its own form;
- NaN (a metric no replicate defines) is "–";
- an aggregate over replicates of which only some define the metric says how many:
  "0.50 (n=1 of 20)", "0.50 (n=1/20)" in Chinese (`defined_count`).
"""

import math
from collections.abc import Sequence
from functools import cache

from babel import Locale
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


def _fixed(value: float, unit: Unit, lang: Lang, signed: bool, decimals: int,
           scale: float = 1.0, suffix: str = "") -> str:
    """`value` in `unit` with exactly `decimals` decimals; money and counts divided by `scale`
    and followed by `suffix` (a compact form: "1.26万")."""
    if _missing(value):
        return MISSING
    v, sign = abs(value), _sign(value, signed)
    if unit in ("money", "count"):
        digits = ("#,##0" if scale == 1 else "0") + ("." + "0" * decimals if decimals else "")
        shown = format_decimal(v / scale, format=digits, locale=LOCALES[lang]) + suffix
        return sign + ("¥" if unit == "money" else "") + shown
    if unit == "share":
        if signed:
            return f"{_sign(value, True)}{_grouped(v * 100, lang, decimals)}{POINTS[lang]}"
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
        return sign + format_percent(v, format=pattern, locale=LOCALES[lang])
    if unit == "days":
        digits = _grouped(v, lang, decimals)
        return sign + digits + (" 天" if lang == "zh" else " day" if digits == "1" else " days")
    if unit == "day":
        return f"第 {v:.{decimals}f} 天" if lang == "zh" else f"day {v:.{decimals}f}"
    if unit == "multiple":
        return f"{sign}{_grouped(v, lang, decimals)}×"
    if unit == "score":
        return sign + _grouped(v, lang, decimals)
    raise ValueError(f"unknown unit '{unit}'")


def _own_decimals(unit: Unit, largest: float, scale: float, signed: bool) -> int:
    """The decimals `number` gives a value of magnitude `largest` (in a compact form of
    `scale` for money and counts)."""
    if unit in ("multiple", "score"):
        return 2
    if unit in ("money", "count"):
        return 1 if scale > 1 else 0
    return 1 if unit == "share" and not signed and 0 < largest < 0.1 else 0


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
    return _fixed(value, "share", lang, True, 0)


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
    if unit == "money":
        return money(value, lang, signed)
    if unit == "share" and not signed:
        return share(value, lang)
    if unit == "count":
        return count(value, lang, signed)
    return _fixed(value, unit, lang, signed, _own_decimals(unit, abs(value), 1.0, signed))


FINEST = {"money": 0, "count": 0, "share": 1, "days": 1, "day": 1, "multiple": 3, "score": 3}
"""Decimals `together` goes to at most, per unit: values that differ no further (in whole yuan
or people, 0.1% or 0.1 percentage point, 0.1 day, 0.001 of a multiple or score) print alike.
Money in 万 or 亿 may take as many decimals as make whole units; counts up to
`COMPACT_COUNT_DECIMALS`."""
COMPACT_COUNT_DECIMALS = 2
"""Decimals a count takes at most in 万 or 亿 ("1.53万"); counts that differ further are whole."""


@cache
def _scales(lang: Lang) -> tuple[tuple[float, float, str], ...]:
    """(from, scale, suffix) of the locale's short compact forms, largest first, as Babel's
    locale data has them: in Chinese (1e12, 1e12, "万亿"), (1e8, 1e8, "亿"), (1e4, 1e4, "万")."""
    patterns = Locale.parse(LOCALES[lang]).compact_decimal_formats["short"]["other"]
    out = []
    for start, pattern in patterns.items():
        suffix = pattern.suffix[0]
        if suffix and lang == "zh":  # English keeps whole digits ("¥123,000", not "¥123K")
            out.append((float(start), float(start) / 10 ** (pattern.pattern.count("0") - 1),
                        suffix))
    return tuple(sorted(set(out), reverse=True))


def _scale(magnitude: float, lang: Lang) -> tuple[float, str]:
    """The compact scale and suffix a value of `magnitude` takes: (1e4, "万") for ¥12,600 in
    Chinese; (1, "") below ten thousand and in English."""
    return next(((scale, suffix) for start, scale, suffix in _scales(lang) if magnitude >= start),
                (1.0, ""))


TINY_IN_COMPACT = 0.01
"""A row in 万 (`together`'s `by_largest`) holds no non-zero value below this share of 万: it
would read as zero ("¥0.00万" for ¥50), so such a row is written in whole digits."""


def together(values: Sequence[float], unit: Unit, lang: Lang = "en",
             signed: bool = False, by_largest: bool = False) -> list[str]:
    """Values read side by side — a median and its band's ends, a difference and its interval,
    a range's two ends — formatted in one form, one string per value, in order.

    One form: money and counts all in 万 (or 亿) when every non-zero value reaches it, else all
    in whole digits ("¥9,800 – ¥12,000"); every value with the same number of decimals. Those
    start where the largest value alone would have them (1 in 万, none in whole yuan, 1 for a
    share below 10%) and grow until values that differ (as far as `FINEST` tells) print
    differently: 12,600, 13,000 and 13,400 yuan are "¥1.26万", "¥1.30万", "¥1.34万" in Chinese.
    Counts take at most `COMPACT_COUNT_DECIMALS` in 万: people or scans that differ further are
    whole ("15,264 [15,230–15,379]", never "1.5264万"). Values that print alike at `FINEST` keep
    each its own form (`number`), as does zero in a compact form ("¥0"). NaN is "–". Raises
    ValueError for an unknown unit.

    `by_largest` (a table's row or column, which reads like a 万元 column): the largest value
    sets the form, so a row with any value from ten thousand up is in 万 ("¥3.20万" beside
    "¥0.89万"), not whole digits beside rows in 万.
    """
    if unit not in FINEST:
        raise ValueError(f"unknown unit '{unit}'")
    present = [abs(v) for v in values if not _missing(v)]
    finest = [_fixed(v, unit, lang, signed, FINEST[unit]) for v in values]
    if len(set(finest) - {MISSING}) <= 1:
        return [number(v, unit, lang, signed) for v in values]
    forms = [(1.0, "")]
    if unit in ("money", "count"):
        nonzero = [v for v in present if v > 0]
        forms = [_scale(max(nonzero) if by_largest else min(nonzero), lang), (1.0, "")]
    for scale, suffix in dict.fromkeys(forms):  # the compact form, else whole digits
        if scale > 1 and any(0 < v < scale * TINY_IN_COMPACT for v in present):
            continue  # ¥50 beside ¥3万 would read "¥0.00万": the row goes whole instead
        start = _own_decimals(unit, max(present), scale, signed)
        last = max(start, FINEST[unit] + round(math.log10(scale)))
        if unit == "count" and scale > 1:
            last = min(last, COMPACT_COUNT_DECIMALS)
        for decimals in range(start, last + 1):
            shown = [_fixed(v, unit, lang, signed, decimals, scale, suffix) if v != 0
                     else number(v, unit, lang, signed) for v in values]
            if len(set(zip(finest, shown))) == len(set(shown)):
                return shown
    return shown


def metric_unit(metric: str) -> Unit:
    """A summary metric's unit from the metric registry, or a portfolio outcome's
    (`experiments.running.portfolio.BAND`: a portfolio sweep's columns); "score" (a plain
    number) for any other column."""
    try:
        return get(metric).unit
    except UnknownMetric:
        from experiments.running.portfolio import BAND  # the engine: loaded only for these
        return BAND.get(metric, "score")


def format_value(metric: str, value: float, lang: Lang = "en", signed: bool = False) -> str:
    """A summary metric's value with its unit (`metric_unit`); `signed` for differences
    ("+3 days", "−¥1,200", "+5 pp")."""
    return number(value, metric_unit(metric), lang, signed)


def format_values(metric: str, values: Sequence[float], lang: Lang = "en",
                  signed: bool = False) -> list[str]:
    """Values of a summary metric read together (`together`), in its unit (`metric_unit`)."""
    return together(values, metric_unit(metric), lang, signed)


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
    """A range of two formatted values: "¥1,200–¥3,400"; spaced when an end is negative
    ("−¥734 – −¥728", not "−¥734–−¥728"); one value when they are equal, "–" when both are
    missing."""
    if low == high:
        return low
    if between == "–" and (low.startswith(MINUS) or high.startswith(MINUS)):
        between = " – "
    return f"{low}{between}{high}"


def with_range(metric: str, median: float, p10: float, p90: float, lang: Lang = "en",
               signed: bool = False) -> str:
    """"median [p10 – p90]" of a metric over replicates in one form (`together`), or the median
    alone when the range formats as one value (or is NaN)."""
    value, low, high = format_values(metric, [median, p10, p90], lang, signed)
    if low == high or MISSING in (low, high):
        return format_value(metric, median, lang, signed)
    return f"{value} [{low} – {high}]"


def defined_count(n: int, replicates: int, lang: Lang = "en") -> str:
    """" (n=1 of 20)" (" (n=1/20)" in Chinese) to write after an aggregate over `replicates`
    replicates of which only `n` define the metric; "" when all do, and when none does (the
    value is then "–", as for survival past the horizon)."""
    if n >= replicates or n == 0:
        return ""
    return f" (n={n}/{replicates})" if lang == "zh" else f" (n={n} of {replicates})"


WHOLE_TICKS = 10
"""A count axis whose values span less than this ticks every whole number: plotly's own step
would be 0.5 or 0.2 (2.5 copies alive)."""


def axis(unit: Unit | None, values: Sequence[float] = ()) -> dict:
    """Plotly axis (or colour bar) settings for ticks of a unit: money and counts as grouped
    digits (plotly draws the minus sign U+2212; the axis title names the unit, so no "¥" prefix
    sits before a minus), counts on whole numbers when the drawn `values` span less than
    `WHOLE_TICKS`, shares as percentages from 0 to 100% (an axis of shares all 1 spanned 0 to
    200%). Empty for other units."""
    if unit in ("money", "count"):
        # plotly's own precision follows the tick step, so no two ticks read the same (a fixed
        # ",.0f" turned the steps of 0.5 on a zero-range axis into 1, 1, 0, −1, −1)
        out = {"separatethousands": True, "exponentformat": "none", "hoverformat": ",.0f"}
        present = [v for v in values if not _missing(v)]
        if unit == "count" and present and max(present) - min(present) < WHOLE_TICKS:
            out |= {"tick0": 0, "dtick": 1}
        return out
    if unit == "share":
        return {"tickformat": ".0%", "hoverformat": ".1%", "range": [0, 1.03]}
    return {}


def unit_name(unit: Unit | None, lang: Lang = "en") -> str:
    """The word an axis title adds for a unit: "yuan" / "元" for money; empty otherwise."""
    if unit == "money":
        return "元" if lang == "zh" else "yuan"
    return ""

