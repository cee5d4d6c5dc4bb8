"""Portfolio plans (社群矩阵): several groups that share one pool of people.

A portfolio file lists groups — each a plan, or `copies: N` of a plan — with their hosts,
opening days and overrides, the hosts and staff whose posting capacity is split across their
open groups, an optional live code (活码) that routes every group's QR scans, lectures relayed to
several groups at once (转播), and the targets a copy must meet to count as a success
(复制成功率). `load_portfolio` reads it (YAML 1.2 through `scenarios.loader.read_yaml`, so a key
written twice is an error) and resolves every copy's plan; `sim.portfolio` plays it.
"""

import copy
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from scenarios.loader import (
    LIBRARY, MAX_EXTENDS, PORTFOLIOS, PlanError, describe_errors, get_path, load_plan, merge,
    portfolio_library, read_yaml, set_path, split_override,
)
from scenarios.schema import HOST_ACCOUNTS, PLATFORM_CAP, Lecture, Plan, Platform, Strict, Yuan

Name = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[\w\-.]+$")]
"""A name of a portfolio, host, staff account or group: letters (Chinese too), digits, _ - ."""


class PortfolioError(PlanError):
    """A portfolio that cannot be used; the message names each bad field."""


class PoolSpec(Strict):
    size: int = Field(ge=1, le=200_000, description="people the groups' members and candidates "
                                                     "are drawn from")


class HostSpec(Strict):
    name: Name
    capacity: int = Field(6, ge=0, le=60, description="posts per day, split across open groups")
    weekly_cost: Yuan = Field(0.0, description="yuan per week while any of its groups is open")


class StaffSpec(Strict):
    name: Name
    host: str = Field(description="the host it posts for, in all the host's open groups")
    capacity: int = Field(6, ge=0, le=60, description="posts per day, split across open groups")
    weekly_cost: Yuan = Field(0.0,
                              description="yuan per week while any of its host's groups is open")


class GroupSpec(Strict):
    plan: str = Field(description="library plan name, or a path relative to the portfolio file")
    name: Name | None = Field(None, description="copies are named NAME-01 ...; default: the "
                                                "plan's name")
    copies: int = Field(1, ge=1, le=1000)
    host: str | None = Field(None, description="a host of `hosts:`; default: the plan's own host, "
                                               "one per copy")
    open_day: int = Field(0, ge=0, le=365, description="portfolio day the first copy opens")
    stagger_days: int = Field(0, ge=0, le=365, description="days between the copies' openings")
    set: dict[str, Any] = Field(default_factory=dict,
                                description="overrides of the plan, as --set key.path: value")


class RelaySpec(Strict):
    day: int = Field(ge=0, le=730, description="portfolio day")
    hour: int = Field(20, ge=0, le=23)
    by: Literal["guest", "native"] = "guest"
    groups: list[str] = Field(min_length=1, description="group names (every copy) or copy names")
    fee: Yuan = Field(0.0, description="yuan, paid once however many groups hear it")


class Targets(Strict):
    alive_week: int | None = Field(None, ge=1, le=52,
                                   description="alive at the end of this week of the copy's life")
    members: int | None = Field(None, ge=0, le=3000,
                                description="members at the end of the judged weeks")
    weekly_gmv: Yuan | None = Field(None, description="mean GMV per week over the judged weeks")

    @model_validator(mode="after")
    def _any_target(self):
        if not self.model_dump(exclude_none=True):
            raise ValueError("state at least one of alive_week, members, weekly_gmv (复制成功率 "
                             "counts the copies that meet them)")
        return self

    def weeks(self, horizon_weeks: int) -> int:
        """Weeks of a copy's life the targets are judged over: `alive_week`, else its horizon."""
        return self.alive_week or horizon_weeks


class PortfolioFile(Strict):
    """A portfolio file as written."""

    portfolio: Name
    description: str = Field("", max_length=300, description="one line: what the portfolio is")
    description_zh: str = Field(
        "", max_length=300,
        description="the same line in Chinese, shown by --lang zh outputs (else `description`)")
    pool: PoolSpec
    hosts: list[HostSpec] = Field(default_factory=list)
    staff: list[StaffSpec] = Field(default_factory=list)
    groups: list[GroupSpec] = Field(min_length=1, max_length=100)
    live_code: bool = Field(False, description="QR scans of all groups go through one live code "
                                                "that fills the open groups in order")
    live_code_fill: int | None = Field(
        None, ge=2, le=3000,
        description="accounts at which the live code moves on to the next group; default: the "
                    "platform's scan stop (200 on WeChat and WeCom), the cap on QQ")
    relay: list[RelaySpec] = Field(default_factory=list)
    targets: Targets = Field(description="what a copy must meet to count as a success")


class Copy(BaseModel):
    """One group of a portfolio: its resolved plan, which entry of `groups:` it copies, its host
    and the portfolio day it opens."""

    name: str
    family: str
    plan: Plan
    host: str
    open_day: int


class Relay(BaseModel):
    """A relayed lecture at a portfolio day and hour, heard in `groups` (copy names)."""

    day: int
    hour: int
    by: Literal["guest", "native"]
    groups: list[str]
    fee: float


class Portfolio(BaseModel):
    """A resolved portfolio: every copy with its plan (relayed lectures already in its calendar),
    the hosts (declared, and one per copy that keeps its plan's own host) and staff."""

    name: str
    description: str
    description_zh: str
    pool_size: int
    hosts: list[HostSpec]
    staff: list[StaffSpec]
    copies: list[Copy]
    live_code: bool
    live_code_fill: int | None
    relay: list[Relay]
    targets: Targets

    def describe(self, lang: Literal["en", "zh"]) -> str:
        """The description in `lang`: Chinese falls back to English where none is written."""
        return (self.description_zh if lang == "zh" else "") or self.description

    @property
    def days(self) -> int:
        """Portfolio days until the last copy reaches its horizon."""
        return max(c.open_day + c.plan.horizon_days for c in self.copies)

    def heard(self, relay: Relay) -> bool:
        """Whether any copy the relayed lecture is for lives on its day (its fee is then
        paid)."""
        return any(c.name in relay.groups and 0 <= relay.day - c.open_day < c.plan.horizon_days
                   for c in self.copies)


def _library_portfolio(name: str) -> Path | None:
    """The file of the library portfolio `name` (scenarios/library/portfolios/), or None."""
    named = PORTFOLIOS / f"{name}.yaml"
    return named if named.is_file() else None


def _plan_source(base: Path, plan: str) -> Path | str:
    """A group's `plan:`: a file relative to `base` (the portfolio file's folder) if there is
    one, else a library plan's name."""
    path = base / plan
    return path if path.is_file() else plan


def is_portfolio(source: str) -> bool:
    """Whether `source` names a portfolio: a YAML file with a `portfolio:` or `groups:` key, or
    the name of one in scenarios/library/portfolios/ that is not a library plan."""
    path = Path(source)
    if not path.is_file():
        return _library_portfolio(source) is not None and not (LIBRARY / f"{source}.yaml").is_file()
    raw = read_yaml(path) if path.suffix in (".yaml", ".yml") else {}
    return "portfolio" in raw or "groups" in raw or _parent(path, raw.get("extends")) is not None


def _parent(path: Path, extends: Any) -> Path | None:
    """The portfolio file `extends` names from the file `path`: a path relative to its folder,
    or a library portfolio's name; None if it names neither."""
    if not isinstance(extends, str):
        return None
    local = path.parent / extends
    if local.is_file():
        held = read_yaml(local)
        return local if {"portfolio", "groups"} & set(held) else None  # a portfolio names itself
    return _library_portfolio(extends)


def read_extended(path: Path, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """A portfolio file as read, with what its `extends:` names (another portfolio file, by a
    path relative to its folder or a library portfolio's name) beneath it: mappings merge key
    by key, anything else (lists: groups, hosts, relay) replaces the parent's; the parent's
    name and descriptions are not inherited, and its groups' plan files are found from its own
    folder. `PlanError` for a parent that is no portfolio, a cycle, or a chain deeper than
    `MAX_EXTENDS`."""
    raw = read_yaml(path)
    extends = raw.pop("extends", None)
    if extends is None:
        return raw
    parent = _parent(path, extends)
    if parent is None:
        names = list(portfolio_library())
        close = difflib.get_close_matches(str(extends), names, n=1)
        what = ("a plan: a portfolio's groups name plans (groups: [{plan: ...}])"
                if (LIBRARY / f"{extends}.yaml").is_file() or (path.parent / str(extends)).is_file()
                else "not a portfolio file next to it nor a library portfolio"
                + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise PlanError(f"{path}: extends {extends!r}: {what}; library portfolios: "
                        f"{', '.join(names)}")
    if extends in seen:
        raise PlanError(f"{path}: extends forms a cycle through {extends!r}.")
    if len(seen) >= MAX_EXTENDS:
        raise PlanError(f"{path}: extends chains at most {MAX_EXTENDS} files deep; this one is "
                        "deeper.")
    base = read_extended(parent, seen + (extends,))
    for key in ("portfolio", "description", "description_zh"):
        base.pop(key, None)
    for group in base.get("groups") or []:
        if isinstance(group, dict) and isinstance(group.get("plan"), str):
            source = _plan_source(parent.parent, group["plan"])
            group["plan"] = str(source.resolve()) if isinstance(source, Path) else source
    return merge(base, raw)


def load_portfolio(source: str | Path, overrides: Sequence[str] = ()) -> Portfolio:
    """Read a portfolio file (a path, or the name of one in scenarios/library/portfolios/),
    apply `--set` `overrides` (`set_override`), and resolve it. `PortfolioError` names each bad
    field and its allowed range or values."""
    return RawPortfolio.read(source, overrides).resolve()


@dataclass(frozen=True)
class RawPortfolio:
    """A portfolio file as read, with its `--set` applied, before validation: what a sweep's
    points vary. `raw` is the mapping, `path` the file (its groups' plan paths are relative to
    its folder)."""

    raw: dict[str, Any]
    path: Path

    @classmethod
    def read(cls, source: str | Path, overrides: Sequence[str] = ()) -> "RawPortfolio":
        """The file `source` (a path, or a library portfolio's name) with `overrides`
        (`set_override`) applied; `PortfolioError` for a missing file, bad YAML or a bad
        `--set`."""
        path = Path(source)
        if not path.is_file():
            path = _library_portfolio(str(source)) or path
        if not path.is_file():
            raise PortfolioError(f"Portfolio file not found: {source}.")
        try:
            raw = read_extended(path)
            for item in overrides:
                set_override(raw, item)
        except PlanError as err:  # the reader's (not YAML, a key written twice) or a bad --set
            raise PortfolioError(str(err)) from None
        return cls(raw, path)

    def resolve(self, values: Mapping[str, Any] | None = None, where: str | None = None
                ) -> Portfolio:
        """The portfolio with `values` ({path: value}, as `set_value` takes them, from `--vary`)
        set, validated and resolved; `PortfolioError` names each bad field, after `where`
        (default: the file)."""
        raw = copy.deepcopy(self.raw)
        where = where or str(self.path)
        try:
            for path, value in (values or {}).items():
                set_value(raw, path, value, "--vary")
            spec = PortfolioFile.model_validate(raw)
        except PlanError as err:
            raise PortfolioError(f"{where}: {err}") from None
        except ValidationError as err:
            raise PortfolioError(describe_errors(err, where, PortfolioFile, raw)) from None
        return resolve(spec, self.path.parent, where)

    def group_plan(self, groups: str) -> Plan:
        """The plan (with its `set:`) of the first group `groups` (`groups[tz]`, `groups[*]`)
        picks; `PlanError` if it picks none or the plan does not load."""
        picked = get_path(self.raw, groups)
        if not picked or not all(isinstance(g, dict) and "plan" in g for g in picked):
            raise PlanError(f"Bad path '{groups}': it picks no group of `groups:`.")
        group = picked[0]
        return load_plan(_plan_source(self.path.parent, str(group["plan"])),
                         values=group.get("set") or {})


SET_EXAMPLE = ("pool.size=5000, hosts[amei].capacity=8, groups[tz].copies=30 or "
               "groups[*].set.growth.qr_influx_per_day=20")


def set_override(raw: dict[str, Any], item: str) -> None:
    """Apply one `--set path=value` to a portfolio file as read (see `set_value`)."""
    key, value = split_override(item, SET_EXAMPLE)
    set_value(raw, key, value)


def split_lever(path: str, option: str = "--set", shown: str | None = None) -> tuple[str, str]:
    """(`groups[..]`, plan lever) for a path `groups[..].set.LEVER`, else (path, ""). `PlanError`
    for a plan's own key written at the top (`growth.qr_influx_per_day`: it goes under a
    group's `.set.`), naming `option` and `shown` (the path as given, with its value)."""
    shown = shown or path
    head, sep, lever = path.partition(".set.")
    first = path.split(".")[0].split("[")[0]
    if first not in PortfolioFile.model_fields and first in Plan.model_fields:
        raise PlanError(f"Bad {option} '{shown}': {first} is a plan's; in a portfolio a plan's "
                        f"lever goes under its groups, e.g. groups[*].set.{shown} (every group) "
                        f"or groups[NAME].set.{shown}.")
    if sep and not lever:
        raise PlanError(f"Bad {option} '{shown}': give the plan's lever after `.set.`, e.g. "
                        "groups[tz].set.growth.qr_influx_per_day.")
    return (head, lever) if sep else (path, "")


def set_value(raw: dict[str, Any], path: str, value: Any, option: str = "--set") -> None:
    """Set `value` at `path` in a portfolio file as read: a path of the file's own keys
    (`pool.size`, `live_code`, `targets.members`, `hosts[amei].capacity`, `groups[tz].copies`;
    list items picked by name, position or `*`), or a lever of groups' plans after `.set.`
    (`groups[*].set.growth.qr_influx_per_day` goes into each picked group's `set:` as that
    dotted key, as the file writes it). `PlanError` (naming `option`) for a path that is not
    one."""
    shown = f"{path}={value}"
    head, lever = split_lever(path, option, shown)
    if not lever:
        set_path(raw, path, value)
        return
    groups = get_path(raw, head)
    if not groups or not all(isinstance(g, dict) and "plan" in g for g in groups):
        raise PlanError(f"Bad {option} '{shown}': a plan's lever goes after a group's "
                        "`.set.`, e.g. groups[tz].set.growth.qr_influx_per_day=20 (groups[*] for "
                        "every group).")
    for group in groups:
        if group.get("set") is None:
            group["set"] = {}
        if not isinstance(group["set"], dict):
            raise PlanError(f"Bad {option} '{shown}': {head}'s `set:` is not a mapping.")
        group["set"][lever] = value


def resolve(spec: PortfolioFile, base: Path, where: str = "portfolio") -> Portfolio:
    """The copies of `spec` with their plans (paths relative to `base`), hosts and relays."""
    problems: list[str] = []
    hosts = {h.name: h for h in spec.hosts}
    _twice(problems, "hosts", [h.name for h in spec.hosts])
    _twice(problems, "staff", [s.name for s in spec.staff])
    for k, s in enumerate(spec.staff):
        if s.host not in hosts:
            problems.append(f"  staff[{k}].host = {s.host!r}: not a host of `hosts:` "
                            f"({', '.join(hosts) or 'none declared'})")
    copies: list[Copy] = []
    own_hosts: list[HostSpec] = []
    failed = set()  # groups whose plan did not load: named once, not again by the relays
    platforms: dict[Platform, list[str]] = {}  # the groups on each platform
    for k, g in enumerate(spec.groups):
        source = _plan_source(base, g.plan)
        live = {"growth.live_code": True} if spec.live_code else {}
        try:
            plan = load_plan(source, values={**g.set, **live})
        except PlanError as err:
            try:  # the plan itself, or what `set:` does to it?
                load_plan(source)
                problems.append(f"  groups[{k}].set: " + str(err).replace("\n", "\n    "))
            except PlanError as plan_err:
                problems.append(f"  groups[{k}].plan = {g.plan!r}: "
                                + str(plan_err).replace("\n", "\n    "))
            failed.add(g.name or g.plan)
            continue
        if g.host is not None and g.host not in hosts:
            problems.append(f"  groups[{k}].host = {g.host!r}: not a host of `hosts:` "
                            f"({', '.join(hosts) or 'none declared'})")
        nodes = plan.members.initial + plan.pool.size
        if nodes > spec.pool.size:
            problems.append(f"  pool.size = {spec.pool.size}: groups[{k}]'s plan draws "
                            f"members.initial + its own pool.size = {nodes} people from it; "
                            f"allowed at least {nodes}")
        platforms.setdefault(plan.group.platform, []).append(f"groups[{k}]")
        weeks = spec.targets.alive_week
        if weeks is not None and weeks > plan.group.weeks:
            problems.append(f"  targets.alive_week = {weeks}: groups[{k}] runs "
                            f"{plan.group.weeks} weeks; allowed range 1 to {plan.group.weeks}")
        family = g.name or plan.name
        width = max(2, len(str(g.copies)))
        for i in range(g.copies):
            name = family if g.copies == 1 else f"{family}-{i + 1:0{width}d}"
            host = g.host
            if host is None:  # the plan's own host, one per copy
                host = f"{name}.host"
                own_hosts.append(HostSpec(name=host, capacity=plan.host.capacity))
            copies.append(Copy(name=name, family=family, host=host,
                               plan=plan.model_copy(update={"name": name}),
                               open_day=g.open_day + i * g.stagger_days))
    _beyond_cap(problems, spec.targets.members, platforms)
    _twice(problems, "groups (copy names)", [c.name for c in copies])
    relays = []
    families = {}
    for c in copies:
        families.setdefault(c.family, []).append(c.name)
    for k, r in enumerate(spec.relay):
        names = []
        for j, g in enumerate(r.groups):
            if g in families:
                names += families[g]
            elif any(c.name == g for c in copies):
                names.append(g)
            elif g in failed:
                continue
            else:
                problems.append(f"  relay[{k}].groups[{j}] = {g!r}: not a group or copy name "
                                f"({', '.join(families)})")
        relays.append(Relay(day=r.day, hour=r.hour, by=r.by, groups=list(dict.fromkeys(names)),
                            fee=r.fee))
    if problems:
        raise PortfolioError(f"{where}: {len(problems)} bad field(s)\n" + "\n".join(problems))
    copies = [_with_relays(c, relays) for c in copies]
    return Portfolio(name=spec.portfolio, description=spec.description,
                     description_zh=spec.description_zh, pool_size=spec.pool.size,
                     hosts=[*spec.hosts, *own_hosts], staff=spec.staff, copies=copies,
                     live_code=spec.live_code, live_code_fill=spec.live_code_fill,
                     relay=relays, targets=spec.targets)


def _beyond_cap(problems: list[str], members: int | None,
                platforms: dict[Platform, list[str]]) -> None:
    """A members target no copy on some platform can meet: the platform's cap counts accounts,
    the host's included, and the target counts members."""
    over = {p: groups for p, groups in platforms.items()
            if members is not None and members > PLATFORM_CAP[p] - HOST_ACCOUNTS}
    if over:
        most = min(PLATFORM_CAP[p] for p in over) - HOST_ACCOUNTS
        caps = "; ".join(f"the {p.value} cap is {PLATFORM_CAP[p]} accounts ({', '.join(groups)})"
                         for p, groups in over.items())
        problems.append(f"  targets.members = {members}: can never be met: {caps}, the host's "
                        f"included, so a copy holds at most {most} members; allowed range 0 to "
                        f"{most}")


def _twice(problems: list[str], what: str, names: list[str]) -> None:
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        problems.append(f"  {what}: names must differ; given twice: {', '.join(twice)}")


def _with_relays(copy: Copy, relays: list[Relay]) -> Copy:
    """`copy` with a one-off lecture in its calendar for each relay it hears within its life,
    at the relay's portfolio day converted to the copy's own day."""
    items = [Lecture(kind="lecture", hour=r.hour, by=r.by, start_day=r.day - copy.open_day,
                     end_day=r.day - copy.open_day)
             for r in relays if copy.name in r.groups
             and 0 <= r.day - copy.open_day < copy.plan.horizon_days]
    if not items:
        return copy
    plan = copy.plan.model_copy(update={"calendar": [*copy.plan.calendar, *items]})
    return copy.model_copy(update={"plan": plan})
