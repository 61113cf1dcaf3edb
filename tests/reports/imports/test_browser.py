"""The import pages and the bell in Debian's Chromium: upload, preview, commit; unread count, list."""

import datetime
import re

from metrics.models import DataValue, Department
from reports.imports import services, workbook
from reports.notifications import reminders
from reports.reporting.models import MonthlyReport, ReportState
from tests.browser import ARTIFACTS, BROWSER_MARKS
from tests.factories import department_form
from tests.reports.imports.helpers import cell, edit

FOUND = "mediation.enterprise_disputes_found"
RESOLVED = "mediation.enterprise_disputes_resolved"

pytestmark = BROWSER_MARKS


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "zhengfa2023")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def test_clerk_uploads_previews_and_commits_and_reads_the_bell(
    transactional_db, demo, live_server, browser_page, tmp_path
):
    page = browser_page
    base = live_server.url.replace("localhost", "127.0.0.1")
    ARTIFACTS.mkdir(exist_ok=True)
    reminders.send_deadline_reminders(today=datetime.date(2023, 8, 3))
    reminders.mark_overdue_reports(today=datetime.date(2023, 8, 6))
    justice = Department.objects.get(code="justice")
    template = services.template_for(department=justice, form=department_form(justice), year=2023)

    _login(page, base, "clerk_justice")
    # The bell: three unread notifications for the justice clerk: July was returned, in each of its two
    # forms (its own and 政法各单位月报), and one reminder naming them (not overdue: submitted in time).
    badge = page.locator("header .bell .badge")
    assert badge.inner_text() == "3"
    page.locator("header").screenshot(path=str(ARTIFACTS / "bell-header.png"))
    page.click("header .bell")
    page.wait_for_url(re.compile(r"/notifications/$"))
    assert "请在 08月05日 前上报 2023年07月 月报" in page.content()
    assert "2023年07月 月报被退回" in page.content()
    page.screenshot(path=str(ARTIFACTS / "notifications-list.png"), full_page=True)
    page.click("button:has-text('标为已读')")
    page.wait_for_url(re.compile(r"/notifications/$"))
    assert page.locator("header .bell .badge").count() == 0

    # A file with one approved month changed: refused, with the reason, and no confirm button.
    bad = tmp_path / "司法局-有误.xlsx"
    bad.write_bytes(edit(template, {cell(template, FOUND, 3): 999, cell(template, FOUND, 8): "约5"}))
    page.goto(f"{base}/imports/")
    page.screenshot(path=str(ARTIFACTS / "import-home.png"), full_page=True)
    page.set_input_files("input[type=file]", str(bad))
    page.click("button:has-text('上传并预览')")
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    assert "整个文件不能写入" in page.content() and "已审核锁定" in page.content()
    assert page.locator("text=确认写入").count() == 0
    page.screenshot(path=str(ARTIFACTS / "import-preview-refused.png"), full_page=True)

    # A good file: new and changed cells, a rule warning, then commit.
    good = tmp_path / "司法局-2023.xlsx"
    figures = edit(
        template, {cell(template, FOUND, 8): 12, cell(template, RESOLVED, 8): 15, cell(template, FOUND, 7): 30}
    )
    good.write_bytes(edit(figures, {cell(template, FOUND, 7): "七月集中排查"}, sheet=workbook.NOTES_TITLE))
    page.goto(f"{base}/imports/")
    page.set_input_files("input[type=file]", str(good))
    page.click("button:has-text('上传并预览')")
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    assert "确认写入 3 项" in page.content() and "不能大于" in page.content()
    page.screenshot(path=str(ARTIFACTS / "import-preview.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "import-preview-top.png"))
    page.click("button:has-text('确认写入 3 项')")
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    assert "已写入：新增 2 项，修改 1 项" in page.content()
    # The badges say what the banner says (not a comparison with the data just written).
    assert page.inner_text(".counts .st-new strong") == "2" and page.inner_text(".counts .st-changed strong") == "1"
    page.screenshot(path=str(ARTIFACTS / "import-committed.png"), full_page=True)
    august = DataValue.objects.get(department=justice, indicator__code=FOUND, month=datetime.date(2023, 8, 1))
    assert august.value == 12
    july = DataValue.objects.get(department=justice, indicator__code=FOUND, month=datetime.date(2023, 7, 1))
    assert (july.value, july.note) == (30, "七月集中排查")

    # 上报 for the months just written, one at a time through the workflow: July goes; August breaks a
    # cross-field rule (解决 15 > 排查 12) and stays a draft, with the reason.
    imported = page.locator("section.imported")
    assert imported.locator("tbody tr").count() == 2
    imported.locator("input[name=confirm_blanks]").first.check()
    imported.locator("button[name=month][value='2023-07']").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    assert "2023年7月已上报" in page.content()
    page.locator("section.imported input[name=confirm_blanks]").first.check()
    page.locator("section.imported button[name=month][value='2023-08']").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    assert "2023年8月未上报" in page.content()
    page.screenshot(path=str(ARTIFACTS / "import-submitted.png"), full_page=True)
    states = dict(
        MonthlyReport.objects.filter(
            department=justice, form__code="justice_monthly", month__year=2023, month__month__gte=7
        ).values_list("month__month", "state")
    )
    assert states == {7: ReportState.SUBMITTED, 8: ReportState.DRAFT}
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
