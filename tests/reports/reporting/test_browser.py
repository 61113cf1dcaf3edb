"""The monthly workflow in Chromium: a clerk submits, a reviewer returns, the clerk fixes it, the reviewer approves."""

import datetime
from decimal import Decimal

import pytest

from metrics.models import DataValue, Status
from reports.reporting.models import MonthlyReport, ReportState
from tests.browser import ARTIFACTS, BROWSER_MARKS, launch_chromium

AUGUST = datetime.date(2023, 8, 1)

pytestmark = BROWSER_MARKS


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
    outside = []
    page.on(
        "request",
        lambda request: request.url.startswith(base) or request.url.startswith("data:") or outside.append(request.url),
    )
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.outside = outside
    return page


def _report():
    return MonthlyReport.objects.filter(department__code="police", form__code="police_monthly", month=AUGUST).first()


def test_clerk_submits_reviewer_returns_clerk_fixes_reviewer_approves(
    transactional_db, demo, live_server, browser, password
):
    base = live_server.url.replace("localhost", "127.0.0.1")
    entry = f"{base}/reports/police/police_monthly/2023/8/"

    # 1. The clerk fills August. A wrong figure gets a message as it is typed; ratios compute live.
    clerk = _login(browser, base, "clerk_police", password)
    clerk.goto(entry)
    assert "县公安局 · 2023年8月月报" in clerk.text_content("h1")
    suspects = clerk.locator('[name="v_anti_fraud.suspects_caught"]')
    suspects.fill("1.5")
    assert "只能填写整数" in clerk.text_content("#e_anti_fraud\\.suspects_caught")
    suspects.fill("14")
    assert "只能填写整数" not in clerk.text_content("#e_anti_fraud\\.suspects_caught")
    clerk.fill('[name="v_anti_fraud.app_registrations"]', "450000")
    clerk.fill('[name="v_anti_fraud.resident_population"]', "900000")
    ratio = clerk.locator('tr.ratio[data-num="anti_fraud.app_registrations"] .ratio-value')
    assert ratio.text_content() == "50.00%"

    # Enter moves to the next box and never submits.
    cases = clerk.locator('[name="v_anti_fraud.cases"]')
    cases.fill("20")
    cases.press("Enter")
    assert clerk.evaluate("document.activeElement.name") == "v_anti_fraud.losses"  # the next figure down
    clerk.keyboard.press("Tab")
    assert clerk.evaluate("document.activeElement.name") == "n_anti_fraud.losses"  # Tab reaches its note
    assert clerk.url == entry and _report() is None

    clerk.fill('[name="v_anti_fraud.losses"]', "120.5")
    clerk.fill('[name="v_anti_fraud.myanmar_stranded_total"]', "330")
    clerk.fill('[name="v_anti_fraud.myanmar_stranded_reduced"]', "292")
    clerk.fill('[name="v_anti_fraud.myanmar_stranded_remaining"]', "38")
    clerk.screenshot(path=str(ARTIFACTS / "reporting-entry-filling.png"), full_page=False)
    clerk.click('.actions.bottom button[value="submit"]')
    clerk.wait_for_load_state()
    # Boxes left empty are listed and must be confirmed as unavailable: nothing is submitted yet.
    assert "确认无法提供" in clerk.text_content("#blanks")
    assert "县公安局" not in clerk.text_content("#blanks ul") and _report().state == ReportState.DRAFT
    clerk.screenshot(path=str(ARTIFACTS / "reporting-entry-blanks.png"), full_page=False)
    clerk.click("#confirm-blanks")
    clerk.wait_for_load_state()
    assert "已上报" in clerk.text_content(".messages")
    assert _report().state == ReportState.SUBMITTED

    # Before any review the clerk may take it back, and submit it again.
    clerk.click('.withdraw button[value="withdraw"]')
    clerk.wait_for_load_state()
    assert "已撤回" in clerk.text_content(".messages") and _report().state == ReportState.DRAFT
    clerk.click('.actions.bottom button[value="submit"]')
    clerk.wait_for_load_state()
    clerk.click("#confirm-blanks")
    clerk.wait_for_load_state()
    report = _report()
    assert report.state == ReportState.SUBMITTED
    assert clerk.locator('.withdraw button[value="withdraw"]').count() == 1
    assert (
        DataValue.objects.get(department__code="police", month=AUGUST, indicator__code="anti_fraud.cases").value == 20
    )

    # 2. The reviewer finds it in the queue and returns it with a reason.
    reviewer = _login(browser, base, "reviewer", password)
    reviewer.goto(f"{base}/review/")
    reviewer.screenshot(path=str(ARTIFACTS / "reporting-review-queue.png"), full_page=True)
    row = reviewer.locator("table.queue tr", has_text="2023年8月")
    assert "县公安局" in row.text_content()
    row.locator("a").click()
    reviewer.fill("#reason-return", "电诈损失金额与案件数不匹配，请核实。")
    reviewer.click('button[value="return"]')
    reviewer.wait_for_url(f"{base}/review/")
    assert "已退回" in reviewer.text_content(".messages")
    assert _report().state == ReportState.RETURNED

    # 3. The clerk is told under the bell, sees the reason on the form, fixes the figure and submits again.
    clerk.goto(f"{base}/notifications/")
    assert "月报被退回" in clerk.content() and "电诈损失金额与案件数不匹配" in clerk.content()
    clerk.goto(entry)
    assert "电诈损失金额与案件数不匹配" in clerk.text_content(".returned")
    clerk.screenshot(path=str(ARTIFACTS / "reporting-entry-returned.png"), full_page=False)
    clerk.fill('[name="v_anti_fraud.losses"]', "98.2")
    clerk.fill('[name="n_anti_fraud.losses"]', "已核对，原填含7月数据")
    clerk.click('.actions.bottom button[value="submit"]')
    clerk.wait_for_load_state()
    clerk.click("#confirm-blanks")
    clerk.wait_for_load_state()
    assert _report().state == ReportState.SUBMITTED

    # 4. The reviewer approves: the figures count and the month is locked.
    reviewer.goto(entry)
    reviewer.once("dialog", lambda dialog: dialog.accept())  # 审核通过 asks for a confirmation
    reviewer.click('button[value="approve"]')
    reviewer.wait_for_url(f"{base}/review/")
    report = _report()
    assert report.state == ReportState.APPROVED
    values = DataValue.objects.filter(department__code="police", month=AUGUST)
    assert set(values.values_list("status", flat=True)) == {Status.APPROVED}
    assert values.get(indicator__code="anti_fraud.losses").value == Decimal("98.2")
    clerk.goto(entry)
    assert clerk.locator('[name="v_anti_fraud.cases"]').count() == 0
    assert "数据已锁定" in clerk.content()

    reviewer.goto(f"{base}/completeness/")
    reviewer.screenshot(path=str(ARTIFACTS / "reporting-completeness.png"), full_page=True)
    assert reviewer.locator("table.grid").count() == 1
    reviewer.goto(f"{base}/reports/police/police_monthly/2023/8/history/")
    assert "已核对，原填含7月数据" in reviewer.content()
    assert clerk.outside == [] and reviewer.outside == []
