"""Benchmark: how long the leader dashboard takes to be fully drawn in headless Chromium on the demo.

    .venv/bin/python benchmarks/paint.py                # 5 cold and 5 warm loads, medians printed
    .venv/bin/python benchmarks/paint.py --runs 9 --port 8791

Serves the demo as a visitor would get it (`manage.py rundemo`, DEBUG off, a fresh SQLite
database in a temporary folder), signs in as `leader` through the login form's POST (so that
the browser's cache stays empty) and loads /dashboard/:

- cold: a new browser context each time, nothing cached;
- warm: the same context loading the page again (static files from its cache where the
  server's headers allow it).

"Fully drawn" is the time from navigation start until every chart div holds plotly's SVG,
read from the page's own clock (performance.now()). Also printed: the bytes of static files
transferred on a cold load. A figure to compare, never an assertion.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
DRAWN = (
    "() => { const charts = [...document.querySelectorAll('[data-chart]')];"
    " return charts.length > 0 && charts.every(d => d.querySelector('.main-svg')) ? performance.now() : false; }"
)


def serve(port, folder):
    """Start `rundemo` on the port with its own SQLite database; wait until it answers."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/demo.sqlite3", "DEBUG": "false"}
    env.pop("CACHE_URL", None)
    log = open(Path(folder) / "server.log", "w")  # noqa: SIM115 (closed with the process)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "rundemo", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"rundemo ended: see {folder}/server.log")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
            return server
        except OSError:
            time.sleep(1)
    server.terminate()
    raise SystemExit("rundemo did not answer within 10 minutes")


def sign_in(context, base):
    """Sign in through the login form's POST, outside the page: nothing enters the browser's cache."""
    login = context.request.get(f"{base}/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text()).group(1)
    context.request.post(
        f"{base}/login/",
        form={"csrfmiddlewaretoken": token, "username": "leader", "password": "zhengfa2023"},
        headers={"Referer": f"{base}/login/"},
    )


def drawn_after_load(page, base, static_bytes=None):
    """Load the dashboard; milliseconds from navigation start until every chart is drawn."""
    if static_bytes is not None:
        page.on(
            "response",
            lambda r: "/static/" in r.url and static_bytes.append(int(r.headers.get("content-length") or 0)),
        )
    page.goto(f"{base}/dashboard/", wait_until="commit")
    drawn = page.wait_for_function(DRAWN, timeout=60_000, polling="raf").json_value()
    timing = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return [n.responseEnd, n.domContentLoadedEventEnd]; })()"
    )
    return drawn, *timing


def measure(base, runs):
    from playwright.sync_api import sync_playwright

    cold, warm, sizes = [], [], []  # (drawn, HTML received, DOMContentLoaded) in ms
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which(CHROMIUM) or CHROMIUM, args=ARGS)
        # One unmeasured load so that the server's own caches (figures per data version) are filled.
        context = browser.new_context()
        sign_in(context, base)
        drawn_after_load(context.new_page(), base)
        context.close()
        for _run in range(runs):
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            sign_in(context, base)
            page = context.new_page()
            static_bytes = []
            cold.append(drawn_after_load(page, base, static_bytes))
            sizes.append(sum(static_bytes))
            warm.append(drawn_after_load(page, base))
            context.close()
        browser.close()
    return cold, warm, sizes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8790)
    options = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="zhengfa-paint-")
    server = serve(options.port, folder)
    try:
        cold, warm, sizes = measure(f"http://127.0.0.1:{options.port}", options.runs)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"dashboard fully drawn, headless Chromium, demo, {options.runs} runs (median, min–max):")
    for name, loads in (("cold", cold), ("warm", warm)):
        drawn, html, ready = (statistics.median(column) for column in zip(*loads, strict=True))
        spread = f"{min(d for d, *_ in loads):.0f}–{max(d for d, *_ in loads):.0f}"
        print(f"  {name}: {drawn:7.0f} ms drawn ({spread}); page received {html:.0f} ms, scripts run {ready:.0f} ms")
    print(f"  static bytes transferred cold: {statistics.median(sizes):,.0f}")


if __name__ == "__main__":
    main()
