"""`groupsim app`: a what-if page. Change a lever of a plan, see its replicates against the plan's.

The pure functions (lever edits, the what-if runs, the tables and figures) come first and are
tested without a browser; the Solara components that put them on a page follow, and `serve`
starts the server. Solara's front-end comes from the `solara-assets` package, so the page works
without a network.
"""

import math
import os
import socket
import tempfile
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import solara
import solara.lab

from agents import ROLES
from experiments.outputs.charts import (
    cumulative_profit_chart,
    members_chart,
    survival_chart,
    weekly_gmv_chart,
)
from experiments.outputs.formatting import (
    MISSING, count, defined_count, format_value, money, readable, with_range,
)
from experiments.outputs.i18n import Lang, label, profile_line, text
from experiments.running.checks import payments
from experiments.running.metrics import in_view, over_replicates, replicate_values
from experiments.running.paired import paired_differences
from experiments.running.runner import run_plan
from experiments.running.storage import Results
from scenarios.loader import PlanError, library, load_plan, plan_to_yaml, validate_dict
from scenarios.names import file_stem
from scenarios.schema import CALENDAR_KINDS, Plan, RedPacket
from sim import codes, metrics
from sim.model import GroupModel
from sim.profile import Profile
from sim.run import simulate

Levers = dict[str, float | int | None]
"""Lever name (see `LEVERS`) -> value; `economics.budget` None means no budget limit."""


@dataclass(frozen=True)
class Lever:
    """A field of the page's lever panel: its labels and input kind."""

    en: str
    zh: str
    kind: str = "number"
    """share (a 0–1 slider), count (a whole number), number, or optional (a number or empty)."""

    def label(self, lang: Lang) -> str:
        """The label in `lang`."""
        return self.zh if lang == "zh" else self.en


LEVERS: dict[str, Lever] = {
    "host.ip_strength": Lever("IP strength", "IP 强度", "share"),
    "host.ip_match": Lever("IP match", "人设匹配度", "share"),
    "economics.price": Lever("price (yuan)", "售价 (元)"),
    "members.initial": Lever("initial members", "初始成员数", "count"),
    "members.shills": Lever("shills (operator accounts)", "托 (运营小号)", "count"),
    "red_packet.amount": Lever("red packet amount (yuan)", "红包金额 (元)"),
    "red_packet.every_days": Lever("red packet every N days (0 = none)",
                                   "每 N 天发一次红包 (0 = 不发)", "count"),
    "jielong.every_days": Lever("接龙 every N days (0 = none)", "每 N 天接龙一次 (0 = 不接龙)",
                                "count"),
    "rules.strictness": Lever("rules strictness", "群规执行力度", "share"),
    "economics.budget": Lever("budget (yuan; empty: no limit)", "预算 (元；留空 = 不限)",
                              "optional"),
}
"""The levers on the page. Dotted names are plan fields; `red_packet.*` and `jielong.*` set the
schedule of those calendar items."""

SCHEDULED = ("red_packet", "jielong")
KIND_MODELS = {model.model_fields["kind"].annotation.__args__[0]: model
               for model in CALENDAR_KINDS}
"""Calendar kind name -> its schema class."""


def lever_help(key: str, lang: Lang) -> str:
    """The lever's one-line help: its schema field's description (`json_schema_extra["zh"]` in
    Chinese); `<kind>.every_days` adds what 0 means."""
    section, field = key.split(".")
    model = KIND_MODELS[section] if section in SCHEDULED else Plan.model_fields[section].annotation
    info = model.model_fields[field]
    return (info.json_schema_extra or {}).get("zh", "") if lang == "zh" else info.description


def inert_levers(plan: Plan, lang: Lang = "en") -> dict[str, str]:
    """Levers that cannot change `plan`'s outcomes, with the reason, by a rule over the plan:
    a lever on a calendar item's field (`red_packet.amount`) needs an item of that kind in the
    calendar; the budget needs something that costs money (a calendar item that pays, or a
    referral reward). Schedules (`<kind>.every_days`) always apply: they add the item."""
    kinds = {item.kind for item in plan.calendar}
    out = {}
    for key in LEVERS:
        section, field = key.split(".")
        if section in SCHEDULED and field != "every_days" and section not in kinds:
            out[key] = text("inert_kind", lang, lever=LEVERS[f"{section}.every_days"].label(lang))
    growth = plan.growth
    paid = any(cost > 0 for item in plan.calendar for _, cost in payments(plan, item))
    if not paid and growth.referral_reward_referrer + growth.referral_reward_referee == 0:
        out["economics.budget"] = text("inert_budget", lang)
    return out


class AppError(ValueError):
    """`groupsim app` cannot start with these arguments."""


# ---- levers <-> plans ---------------------------------------------------------------------
def _every_days(plan: Plan, kind: str) -> int:
    """The period of the plan's first `kind` item: every_days, 7 for a weekday, else 0 (none or
    a one-off)."""
    item = next((item for item in plan.calendar if item.kind == kind), None)
    if item is None:
        return 0
    if item.every_days is not None:
        return item.every_days
    return 7 if item.weekday is not None else 0


def read_levers(plan: Plan) -> Levers:
    """The plan's values of every lever in `LEVERS`."""
    packet = next((item for item in plan.calendar if item.kind == "red_packet"), None)
    return {
        "host.ip_strength": plan.host.ip_strength,
        "host.ip_match": plan.host.ip_match,
        "economics.price": plan.economics.price,
        "members.initial": plan.members.initial,
        "members.shills": plan.members.shills,
        "red_packet.amount": (packet or RedPacket(kind="red_packet")).amount,
        "red_packet.every_days": _every_days(plan, "red_packet"),
        "jielong.every_days": _every_days(plan, "jielong"),
        "rules.strictness": plan.rules.strictness,
        "economics.budget": plan.economics.budget,
    }


def apply_levers(plan: Plan, levers: Levers, name: str | None = None) -> Plan:
    """`plan` with the levers that differ from its own values set; validated (PlanError).

    Calendar items are only touched when their lever changed: a new red-packet amount applies
    to every red packet; a new period puts every item of that kind on `every_days` (0 removes
    them; a plan without one gets one).
    """
    unknown = sorted(set(levers) - set(LEVERS))
    if unknown:
        raise PlanError(f"unknown lever(s): {', '.join(unknown)}; levers: {', '.join(LEVERS)}")
    for kind in SCHEDULED:
        every = levers.get(f"{kind}.every_days", 0)
        if not 0 <= every <= 365:
            raise PlanError(f"levers: {kind}.every_days = {every}: allowed range 0 (none) to 365")
    own = read_levers(plan)
    changed = {key: value for key, value in levers.items() if value != own[key]}
    raw = plan.model_dump(mode="json")
    if name is not None:
        raw["name"] = name
    for key, value in changed.items():
        section, field = key.split(".")
        if section not in SCHEDULED:
            raw[section][field] = value
    if "red_packet.amount" in changed:
        for item in raw["calendar"]:
            if item["kind"] == "red_packet":
                item["amount"] = levers["red_packet.amount"]
    for kind in SCHEDULED:
        key = f"{kind}.every_days"
        if key not in changed:
            continue
        every = changed[key]
        items = [item for item in raw["calendar"] if item["kind"] == kind]
        if every == 0:
            raw["calendar"] = [item for item in raw["calendar"] if item["kind"] != kind]
            continue
        if not items:
            item = {"kind": kind}
            if kind == "red_packet":
                item["amount"] = levers.get("red_packet.amount", own["red_packet.amount"])
            raw["calendar"].append(item)
            items = [item]
        for item in items:
            item["every_days"], item["weekday"] = every, None
    return validate_dict(raw, where="levers")


def lever_errors(plan: Plan, levers: Levers) -> dict[str, str]:
    """Per changed lever whose value `plan` cannot take: the validator's message (naming the
    field and its allowed range). Each lever is checked on its own, so the message sits beside
    the field that caused it."""
    own = read_levers(plan)
    errors = {}
    for key, value in levers.items():
        if key not in own or value == own[key]:
            continue
        try:
            apply_levers(plan, {**own, key: value})
        except PlanError as error:
            lines = str(error).splitlines()
            errors[key] = " ".join(line.strip() for line in lines[1:] or lines)
    return errors


def show_value(key: str, value: float | int | None, lang: Lang) -> str:
    """A lever's value as the page names it: "0.35", "80", "no limit" for an empty budget."""
    if value is None:
        return text("no_limit", lang)
    return readable(float(value)) if LEVERS[key].kind != "count" else str(value)


def changed_levers(plan: Plan, levers: Levers, lang: Lang) -> dict[str, str]:
    """Per lever that differs from `plan`'s own value: "price (yuan) 80 (plan: 60)"."""
    own = read_levers(plan)
    return {key: text("changed_lever", lang, label=LEVERS[key].label(lang),
                      value=show_value(key, value, lang), base=show_value(key, own[key], lang))
            for key, value in levers.items() if value != own[key]}


def whatif_name(base: Plan) -> str:
    """The changed plan's name: `<base>-whatif`."""
    return f"{base.name}-whatif"


def plan_from_upload(data: bytes, filename: str) -> Plan:
    """A plan from the bytes of an uploaded YAML file (`extends:` a library plan works)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(filename).name
        if path.suffix not in (".yaml", ".yml"):
            path = path.with_suffix(".yaml")
        path.write_bytes(data)
        return load_plan(str(path))


# ---- what-if runs -------------------------------------------------------------------------
class Stale(Exception):
    """A newer lever change made this run useless."""


@dataclass(frozen=True)
class WhatIf:
    """The base plan's and the changed plan's replicates (same seeds), and how long they took."""

    base: Plan
    changed: Plan
    daily: pd.DataFrame
    summary: pd.DataFrame
    paired: pd.DataFrame
    seconds: float


_CACHE: OrderedDict[tuple[str, int, int, str | None], Results] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 32


def replicates_of(
    plan: Plan, replicates: int, seed: int = 0, stop: Callable[[], bool] | None = None
) -> Results:
    """`experiments.running.runner.run_plan` in this process, remembered by the plan's levers (not its
    name), so going back to an earlier setting is instant. `stop()` true raises `Stale`."""
    key = (plan.model_copy(update={"name": "", "description": ""}).model_dump_json(), replicates,
           seed, None if PROFILE is None else PROFILE.digest)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
    if hit is None:

        def progress(done: int, total: int) -> None:
            if stop is not None and stop():
                raise Stale

        hit = run_plan(plan, replicates, seed, progress=progress, profile=PROFILE)
        with _CACHE_LOCK:
            _CACHE[key] = hit
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return Results(
        plans=[plan],
        daily=hit.daily.assign(plan=plan.name),
        summary=hit.summary.assign(plan=plan.name),
        members=hit.members,
    )


def run_whatif(
    base: Plan, changed: Plan, replicates: int, seed: int = 0,
    stop: Callable[[], bool] | None = None,
) -> WhatIf:
    """Replicates of both plans with the same seeds and the changed plan's paired differences."""
    if base.name == changed.name:
        raise PlanError(f"the changed plan needs its own name, not the base's '{base.name}'")
    start = time.perf_counter()
    runs = [replicates_of(plan, replicates, seed, stop) for plan in (base, changed)]
    summary = pd.concat([run.summary for run in runs], ignore_index=True)
    return WhatIf(
        base=base,
        changed=changed,
        daily=pd.concat([run.daily for run in runs], ignore_index=True),
        summary=summary,
        paired=paired_differences(summary),
        seconds=time.perf_counter() - start,
    )


def warm_up() -> None:
    """Load the compiled kernels once, so the first what-if answers as fast as the rest."""
    simulate(load_plan("small_start", ["group.weeks=1"]), seed=0)


# ---- tables and figures -------------------------------------------------------------------
OUTCOMES = in_view("page")
"""The outcome table's rows: the registry's `page` view."""


def outcome_table(whatif: WhatIf, lang: Lang = "en") -> pd.DataFrame:
    """One row per outcome (labelled in `lang`): the base plan and the changed plan (median
    [10–90%] over replicates; survival as the share alive; "–" past the horizon), and the
    difference changed − base from `paired_differences` (median [10–90%] of per-seed
    differences; for survival the difference of shares [95% interval]); "(n=… of …)" where some
    replicates leave an outcome undefined."""
    rows = []
    paired = whatif.paired.set_index("metric")
    for metric in OUTCOMES:
        cells = {text("outcome", lang): label(metric, lang)}
        for column, plan in (("base", whatif.base), ("whatif", whatif.changed)):
            stats = over_replicates(replicate_values(
                whatif.summary[whatif.summary["plan"] == plan.name], metric), metric)
            cells[text(column, lang)] = _shown(metric, stats["value"], stats["p10"], stats["p90"],
                                               stats["n"], stats["replicates"], lang)
        cells[text("difference", lang)] = (
            _shown(metric, *paired.loc[metric, ["value", "low", "high", "n", "replicates"]],
                   lang, signed=True) if metric in paired.index else MISSING)
        rows.append(cells)
    return pd.DataFrame(rows)


def _shown(metric: str, value: float, low: float, high: float, n: int, replicates: int,
           lang: Lang = "en", signed: bool = False) -> str:
    return (with_range(metric, value, low, high, lang, signed=signed)
            + defined_count(int(n), int(replicates), lang))

def _fit(fig: go.Figure) -> go.Figure:
    """A deck chart sized for a quarter of the page at 1280 px."""
    fig.update_layout(width=455, height=300, font_size=11, title_font_size=14,
                      legend={"orientation": "h", "y": -0.25, "font_size": 11},
                      margin={"l": 60, "r": 10, "t": 55, "b": 40})
    fig.update_xaxes(title_standoff=4)
    return fig


def whatif_figures(whatif: WhatIf, lang: Lang = "en") -> dict[str, go.Figure]:
    """The page's charts, base plan first in each: survival (share of replicates alive by day),
    cumulative gross profit, members and weekly GMV — the deck's charts, sized for the page."""
    base = whatif.base.name
    charts = {
        "survival": survival_chart(whatif.summary, whatif.base.horizon_days, base, lang),
        "cumulative_profit": cumulative_profit_chart(whatif.daily, base, lang),
        "members": members_chart(whatif.daily, base, lang),
        "weekly_gmv": weekly_gmv_chart(whatif.daily, base, lang),
    }
    return {name: _fit(chart.fig.update_layout(title=chart.title)) for name, chart in charts.items()}


# ---- one replicate, day by day ------------------------------------------------------------


def member_layout(model: GroupModel) -> dict[int, np.ndarray]:
    """A position per slot of the pool (initial members and candidates), from the friendship
    graph, computed once so that members keep their place from day to day."""
    positions = nx.spring_layout(model.graph, seed=0, iterations=40)
    return {int(model.slot_of[node]): xy for node, xy in positions.items()}


def member_graph(model: GroupModel) -> nx.Graph:
    """The accounts that have been real members so far (nodes: slots with role, posts, status)
    and their friendships among themselves."""
    s = model.state
    ever = s.ever[s.ever >= 0]
    members = ever[s.was_member[ever] == 1]
    g = nx.Graph()
    g.add_nodes_from(
        (int(slot), {"role": int(s.role[slot]), "posts": int(s.n_posts[slot]),
                     "status": int(s.status[slot])})
        for slot in members
    )
    slot_of = model.slot_of
    g.add_edges_from((int(slot_of[a]), int(slot_of[b])) for a, b in model.graph.edges
                     if slot_of[a] in g and slot_of[b] in g)
    return g


def network_figure(model: GroupModel, layout: dict[int, np.ndarray],
                   lang: Lang = "en") -> go.Figure:
    """The member network on day `model.day`: colour by role, size by posts, faded when the
    member left, was removed or muted the group. Accounts outside the pool (QR strangers) sit
    on a ring around it."""
    g = member_graph(model)
    ring = [slot for slot in g if slot not in layout]
    pos = dict(layout)
    for k, slot in enumerate(ring):
        angle = 2 * math.pi * k / max(len(ring), 1)
        pos[slot] = np.array([1.15 * math.cos(angle), 1.15 * math.sin(angle)])
    fig = go.Figure()
    xs, ys = [], []
    for a, b in g.edges:
        xs += [pos[a][0], pos[b][0], None]
        ys += [pos[a][1], pos[b][1], None]
    fig.add_scatter(x=xs, y=ys, mode="lines", line={"width": 0.5, "color": "#cccccc"},
                    hoverinfo="skip", showlegend=False)
    for role_id, role in enumerate(ROLES):
        nodes = [slot for slot, data in g.nodes(data=True) if data["role"] == role_id]
        if not nodes:
            continue
        data = [g.nodes[slot] for slot in nodes]
        gone = [d["status"] in (codes.LEFT, codes.REMOVED) for d in data]
        muted = [d["status"] == codes.MUTED for d in data]
        fig.add_scatter(
            x=[pos[slot][0] for slot in nodes], y=[pos[slot][1] for slot in nodes],
            mode="markers", name=role.name,
            marker={"color": role.colour,
                    "size": [5 + 3 * math.sqrt(d["posts"]) for d in data],
                    "opacity": [0.12 if x else 0.4 if m else 0.95 for x, m in zip(gone, muted)],
                    "line": {"width": 0}},
            text=[f"{role.name}, {d['posts']} posts, "
                  f"{'left' if x else 'muted' if m else 'in the group'}"
                  for d, x, m in zip(data, gone, muted)],
            hoverinfo="text",
        )
    fig.update_layout(
        title={"text": f"{text('network_title', lang, day=model.day)}"
                       f"<br><sup>{text('network_note', lang)}</sup>"},
        template="plotly_white", height=480, margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "y": -0.02},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return fig


DAY_COUNTS = ("members", "joins", "leaves", "muted", "active_posters", "real_messages",
              "purchases", "gmv", "incentive_cost", "red_packet_grabs", "red_packet_yuan")


def day_counts(model: GroupModel) -> dict[str, float]:
    """The counts of the last day played, from the daily table (empty before the first day)."""
    if model.day == 0:
        return {}
    daily = metrics.daily_table(model.out_h, model.out_d, model.plan.economics.unit_cost,
                                int(model.state.group[codes.G_DEAD_DAY]))
    row = daily.iloc[model.day - 1]
    return {name: float(row[name]) for name in DAY_COUNTS}


# ---- the page -----------------------------------------------------------------------------
REPLICATES = 20
"""Replicates per plan; `serve` sets it from --replicates."""
LANG: Lang = "en"
"""The page's language; `serve` sets it from --lang."""
PROFILE: Profile | None = None
"""The audience every plan is played with; `serve` sets it from --profile."""

base_plan = solara.reactive(load_plan("tuanzhang"))
levers = solara.reactive(read_levers(base_plan.value))
load_error = solara.reactive("")


def _pick(name: str) -> None:
    _set_base(load_plan(name))


def _set_base(plan: Plan) -> None:
    base_plan.set(plan)
    levers.set(read_levers(plan))
    load_error.set("")


def _upload(file: dict) -> None:
    try:
        _set_base(plan_from_upload(file["data"], file["name"]))
    except PlanError as error:
        load_error.set(str(error))


CSS = """
table.groupsim { border-collapse: collapse; font-size: 0.85em; margin: 4px 0; }
table.groupsim th, table.groupsim td { padding: 2px 8px; border-bottom: 1px solid #ddd; }
table.groupsim th { text-align: left; }
table.groupsim td { text-align: right; white-space: nowrap; }
table.groupsim td:first-child { text-align: left; }
.whatif-charts { display: grid; grid-template-columns: repeat(2, 455px); gap: 4px; }
.lever-help { font-size: 0.75em; color: #666; line-height: 1.2; margin: -18px 0 14px 0; }
.lever-changed { background: #fff3c4; border-radius: 4px; padding: 0 4px; }
.lever-changed .v-input { background: #fff3c4; }
.lever-inert { font-size: 0.75em; color: #8a6d00; line-height: 1.2; margin: -18px 0 14px 0; }
.lever-error { font-size: 0.8em; color: #c62828; line-height: 1.2; margin: -18px 0 14px 0; }
.v-slider + .lever-help, .lever .v-input--slider ~ * { margin-top: -10px; }
.lever .v-text-field__details { display: none; }
.plan-drop > div { min-height: 0 !important; height: 48px !important; padding: 4px !important; }
.changed-levers { font-size: 0.9em; }
.v-input { margin-top: 2px !important; padding-top: 6px !important; }
"""


@solara.component
def Table(table: pd.DataFrame, name: str):
    """A plain HTML table; `name` is its CSS class for tests."""
    solara.HTML(unsafe_innerHTML=table.to_html(index=False, classes=["groupsim", name],
                                                   border=0))


@solara.component
def LeverInput(key: str, base: Plan, error: str, inert: str):
    """One lever: its input, then one line: the error, why it has no effect, or its help. A
    changed lever is highlighted and names the plan's value."""
    lever, value, own = LEVERS[key], levers.value[key], read_levers(base)[key]

    def set_value(new) -> None:
        levers.set({**levers.value, key: new})

    name = lever.label(LANG)
    changed = value != own
    if changed:
        name = text("changed_lever", LANG, label=name, value=show_value(key, value, LANG),
                    base=show_value(key, own, LANG))
    with solara.Div(classes=["lever", f"lever-{key.replace('.', '-')}"]
                    + ["lever-changed"] * changed):
        if lever.kind == "share":
            solara.SliderFloat(name if changed else f"{name} {value:.2f}", value=value, min=0,
                               max=1, step=0.05, on_value=set_value, disabled=bool(inert))
        elif lever.kind == "count":
            solara.InputInt(name, value=value, on_value=set_value, disabled=bool(inert))
        else:
            solara.InputFloat(name, value=value, on_value=set_value,
                              optional=lever.kind == "optional", disabled=bool(inert))
        if error:
            solara.Text(error, classes=["lever-error"])
        elif inert:
            solara.Text(inert, classes=["lever-inert"])
        else:
            solara.Text(lever_help(key, LANG), classes=["lever-help"])


@solara.component
def PlanPicker():
    names = list(library())
    solara.Select(text("library_plan", LANG), values=names,
                  value=base_plan.value.name if base_plan.value.name in names else None,
                  on_value=_pick)
    with solara.Div(classes=["plan-drop"]):
        solara.FileDrop(label=text("drop_plan", LANG), on_file=_upload, lazy=False)
    if load_error.value:
        solara.Error(load_error.value)
    if base_plan.value.description:
        solara.Text(base_plan.value.description, style={"font-size": "0.85em", "color": "#555"})


@solara.component
def LeverPanel(changed: Plan | None, errors: dict[str, str], inert: dict[str, str]):
    with solara.Card(text("levers", LANG), style={"padding": "8px"}):
        PlanPicker()
        for key in LEVERS:
            LeverInput(key, base_plan.value, errors.get(key, ""), inert.get(key, ""))
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.Button(text("reset_levers", LANG),
                          on_click=lambda: levers.set(read_levers(base_plan.value)),
                          outlined=True)
            if changed is not None:
                solara.FileDownload(plan_to_yaml(changed),
                                    filename=f"{file_stem(changed.name)}.yaml",
                                    label=text("download_plan", LANG))


@solara.component
def Outcomes(changed: Plan):
    base = base_plan.value

    def compute(cancel: threading.Event) -> WhatIf:
        return run_whatif(base, changed, REPLICATES, stop=cancel.is_set)

    result = solara.use_thread(compute, dependencies=[base.model_dump_json(),
                                                      changed.model_dump_json()],
                               intrusive_cancel=False)
    if result.error is not None and not isinstance(result.error, Stale):
        solara.Error(text("run_failed", LANG, error=result.error))
    whatif = result.value
    # figures are drawn once per result: re-sending them on every render (a lever change
    # renders three times) kept the browser busy for seconds
    drawn = solara.use_memo(
        lambda: None if whatif is None else (whatif_figures(whatif, LANG),
                                             outcome_table(whatif, LANG)),
        [id(whatif)])
    # "(updating…)" in the status line, not an animated progress bar: its animation kept
    # a software-rendered browser busy for seconds after each lever change
    busy = result.state != solara.ResultState.FINISHED
    if whatif is None:
        solara.Text(text("running", LANG, n=REPLICATES))
        return
    solara.Text(
        text("whatif_status", LANG, n=len(whatif.summary) // 2, changed=whatif.changed.name,
             base=whatif.base.name, seconds=f"{whatif.seconds:.2f}")
        + (text("updating", LANG) if busy else ""),
        classes=["whatif-status"], style={"font-size": "0.85em"},
    )
    figures, table = drawn
    Table(table, "whatif-outcomes")
    solara.Text(text("difference_note", LANG), style={"font-size": "0.8em", "color": "#555"})
    with solara.Div(classes=["whatif-charts"]):
        for name, fig in figures.items():
            with solara.Div(classes=[f"chart-{name}"]):
                solara.FigurePlotly(fig, dependencies=[id(whatif)])


@solara.component
def WatchOne(changed: Plan):
    model, set_model = solara.use_state(None)
    layout, set_layout = solara.use_state(None)
    _, set_day = solara.use_state(0)

    def reset():
        fresh = GroupModel(changed, rng=0, profile=PROFILE)
        set_layout(member_layout(fresh))
        set_model(fresh)
        set_day(0)

    solara.use_effect(reset, [changed.model_dump_json()])

    def step(days: int) -> None:
        for _ in range(days):
            model.step()
        set_day(model.day)

    day = None if model is None else model.day
    network = solara.use_memo(
        lambda: None if model is None or layout is None else network_figure(model, layout, LANG),
        [id(model), id(layout), day])
    if model is None or layout is None:
        solara.Text(text("building", LANG))
        return
    with solara.Row():
        solara.Button(text("step_day", LANG), on_click=lambda: step(1), disabled=model.finished)
        solara.Button(text("step_week", LANG), on_click=lambda: step(7), disabled=model.finished,
                      outlined=True)
        solara.Button(text("restart", LANG), on_click=reset, outlined=True)
        solara.Text(text("day_of", LANG, day=model.day, days=model.plan.horizon_days),
                    classes=["watch-day"])
    with solara.Columns([2, 1]):
        solara.FigurePlotly(network, dependencies=[id(model), id(layout), day])
        counts = day_counts(model)
        if counts:
            Table(pd.DataFrame({text("day_n", LANG, day=model.day): list(counts),
                                text("count", LANG): [
                                    money(v, LANG) if k in ("gmv", "incentive_cost", "red_packet_yuan")
                                    else count(v, LANG) for k, v in counts.items()]}),
                  "watch-counts")
        else:
            solara.Text(text("step_hint", LANG))


@solara.component
def Page():
    solara.Title(text("page_title", LANG, plan=base_plan.value.name))
    solara.Style(CSS)
    base = base_plan.value
    errors = lever_errors(base, levers.value)
    changed, problem = None, ""
    if not errors:
        try:
            changed = apply_levers(base, levers.value, name=whatif_name(base))
        except PlanError as bad:  # levers that are valid one by one but not together
            problem = str(bad)
    # a bad value keeps the last valid what-if on show (per session, until the plan changes)
    last = solara.use_ref(None)
    if changed is not None:
        last.current = changed
    elif last.current is not None and last.current.name != whatif_name(base):
        last.current = None
    shown = changed or last.current
    inert = inert_levers(shown or base, LANG)
    with solara.Columns([1, 3]):
        LeverPanel(changed, errors, inert)
        with solara.Column(gap="4px"):
            solara.Text(text("page_title", LANG, plan=base.name), classes=["page-title"],
                        style={"font-size": "1.3em"})
            if PROFILE is not None:
                solara.Text(profile_line(PROFILE, LANG), classes=["audience-profile"])
            moved = changed_levers(base, levers.value, LANG)
            solara.Text(text("changed", LANG, levers="; ".join(moved.values())) if moved
                        else text("unchanged", LANG), classes=["changed-levers"])
            with solara.Div():  # always there, so the results below are not mounted afresh
                if problem:
                    solara.Error(problem)
                if errors or problem:
                    with solara.Div(classes=["kept-results"]):
                        solara.Warning(text("kept_results", LANG), dense=True)
            if shown is not None:
                with solara.lab.Tabs(lazy=True):  # the watched group is built when asked for
                    with solara.lab.Tab(text("tab_whatif", LANG)):
                        Outcomes(shown)
                    with solara.lab.Tab(text("tab_watch", LANG)):
                        WatchOne(shown)


def serve(plan: Plan | None = None, lang: Lang = "en", host: str = "127.0.0.1",
          port: int = 8765, replicates: int = 20, profile: Profile | None = None) -> None:
    """Warm the kernels up, then serve the page on `plan` (default tuanzhang) in `lang` until
    Ctrl-C; every plan plays with `profile` (sim/profile.py) when given. Raises AppError for a
    bad port or replicate count, or a port in use."""
    global REPLICATES, LANG, PROFILE, base_plan, levers
    if not 1 <= port <= 65535:
        raise AppError(f"--port must be 1 to 65535, not {port}")
    if not 1 <= replicates <= 1000:
        raise AppError(f"--replicates must be 1 to 1000, not {replicates}")
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            raise AppError(f"cannot listen on {host}:{port} ({error.strerror}); "
                           "choose another --port or --host") from None
    REPLICATES, LANG, PROFILE = replicates, lang, profile
    if plan is not None:  # before the first visit: every session starts from it
        base_plan = solara.reactive(plan)
        levers = solara.reactive(read_levers(plan))
    # no telemetry (Solara's settings were read when this module imported solara) and no
    # update check (that is `solara run`'s); the front-end files come from solara-assets
    from solara.server import settings

    settings.telemetry.mixpanel_enable = False
    os.environ["SOLARA_APP"] = "experiments.outputs.app"
    # plain http on a local address is what this page is for; Solara warns about it on each visit
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)
    warm_up()
    import uvicorn
    from solara.server.starlette import app as starlette_app

    # Server.run, not uvicorn.run: after its graceful shutdown it raises the Ctrl-C it caught
    # (uvicorn.run swallows it), so the command exits 130 like every other.
    uvicorn.Server(uvicorn.Config(starlette_app, host=host, port=port,
                                  log_level="warning")).run()
