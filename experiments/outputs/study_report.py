"""Charts and the offline HTML page of sensitivity runs and plan searches.

Charts are pure `DataFrame -> go.Figure` functions; the page inlines plotly.js once.
"""

from html import escape
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from experiments.analyses.objectives import describe
from experiments.analyses.optimize import Search
from experiments.analyses.sensitivity import INDICES, Sensitivity
from experiments.outputs.formatting import readable
from experiments.outputs.i18n import profile_line
from sim.profile import Profile

STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; color: #222; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; }
.meta { color: #666; }
.wide { overflow-x: auto; }
table { border-collapse: collapse; font-size: 14px; margin: 0.5em 0 1em; }
th, td { padding: 0.25em 0.8em; border-bottom: 1px solid #e3e3e3; text-align: right; }
th:nth-child(-n+2), td:nth-child(-n+2) { text-align: left; }
"""
INDEX_LABELS = {
    "mu_star": "μ* (mean |elementary effect|)",
    "ST": "total effect ST",
    "S1": "first-order S1",
}


def tornado(indices: pd.DataFrame, metric: str, method: str) -> go.Figure:
    """Levers as horizontal bars of their index for one metric, the largest on top."""
    rows = indices[indices["metric"] == metric].sort_values("rank", ascending=False)
    shown = ("mu_star",) if method == "morris" else ("ST", "S1")
    fig = go.Figure()
    for name in shown:
        fig.add_bar(
            y=rows["lever"],
            x=rows[name],
            error_x={"type": "data", "array": rows[f"{name}_conf"], "visible": True},
            orientation="h",
            name=INDEX_LABELS[name],
            customdata=rows[["sigma"]] if method == "morris" else None,
            hovertemplate="%{y}: %{x:.3g}"
            + (" (σ %{customdata[0]:.3g})" if method == "morris" else "")
            + "<extra></extra>",
        )
    fig.update_layout(
        title=f"{metric}: which levers matter",
        barmode="group",
        height=160 + 60 * len(rows) * len(shown),
        xaxis_title=" / ".join(INDEX_LABELS[name] for name in shown),
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 220},
    )
    return fig


def history(trials: pd.DataFrame, metric: str, direction: str) -> go.Figure:
    """Each trial's objective in order, feasible and infeasible apart, and the best so far."""
    done = trials[trials["state"] == "COMPLETE"]
    fig = go.Figure()
    for feasible, name, symbol in ((True, "feasible", "circle"), (False, "infeasible", "x")):
        part = done[done["feasible"] == feasible]
        if len(part):
            fig.add_scatter(
                x=part["trial"], y=part[metric], mode="markers", name=name,
                marker={"symbol": symbol},
            )
    good = done[done["feasible"]].set_index("trial")[metric]
    best = good.cummax() if direction == "maximize" else good.cummin()
    fig.add_scatter(x=best.index, y=best, mode="lines", line_shape="hv", name="best so far")
    fig.update_layout(title=f"Optimisation history: {metric}", xaxis_title="trial",
                      yaxis_title=metric)
    return fig


def pareto_front(trials: pd.DataFrame, metrics: list[str]) -> go.Figure:
    """Every trial on the two objectives; the Pareto front of feasible trials joined by a line."""
    x, y = metrics
    done = trials[trials["state"] == "COMPLETE"]
    fig = go.Figure()
    for name, part, marker in (
        ("infeasible", done[~done["feasible"]], {"symbol": "x", "color": "#bbb"}),
        ("feasible", done[done["feasible"] & ~done["pareto"]], {"color": "#636efa"}),
    ):
        if len(part):
            fig.add_scatter(x=part[x], y=part[y], mode="markers", name=name, marker=marker,
                            text=part["trial"], hovertemplate="trial %{text}<extra></extra>")
    front = done[done["pareto"]].sort_values(x)
    fig.add_scatter(x=front[x], y=front[y], mode="lines+markers", name="Pareto front",
                    marker={"color": "#ef553b", "size": 9}, text=front["trial"],
                    hovertemplate="trial %{text}<extra></extra>")
    fig.update_layout(title=f"Pareto front: {x} and {y}", xaxis_title=x, yaxis_title=y)
    return fig


READINGS = {
    "morris": "μ* is the mean absolute change of the metric when the lever moves across its "
    "whole range, one lever at a time from points spread over all ranges (Morris elementary "
    "effects, scaled to the range); σ large beside μ* means the effect depends on the other "
    "levers or is not straight. ±95% is the bootstrap confidence half-width of μ*.",
    "sobol": "ST is the share of the metric's variance over the ranges that goes with the lever, "
    "its interactions with others included; S1 the share it explains alone. Levers with ST near "
    "0 can be fixed anywhere in their range. ±: 95% bootstrap confidence half-widths.",
}


def table_html(table: pd.DataFrame) -> str:
    """A small DataFrame as an HTML table, numbers as `readable` writes them."""
    html = table.to_html(index=False, border=0, float_format=readable, na_rep="–")
    return f'<div class="wide">{html}</div>'


def write_page(path: Path, title: str, meta: str, sections: list[tuple[str, list]]) -> None:
    """Write an offline page: a title, a line of context, then sections of figures and HTML."""
    body = []
    for i, (heading, parts) in enumerate(sections):
        body.append(f"<h2>{escape(heading)}</h2>")
        for j, part in enumerate(parts):
            if isinstance(part, go.Figure):
                part = pio.to_html(part, full_html=False, include_plotlyjs=False,
                                   div_id=f"chart-{i}-{j}", config={"displaylogo": False})
            body.append(part)
    path.write_text(
        f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{STYLE}</style><script>{get_plotlyjs()}</script></head>
<body><h1>{escape(title)}</h1><p class="meta">{escape(meta)}</p>
{"".join(body)}
</body></html>
""",
        encoding="utf-8",
    )


def write_sensitivity_report(result: Sensitivity, plan: str, path: Path,
                             profile: Profile | None = None) -> None:
    """The sensitivity page: per metric, the ranking table and its tornado chart; `profile`
    (the audience the runs were played with) is named under the title."""
    runs = result.summary
    meta = (
        f"Plan {plan}; {result.method} over {', '.join(lever.path for lever in result.levers)}: "
        f"{runs['point'].nunique()} samples x {runs['replicate'].nunique()} replicates "
        f"= {len(runs)} runs, seeds {runs['seed'].min()}–{runs['seed'].max()}."
    )
    columns = ["rank", "lever", *INDICES[result.method]]
    sections = []
    for metric in result.metrics:
        rows = result.indices[result.indices["metric"] == metric].sort_values("rank")
        sections.append((describe(metric), [
            tornado(result.indices, metric, result.method), table_html(rows[columns]),
        ]))
    write_page(path, f"groupsim sensitivity: {plan}",
               _with_audience(f"{meta} {READINGS[result.method]}", profile), sections)


def write_search_report(search: Search, plan: str, replicates: int, path: Path,
                        profile: Profile | None = None) -> None:
    """The plan search page: the history (one objective) or Pareto front (two), best trials;
    `profile` (the audience the trials were played with) is named under the title."""
    trials = search.trials
    aims = ", ".join(f"{o.direction} {describe(o.metric)}" for o in search.objectives)
    rules = "; ".join(str(c) for c in search.constraints) or "none"
    meta = (
        f"Plan {plan}; {len(trials)} trials over {', '.join(lv.path for lv in search.levers)}, "
        f"{replicates} replicates each (the same seeds for every trial). Objectives: {aims}. "
        f"Constraints: {rules}. {int(trials['feasible'].sum())} trials feasible."
    )
    metrics = [o.metric for o in search.objectives]
    chart = (
        history(trials, metrics[0], search.objectives[0].direction)
        if len(metrics) == 1
        else pareto_front(trials, metrics)
    )
    if search.best is None:
        best = "<p>No trial met the constraints.</p>"
    elif len(metrics) == 1:  # one trial: its fields as rows
        row = search.best.drop(["state", "feasible", "pareto"])
        best = table_html(pd.DataFrame({"field": row.index, "value": row.map(readable)}))
    else:
        best = table_html(trials[trials["pareto"]].drop(columns=["state", "feasible", "pareto"]))
    heading = "Best trial" if len(metrics) == 1 else "Trials on the Pareto front"
    sections = [("Search", [chart]), (heading, [best])]
    write_page(path, f"groupsim optimize: {plan}", _with_audience(meta, profile), sections)


def _with_audience(meta: str, profile: Profile | None) -> str:
    """`meta`, then 'Audience profile: NAME (fitted from HISTORY, DATE).' with a profile."""
    line = profile_line(profile, "en")
    return meta if line is None else f"{meta} {line}."
