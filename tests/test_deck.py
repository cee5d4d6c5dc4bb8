"""`groupsim deck` through the CLI on small runs and a hand-made sweep directory."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from PIL import Image
from pptx import Presentation
from typer.testing import CliRunner

from experiments.cli.main import app
from experiments.outputs.deck import CHART_PIXELS
from experiments.outputs.images import ImageError, find_browser
from scenarios.loader import library

NAMES = list(library())[:2]
CJK = re.compile(r"[\u4e00-\u9fff]")


def invoke(*args):
    return CliRunner().invoke(app, [str(arg) for arg in args])


def _needs_browser() -> None:
    try:
        find_browser()
    except ImageError as error:
        pytest.skip(f"no Chrome/Chromium on this machine ({error})")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("compare")
    result = invoke("compare", *NAMES, "--replicates", 2, "--weeks", 2, "--lang", "zh",
                    "--out", out)
    assert result.exit_code == 0, result.output
    return out


def _slide_texts(path: Path) -> list[str]:
    texts = []
    for slide in Presentation(str(path)).slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
        texts.append("\n".join(parts))
    return texts


def test_compare_lang_zh_writes_a_chinese_report(run_dir: Path):
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html and "毛利" in html


def _texts_by_shape(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def test_zh_deck_puts_the_answer_first_and_titles_numbers_and_footers_as_text(run_dir: Path):
    _needs_browser()
    result = invoke("deck", run_dir, "--lang", "zh")
    assert result.exit_code == 0, result.output
    deck = run_dir / "deck" / "deck-zh.pptx"
    presentation = Presentation(str(deck))
    assert presentation.slide_width * 9 == presentation.slide_height * 16
    slides = list(presentation.slides)
    texts = _slide_texts(deck)
    title = texts[0]
    assert "社群方案模拟" in title and "随机种子 0–1" in title
    assert all(name in title for name in NAMES)
    # the first content slide is the answer: one sentence per question
    answer = _texts_by_shape(slides[1])
    assert answer[0] == "结论"
    for question in ("能活下来吗？", "卖得动吗？", "赚钱吗？", "花多少钱？"):
        assert question in texts[1]
    assert f"对照方案：{NAMES[0]}" in texts[1]
    # every slide: a slide number "k / n" and the footer (plans, runs, seeds, date, version)
    for k, slide in enumerate(slides, start=1):
        shapes = _texts_by_shape(slide)
        assert f"{k} / {len(slides)}" in shapes
        assert any("随机种子 0–1" in t and "groupsim " in t and "对照" in t
                   for t in shapes), k
    # chart slides: a picture under a text title that states a finding
    pictures = [i for i, slide in enumerate(slides)
                if any(shape.shape_type == 13 for shape in slide.shapes)]
    assert pictures == list(range(2, 2 + len(pictures))) and len(pictures) >= 3
    for i in pictures:
        heading = _texts_by_shape(slides[i])[0]
        assert CJK.search(heading), heading  # a finding: who leads or is level, or all alike
        assert any(n in heading for n in NAMES) or "全部相同" in heading, heading
    # an empty chart is left out and the answer slide says why
    if len(pictures) < 5:
        assert "未展示" in texts[1]
    table, review = texts[pictures[-1] + 1], texts[-1]
    assert all(name in table for name in NAMES) and "毛利" in table and "Δ" in table
    assert "复盘指标" in review and "引流转换率" in review and "复制成功率" in review
    assert "docs/" not in review
    for name in ("survival", "members", "cumulative_profit", "weekly_posters", "trust",
                 "sentiment"):
        assert Image.open(run_dir / "deck" / "zh" / f"{name}.png").size == CHART_PIXELS
        svg = (run_dir / "deck" / "zh" / f"{name}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg") and CJK.search(svg)


def test_deck_baseline_option_measures_against_that_plan(run_dir: Path, tmp_path: Path):
    _needs_browser()
    result = invoke("deck", run_dir, "--baseline", NAMES[1], "--out", tmp_path / "b.pptx")
    assert result.exit_code == 0, result.output
    texts = _slide_texts(tmp_path / "b.pptx")
    assert f"Baseline: {NAMES[1]} (chosen with --baseline)" in texts[1]
    bad = invoke("deck", run_dir, "--baseline", "nope", "--out", tmp_path / "c.pptx")
    assert bad.exit_code == 2 and "not one of the compared plans" in bad.output
    assert "Traceback" not in bad.output


def test_deck_of_one_plan_has_no_answer_and_no_paired_rows(tmp_path: Path):
    _needs_browser()
    assert invoke("run", NAMES[0], "--replicates", 2, "--weeks", 1, "--out", tmp_path).exit_code == 0
    result = invoke("deck", tmp_path, "--out", tmp_path / "one.pptx")
    assert result.exit_code == 0, result.output
    texts = _slide_texts(tmp_path / "one.pptx")
    assert "1 plan(s); 2 runs per plan, seeds 0–1" in texts[0]
    assert not any("The answer" in t for t in texts)
    assert "gross profit" in texts[-2] and "Δ" not in texts[-2]
    assert "lead conversion" in texts[-1]
    assert (tmp_path / "en" / "survival.svg").is_file()


def test_deck_as_pdf_charts_only_in_english(run_dir: Path, tmp_path: Path):
    _needs_browser()
    result = invoke("deck", run_dir, "--format", "pdf", "--out", tmp_path / "charts")
    assert result.exit_code == 0, result.output
    files = sorted(path.name for path in (tmp_path / "charts").iterdir())
    assert "survival.pdf" in files and all(name.endswith(".pdf") for name in files)
    assert (tmp_path / "charts" / "survival.pdf").read_bytes().startswith(b"%PDF")


def test_deck_of_a_sweep_directory(tmp_path: Path):
    """A tiny sweep in the layout `groupsim sweep` documents: response, heat map, tornado."""
    _needs_browser()
    ip, amount = np.meshgrid([0.2, 0.5, 0.8], [10.0, 30.0])
    points = pd.DataFrame({"point": range(6), "host.ip_strength": ip.ravel(),
                           "calendar[0].amount": amount.ravel()})
    for metric, scale in (("lifetime_days", 80), ("gross_profit", 1000)):
        median = scale * points["host.ip_strength"] + points["calendar[0].amount"]
        points[f"{metric}_median"] = median
        points[f"{metric}_p10"] = median * 0.8
        points[f"{metric}_p90"] = median * 1.2
    points.to_parquet(tmp_path / "points.parquet")
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(
        {"vary": {"host.ip_strength": "0.2:0.8:3", "calendar[0].amount": "10,30"},
         "replicates": 5, "plan": {"name": "tuanzhang", "description": "d"}}))
    result = invoke("deck", tmp_path, "--lang", "en")
    assert result.exit_code == 0, result.output
    images = sorted(path.stem for path in (tmp_path / "deck" / "en").glob("*.png"))
    assert images == ["heatmap-gross_profit", "heatmap-lifetime_days",
                      "response-gross_profit-0", "response-gross_profit-1",
                      "response-lifetime_days-0", "response-lifetime_days-1",
                      "tornado-gross_profit", "tornado-lifetime_days"]
    texts = _slide_texts(tmp_path / "deck" / "deck-en.pptx")
    assert len(texts) == 1 + len(images)
    assert "tuanzhang" in texts[0] and "6 points × 5 runs" in texts[0]


def test_tornado_puts_the_widest_swing_on_top():
    from experiments.outputs.charts import tornado_chart
    points = pd.DataFrame({"a": [0, 0, 1, 1], "b": [0, 1, 0, 1],
                           "gross_profit_median": [0.0, 1.0, 10.0, 11.0]})
    bar = tornado_chart(points, ["a", "b"], "gross_profit").data[0]
    assert list(bar.y) == ["b", "a"]  # plotly draws the last category on top
    assert list(bar.x) == [1.0, 10.0]


def test_sampled_levers_are_read_in_bins():
    from experiments.outputs.charts import LEVELS, heatmap_chart, response_chart
    rng = np.random.default_rng(0)
    points = pd.DataFrame({"a.x": rng.uniform(0, 1, 200), "b.y": rng.uniform(5, 50, 200)})
    points["gross_profit_median"] = 100 * points["a.x"]
    points["gross_profit_p10"] = points["gross_profit_median"] - 1
    points["gross_profit_p90"] = points["gross_profit_median"] + 1
    line = response_chart(points, "a.x", "gross_profit").data[-1]
    assert len(line.x) == LEVELS and list(line.y) == sorted(line.y)
    assert len(heatmap_chart(points, "a.x", "b.y", "gross_profit").data[0].x) == LEVELS


def test_deck_of_a_directory_that_is_no_run_exits_2(tmp_path: Path):
    result = invoke("deck", tmp_path)
    assert result.exit_code == 2
    assert "not a run directory" in result.output and "Traceback" not in result.output


def test_deck_without_a_browser_names_the_package(run_dir: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chrome"))
    result = invoke("deck", run_dir, "--out", tmp_path / "d.pptx")
    assert result.exit_code == 2
    assert "apt-get install chromium" in result.output and "Traceback" not in result.output


def test_bad_lang_is_refused(run_dir: Path):
    result = invoke("deck", run_dir, "--lang", "fr")
    assert result.exit_code == 2 and "fr" in result.output
