"""The whole journey in Debian's Chromium, as new users would click through it.

A clerk fills and submits a month; the reviewer returns it; the clerk fixes and
resubmits; the reviewer approves; a leader sees the new figure on the dashboard
at once; a reviewer exports the half-year summary and downloads the Word file,
which carries the figure. Any request leaving 127.0.0.1 and any JavaScript
console error (a blocked inline script included) fails the test; every page is
kept as a screenshot in test-artifacts/journey-*.png.
"""

import io
from pathlib import Path
from urllib.parse import urlparse

import pytest
from docx import Document

from metrics.models import DataValue, Status
from reports.reporting.models import MonthlyReport, ReportState
from tests.browser import ARTIFACTS, BROWSER_MARKS, launch_chromium

MONTH = "2023-08"  # police's August 2023: not in the demo, in the half-year 2023H2
FIRST, FIXED = "36", "37"  # anti_fraud.cases as first typed, and as corrected after review

pytestmark = BROWSER_MARKS


class Journey:
    """One browser; a context per person; every page watched and photographed."""

    def __init__(self, browser, base, prefix="journey"):
        self.browser, self.base, self.prefix = browser, base, prefix
        self.outside, self.errors, self.shots = [], [], 0
        for old in ARTIFACTS.glob(f"{prefix}-*.png"):
            old.unlink()

    def person(self, username, password):
        context = self.browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
        )
        page = context.new_page()
        page.on("request", lambda request: self._check_request(request.url))
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"{username} {page.url}: {msg.text}"))
        page.on("pageerror", lambda error: self.errors.append(f"{username} {page.url}: {error}"))
        page.on(
            "response",
            lambda response: response.status >= 400 and self.errors.append(f"{response.status} {response.url}"),
        )
        # A new user types the address of the site and is sent to the login page.
        page.goto(f"{self.base}/")
        assert "/login/" in page.url
        self.shot(page, f"login-{username}")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{self.base}/")
        self.shot(page, f"home-{username}")
        return page

    def _check_request(self, url):
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob"):
            return
        if parsed.hostname != "127.0.0.1":
            self.outside.append(url)

    def shot(self, page, name, focus=None):
        """The visible part of the page (scrolled to `focus`, a selector, if given)."""
        self.shots += 1
        page.wait_for_load_state("networkidle")
        if focus:
            page.locator(focus).first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"{self.prefix}-{self.shots:02d}-{name}.png"))

    def nav(self, page, label):
        """Follow a link of the top navigation, as a person would."""
        page.locator(".mainnav a", has_text=label).first.click()
        page.wait_for_load_state()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def _report():
    return MonthlyReport.objects.filter(
        department__code="police", form__code="police_monthly", month="2023-08-01"
    ).first()


def _card(page):
    return page.locator('.kpi[data-indicator="anti_fraud.cases"] .kpi-value').inner_text()


def test_the_whole_journey(transactional_db, demo, live_server, browser, password, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url.replace("localhost", "127.0.0.1")
    journey = Journey(browser, base)

    # 1. The clerk opens 月度填报, picks August 2023 and fills it.
    clerk = journey.person("clerk_police", password)
    journey.nav(clerk, "月度填报")
    journey.shot(clerk, "clerk-months")
    clerk.fill("#month", MONTH)
    clerk.locator("form.month-pick button").click()
    clerk.wait_for_url(f"{base}/reports/police/police_monthly/2023/8/")
    assert "2023年8月" in clerk.text_content("h1")
    for code, value in {
        "anti_fraud.cases": FIRST,
        "anti_fraud.losses": "120.5",
        "anti_fraud.suspects_caught": "14",
        "anti_fraud.app_registrations": "450000",
        "anti_fraud.resident_population": "900000",
        "anti_fraud.myanmar_stranded_total": "330",
        "anti_fraud.myanmar_stranded_reduced": "292",
        "anti_fraud.myanmar_stranded_remaining": "38",
    }.items():
        clerk.fill(f'[name="v_{code}"]', value)
    journey.shot(clerk, "clerk-filled", focus='[name="v_anti_fraud.cases"]')
    clerk.click('.actions.bottom button[value="submit"]')
    clerk.wait_for_load_state()
    # The boxes left empty are listed; the clerk confirms they are not available this month.
    journey.shot(clerk, "clerk-confirms-blanks", focus="#blanks")
    clerk.click("#confirm-blanks")
    clerk.wait_for_load_state()
    assert "已上报" in clerk.text_content(".messages")
    journey.shot(clerk, "clerk-submitted")
    assert _report().state == ReportState.SUBMITTED

    # Before approval the leader's dashboard does not count the submitted figure.
    leader = journey.person("leader", password)
    journey.nav(leader, "领导驾驶舱")
    # The default period is the latest half-year with approved data: still 2023H1.
    assert leader.locator("#period").input_value() == "2023H1"
    before = _card(leader)
    assert FIRST not in before and FIXED not in before
    journey.shot(leader, "leader-dashboard-before")

    # 2. The reviewer finds it in the queue and returns it with a reason.
    reviewer = journey.person("reviewer", password)
    journey.nav(reviewer, "审核队列")
    journey.shot(reviewer, "reviewer-queue")
    row = reviewer.locator("table.queue tr", has_text="2023年8月")
    row.locator("a").first.click()
    reviewer.wait_for_load_state()
    journey.shot(reviewer, "reviewer-report")
    reviewer.fill("#reason-return", "电诈案件数与预警记录不符，请核实后重报。")
    reviewer.click('button[value="return"]')
    reviewer.wait_for_url(f"{base}/review/")
    assert "已退回" in reviewer.text_content(".messages")
    journey.shot(reviewer, "reviewer-returned")

    # 3. The clerk sees the reason, fixes the figure with a note, and submits again.
    journey.nav(clerk, "月度填报")
    # The list also holds every month due and not approved (政法各单位月报's August, never started, is overdue).
    clerk.locator("tr", has_text="2023年8月").filter(has_text="县公安局月报").locator("a").first.click()
    clerk.wait_for_url(f"{base}/reports/police/police_monthly/2023/8/")
    assert "请核实后重报" in clerk.text_content(".returned")
    journey.shot(clerk, "clerk-returned")
    clerk.fill('[name="v_anti_fraud.cases"]', FIXED)
    clerk.fill('[name="n_anti_fraud.cases"]', "已与预警记录核对，补录1件")
    clerk.click('.actions.bottom button[value="submit"]')
    clerk.wait_for_load_state()
    clerk.click("#confirm-blanks")
    clerk.wait_for_load_state()
    assert "已上报" in clerk.text_content(".messages")
    journey.shot(clerk, "clerk-resubmitted")

    # 4. The reviewer approves.
    journey.nav(reviewer, "审核队列")
    reviewer.locator("table.queue tr", has_text="2023年8月").locator("a").first.click()
    reviewer.wait_for_load_state()
    reviewer.once("dialog", lambda dialog: dialog.accept())  # 审核通过 asks for a confirmation
    reviewer.click('button[value="approve"]')
    reviewer.wait_for_url(f"{base}/review/")
    journey.shot(reviewer, "reviewer-approved")
    assert _report().state == ReportState.APPROVED
    value = DataValue.objects.get(department__code="police", month="2023-08-01", indicator__code="anti_fraud.cases")
    assert (value.value, value.status) == (int(FIXED), Status.APPROVED)

    # 5. The leader reloads the dashboard: the new figure is there at once.
    # The page opens on the last complete half-year (2023H2 is in progress); the leader picks 2023H2.
    leader.reload()
    assert leader.locator("#period").input_value() == "2023H1"
    leader.goto(f"{base}/dashboard/?period=2023H2")
    assert leader.locator("#period").input_value() == "2023H2"
    assert FIXED in _card(leader)
    journey.shot(leader, "leader-dashboard-after")
    journey.shot(leader, "leader-dashboard-chart", focus="#area-anti_fraud")

    # 6. The reviewer starts the 2023H2 summary from the 2023H1 one, adds a line, and exports Word.
    journey.nav(reviewer, "半年总结")
    journey.shot(reviewer, "reviewer-summaries")
    reviewer.fill('form.row-form input[name="period"]', "2023H2")
    reviewer.locator("form.row-form button[type=submit]").click()
    reviewer.wait_for_url(f"{base}/summary/2023H2/edit/")
    body = reviewer.locator("#id_body")
    body.fill(body.input_value() + "\n八月份全县发生电信网络诈骗案件【anti_fraud.cases】。")
    reviewer.fill("#id_note", "加入八月电诈数据")
    reviewer.locator("form.template-form button[type=submit]").click()
    reviewer.wait_for_load_state()
    journey.shot(reviewer, "reviewer-summary-saved")
    reviewer.goto(f"{base}/summary/2023H2/")
    journey.shot(reviewer, "reviewer-summary-preview")
    reviewer.locator('form.export-buttons button[value="docx"]').click()
    reviewer.wait_for_load_state()
    link = reviewer.locator("#exports a.button", has_text="下载").first
    link.wait_for(timeout=60_000)
    journey.shot(reviewer, "reviewer-export-done", focus="#exports")
    with reviewer.expect_download() as download:
        link.click()
    path = download.value.path()
    text = "\n".join(p.text for p in Document(io.BytesIO(Path(path).read_bytes())).paragraphs)
    assert f"八月份全县发生电信网络诈骗案件{FIXED}件。" in text

    assert journey.outside == [], journey.outside
    assert journey.errors == [], journey.errors
    assert journey.shots >= 15


def test_the_admin_runs_under_the_content_security_policy(transactional_db, demo, live_server, browser, password):
    """The administrator's pages (Django admin: list, change form with its widgets) work with the CSP:
    no blocked script or style, no console error, nothing loaded from outside."""
    base = live_server.url.replace("localhost", "127.0.0.1")
    journey = Journey(browser, base, prefix="admin")
    admin = journey.person("admin", password)
    journey.nav(admin, "系统管理")
    assert "/admin/" in admin.url
    journey.shot(admin, "admin-index")
    admin.goto(f"{base}/admin/metrics/department/")
    journey.shot(admin, "admin-departments")
    admin.locator("#result_list tbody a").first.click()
    admin.wait_for_load_state()
    assert admin.locator("input[name=_save]").count() == 1
    journey.shot(admin, "admin-department-change")
    admin.goto(f"{base}/admin/reports/user/")
    journey.shot(admin, "admin-users")
    assert journey.outside == [], journey.outside
    assert journey.errors == [], journey.errors
