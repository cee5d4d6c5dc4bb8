"""Raw export times to UTC: local wall-clock strings, ISO strings with offsets, Unix seconds."""

import zoneinfo
from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np
import pandas as pd


class BadTime(ValueError):
    """A time in an export that cannot be read, or a zone that is not one; the message quotes
    it. `value`: the export's text that is not a time (None for a zone)."""

    def __init__(self, message: str, value: str | None = None):
        super().__init__(message)
        self.value = value


def _unreadable(uniques, **kwargs) -> BadTime:
    """`BadTime` for the first of `uniques` that is not an ISO 8601 time."""
    for text in uniques:
        try:
            pd.to_datetime(text, format="ISO8601", **kwargs)
        except ValueError:
            return BadTime(f"cannot read the time {text!r} (a date and time such as "
                           "2024-01-13 21:05:00 expected)", str(text))
    return BadTime("cannot read the times (a date and time such as 2024-01-13 21:05:00 "
                   "expected)")


def zone(tz: str) -> zoneinfo.ZoneInfo:
    """The IANA zone named `tz` (`--tz`); `BadTime` naming it if there is none."""
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise BadTime(f"--tz {tz!r} is not an IANA time zone "
                      "(e.g. Asia/Shanghai, Europe/Berlin).") from None


def from_local(raw: Sequence[str], tz: str,
               parse: Callable[[str], datetime] | None = None) -> pd.DatetimeIndex:
    """Local wall-clock strings -> UTC. Each distinct string is parsed once, by `parse`, or as
    ISO 8601 (`YYYY-MM-DD HH:MM:SS`) when `parse` is None.

    A wall-clock time that a daylight-saving change skips moves forward; one it repeats is read
    as standard time.
    """
    codes, uniques = pd.factorize(np.asarray(raw, dtype=object))
    if parse is None:
        try:
            parsed = pd.DatetimeIndex(pd.to_datetime(uniques, format="ISO8601"))
        except ValueError:
            raise _unreadable(uniques) from None
    else:
        parsed = []
        for text in uniques:
            try:
                parsed.append(parse(text))
            except ValueError:
                raise BadTime(f"cannot read the time {text!r}", text) from None
        parsed = pd.DatetimeIndex(parsed)
    local = parsed.take(codes) if len(codes) else pd.DatetimeIndex([])
    return local.tz_localize(tz, ambiguous=np.zeros(len(local), dtype=bool),
                             nonexistent="shift_forward").tz_convert("UTC")


def from_iso(raw: Sequence[str], tz: str) -> pd.DatetimeIndex:
    """ISO 8601 strings; those with an offset are exact, those without are local to `tz`."""
    if raw and _has_offset(raw[0]):
        try:
            return pd.DatetimeIndex(pd.to_datetime(pd.Series(raw), format="ISO8601", utc=True))
        except ValueError:
            raise _unreadable(pd.unique(pd.Series(raw)), utc=True) from None
    return from_local(raw, tz)


def from_epoch(raw: Sequence[float]) -> pd.DatetimeIndex:
    """Unix seconds -> UTC."""
    return pd.DatetimeIndex(pd.to_datetime(np.asarray(raw, dtype=np.float64), unit="s", utc=True))


def _has_offset(text: str) -> bool:
    return text.endswith("Z") or (len(text) > 19 and text[-6] in "+-" and text[-3] == ":")
