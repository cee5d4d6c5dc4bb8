"""End to end in a real browser: how long the what-if page takes from pressing Enter on a new
price to the updated table and figures, for tuanzhang with 200 initial members and 20
replicates (the `groupsim app` default), with the system Chromium. Run on demand on an idle
machine: `.venv/bin/python benchmarks/bench_app_browser.py` (bench_app.py times the
simulation alone). It reuses the browser tests' helpers."""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
import test_app_browser as browser_test  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

PRICES = range(61, 69)  # eight lever changes, none seen before


def main() -> None:
    port = browser_test.free_port()
    server = browser_test.start_app("--port", str(port))
    try:
        url = f"http://127.0.0.1:{port}/"
        browser_test.wait_until_serving(server, url)
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=browser_test.CHROMIUM,
                                                  args=browser_test.CHROMIUM_ARGS)
            page = chromium.new_page(viewport=browser_test.VIEWPORT)
            page.set_default_timeout(120_000)
            page.goto(url)
            browser_test.settled(page)
            field = page.get_by_label("initial members")
            field.fill("200")
            field.press("Enter")
            time.sleep(0.5)
            browser_test.settled(page)
            seconds = []
            for price in PRICES:
                table = page.inner_text("table.whatif-outcomes")
                field = page.get_by_label("price (yuan)")
                field.fill(str(price))
                start = time.perf_counter()
                field.press("Enter")
                page.wait_for_function(
                    "t => document.querySelector('table.whatif-outcomes').innerText !== t",
                    arg=table)
                browser_test.settled(page)
                seconds.append(time.perf_counter() - start)
            chromium.close()
    finally:
        server.terminate()
        server.wait(10)
    print(f"lever change -> updated table and figures (20 replicates, 200 initial members): "
          f"median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s")


if __name__ == "__main__":
    main()
