"""Tables for the terminal that stay readable at 80 columns and when piped.

A table of plans by metrics is printed with plans as columns when that fits the width, else with
plans as rows, its metrics split over as many tables as the width needs. A cell holds the
median (with "(n=… of …)" when some replicates leave the metric undefined) and, on a second
line, the 10–90% range over replicates; for a difference of shares, its 95% interval.
"""

import textwrap
from collections.abc import Callable

import pandas as pd
from rich.markup import escape
from rich.table import Column, Table

from experiments.outputs.formatting import MISSING, defined_count, format_value, span
from experiments.outputs.i18n import label
from experiments.outputs.report import summary_stats

Cell = tuple[str, str]
"""A value and the 10–90% range under it."""

PAD = 3
"""Columns a rich table spends per column on padding and a border (plus one for the edge)."""


def summary_tables(summary: pd.DataFrame, plans: list[str], width: int) -> list[Table]:
    """Median [10–90%] of every summary metric per plan."""
    stats = summary_stats(summary).set_index(["metric", "plan"])
    metrics = list(dict.fromkeys(stats.index.get_level_values("metric")))
    labels = stats["label"].groupby(level="metric").first()

    def cell(plan: str, metric: str) -> Cell:
        row = stats.loc[(metric, plan)]
        return (format_value(metric, row.value) + defined_count(row.n, row.replicates),
                span(format_value(metric, row.p10), format_value(metric, row.p90)))

    return grid(plans, {m: labels[m] for m in metrics}, cell,
                "Median over replicates (10–90% below)", width)


def paired_tables(paired: pd.DataFrame, width: int) -> list[Table]:
    """Each plan's differences from the first plan (`paired.parquet`): median of per-seed
    differences and their 10–90%, or for survival the difference of shares and its 95%
    interval; "–" where a plan has no row (survival past its horizon)."""
    baseline = paired["baseline"].iloc[0]
    plans = list(dict.fromkeys(paired["plan"]))
    rows = paired.set_index(["plan", "metric"])

    def cell(plan: str, metric: str) -> Cell:
        if (plan, metric) not in rows.index:
            return MISSING, ""
        row = rows.loc[(plan, metric)]
        return (format_value(metric, row.value, signed=True) + defined_count(row.n, row.replicates),
                span(format_value(metric, row.low, signed=True),
                     format_value(metric, row.high, signed=True), "…"))

    metrics = {m: label(m, "en") for m in dict.fromkeys(paired["metric"])}
    return grid(plans, metrics, cell,
                f"Difference from {baseline}, same seeds: median of per-seed differences "
                "(10–90% below); survival: difference of shares (95% interval below)", width)


def grid(
    plans: list[str], metrics: dict[str, str], cell: Callable[[str, str], Cell], title: str,
    width: int, row_name: str = "plan",
) -> list[Table]:
    """Plans (or points: `row_name`) as columns if one table fits `width`, else as rows in
    tables of as many metrics as fit."""
    cells = {(p, m): cell(p, m) for p in plans for m in metrics}

    def text(c: Cell) -> str:
        return f"{escape(c[0])}\n[dim]{escape(c[1])}[/dim]"

    def span(strings: list[str]) -> int:
        return max(len(line) for s in strings for line in s.split("\n")) + PAD

    label_width = span(list(metrics.values()))
    plan_widths = [span([p, *(v for m in metrics for v in cells[p, m])]) for p in plans]
    if 1 + label_width + sum(plan_widths) <= width:
        table = Table("metric", *map(escape, plans), title=escape(title))
        for m, label in metrics.items():
            table.add_row(escape(label), *(text(cells[p, m]) for p in plans))
        return [table]
    name_width = span([row_name, *plans])
    groups: list[list[tuple[str, str]]] = [[]]
    used = 1 + name_width
    for m, label in metrics.items():
        content = span([*label.split(" "), *(v for p in plans for v in cells[p, m])]) - PAD
        header = textwrap.fill(label, content)  # rich would shrink every column for a long one
        if groups[-1] and used + content + PAD > width:
            groups.append([])
            used = 1 + name_width
        groups[-1].append((m, header))
        used += content + PAD
    tables = []
    for k, group in enumerate(groups):
        table = Table(Column(row_name, no_wrap=True, min_width=name_width - PAD),
                      *(escape(header) for _, header in group),
                      title=escape(title) if k == 0 else None)
        for p in plans:
            table.add_row(escape(p), *(text(cells[p, m]) for m, _ in group))
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
        return (format_value(metric, row[f"{metric}_median"])
                + defined_count(row[f"{metric}_n"], row["replicates"]),
                span(format_value(metric, row[f"{metric}_p10"]),
                     format_value(metric, row[f"{metric}_p90"])))

    title = f"Best points (#id: {', '.join(levers)})"
    return grid(list(names.values()), metrics, cell, title, width, row_name="point")
