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
from experiments.outputs.charts import per_week, quantile_band
from experiments.outputs.formatting import (
    MISSING, axis, count, defined_count, format_value, money, with_range,
)
from experiments.outputs.i18n import label
from experiments.running.metrics import in_view, over_replicates, replicate_values
from experiments.running.paired import paired_differences
from experiments.running.runner import run_plan
from experiments.running.storage import Results
from scenarios.loader import PlanError, library, load_plan, plan_to_yaml, validate_dict
from scenarios.names import file_stem
from scenarios.schema import Plan, RedPacket
from sim import codes, metrics
from sim.model import GroupModel
from sim.run import simulate

Levers = dict[str, float | int | None]
"""Lever name (see `LEVERS`) -> value; `economics.budget` None means no budget limit."""


@dataclass(frozen=True)
class Lever:
    """A field of the page's lever panel: its label and input kind."""

    label: str
    kind: str = "number"
    """share (a 0–1 slider), count (a whole number), number, or optional (a number or empty)."""


LEVERS: dict[str, Lever] = {
    "host.ip_strength": Lever("IP strength", "share"),
    "host.ip_match": Lever("IP match", "share"),
    "economics.price": Lever("price (yuan)"),
    "members.initial": Lever("initial members", "count"),
    "members.shills": Lever("shills (operator accounts)", "count"),
    "red_packet.amount": Lever("red packet amount (yuan)"),
    "red_packet.every_days": Lever("red packet every N days (0 = none)", "count"),
    "jielong.every_days": Lever("接龙 every N days (0 = none)", "count"),
    "rules.strictness": Lever("rules strictness", "share"),
    "economics.budget": Lever("budget (yuan; empty: no limit)", "optional"),
}
"""The levers on the page. Dotted names are plan fields; `red_packet.*` and `jielong.*` set the
schedule of those calendar items."""

SCHEDULED = ("red_packet", "jielong")


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


_CACHE: OrderedDict[tuple[str, int, int], Results] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 32


def replicates_of(
    plan: Plan, replicates: int, seed: int = 0, stop: Callable[[], bool] | None = None
) -> Results:
    """`experiments.running.runner.run_plan` in this process, remembered by the plan's levers (not its
    name), so going back to an earlier setting is instant. `stop()` true raises `Stale`."""
    key = (plan.model_copy(update={"name": "", "description": ""}).model_dump_json(), replicates,
           seed)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
    if hit is None:

        def progress(done: int, total: int) -> None:
            if stop is not None and stop():
                raise Stale

        hit = run_plan(plan, replicates, seed, progress=progress)
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
OUTCOMES = {m: label(m, "en") for m in in_view("page")}
"""The outcome table's rows (the registry's `page` view), with their labels."""


def outcome_table(whatif: WhatIf) -> pd.DataFrame:
    """One row per outcome: the base plan and the changed plan (median [10–90%] over replicates;
    survival as the share alive; "–" past the horizon), and the difference changed − base from
    `paired_differences` (median [10–90%] of per-seed differences; for survival the difference
    of shares [95% interval]); "(n=… of …)" where some replicates leave an outcome undefined."""
    rows = []
    paired = whatif.paired.set_index("metric")
    for metric, name in OUTCOMES.items():
        cells = {"outcome": name}
        for column, plan in (("base", whatif.base), ("what-if", whatif.changed)):
            stats = over_replicates(replicate_values(
                whatif.summary[whatif.summary["plan"] == plan.name], metric), metric)
            cells[column] = _shown(metric, stats["value"], stats["p10"], stats["p90"],
                                   stats["n"], stats["replicates"])
        cells["difference"] = (
            _shown(metric, *paired.loc[metric, ["value", "low", "high", "n", "replicates"]],
                   signed=True) if metric in paired.index else MISSING)
        rows.append(cells)
    return pd.DataFrame(rows)


def _shown(metric: str, value: float, low: float, high: float, n: int, replicates: int,
           signed: bool = False) -> str:
    return (with_range(metric, value, low, high, signed=signed)
            + defined_count(int(n), int(replicates)))


PLAN_COLOURS = ("#636efa", "#ef553b")
"""Base plan, changed plan."""


def band_figure(table: pd.DataFrame, x: str, column: str, title: str, y_title: str) -> go.Figure:
    """Median line and 10–90% band of `column` per plan along `x`, base plan first."""
    fig = go.Figure()
    bands = quantile_band(table, column, by=x)
    for plan, colour in zip(dict.fromkeys(bands["plan"]), PLAN_COLOURS):
        rows = bands[bands["plan"] == plan]
        rgb = ", ".join(str(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
        fig.add_scatter(x=rows[x], y=rows["p90"], mode="lines", line_width=0, legendgroup=plan,
                        showlegend=False, hoverinfo="skip")
        fig.add_scatter(x=rows[x], y=rows["p10"], mode="lines", line_width=0, fill="tonexty",
                        fillcolor=f"rgba({rgb}, 0.2)", legendgroup=plan, showlegend=False,
                        hoverinfo="skip")
        fig.add_scatter(x=rows[x], y=rows["median"], mode="lines", name=plan, legendgroup=plan,
                        line={"color": colour, "width": 2.5})
    fig.update_layout(
        title={"text": f"{title}<br><sup>median over replicates, band 10–90%</sup>"},
        template="plotly_white", width=470, height=340,
        margin={"l": 60, "r": 10, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.2}, hovermode="x unified",
    )
    fig.update_xaxes(title=x)
    fig.update_yaxes(title=y_title, rangemode="tozero")
    return fig


def members_figure(whatif: WhatIf) -> go.Figure:
    """Members at the end of each day: median and 10–90% band per plan."""
    return band_figure(whatif.daily, "day", "members", "Members", "members at end of day")


def weekly_gmv_figure(whatif: WhatIf) -> go.Figure:
    """GMV per week (yuan): median and 10–90% band per plan."""
    fig = band_figure(per_week(whatif.daily, "gmv"), "week", "gmv", "Weekly GMV",
                      "GMV per week (yuan)")
    fig.update_yaxes(**axis("money"))
    fig.update_xaxes(dtick=1)
    return fig


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


def network_figure(model: GroupModel, layout: dict[int, np.ndarray]) -> go.Figure:
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
        title={"text": f"Members on day {model.day}<br><sup>colour: role; size: posts; "
                       "faded: left or muted</sup>"},
        template="plotly_white", height=480, margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "y": -0.02},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return fig


DAY_COUNTS = ("members", "joins", "leaves", "muted", "active_posters", "real_messages",
              "purchases", "gmv", "incentive_cost")


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


TABLE_CSS = """
table.groupsim { border-collapse: collapse; font-size: 0.9em; margin: 8px 0; }
table.groupsim th, table.groupsim td { padding: 3px 10px; border-bottom: 1px solid #ddd;
                                       text-align: left; }
"""


@solara.component
def Table(table: pd.DataFrame, name: str):
    """A plain HTML table; `name` is its CSS class for tests."""
    solara.Style(TABLE_CSS)
    solara.HTML(unsafe_innerHTML=table.to_html(index=False, classes=["groupsim", name],
                                                   border=0))


@solara.component
def LeverInput(key: str):
    lever, value = LEVERS[key], levers.value[key]

    def set_value(new) -> None:
        levers.set({**levers.value, key: new})

    if lever.kind == "share":
        solara.SliderFloat(f"{lever.label} {value:.2f}", value=value, min=0, max=1, step=0.05,
                           on_value=set_value)
    elif lever.kind == "count":
        solara.InputInt(lever.label, value=value, on_value=set_value)
    else:
        solara.InputFloat(lever.label, value=value, on_value=set_value,
                          optional=lever.kind == "optional")


@solara.component
def PlanPicker():
    names = list(library())
    solara.Select("library plan", values=names,
                  value=base_plan.value.name if base_plan.value.name in names else None,
                  on_value=_pick)
    solara.FileDrop(label="…or drop a plan YAML here", on_file=_upload, lazy=False)
    if load_error.value:
        solara.Error(load_error.value)
    if base_plan.value.description:
        solara.Text(base_plan.value.description, style={"font-size": "0.9em", "color": "#555"})


@solara.component
def LeverPanel(changed: Plan | None):
    with solara.Card("Levers"):
        PlanPicker()
        for key in LEVERS:
            LeverInput(key)
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.Button("Reset levers", on_click=lambda: levers.set(read_levers(base_plan.value)),
                          outlined=True)
            if changed is not None:
                solara.FileDownload(plan_to_yaml(changed),
                                    filename=f"{file_stem(changed.name)}.yaml",
                                    label="Download plan")


@solara.component
def Outcomes(changed: Plan):
    base = base_plan.value

    def compute(cancel: threading.Event) -> WhatIf:
        return run_whatif(base, changed, REPLICATES, stop=cancel.is_set)

    result = solara.use_thread(compute, dependencies=[base.model_dump_json(),
                                                      changed.model_dump_json()],
                               intrusive_cancel=False)
    if result.error is not None and not isinstance(result.error, Stale):
        solara.Error(f"The run failed: {result.error}")
    whatif = result.value
    # figures are drawn once per result: re-sending them on every render (a lever change
    # renders three times) kept the browser busy for seconds
    drawn = solara.use_memo(
        lambda: None if whatif is None else (members_figure(whatif), weekly_gmv_figure(whatif),
                                             outcome_table(whatif)),
        [id(whatif)])
    # "(updating…)" in the status line, not an animated progress bar: its animation kept
    # a software-rendered browser busy for seconds after each lever change
    busy = result.state != solara.ResultState.FINISHED
    if whatif is None:
        solara.Text(f"Running {REPLICATES} replicates of each plan…")
        return
    solara.Text(
        f"{len(whatif.summary) // 2} replicates of {whatif.changed.name} against "
        f"{whatif.base.name}, same seeds, in {whatif.seconds:.2f} s"
        + (" (updating…)" if busy else ""),
        classes=["whatif-status"],
    )
    with solara.Row(style={"flex-wrap": "wrap"}):
        for fig in drawn[:2]:
            solara.FigurePlotly(fig, dependencies=[id(whatif)])
    Table(drawn[2], "whatif-outcomes")
    solara.Text("difference: the what-if plan minus the base plan, seed by seed "
                "(median [10–90%]); for survival, the difference in the share alive.",
                style={"font-size": "0.85em", "color": "#555"})


@solara.component
def WatchOne(changed: Plan):
    model, set_model = solara.use_state(None)
    layout, set_layout = solara.use_state(None)
    _, set_day = solara.use_state(0)

    def reset():
        fresh = GroupModel(changed, rng=0)
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
        lambda: None if model is None or layout is None else network_figure(model, layout),
        [id(model), id(layout), day])
    if model is None or layout is None:
        solara.Text("building the group…")
        return
    with solara.Row():
        solara.Button("Step one day", on_click=lambda: step(1), disabled=model.finished)
        solara.Button("Step a week", on_click=lambda: step(7), disabled=model.finished,
                      outlined=True)
        solara.Button("Restart", on_click=reset, outlined=True)
        solara.Text(f"day {model.day} of {model.plan.horizon_days} (seed 0)",
                    classes=["watch-day"])
    with solara.Columns([2, 1]):
        solara.FigurePlotly(network, dependencies=[id(model), id(layout), day])
        counts = day_counts(model)
        if counts:
            Table(pd.DataFrame({f"day {model.day}": list(counts),
                                "count": [money(v) if k in ("gmv", "incentive_cost")
                                          else count(v) for k, v in counts.items()]}),
                  "watch-counts")
        else:
            solara.Text("Step a day to see its counts.")


@solara.component
def Page():
    solara.Title("groupsim what-if")
    changed, error = None, ""
    try:
        changed = apply_levers(base_plan.value, levers.value, name=whatif_name(base_plan.value))
    except PlanError as bad:
        error = str(bad)
    with solara.Columns([1, 3]):
        LeverPanel(changed)
        with solara.Column():
            solara.Text(f"What if: {base_plan.value.name}", style={"font-size": "1.5em"})
            if error:
                solara.Error(error)
            elif changed is not None:
                with solara.lab.Tabs(lazy=True):  # the watched group is built when asked for
                    with solara.lab.Tab("What if"):
                        Outcomes(changed)
                    with solara.lab.Tab("Watch one replicate"):
                        WatchOne(changed)


def serve(host: str = "127.0.0.1", port: int = 8765, replicates: int = 20) -> None:
    """Warm the kernels up, then serve the page until Ctrl-C."""
    global REPLICATES
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
    REPLICATES = replicates
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
