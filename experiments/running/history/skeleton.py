"""`history-plan.yaml`: a plan skeleton read off an imported history.

Day 0 of the skeleton is the export's first local day. What it infers: platform, open weekday,
horizon, initial members, host capacity, QR influx, and calendar items from the host's recurring
events (red packets, 接龙 openings, daily reports). An item recurs daily when it falls at the
same hour on at least `DAILY_SHARE` of the days between its first and last time, weekly when it
falls on the same weekday and hour in at least `DAILY_SHARE` of those weeks; both need
`MIN_REPEATS` times. Everything else keeps the plan's defaults and is listed in a comment.
"""

import math
import textwrap
from typing import Any

import numpy as np
import pandas as pd
import yaml

from experiments.running.history.formats.base import app
from scenarios.loader import validate_dict
from scenarios.schema import HOST_ACCOUNTS, PLATFORM_CAP, WEEKDAYS, Platform

MIN_REPEATS = 3
DAILY_SHARE = 0.6
MAX_DAY = 365
"""The schema's last calendar day."""
PLATFORM_WHY = {
    "wechat": "the export is WeChat's",
    "qq": "the export is QQ's",
}
OTHER_PLATFORM_WHY = (
    "{app} has no plan platform of its own; qq is the one whose cap (3000) does not bind a "
    "group that {app} would let grow past WeChat's 500, and like WeChat (not WeCom) it has no "
    "automatic answers"
)
NOT_INFERRED = (
    "pool: size, segments, interest, relation to the host, friendships, money sensitivity",
    "host: ip_strength, ip_match, responsiveness, operator, prewarm_days",
    "members: lurker_share, roles (connectors, KOLs, complainers, shills), clustered",
    "group: type and topic_value; content: product and interaction shares",
    "growth: referral rewards, early-join discounts, fee; rules; economics (prices, budget)",
    "calendar: 接龙 discounts, flash sales, coupons, lectures, check-ins (no export states them)",
)


def skeleton(events: pd.DataFrame, observed: pd.DataFrame, tz: str, apps: list[str],
             platform: str, initial: int, opened: bool, host_reason: str) -> tuple[str, list[str]]:
    """The skeleton's YAML text (validated by `scenarios.loader`) and the notes in its comment.

    `events` has UTC `time`, local `date` and `host`; `apps` are the formats' names.
    """
    notes: list[str] = []
    n_days = len(observed)
    first = pd.Timestamp(observed["date"].iloc[0])
    weeks = min(52, max(1, math.ceil(n_days / 7)))
    if n_days > 52 * 7:
        notes.append(f"the history has {n_days} days; the plan's horizon is at most 52 weeks")
    cap = PLATFORM_CAP[Platform(platform)] - HOST_ACCOUNTS  # the host holds an account too
    if initial > cap:
        notes.append(f"{initial} initial members and the host exceed the {platform} cap; "
                     f"set to {cap}")
        initial = cap
    host = events[events["host"]]
    local = host["time"].dt.tz_convert(tz)
    hosts_day = ((host["date"] - first).dt.days).to_numpy()
    hours = local.dt.hour.to_numpy()
    w0 = first.weekday()

    calendar: list[dict[str, Any]] = []
    packets = (host["kind"] == "red_packet").to_numpy()
    for item, rows in _recurring(hosts_day[packets], hours[packets], w0):
        amounts = host["amount"].to_numpy()[packets][rows]
        counts = host["count"].to_numpy()[packets][rows]
        known = [a for a in amounts if not pd.isna(a)]
        entry = {"kind": "red_packet", **item}
        if known:
            entry["amount"] = float(np.median(known))
        else:
            notes.append(f"red packet at {item['hour']}:00: amount not shown in the export "
                         "(default kept)")
        known_counts = [c for c in counts if not pd.isna(c)]
        if known_counts:
            entry["count"] = int(np.median(known_counts))
        calendar.append(entry)
    opens = (host["label"] == "jielong_list").to_numpy()
    if opens.any():
        open_hours = _hours_open(events)
        for item, _ in _recurring(hosts_day[opens], hours[opens], w0):
            entry = {"kind": "jielong", **item}
            if open_hours is not None:
                entry["hours_open"] = open_hours
            calendar.append(entry)
    reports = (host["label"] == "report").to_numpy()
    for item, _ in _recurring(hosts_day[reports], hours[reports], w0):
        calendar.append({"kind": "daily_report", **item})

    routine = (host["kind"] == "message") & host["label"].isna()
    routine_per_day = host.loc[routine, "date"].value_counts().reindex(
        pd.to_datetime(observed["date"]), fill_value=0).to_numpy()
    capacity = int(min(60, max(round(float(routine_per_day.mean())), int(routine_per_day.any()))))
    qr = (events["kind"] == "join") & (events["method"] == "qr") & ~events["host"]
    qr_per_day = round(float(qr.sum()) / n_days, 2)

    plan: dict[str, Any] = {
        "name": "history",
        "description": f"skeleton from an imported {', '.join(apps)} history of {n_days} days "
                       f"from {first.date()}",
        "group": {"platform": platform, "open_weekday": WEEKDAYS[w0], "weeks": weeks},
        "host": {"capacity": capacity},
        "members": {"initial": initial},
    }
    if qr_per_day > 0:
        plan["growth"] = {"qr_influx_per_day": min(qr_per_day, 500.0)}
        if not (events["kind"] == "kick").any():  # no spammer was removed: none came
            plan["growth"]["influx_spammer_share"] = 0.0
            notes.append("growth.qr_influx_per_day counts the export's QR joins (scans of a "
                         "code someone shared); no one was removed, so influx_spammer_share is "
                         "0 (the model's default brings spammers with strangers' scans)")
    if calendar:
        plan["calendar"] = calendar
    validate_dict(plan, where="the history skeleton")

    native = app(apps[0]) in ("WeChat", "QQ")  # the import refuses files of several apps
    why = PLATFORM_WHY[platform] if native else OTHER_PLATFORM_WHY.format(app=app(apps[0]))
    head = [
        f"Plan skeleton from an imported chat history ({', '.join(apps)}); check it before use.",
        f"platform {platform}: {why}.",
        f"Day 0 is the export's first local day, {first.date()} ({WEEKDAYS[w0]}).",
        ("The export shows the group's creation: members.initial are the members it was "
         "created with." if opened else
         "The export starts in the middle of the group's life: day 0 is not its opening day, "
         "and members.initial counts the members seen there before any join of theirs, a lower "
         "bound (members who never posted are not seen). The model plays day 0 as an opening "
         "(greetings, self-introductions), which this group did not have then."),
        f"host: {host_reason}; host.capacity is the host's own posts per day on average, "
        "red packets, 接龙 lists and reports not counted (at least 1 if the host posted at "
        "all). A 接龙's hours_open is the median time from its opening to its last entry.",
        "Calendar items are the host's events that recur at a fixed hour (daily, or weekly on "
        f"one weekday; at least {MIN_REPEATS} times).",
        *notes,
        "Not inferred (plan defaults kept):",
        *(f"  - {line}" for line in NOT_INFERRED),
    ]
    text = "".join(f"# {part}\n" for line in head for part in textwrap.wrap(
        line, 98, subsequent_indent="    " if line.startswith("  -") else "  "))
    text += yaml.safe_dump(plan, sort_keys=False, allow_unicode=True)
    return text, notes


def _recurring(days: np.ndarray, hours: np.ndarray, w0: int):
    """(calendar timing, indices of the events it covers) for each daily or weekly rhythm."""
    for hour in np.unique(hours):
        at = np.flatnonzero(hours == hour)
        ds = np.unique(days[at])
        if len(ds) < MIN_REPEATS:
            continue
        span = ds[-1] - ds[0] + 1
        if len(ds) >= DAILY_SHARE * span:
            yield _timing(int(hour), ds, every_days=1), at
            continue
        for wd in range(7):
            dw = ds[(ds + w0) % 7 == wd]
            if len(dw) >= MIN_REPEATS and len(dw) >= DAILY_SHARE * ((dw[-1] - dw[0]) // 7 + 1):
                yield _timing(int(hour), dw, weekday=WEEKDAYS[wd]), at[np.isin(days[at], dw)]


def _timing(hour: int, days: np.ndarray, **rhythm: Any) -> dict[str, Any]:
    return {"hour": hour, **rhythm, "start_day": int(min(days[0], MAX_DAY)),
            "end_day": int(min(days[-1], MAX_DAY))}


def _hours_open(events: pd.DataFrame) -> int | None:
    """Median hours from a 接龙 list's opening to its last entry, within the schema's 1-72."""
    lists = events[events["jielong"].notna()]
    if lists.empty:
        return None
    span = lists.groupby("jielong")["time"].agg(
        lambda t: (t.max() - t.min()).total_seconds() / 3600)
    return int(min(72, max(1, math.ceil(float(span.median())))))
