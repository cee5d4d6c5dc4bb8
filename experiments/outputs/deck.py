"""`groupsim deck`: a 16:9 slide deck (python-pptx) and chart images of a run, comparison or sweep.

A run or comparison directory (see `experiments.running.storage`) gives: a title slide (plans and
descriptions, replicates, seeds, date), survival, members, weekly GMV, weekly gross profit,
cumulative profit, weekly active posters, one comparison table (plans as columns, with the
paired differences from the first plan when the run has them) and the review metrics (复盘).

A sweep directory (`groupsim sweep`: `sweep.yaml`, `points.parquet`, `summary.parquet`) gives
response curves, a heat map when two levers vary and a tornado. `points.parquet` has one row per
point: `point`, one column per varied lever named by its path (`host.ip_strength`,
`calendar[0].amount`: the names with a dot or a bracket) and `<metric>_median`, `<metric>_p10`,
`<metric>_p90` per summary metric.

Every chart is written as a 1920×1080 PNG and an SVG beside the deck.
"""

from datetime import date
from pathlib import Path
from typing import Literal

import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from experiments.outputs.charts import heatmap_chart, response_chart, run_charts, tornado_chart
from experiments.outputs.i18n import Lang, text
from experiments.outputs.images import write_images
from experiments.outputs.report import REVIEW_METRICS, comparison_table, metric_rows, run_meta
from experiments.running.metrics import in_view
from experiments.running.storage import Results, read_results
from scenarios.loader import parse_yaml

Format = Literal["pptx", "png", "svg", "pdf"]
DECK_CHARTS = ("survival", "members", "weekly_gmv", "weekly_profit", "cumulative_profit",
               "weekly_posters")
"""Charts that get a slide, in order (all of `run_charts` are written as images)."""
DECK_METRICS = in_view("deck")
"""Rows of the comparison slide (medians), after survival at weeks 4 and 12: the registry's
`deck` view."""
SWEEP_METRICS = in_view("sweep")
"""Metrics a sweep deck draws, where `points.parquet` has them: the registry's `sweep` view."""
PLANS_PER_SLIDE = 6
WIDTH, HEIGHT = Emu(12_192_000), Emu(6_858_000)  # 13.333 × 7.5 in, PowerPoint's 16:9
EAST_ASIAN_FONT = "Noto Sans CJK SC"


class DeckError(ValueError):
    """The directory is neither a run nor a sweep directory."""


def write_deck(run_dir: Path, lang: Lang = "en", fmt: Format = "pptx",
               out: Path | None = None) -> list[Path]:
    """Write the deck (and chart images) of `run_dir`; return the files written.

    `fmt` pptx writes `out` (default `run_dir/deck/deck-<lang>.pptx`) and a PNG and an SVG of
    every chart in `<lang>/` beside it; png, svg or pdf write only the charts, in that format,
    into the directory `out` (default `run_dir/deck/<lang>`).
    """
    if (run_dir / "sweep.yaml").is_file():
        charts, slides = _sweep(run_dir, lang)
    elif (run_dir / "summary.parquet").is_file() and (run_dir / "daily.parquet").is_file():
        charts, slides = _run(read_results(run_dir), lang)
    else:
        raise DeckError(
            f"{run_dir} is not a run directory (no summary.parquet and daily.parquet) nor a sweep "
            "directory (no sweep.yaml); give a directory written by groupsim run, compare or sweep"
        )
    if fmt != "pptx":
        folder = out or run_dir / "deck" / lang
        images = {folder / f"{name}.{fmt}": fig for name, fig in charts.items()}
        write_images(images)
        return list(images)
    path = out or run_dir / "deck" / f"deck-{lang}.pptx"
    folder = path.parent / lang
    images = {folder / f"{name}.{ext}": fig for name, fig in charts.items() for ext in ("png", "svg")}
    write_images(images)
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    for slide in slides:
        slide(deck, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    deck.save(path)
    return [path, *images]


# A slide is a function (deck, image folder) -> None; `_run` and `_sweep` list them.


def _run(results: Results, lang: Lang) -> tuple[dict[str, go.Figure], list]:
    charts = run_charts(results, lang)
    names = [plan.name for plan in results.plans]
    plans = [(p.name, p.description or text("no_description", lang)) for p in results.plans]
    slides = [lambda deck, _: _title_slide(deck, text("deck_title", lang),
                                           run_meta(results, lang), plans)]
    slides += [_picture_slide(name) for name in DECK_CHARTS]
    table = comparison_table(results, lang, DECK_METRICS, ranges=False)
    note = text("table_note", lang)
    if results.paired is not None and not results.paired.empty:
        note = text("paired_note", lang, base=names[0]) + " " + note
    review = metric_rows(results, lang, REVIEW_METRICS, ranges=False)
    for title, rows, foot in (("table_slide", table, note),
                              ("review_title", review, text("review_note", lang))):
        for start in range(0, len(names), PLANS_PER_SLIDE):
            columns = names[start:start + PLANS_PER_SLIDE]
            slides.append(_table_slide(text(title, lang), rows[columns], text("metric", lang), foot))
    return charts, slides


def _sweep(run_dir: Path, lang: Lang) -> tuple[dict[str, go.Figure], list]:
    points = pd.read_parquet(run_dir / "points.parquet")
    spec = parse_yaml((run_dir / "sweep.yaml").read_text(encoding="utf-8")) or {}
    levers = [c for c in points.columns if "." in c or "[" in c]
    metrics = [m for m in SWEEP_METRICS if f"{m}_median" in points]
    if not levers or not metrics:
        raise DeckError(f"{run_dir / 'points.parquet'} has no lever columns (paths such as "
                        "host.ip_strength) or no <metric>_median columns")
    charts: dict[str, go.Figure] = {}
    for metric in metrics:
        for i, lever in enumerate(levers):
            charts[f"response-{metric}-{i}"] = response_chart(points, lever, metric, lang)
        if len(levers) >= 2:
            charts[f"heatmap-{metric}"] = heatmap_chart(points, levers[0], levers[1], metric, lang)
            charts[f"tornado-{metric}"] = tornado_chart(points, levers, metric, lang)
    plan = _plan_name(spec) or run_dir.name
    replicates = spec.get("replicates", "?") if isinstance(spec, dict) else "?"
    meta = text("points", lang, points=len(points), replicates=replicates)
    slides = [lambda deck, _: _title_slide(
        deck, text("sweep_title", lang, plan=plan, levers=", ".join(levers)),
        f"{meta}; {date.today().isoformat()}",
        [(lever, ", ".join(str(v) for v in sorted(points[lever].unique()))) for lever in levers])]
    slides += [_picture_slide(name) for name in charts]
    return charts, slides


def _plan_name(spec: object) -> str | None:
    """The base plan's name in sweep.yaml, wherever the sweep engineer keeps it."""
    if isinstance(spec, dict):
        if isinstance(spec.get("name"), str) and "description" in spec:
            return spec["name"]
        for value in spec.values():
            if (name := _plan_name(value)) is not None:
                return name
    return None


def _add_run(paragraph, text_: str, size: int, bold: bool = False,
          colour: RGBColor | None = None) -> None:
    run = paragraph.add_run()
    run.text = text_
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    # python-pptx sets only the Latin face; Chinese text takes the East Asian one.
    rpr = run._r.get_or_add_rPr()
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        rpr.append(ea)
    ea.set("typeface", EAST_ASIAN_FONT)


def _text_box(slide, left, top, width, height, lines: list[tuple[str, int, bool]]) -> None:
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    for i, (line, size, bold) in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        _add_run(paragraph, line, size, bold, RGBColor(0x22, 0x22, 0x22))


def _blank(deck):
    return deck.slides.add_slide(deck.slide_layouts[6])


def _title_slide(deck, title: str, meta: str, items: list[tuple[str, str]]) -> None:
    """Title, a line of facts, then one paragraph per (name, description)."""
    slide = _blank(deck)
    _text_box(slide, Inches(0.7), Inches(0.5), Inches(12), Inches(1.2), [(title, 40, True)])
    _text_box(slide, Inches(0.7), Inches(1.5), Inches(12), Inches(0.6), [(meta, 18, False)])
    frame = slide.shapes.add_textbox(Inches(0.7), Inches(2.3), Inches(12), Inches(4.9)).text_frame
    frame.word_wrap = True
    size = 18 if len(items) <= 5 else 13
    for i, (name, description) in enumerate(items):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(4)
        _add_run(paragraph, f"{name}: ", size, bold=True)
        _add_run(paragraph, description, size)


def _picture_slide(name: str):
    def slide(deck, folder: Path) -> None:
        _blank(deck).shapes.add_picture(str(folder / f"{name}.png"), 0, 0, WIDTH, HEIGHT)
    return slide


def _table_slide(title: str, table: pd.DataFrame, corner: str, note: str):
    def slide(deck, _: Path) -> None:
        page = _blank(deck)
        _text_box(page, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.8), [(title, 30, True)])
        rows, columns = len(table) + 1, len(table.columns) + 1
        height = Emu(min(Inches(0.45), Inches(5.3) // rows) * rows)
        shape = page.shapes.add_table(rows, columns, Inches(0.5), Inches(1.2), Inches(12.3), height)
        grid = shape.table
        grid.columns[0].width = Emu(int(Inches(12.3) * 0.34))
        for j in range(1, columns):
            grid.columns[j].width = Emu(int(Inches(12.3) * 0.66 / (columns - 1)))
        size = 14 if rows <= 10 else 11
        for j, heading in enumerate([corner, *table.columns]):
            _cell(grid.cell(0, j), str(heading), size, bold=True)
        for i, (row, cells) in enumerate(zip(table.index, table.to_numpy()), start=1):
            _cell(grid.cell(i, 0), str(row), size)
            for j, value in enumerate(cells, start=1):
                _cell(grid.cell(i, j), str(value), size)
        # at the foot of the slide: rows that wrap make the table taller than planned
        _text_box(page, Inches(0.5), Inches(6.65), Inches(12.3), Inches(0.8), [(note, 11, False)])
    return slide


def _cell(cell, value: str, size: int, bold: bool = False) -> None:
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    frame = cell.text_frame
    frame.paragraphs[0].text = ""
    _add_run(frame.paragraphs[0], value, size, bold)
