"""Render a simulated replicate as a chat export (`groupsim export-chat`), for tests and demos.

The run directory must hold hourly tables (`groupsim run --hourly`). Per-event rows are made up
but agree with the replicate's counts: each hour gets its conversation, prompted thanks, 接龙
entries and host posts; each day's conversation and 接龙 entries come from exactly that day's
number of active posters, each speaker drawn by what is left of that member's own run totals
(members.parquet's posts, 接龙 entries, prompted thanks), so per-person counts and the top
posters' share follow the run; joins (with the inviter when the model knows one), leaves and the
calendar's red packets and 接龙 openings are placed at their hours. Names are made up
(`成员12`, `Member 12`: the member's slot). Day 0 is the first date on or after 2024-01-01 on
the plan's opening weekday; times are local (`tz`). What each format loses is `LOSSES`
(docs/history.md, "Export a run").
"""

import csv
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.running.history.formats.registry import EXPORT_FORMATS
from experiments.running.history.times import BadTime, zone
from scenarios.loader import load_plan
from scenarios.names import file_stem
from sim.calendar import compile_calendar
from sim.events import KINDS, PARAMS

LOSSES = {
    "wechat-chatlog-csv": "leaves and members unknown; members seen only once they post",
    "qq-txt": "leaves and members unknown; members seen only once they post",
    "telegram-json": "no red packets: prompted thanks count as conversation, thankers as posters",
    "whatsapp-txt": ("no red packets: prompted thanks count as conversation, thankers as "
                     "posters; times to the minute"),
}
"""Per format, what an import of its export does not give back (besides host_messages counting
each 接龙 opening post, which the model does not count as a host message)."""
HOST = -1
FIRST_DAY = datetime(2024, 1, 1)  # a Monday
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ExportChatError(ValueError):
    """Bad input to an export (run directory, replicate, format); the message says which."""


@dataclass(frozen=True)
class Row:
    t: datetime  # local wall time
    kind: str  # message, thanks, red_packet, jielong_open, jielong_entry, create, join, leave
    who: int  # member slot, or HOST
    inviter: int | None = None  # joins: the inviting member's slot or HOST (None: QR/link)
    text: str = ""


def _minute(rng: np.random.Generator, t0: datetime, lo: int = 1) -> datetime:
    return t0 + timedelta(minutes=int(rng.integers(lo, 59)), seconds=int(rng.integers(0, 60)))


def chat_rows(hourly: pd.DataFrame, daily: pd.DataFrame, members: pd.DataFrame, plan,
              seed: int = 0) -> list[Row]:
    """The made-up events of one replicate, sorted by time."""
    rng = np.random.default_rng(seed)
    day0 = FIRST_DAY + timedelta(days=WEEKDAYS.index(plan.group.open_weekday))
    days = len(daily)
    joined = members["joined_hour"].to_numpy()
    left = members["left_hour"].to_numpy()
    slots = members["slot"].to_numpy()
    known = set(slots.tolist())
    rows = [Row(day0, "create", HOST)]
    for slot, j, lh, inv in zip(slots, joined, left, members["invited_by"].to_numpy()):
        came = day0
        if j >= 0:
            inviter = int(inv) if inv in known else None
            came = _minute(rng, day0 + timedelta(hours=int(j)))
            rows.append(Row(came, "join", int(slot), inviter))
        if lh >= 0:  # after the join when both fall in one hour
            went = _minute(rng, day0 + timedelta(hours=int(lh)))
            rows.append(Row(max(went, came + timedelta(minutes=1)), "leave", int(slot)))
    # the red packets and 接龙 the run fired (a flash sale's preheat packet too), as the kernel
    # got them from the calendar
    events = compile_calendar(plan)
    red_packet, jielong = KINDS.index("red_packet"), KINDS.index("jielong")
    amount, count = (PARAMS["red_packet"].index(name) for name in ("amount", "count"))
    for hour, kind, params in zip(events.hour, events.kind, events.params):
        if hour >= 24 * days or kind not in (red_packet, jielong):
            continue
        t = day0 + timedelta(hours=int(hour))
        if kind == red_packet:
            rows.append(Row(t, "red_packet", HOST,
                            text=f"{params[amount]:g}元{int(params[count])}个"))
        else:
            rows.append(Row(t + timedelta(seconds=30), "jielong_open", HOST,
                            text=f"第{hour // 24}天团购"))

    def present(h: int) -> np.ndarray:
        return slots[(joined <= h) & ((left < 0) | (left > h))]

    # who speaks: drawn by what each member has left of their own run totals (members.parquet),
    # so the export's per-person counts, and so its top posters' share, follow the run's
    budget = {kind: dict(zip(slots.tolist(), members[column].astype(float).tolist()))
              for kind, column in (("message", "posts"), ("jielong_entry", "jielong_entries"),
                                   ("thanks", "prompted_posts"))}

    def speaker(kind: str, among: np.ndarray) -> int:
        left_over = np.array([max(budget[kind][s], 0.0) for s in among.tolist()])
        who = int(rng.choice(among, p=left_over / left_over.sum()) if left_over.sum() > 0
                  else rng.choice(among))
        budget[kind][who] -= 1
        return who

    conv = (hourly["real_messages"] - hourly["prompted_messages"]
            - hourly["jielong_entries"]).round().astype(int).to_numpy()
    entries = hourly["jielong_entries"].round().astype(int).to_numpy()
    prompted = hourly["prompted_messages"].round().astype(int).to_numpy()
    host = hourly["host_messages"].round().astype(int).to_numpy()
    posters = daily["active_posters"].to_numpy()
    for d in range(days):
        talk = []  # (hour, kind) of the day's conversation and entries
        for h in range(24 * d, 24 * d + 24):
            t0 = day0 + timedelta(hours=h)
            talk += [(h, "message")] * conv[h] + [(h, "jielong_entry")] * entries[h]
            for _ in range(prompted[h]):
                here = present(h)
                if len(here):
                    rows.append(Row(_minute(rng, t0), "thanks", speaker("thanks", here)))
            rows += [Row(_minute(rng, t0), "message", HOST) for _ in range(host[h])]
        used: list[int] = []
        for h, kind in talk:
            here = present(h)
            fresh = np.setdiff1d(here, used)
            if len(used) < posters[d] and len(fresh):
                who = speaker(kind, fresh)
                used.append(who)
            else:
                pool = np.intersect1d(here, used)
                who = speaker(kind, pool if len(pool) else here)
            rows.append(Row(_minute(rng, day0 + timedelta(hours=h)), kind, who))
    return sorted(rows, key=lambda r: r.t)


def _texts(rows: list[Row], name) -> list[tuple[Row, str]]:
    """Each row's message text; 接龙 posts repost their whole list."""
    lists: dict[str, list[str]] = {}
    current = None
    out = []
    for r in rows:
        if r.kind == "jielong_open":
            current = f"#接龙\n{r.text}"
            lists[current] = []
            out.append((r, current))
        elif r.kind == "jielong_entry" and current is not None:
            lists[current].append(f"{len(lists[current]) + 1}. {name(r.who)} 1份")
            out.append((r, current + "\n\n" + "\n".join(lists[current])))
        elif r.kind == "jielong_entry":  # an entry before any opening: plain talk
            out.append((r, "我也要一份"))
        elif r.kind == "thanks":
            out.append((r, "谢谢老板"))
        elif r.kind == "message":
            out.append((r, "好的" if r.who != HOST else "大家有什么问题可以问"))
        else:
            out.append((r, r.text))
    return out


def _zh(who: int | None) -> str:
    return "群主" if who == HOST else f"成员{who}"


def _en(who: int | None) -> str:
    return "Host" if who == HOST else f"Member {who}"


def _wechat_csv(rows: list[Row], path: Path) -> None:
    def wxid(who: int) -> str:
        return "wxid_host" if who == HOST else f"wxid_m{who}"

    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Time", "SenderName", "Sender", "TalkerName", "Talker", "Content"])
        for r, text in _texts(rows, _zh):
            stamp = r.t.strftime("%Y-%m-%d %H:%M:%S")
            base = [stamp]
            if r.kind == "join":
                how = (f'"{_zh(r.who)}"通过扫描"{_zh(HOST)}"分享的二维码加入群聊'
                       if r.inviter is None else f'"{_zh(r.inviter)}"邀请"{_zh(r.who)}"加入了群聊')
                w.writerow(base + ["", "", "模拟群", "1@chatroom", how])
            elif r.kind in ("leave", "create"):
                continue  # WeChat shows neither
            else:
                content = f"[红包]{text}" if r.kind == "red_packet" else text
                w.writerow(base + [_zh(r.who), wxid(r.who), "模拟群", "1@chatroom", content])


def _qq_txt(rows: list[Row], path: Path) -> None:
    def qq(who: int) -> int:
        return 10000 + 1 if who == HOST else 20000 + who

    lines = ["消息记录（此消息记录为文本格式，不支持重新导入）", "", "=" * 64, "消息分组:我的群聊",
             "=" * 64, "消息对象:模拟群", "=" * 64, ""]
    for r, text in _texts(rows, _zh):
        noon = "AM" if r.t.hour < 12 else "PM"
        stamp = f"{r.t:%Y-%m-%d} {r.t.hour % 12 or 12}:{r.t:%M:%S} {noon}"
        if r.kind == "join":
            body = (f"{_zh(r.who)}({qq(r.who)})加入本群。" if r.inviter is None else
                    f"{_zh(r.inviter)}({qq(r.inviter)}) 邀请 {_zh(r.who)}({qq(r.who)}) 加入了本群。")
            lines += [f"{stamp} 系统消息(10000)", body, ""]
        elif r.kind in ("leave", "create"):
            continue
        else:
            content = f"[QQ红包]{text}" if r.kind == "red_packet" else text
            lines += [f"{stamp} {_zh(r.who)}({qq(r.who)})", content, ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def _telegram(rows: list[Row], path: Path, tz: str, members0: list[int]) -> None:
    local = zone(tz)
    msgs = []
    for i, (r, text) in enumerate(_texts(rows, _en), 1):
        t = r.t.replace(tzinfo=local)
        base = {"id": i, "date": r.t.strftime("%Y-%m-%dT%H:%M:%S"),
                "date_unixtime": str(int(t.timestamp()))}
        uid = "user0" if r.who == HOST else f"user{r.who + 1}"
        if r.kind == "create":
            msgs.append({**base, "type": "service", "actor": _en(HOST), "actor_id": "user0",
                         "action": "create_group", "title": "Simulated",
                         "members": [_en(m) for m in members0], "text": ""})
        elif r.kind == "join" and r.inviter is not None:
            msgs.append({**base, "type": "service", "actor": _en(r.inviter),
                         "actor_id": f"user{r.inviter + 1}" if r.inviter != HOST else "user0",
                         "action": "invite_members", "members": [_en(r.who)], "text": ""})
        elif r.kind == "join":
            msgs.append({**base, "type": "service", "actor": _en(r.who), "actor_id": uid,
                         "action": "join_group_by_link", "inviter": _en(HOST), "text": ""})
        elif r.kind == "leave":
            msgs.append({**base, "type": "service", "actor": _en(r.who), "actor_id": uid,
                         "action": "remove_members", "members": [_en(r.who)], "text": ""})
        elif r.kind != "red_packet":
            msgs.append({**base, "type": "message", "from": _en(r.who), "from_id": uid,
                         "text": text})
    path.write_text(json.dumps({"name": "Simulated", "type": "private_supergroup", "id": 1,
                                "messages": msgs}, ensure_ascii=False, indent=1),
                    encoding="utf-8")


def _whatsapp(rows: list[Row], path: Path, members0: list[int]) -> None:
    lines = []
    for r, text in _texts(rows, _en):
        stamp = f"{r.t:%d.%m.%y, %H:%M} - "
        if r.kind == "create":
            lines.append(f'{stamp}{_en(HOST)} created group "Simulated"')
            lines += [f"{stamp}{_en(HOST)} added {_en(m)}" for m in members0]
        elif r.kind == "join" and r.inviter is not None:
            lines.append(f"{stamp}{_en(r.inviter)} added {_en(r.who)}")
        elif r.kind == "join":
            lines.append(f"{stamp}{_en(r.who)} joined using this group's invite link")
        elif r.kind == "leave":
            lines.append(f"{stamp}{_en(r.who)} left")
        elif r.kind != "red_packet":
            lines.append(f"{stamp}{_en(r.who)}: {text}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def export_chat(run_dir: Path, replicate: int, format: str, out: Path,
                tz: str = "Asia/Shanghai", plan_name: str | None = None) -> Path:
    """Write replicate `replicate` of the run in `run_dir` as an export in `format` (one of
    `EXPORT_FORMATS`) to `out`; returns `out`. A comparison's directory holds several plans:
    `plan_name` picks one. Raises `ExportChatError` (naming the plans when none or another is
    picked)."""
    if format not in EXPORT_FORMATS:
        raise ExportChatError(f"--format {format!r}: one of {', '.join(EXPORT_FORMATS)}")
    try:
        zone(tz)
    except BadTime as error:
        raise ExportChatError(str(error)) from None
    run_dir = Path(run_dir)
    if not (run_dir / "hourly.parquet").is_file():
        raise ExportChatError(f"{run_dir}: no hourly.parquet; run the plan with --hourly")
    names = list(pd.read_parquet(run_dir / "summary.parquet", columns=["plan"])["plan"].unique())
    if plan_name is None and len(names) > 1:
        raise ExportChatError(f"{run_dir} holds {len(names)} plans ({', '.join(names)}); pick "
                              "one with --plan")
    if plan_name is not None and plan_name not in names:
        raise ExportChatError(f"--plan {plan_name!r}: {run_dir} holds {', '.join(names)}")
    plan_path = run_dir / "plan.yaml"
    if not plan_path.is_file():
        plan_path = run_dir / "plans" / f"{file_stem(plan_name or names[0])}.yaml"
    plan = load_plan(str(plan_path))

    def one(table: str) -> pd.DataFrame:
        frame = pd.read_parquet(run_dir / f"{table}.parquet")
        frame = frame[(frame["plan"] == plan.name) & (frame["replicate"] == replicate)]
        if frame.empty and table == "daily":
            reps = sorted(pd.read_parquet(run_dir / "daily.parquet")["replicate"].unique())
            raise ExportChatError(f"--replicate {replicate}: the run has replicates "
                                  f"{reps[0]}-{reps[-1]}")
        return frame.reset_index(drop=True)

    daily = one("daily")
    hourly, members = one("hourly"), one("members")
    rows = chat_rows(hourly, daily, members, plan, seed=replicate)
    members0 = members.loc[members["joined_hour"] < 0, "slot"].tolist()
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportChatError(f"--out {out}: cannot make its folder ({error.strerror})") from None
    if format == "wechat-chatlog-csv":
        _wechat_csv(rows, out)
    elif format == "qq-txt":
        _qq_txt(rows, out)
    elif format == "telegram-json":
        _telegram(rows, out, tz, members0)
    else:
        _whatsapp(rows, out, members0)
    return out
