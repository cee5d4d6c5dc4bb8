"""Hypothesis strategies for plans, derived from the pydantic schema's fields and bounds.

Every lever is drawn across the range its field declares; `CAPS` only narrows a few sizes so a
replicate stays small and fast. The schema's cross-field rules (one rhythm per calendar item,
end_day >= start_day, content shares summing to at most 1, the cost of goods stated as
unit_cost or margin, not both) are mended after drawing.
"""

import types
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from scenarios.schema import Plan

# dotted path -> largest value drawn (the schema allows more; these keep a replicate small:
# QR influx brings spammers, up to 3,000 of them, each a slot in every per-hour loop)
CAPS: dict[str, float] = {
    "growth.qr_influx_per_day": 40.0,
    "group.weeks": 12,
    "pool.size": 60,
    "members.initial": 40,
    "members.shills": 8,
    "members.connectors": 12,
    "members.native_kols": 6,
}
MAX_CALENDAR = 8


def bounds(metadata: list[Any]) -> tuple[Any, Any, bool, bool]:
    """(low, high, low excluded, high excluded) from pydantic's field metadata."""
    lo = hi = None
    lo_open = hi_open = False
    for m in metadata:
        for name, is_low, is_open in (("ge", True, False), ("gt", True, True),
                                      ("le", False, False), ("lt", False, True)):
            value = getattr(m, name, None)
            if value is None:
                continue
            if is_low:
                lo, lo_open = value, is_open
            else:
                hi, hi_open = value, is_open
    return lo, hi, lo_open, hi_open


def for_annotation(annotation: Any, metadata: list[Any], path: str) -> st.SearchStrategy:
    """A strategy for any value a field with this annotation and metadata accepts."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        inner = [m for e in extra for m in (e.metadata if isinstance(e, FieldInfo) else [e])]
        if any(getattr(e, "discriminator", None) for e in extra):
            return for_annotation(base, [], path)
        return for_annotation(base, [*metadata, *inner], path)
    if origin in (Union, types.UnionType):
        return st.one_of(*(for_annotation(a, metadata, path) for a in get_args(annotation)))
    if annotation is type(None):
        return st.none()
    if origin is Literal:
        return st.sampled_from(get_args(annotation))
    if origin is list:
        (item,) = get_args(annotation)
        size = MAX_CALENDAR if path == "calendar" else 3
        return st.lists(for_annotation(item, [], path), max_size=size)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return st.sampled_from([e.value for e in annotation])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return for_model(annotation, path)
    if annotation is bool:
        return st.booleans()
    if annotation is str:
        return st.just("fuzz")
    lo, hi, lo_open, hi_open = bounds(metadata)
    if annotation is int:
        lo = lo + 1 if lo is not None and lo_open else lo
        hi = min(hi, CAPS[path]) if path in CAPS else hi
        return st.integers(lo, hi)
    if annotation is float:
        hi = min(hi, CAPS[path]) if path in CAPS else hi
        return st.floats(lo, hi, exclude_min=lo_open, exclude_max=hi_open,
                         allow_nan=False, allow_infinity=False)
    raise TypeError(f"no strategy for {path}: {annotation!r}")


def for_model(model: type[BaseModel], path: str = "") -> st.SearchStrategy[dict]:
    """A dict with every field of `model` drawn from its declared range."""
    return st.fixed_dictionaries({
        name: for_annotation(field.annotation, field.metadata, f"{path}.{name}".lstrip("."))
        for name, field in model.model_fields.items()
    })


@st.composite
def plans(draw) -> Plan:
    """A random valid plan: every lever across its schema range, a calendar of 0-8 items."""
    raw = draw(for_model(Plan))
    for item in raw["calendar"]:
        if item["every_days"] is not None and item["weekday"] is not None:
            item[draw(st.sampled_from(["every_days", "weekday"]))] = None
        if item["end_day"] is not None and item["end_day"] < item["start_day"]:
            item["start_day"], item["end_day"] = item["end_day"], item["start_day"]
    content = raw["content"]
    if content["product_share"] + content["interaction_share"] > 1:
        content["interaction_share"] = 1 - content["product_share"]
    economics = raw["economics"]
    if economics["unit_cost"] is not None and economics["margin"] is not None:
        economics[draw(st.sampled_from(["unit_cost", "margin"]))] = None
    return Plan.model_validate(raw)
