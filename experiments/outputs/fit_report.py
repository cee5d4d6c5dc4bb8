"""fit.html: observed vs simulated (median, 10-90 % band) per series, and which fitted names the
data pinned down."""

import html
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from experiments.analyses.calibrate import (
    FIT_CHECK_FAILS, FIT_CHECK_P, FIT_CHECK_SAYS, Calibration,
)

BAND = "rgba(31,119,180,0.2)"
LABELS = {  # series (experiments.analyses.calibrate.SERIES): title, y axis
    "conversation": ("Conversation a day (members' unprompted messages)", "messages"),
    "prompted_messages": ("Prompted messages a day (thanks for red packets, check-ins)",
                          "messages"),
    "jielong_entries": ("接龙 entries a day", "entries"),
    "active_posters": ("Members who posted, a day", "members"),
    "joins": ("Joins a day", "members"),
    "leaves": ("Leaves a day", "members"),
    "hour_of_day": ("Conversation by local hour (share of the day's)", "share"),
    "top_share": ("Top posters' share of conversation (top 10 %, top half)", "share"),
}


def series_figure(part: pd.DataFrame, name: str, fit_days: int) -> go.Figure:
    """One series: the band, the median and the observed points (held-out days marked)."""
    x = part["index"]
    fig = go.Figure([
        go.Scatter(x=x, y=part["sim_q90"], line={"width": 0}, showlegend=False, hoverinfo="skip"),
        go.Scatter(x=x, y=part["sim_q10"], fill="tonexty", fillcolor=BAND, line={"width": 0},
                   name="simulated 10-90 %"),
        go.Scatter(x=x, y=part["sim_median"], line={"color": "#1f77b4"}, name="simulated median"),
        go.Scatter(x=x, y=part["observed"], mode="markers", marker={"color": "black", "size": 5},
                   name="observed"),
    ])
    if name != "hour_of_day" and fit_days < len(part):
        fig.add_vrect(x0=fit_days - 0.5, x1=len(part) - 0.5, fillcolor="orange", opacity=0.12,
                      line_width=0, annotation_text="held out (forecast)")
    title, unit = LABELS.get(name, (name, ""))
    fig.update_layout(title=title, height=300, margin={"l": 50, "r": 10, "t": 40, "b": 30},
                      xaxis_title=("local hour" if name == "hour_of_day" else
                                   "top share of posters" if name == "top_share" else "day"),
                      yaxis_title=unit, legend={"orientation": "h"})
    return fig


def forecast_rows(fit: pd.DataFrame) -> list[tuple[str, float, float, float, int]]:
    """Per daily series with held-out days observed: (series, observed total, simulated median
    total, share of days inside the simulated 10–90 % band, days) over the held-out days."""
    out = []
    for name, part in fit[~fit["fitted"]].groupby("series", sort=False):
        part = part.dropna(subset=["observed"])
        if len(part):
            inside = ((part["observed"] >= part["sim_q10"])
                      & (part["observed"] <= part["sim_q90"])).mean()
            out.append((name, float(part["observed"].sum()), float(part["sim_median"].sum()),
                        float(inside), len(part)))
    return out


def write_fit_html(path: Path, result: Calibration) -> Path:
    """Write the page of a calibration's result; returns `path`."""
    fit, table, skipped, fit_days = result.fit, result.table, result.skipped, result.fit_days
    rows = "".join(
        f"<tr><td>{html.escape(r.name)}</td><td>{r.value:.4g}</td><td>{r.lo:.4g} – {r.hi:.4g}"
        f"</td><td>{r.prior:.4g}</td><td>{r.range_lo:g} – {r.range_hi:g}</td>"
        f"<td>{'pinned down' if r.identified else 'not identified'}</td>"
        f"<td>{html.escape(r.doc)}</td></tr>" for r in table.itertuples())
    check = result.profile.fit.get("fit_check")
    check_html = "" if not check else (
        f"<p><b>Fit check</b>: p = {check['p']:.2g} "
        f"({html.escape(FIT_CHECK_SAYS.format(worst=check['worst']))}, z = {check['z']:+.1f}). "
        + (f"<b>{html.escape(FIT_CHECK_FAILS[0].upper() + FIT_CHECK_FAILS[1:])}.</b>"
           if check["p"] < FIT_CHECK_P else "They reproduce it as a run of them would.")
        + "</p>")
    skipped_html = "".join(f"<li>{html.escape(s)}</li>" for s in skipped)
    parts = list(fit.groupby("series", sort=False))
    known = [(name, part) for name, part in parts if part["observed"].notna().any()]
    unknown = [LABELS.get(name, (name,))[0] for name, part in parts
               if not part["observed"].notna().any()]
    charts = "".join(pio.to_html(series_figure(part, name, fit_days), full_html=False,
                                 include_plotlyjs=False) for name, part in known)
    unknown_html = (f"<p>Not drawn: {html.escape('; '.join(unknown))} (unknown in this "
                    "export).</p>" if unknown else "")
    forecast = forecast_rows(fit)
    forecast_html = "" if not forecast else (
        f"<h2>Forecast of the held-out days (days {fit_days}–"
        f"{fit.loc[~fit['fitted'], 'index'].max()})</h2>"
        "<table><tr><th>series</th><th>observed</th><th>simulated median</th>"
        "<th>days inside the 10–90 % band</th></tr>"
        + "".join(f"<tr><td>{html.escape(LABELS.get(n, (n,))[0])}</td><td>{o:,.0f}</td>"
                  f"<td>{m:,.0f}</td><td>{share:.0%} of {days}</td></tr>"
                  for n, o, m, share, days in forecast) + "</table>")
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>Calibration</title>
<script>{get_plotlyjs()}</script><style>body{{font-family:sans-serif;max-width:1100px;margin:auto}}
td,th{{padding:2px 8px;border-bottom:1px solid #ddd}}</style></head><body>
<h1>Calibration</h1>
<p>Fitted on days 0–{fit_days - 1}. Interval: 95 % of a Laplace approximation of the posterior
(a quadratic fitted to the trials' scores near the best, plus the search's own spread); a name
whose interval spans more than half of its allowed range is not identified by this history:
the history does not hold enough of it (a longer or busier one may; at about 1,800 members'
messages in 12 weeks no statistic of the posters narrows the spread of voices below half its
range, at 11,000 it is pinned: docs/history.md, "How much a history holds").</p>
<table><tr><th>name</th><th>fitted</th><th>interval</th><th>default</th><th>allowed</th>
<th>data</th><th>meaning</th></tr>{rows}</table>
{check_html}
{"<h2>Not fitted</h2><ul>" + skipped_html + "</ul>" if skipped else ""}
{forecast_html}
<h2>Observed and simulated</h2>{unknown_html}{charts}</body></html>"""
    path.write_text(page, encoding="utf-8")
    return path
