"""Profiles: one audience's behaviour as named overrides of the behavioural constants.

A profile (`profile.yaml`, written by `groupsim calibrate` or by hand) names the constants of
`sim.constants.Constants` it changes, the shape of the hour-of-day rhythm and the plan levers an
export cannot show; everything it does not name keeps its default. It holds no copy of the
constants. A plan is played with a profile by `GroupModel(plan, profile=...)` (and
`sim.run.simulate`, the runner's `profile`).

    name: chengdu-fruit          # how reports name it
    constants: {post_rate: 0.012, voice_spread: 1.1}
    rhythm: {shift: 1.0, night: 0.5, evening: 1.2}
    plan: {pool.interest_mean: 0.6}
    fit: {...}                   # calibrate's intervals and notes; not read when applying

Every value is checked against `PARAMETERS` (the settable names and their ranges); a bad name
or value raises `ProfileError` naming the field and its allowed range.
"""

import difflib
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from ruamel.yaml.error import YAMLError

from scenarios.loader import dump_yaml, parse_yaml
from sim.constants import CONSTANTS, RHYTHM, Constants


class ProfileError(ValueError):
    """A profile names an unknown field or a value out of its range; the message says which."""


class Parameter(NamedTuple):
    """A settable name: where it lives (`constants`, `rhythm` or `plan`), its range and meaning."""

    where: str
    lo: float
    hi: float
    doc: str
    log: bool = False  # searched and given a prior on the log scale (rates and lengths)


PARAMETERS: dict[str, Parameter] = {
    # behavioural constants (sim/constants.py, same names)
    "post_rate": Parameter("constants", 0.002, 0.04, "posting propensity: chance a willing "
                           "member with average voice speaks in an average hour", log=True),
    "voice_spread": Parameter("constants", 0.2, 2.0, "σ of the log-normal voice: how unequal "
                              "members' posting is"),
    "burst_extra": Parameter("constants", 0.0, 4.0, "exchange length: extra messages in a "
                             "speaking turn"),
    "salience_days": Parameter("constants", 0.5, 15.0, "salience decay: the chance to open the "
                               "group falls by e every this many quiet days", log=True),
    "churn_per_day": Parameter("constants", 0.0001, 0.01, "everyday churn: leave hazard per "
                               "day whatever the group does", log=True),
    "thanks_share": Parameter("constants", 0.0, 1.0, "red-packet response: grabbers who post a "
                              "thank-you"),
    "jielong_proof": Parameter("constants", 0.0, 3.0, "接龙 conversion: how much a growing "
                               "list lifts the odds of an entry (× (1 + this × log1p(entries)))"),
    "social_half": Parameter("constants", 2.0, 60.0, "messages a day at which social proof is "
                             "half-way", log=True),
    # the hour-of-day rhythm: the default curve (sim/constants.RHYTHM) shifted and reshaped
    "shift": Parameter("rhythm", -4.0, 4.0, "rhythm shift: hours the whole day's curve moves "
                       "later (negative: earlier)"),
    "night": Parameter("rhythm", 0.1, 4.0, "rhythm night: activity 0:00-6:59 times this",
                       log=True),
    "evening": Parameter("rhythm", 0.3, 3.0, "rhythm evening: activity 18:00-23:59 times this",
                         log=True),
    # plan levers an export cannot show (scenarios/schema.py, dotted paths)
    "pool.interest_mean": Parameter("plan", 0.05, 0.95, "mean interest match of the pool with "
                                    "the topic"),
    "pool.relation_to_host": Parameter("plan", 0.0, 1.0, "relation of the pool to the host "
                                       "(0 strangers, 1 close friends)"),
}
"""Every name a profile may set, with its allowed range [lo, hi]."""
DEFAULT_FIT = ("post_rate", "voice_spread", "churn_per_day", "thanks_share", "jielong_proof",
               "shift", "night", "evening")
"""What `groupsim calibrate` fits unless told otherwise; the other names of `PARAMETERS`
(exchange length, salience decay, social proof, the pool's interest and relation to the host)
trade off against posting propensity in daily counts and are fitted only when asked for
(docs/history.md "What is fitted")."""

SECTIONS = ("constants", "rhythm", "plan")
KEYS = "name, " + ", ".join(SECTIONS) + ", fit"
"""What a profile file may hold."""
NIGHT_HOURS = slice(0, 7)
EVENING_HOURS = slice(18, 24)


@dataclass(frozen=True)
class Profile:
    """Named overrides: `values` maps names of `PARAMETERS` to numbers; `fit` is calibrate's
    record (intervals, notes), kept with the profile but not used to play it."""

    name: str = "default"
    values: dict[str, float] = field(default_factory=dict)
    fit: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, value in self.values.items():
            check(key, value)

    def section(self, where: str) -> dict[str, float]:
        return {k: v for k, v in self.values.items() if PARAMETERS[k].where == where}

    def constants(self, base: Constants = CONSTANTS) -> Constants:
        """`base` with this profile's constants replaced."""
        return base._replace(**self.section("constants"))

    def rhythm(self) -> np.ndarray:
        """Share of a day's activity in each hour (24 values, mean 1)."""
        return rhythm(**self.section("rhythm"))

    def apply_plan(self, plan):
        """`plan` (a `scenarios.schema.Plan`) with this profile's plan levers set."""
        levers = self.section("plan")
        if not levers:
            return plan
        raw = plan.model_dump(mode="json")
        for path, value in levers.items():
            group, key = path.split(".")
            raw[group][key] = value
        return type(plan).model_validate(raw)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        for where in SECTIONS:
            if part := self.section(where):
                out[where] = {k: float(v) for k, v in part.items()}
        if self.fit:
            out["fit"] = self.fit
        return out

    @property
    def digest(self) -> str:
        """Hash of what changes runs (name, constants, rhythm, plan levers; not `fit`):
        16 hex digits, part of the runner's chunk names."""
        played = {k: float(v) for k, v in sorted(self.values.items())}
        return hashlib.sha1(json.dumps([self.name, played]).encode()).hexdigest()[:16]

    @property
    def origin(self) -> tuple[str, str] | None:
        """(history directory, date) of the calibration that fitted it; None for a profile
        written by hand."""
        if "history" in self.fit and "date" in self.fit:
            return str(self.fit["history"]), str(self.fit["date"])
        return None

    def save(self, path: Path) -> Path:
        path.write_text(dump_yaml(self.to_dict()), encoding="utf-8")
        return path


def check(key: str, value: Any, section: str | None = None) -> float:
    """`value` as a float if `key` is a settable name (of `section`, if given) and `value` lies
    in its range; `ProfileError` names the closest name and those allowed otherwise."""
    if key not in PARAMETERS:
        names = [k for k, p in PARAMETERS.items() if section in (None, p.where)]
        close = difflib.get_close_matches(str(key), names, 1)
        raise ProfileError(f"{key}: unknown name"
                           + (f" (did you mean '{close[0]}'?)" if close else "")
                           + "; a profile may set" + (f" under {section}" if section else "")
                           + ": " + ", ".join(names))
    p = PARAMETERS[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not p.lo <= value <= p.hi:
        raise ProfileError(f"{key} = {value!r}: must be a number in [{p.lo:g}, {p.hi:g}] "
                           f"({p.doc})")
    return float(value)


def rhythm(shift: float = 0.0, night: float = 1.0, evening: float = 1.0) -> np.ndarray:
    """The default rhythm moved `shift` hours later (linear between hours, around the clock),
    its night hours (0-6) times `night` and evening hours (18-23) times `evening`; mean 1."""
    hours = np.arange(24)
    r = np.interp((hours - shift) % 24, np.arange(25), np.append(RHYTHM, RHYTHM[0]))
    r[NIGHT_HOURS] *= night
    r[EVENING_HOURS] *= evening
    return r / r.mean()


def from_dict(raw: Any, where: str = "profile") -> Profile:
    """A profile from its YAML form; raises `ProfileError` naming a bad field."""
    if not isinstance(raw, dict):
        raise ProfileError(f"{where}: a profile is a mapping of {KEYS}")
    unknown = set(raw) - {"name", "fit", *SECTIONS}
    if unknown:
        shown = ", ".join(sorted(k if isinstance(k, str) else f"{k!r} (a key with no name)"
                                 for k in unknown))
        raise ProfileError(f"{where}: unknown key(s) {shown}; allowed: {KEYS}")
    values: dict[str, float] = {}
    for section in SECTIONS:
        part = raw.get(section) or {}
        if not isinstance(part, dict):
            raise ProfileError(f"{where}: {section} must be a mapping of name: number")
        for key, value in part.items():
            if key in PARAMETERS and PARAMETERS[key].where != section:
                raise ProfileError(f"{where}: {key} belongs under {PARAMETERS[key].where}, "
                                   f"not {section}")
            try:
                values[key] = check(key, value, section)
            except ProfileError as error:
                raise ProfileError(f"{where}: {section}.{error}") from None
    if not values:
        raise ProfileError(f"{where}: sets nothing; a profile sets at least one name under "
                           f"{', '.join(SECTIONS)} (allowed names: docs/history.md)")
    name = raw.get("name", "profile")
    if not isinstance(name, str) or not name:
        raise ProfileError(f"{where}: name must be a non-empty text")
    return Profile(name, values, raw.get("fit") or {})


def load(path: Path | str) -> Profile:
    """Read `profile.yaml`; raises `ProfileError` for a missing file, bad YAML or a bad field."""
    path = Path(path)
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ProfileError(f"{path}: not a profile: not UTF-8 text (byte {error.start}); a "
                           f"profile is YAML, a mapping of {KEYS}") from None
    except OSError as error:
        raise ProfileError(f"{path}: cannot read ({error.strerror})") from None
    except YAMLError as error:
        raise ProfileError(f"{path}: not valid YAML ({getattr(error, 'problem', None) or error})"
                           ) from None
    return from_dict(raw, str(path))
