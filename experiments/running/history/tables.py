"""The event table (one row per event) and the observed daily table (one row per local day).

Counting follows the model's rules (MODEL.md, Counting): members are real members, the host is
not one; a thanks within `PROMPT_WINDOW` after a red packet is a prompted message; a 接龙 entry
is a message by its author; conversation is members' messages that are neither prompted nor 接龙
entries; `active_posters` are members who posted conversation or a 接龙 entry that day.
"""

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.running.history.events import KINDS, LABELS, METHODS, NOBODY, SELF, People, Sink

PROMPT_WINDOW = pd.Timedelta(hours=2)
"""A thanks this soon after a red packet was asked for by the money (MODEL.md: prompted)."""
CREATION_WINDOW = pd.Timedelta(hours=1)
"""Members added this soon after the group's creation are its initial members, not joins."""
HASH_BYTES = 8

OBSERVED = (
    "date", "day", "weekday", "members", "joins", "leaves", "real_messages", "prompted_messages",
    "jielong_entries", "conversation", "host_messages", "active_posters", "red_packets",
    "red_packet_yuan",
)
"""Observed columns; the model's daily table uses the same names for the same counts."""


@dataclass(frozen=True)
class Host:
    who: int
    """The host's person number."""
    reason: str


class HostNotFound(ValueError):
    """`--host` names nobody in the export."""


SAME_EVENT = ("time", "who", "kind", "inviter", "method", "amount", "count", "text")
"""Columns that make two files' rows one event when both files hold it (overlapping exports)."""


def raw_events(sinks: list[tuple[Sink, pd.DatetimeIndex]],
               people: People) -> tuple[pd.DataFrame, int]:
    """All files' events in time order, and how many rows were dropped as another file's
    duplicates; `who` and `inviter` are person numbers (`NOBODY` for none), the same person under
    one number (`People.canonical`).

    Files may overlap (monthly exports, the same file twice): a row whose `SAME_EVENT` columns
    equal another file's is one event. Within a file, equal rows are separate events (two 'ok'
    in one minute), so the k-th of equal rows in one file matches the k-th in another."""
    canon = np.append(people.canonical(), NOBODY)  # index -1 (NOBODY) stays NOBODY
    frames = []
    lists = 0  # 接龙 list numbers are per file: number them on across files
    for sink, utc in sinks:
        n = len(sink.kind)
        frame = pd.DataFrame({
            "time": utc,
            "format": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[sink.fmt]),
            "who": canon[np.frombuffer(sink.who, dtype=np.int64)],
            "kind": pd.Categorical.from_codes(np.frombuffer(sink.kind, dtype=np.int8).copy(),
                                              categories=KINDS),
        })
        frame["inviter"] = canon[_sparse(n, sink.actor, NOBODY)]
        frame["method"] = _codes(n, sink.method, METHODS)
        frame["amount"] = pd.array(_sparse(n, sink.amount, np.nan), dtype="Float64")
        frame["count"] = _optional(n, sink.count)
        frame["label"] = _codes(n, sink.label, LABELS)
        frame["jielong"] = _optional(n, sink.jielong, offset=lists)
        lists += len(sink.lists)
        if sink.keep_text:
            frame["text"] = _sparse(n, sink.text, None)
        frames.append(frame)
    if len(frames) == 1:
        events, dropped = frames[0], 0
    else:
        same = [c for c in SAME_EVENT if c in frames[0]]
        for frame in frames:
            frame["nth"] = frame.groupby(same, dropna=False, observed=True, sort=False).cumcount()
        events = pd.concat(frames, ignore_index=True)
        size = len(events)
        events = events.drop_duplicates([*same, "nth"], ignore_index=True).drop(columns="nth")
        dropped = size - len(events)
    for column, categories in (("format", sorted({s.fmt for s, _ in sinks})), ("kind", KINDS),
                               ("method", METHODS), ("label", LABELS)):
        events[column] = events[column].astype(pd.CategoricalDtype(categories))
    return events.sort_values("time", kind="stable", ignore_index=True), dropped


def _sparse(n: int, values: dict, empty) -> np.ndarray:
    """A dense column from a sparse one (row -> value), `empty` elsewhere."""
    dtype = object if empty is None else np.int64 if isinstance(empty, int) else np.float64
    out = np.full(n, empty, dtype=dtype)
    if values:
        out[np.fromiter(values.keys(), dtype=np.int64, count=len(values))] = list(values.values())
    return out


def _optional(n: int, values: dict[int, int], offset: int = 0) -> pd.arrays.IntegerArray:
    """A nullable integer column from a sparse one of non-negative values (+ `offset`)."""
    dense = _sparse(n, values, -1)
    return pd.arrays.IntegerArray(dense + offset, dense < 0)


def _codes(n: int, values: dict[int, str], categories: tuple[str, ...]) -> pd.Categorical:
    index = {c: i for i, c in enumerate(categories)}
    return pd.Categorical.from_codes(
        _sparse(n, {row: index[v] for row, v in values.items()}, -1), categories=categories)


def find_host(events: pd.DataFrame, people: People, name: str | None,
              creator: int | None = None) -> Host:
    """The host: the person `name` names (a display name or an ID), else the group's `creator`
    (when the export shows the creation), else the sender of most red packets, else of most
    messages."""
    who = events["who"]
    if name is not None:
        canon = people.canonical()
        pid = people.id_of_name.get(name)
        for key in ("n:" + name, "i:" + name) + (("i:" + pid,) if pid else ()):
            number = people.find(key)
            if number is not None and (who == canon[number]).any():
                return Host(int(canon[number]), "named by --host")
        raise HostNotFound(f"--host {name!r} is neither a name nor an ID of anyone in the export.")
    if creator is not None:
        return Host(creator, "inferred: created the group")
    packets = who[(events["kind"] == "red_packet") & (who != NOBODY)].value_counts()
    if len(packets):
        return Host(int(packets.index[0]),
                    f"inferred: sent the most red packets ({packets.iloc[0]})")
    posts = who[events["kind"].isin(("message", "jielong_entry")) & (who != NOBODY)].value_counts()
    if not len(posts):
        raise HostNotFound("the export has no messages, so there is no host to infer; give --host.")
    return Host(int(posts.index[0]), f"inferred: sent the most messages ({posts.iloc[0]})")


def mark(events: pd.DataFrame, host: Host, tz: str) -> pd.DataFrame:
    """Add `host` (the row is the host's), `prompted`, and the local `date`."""
    events["host"] = (events["who"] == host.who).to_numpy()
    times = events["time"].to_numpy(dtype="datetime64[ns]")
    packets = times[(events["kind"] == "red_packet").to_numpy()]
    prompted = np.zeros(len(events), dtype=bool)
    thanks = (events["label"] == "thanks").to_numpy()
    if len(packets) and thanks.any():
        t = times[thanks]
        last = np.searchsorted(packets, t, side="right") - 1
        ok = last >= 0
        gap = np.full(len(t), np.timedelta64(10**6, "D"))
        gap[ok] = t[ok] - packets[last[ok]]
        prompted[np.flatnonzero(thanks)] = gap <= PROMPT_WINDOW.to_timedelta64()
    events["prompted"] = prompted & ~events["host"].to_numpy()
    events["date"] = events["time"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    return events


def hash_people(events: pd.DataFrame, people: People, salt: bytes) -> pd.DataFrame:
    """Replace person numbers by salted 64-bit BLAKE2b hashes (hex) of their keys: the same
    person, the same hash; no name or ID is left."""
    numbers = np.union1d(events["who"].to_numpy(), events["inviter"].to_numpy())
    numbers = numbers[numbers != NOBODY]
    hashes = {n: hashlib.blake2b(people.keys[n].encode(), key=salt,
                                 digest_size=HASH_BYTES).hexdigest() for n in numbers}
    for column in ("who", "inviter"):
        codes, uniques = pd.factorize(events[column])
        table = np.array([hashes.get(u) for u in uniques] + [None], dtype=object)
        events[column] = pd.array(table[codes], dtype="string")
    return events


@dataclass(frozen=True)
class Membership:
    opened: pd.Timestamp | None
    """When the export shows the group being created, else None (the export starts mid-life)."""
    initial: int
    """Creation members when `opened`, else members seen before any join of theirs (a lower
    bound: members who never posted are not seen)."""


def membership(events: pd.DataFrame, opened: pd.Timestamp | None) -> Membership:
    """Who was there when the export starts (MODEL.md: initial members are not joins)."""
    real = events[~events["host"] & (events["who"] != NOBODY) & (events["who"] != SELF)]
    if opened is not None:
        initial_rows = (real["kind"] == "join") & (
            (real["method"] == "creation") | (real["time"] <= opened + CREATION_WINDOW))
        return Membership(opened, int(real.loc[initial_rows, "who"].nunique()))
    first = real[["who", "kind"]].drop_duplicates("who")
    there = set(first.loc[first["kind"] != "join", "who"])
    inviters = set(events["inviter"].unique()) - {SELF, NOBODY} - set(real["who"])
    inviters -= set(events.loc[events["host"], "who"])
    return Membership(None, len(there) + len(inviters))


def observed(events: pd.DataFrame, members: Membership, leaves_known: bool,
             packets_known: bool = True) -> pd.DataFrame:
    """One row per local day from the export's first day to its last (OBSERVED columns).

    `leaves` is empty (NA) when the format does not record leaves; `members` (end of day) is
    known only when the export shows the group's creation and records leaves.
    `red_packet_yuan` is empty on a day with a red packet whose amount the export does not show.
    `red_packets`, `red_packet_yuan` and `prompted_messages` are empty when the format cannot
    show red packets (`packets_known` False): thanks are then conversation.
    """
    dates = pd.date_range(events["date"].iloc[0], events["date"].iloc[-1], freq="D")
    kind, host, date = events["kind"], events["host"], events["date"]
    real = ~host & (events["who"] != NOBODY) & (events["who"] != SELF)
    if members.opened is not None:
        counted_join = real & (kind == "join") & (events["method"] != "creation") & (
            events["time"] > members.opened + CREATION_WINDOW)
    else:
        counted_join = real & (kind == "join")
    post = kind.isin(("message", "jielong_entry"))
    prompted = events["prompted"]
    entry = kind == "jielong_entry"
    talk = real & (kind == "message") & ~prompted

    def per_day(mask: pd.Series) -> np.ndarray:
        return date[mask].value_counts().reindex(dates, fill_value=0).to_numpy(np.int64)

    out = pd.DataFrame({"date": dates.date, "day": np.arange(len(dates)),
                        "weekday": dates.strftime("%a").str.lower()})
    joins = per_day(counted_join)
    leaves = per_day(real & kind.isin(("leave", "kick")))
    out["members"] = pd.array([pd.NA] * len(dates), dtype="Int64")
    if members.opened is not None and leaves_known:
        out["members"] = pd.array(members.initial + np.cumsum(joins - leaves), dtype="Int64")
    out["joins"] = pd.array(joins, dtype="Int64")
    out["leaves"] = pd.array(leaves, dtype="Int64") if leaves_known else pd.array(
        [pd.NA] * len(dates), dtype="Int64")
    out["real_messages"] = per_day(real & post)
    out["prompted_messages"] = pd.array(per_day(real & prompted), dtype="Int64")
    out["jielong_entries"] = per_day(real & entry)
    out["conversation"] = per_day(talk)
    out["host_messages"] = per_day(host & post)
    posting = events.loc[(talk | (real & entry)), ["date", "who"]].drop_duplicates()
    out["active_posters"] = (posting["date"].value_counts().reindex(dates, fill_value=0)
                             .to_numpy(np.int64))
    packets = kind == "red_packet"
    sent = per_day(packets)
    out["red_packets"] = pd.array(sent, dtype="Int64")
    yuan = events.loc[packets, ["date", "amount"]]
    by_day = yuan.groupby("date")["amount"].agg(lambda a: a.sum() if a.notna().all() else pd.NA)
    out["red_packet_yuan"] = pd.array(
        by_day.reindex(dates).where(sent > 0, 0.0), dtype="Float64")
    if not packets_known:
        for column in ("red_packets", "red_packet_yuan", "prompted_messages"):
            out[column] = pd.array([pd.NA] * len(dates), dtype=str(out[column].dtype))
    return out[list(OBSERVED)]
