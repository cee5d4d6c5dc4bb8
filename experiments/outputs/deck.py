"""`groupsim deck`: a 16:9 slide deck (python-pptx) and chart images of a run, comparison or sweep.

A run or comparison directory (see `experiments.running.storage`) gives: a title slide (plans and
descriptions, replicates, seeds, date); for a comparison the answer (`answers`: survives? sells?
profits? at what cost?, against the baseline); survival, members, weekly GMV, cumulative gross
profit and weekly active posters, each under its finding as the slide title (a chart with
nothing to show is left out, and the answer slide says so); one comparison table (plans as
columns, with the paired differences from the baseline) and the review metrics (复盘). Titles,
notes, slide numbers and the footer (plans, replicates, seeds, date, groupsim version) are text.

A sweep directory (`groupsim sweep`: `sweep.yaml`, `points.parquet`, `summary.parquet`) gives
response curves, a heat map when two levers vary and a tornado. `points.parquet` has one row per
point: `point`, one column per varied lever named by its path (`host.ip_strength`,
`calendar[0].amount`: the names with a dot or a bracket) and `<metric>_median`, `<metric>_p10`,
`<metric>_p90` per summary metric.

Every chart is written as a PNG (1920 pixels wide: run charts fit under their title, sweep
charts are 1920×1080 with their title drawn in) and an SVG beside the deck.
"""

from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from experiments.outputs import answers, portfolio_report
from experiments.outputs.charts import heatmap_chart, response_chart, run_charts, tornado_chart
from experiments.outputs.i18n import VERSION, Lang, describe, profile_name, text
from experiments.outputs.images import SLIDE_PIXELS, Format, write_images
from experiments.outputs.report import REVIEW_METRICS, comparison_table, metric_rows, run_meta
from experiments.outputs.sweep_charts import PORTFOLIO_HEADLINE
from experiments.running.metrics import in_view
from experiments.running.paired import CONFIDENCE
from experiments.running.storage import Results, read_profile, read_results
from scenarios.loader import parse_yaml
from sim.profile import Profile

DECK_CHARTS = ("survival", "members", "weekly_gmv", "weekly_profit", "cumulative_profit",
               "weekly_posters")
"""Charts that get a slide, in order, unless empty (all of `run_charts` are written as images)."""
DECK_METRICS = in_view("deck")
"""Rows of the comparison slide (medians), after survival at weeks 4 and 12: the registry's
`deck` view."""
SWEEP_METRICS = in_view("sweep")
"""Metrics a sweep deck draws, where `points.parquet` has them (and some point defines them): the
registry's `sweep` view; a portfolio sweep's: `sweep_charts.PORTFOLIO_HEADLINE`."""
WIDTH, HEIGHT = Emu(12_192_000), Emu(6_858_000)  # 13.333 × 7.5 in, PowerPoint's 16:9
MARGIN = Inches(0.5)
CHART_TOP, CHART_HEIGHT = Inches(1.45), Inches(5.45)
"""Run charts sit under the title and the note, above the footer."""
CHART_PIXELS = (1920, round(1920 * CHART_HEIGHT / (WIDTH - 2 * MARGIN)))
EAST_ASIAN_FONT = "Noto Sans CJK SC"
INK, GREY = RGBColor(0x22, 0x22, 0x22), RGBColor(0x66, 0x66, 0x66)


class DeckError(ValueError):
    """The directory is neither a run nor a sweep directory, or --baseline is not a plan."""


def write_deck(run_dir: Path, lang: Lang = "en", fmt: Format = "pptx",
               out: Path | None = None, baseline: str | None = None) -> list[Path]:
    """Write the deck (and chart images) of `run_dir`; return the files written.

    `fmt` pptx writes `out` (default `run_dir/deck/deck-<lang>.pptx`) and a PNG and an SVG of
    every chart in `<lang>/` beside it; png, svg or pdf write only the charts, in that format,
    into the directory `out` (default `run_dir/deck/<lang>`). `baseline` (a run or comparison)
    is the plan the others are measured against; by default the comparison's own.
    """
    if (run_dir / "sweep.yaml").is_file():
        charts, slides, footer = _sweep(run_dir, lang)
        pixels = SLIDE_PIXELS
    elif (run_dir / portfolio_report.INDEX).is_file() or (run_dir / "portfolio.json").is_file():
        try:
            portfolios = portfolio_report.with_baseline(
                portfolio_report.read_portfolios(run_dir), baseline)
        except ValueError as error:
            raise DeckError(str(error)) from None
        charts, slides, footer = _portfolios(portfolios, lang)
        pixels = CHART_PIXELS
    elif (run_dir / "summary.parquet").is_file() and (run_dir / "daily.parquet").is_file():
        try:
            results, why = answers.choose_baseline(read_results(run_dir), baseline)
        except ValueError as error:
            raise DeckError(str(error)) from None
        charts, slides, footer = _run(results, why, lang)
        pixels = CHART_PIXELS
    else:
        raise DeckError(
            f"{run_dir} is not a run directory (no summary.parquet and daily.parquet), a sweep "
            "directory (no sweep.yaml) nor a portfolio directory (no portfolio.json or "
            "portfolios.json); give a directory written by groupsim run, compare or sweep"
        )
    if fmt != "pptx":
        folder = out or run_dir / "deck" / lang
        images = {folder / f"{name}.{fmt}": fig for name, fig in charts.items()}
        write_images(images, pixels)
        return list(images)
    path = out or run_dir / "deck" / f"deck-{lang}.pptx"
    folder = path.parent / lang
    images = {folder / f"{name}.{ext}": fig for name, fig in charts.items() for ext in ("png", "svg")}
    write_images(images, pixels)
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    for slide in slides:
        slide(deck, folder)
    for number, page in enumerate(deck.slides, start=1):
        _footer(page, footer, f"{number} / {len(deck.slides)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    deck.save(path)
    return [path, *images]


# A slide is a function (deck, image folder) -> None; `_run` and `_sweep` list them, and the
# footer line each slide gets.


def _run(results: Results, why: str, lang: Lang) -> tuple[dict[str, go.Figure], list, str]:
    base = results.baseline
    charts = run_charts(results, lang)
    names = [plan.name for plan in results.plans]
    plans = [(p.name, describe(p, lang)) for p in results.plans]
    plans += _audience(results.profile, lang)
    slides = [lambda deck, _: _title_slide(deck, text("deck_title", lang),
                                           run_meta(results, lang), plans)]
    shown = [name for name in DECK_CHARTS if charts[name].empty is None]
    left_out = [charts[name].empty for name in DECK_CHARTS if charts[name].empty is not None]
    if len(names) > 1:
        lines = [text("baseline_line", lang, base=base, why=text(why, lang))]
        if left_out:
            lines.append(text("left_out", lang, items=text("list_sep", lang).join(left_out)))
        slides.append(_answer_slide(text("answer_title", lang), answers.answers(results, lang),
                                    lines))
    findings = answers.chart_findings(results)
    for name in shown:
        chart = charts[name]
        title = answers.chart_title(name, findings[name], lang, results)
        slides.append(_chart_slide(name, title, f"{chart.title} — {chart.note}"))
    table = comparison_table(results, lang, DECK_METRICS, ranges=False)
    note = text("table_note", lang)
    if len(names) > 1:
        note = text("paired_note", lang, base=base) + " " + note
    review = metric_rows(results, lang, REVIEW_METRICS, ranges=False)
    for title, rows, foot in (("table_slide", table, note),
                              ("review_title", review, text("review_note", lang))):
        for columns in _column_pages(rows, _table_font(len(rows) + 1)):
            slides.append(_table_slide(text(title, lang), rows[columns], text("metric", lang),
                                       foot))
    footer = f"{run_meta(results, lang)} · {text('baseline_short', lang, base=base)}" \
        if len(names) > 1 else run_meta(results, lang)
    return {name: chart.fig for name, chart in charts.items()}, slides, \
        f"{footer} · groupsim {VERSION}"


def _portfolios(portfolios: "portfolio_report.Portfolios", lang: Lang
                ) -> tuple[dict[str, go.Figure], list, str]:
    """A portfolio run or comparison: title (each portfolio and its targets), the answer, the
    charts and the table (`experiments.outputs.portfolio_report`)."""
    word = portfolio_report.word
    meta = portfolio_report.meta(portfolios, lang)
    end = "。" if lang == "zh" else "."

    def sentence(words: str) -> str:  # a description ends as a sentence before the next one
        return words.rstrip(end) + end if words else ""

    items = [(r.portfolio.name, " ".join(filter(None, (
        sentence(r.portfolio.describe(lang)), portfolio_report.composition(r, lang),
        portfolio_report.targets_line(r.portfolio.targets, lang))))) for r in portfolios.items]
    slides = [lambda deck, _: _title_slide(deck, word("title", lang), meta, items)]
    foot = [word("baseline", lang, base=portfolios.names[0], level=round(CONFIDENCE * 100))] \
        if len(portfolios.items) > 1 else []
    slides.append(_answer_slide(word("answer", lang), portfolio_report.answer(portfolios, lang),
                                foot))
    charts = {name: chart for name, chart in portfolio_report.charts(portfolios, lang).items()
              if chart.empty is None}
    titles = portfolio_report.chart_titles(portfolios, lang)
    slides += [_chart_slide(name, titles[name], f"{chart.title} — {chart.note}")
               for name, chart in charts.items()]
    table = portfolio_report.outcome_table(portfolios, lang)
    for columns in _column_pages(table, _table_font(len(table) + 1)):
        slides.append(_table_slide(word("table", lang), table[columns], text("metric", lang),
                                   word("bands_note", lang)))
    return {name: chart.fig for name, chart in charts.items()}, slides, \
        f"{meta} · groupsim {VERSION}"


def _sweep(run_dir: Path, lang: Lang) -> tuple[dict[str, go.Figure], list, str]:
    points = pd.read_parquet(run_dir / "points.parquet")
    spec = parse_yaml((run_dir / "sweep.yaml").read_text(encoding="utf-8")) or {}
    levers = [c for c in points.columns if "." in c or "[" in c]
    drawn = PORTFOLIO_HEADLINE if "copy_success_median" in points else SWEEP_METRICS
    metrics = [m for m in drawn if f"{m}_median" in points and points[f"{m}_median"].notna().any()]
    if not levers or not metrics:
        raise DeckError(f"{run_dir / 'points.parquet'} has no lever columns (paths such as "
                        "host.ip_strength) or no <metric>_median columns")
    charts: dict[str, go.Figure] = {}
    for metric in metrics:
        called = portfolio_report.outcome_label(metric, lang) if drawn is PORTFOLIO_HEADLINE \
            else None
        for i, lever in enumerate(levers):
            charts[f"response-{metric}-{i}"] = response_chart(points, lever, metric, lang, called)
        if len(levers) >= 2:
            charts[f"heatmap-{metric}"] = heatmap_chart(points, levers[0], levers[1], metric,
                                                        lang, called)
            charts[f"tornado-{metric}"] = tornado_chart(points, levers, metric, lang, called)
    plan = _plan_name(spec) or run_dir.name
    replicates = spec.get("replicates", "?") if isinstance(spec, dict) else "?"
    meta = text("points", lang, points=len(points), replicates=replicates)
    slides = [lambda deck, _: _title_slide(
        deck, text("sweep_title", lang, plan=plan, levers=", ".join(levers)),
        f"{meta}; {date.today().isoformat()}",
        [(lever, ", ".join(str(v) for v in sorted(points[lever].unique()))) for lever in levers]
        + _audience(read_profile(run_dir), lang))]
    slides += [_picture_slide(name) for name in charts]
    return charts, slides, f"{meta} · {date.today().isoformat()} · groupsim {VERSION}"


def _audience(profile: Profile | None, lang: Lang) -> list[tuple[str, str]]:
    """The title slide's 'Audience profile: NAME (fitted from HISTORY, DATE)' item, if any."""
    return [] if profile is None else [(text("profile_label", lang), profile_name(profile, lang))]


def _plan_name(spec: object) -> str | None:
    """The base plan's (or portfolio's) name in sweep.yaml, wherever the sweep engineer keeps
    it."""
    if isinstance(spec, dict) and isinstance(spec.get("portfolio"), dict):
        name = spec["portfolio"].get("portfolio")
        return str(name) if name else None
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


def _text_box(slide, left, top, width, height, lines: list[tuple[str, int, bool]],
              colour: RGBColor = INK, align: PP_ALIGN | None = None) -> None:
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    for i, (line, size, bold) in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        _add_run(paragraph, line, size, bold, colour)


def _blank(deck):
    return deck.slides.add_slide(deck.slide_layouts[6])


def _footer(slide, footer: str, number: str) -> None:
    """The run's facts at the left of the foot, the slide number at the right: text."""
    top = HEIGHT - Inches(0.42)
    _text_box(slide, MARGIN, top, Inches(11), Inches(0.35), [(footer, 10, False)], GREY)
    _text_box(slide, WIDTH - MARGIN - Inches(1.3), top, Inches(1.3), Inches(0.35),
              [(number, 10, False)], GREY, PP_ALIGN.RIGHT)


def _title(slide, title: str, note: str | None = None) -> None:
    """The slide's title (smaller when it would take two lines) and a note under it."""
    width = WIDTH - 2 * MARGIN
    size = 26 if _text_inches(title, 26) * 1.1 < width / Inches(1) else 20
    _text_box(slide, MARGIN, Inches(0.2), width, Inches(0.8), [(title, size, True)])
    if note:
        _text_box(slide, MARGIN, Inches(0.98), width, Inches(0.45), [(note, 12, False)], GREY)


def _title_slide(deck, title: str, meta: str, items: list[tuple[str, str]]) -> None:
    """Title, a line of facts, then one paragraph per (name, description)."""
    slide = _blank(deck)
    _text_box(slide, Inches(0.7), Inches(0.5), Inches(12), Inches(1.2), [(title, 40, True)])
    _text_box(slide, Inches(0.7), Inches(1.5), Inches(12), Inches(0.6), [(meta, 18, False)])
    frame = slide.shapes.add_textbox(Inches(0.7), Inches(2.3), Inches(12), Inches(4.6)).text_frame
    frame.word_wrap = True
    size = 18 if len(items) <= 5 else 13
    for i, (name, description) in enumerate(items):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(4)
        _add_run(paragraph, f"{name}: ", size, bold=True)
        _add_run(paragraph, description, size)


def _answer_slide(title: str, rows: list[tuple[str, str]], foot: list[str]):
    """The answer: one paragraph per question (the question in bold, then its sentence), and
    the baseline and what was left out in small type below."""
    def slide(deck, _: Path) -> None:
        page = _blank(deck)
        _title(page, title)
        frame = page.shapes.add_textbox(MARGIN, Inches(1.2), WIDTH - 2 * MARGIN,
                                        Inches(4.6)).text_frame
        frame.word_wrap = True
        for i, (question, sentence) in enumerate(rows):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.space_after = Pt(14)
            _add_run(paragraph, f"{question}  ", 20, bold=True, colour=INK)
            _add_run(paragraph, sentence, 18, colour=INK)
        _text_box(page, MARGIN, Inches(5.9), WIDTH - 2 * MARGIN, Inches(1.0),
                  [(line, 12, False) for line in foot], GREY)
    return slide


def _picture_slide(name: str):
    """A sweep chart, its title drawn in the image, above the footer."""
    def slide(deck, folder: Path) -> None:
        height = HEIGHT - Inches(0.45)
        width = Emu(int(height * 16 / 9))
        _blank(deck).shapes.add_picture(str(folder / f"{name}.png"), (WIDTH - width) // 2, 0,
                                        width, height)
    return slide


def _chart_slide(name: str, title: str, note: str):
    """A run chart under its finding (the title) and what it draws (the note), as text."""
    def slide(deck, folder: Path) -> None:
        page = _blank(deck)
        _title(page, title, note)
        page.shapes.add_picture(str(folder / f"{name}.png"), MARGIN, CHART_TOP,
                                WIDTH - 2 * MARGIN, CHART_HEIGHT)
    return slide


TABLE_TOP, TABLE_BOTTOM = Inches(1.2), Inches(6.0)
LABEL_SHARE = 0.32
"""Share of the table's width for the row labels (they wrap between words)."""


def _text_inches(value: str, size: int) -> float:
    """Roughly how wide `value` sets at `size` points, bold: CJK glyphs a full em, others
    0.68 em (the Latin of Noto Sans CJK)."""
    ems = sum(1.0 if ord(c) > 0x2E80 else 0.68 for c in value)
    return ems * size / 72


def _table_font(rows: int) -> int:
    """Points of a table's text, by its rows (the header included)."""
    return 13 if rows <= 8 else 12


def _column_pages(table: pd.DataFrame, size: int) -> list[list[str]]:
    """The plans (columns of `table`) of each table slide: as many as fit with no plan name or
    value broken inside a word."""
    names = list(table.columns)
    widest = max(_text_inches(str(v), size) for v in [*names, *table.to_numpy().ravel()]) + 0.2
    room = (WIDTH - 2 * MARGIN) * (1 - LABEL_SHARE) / Inches(1)
    per = max(1, min(len(names), int(room // widest)))
    pages = -(-len(names) // per)
    per = -(-len(names) // pages)  # even pages: 11 plans as 6 + 5, not 8 + 3
    return [names[i:i + per] for i in range(0, len(names), per)]


def _table_slide(title: str, table: pd.DataFrame, corner: str, note: str):
    def slide(deck, _: Path) -> None:
        page = _blank(deck)
        _title(page, title)
        rows, columns = len(table) + 1, len(table.columns) + 1
        row_height = min(Inches(0.8), (TABLE_BOTTOM - TABLE_TOP) // rows)
        width = WIDTH - 2 * MARGIN
        shape = page.shapes.add_table(rows, columns, MARGIN, TABLE_TOP, width,
                                      Emu(row_height * rows))
        grid = shape.table
        grid.columns[0].width = Emu(int(width * LABEL_SHARE))
        for j in range(1, columns):
            grid.columns[j].width = Emu(int(width * (1 - LABEL_SHARE) / (columns - 1)))
        for i in range(rows):
            grid.rows[i].height = Emu(row_height)
        size = _table_font(rows)
        for j, heading in enumerate([corner, *table.columns]):
            _cell(grid.cell(0, j), str(heading), size, bold=True,
                  align=PP_ALIGN.LEFT if j == 0 else PP_ALIGN.RIGHT)
        for i, (row, cells) in enumerate(zip(table.index, table.to_numpy()), start=1):
            _cell(grid.cell(i, 0), str(row), size)
            for j, value in enumerate(cells, start=1):
                _cell(grid.cell(i, j), str(value), size, align=PP_ALIGN.RIGHT)
        _text_box(page, MARGIN, TABLE_BOTTOM + Inches(0.1), width, Inches(0.9),
                  [(note, 12, False)], GREY)
    return slide


def _cell(cell, value: str, size: int, bold: bool = False,
          align: PP_ALIGN = PP_ALIGN.LEFT) -> None:
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    cell.margin_left = cell.margin_right = Inches(0.05)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame = cell.text_frame
    frame.paragraphs[0].text = ""
    frame.paragraphs[0].alignment = align
    _add_run(frame.paragraphs[0], value, size, bold)
