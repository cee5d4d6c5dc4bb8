"""What every parser fills: one row per event, people by number, and the reading of message text.

A parser walks its file once, in order, and calls `Sink.message` for a post (the sink decides
whether it is a red packet, a 接龙 repost, a thanks or a recall) or `Sink.add` for what the format
states outright (a join, a leave, a kick). People are numbers until the end of the import
(`People`), so a name seen in a join line and the ID it posts under later become one person;
only then are they replaced by salted hashes (`experiments.running.history.tables`).
"""

import re
from array import array
from dataclasses import dataclass, field
from typing import Any

import numpy as np

KINDS = ("message", "join", "leave", "kick", "red_packet", "jielong_entry", "recall", "system")
(MESSAGE, JOIN, LEAVE, KICK, RED_PACKET, JIELONG_ENTRY, RECALL, SYSTEM) = range(len(KINDS))
LABELS = ("thanks", "report", "jielong_list")
"""Extra reading of a row: `thanks` a short thanks (prompted when it follows a red packet,
decided in `tables`), `report` a daily-report-like post, `jielong_list` the post that opens a
接龙 list."""
METHODS = ("invite", "qr", "link", "request", "creation", "unknown")
"""How a join happened: invited by a member, scanned a shared QR code, used an invite link,
approved request, added when the group was created, not stated."""

SELF = 0
"""The number of the exporting account where the export says 'you' (你, You) instead of a name."""
NOBODY = -1
"""The number in `who` of a row without a person (a system notice)."""

THANKS_MAX_CHARS = 20
"""A thanks is short: longer posts that contain 谢 are conversation."""
_REPORT = re.compile(r"^\s*[【\[#]?\s*(早报|晚报|日报|早安|晚安|简报|新闻|每日|今日|daily|morning|news)",
                     re.IGNORECASE)
_RED_PACKET = ("[红包]", "[QQ红包]", "[Red Packet]", "[微信红包]", "[Red packet]")
_YUAN = re.compile(r"(?:[¥￥]\s*(\d+(?:\.\d+)?))|(?:(\d+(?:\.\d+)?)\s*(?:元|块|rmb|RMB))")
_COUNT = re.compile(r"(\d+)\s*个")
_ENTRY = re.compile(r"^\s*(\d{1,4})\s*[.、．:：)）]\s*\S")
_SHORT = re.compile(r"(?P<recall>撤回了一条消息|This message was deleted|You deleted this message|"
                    r"此消息已删除|该消息已撤回|Se elimin[oó] este mensaje|Eliminaste este mensaje|"
                    r"Este mensaje fue eliminado)|(?P<thanks>谢|感恩|thank|thx|🙏|收到红包|老板大气|老板威武)",
                    re.IGNORECASE)
SHORT_MAX_CHARS = 40


@dataclass
class People:
    """People as numbers. A number stands for a key: `i:<id>` when the export gives an ID,
    `n:<name>` when it gives only a name, `self` (number `SELF`) for 'you'. `canonical` maps a
    name to the ID its owner posted under, if any."""

    keys: list[str] = field(default_factory=lambda: ["self"])
    id_of_name: dict[str, str] = field(default_factory=dict)
    self_id: str | None = None
    _numbers: dict[str, int] = field(default_factory=lambda: {"self": SELF})
    _posters: dict[tuple[str, str], int] = field(default_factory=dict)

    def number(self, key: str) -> int:
        got = self._numbers.get(key)
        if got is None:
            got = self._numbers[key] = len(self.keys)
            self.keys.append(key)
        return got

    def find(self, key: str) -> int | None:
        return self._numbers.get(key)

    def key(self, name: str, pid: str = "") -> int:
        """The number of a poster (`name` and its `pid`, empty when unknown); remembers
        name -> ID."""
        got = self._posters.get((name, pid))
        if got is None:
            if pid and name:
                self.id_of_name[name] = pid
            got = self._posters[(name, pid)] = self.number("i:" + pid if pid else "n:" + name)
        return got

    def named(self, name: str) -> int:
        """The number of someone a system line names; 'you' is the exporting account."""
        name = name.strip().strip('"“”「」\'')
        if name in ("你", "You", "you", "您"):
            return SELF
        return self.number("n:" + name)

    def canonical(self) -> np.ndarray:
        """Number -> the number of the same person: a name that posted under an ID, and 'you'
        when the export tells the exporting account's ID, map to that ID's number."""
        out = np.arange(len(self.keys), dtype=np.int64)
        if self.self_id:
            out[SELF] = self.number("i:" + self.self_id)
        for n, key in enumerate(list(self.keys)):
            if key.startswith("n:") and (pid := self.id_of_name.get(key[2:])):
                out[n] = self.number("i:" + pid)
        grown = np.arange(len(self.keys), dtype=np.int64)
        grown[: len(out)] = out
        return grown


@dataclass
class Sink:
    """Columns of one file's events, in file order. `time` holds raw values the parser turns
    into UTC at the end (`Parser.times`); `who` and `kind` are packed arrays (a million rows
    take 9 MB); sparse columns are dicts row -> value."""

    fmt: str
    people: People
    keep_text: bool = False
    time: list[Any] = field(default_factory=list)
    who: array = field(default_factory=lambda: array("q"))
    kind: array = field(default_factory=lambda: array("b"))
    text: dict[int, str] = field(default_factory=dict)
    actor: dict[int, int] = field(default_factory=dict)
    method: dict[int, str] = field(default_factory=dict)
    amount: dict[int, float] = field(default_factory=dict)
    count: dict[int, int] = field(default_factory=dict)
    label: dict[int, str] = field(default_factory=dict)
    jielong: dict[int, int] = field(default_factory=dict)
    opened: tuple[int, int] | None = None
    """(row, creator's number) of the group's creation when the export shows it, else None."""
    notes: list[str] = field(default_factory=list)
    """What the parser could not be sure of, said in the import's result."""
    lists: dict[str, set[int]] = field(default_factory=dict)
    _list_ids: dict[str, int] = field(default_factory=dict)

    def add(self, t: Any, who: int, kind: int, text: str | None = None, **extra: Any) -> int:
        """One event row (`who` NOBODY for a notice without a person); `extra` fills the sparse
        columns (actor, method, amount, count, label, jielong)."""
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

    def join(self, t: Any, names: list[str], inviter: int | None, method: str) -> None:
        for name in names:
            self.add(t, self.people.named(name), JOIN, actor=inviter, method=method)

    def message(self, t: Any, who: int, text: str) -> None:
        """A post by `who`: a red packet, 接龙 (re)post, recall, thanks, report or plain message."""
        if text.startswith(_RED_PACKET):
            amount = _YUAN.search(text)
            count = _COUNT.search(text)
            self.add(t, who, RED_PACKET, text,
                     amount=float(amount.group(1) or amount.group(2)) if amount else None,
                     count=int(count.group(1)) if count else None)
            return
        if len(text) <= SHORT_MAX_CHARS and (m := _SHORT.search(text)):
            if m.lastgroup == "recall":
                self.add(t, who, RECALL)
                return
            if len(text) <= THANKS_MAX_CHARS:
                self.add(t, who, MESSAGE, text, label="thanks")
                return
        if "接龙" in text and "\n" in text:
            self._jielong(t, who, text)
        elif _REPORT.match(text):
            self.add(t, who, MESSAGE, text, label="report")
        else:  # the common case, without add's keyword handling
            if self.keep_text and text:
                self.text[len(self.kind)] = text
            self.time.append(t)
            self.who.append(who)
            self.kind.append(MESSAGE)

    def _jielong(self, t: Any, who: int, text: str) -> None:
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
        seen = self.lists.get(title)
        label = None
        if seen is None:
            seen = self.lists[title] = set()
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
