"""Compile a plan's calendar into event arrays the kernel plays hour by hour."""

from typing import NamedTuple

import numpy as np

from scenarios.schema import WEEKDAYS, Plan

KINDS = (
    "red_packet", "lucky_draw", "checkin", "coupon", "flash_sale", "jielong", "daily_report",
    "topic", "lecture_guest", "lecture_native", "meetup", "notice", "cleanup",
)
(RED_PACKET, LUCKY_DRAW, CHECKIN, COUPON, FLASH_SALE, JIELONG, DAILY_REPORT, TOPIC,
 LECTURE_GUEST, LECTURE_NATIVE, MEETUP, NOTICE, CLEANUP) = range(len(KINDS))


class Events(NamedTuple):
    """Events sorted by hour since opening; `a` and `b` are the kind's parameters."""

    hour: np.ndarray
    kind: np.ndarray
    a: np.ndarray
    b: np.ndarray


def _params(item) -> tuple[int, float, float]:
    """(kind code, a, b) of one calendar item."""
    match item.kind:
        case "red_packet":
            return RED_PACKET, item.amount, item.count
        case "lucky_draw":
            return LUCKY_DRAW, item.amount, item.count
        case "checkin":
            return CHECKIN, item.reward, 0.0
        case "coupon":
            return COUPON, item.discount, item.valid_hours
        case "flash_sale":
            return FLASH_SALE, item.discount, item.stock
        case "jielong":
            return JIELONG, item.discount, item.hours_open
        case "lecture":
            return (LECTURE_GUEST if item.by == "guest" else LECTURE_NATIVE), 0.0, 0.0
        case "meetup":
            return MEETUP, item.capacity, 0.0
        case "cleanup":
            return CLEANUP, item.inactive_days, 0.0
        case _:
            return KINDS.index(item.kind), 0.0, 0.0


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
        code, a, b = _params(item)
        for day in occurrence_days(item, plan.horizon_days, plan.group.open_weekday):
            hour = day * 24 + item.hour
            if code == FLASH_SALE and item.preheat_red_packet > 0:
                rows.append((max(hour - 1, 0), RED_PACKET, item.preheat_red_packet, 20.0))
            rows.append((hour, code, a, b))
    rows.sort(key=lambda r: (r[0], r[1]))
    arr = np.array(rows, dtype=np.float64).reshape(-1, 4)
    return Events(
        hour=arr[:, 0].astype(np.int64),
        kind=arr[:, 1].astype(np.int64),
        a=arr[:, 2].copy(),
        b=arr[:, 3].copy(),
    )
