"""The figure tables in Chromium at 1280 px: no horizontal scroll, numbers right-aligned, screenshots kept."""

import pytest

from reports.demo import DEMO_PASSWORD
from tests.browser import ARTIFACTS, BROWSER_MARKS, launch_chromium

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, demo):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        external = []
        tab.on(
            "request",
            lambda r: external.append(r.url) if not r.url.startswith((live_server.url, "data:")) else None,
        )
        tab.goto(f"{live_server.url}/login/")
        tab.fill("input[name=username]", "leader")
        tab.fill("input[name=password]", DEMO_PASSWORD)
        tab.click("button[type=submit]")
        tab.wait_for_url(f"{live_server.url}/")
        tab.external_requests = external
        yield tab
        browser.close()


def _check_and_shoot(tab, name):
    ARTIFACTS.mkdir(exist_ok=True)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 1280, "horizontal scroll at 1280 px"
    tab.screenshot(path=str(ARTIFACTS / f"tables_{name}.png"), full_page=False)
    assert tab.external_requests == []


def test_summary_table_in_a_browser(page, live_server):
    page.goto(f"{live_server.url}/tables/summary/?period=2023H1")
    row = page.locator('tr[data-code="anti_fraud.cases"]')
    assert "−11.81%" in row.inner_text()
    assert row.locator("td.num").first.evaluate("e => getComputedStyle(e).textAlign") == "right"
    colour = row.locator(".yoy").evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(27, 127, 59)"  # --good: fewer fraud cases
    _check_and_shoot(page, "summary")
    # A preset switches the period; the bad period shows a message, not an error page.
    page.click(".presets >> text=2023年第二季度")
    assert "2023年第二季度汇总表" in page.inner_text("h1")
    page.fill("input[name=period]", "2023H7")
    page.click("button:has-text('查询')")
    assert "无法识别的期间" in page.inner_text(".messages")
    _check_and_shoot(page, "bad_period")


def test_breakdown_and_monthly_in_a_browser(page, live_server):
    page.goto(f"{live_server.url}/tables/summary/?period=2023H1")
    page.locator('tr[data-code="anti_fraud.cases"] a').first.click()
    assert "分单位" in page.inner_text("h1")
    assert "全县合计" in page.inner_text("table")
    _check_and_shoot(page, "breakdown")
    page.click(".crumbs >> text=逐月")
    assert "逐月" in page.inner_text("h1")
    assert "2023年上半年合计" in page.inner_text("table")
    _check_and_shoot(page, "monthly")
