"""Import chat exports into a history directory: events, observed days, plan skeleton."""

import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from experiments.running.history.events import SELF, People, Sink
from experiments.running.history.formats.registry import detect
from experiments.running.history.formats.base import ExportError, app, open_text
from experiments.running.history.skeleton import skeleton
from experiments.running.history.tables import (
    find_host,
    hash_people,
    mark,
    membership,
    observed,
    raw_events,
)
from experiments.running.history.times import BadTime, zone

EVENTS = "events.parquet"
OBSERVED = "observed.parquet"
PLAN = "history-plan.yaml"
SALT_BYTES = 16


class HistoryError(ValueError):
    """Bad input to an import (a file, the time zone, the salt); the message says which."""


@dataclass
class ImportResult:
    """What an import wrote and what it could and could not know."""

    out: Path
    formats: dict[str, str]
    """File -> format name."""
    events: int
    days: int
    first_day: str
    last_day: str
    host: str
    """The host's hash."""
    host_reason: str
    opened: bool
    """Whether the export shows the group's creation (otherwise it starts mid-life)."""
    initial_members: int
    leaves_known: bool
    red_packets_known: bool
    members_known: bool
    salt_given: bool
    notes: list[str] = field(default_factory=list)

    @property
    def paths(self) -> tuple[Path, Path, Path]:
        return self.out / EVENTS, self.out / OBSERVED, self.out / PLAN

    def lines(self) -> list[str]:
        """A plain-words summary, one fact a line."""
        start = ("starts at the group's creation" if self.opened else
                 "starts mid-life: day 0 is not the opening day; "
                 f"{self.initial_members} members seen before any join of theirs (a lower bound)")
        return [
            *(f"{file}: {fmt}" for file, fmt in self.formats.items()),
            f"{self.events} events over {self.days} local days, "
            f"{self.first_day} to {self.last_day}",
            f"host {self.host}: {self.host_reason}",
            f"the export {start}",
            "leaves: " + ("known" if self.leaves_known else "not recorded by this format (empty)"),
            "red packets and prompted thanks: " + (
                "known" if self.red_packets_known else
                "not shown by this format (empty, unknown; thanks count as conversation)"),
            "members: " + ("known each day" if self.members_known else
                           "unknown (empty): needs the creation and recorded leaves"),
            "names and IDs: salted hashes" + (
                "" if self.salt_given else
                " (random salt, not stored: not linkable to other imports)"),
            *self.notes,
        ]


def _line_of(path: Path, text: str | None) -> int | None:
    """The number of the first line of `path` holding `text` (to name where an error is), None
    when none does."""
    with open_text(path) as f:
        for number, line in enumerate(f, 1):
            if text in line:
                return number
    return None


def import_exports(paths: list[Path], out: Path, *, tz: str = "Asia/Shanghai",
                   host: str | None = None, keep_text: bool = False,
                   salt: str | None = None) -> ImportResult:
    """Read chat exports of one group and write `events.parquet`, `observed.parquet` and
    `history-plan.yaml` into `out` (created if missing; these files are replaced).

    `paths`: export files of one group, of any supported formats (`formats.registry.FORMATS`) of
    one app, detected from their content; they may overlap (an event in several files counts
    once, `tables.raw_events`); files of different apps are a `HistoryError` naming them.
    `tz`: IANA zone of the local days and of exports that write wall-clock times. `host`: the host's display name or ID (default: inferred). `keep_text`:
    keep message text in the events. `salt`: salt of the name hashes (default: random, not
    stored). Raises `UnknownFormat`, `HistoryError` (bad file, zone), `HostNotFound`.
    """
    if not paths:
        raise HistoryError("no export files given.")
    try:
        zone(tz)
    except BadTime as error:
        raise HistoryError(str(error)) from None
    people = People()
    sinks = []
    for path in paths:
        if not path.is_file():
            raise HistoryError(f"{path}: no such file.")
    parsers = [detect(path) for path in paths]
    formats = {str(path): parser.name for path, parser in zip(paths, parsers)}
    apps = {app(f) for f in formats.values()}
    if len(apps) > 1:
        listed = "; ".join(f"{file}: {fmt} ({app(fmt)})" for file, fmt in formats.items())
        raise HistoryError(f"the files are exports of different apps ({', '.join(sorted(apps))}), "
                           f"so not of one group: {listed}. Import each app's files on their own.")
    for path, parser in zip(paths, parsers):
        sink = Sink(parser.name, people, keep_text or len(paths) > 1)  # text tells duplicates
        try:
            parser.parse(path, sink)
            if not sink.kind:
                raise ExportError(f"{path}: no events found.")
            utc = parser.times(sink, tz)
        except BadTime as err:
            line = _line_of(path, err.value) if err.value else None
            where = f", line {line}" if line else ""
            raise HistoryError(f"{path}{where}: {err}.") from None
        except (ExportError, UnicodeDecodeError) as err:
            raise HistoryError(f"{path}: {err}" if str(path) not in str(err) else str(err)) from None
        sinks.append((sink, utc))
    events, duplicates = raw_events(sinks, people)
    if not keep_text and "text" in events:
        events = events.drop(columns="text")
    canon = people.canonical()
    created = sorted((utc[s.opened[0]], int(canon[s.opened[1]]))
                     for s, utc in sinks if s.opened is not None)
    opened, creator = created[0] if created else (None, None)
    if opened is not None and opened > events["time"].iloc[0] + pd.Timedelta(days=1):
        opened = creator = None  # a creation after the export's first day is not where it starts
    who = find_host(events, people, host, creator)
    events = mark(events, who, tz)
    members = membership(events, opened)
    leaves_known = all(p.records_leaves for p in parsers)
    red_packets_known = all(p.records_red_packets for p in parsers)
    days = observed(events, members, leaves_known, red_packets_known)
    platform = parsers[0].platform  # one app, so one platform
    names = sorted({p.name for p in parsers})
    plan_text, notes = skeleton(events, days, tz, names, platform, members.initial,
                                opened is not None, who.reason)

    key = salt.encode() if salt is not None else secrets.token_bytes(SALT_BYTES)
    if len(key) > 64:
        raise HistoryError("--salt is at most 64 bytes.")
    events = hash_people(events, people, key).drop(columns="date")
    host_hash = events.loc[events["host"], "who"].iloc[0]

    out.mkdir(parents=True, exist_ok=True)
    old_days = out / OBSERVED
    if (out / "fit").is_dir() and not (old_days.is_file()
                                       and pd.read_parquet(old_days).equals(days)):
        aside = out / "fit-of-the-previous-import"  # a fit of other data: not this history's
        shutil.rmtree(aside, ignore_errors=True)
        (out / "fit").rename(aside)
        notes.append(f"{out / 'fit'} held a fit of the previous import's other data: it is now "
                     f"{aside.name}; calibrate again for this one")
    events.attrs["tz"] = tz  # the zone of the local days, for calibrate (read_history)
    events.to_parquet(out / EVENTS, index=False)
    days.to_parquet(out / OBSERVED, index=False)
    (out / PLAN).write_text(plan_text, encoding="utf-8")
    notes += sorted({f"{p.name}: {p.caveat}" for p in parsers if p.caveat})
    notes += [note for sink, _ in sinks for note in sink.notes]
    if len(paths) > 1:
        notes.append(f"{duplicates} event(s) found in more than one file counted once "
                     "(same time, person, kind and content)")
    if who.who == SELF:
        notes.append("the host is the exporting account ('you' in system lines), whose name the "
                     "export does not give: its posts under its name count as a member's; "
                     "give --host NAME to join them")
    return ImportResult(
        out=out, formats=formats, events=len(events), days=len(days),
        first_day=str(days["date"].iloc[0]), last_day=str(days["date"].iloc[-1]),
        host=str(host_hash), host_reason=who.reason, opened=opened is not None,
        initial_members=members.initial, leaves_known=leaves_known,
        red_packets_known=red_packets_known,
        members_known=bool(days["members"].notna().all()), salt_given=salt is not None, notes=notes,
    )
