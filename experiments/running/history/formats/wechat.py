"""WeChat exports: chatlog (sjzar/chatlog) CSV and JSON, WeChatMsg/MemoTrace CSV (read as the
chatlog CSV: the columns are found by name), PyWxDump CSV.

WeChat shows every member invites (`"阿明"邀请"小红"加入了群聊`) and QR joins
(`"小红"通过扫描"阿明"分享的二维码加入群聊`), and removals only to the remover
(`你将"小红"移出了群聊`); voluntary leaves are shown to nobody, so leaves are unknown. The English
client's wording (`"Ada" invited "Bo" to the group chat`, `[Red Packet]`) is read too. Where an
export keeps message types (1 text, 49 app message, 10000 system, 10002 recall), an app message's
XML gives its title (a 接龙 list) and whether it is a red packet (`<type>2001</type>`).
"""

import csv
import html
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.running.history.events import KICK, NOBODY, RECALL, SYSTEM, Sink
from experiments.running.history.formats.base import (
    ExportError, Parser, load_json, open_text, split_names,
)
from experiments.running.history.times import from_epoch, from_iso

_QUOTES = '"“”「」'
_SYSTEM = (
    # Chinese client: "阿明"邀请"小红"、"小李"加入了群聊; 你邀请…; "小红"通过扫描"阿明"分享的二维码加入群聊;
    # "小红"通过扫描你分享的二维码加入群聊; "小红"加入了群聊; 你将"小红"移出了群聊; "小红"被"阿明"移出群聊
    (re.compile(r"^(?P<names>.+?)通过扫描(?P<by>.+?)分享的二维码加入群聊"), "qr"),
    (re.compile(r"^(?P<by>.+?)邀请(?P<names>.+?)加入了?群聊"), "invite"),
    (re.compile(r"^(?P<by>.+?)将(?P<names>.+?)移出了?群聊"), "kick"),
    (re.compile(r"^(?P<names>.+?)被(?P<by>.+?)移出了?群聊"), "kick"),
    (re.compile(r"^(?P<names>.+?)(?:已)?加入了?群聊"), "joined"),
    (re.compile(r"^(?P<names>.+?)\s?撤回了一条消息"), "recall"),
    # English client: "Ada" invited "Bo" and "Cy" to the group chat; "Bo" joined the group chat via
    # the QR code shared by "Ada"; "Ada" removed "Bo" from the group chat; "Bo" recalled a message
    (re.compile(r"^(?P<names>.+?) joined (?:the )?group chat via (?:the )?QR code shared by "
                r"(?P<by>.+?)\.?$"), "qr"),
    (re.compile(r"^(?P<by>.+?) invited (?P<names>.+?) to (?:join )?the group chat"), "invite"),
    (re.compile(r"^(?P<by>.+?) removed (?P<names>.+?) from the group chat"), "kick"),
    (re.compile(r"^(?P<names>.+?) joined the group chat"), "joined"),
    (re.compile(r"^(?P<names>.+?) recalled a message"), "recall"),
)
_SYSTEM_WORDS = ("群聊", "撤回", "group chat", "recalled")
_NAME_SEPARATORS = ("、", '和"', "和“", '", "', '" and "', ", ", " and ")
"""Between names of a list: `"B"、"C"`, `你和"B"`, `"B" and "C"`."""
_OPENINGS = tuple(_QUOTES) + ("你", "You")
_FIRST = frozenset(o[0] for o in _OPENINGS)
_RED_PACKET_SUBTYPE = 2001
"""The sub-type of an app message (type 49) that is a red packet; 2003 is a red-packet cover
sent as a gift, not money; 2000 a transfer."""
_SYSTEM_TYPE, _RECALL_TYPE, _APP_TYPE = 10000, 10002, 49
_PYWXDUMP_SYSTEM = ("系统", "邀请", "拍一拍", "未知-10000")
"""PyWxDump type names of system rows (type 10000: 系统通知, 邀请加群, 拍一拍, …)."""
_APP_TYPE_TAG = re.compile(r"<type>\s*(\d+)\s*</type>")
_APP_TITLE = re.compile(r"<title>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</title>", re.DOTALL)
_SELF_FLAGS = ("1", "true", "True", "TRUE")
_PACKET_TEXT = ("[红包]", "[Red Packet]")
"""How the Chinese and the English client show a red packet in text."""


def system_row(sink: Sink, t: Any, text: str) -> bool:
    """Record a WeChat system row (invite, QR join, join, removal, recall), in the Chinese or the
    English client's wording, if `text` is one. System rows open with a quoted name, 你 or You;
    a member's post that tells of an invite does not."""
    if not text.startswith(_OPENINGS) or not any(w in text for w in _SYSTEM_WORDS):
        return False
    for pattern, what in _SYSTEM:
        m = pattern.match(text)
        if m is None:
            continue
        named = sink.people.named
        names = split_names(m["names"], _NAME_SEPARATORS)
        if what == "recall":
            sink.add(t, named(m["names"]), RECALL)
        elif what == "kick":
            for name in names:
                sink.add(t, named(name), KICK, actor=named(m["by"]))
        elif what == "joined":
            sink.join(t, names, None, "unknown")
        else:
            sink.join(t, names, named(m["by"]), what)
        return True
    return False


def app_text(text: str) -> tuple[str, bool]:
    """(what an app message says, whether it is a red packet) of a type-49 row: exports that keep
    the message's XML give its `<title>` (a 接龙 list, a link's title) and `<type>` (2001 a red
    packet); other text is returned as it is."""
    if not text.startswith("<"):
        return text, text.startswith(_PACKET_TEXT)
    kind = _APP_TYPE_TAG.search(text)
    title = _APP_TITLE.search(text)
    said = html.unescape(title.group(1)) if title else ""
    if kind is not None and int(kind.group(1)) == _RED_PACKET_SUBTYPE:
        return "[红包]" + said, True
    return said, False


def row(sink: Sink, t: Any, who: int, text: str, kind: int | None, sub: int | None) -> None:
    """One WeChat row by `who` (NOBODY when the row names no sender) of message type `kind` and
    sub-type `sub` where the export gives them (chatlog and WeChatMsg exports: 1 text, 49 app
    message, 10000 system, 10002 recall)."""
    if kind == _SYSTEM_TYPE or kind == _RECALL_TYPE or who == NOBODY:
        if not system_row(sink, t, text):
            sink.add(t, NOBODY, SYSTEM)
    elif kind == _APP_TYPE:
        said, packet = app_text(text)
        if packet or sub == _RED_PACKET_SUBTYPE:
            sink.message(t, who, said if said.startswith(_PACKET_TEXT) else "[红包]" + said)
        else:
            sink.message(t, who, said)
    elif not system_row(sink, t, text):
        sink.message(t, who, text)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _WeChat(Parser):
    platform = "wechat"
    records_leaves = False

    def times(self, sink: Sink, tz: str) -> pd.DatetimeIndex:
        if sink.time and isinstance(sink.time[0], float):
            return from_epoch(sink.time)
        return from_iso(sink.time, tz)


_ROLES: dict[str, tuple[str, ...]] = {
    "time": ("time", "createtime", "strtime", "create_time", "timestamp", "时间"),
    "name": ("sendername", "nickname", "sender_name", "remark", "发送者", "发送人"),
    "id": ("sender", "talker", "sender_id", "wxid"),
    "text": ("content", "strcontent", "msg", "message", "内容"),
    "type": ("type", "msg_type"),
    "sub": ("subtype", "sub_type"),
    "self": ("issender", "is_sender", "isself"),
    "type_name": ("type_name",),
}
"""Column names of each role in WeChat CSV exports, lower case, the preferred first: chatlog
(`Time,SenderName,Sender,TalkerName,Talker,Content`), WeChatMsg/MemoTrace (`localId,TalkerId,
Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender`, CreateTime in
Unix seconds), PyWxDump (`id,MsgSvrID,type_name,is_sender,talker,room_name,msg,src,CreateTime`)."""


def _roles(header: list[str]) -> dict[str, int]:
    """Role -> column position of a CSV header (names matched without case, quotes or spaces)."""
    position = {h.strip().strip('"\ufeff').lower(): i for i, h in enumerate(header)}
    found = {}
    for role, names in _ROLES.items():
        for name in names:
            if name in position:
                found[role] = position[name]
                break
    return found


def _header_roles(head: str) -> dict[str, int]:
    first = head.split("\n", 1)[0].strip()
    return _roles(next(csv.reader([first]), []))


def _csv_rows(path: Path, required: set[str]):
    """Streaming CSV: the file, its reader and the header's role -> column position."""
    csv.field_size_limit(_FIELD_LIMIT)
    f = open_text(path)
    reader = csv.reader(f, strict=True)  # an unclosed quote is an error, not rows swallowed
    header = next(reader, None)
    roles = _roles(header or [])
    missing = sorted(required - set(roles))
    if missing:
        f.close()
        raise ExportError(f"{path}: the CSV header has no column for "
                          + ", ".join(f"{m} ({' or '.join(_ROLES[m])})" for m in missing) + ".")
    return f, reader, roles


_FIELD_LIMIT = 64 * 1024 * 1024
"""Longest CSV field read (an app message's XML can exceed csv's default 128 KiB)."""


def _epoch_times(first: str) -> bool:
    """Whether a time column holds Unix seconds (or milliseconds) rather than date strings."""
    return first.strip().replace(".", "", 1).isdigit()


def _stream(path: Path, reader, width: int):
    """The CSV rows, blank rows skipped; an `ExportError` naming the line for a row shorter than
    the header's columns in use or a broken quote."""
    end = reader.line_num  # the last line of the row before the one being read
    try:
        for values in reader:
            if len(values) < width and values:
                raise ExportError(f"{path}, line {reader.line_num}: {len(values)} fields, the "
                                  "header has more.")
            if values:
                yield values
            end = reader.line_num
    except csv.Error as err:
        start = end + 1
        if start < reader.line_num:  # a quote opened in the row ran on over the next lines
            raise ExportError(f"{path}, line {start}: a quote (\") opened in this row is not "
                              f"closed where the row ends (read on to line {reader.line_num}: "
                              f"{err}).") from None
        raise ExportError(f"{path}, line {start}: not readable as CSV ({err}).") from None


def _epoch(path: Path, line: int, value: str) -> float:
    """Unix seconds of a time column in seconds or milliseconds."""
    try:
        t = float(value)
    except ValueError:
        raise ExportError(f"{path}, line {line}: time {value!r} is not Unix seconds like the "
                          "rows before it.") from None
    return t / 1000.0 if t > 1e11 else t


class ChatlogCsv(_WeChat):
    name = "wechat-chatlog-csv"
    description = ("WeChat CSV with sender and content columns: chatlog "
                   "(Time,SenderName,Sender,TalkerName,Talker,Content) or WeChatMsg "
                   "(…,Type,SubType,IsSender,CreateTime,StrContent,StrTime,…,NickName,Sender)")

    def sniff(self, head: str) -> bool:
        roles = _header_roles(head)
        return ({"time", "text"} <= set(roles) and ("id" in roles or "name" in roles)
                and "type_name" not in roles)

    def parse(self, path: Path, sink: Sink) -> None:
        f, reader, col = _csv_rows(path, {"time", "text"})
        i_t, i_text = col["time"], col["text"]
        i_name, i_id = col.get("name"), col.get("id")
        i_type, i_sub, i_self = col.get("type"), col.get("sub"), col.get("self")
        width = max(col.values()) + 1
        key, people = sink.people.key, sink.people
        epoch = None
        first = _FIRST
        with f:
            for values in _stream(path, reader, width):
                if epoch is None:
                    epoch = _epoch_times(values[i_t])
                t = _epoch(path, reader.line_num, values[i_t]) if epoch else values[i_t]
                text = values[i_text]
                pid = values[i_id] if i_id is not None else ""
                name = values[i_name] if i_name is not None else ""
                if i_type is None:  # chatlog: the common case, kept fast
                    if text[:1] in first and system_row(sink, t, text):
                        continue
                    if pid or name:
                        sink.message(t, key(name, pid), text)
                    else:
                        sink.add(t, NOBODY, SYSTEM)
                    continue
                if i_self is not None and values[i_self] in _SELF_FLAGS and pid:
                    people.self_id = pid
                row(sink, t, key(name, pid) if pid or name else NOBODY, text,
                    _int(values[i_type]), _int(values[i_sub]) if i_sub is not None else None)


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
        epoch = None
        for n, msg in enumerate(items):
            if not isinstance(msg, dict):
                raise ExportError(f"{path}: message {n} is not an object.")
            get = msg.get
            t = get("time") or get("Time") or get("createTime") or get("CreateTime")
            if epoch is None:
                epoch = isinstance(t, (int, float))
            if t is None or isinstance(t, (int, float)) != epoch:
                raise ExportError(f"{path}: message {n} has no time like the messages before it "
                                  f"({t!r}).")
            if epoch:
                t = t / 1000.0 if t > 1e11 else float(t)
            text = get("content") or get("Content") or ""
            pid = str(get("sender") or get("Sender") or "")
            name = get("senderName") or get("SenderName") or ""
            if get("isSelf") or get("IsSelf"):
                sink.people.self_id = pid
            row(sink, t, key(name, pid) if pid or name else NOBODY, str(text),
                _int(get("type", get("Type"))), _int(get("subType", get("SubType"))))


class PyWxDumpCsv(_WeChat):
    name = "wechat-pywxdump-csv"
    description = ("WeChat, PyWxDump CSV: "
                   "id,MsgSvrID,type_name,is_sender,talker,room_name,msg,src,CreateTime")
    caveat = ("PyWxDump CSV gives senders' IDs but not their names, so people named in system "
              "rows (joins, removals) cannot be matched to the IDs they post under")

    def sniff(self, head: str) -> bool:
        roles = _header_roles(head)
        return {"type_name", "self", "id", "time", "text"} <= set(roles)

    def parse(self, path: Path, sink: Sink) -> None:
        f, reader, col = _csv_rows(path, {"type_name", "self", "id", "time", "text"})
        i_t, i_type, i_self, i_id, i_text = (col[r] for r in ("time", "type_name", "self", "id",
                                                                "text"))
        width = max(i_t, i_type, i_self, i_id, i_text) + 1
        key = sink.people.key
        epoch = None
        with f:
            for values in _stream(path, reader, width):
                if epoch is None:
                    epoch = _epoch_times(values[i_t])
                t = _epoch(path, reader.line_num, values[i_t]) if epoch else values[i_t]
                type_name, text, pid = values[i_type], values[i_text], values[i_id]
                if text.startswith('{"') and '"msg"' in text:  # older PyWxDump: {"src", "msg"}
                    try:
                        text = str(json.loads(text).get("msg") or "")
                    except (ValueError, AttributeError):
                        pass
                if values[i_self] in _SELF_FLAGS:
                    sink.people.self_id = pid
                if not pid or any(s in type_name for s in _PYWXDUMP_SYSTEM):
                    if not system_row(sink, t, text):
                        sink.add(t, NOBODY, SYSTEM)
                elif "撤回" in type_name:
                    sink.add(t, key("", pid), RECALL)
                elif "红包" in type_name and "封面" not in type_name:
                    said = app_text(text)[0]
                    sink.message(t, key("", pid), said if said.startswith(_PACKET_TEXT)
                                 else "[红包]" + said)
                else:
                    row(sink, t, key("", pid), text, _APP_TYPE if text.startswith("<") else None,
                        None)
