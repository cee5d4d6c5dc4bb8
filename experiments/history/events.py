"""What every parser fills: one row per event, people by key, and the reading of message text.

A parser walks its file once, in order, and calls `Sink.message` for a post (the sink decides
whether it is a red packet, a 接龙 repost, a thanks or a recall) or `Sink.add` for what the format
states outright (a join, a leave, a kick). People are kept as keys until the end of the import
(`People`), so a name seen in a join line and the ID it posts under later become one person;
only then are keys replaced by salted hashes (`experiments.history.tables`).
"""

import re
from dataclasses import dataclass, field
from typing import Any

KINDS = ("message", "join", "leave", "kick", "red_packet", "jielong_entry", "recall", "system")
(MESSAGE, JOIN, LEAVE, KICK, RED_PACKET, JIELONG_ENTRY, RECALL, SYSTEM) = range(len(KINDS))
LABELS = ("thanks", "report", "jielong_list")
"""Extra reading of a row: `thanks` a short thanks (prompted when it follows a red packet,
decided in `tables`), `report` a daily-report-like post, `jielong_list` the post that opens a
接龙 list."""
METHODS = ("invite", "qr", "link", "request", "creation", "unknown")
"""How a join happened: invited by a member, scanned a shared QR code, used an invite link,
approved request, added when the group was created, not stated."""

SELF = "self"
"""The key of the exporting account where the export says 'you' (你, You) instead of a name."""

_THANKS = re.compile(r"谢|感恩|thank|thx|🙏|收到红包|老板大气|老板威武", re.IGNORECASE)
THANKS_MAX_CHARS = 20
"""A thanks is short: longer posts that contain 谢 are conversation."""
_REPORT = re.compile(r"^\s*[【\[#]?\s*(早报|晚报|日报|早安|晚安|简报|新闻|每日|今日|daily|morning|news)",
                     re.IGNORECASE)
_RED_PACKET = ("[红包]", "[QQ红包]", "[Red Packet]", "[微信红包]", "[Red packet]")
_YUAN = re.compile(r"(?:[¥￥]\s*(\d+(?:\.\d+)?))|(?:(\d+(?:\.\d+)?)\s*(?:元|块|rmb|RMB))")
_COUNT = re.compile(r"(\d+)\s*个")
_ENTRY = re.compile(r"^\s*(\d{1,4})\s*[.、．:：)）]\s*\S")
_RECALL = ("撤回了一条消息", "This message was deleted", "You deleted this message",
           "此消息已删除", "该消息已撤回")


@dataclass
class People:
    """Person keys: `i:<id>` when the export gives an ID, `n:<name>` when it gives only a name,
    `self` for 'you'. `resolve` turns a name key into the ID its owner posted under, if any."""

    id_of_name: dict[str, str] = field(default_factory=dict)
    self_id: str | None = None
    _keys: dict[tuple[str, str], str] = field(default_factory=dict)

    def key(self, name: str, pid: str = "") -> str:
        """The key of a poster (`name` and its `pid`, empty when unknown); remembers name -> ID."""
        got = self._keys.get((name, pid))
        if got is None:
            if pid:
                got = "i:" + pid
                if name:
                    self.id_of_name[name] = pid
            else:
                got = "n:" + name
            self._keys[(name, pid)] = got
        return got

    def named(self, name: str) -> str:
        """The key of someone a system line names; 'you' is the exporting account."""
        name = name.strip().strip('"“”「」\'')
        if name in ("你", "You", "you", "您"):
            return SELF
        return "n:" + name

    def resolve(self, key: str) -> str:
        if key == SELF:
            return "i:" + self.self_id if self.self_id else SELF
        if key.startswith("n:"):
            pid = self.id_of_name.get(key[2:])
            if pid:
                return "i:" + pid
        return key


@dataclass
class Sink:
    """Columns of one file's events, in file order. `time` holds raw values the parser turns
    into UTC at the end (`Parser.times`); sparse columns are dicts row -> value."""

    fmt: str
    people: People
    keep_text: bool = False
    time: list[Any] = field(default_factory=list)
    who: list[str | None] = field(default_factory=list)
    kind: list[int] = field(default_factory=list)
    text: dict[int, str] = field(default_factory=dict)
    actor: dict[int, str] = field(default_factory=dict)
    method: dict[int, str] = field(default_factory=dict)
    amount: dict[int, float] = field(default_factory=dict)
    count: dict[int, int] = field(default_factory=dict)
    label: dict[int, str] = field(default_factory=dict)
    jielong: dict[int, int] = field(default_factory=dict)
    opened: tuple[Any, str] | None = None
    """(raw time, creator's key) of the group's creation when the export shows it, else None."""
    _lists: dict[str, set[int]] = field(default_factory=dict)
    _list_ids: dict[str, int] = field(default_factory=dict)

    def add(self, t: Any, who: str | None, kind: int, text: str | None = None, **extra: Any) -> int:
        """One event row; `extra` fills the sparse columns (actor, method, amount, count, label)."""
        row = len(self.kind)
        self.time.append(t)
        self.who.append(who)
        self.kind.append(kind)
        if self.keep_text and text:
            self.text[row] = text
        for name, value in extra.items():
            if value is not None:
                getattr(self, name)[row] = value
        return row

    def join(self, t: Any, names: list[str], inviter: str | None, method: str) -> None:
        for name in names:
            self.add(t, self.people.named(name), JOIN, actor=inviter, method=method)

    def message(self, t: Any, who: str, text: str) -> None:
        """A post by `who`: a red packet, 接龙 (re)post, recall, thanks, report or plain message."""
        head = text[:12]
        if head.startswith(_RED_PACKET):
            amount = _YUAN.search(text)
            count = _COUNT.search(text)
            self.add(t, who, RED_PACKET, text,
                     amount=float(amount.group(1) or amount.group(2)) if amount else None,
                     count=int(count.group(1)) if count else None)
        elif "接龙" in text and "\n" in text:
            self._jielong(t, who, text)
        elif len(text) <= 40 and any(r in text for r in _RECALL):
            self.add(t, who, RECALL)
        elif len(text) <= THANKS_MAX_CHARS and _THANKS.search(text):
            self.add(t, who, MESSAGE, text, label="thanks")
        elif _REPORT.match(head):
            self.add(t, who, MESSAGE, text, label="report")
        else:
            self.add(t, who, MESSAGE, text)

    def _jielong(self, t: Any, who: str, text: str) -> None:
        """A 接龙 post repeats the whole list: only numbers not seen before in that list are
        entries (one row each, by the poster). The first post of a list is labelled its opening."""
        lines = text.splitlines()
        numbers = []
        header = []
        for line in lines:
            m = _ENTRY.match(line)
            if m:
                numbers.append(int(m.group(1)))
            elif not numbers:
                header.append(line.strip())
        if not numbers and not any("接龙" in h for h in header):
            self.add(t, who, MESSAGE, text)
            return
        title = "\n".join(h for h in header if h)
        seen = self._lists.get(title)
        label = None
        if seen is None:
            seen = self._lists[title] = set()
            self._list_ids[title] = len(self._list_ids)
            label = "jielong_list"
        list_id = self._list_ids[title]
        new = [n for n in numbers if n not in seen]
        seen.update(numbers)
        if not new:
            self.add(t, who, MESSAGE, text, label=label, jielong=list_id)
            return
        for i, _ in enumerate(new):
            self.add(t, who, JIELONG_ENTRY, text if i == 0 else None,
                     label=label if i == 0 else None, jielong=list_id)
