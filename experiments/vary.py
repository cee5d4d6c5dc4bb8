"""`--vary PATH=SPEC`: a plan field and the values a sweep, sensitivity run or plan search gives it.

PATH is a `--set` path (`host.ip_strength`, `calendar[red_packet].amount`). SPEC is `a:b:n`
(n evenly spaced values from a to b), `a,b,c` (listed values) or `a:b` (a range, for designs
that sample it). Integer fields get whole numbers. Every value, and both ends of a range, are
checked against the plan's schema at parse time, so a bad range fails before anything runs.
"""

import types
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

import numpy as np
import yaml
from pydantic import BaseModel

from scenarios.loader import PlanError, get_path, set_path, validate_dict
from scenarios.schema import Plan


@dataclass(frozen=True)
class Vary:
    """A varied field: listed `values` (from `a,b,c` or `a:b:n`), or a range `low`..`high`."""

    path: str
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    integer: bool = False

    @property
    def is_range(self) -> bool:
        return not self.values

    def at(self, x: float) -> int | float:
        """The field's value for `x` in the range: integers rounded, floats to 10 digits."""
        return int(round(x)) if self.integer else float(f"{x:.10g}")


def parse_vary(text: str, base: Plan) -> Vary:
    """Parse one `--vary PATH=SPEC` against the base plan; `PlanError` names what is wrong."""
    path, sep, spec = (part.strip() for part in text.partition("="))
    if not sep or not path or not spec:
        raise PlanError(
            f"Bad --vary '{text}': write PATH=a:b:n, PATH=a,b,c or PATH=a:b, "
            "e.g. host.ip_strength=0.2:0.8:4 or calendar[red_packet].amount=10,30,50."
        )
    kind = number_type(base, path)
    if "," in spec:
        values = tuple(_scalar(text, item) for item in spec.split(","))
        vary = Vary(path, values=values)
    else:
        ends = spec.split(":")
        if len(ends) not in (2, 3) or kind is None:
            raise PlanError(
                f"Bad --vary '{text}': "
                + (f"{path} is not a number field; list its values, e.g. {path}=a,b"
                   if kind is None else "write a:b:n (n values), a:b (a range) or a,b,c")
                + "."
            )
        low, high = (_number(text, end) for end in ends[:2])
        if not low < high:
            raise PlanError(f"Bad --vary '{text}': the range must go up (a < b).")
        integer = kind is int
        if integer and not (low.is_integer() and high.is_integer()):
            raise PlanError(f"Bad --vary '{text}': {path} takes whole numbers.")
        vary = Vary(path, low=low, high=high, integer=integer)
        if len(ends) == 3:
            n = _number(text, ends[2])
            if not (n.is_integer() and n >= 2):
                raise PlanError(f"Bad --vary '{text}': n in a:b:n must be a whole number >= 2.")
            grid = np.linspace(low, high, int(n))
            vary = Vary(path, values=tuple(dict.fromkeys(vary.at(x) for x in grid)))
    for value in vary.values or (vary.at(vary.low), vary.at(vary.high)):
        raw = base.model_dump(mode="json")
        set_path(raw, path, value)
        validate_dict(raw, where=f"--vary {text}")
    return vary


def number_type(plan: Plan, path: str) -> type | None:
    """`int` or `float` when `path` names a number field of `plan`, else None.

    List items (`calendar[0]`, `calendar[red_packet]`) are looked up in the plan, so a calendar
    item's field is found in its own kind. Raises `PlanError` for a path that matches nothing.
    """
    raw = plan.model_dump(mode="json")
    model: type[BaseModel] | None = Plan
    steps = path.split(".")
    field = None
    for i, step in enumerate(steps):
        key = step.partition("[")[0]
        field = model.model_fields.get(key) if model is not None else None
        if field is None:
            raise PlanError(f"Bad --vary path '{path}': '{key}' is not a plan field here.")
        if "[" in step:
            items = get_path(raw, ".".join(steps[: i + 1]))
            if i == len(steps) - 1:
                return None  # a whole list item
            model = _item_model(field.annotation, items)
        else:
            model = _model(field.annotation)
    return _number_kind(field.annotation) if field else None


def _number_kind(annotation: Any) -> type | None:
    if annotation in (int, float):
        return annotation
    if get_origin(annotation) is Annotated:
        return _number_kind(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        kinds = {_number_kind(arg) for arg in get_args(annotation)} - {None}
        return kinds.pop() if len(kinds) == 1 else None
    return None


def _model(annotation: Any) -> type[BaseModel] | None:
    for cand in (annotation, *get_args(annotation)):
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            return cand
    return None


def _item_model(annotation: Any, items: list) -> type[BaseModel] | None:
    """The model of the picked list items: a calendar kind's class, or the list's item class."""
    (item,) = get_args(annotation)
    if get_origin(item) is Annotated:
        item = get_args(item)[0]
    choices = [c for c in get_args(item) if isinstance(c, type)] or [item]
    kinds = {it.get("kind") for it in items if isinstance(it, dict)}
    for choice in choices:
        kind = choice.model_fields.get("kind") if issubclass(choice, BaseModel) else None
        if kind is None or set(get_args(kind.annotation)) >= kinds:
            return _model(choice)
    return None


def _scalar(text: str, item: str) -> Any:
    try:
        return yaml.safe_load(item)
    except yaml.YAMLError:
        raise PlanError(f"Bad --vary '{text}': '{item}' is not a valid YAML scalar.") from None


def _number(text: str, item: str) -> float:
    try:
        return float(item)
    except ValueError:
        raise PlanError(f"Bad --vary '{text}': '{item}' is not a number.") from None

