"""A clerk's 月度填报 list: every month due and not approved, the overdue ones first, oldest first."""

import datetime
import re

import pytest
from django.urls import reverse

from metrics.models import Department
from reports.reporting.models import MonthlyReport, ReportState
from reports.reporting.workflow import get_or_create_report
from tests.factories import department_form

pytestmark = pytest.mark.django_db


def _rows(client):
    """(month text, state text, overdue?) of each row of the clerk's list, in page order."""
    page = client.get(reverse("entry_list")).content.decode()
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        state = re.search(r'class="state state-(\w+)"', row).group(1)
        rows.append((cells[0].strip(), state, "tag-overdue" in row))
    return rows


def test_a_month_never_started_is_listed_once_overdue_whether_or_not_a_task_ran(client, login_as, settings):
    """The transport bureau never started July; no task made a row, and the list shows it, overdue, first."""
    settings.ZHENGFA_TODAY = datetime.date(2023, 10, 10)
    assert not MonthlyReport.objects.filter(department__code="transport", month__gte="2023-07-01").exists()
    login_as("clerk_transport")
    rows = _rows(client)
    assert rows[:3] == [
        ("2023年7月", ReportState.NOT_STARTED, True),
        ("2023年8月", ReportState.NOT_STARTED, True),
        ("2023年9月", ReportState.NOT_STARTED, True),
    ]
    assert "有 3 份月报已逾期未上报" in client.get(reverse("entry_list")).content.decode()
    # Approved months are not pending: only the recent ones are shown, as history, after what is due.
    assert [r for r in rows if r[1] == ReportState.APPROVED][0][0] == "2023年6月"
    assert "2022年1月" not in [r[0] for r in rows]


def test_the_month_now_due_is_listed_before_its_deadline_without_the_overdue_mark(client, login_as, settings):
    settings.ZHENGFA_TODAY = datetime.date(2023, 8, 3)
    login_as("clerk_transport")
    rows = _rows(client)
    assert rows[0] == ("2023年7月", ReportState.NOT_STARTED, False)
    assert "已逾期未上报" not in client.get(reverse("entry_list")).content.decode()


def test_overdue_months_come_first_oldest_first_then_what_can_still_be_entered(client, login_as, settings):
    """A draft of 2022 never submitted is overdue and heads the list; a returned report follows the overdue ones."""
    settings.ZHENGFA_TODAY = datetime.date(2023, 9, 10)
    justice = Department.objects.get(code="justice")
    old = get_or_create_report(department=justice, form=department_form(justice), month=datetime.date(2021, 11, 1))
    assert old.state == ReportState.NOT_STARTED
    login_as("clerk_justice")
    rows = _rows(client)
    # Its row is overdue; the months after it up to the approved ones are history, not listed (a gap
    # before the latest approved report is not due); then August 2023 of both its forms (its own and
    # 政法各单位月报).
    overdue = [("2021年11月", True), ("2023年8月", True), ("2023年8月", True)]
    assert [(m, late) for m, _s, late in rows[:3]] == overdue
    # Both forms' Julys were returned: not overdue (submitted in time), listed right after.
    assert rows[3:5] == [("2023年7月", ReportState.RETURNED, False)] * 2


def test_the_list_takes_the_same_queries_however_long_the_history(client, login_as, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.ZHENGFA_TODAY = datetime.date(2023, 12, 10)
    login_as("clerk_transport")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("entry_list")).status_code == 200
        return len(captured)

    before = queries()
    transport = Department.objects.get(code="transport")
    for month in range(1, 13):
        get_or_create_report(department=transport, form=department_form(transport), month=datetime.date(2020, month, 1))
    assert queries() == before
    listed = [m for m, _s, _late in _rows(client)]
    assert all(f"2020年{n}月" in listed for n in range(1, 13))  # every month of 2020 is listed


def test_gaps_in_history_before_the_latest_approved_report_are_not_listed_as_due(client, login_as, settings):
    """Approved reports with months missing between them (a historic import of past years): only the
    months after the latest approved one are due."""
    settings.ZHENGFA_TODAY = datetime.date(2023, 9, 10)
    justice = Department.objects.get(code="justice")
    gap = MonthlyReport.objects.filter(
        department=justice,
        form=department_form(justice),
        month__range=(datetime.date(2022, 3, 1), datetime.date(2022, 5, 1)),
    )
    assert gap.count() == 3
    gap.delete()
    login_as("clerk_justice")
    months = [m for m, _s, _late in _rows(client)]
    assert "2022年4月" not in months and "2023年8月" in months
