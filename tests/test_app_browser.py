"""The what-if page in a real browser: `groupsim app` in a subprocess (this checkout's code), the
system Chromium driven headless by playwright (never `playwright install`: nothing is
downloaded), at 1280×720, in English on tuanzhang and in Chinese on company_account."""

import os
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
from experiments.outputs.app import LEVERS
from scenarios.loader import load_plan

ROOT = Path(__file__).parents[1]
VIEWPORT = {"width": 1280, "height": 720}

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


def start_app(*arguments: str) -> subprocess.Popen:
    """`groupsim app ARGUMENTS` of this checkout (not whatever `groupsim` script is installed)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "experiments.cli", "app", *arguments],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)


def serving(*arguments: str):
    port = free_port()
    server = start_app(*arguments, "--port", str(port), "--replicates", "5")
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


@pytest.fixture(scope="module")
def server_url():
    yield from serving("tuanzhang")


@pytest.fixture(scope="module")
def zh_url():
    yield from serving("company_account", "--lang", "zh")


def open_page(url: str):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(60_000)  # a ceiling; bench_app_browser: about 1 s
            page.outside = []  # requests that leave this machine: the page must work offline
            page.on("request", lambda r: page.outside.append(r.url)
                    if r.url.startswith("http") and not r.url.startswith(url) else None)
            page.failed = []  # e.g. a front-end file that solara-assets lacks
            page.on("requestfailed", lambda r: page.failed.append(r.url))
            page.goto(url)
            yield page
        finally:
            browser.close()


@pytest.fixture
def page(server_url):
    yield from open_page(server_url)


@pytest.fixture
def zh_page(zh_url):
    yield from open_page(zh_url)


def settled(page) -> str:
    """The what-if status line once the background run has finished."""
    page.wait_for_selector(".whatif-status")
    page.wait_for_function(
        "!/updating|更新中/.test(document.querySelector('.whatif-status')?.innerText ?? '更新中')")
    return page.inner_text(".whatif-status")


def table_text(page) -> str:
    return page.inner_text("table.whatif-outcomes")


def enter(page, label: str, value: str) -> None:
    field = page.get_by_label(label)
    field.fill(value)
    field.press("Enter")


def redrawn(page, selector: str, before: str) -> None:
    """Wait until the element's HTML differs from `before` (plotly redraws after the table)."""
    page.wait_for_function(
        "([s, b]) => document.querySelector(s) && document.querySelector(s).innerHTML !== b",
        arg=[selector, before])


def changed_table(page, before: str) -> str:
    page.wait_for_function(
        "t => (document.querySelector('table.whatif-outcomes')?.innerText ?? t) !== t", arg=before)
    settled(page)
    return table_text(page)


def test_lever_change_updates_the_figures_and_the_plan_downloads(page, tmp_path):
    status = settled(page)
    assert "5 replicates of tuanzhang-whatif against tuanzhang" in status
    figures = page.locator(".js-plotly-plot")
    assert figures.count() == 4
    table = page.inner_text("table.whatif-outcomes")
    members_before = page.inner_html(".chart-members")
    # unchanged levers: every difference is zero (a share's interval may still be wide)
    differences = [row.split("\t")[-1] for row in table.splitlines()[1:]]
    assert differences and all(d.split(" [")[0] in ("0", "¥0", "0 pp", "0%", "0.00", "–")
                               for d in differences), differences

    field = page.get_by_label("initial members")
    field.fill("60")
    field.press("Enter")
    page.wait_for_function(
        "t => (document.querySelector('table.whatif-outcomes')?.innerText ?? t) !== t", arg=table)
    settled(page)
    redrawn(page, ".chart-members", members_before)
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
    page.wait_for_selector(".page-title >> text=What if: small_start")
    page.wait_for_function(
        "!(document.querySelector('.whatif-status')?.innerText ?? 'tuanzhang').includes('tuanzhang')")
    assert "small_start-whatif against small_start" in settled(page)
    initial = load_plan("small_start").members.initial
    assert page.get_by_label("initial members").input_value() == str(initial)


def test_the_page_opens_on_the_plan_named_and_the_table_needs_no_scrolling(page):
    assert "5 replicates of tuanzhang-whatif against tuanzhang" in settled(page)
    box = page.locator("table.whatif-outcomes").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"]
    assert page.evaluate("window.scrollY") == 0
    for chart in ("survival", "cumulative_profit", "members", "weekly_gmv"):
        assert page.locator(f".chart-{chart} .js-plotly-plot").count() == 1
    # plotly draws the axes before the title; wait for the title rather than race it
    page.wait_for_function("document.querySelector('.chart-survival').innerText.includes('Survival')")
    page.wait_for_function(
        "document.querySelector('.chart-cumulative_profit').innerText.includes('Cumulative gross profit')")


def test_a_red_packet_every_two_days_changes_the_profit_chart_and_wakes_its_amount(page):
    settled(page)
    amount = page.locator(".lever-red_packet-amount")
    assert "no effect" in amount.inner_text()  # tuanzhang has no red packet
    assert amount.locator("input").is_disabled()
    profit = page.inner_html(".chart-cumulative_profit")
    enter(page, "red packet every N days", "2")
    changed_table(page, table_text(page))
    redrawn(page, ".chart-cumulative_profit", profit)
    rows = {line.split("\t")[0]: line.split("\t") for line in table_text(page).splitlines()}
    assert rows["gross profit"][3].startswith("−¥")  # the packets cost more than they earn
    assert "no effect" not in amount.inner_text()
    assert amount.locator("input").is_enabled()
    every = page.locator(".lever-red_packet-every_days")
    assert "lever-changed" in every.get_attribute("class")
    assert "red packet every N days (0 = none) 2 (plan: 0)" in every.inner_text()
    assert "red packet every N days (0 = none) 2 (plan: 0)" in page.inner_text(".changed-levers")


def test_a_bad_value_shows_its_error_by_the_field_and_keeps_the_results(page):
    settled(page)
    enter(page, "initial members", "120")
    before = changed_table(page, table_text(page))
    enter(page, "price (yuan)", "-5")
    error = page.locator(".lever-economics-price .lever-error")
    error.wait_for()
    assert "economics.price = -5" in error.inner_text()
    assert "allowed range 0.0 to 1000000.0" in error.inner_text()
    page.wait_for_selector(".kept-results")
    page.wait_for_timeout(1000)
    assert page.locator("table.whatif-outcomes").count() == 1  # never blanked, nor re-run
    assert table_text(page) == before
    assert page.locator(".js-plotly-plot").count() == 4
    enter(page, "price (yuan)", "70")
    changed_table(page, before)
    assert page.locator(".lever-error").count() == 0


def test_every_lever_has_a_one_line_help(page):
    settled(page)
    for key in LEVERS:
        lever = page.locator(f".lever-{key.replace('.', '-')}")
        line = lever.locator(".lever-help, .lever-inert")
        assert line.count() == 1, key
        assert line.inner_text().strip(), key
    assert "product price in the group, yuan" in page.inner_text(".lever-economics-price")


def test_chinese_everywhere(zh_page):
    status = settled(zh_page)
    assert "company_account-whatif 对比 company_account：各 5 次模拟" in status
    zh_page.wait_for_selector(".page-title >> text=推演：company_account")
    header = zh_page.inner_text("table.whatif-outcomes").splitlines()[0].split("\t")
    assert header == ["结果", "原方案", "推演方案", "差异"]
    box = zh_page.locator("table.whatif-outcomes").bounding_box()
    assert box["y"] + box["height"] <= VIEWPORT["height"]
    words = zh_page.inner_text("body")
    assert "存活率" in words and "累计毛利" in words and "群内商品售价 (元)" in words
    for lever in LEVERS.values():
        assert lever.zh in words and lever.en not in words
    for english in ("replicates", "Levers", "Reset levers", "base", "difference", "week"):
        assert english not in words, english
    enter(zh_page, "售价 (元)", "-5")
    zh_page.wait_for_selector(".lever-economics-price .lever-error")
    zh_page.wait_for_selector(".changed-levers >> text=售价 (元) −5 (方案：80)")
