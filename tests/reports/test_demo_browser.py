"""The demo's calendar in Chromium: a clerk and a reviewer on the demo's 3 August 2023 (screenshots)."""

import pytest

from reports.demo import DEMO_TODAY
from tests.browser import ARTIFACTS, BROWSER_MARKS

pytestmark = BROWSER_MARKS


def _login(page, base, username, password):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.fixture
def outside(browser_page, live_server):
    """Requests that left the server (there must be none)."""
    base = live_server.url.replace("localhost", "127.0.0.1")
    left = []
    browser_page.on("request", lambda r: r.url.startswith((base, "data:")) or left.append(r.url))
    return left


def test_the_demo_reads_as_on_3_august_2023(
    transactional_db, demo, live_server, browser_page, password, settings, outside
):
    settings.ZHENGFA_TODAY = DEMO_TODAY
    page, base = browser_page, live_server.url.replace("localhost", "127.0.0.1")
    ARTIFACTS.mkdir(exist_ok=True)

    # The transport bureau's clerk: July is the month now due, by 5 August, not overdue; the bell rings.
    _login(page, base, "clerk_transport", password)
    assert page.inner_text("header .demo-date") == "演示日期 2023年8月3日"
    assert page.inner_text("header .bell .badge") == "1"
    page.goto(f"{base}/reports/")
    first = page.locator("table.list tbody tr").first
    assert "2023年7月" in first.inner_text() and "2023年8月5日" in first.inner_text()
    assert first.locator(".tag-overdue").count() == 0
    page.screenshot(path=str(ARTIFACTS / "demo-clerk-months.png"), full_page=True)
    first.locator("a").click()
    page.wait_for_url(f"{base}/reports/transport/transport_monthly/2023/7/")
    assert "2023年8月5日" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "demo-clerk-july.png"))
    page.context.clear_cookies()

    # The reviewer: July's column is under way without 逾期 marks; the tables' quick-pick is 2023's first half.
    _login(page, base, "reviewer", password)
    page.goto(f"{base}/completeness/")
    assert page.locator("table.grid td.is-overdue").count() == 0
    page.screenshot(path=str(ARTIFACTS / "demo-reviewer-completeness.png"), full_page=True)
    page.goto(f"{base}/tables/summary/")
    assert "本半年（2023年上半年）" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "demo-reviewer-tables.png"))
    assert outside == []
