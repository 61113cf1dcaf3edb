"""The dashboard in Debian's Chromium: every chart drawn, the period changes, nothing loaded from outside."""

import re
from urllib.parse import urlparse

import pytest

from tests.browser import ARTIFACTS, BROWSER_MARKS

pytestmark = BROWSER_MARKS


def _charts_drawn(page):
    """Wait until plotly has drawn an SVG in every chart div; returns the number of charts."""
    total = page.locator("[data-chart]").count()
    page.wait_for_function(
        "n => document.querySelectorAll('[data-chart] .main-svg').length >= n && "
        "[...document.querySelectorAll('[data-chart]')].every(d => d.querySelector('.main-svg'))",
        arg=total,
        timeout=20_000,
    )
    return total


@pytest.mark.urls("tests.reports.urls_with_tables")
def test_leader_sees_every_chart_drawn_and_changes_the_period(transactional_db, demo, live_server, browser_page):
    page = browser_page
    base = live_server.url.replace("localhost", "127.0.0.1")
    errors, outside, requests = [], [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request",
        lambda request: (
            urlparse(request.url).scheme not in ("data", "blob")
            and urlparse(request.url).hostname != "127.0.0.1"
            and outside.append(request.url)
        ),
    )

    page.goto(f"{base}/login/?next=/dashboard/")
    page.fill("#id_username", "leader")
    page.fill("#id_password", "zhengfa2023")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/"))

    assert _charts_drawn(page) == 10
    assert "2023年上半年" in page.locator("#dash-sub").inner_text()
    card = page.locator('[data-indicator="anti_fraud.cases"]')
    assert "127" in card.inner_text() and "同比下降11.81%" in card.inner_text()
    # Chinese chart text, no plotly mode bar (English buttons, a link to plot.ly).
    trend = page.locator("#chart-trend-anti_fraud")
    assert "发生电信网络诈骗案件 月度走势" in trend.inner_text() and "1月" in trend.inner_text()
    assert page.locator(".modebar").count() == 0
    assert page.locator("a[href*='plot.ly'], a[href*='plotly.com']").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-2023H1.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-2023H1-top.png"))
    # An area's picker swaps its charts to another headline indicator without a request.
    requests_before = len(requests)
    page.select_option('select[data-area="anti_fraud"]', "anti_fraud.losses")
    page.wait_for_function(
        "document.querySelector('#chart-trend-anti_fraud .gtitle').textContent.includes('电信网络诈骗损失金额')"
    )
    assert "万元" in page.locator("#chart-breakdown-anti_fraud .gtitle").text_content()
    assert len(requests) == requests_before
    trend_link = page.locator('#area-anti_fraud a.detail-link[data-kind="trend"]').get_attribute("href")
    assert trend_link.startswith("/tables/indicator/anti_fraud.losses/months/?period=2023H1")
    page.locator("#area-anti_fraud").screenshot(path=str(ARTIFACTS / "dashboard-2023H1-anti_fraud.png"))
    # No horizontal scroll at 1280 px.
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

    # Choosing another period reloads the page with that period's figures.
    with page.expect_navigation():
        page.select_option("#period", "2022H2")
    assert "period=2022H2" in page.url
    _charts_drawn(page)
    assert "2022年下半年" in page.locator("#dash-sub").inner_text()
    assert page.locator("#period").input_value() == "2022H2"
    assert "2022年" in page.locator("#chart-trend-anti_fraud").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.screenshot(path=str(ARTIFACTS / "dashboard-2022H2.png"), full_page=True)

    # A narrow laptop window still fits.
    page.set_viewport_size({"width": 1024, "height": 768})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

    assert errors == []
    # A card leads to its detail table (the stand-in table page has no favicon: its 404 is not ours).
    with page.expect_navigation():
        page.click('[data-indicator="anti_fraud.cases"]')
    assert page.url.endswith("/tables/indicator/anti_fraud.cases/departments/?period=2022H2")
    assert outside == []


def _sign_in(page, base, username="leader", next_url="/dashboard/"):
    page.goto(f"{base}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "zhengfa2023")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(next_url.split("?")[0])))


def _click_bar(page, chart, trace, point):
    """Click the middle of a drawn bar as a mouse would (plotly listens on the plot area, not the bar)."""
    bar = page.locator(f"{chart} .trace.bars").nth(trace).locator(".point path").nth(point)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(150)  # plotly finds the hovered point before the click
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.mark.urls("tests.reports.urls_with_tables")
def test_clicking_a_bar_opens_the_table_behind_it(transactional_db, demo, live_server, browser_page):
    """A month's bar opens that month's department table; a unit's bar opens its month table."""
    page = browser_page
    base = live_server.url.replace("localhost", "127.0.0.1")
    _sign_in(page, base, next_url="/dashboard/?period=2023H1")
    _charts_drawn(page)
    assert page.locator("#chart-trend-anti_fraud.linked").count() == 1
    with page.expect_navigation():
        _click_bar(page, "#chart-trend-anti_fraud", trace=1, point=2)  # 2023, March
    assert page.url.endswith("/tables/indicator/anti_fraud.cases/departments/?period=2023-03")

    page.go_back()
    _charts_drawn(page)
    with page.expect_navigation():
        _click_bar(page, "#chart-breakdown-anti_fraud", trace=1, point=0)  # 2023H1, 县公安局
    assert page.url.endswith("/tables/indicator/anti_fraud.cases/months/?period=2023H1&department=police")


def test_a_phone_reads_the_dashboard_in_one_column(transactional_db, demo, live_server, browser_page):
    """At 390 px: no sideways scroll, one column of cards, legible values, legends never over titles."""
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    base = live_server.url.replace("localhost", "127.0.0.1")
    _sign_in(page, base)
    assert _charts_drawn(page) == 10
    page.wait_for_timeout(300)  # the narrow charts' second layout (titles broken, room made)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    lefts = page.evaluate("[...document.querySelectorAll('.kpi')].map(card => card.getBoundingClientRect().left)")
    assert len(lefts) > 5 and len(set(lefts)) == 1
    sections = page.evaluate(
        "[...document.querySelectorAll('.dash-row > .card, .area-panel')].map(s => s.getBoundingClientRect().left)"
    )
    assert len(set(sections)) == 1
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.kpi-value')).fontSize)") >= 20
    charts = page.evaluate(
        """[...document.querySelectorAll('[data-chart]')].map(chart => {
            const box = chart.getBoundingClientRect(), title = chart.querySelector('.g-gtitle').getBoundingClientRect();
            const legend = chart.querySelector('.legend').getBoundingClientRect();
            return {id: chart.id, clear: legend.top >= title.bottom, inside: title.top >= box.top - 1
                    && title.right <= box.right + 1};
        })"""
    )
    assert [c["id"] for c in charts if not (c["clear"] and c["inside"])] == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-phone-top.png"))
    page.locator("#area-stability").screenshot(path=str(ARTIFACTS / "dashboard-phone-stability.png"))


def test_a_range_of_months_is_chosen_on_the_page(transactional_db, demo, live_server, browser_page):
    """自 2023年1月 至 2023年5月: two choices, then one click; the page shows that range."""
    page = browser_page
    base = live_server.url.replace("localhost", "127.0.0.1")
    _sign_in(page, base)
    _charts_drawn(page)
    page.select_option("#range-from", "2023-01")
    page.select_option("#range-to", "2023-05")
    assert "from=" not in page.url  # choosing an end does not reload the page; the button does
    with page.expect_navigation():
        page.click("#range-submit")
    assert "from=2023-01&to=2023-05" in page.url
    _charts_drawn(page)
    assert page.locator("#period").input_value() == "2023-01..2023-05"
    assert "1—5月" in page.locator("#dash-sub").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".dash-head").screenshot(path=str(ARTIFACTS / "dashboard-range.png"))
