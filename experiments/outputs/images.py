"""Static chart images (PNG, SVG, PDF) through kaleido and the Chrome or Chromium already
installed: nothing is downloaded at run time.

kaleido 1.x drives a browser through choreographer. We look the browser up ourselves (the
`BROWSER_PATH` environment variable, then `chromium`, `google-chrome`, … on `PATH` and their usual
places; never choreographer's own download) and turn MathJax off, which kaleido would otherwise
fetch from a CDN; plotly.js comes from the plotly package.

kaleido runs in a child process (`python -m experiments.outputs.images JOB`) under a deadline: a
browser that dies or stays silent becomes an `ImageError` naming `BROWSER_PATH`, and the child,
choreographer's wrapper (a session of its own) and the browser are all stopped.
"""

import json
import os
import signal
import sys
import tempfile
import time
import re
import shutil
import subprocess
from pathlib import Path
from typing import Literal, get_args

import plotly.graph_objects as go
import psutil
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
SILENCE_SECONDS = 30.0
"""How long the browser may go without finishing an image (the first included) before it is
stopped: a working one draws its first chart within about 12 s on a 2-core machine under a load
of 14, and each further chart faster. With start-up and the stop, a browser that hangs is
reported well within a minute."""
SLIDE_PIXELS = (1920, 1080)
"""Default PNG size; charts are laid out at half of it and drawn at scale 2, so fonts read on a
slide."""
Format = Literal["pptx", "png", "svg", "pdf"]
"""What `groupsim deck` writes: the deck (pptx), or only the charts as images."""
FORMATS: tuple[str, ...] = get_args(Format)[1:]
"""The image formats (`Format` less the deck)."""
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
            "fig": json.loads(fig.to_json()),
            "path": str(path),
            "opts": {"format": path.suffix.lstrip("."), "width": width // 2,
                     "height": height // 2, "scale": 2 if path.suffix == ".png" else 1},
        }
        for path, fig in figures.items()
    ]
    for path in figures:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # a new file is a finished image
    with tempfile.TemporaryDirectory(prefix="groupsim-images-") as tmp:
        job, log = Path(tmp) / "job.json", Path(tmp) / "stderr.txt"
        job.write_text(json.dumps({"browser": browser, "items": items}), encoding="utf-8")
        root = str(Path(__file__).resolve().parents[2])  # where `experiments` is imported from
        env = {**os.environ,
               "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        with log.open("w", encoding="utf-8") as err:
            child = subprocess.Popen(
                [sys.executable, "-m", "experiments.outputs.images", str(job)], env=env,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                start_new_session=True)
        family: dict[int, psutil.Process] = {}
        try:
            _watch(child, list(figures), browser, family)
        finally:
            _stop(child, family)
        if child.returncode != 0:
            lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            reason = lines[-1][:300] if lines else f"exit status {child.returncode}"
            raise ImageError(f"{_named(browser)} stopped before drawing the charts ({reason}). "
                             + BROKEN_HINT)
    missing = [str(path) for path in figures if not path.is_file()]
    if missing:
        raise ImageError(f"{_named(browser)} did not draw {', '.join(missing)}. " + BROKEN_HINT)


BROKEN_HINT = (
    "Static images need a working Chrome or Chromium. On Debian/Ubuntu: 'sudo apt-get install "
    "chromium' (or 'make system-deps'); elsewhere install Chrome or Chromium, then set "
    "BROWSER_PATH to its executable (or unset BROWSER_PATH to use the one found on PATH)."
)


def _named(browser: str) -> str:
    if os.environ.get("BROWSER_PATH"):
        return f"The browser BROWSER_PATH={browser}"
    return f"The browser found at {browser} (BROWSER_PATH is not set)"


def _watch(child: subprocess.Popen, paths: list[Path], browser: str,
           family: dict[int, psutil.Process]) -> None:
    """Wait for the child; `ImageError` once `SILENCE_SECONDS` pass without a new image.
    `family` collects the child's descendants as they appear, for `_stop`."""
    done, since = 0, time.monotonic()
    while child.poll() is None:
        _collect(child.pid, family)
        now_done = sum(path.exists() for path in paths)
        if now_done > done:
            done, since = now_done, time.monotonic()
        elif time.monotonic() - since > SILENCE_SECONDS:
            raise ImageError(
                f"{_named(browser)} drew "
                f"{done} of {len(paths)} charts and then nothing for {SILENCE_SECONDS:.0f} s; "
                f"it was stopped. {BROKEN_HINT}")
        time.sleep(0.2)


def _collect(pid: int, family: dict[int, psutil.Process]) -> None:
    try:
        for proc in psutil.Process(pid).children(recursive=True):
            family.setdefault(proc.pid, proc)
    except psutil.NoSuchProcess:
        pass


def _stop(child: subprocess.Popen, family: dict[int, psutil.Process]) -> None:
    """Stop the child and every descendant seen, with their process groups: choreographer starts
    its wrapper in a session of its own, which the browser shares. SIGTERM first (the wrapper
    then closes the browser), SIGKILL for what is left after 3 s."""
    if child.poll() is None:
        _collect(child.pid, family)
    alive = [proc for proc in family.values() if proc.is_running()]
    for proc in alive:
        _collect(proc.pid, family)  # children started since the last look
    alive = [proc for proc in family.values() if proc.is_running()]
    groups = set()
    for proc in alive:
        try:
            groups.add(os.getpgid(proc.pid))
        except ProcessLookupError:
            pass
    groups.discard(os.getpgrp())
    if child.poll() is None:
        child.terminate()
    for proc in alive:
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            pass
    _, left = psutil.wait_procs(alive, timeout=3)
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for proc in left:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(left, timeout=3)
    if child.poll() is None:
        child.kill()
    child.wait()


def _render(job: Path) -> None:
    """The child's work: kaleido draws the job's figures with the job's browser."""
    import kaleido

    spec = json.loads(job.read_text(encoding="utf-8"))
    items = [{**item, "path": Path(item["path"])} for item in spec["items"]]
    kaleido.write_fig_from_object_sync(items, kopts={"path": spec["browser"], "mathjax": False},
                                       cancel_on_error=True)


if __name__ == "__main__":
    try:
        _render(Path(sys.argv[1]))
    except Exception as error:  # the parent reads this last line as the reason
        first = error.args[0] if error.args and isinstance(error.args[0], str) else str(error)
        text = " ".join(first.split()) or "no message"  # not choreographer's download advice
        print(f"{type(error).__name__}: {text}", file=sys.stderr)
        sys.exit(1)
