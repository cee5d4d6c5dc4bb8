"""Tables for the terminal that stay readable at 80 columns and when piped.

A table of plans by metrics is printed with plans as columns when that fits the width, else with
plans as rows, its metrics split over as many tables as the width needs. A cell holds the
median (with "(n=… of …)" when some replicates leave the metric undefined) and, on a second
line, the 10–90% range over replicates; for a difference of shares, its 95% interval.
"""

import textwrap
from collections.abc import Callable

import pandas as pd
from rich.cells import cell_len
from rich.markup import escape
from rich.table import Column, Table

from experiments.outputs.formatting import MISSING, defined_count, format_values, span
from experiments.outputs.i18n import Lang, label, text
from experiments.outputs.report import summary_stats

Cell = tuple[str, str]
"""A value and the 10–90% range under it."""

PAD = 3
"""Columns a rich table spends per column on padding and a border (plus one for the edge)."""


def summary_tables(summary: pd.DataFrame, plans: list[str], width: int,
                   lang: Lang = "en") -> list[Table]:
    """Median [10–90%] of every summary metric per plan, labelled in `lang`."""
    stats = summary_stats(summary, lang).set_index(["metric", "plan"])
    metrics = list(dict.fromkeys(stats.index.get_level_values("metric")))
    labels = stats["label"].groupby(level="metric").first()

    def cell(plan: str, metric: str) -> Cell:
        row = stats.loc[(metric, plan)]
        value, low, high = format_values(metric, [row.value, row.p10, row.p90], lang)
        return value + defined_count(row.n, row.replicates, lang), span(low, high)

    return grid(plans, {m: labels[m] for m in metrics}, cell, text("summary_table", lang), width,
                corner=text("metric", lang), row_name=text("plan", lang))


def paired_tables(paired: pd.DataFrame, width: int, lang: Lang = "en") -> list[Table]:
    """Each plan's differences from the baseline (`paired.parquet`): median of per-seed
    differences and their 10–90%, or for survival the difference of shares and its 95%
    interval; "–" where a plan has no row (survival past its horizon); in `lang`."""
    baseline = paired["baseline"].iloc[0]
    plans = list(dict.fromkeys(paired["plan"]))
    rows = paired.set_index(["plan", "metric"])

    def cell(plan: str, metric: str) -> Cell:
        if (plan, metric) not in rows.index:
            return MISSING, ""
        row = rows.loc[(plan, metric)]
        value, low, high = format_values(metric, [row.value, row.low, row.high], lang, signed=True)
        return value + defined_count(row.n, row.replicates, lang), span(low, high, "…")

    labels = {m: label(m, lang) for m in dict.fromkeys(paired["metric"])}
    return grid(plans, labels, cell, text("paired_table", lang, base=baseline), width,
                corner=text("metric", lang), row_name=text("plan", lang))


def grid(
    plans: list[str], metrics: dict[str, str], cell: Callable[[str, str], Cell], title: str,
    width: int, row_name: str = "plan", corner: str = "metric",
) -> list[Table]:
    """Plans (or points: `row_name`) as columns if one table fits `width`, else as rows in
    tables of as many metrics as fit."""
    cells = {(p, m): cell(p, m) for p in plans for m in metrics}

    def show(c: Cell) -> str:
        return f"{escape(c[0])}\n[dim]{escape(c[1])}[/dim]"

    def span(strings: list[str]) -> int:
        return max(cell_len(line) for s in strings for line in s.split("\n")) + PAD

    label_width = span(list(metrics.values()))
    plan_widths = [span([p, *(v for m in metrics for v in cells[p, m])]) for p in plans]
    if 1 + label_width + sum(plan_widths) <= width:
        table = Table(escape(corner), *(Column(escape(p), justify="right") for p in plans),
                      title=escape(title))
        for m, name in metrics.items():
            table.add_row(escape(name), *(show(cells[p, m]) for p in plans))
        return [table]
    name_width = span([row_name, *plans])
    groups: list[list[tuple[str, str]]] = [[]]
    used = 1 + name_width
    for m, name in metrics.items():
        content = span([*name.split(" "), *(v for p in plans for v in cells[p, m])]) - PAD
        header = textwrap.fill(name, content)  # rich would shrink every column for a long one
        if groups[-1] and used + content + PAD > width:
            groups.append([])
            used = 1 + name_width
        groups[-1].append((m, header))
        used += content + PAD
    tables = []
    for k, group in enumerate(groups):
        table = Table(Column(row_name, no_wrap=True, min_width=name_width - PAD),
                      *(Column(escape(header), justify="right") for _, header in group),
                      title=escape(title) if k == 0 else None)
        for p in plans:
            table.add_row(escape(p), *(show(cells[p, m]) for m, _ in group))
        tables.append(table)
    return tables


def best_point_tables(best: pd.DataFrame, points: pd.DataFrame, levers: list[str],
                      metrics: dict[str, str], width: int) -> list[Table]:
    """The rows of `points` whose ids are in `best` (in that order): median (with "(n=… of …)"
    when some replicates leave it undefined) and 10–90%."""
    rows = points.set_index("point")
    names = {i: f"#{i}: " + ", ".join(str(rows.at[i, lever]) for lever in levers)
             for i in best["point"]}
    by_name = {name: i for i, name in names.items()}

    def cell(name: str, metric: str) -> Cell:
        row = rows.loc[by_name[name]]
        value, low, high = format_values(metric, [row[f"{metric}_{q}"]
                                                  for q in ("median", "p10", "p90")])
        return value + defined_count(row[f"{metric}_n"], row["replicates"]), span(low, high)

    title = f"Best points (#id: {', '.join(levers)})"
    return grid(list(names.values()), metrics, cell, title, width, row_name="point")
