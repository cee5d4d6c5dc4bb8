"""Compile a plan's calendar into event arrays the kernel plays hour by hour."""

from typing import NamedTuple

import numpy as np

from scenarios.schema import WEEKDAYS, Plan, Timing
from sim.events import KINDS, MAX_PARAMS, PARAMS

PREHEAT_COUNT = 20  # grabs of a flash sale's pre-heat red packet


class Events(NamedTuple):
    """n events sorted by (hour since opening, kind code).

    hour: (n,) int64; kind: (n,) int64 codes of `sim.events.KINDS`; params: (n, MAX_PARAMS)
    float64, the schema fields each kind's handler reads, in `sim.events.PARAMS` order.
    """

    hour: np.ndarray
    kind: np.ndarray
    params: np.ndarray


def occurrence_days(item: Timing, horizon_days: int, open_weekday: str) -> list[int]:
    """Days (0-based from opening) on which a calendar item fires, within the horizon."""
    last = horizon_days - 1 if item.end_day is None else min(item.end_day, horizon_days - 1)
    if item.weekday is not None:
        offset = (WEEKDAYS.index(item.weekday) - WEEKDAYS.index(open_weekday)) % 7
        return [d for d in range(item.start_day, last + 1) if d % 7 == offset]
    if item.every_days is not None:
        return list(range(item.start_day, last + 1, item.every_days))
    return [item.start_day] if item.start_day <= last else []


def _row(hour: int, kind: str, values: dict[str, float]) -> tuple:
    params = [float(values[name]) for name in PARAMS[kind]]
    return (hour, KINDS.index(kind), *params, *[0.0] * (MAX_PARAMS - len(params)))


def compile_calendar(plan: Plan) -> Events:
    """Every firing of the plan's calendar items over its horizon, as `Events`.

    A flash sale's `preheat_red_packet` adds a red packet (that many yuan, `PREHEAT_COUNT`
    grabs) the hour before.
    """
    rows = []
    for item in plan.calendar:
        values = {name: getattr(item, name) for name in PARAMS[item.kind]}
        for day in occurrence_days(item, plan.horizon_days, plan.group.open_weekday):
            hour = day * 24 + item.hour
            if getattr(item, "preheat_red_packet", 0) > 0:
                rows.append(_row(max(hour - 1, 0), "red_packet",
                                 {"amount": item.preheat_red_packet, "count": PREHEAT_COUNT}))
            rows.append(_row(hour, item.kind, values))
    rows.sort(key=lambda r: (r[0], r[1]))
    arr = np.array(rows, dtype=np.float64).reshape(-1, 2 + MAX_PARAMS)
    return Events(hour=arr[:, 0].astype(np.int64), kind=arr[:, 1].astype(np.int64),
                  params=np.ascontiguousarray(arr[:, 2:]))
