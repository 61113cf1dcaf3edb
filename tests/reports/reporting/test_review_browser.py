"""The reviewer's tools in Chromium: 催报 from the grid and the queue, the review summary, bulk approval."""

import datetime

import pytest

from reports.notifications.models import Notification, NotificationKind
from reports.reporting.models import MonthlyReport, ReportChase, ReportState
from tests.browser import ARTIFACTS, BROWSER_MARKS, launch_chromium

pytestmark = BROWSER_MARKS

JULY = datetime.date(2023, 7, 1)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def _login(browser, base, username, password):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def _state(department, form=None):
    return MonthlyReport.objects.get(
        department__code=department, form__code=form or f"{department}_monthly", month=JULY
    ).state


def test_reviewer_chases_reviews_at_a_glance_and_approves_in_bulk(
    transactional_db, demo, live_server, browser, password, settings
):
    settings.ZHENGFA_TODAY = datetime.date(2023, 8, 10)  # July's reports were due on 5 August
    base = live_server.url.replace("localhost", "127.0.0.1")
    reviewer = _login(browser, base, "reviewer", password)

    # 1. 催报 one late department from its square of the grid; a second click within the hour is refused.
    reviewer.goto(f"{base}/completeness/?start=2023-02&end=2023-07")
    row = reviewer.locator("table.grid tr", has_text="县教育和体育局")
    row.locator("button.chase").click()
    reviewer.wait_for_load_state()
    assert "已催报 1 份月报：县教育和体育局" in reviewer.text_content(".messages")
    row = reviewer.locator("table.grid tr", has_text="县教育和体育局")
    assert "已催报 ×1" in row.text_content()
    reviewer.screenshot(path=str(ARTIFACTS / "review-completeness-chased.png"), full_page=True)
    row.locator("button.chase").click()
    reviewer.wait_for_load_state()
    assert "一小时内已催报过，本次未重复发送：县教育和体育局" in reviewer.text_content(".messages")
    assert ReportChase.objects.count() == 1

    # 2. Every late report of July in one click, from the queue: the one just chased is left out.
    reviewer.goto(f"{base}/review/")
    reviewer.click("#chase-all")
    reviewer.wait_for_load_state()
    messages = reviewer.text_content(".messages")
    assert "已催报 10 份月报" in messages and "1 份月报一小时内已催报过" in messages
    assert ReportChase.objects.count() == 11
    assert reviewer.locator("table.late tr", has_text="已催报 ×1").count() == 11

    # 3. Bulk approval: only reports with nothing to look at can be ticked; each is approved on its own.
    assert reviewer.locator("table.queue tr", has_text="县公安局月报").locator("input[disabled]").count() == 1
    reviewer.locator("table.queue tr", has_text="县人民法院月报").locator("input.bulk-pick").check()
    reviewer.locator("table.queue tr", has_text="县委网信办月报").locator("input.bulk-pick").check()
    reviewer.screenshot(path=str(ARTIFACTS / "review-queue-bulk.png"), full_page=True)
    reviewer.once("dialog", lambda dialog: dialog.accept())
    reviewer.click("#bulk-approve-button")
    reviewer.wait_for_load_state()
    assert "已审核通过 2 份月报" in reviewer.text_content(".messages")
    assert _state("court") == _state("cac") == ReportState.APPROVED

    # 4. A report with blanks opens with its summary above the figures; 审核通过 at the top asks first.
    reviewer.goto(f"{base}/reports/police/police_monthly/2023/7/")
    summary = reviewer.text_content("#review-summary")
    assert "5 项" in summary and "道路交通事故起数" in summary and "环比变化最大" in summary
    reviewer.screenshot(path=str(ARTIFACTS / "review-summary.png"), full_page=False)
    asked = []
    reviewer.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    reviewer.click('#review-top button[value="approve"]')
    assert asked and "确定审核通过" in asked[0]
    assert _state("police") == ReportState.SUBMITTED  # dismissed: nothing sent
    reviewer.once("dialog", lambda dialog: dialog.accept())
    reviewer.click('#review-top button[value="approve"]')
    reviewer.wait_for_url(f"{base}/review/")
    assert _state("police") == ReportState.APPROVED

    # 5. The chased department's clerk finds the 催报 under the bell.
    clerk = _login(browser, base, "clerk_education", password)
    clerk.goto(f"{base}/notifications/")
    assert "催报" in clerk.content() and "县教育和体育局" in clerk.content()
    assert Notification.objects.filter(kind=NotificationKind.CHASED, recipient__username="clerk_education").count() == 1
    clerk.screenshot(path=str(ARTIFACTS / "review-chase-notice.png"), full_page=False)


def test_reviewer_marks_a_value_follow_up_and_the_clerk_sees_it_beside_the_box(
    transactional_db, demo, live_server, browser, password
):
    base = live_server.url.replace("localhost", "127.0.0.1")
    report = f"{base}/reports/police/police_monthly/2023/7/"
    reviewer = _login(browser, base, "reviewer", password)
    reviewer.goto(report)
    reviewer.select_option("#comment-indicator", "anti_fraud.cases")
    reviewer.fill("#comment-text", "与反诈中心预警记录不符，请核实")
    reviewer.check("#comment-follow-up")
    reviewer.click("#comment-save")
    reviewer.wait_for_load_state()
    assert "该数值已标为待核实" in reviewer.text_content(".messages")
    listed = reviewer.text_content("#value-comments")
    assert "待核实" in listed and "发生电信网络诈骗案件" in listed and "与反诈中心预警记录不符" in listed
    reviewer.locator("#value-comments").screenshot(path=str(ARTIFACTS / "review-value-comments.png"))

    clerk = _login(browser, base, "clerk_police", password)
    clerk.goto(report)
    beside = clerk.text_content("#e_anti_fraud\\.cases")
    assert "待核实" in beside and "审核意见：与反诈中心预警记录不符，请核实" in beside
    clerk.locator("tr", has=clerk.locator("#e_anti_fraud\\.cases")).screenshot(
        path=str(ARTIFACTS / "review-comment-beside-box.png")
    )

    # A June value marked 待核实 shows in the half-year summary's preview, beside every figure resting on it.
    reviewer.goto(f"{base}/reports/police/police_monthly/2023/6/")
    reviewer.select_option("#comment-indicator", "anti_fraud.cases")
    reviewer.fill("#comment-text", "6月案件数存疑")
    reviewer.check("#comment-follow-up")
    reviewer.click("#comment-save")
    reviewer.wait_for_load_state()
    reviewer.goto(f"{base}/summary/2023H1/")
    assert "待核实 1 项" in reviewer.text_content("#follow-ups")
    assert "127件（待核实）" in reviewer.text_content("#paper")
    reviewer.screenshot(path=str(ARTIFACTS / "review-summary-follow-up.png"), full_page=False)
