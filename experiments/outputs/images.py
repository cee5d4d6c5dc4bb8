"""Static chart images (PNG, SVG, PDF) through kaleido and the Chrome or Chromium already
installed: nothing is downloaded at run time.

kaleido 1.x drives a browser through choreographer. We look the browser up ourselves (the
`BROWSER_PATH` environment variable, then `chromium`, `google-chrome`, … on `PATH` and their usual
places; never choreographer's own download) and turn MathJax off, which kaleido would otherwise
fetch from a CDN; plotly.js comes from the plotly package.
"""

import re
import shutil
import subprocess
from pathlib import Path

import kaleido
import plotly.graph_objects as go
from choreographer.browsers.chromium import Chromium

BROWSER_HINT = (
    "Static images need Chrome or Chromium, and none was found. On Debian/Ubuntu: "
    "'sudo apt-get install chromium' (or 'make system-deps'); elsewhere install Chrome or "
    "Chromium, or set BROWSER_PATH to its executable."
)
FONT_HINT = (
    "Chinese text needs a CJK font, and fontconfig knows none (it would draw as empty boxes). "
    "On Debian/Ubuntu: 'sudo apt-get install fonts-noto-cjk' (or 'make system-deps')."
)
SLIDE_PIXELS = (1920, 1080)
"""Default PNG size; charts are laid out at half of it and drawn at scale 2, so fonts read on a
slide."""
FORMATS = ("png", "svg", "pdf")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class ImageError(RuntimeError):
    """No browser, or no font for the text: the message names the package to install."""


def find_browser() -> str:
    """The Chrome or Chromium executable kaleido will use."""
    path = Chromium.find_browser(skip_local=True)
    if not path or not Path(path).is_file():
        raise ImageError(BROWSER_HINT + (f" (BROWSER_PATH={path} is not a file.)" if path else ""))
    return path


def has_cjk_font() -> bool:
    """True when fontconfig knows a font covering Chinese; where there is no fontconfig
    (macOS, Windows) the system's own CJK fonts are trusted."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return True
    found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True)
    return bool(found.stdout.strip())


def write_images(figures: dict[Path, go.Figure],
                 pixels: tuple[int, int] = SLIDE_PIXELS) -> None:
    """Render each figure to its path, the format taken from the suffix (.png, .svg, .pdf).

    PNGs are `pixels` (width, height) in size. One browser renders them all.
    """
    formats = {path.suffix.lstrip(".") for path in figures}
    if not formats <= set(FORMATS):
        raise ValueError(f"image formats are {', '.join(FORMATS)}; got {sorted(formats)}")
    browser = find_browser()
    if any(_CJK.search(str(fig.to_plotly_json())) for fig in figures.values()) and not has_cjk_font():
        raise ImageError(FONT_HINT)
    width, height = pixels
    items = [
        {
            "fig": fig,
            "path": path,
            "opts": {"format": path.suffix.lstrip("."), "width": width // 2,
                     "height": height // 2, "scale": 2 if path.suffix == ".png" else 1},
        }
        for path, fig in figures.items()
    ]
    for path in figures:
        path.parent.mkdir(parents=True, exist_ok=True)
    kaleido.write_fig_from_object_sync(items, kopts={"path": browser, "mathjax": False},
                                       cancel_on_error=True)
