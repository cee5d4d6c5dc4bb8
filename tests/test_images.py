"""Static images: the system browser, clear messages when it or a CJK font is missing, and
Chinese titles drawn as glyphs, not boxes."""

import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import psutil
import pytest
from PIL import Image
from typer.testing import CliRunner

from experiments.cli.main import app
from experiments.outputs import images
from experiments.outputs.charts import FONT, yuan_axis
from promises import IMAGE_DEADLINE_S
from experiments.outputs.images import ImageError, find_browser, has_cjk_font, write_images

TITLE = "存活率员数交额毛利激"  # ten different characters


def _browser_or_skip() -> None:
    try:
        find_browser()
    except ImageError as error:
        pytest.skip(f"no Chrome/Chromium on this machine ({error})")


def _fonts_without_cjk(tmp_path: Path) -> Path:
    """A fontconfig file that knows one Latin font and no CJK font."""
    latin = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans:lang=en"],
                           capture_output=True, text=True).stdout.strip()
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    if latin and "CJK" not in latin:
        shutil.copy(latin, fonts)
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f"<dir>{fonts}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>")
    return conf


def _title_figure() -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title={"text": TITLE, "x": 0.02, "y": 0.5, "font_size": 60},
                      font_family=FONT, xaxis_visible=False, yaxis_visible=False,
                      paper_bgcolor="white", plot_bgcolor="white")
    return fig


def _glyph_shapes(png: Path) -> tuple[int, int]:
    """Ink runs separated by blank columns, and how many distinct shapes they have."""
    ink = np.asarray(Image.open(png).convert("L")) < 128
    columns = np.flatnonzero(np.diff(np.concatenate([[0], ink.any(axis=0), [0]]).astype(int)))
    shapes = set()
    for start, stop in zip(columns[::2], columns[1::2]):
        part = ink[:, start:stop]
        rows = np.flatnonzero(part.any(axis=1))
        shapes.add(part[rows[0]:rows[-1] + 1].tobytes() + str(part.shape).encode())
    return len(columns) // 2, len(shapes)


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="needs fontconfig (Linux)")
def test_chinese_title_renders_as_glyphs_not_boxes(tmp_path: Path, monkeypatch):
    _browser_or_skip()
    png = tmp_path / "glyphs.png"
    write_images({png: _title_figure()})
    runs, shapes = _glyph_shapes(png)
    assert Image.open(png).size == (1920, 1080)
    assert runs >= 10 and shapes >= 8, (runs, shapes)
    # The same title where fontconfig knows no CJK font: boxes, which the count must catch.
    monkeypatch.setenv("FONTCONFIG_FILE", str(_fonts_without_cjk(tmp_path)))
    monkeypatch.setattr(images, "has_cjk_font", lambda: True)
    boxes = tmp_path / "boxes.png"
    write_images({boxes: _title_figure()})
    assert _glyph_shapes(boxes)[1] <= 2


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="needs fontconfig (Linux)")
def test_missing_cjk_font_names_the_package(tmp_path: Path, monkeypatch):
    _browser_or_skip()
    assert has_cjk_font()
    monkeypatch.setenv("FONTCONFIG_FILE", str(_fonts_without_cjk(tmp_path)))
    assert not has_cjk_font()
    with pytest.raises(ImageError, match="fonts-noto-cjk"):
        write_images({tmp_path / "x.png": _title_figure()})
    assert not (tmp_path / "x.png").exists()


def test_missing_browser_names_the_package(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    with pytest.raises(ImageError, match="apt-get install chromium") as error:
        write_images({tmp_path / "x.png": go.Figure()})
    assert "BROWSER_PATH" in str(error.value)


def test_unknown_image_format_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="png, svg, pdf"):
        write_images({tmp_path / "x.jpg": go.Figure()})


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run")
    result = CliRunner().invoke(app, ["run", "tuanzhang", "--weeks", "1", "--replicates", "1",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("behaviour", ["hangs", "dies"])
def test_a_browser_that_hangs_or_dies_gives_exit_2_within_a_minute_and_leaves_nothing(
    tmp_path: Path, small_run: Path, behaviour: str, monkeypatch: pytest.MonkeyPatch
):
    pids = tmp_path / "pids"
    browser = tmp_path / f"fake-chrome-that-{behaviour}"
    body = "exec sleep 100000" if behaviour == "hangs" else "exit 1"
    browser.write_text(f"#!/bin/sh\necho $$ >> {pids}\n{body}\n")
    browser.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(browser))
    start = time.monotonic()  # in-process: the deadline, not a loaded machine's imports
    result = CliRunner().invoke(app, ["deck", str(small_run), "--format", "png",
                                      "--out", str(tmp_path / "charts")])
    took = time.monotonic() - start
    assert result.exit_code == 2, result.output
    assert took < IMAGE_DEADLINE_S, took  # SILENCE_SECONDS leaves room for a loaded machine
    assert f"BROWSER_PATH={browser}" in result.output
    assert "apt-get install chromium" in result.output
    assert "Traceback" not in result.output and "choreo_get_chrome" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    started = [int(pid) for pid in pids.read_text().split()]
    assert started  # the fake browser ran
    left = [p for p in psutil.process_iter(["pid", "cmdline", "status"])
            if (p.info["pid"] in started or str(tmp_path) in " ".join(p.info["cmdline"] or []))
            and p.info["status"] != psutil.STATUS_ZOMBIE]
    assert not left, [p.info for p in left]


@pytest.mark.parametrize("values", [[0, 0, 0], [1, 1, 1], [0, 1, 3], [0.2, 0.4, 0.9],
                                    [0, 2500, 12000], [-3, 0, 2]])  # zero ranges included
def test_a_money_axis_never_repeats_a_tick_label(tmp_path: Path, values: list[float]):
    _browser_or_skip()
    figures = {}
    for axis in ("y", "x"):
        fig = go.Figure(go.Scatter(**{axis: values, ("x" if axis == "y" else "y"): [1, 2, 3]}))
        yuan_axis(fig, axis)
        figures[tmp_path / f"{axis}.svg"] = fig
    write_images(figures)
    for axis in ("y", "x"):
        svg = (tmp_path / f"{axis}.svg").read_text(encoding="utf-8")
        ticks = re.findall(rf'class="{axis}tick"><text[^>]*>([^<]*)</text>', svg)
        assert len(ticks) >= 3 and len(set(ticks)) == len(ticks), ticks
        assert not any("¥" in tick for tick in ticks), ticks  # the axis title names the unit
