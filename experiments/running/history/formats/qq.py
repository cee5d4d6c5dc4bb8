"""QQ exports: the classic message manager's TXT and QQ Chat Exporter (QCE) JSON.

System notices come from `系统消息(10000)` in the TXT and as `system: true` in QCE:
`小红加入本群。`, `阿明 邀请 小红 加入了群聊`, `小红通过扫描阿明分享的二维码加入群聊`, `小红退出了本群。`,
`小红被管理员移出本群。`. A TXT message starts with `2019-09-23 20:43:38 阿明(10001)`, the clock
24-hour or 12-hour with its half of the day after (`8:43:38 PM`) or before (`下午 8:43:38`), the
sender's QQ number in parentheses or e-mail address in angle brackets; a file the message manager
exported with several chats in it is refused (it would mix groups).
Exit notices are shown only to the group's admins, so an export cannot tell a day without
leaves from a day whose leaves were not shown: leaves are unknown.
"""

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.running.history.events import (
    JOIN, KICK, LEAVE, NOBODY, RECALL, RED_PACKET, SYSTEM, Sink,
)
from experiments.running.history.formats.base import (
    ExportError, Parser, load_json, open_text, split_names,
)
from experiments.running.history.times import from_epoch, from_local

_HALF = r"AM|PM|am|pm|上午|下午|凌晨|早上|中午|晚上"
_HEADER = re.compile(
    rf"^(\d{{4}}[-/]\d{{1,2}}[-/]\d{{1,2}}) (?:({_HALF}) ?)?(\d{{1,2}}):(\d{{2}}:\d{{2}})"
    rf"(?: ?({_HALF}))? (.*?)(?:\((\d+)\)|<([^<>]*)>)\s*$"
)
"""A message's first line: date, 24-hour time or a 12-hour one with its half of the day before
(`下午 8:43:38`, older clients) or after (`8:43:38 PM`), the sender and their QQ number in
parentheses or e-mail address in angle brackets."""
_AFTERNOON = ("PM", "pm", "下午", "晚上")
_MORNING = ("AM", "am", "上午", "凌晨", "早上")
_SECTION = ("消息分组:", "消息对象:", "消息分组：", "消息对象：", "=====")
"""Lines of the file's header and of each chat's section (the message manager can export several
chats into one file)."""
_INVITE = re.compile(r"^(?P<by>.+?)\s*邀请\s*(?P<names>.+?)\s*加入(?:了)?(?:本群|群聊)")
_QR = re.compile(r"^(?P<who>.+?)\s*通过扫描\s*(?P<by>.+?)\s*分享的二维码加入(?:了)?(?:本群|群聊)")
_JOIN = re.compile(r"^(?P<names>.+?)\s*(?:已经)?加入(?:了)?(?:本群|群聊)")
_LEAVE = re.compile(r"^(?P<who>.+?)\s*退出(?:了)?(?:本群|群聊)")
_KICK = re.compile(r"^(?P<who>.+?)\s*被\s*(?P<by>.*?)\s*(?:踢出|移出)(?:了)?(?:本群|群聊)")
_RECALL = re.compile(r"^(?P<who>.+?)\s*撤回了一条(?:成员)?消息")
_PERSON = re.compile(r"^(?P<name>.*?)\s*(?:\((?P<id>\d+)\))?$")
_SYSTEM_IDS = ("10000", "1000000")
_NAME_SEPARATORS = ("、", "，", ",")


def _person(sink: Sink, text: str) -> str:
    m = _PERSON.match(text.strip())
    if m and m["id"]:
        return sink.people.key(m["name"], m["id"])
    return sink.people.named(text)


def system_notice(sink: Sink, t: Any, text: str) -> None:
    """Record a QQ system notice: invite, join, leave, removal, recall, or other."""
    text = text.strip()
    if m := _INVITE.match(text):
        by = _person(sink, m["by"])
        for name in split_names(m["names"], _NAME_SEPARATORS):
            sink.add(t, _person(sink, name), JOIN, actor=by, method="invite")
    elif m := _QR.match(text):
        sink.add(t, _person(sink, m["who"]), JOIN, actor=_person(sink, m["by"]), method="qr")
    elif m := _KICK.match(text):
        by = m["by"].strip()
        sink.add(t, _person(sink, m["who"]), KICK,
                 actor=_person(sink, by) if by and by != "管理员" else None)
    elif m := _LEAVE.match(text):
        sink.add(t, _person(sink, m["who"]), LEAVE)
    elif m := _JOIN.match(text):
        for name in split_names(m["names"], _NAME_SEPARATORS):
            sink.add(t, _person(sink, name), JOIN, method="unknown")
    elif m := _RECALL.match(text):
        sink.add(t, _person(sink, m["who"]), RECALL)
    else:
        sink.add(t, NOBODY, SYSTEM)


class QqTxt(Parser):
    name = "qq-txt"
    description = "QQ message manager TXT: '2019-09-23 8:43:38 PM 阿明(10001)' then the text"
    platform = "qq"

    def sniff(self, head: str) -> bool:
        lines = head.splitlines()[:80]
        return any(_HEADER.match(line) for line in lines) and (
            "消息记录" in head or "消息对象" in head or sum(bool(_HEADER.match(x)) for x in lines) >= 2
        )

    def parse(self, path: Path, sink: Sink) -> None:
        current: tuple[str, str, str] | None = None
        body: list[str] = []
        chats: list[str] = []
        skipped = 0  # lines before the first message other than the file's header
        with open_text(path) as f:
            for line in f:
                m = _HEADER.match(line) if line[:2] in ("19", "20") else None
                if m is None:
                    if line.startswith(_SECTION):
                        if line.startswith("消息对象"):
                            chats.append(line[5:].strip())
                        continue
                    if current is not None:
                        body.append(line)
                    elif line.strip() and not line.startswith("消息记录"):
                        skipped += 1
                    continue
                if current is not None:
                    self._emit(sink, current, body)
                date, before, hour, rest, after, name, qq, email = m.groups()
                half = before or after
                h = int(hour)
                if half in _AFTERNOON and h < 12:
                    h += 12
                elif half in _MORNING and h == 12:
                    h = 0
                current = (f"{date.replace('/', '-')} {h:02d}:{rest}", name, qq or email or "")
                body = []
            if current is not None:
                self._emit(sink, current, body)
        if len(set(chats)) > 1:
            raise ExportError(f"{path} holds {len(set(chats))} chats ({', '.join(chats[:5])}); "
                              "export the one group (message manager: the group, Export).")
        if not sink.kind:
            raise ExportError(f"{path}: no messages found.")
        if skipped:
            sink.notes.append(f"{path.name}: {skipped} line(s) before the first message skipped "
                              "(no date, time and sender at their start)")

    @staticmethod
    def _emit(sink: Sink, current: tuple[str, str, str], body: list[str]) -> None:
        t, name, pid = current
        text = "".join(body).strip()
        if pid in _SYSTEM_IDS or name == "系统消息":
            system_notice(sink, t, text)
        else:
            sink.message(t, sink.people.key(name, pid), text)

    def times(self, sink: Sink, tz: str) -> pd.DatetimeIndex:
        return from_local(sink.time, tz, _qq_time)


def _qq_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


class QceJson(Parser):
    name = "qq-qce-json"
    description = "QQ Chat Exporter (QCE) JSON: chatInfo and messages with timestamp, sender.uin"
    platform = "qq"

    def sniff(self, head: str) -> bool:
        return head.lstrip()[:1] == "{" and ('"chatInfo"' in head or "QQChatExporter" in head)

    def parse(self, path: Path, sink: Sink) -> None:
        data = load_json(path)
        messages = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(messages, list):
            raise ExportError(f"{path}: no 'messages' list.")
        key = sink.people.key
        for msg in messages:
            t = msg.get("timestamp")
            if isinstance(t, str) and t.isdigit():
                t = int(t)
            if not isinstance(t, (int, float)):
                raise ExportError(f"{path}: message {msg.get('id')} has no numeric timestamp.")
            t = t / 1000.0 if t > 1e11 else float(t)  # milliseconds (QCE) or seconds
            sender = msg.get("sender") or {}
            content = msg.get("content") or {}
            text = content.get("text") or ""
            if msg.get("system"):
                system_notice(sink, t, text)
                continue
            who = key(str(sender.get("name") or ""),
                      str(sender.get("uin") or sender.get("uid") or ""))
            types = [str(e.get("type", "")).lower() for e in content.get("elements") or ()]
            if msg.get("recalled"):
                sink.add(t, who, RECALL)
            elif any("red" in kind or "wallet" in kind for kind in types) and not text.startswith(
                    ("[QQ红包]", "[红包]")):
                sink.add(t, who, RED_PACKET)
            else:
                sink.message(t, who, text)

    def times(self, sink: Sink, tz: str) -> pd.DatetimeIndex:
        return from_epoch(sink.time)
