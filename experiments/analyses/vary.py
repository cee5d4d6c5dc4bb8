"""`--vary PATH=SPEC`: the levers of sweeps, sensitivity runs and plan searches.

PATH is a `--set` path (`host.ip_strength`, `calendar[red_packet].amount`). SPEC is `a:b:n`
(n evenly spaced values from a to b), `a,b,c` (listed values) or `a:b` (a range, for designs
that sample it). `parse_lever` reads the text; `axis` checks a lever against a base plan for
sensitivity runs and searches: integer fields (found in the schema) get whole numbers, and the
listed values or both ends of a range must be allowed for the field, so a bad range fails
before anything runs. `from_unit` is the one way a sampled design's unit value becomes a
lever's value (every whole number of an integer range gets an equal share).
"""

import math
import types
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from experiments.running.runner import RunError
from scenarios.loader import PlanError, get_path, parse_scalar, set_path, validate_dict
from scenarios.portfolio import PortfolioFile, RawPortfolio, split_lever
from scenarios.schema import Plan


@dataclass(frozen=True)
class Lever:
    """A varied path: listed `values`, or a range `low`..`high` with `n` values (None: a range
    for sampled designs)."""

    path: str
    spec: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    n: int | None = None


def parse_lever(text: str) -> Lever:
    """`PATH=SPEC` -> Lever; `RunError` naming the forms a SPEC takes."""
    path, sep, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    forms = "a:b:n (n evenly spaced values), a,b,c (listed values) or a:b (a range, lhs/sobol)"
    if not sep or not path or not spec:
        raise RunError(f"Bad --vary '{text}': write PATH=SPEC with SPEC {forms}.")
    if "," in spec:
        return Lever(path, spec, values=tuple(
            parse_scalar(v.strip(), f"--vary '{text}'") for v in spec.split(",")))
    parts = spec.split(":")
    try:
        numbers = [float(p) for p in parts[:2]]
        n = int(parts[2]) if len(parts) == 3 else None
    except ValueError:
        numbers, n = [], None
    if len(parts) not in (2, 3) or len(numbers) != 2 or (len(parts) == 3 and (n is None or n < 1)):
        raise RunError(f"Bad --vary '{text}': SPEC must be {forms}; n a whole number >= 1.")
    if numbers[1] < numbers[0]:
        raise RunError(f"Bad --vary '{text}': the range must go from low to high.")
    return Lever(path, spec, low=numbers[0], high=numbers[1], n=n)


@dataclass(frozen=True)
class Axis:
    """A lever checked against a base plan, for sensitivity runs and plan searches: a range
    `low`..`high` (whole numbers when `integer`), or listed `values` to choose from."""

    path: str
    low: float | None = None
    high: float | None = None
    integer: bool = False
    values: tuple[Any, ...] = ()

    def at(self, u: float) -> int | float:
        """The field's value at `u` in [0, 1] of the range (see `from_unit`)."""
        return from_unit(u, self.low, self.high, self.integer)


def from_unit(u: float, low: float, high: float, integer: bool) -> int | float:
    """The value at `u` in [0, 1] of the range `low`..`high`, for sampled designs.

    Whole numbers (`integer`, with whole `low` and `high`): each of the high - low + 1 values
    takes an equal share of [0, 1] (u = 1 gives `high`), so an even sample of [0, 1] gives
    each value equally often. Otherwise low + u * (high - low), rounded to 10 decimals.
    """
    if integer:
        return int(min(math.floor(low + u * (high - low + 1)), high))
    return round(float(low + u * (high - low)), 10)


def axis(base: Plan, lever: Lever) -> Axis:
    """The lever as an axis of `base`; `PlanError` if a value or an end of the range is not
    allowed for its field (the message names the field and its allowed range)."""
    text = f"{lever.path}={lever.spec}"
    if lever.n is not None:
        raise PlanError(
            f"--vary {text}: a:b:n is a grid for sweeps; give a range a:b or values a,b,c."
        )
    if lever.values is not None:
        found = Axis(lever.path, values=lever.values)
    else:
        kind = number_type(base, lever.path)
        if kind is None:
            raise PlanError(f"--vary {text}: {lever.path} is not a number field; list its "
                            f"values instead, e.g. {lever.path}=a,b.")
        integer = kind is int
        if integer and not (lever.low.is_integer() and lever.high.is_integer()):
            raise PlanError(f"--vary {text}: {lever.path} takes whole numbers.")
        if lever.low == lever.high:
            raise PlanError(f"--vary {text}: the range is a single value.")
        found = Axis(lever.path, lever.low, lever.high, integer)
    for value in found.values or (found.at(0.0), found.at(1.0)):
        raw = base.model_dump(mode="json")
        set_path(raw, lever.path, value)
        validate_dict(raw, where=f"--vary {text}")
    return found


def check_distinct(levers: Sequence[Axis]) -> None:
    """`RunError` unless every lever names another path."""
    paths = [lever.path for lever in levers]
    twice = sorted({path for path in paths if paths.count(path) > 1})
    if twice:
        raise RunError(f"--vary names {', '.join(twice)} twice; give each path once.")


def number_type(base: Plan | RawPortfolio, path: str) -> type | None:
    """`int` or `float` when `path` names a number field of `base`, else None.

    A plan's fields come from the Plan schema; a portfolio's (`RawPortfolio`) from the
    PortfolioFile schema (`pool.size`, `groups[tz].copies`), and a group's plan lever
    (`groups[tz].set.members.initial`) from the Plan schema, in the first picked group's plan.
    List items (`calendar[0]`, `calendar[red_packet]`, `hosts[amei]`) are looked up in the file,
    so a calendar item's field is found in its own kind. Raises `PlanError` for a path that
    matches nothing.
    """
    if isinstance(base, RawPortfolio):
        head, lever = split_lever(path, "--vary")
        if lever:
            return number_type(base.group_plan(head), lever)
        return _schema_type(base.raw, PortfolioFile, path, "portfolio")
    return _schema_type(base.model_dump(mode="json"), Plan, path, "plan")


def _schema_type(raw: dict[str, Any], root: type[BaseModel], path: str, what: str
                 ) -> type | None:
    """`number_type` of `path` in `raw`, a file of the `root` model (a `what`)."""
    model: type[BaseModel] | None = root
    steps = path.split(".")
    field = None
    for i, step in enumerate(steps):
        key = step.partition("[")[0]
        field = model.model_fields.get(key) if model is not None else None
        if field is None:
            raise PlanError(f"Bad --vary path '{path}': '{key}' is not a {what} field here.")
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
