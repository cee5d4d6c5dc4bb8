"""Charts of a run: pure functions from the daily table to a plotly figure.

Each chart draws, per plan and day, the median over replicates as a line and the 10-90%
range as a band, one colour per plan on shared axes, with a gridline every week.
"""

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import hex_to_rgb, qualitative

COLOURS = qualitative.Plotly


def quantile_band(daily: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per plan and day: the 10%, 50% and 90% quantiles of `column` over replicates."""
    grouped = daily.groupby(["plan", "day"], sort=False)[column]
    band = grouped.quantile([0.1, 0.5, 0.9]).unstack()
    band.columns = ["p10", "median", "p90"]
    return band.reset_index()


def band_chart(daily: pd.DataFrame, columns: dict[str, str], title: str, y_title: str) -> go.Figure:
    """Median and 10-90% band of each column (name -> label); dashes tell columns apart."""
    fig = go.Figure()
    for c, plan in enumerate(daily["plan"].unique()):
        rows = daily[daily["plan"] == plan]
        colour = COLOURS[c % len(COLOURS)]
        fill = "rgba({}, {}, {}, 0.18)".format(*hex_to_rgb(colour))
        for k, (column, label) in enumerate(columns.items()):
            band = quantile_band(rows, column)
            name = plan if len(columns) == 1 else f"{plan}: {label}"
            fig.add_scatter(
                x=band["day"],
                y=band["p90"],
                mode="lines",
                line_width=0,
                legendgroup=name,
                showlegend=False,
                hoverinfo="skip",
            )
            fig.add_scatter(
                x=band["day"],
                y=band["p10"],
                mode="lines",
                line_width=0,
                fill="tonexty",
                fillcolor=fill,
                legendgroup=name,
                showlegend=False,
                hoverinfo="skip",
            )
            fig.add_scatter(
                x=band["day"],
                y=band["median"],
                mode="lines",
                name=name,
                legendgroup=name,
                line={"color": colour, "dash": ("solid", "dash")[k % 2]},
            )
    fig.update_layout(
        title={"text": f"{title}<br><sup>median over replicates, band: 10-90%</sup>"},
        template="plotly_white",
        height=420,
        hovermode="x unified",
        margin={"l": 60, "r": 20, "t": 70, "b": 50},
        legend={"orientation": "h", "y": -0.18},
    )
    fig.update_xaxes(title="day (gridline every week)", tick0=0, dtick=7, rangemode="tozero")
    fig.update_yaxes(title=y_title, rangemode="tozero")
    return fig


def members_chart(daily: pd.DataFrame) -> go.Figure:
    return band_chart(daily, {"members": "members"}, "Members", "members at end of day")


def active_posters_chart(daily: pd.DataFrame) -> go.Figure:
    return band_chart(
        daily, {"active_posters": "active posters"}, "Active posters", "members who posted that day"
    )


def messages_chart(daily: pd.DataFrame) -> go.Figure:
    return band_chart(
        daily,
        {"real_messages": "real", "shill_messages": "shill"},
        "Real (solid) vs shill (dashed) messages",
        "messages per day",
    )


def gmv_chart(daily: pd.DataFrame) -> go.Figure:
    return band_chart(daily, {"gmv": "GMV"}, "Daily GMV", "GMV (yuan per day)")


def trust_chart(daily: pd.DataFrame) -> go.Figure:
    return band_chart(daily, {"mean_trust": "trust"}, "Mean trust of current members", "mean trust")


def sentiment_chart(daily: pd.DataFrame) -> go.Figure:
    return band_chart(
        daily,
        {"mean_sentiment": "sentiment"},
        "Mean sentiment of current members",
        "mean sentiment",
    )


REPORT_CHARTS = (
    members_chart,
    active_posters_chart,
    messages_chart,
    gmv_chart,
    trust_chart,
    sentiment_chart,
)
