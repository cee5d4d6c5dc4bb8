"""WeChat exports: chatlog (sjzar/chatlog) CSV and JSON, PyWxDump CSV.

WeChat shows every member invites (`"阿明"邀请"小红"加入了群聊`) and QR joins
(`"小红"通过扫描"阿明"分享的二维码加入群聊`), and removals only to the remover
(`你将"小红"移出了群聊`); voluntary leaves are shown to nobody, so leaves are unknown.
"""

import csv
import re
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.running.history.events import KICK, NOBODY, RECALL, RED_PACKET, SYSTEM, Sink
from experiments.running.history.formats.base import (
    ExportError, Parser, load_json, open_text, split_names,
)
from experiments.running.history.times import from_iso

_INVITE = re.compile(r"^(?P<by>.+?)邀请(?P<names>.+?)加入了群聊")
_QR = re.compile(r"^(?P<who>.+?)通过扫描(?P<by>.+?)分享的二维码加入群聊")
_KICK = re.compile(r"^(?P<by>.+?)将(?P<names>.+?)移出了群聊")
_RECALL = re.compile(r"^(?P<who>.+?)\s?撤回了一条消息")
_NAME_SEPARATORS = ("、",)
_OPENINGS = ('"', "“", "你")
_RED_PACKET_SUBTYPE = 2001
"""chatlog's sub-type of an app message (type 49) that is a red packet; 2003 is a red-packet
cover sent as a gift, not money."""
_PYWXDUMP_SYSTEM = ("系统", "邀请", "拍一拍", "未知-10000")
"""PyWxDump type names of system rows (type 10000: 系统通知, 邀请加群, 拍一拍, …)."""


def system_row(sink: Sink, t: Any, text: str) -> bool:
    """Record a WeChat system row (join, QR join, removal, recall) if `text` is one. System
    rows open with a quoted name or 你; a member's post that tells of an invite does not."""
    if text[:1] not in _OPENINGS:
        return False
    if "群聊" in text:
        people = sink.people
        if m := _QR.match(text):
            sink.join(t, [m["who"]], people.named(m["by"]), "qr")
            return True
        if m := _INVITE.match(text):
            sink.join(t, split_names(m["names"], _NAME_SEPARATORS), people.named(m["by"]), "invite")
            return True
        if m := _KICK.match(text):
            for name in split_names(m["names"], _NAME_SEPARATORS):
                sink.add(t, people.named(name), KICK, actor=people.named(m["by"]))
            return True
    if "撤回了一条消息" in text and (m := _RECALL.match(text)):
        sink.add(t, sink.people.named(m["who"]), RECALL)
        return True
    return False


class _WeChat(Parser):
    platform = "wechat"
    records_leaves = False

    def times(self, sink: Sink, tz: str) -> pd.DatetimeIndex:
        return from_iso(sink.time, tz)


def _csv_rows(path: Path, required: set[str]):
    """Dict-free CSV streaming: the header's column positions, then each row."""
    f = open_text(path)
    reader = csv.reader(f)
    header = next(reader, None)
    if header is None or not required <= set(header):
        f.close()
        missing = sorted(required - set(header or ()))
        raise ExportError(f"{path}: the CSV header lacks {', '.join(missing)}.")
    return f, reader, {name: i for i, name in enumerate(header)}


class ChatlogCsv(_WeChat):
    name = "wechat-chatlog-csv"
    description = "WeChat, chatlog CSV: Time,SenderName,Sender,TalkerName,Talker,Content"
    _COLUMNS = {"Time", "SenderName", "Sender", "Content"}

    def sniff(self, head: str) -> bool:
        first = head.split("\n", 1)[0].strip()
        return self._COLUMNS <= set(first.split(","))

    def parse(self, path: Path, sink: Sink) -> None:
        f, reader, col = _csv_rows(path, self._COLUMNS)
        i_t, i_name, i_id, i_text = col["Time"], col["SenderName"], col["Sender"], col["Content"]
        width = max(i_t, i_name, i_id, i_text) + 1
        key = sink.people.key
        with f:
            for n, row in enumerate(reader, start=2):
                if len(row) < width:
                    if not row:
                        continue
                    raise ExportError(f"{path}, row {n}: {len(row)} fields, the header has more.")
                t, text, pid = row[i_t], row[i_text], row[i_id]
                if ("群聊" in text or "撤回" in text) and system_row(sink, t, text):
                    continue
                if pid or row[i_name]:
                    sink.message(t, key(row[i_name], pid), text)
                else:
                    sink.add(t, NOBODY, SYSTEM)


class ChatlogJson(_WeChat):
    name = "wechat-chatlog-json"
    description = "WeChat, chatlog JSON: a list of messages with time, senderName, sender, content"

    def sniff(self, head: str) -> bool:
        return head.lstrip()[:1] in "[{" and ('"senderName"' in head or '"SenderName"' in head)

    def parse(self, path: Path, sink: Sink) -> None:
        data = load_json(path)
        items = data.get("items", data.get("messages")) if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ExportError(f"{path}: expected a list of messages.")
        key = sink.people.key
        for msg in items:
            get = msg.get
            t = get("time") or get("Time")
            text = get("content") or get("Content") or ""
            pid = str(get("sender") or get("Sender") or "")
            name = get("senderName") or get("SenderName") or ""
            kind, sub = get("type") or get("Type"), get("subType") or get("SubType")
            if get("isSelf") or get("IsSelf"):
                sink.people.self_id = pid
            if kind == 10000 or not (pid or name):
                if not system_row(sink, t, text):
                    sink.add(t, NOBODY, SYSTEM)
            elif kind == 49 and sub == _RED_PACKET_SUBTYPE and not text.startswith("[红包]"):
                sink.add(t, key(name, pid), RED_PACKET)
            elif not system_row(sink, t, text):
                sink.message(t, key(name, pid), text)


class PyWxDumpCsv(_WeChat):
    name = "wechat-pywxdump-csv"
    description = ("WeChat, PyWxDump CSV: "
                   "id,MsgSvrID,type_name,is_sender,talker,room_name,msg,src,CreateTime")
    _COLUMNS = {"type_name", "is_sender", "talker", "CreateTime"}
    caveat = ("PyWxDump CSV gives senders' IDs but not their names, so people named in system "
              "rows (joins, removals) cannot be matched to the IDs they post under")

    def sniff(self, head: str) -> bool:
        first = set(head.split("\n", 1)[0].strip().split(","))
        return self._COLUMNS <= first and ("msg" in first or "content" in first)

    def parse(self, path: Path, sink: Sink) -> None:
        f, reader, col = _csv_rows(path, self._COLUMNS)
        i_t, i_type = col["CreateTime"], col["type_name"]
        i_self, i_id = col["is_sender"], col["talker"]
        i_text = col.get("msg", col.get("content"))
        key = sink.people.key
        with f:
            for n, row in enumerate(reader, start=2):
                if not row:
                    continue
                if len(row) <= max(i_t, i_type, i_self, i_id, i_text):
                    raise ExportError(f"{path}, row {n}: {len(row)} fields, the header has more.")
                t, type_name, text, pid = row[i_t], row[i_type], row[i_text], row[i_id]
                if row[i_self] in ("1", "True", "true"):
                    sink.people.self_id = pid
                if not pid or any(s in type_name for s in _PYWXDUMP_SYSTEM):
                    if not system_row(sink, t, text):
                        sink.add(t, NOBODY, SYSTEM)
                elif "撤回" in type_name:
                    sink.add(t, key("", pid), RECALL)
                elif type_name in ("红包", "微信红包") and not text.startswith("[红包]"):
                    sink.add(t, key("", pid), RED_PACKET)
                elif not system_row(sink, t, text):
                    sink.message(t, key("", pid), text)
