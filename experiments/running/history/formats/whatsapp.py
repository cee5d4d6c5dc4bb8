"""WhatsApp's 'Export chat' text, in the Android layout (`31/12/2023, 21:05 - Ada: hi`), the
iOS layout (`[31/12/2023, 21:05:33] Ada: hi`, lines often marked with U+200E), the older
`18.05.19, 11:50:00: Ada: hi`, and any order of year, month and day (`2024-01-18` too), with
dots, slashes or dashes, with or without the comma after the date, 12- or 24-hour clocks
(`9:05 PM`, `9:05\u202fPM` with a narrow space, `9:05 p. m.`).

System lines (English): `Ada added Bo`, `Bo joined using this group's invite link`, `Bo left`,
`Ada removed Bo`, `Ada created group "…"`; leaves are known. Which of day and month comes first
is read from the whole file (a first field above 12 means day first, a second above 12 month
first); a file where both readings fit is read day first for a 24-hour clock and month first for
a 12-hour one, and the import says so.
"""

import re
from datetime import datetime
from pathlib import Path

import pandas as pd

from experiments.running.history.events import JOIN, KICK, LEAVE, NOBODY, SELF, SYSTEM, Sink
from experiments.running.history.formats.base import ExportError, Parser, open_text, split_names
from experiments.running.history.times import from_local

_DATE = r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}"
_TIME = r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:[\s\u202f\u00a0]?[AaPp]\.?\s?[Mm]\.?)?"
_IOS = re.compile(rf"^\[({_DATE}),? ({_TIME})\] (.*)$", re.DOTALL)
_ANDROID = re.compile(rf"^({_DATE}),? ({_TIME})(?: [-–,]|:) (.*)$", re.DOTALL)
"""Unbracketed lines: the time, then ` - ` (Android), ` – `, ` , ` or `: ` (older exports)."""
_N = r"[^:]+?"
_LIST = r"[^:]+"
_Q = r"[\"“](?:.*)[\"”]"
_SYSTEM = tuple((re.compile(f"^{pattern}$"), what, actor) for pattern, what, actor in (
    # English (Android and iOS)
    (rf"(?P<who>{_N}) joined (?:using|via|from) (?:this group['’]s |your |an? )?invite(?: link)?",
     "link", None),
    (rf"(?P<by>{_N}) added (?P<names>{_LIST})", "added", "by"),
    (rf"(?P<who>{_N}) left", "left", None),
    (rf"(?P<names>{_N}) (?:was|were) removed", "removed", None),
    (rf"(?P<by>{_N}) removed (?P<names>{_LIST})", "removed", "by"),
    (rf"(?P<by>{_N}) created (?:the )?group {_Q}", "created", "by"),
    (rf"(?P<by>{_N}) created this group", "created", "by"),
    (rf"(?P<names>{_N}) (?:was|were) added", "joined", None),
    (rf"(?P<who>{_N}) joined(?: from the community)?", "joined", None),
    # Spanish: 'you' is in the verb (Añadiste a Bo, Ana te añadió, Saliste del grupo)
    (r"Te uniste (?:usando|mediante|con) el enlace de invitaci[oó]n(?: (?:de este|del) grupo)?",
     "link", None),
    (rf"(?P<who>{_N}) se uni[oó] (?:usando|mediante|con) el enlace de invitaci[oó]n"
     r"(?: (?:de este|del) grupo)?", "link", None),
    (rf"(?P<who>{_N}) se uni[oó](?: desde la comunidad)?", "joined", None),
    (rf"(?P<by>{_N}) te a[ñn]adi[oó]", "added", "by"),
    (rf"A[ñn]adiste a (?P<names>{_LIST})", "added", "you"),
    (rf"Se a[ñn]adi[oó] a (?P<names>{_LIST})", "joined", None),
    (rf"(?P<by>{_N}) a[ñn]adi[oó] a (?P<names>{_LIST})", "added", "by"),
    (r"Saliste del grupo", "left", None),
    (rf"(?P<who>{_N}) sali[oó] del grupo", "left", None),
    (rf"(?P<by>{_N}) te elimin[oó]", "removed", "by"),
    (rf"Eliminaste a (?P<names>{_LIST})", "removed", "you"),
    (rf"Se elimin[oó] a (?P<names>{_LIST})", "removed", None),
    (rf"(?P<by>{_N}) elimin[oó] a (?P<names>{_LIST})", "removed", "by"),
    (rf"Creaste (?:el grupo {_Q}|este grupo)", "created", "you"),
    (rf"(?P<by>{_N}) cre[oó] (?:el grupo {_Q}|este grupo)", "created", "by"),
))
"""System lines as (pattern, what, who did it: the `by` group, `you` the exporting account, or
None when unstated). Whom it is about is the `names` list or `who`, else the exporting account.
English: `Bo joined using this group's invite link` (or `via invite link`), `Ada added Bo, Cy and
Di` (`added you`), `Bo left`, `Ada removed Bo`, `Bo was removed`, `Ada created group "…"` or
`created this group`, `You were added`, `Bo joined from the community`. Spanish (`se unió usando
el enlace de invitación de este grupo`, `añadió a`, `salió del grupo`, `eliminó a`, `creó el
grupo`) in the wordings of public WhatsApp parsers' tables and test exports."""
_NOTICE = re.compile(r"end-to-end encrypted|changed (?:the|this) group|changed the subject")
"""iOS notices that only the group (as sender) writes: who sends them is the group's name."""
_CREATED = re.compile(rf"^{_N} created (?:the )?group [\"“](.*)[\"”]$")
"""An iOS creation notice; the group's name in quotes is the sender of its notices."""
_MEMBERS_OWN = re.compile(r"omitted|<attached|deleted|edited|Missed")
"""A member's own iOS lines marked U+200E, before the group's name is known."""
_NAME_SEPARATORS = (", a ", " y a ", ", and ", ", ", " and ", " y ")
"""Between names of a list: English `Bo, Cy and Di`, Spanish `a Bo, a Cy y a Di`."""
_MARKS = "\u200e\u200f"
_LEADING = _MARKS + "\ufeff\u202a\u202b\u202c"
_PARTS = re.compile(r"\d+")
_HALF = re.compile(r"[AaPp]\.?\s?[Mm]\.?$")


class WhatsAppTxt(Parser):
    name = "whatsapp-txt"
    description = "WhatsApp 'Export chat' .txt, Android or iOS layout, any date order"
    platform = "qq"
    records_leaves = True
    records_red_packets = False

    def sniff(self, head: str) -> bool:
        lines = [x.lstrip(_LEADING) for x in head.splitlines()[:40] if x.strip()]
        dated = sum(bool(_IOS.match(x) or _ANDROID.match(x)) for x in lines)
        return dated >= min(2, len(lines)) and dated > 0

    def parse(self, path: Path, sink: Sink) -> None:
        m = None  # the header of the message being read; its text may go on over more lines
        more: list[str] = []
        group: list[str] = []  # iOS: the group's name, the sender of its notices, once seen
        skipped = 0  # lines before the first message
        android, ios = _ANDROID.match, _IOS.match
        with open_text(path) as f:
            for line in f:
                first = line[:1]
                if first in _LEADING:  # iOS and some Android exports start lines with U+200E
                    line = line.lstrip(_LEADING)
                    first = line[:1]
                header = (android(line) if first.isdigit() else
                          ios(line) if first == "[" else None)
                if header is None:
                    if m is not None:
                        more.append(line)
                    elif line.strip():
                        skipped += 1
                    continue
                if m is not None:
                    self._emit(sink, m, more, group)
                    more = []
                m = header
            if m is not None:
                self._emit(sink, m, more, group)
        if not sink.kind:
            raise ExportError(f"{path}: no messages found.")
        if skipped:
            sink.notes.append(f"{path.name}: {skipped} line(s) before the first message skipped "
                              "(no date and time at their start)")

    @staticmethod
    def _emit(sink: Sink, m: re.Match, more: list[str], group: list[str]) -> None:
        date, clock, rest = m.groups()
        t = date + " " + clock
        ios = m.re is _IOS
        rest = (rest + "".join(more) if more else rest).rstrip("\r\n")
        name, sep, text = rest.partition(": ")
        # iOS notices come as 'Group name: \u200eAda added Bo'; a member's media and deleted
        # messages as 'Ada: \u200eimage omitted', 'Ada: \u200eThis message was deleted.'
        if ios:
            if not sep and _system(sink, t, rest.lstrip(_MARKS)):
                return  # a notice without the group's name: '\u200eAda created group "…"'
            if sep and text[:1] not in _MARKS and (name in group or _names_group(name, text)):
                if not group:  # an unmarked notice: 'Group name: Ada added Bo'
                    group.append(name)
                if not _system(sink, t, text):
                    sink.add(t, NOBODY, SYSTEM)
                return
            if sep and text[:1] in _MARKS:
                if _system(sink, t, text.lstrip(_MARKS)):
                    if not group:
                        group.append(name)
                    return
                if not group and _NOTICE.search(text):
                    group.append(name)
                if name in group or (not group and not _MEMBERS_OWN.search(text)):
                    sink.add(t, NOBODY, SYSTEM)
                    return
        elif (":" not in rest or " created " in rest) and _system(sink, t, rest.lstrip(_MARKS)):
            return  # system regexes take no colon in names: a 'Name: text' line is a message
        if not sep:
            if rest.endswith(":.") and ": " not in rest:  # a disappearing message: 'Ada:.'
                sink.message(t, sink.people.key(rest[:-2].lstrip(_MARKS), ""), "")
            else:
                sink.add(t, NOBODY, SYSTEM)
            return
        sink.message(t, sink.people.key(name.lstrip(_MARKS), ""), text.lstrip(_MARKS))

    def times(self, sink: Sink, tz: str) -> pd.DatetimeIndex:
        raw = sink.time
        uniques = {r.split(" ", 1)[0] for r in raw}
        twelve_hour = bool(raw) and bool(_HALF.search(raw[0]))
        day_first = _day_first(uniques, twelve_hour)
        if _ambiguous(uniques):
            sink.notes.append(
                f"{sink.fmt}: every date fits both day-month and month-day; read "
                f"{'day' if day_first else 'month'} first, as {'24' if not twelve_hour else '12'}"
                "-hour exports usually are")
        if not any(len(_PARTS.findall(r.split(" ", 1)[1])) > 2 for r in raw[:1000]):
            sink.notes.append(f"{sink.fmt}: times are to the minute (the export gives no "
                              "seconds), so events within a minute keep the file's order")
        dates = {d: _date(d, day_first) for d in uniques}
        clocks: dict[str, tuple[int, int, int]] = {}

        def parse(text: str) -> datetime:
            date, clock = text.split(" ", 1)
            hms = clocks.get(clock)
            if hms is None:
                hms = clocks[clock] = _clock(clock)
            return datetime(*dates[date], *hms)

        return from_local(raw, tz, parse)


def _system(sink: Sink, t: str, text: str) -> bool:
    """Record `text` if it is a system line (`_SYSTEM`); False if it is none."""
    for pattern, what, actor in _SYSTEM:
        m = pattern.match(text)
        if m is None:
            continue
        named = sink.people.named
        groups = m.groupdict()
        if groups.get("names") is not None:
            subjects = [named(n) for n in split_names(groups["names"], _NAME_SEPARATORS)]
        else:
            subjects = [named(groups["who"]) if groups.get("who") is not None else SELF]
        by = named(groups["by"]) if actor == "by" else SELF if actor == "you" else None
        if what == "created":
            sink.opened = (sink.add(t, by, SYSTEM), by)
            return True
        for who in subjects:
            if what == "link":
                sink.add(t, who, JOIN, method="link")
            elif what == "added":
                sink.add(t, who, JOIN, actor=by, method="invite")
            elif what == "joined":
                sink.add(t, who, JOIN, method="unknown")
            elif what == "left":
                sink.add(t, who, LEAVE)
            else:
                sink.add(t, who, KICK, actor=by)
        return True
    return False


def _names_group(name: str, text: str) -> bool:
    """Whether an unmarked iOS line `name: text` can only be a notice the group sends under its
    own name: its creation under that name, a join by invite link, or a `_NOTICE`. Other
    wordings (`Ada added Bo`, `Bo left`) could be a member's message, so they count as notices
    only once the group's name is known."""
    created = _CREATED.match(text)
    return (created is not None and created.group(1) == name) or bool(
        _SYSTEM[0][0].match(text) or _NOTICE.search(text))


def _ambiguous(dates: set[str]) -> bool:
    fields = [[int(x) for x in _PARTS.findall(d)] for d in dates]
    return all(f[0] <= 12 and f[1] <= 12 for f in fields)


def _day_first(dates: set[str], twelve_hour: bool) -> bool:
    """Whether the first field of the dates is the day (see the module's docstring)."""
    fields = [[int(x) for x in _PARTS.findall(d)] for d in dates]
    first = max(f[0] for f in fields)
    second = max(f[1] for f in fields)
    if first > 999:  # year first: y-m-d
        return False
    if first > 12 and second > 12:
        raise ExportError("dates with both a day and a month above 12 in the first two fields: "
                          f"not a WhatsApp layout ({sorted(dates)[:3]}).")
    if first > 12:
        return True
    if second > 12:
        return False
    return not twelve_hour


def _date(text: str, day_first: bool) -> tuple[int, int, int]:
    """(year, month, day) of a date field."""
    a, b, c = (int(x) for x in _PARTS.findall(text))
    if a > 999:
        return a, b, c
    year = c + 2000 if c < 100 else c
    return (year, b, a) if day_first else (year, a, b)


def _clock(text: str) -> tuple[int, int, int]:
    """(hour, minute, second) of a time field, 12-hour clocks read by their AM/PM."""
    numbers = [int(x) for x in _PARTS.findall(text)]
    hour, minute = numbers[0], numbers[1]
    second = numbers[2] if len(numbers) > 2 else 0
    half = _HALF.search(text)
    if half is not None:
        pm = half.group(0)[0] in "Pp"
        if pm and hour < 12:
            hour += 12
        elif not pm and hour == 12:
            hour = 0
    return hour, minute, second
