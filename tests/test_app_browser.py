"""The what-if page in a real browser: `groupsim app` in a subprocess, the system Chromium driven
headless by playwright (never `playwright install`: nothing is downloaded)."""

import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from promises import HANG_S, INTERRUPT_EXIT_S
from scenarios.loader import load_plan

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium on this machine; `make system-deps` installs it (Debian package chromium)",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(server: subprocess.Popen, url: str, seconds: float = HANG_S) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"groupsim app exited with {server.returncode}: "
                                 f"{server.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"groupsim app did not answer at {url} within {seconds} s")


@pytest.fixture(scope="module")
def server_url():
    port = free_port()
    groupsim = Path(sys.executable).parent / "groupsim"
    server = subprocess.Popen([str(groupsim), "app", "--port", str(port), "--replicates", "5"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_serving(server, url)
        yield url
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C: stops the page, exit 130 like every command
        try:
            assert server.wait(INTERRUPT_EXIT_S) == 130, server.stderr.read()
        finally:
            server.kill()
            server.wait()


@pytest.fixture
def page(server_url):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.set_default_timeout(60_000)  # a ceiling; bench_app_browser: about 1 s
            page.outside = []  # requests that leave this machine: the page must work offline
            page.on("request", lambda r: page.outside.append(r.url)
                    if r.url.startswith("http") and not r.url.startswith(server_url) else None)
            page.failed = []  # e.g. a front-end file that solara-assets lacks
            page.on("requestfailed", lambda r: page.failed.append(r.url))
            page.goto(server_url)
            yield page
        finally:
            browser.close()


def settled(page) -> str:
    """The what-if status line once the background run has finished."""
    page.wait_for_selector(".whatif-status")
    page.wait_for_function(
        "!document.querySelector('.whatif-status').innerText.includes('updating')")
    return page.inner_text(".whatif-status")


def test_lever_change_updates_the_figures_and_the_plan_downloads(page, tmp_path):
    status = settled(page)
    assert "5 replicates of tuanzhang-whatif against tuanzhang" in status
    figures = page.locator(".js-plotly-plot")
    assert figures.count() == 2
    table = page.inner_text("table.whatif-outcomes")
    members_before = figures.nth(0).inner_html()
    assert "+" not in table  # unchanged levers: no difference anywhere

    field = page.get_by_label("initial members")
    field.fill("60")
    field.press("Enter")
    page.wait_for_function(
        "t => document.querySelector('table.whatif-outcomes').innerText !== t", arg=table)
    settled(page)
    assert page.locator(".js-plotly-plot").nth(0).inner_html() != members_before
    rows = {line.split("\t")[0]: line.split("\t") for line in
            page.inner_text("table.whatif-outcomes").splitlines()}
    assert rows["final members"][1] != rows["final members"][2]  # base vs what-if

    with page.expect_download() as download:
        page.get_by_role("button", name="Download plan").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    plan = load_plan(str(saved))
    assert (plan.name, plan.members.initial) == ("tuanzhang-whatif", 60)
    assert plan.model_dump(exclude={"name", "members"}) == \
        load_plan("tuanzhang").model_dump(exclude={"name", "members"})
    assert page.outside == []
    assert page.failed == []


def test_watch_one_replicate_steps_day_by_day(page):
    settled(page)
    page.get_by_text("Watch one replicate").click()
    step = page.get_by_role("button", name="Step one day")
    step.click()
    page.wait_for_selector(".watch-day >> text=day 1 of 84")
    step.click()
    page.wait_for_selector(".watch-day >> text=day 2 of 84")
    page.get_by_role("button", name="Step a week").click()
    page.wait_for_selector(".watch-day >> text=day 9 of 84")
    # the figure and the table follow the day line, each on its own
    page.wait_for_selector(".js-plotly-plot >> text=Members on day 9")
    page.wait_for_selector("table.watch-counts th >> text=day 9")
    counts = page.inner_text("table.watch-counts")
    assert counts.splitlines()[0].split("\t") == ["day 9", "count"]
    assert "members" in counts and "gmv" in counts
    assert page.outside == []
    assert page.failed == []


def test_picking_a_library_plan_resets_the_levers(page):
    settled(page)
    page.get_by_label("library plan").click(force=True)
    page.get_by_role("option", name="small_start").click()
    page.wait_for_selector("text=What if: small_start")
    page.wait_for_function(
        "!document.querySelector('.whatif-status').innerText.includes('tuanzhang')")
    assert "small_start-whatif against small_start" in settled(page)
    initial = load_plan("small_start").members.initial
    assert page.get_by_label("initial members").input_value() == str(initial)
