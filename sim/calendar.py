"""Compile a plan's calendar into event arrays the kernel plays hour by hour."""

from typing import NamedTuple, get_args

import numpy as np

from scenarios.schema import WEEKDAYS, CalendarItem, Plan
from sim.kernels import KINDS, RED_PACKET

# Every kind the schema accepts has a handler in the kernel, under the same name.
assert [get_args(m.model_fields["kind"].annotation)[0] for m in get_args(get_args(CalendarItem)[0])] == list(KINDS)

PREHEAT_COUNT = 20  # grabs of a flash sale's pre-heat red packet


class Events(NamedTuple):
    """Events sorted by hour since opening; `a` and `b` are the kind's `params`."""

    hour: np.ndarray
    kind: np.ndarray
    a: np.ndarray
    b: np.ndarray


def occurrence_days(item, horizon_days: int, open_weekday: str) -> list[int]:
    """Days (0-based from opening) on which a calendar item fires."""
    last = horizon_days - 1 if item.end_day is None else min(item.end_day, horizon_days - 1)
    if item.weekday is not None:
        offset = (WEEKDAYS.index(item.weekday) - WEEKDAYS.index(open_weekday)) % 7
        return [d for d in range(item.start_day, last + 1) if d % 7 == offset]
    if item.every_days is not None:
        return list(range(item.start_day, last + 1, item.every_days))
    return [item.start_day] if item.start_day <= last else []


def compile_calendar(plan: Plan) -> Events:
    rows = []
    for item in plan.calendar:
        code = KINDS.index(item.kind)
        a, b = (*(float(getattr(item, name)) for name in item.params), 0.0, 0.0)[:2]
        for day in occurrence_days(item, plan.horizon_days, plan.group.open_weekday):
            hour = day * 24 + item.hour
            if getattr(item, "preheat_red_packet", 0) > 0:
                rows.append((max(hour - 1, 0), RED_PACKET, item.preheat_red_packet, PREHEAT_COUNT))
            rows.append((hour, code, a, b))
    rows.sort(key=lambda r: (r[0], r[1]))
    arr = np.array(rows, dtype=np.float64).reshape(-1, 4)
    return Events(
        hour=arr[:, 0].astype(np.int64),
        kind=arr[:, 1].astype(np.int64),
        a=arr[:, 2].copy(),
        b=arr[:, 3].copy(),
    )
