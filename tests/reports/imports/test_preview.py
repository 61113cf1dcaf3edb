"""The import preview: cells in reading order, counts that agree after 确认写入, 上报 for the months written."""

import datetime
import re

import pytest
from django.urls import reverse

from metrics.models import Department
from reports.imports import services
from reports.imports.models import ImportBatch
from reports.models import User
from reports.reporting.models import MonthlyReport, ReportEvent, ReportState
from tests.factories import department_form
from tests.reports.imports.helpers import cell, edit
from tests.reports.imports.test_views import FOUND, xlsx

pytestmark = pytest.mark.django_db

RESOLVED = "mediation.enterprise_disputes_resolved"
AUGUST, SEPTEMBER = datetime.date(2023, 8, 1), datetime.date(2023, 9, 1)


@pytest.fixture
def template(demo):
    justice = Department.objects.get(code="justice")
    return services.template_for(department=justice, form=department_form(justice), year=2023)


def _upload(client, data):
    response = client.post(reverse("import_upload"), {"file": xlsx(data)})
    assert response.status_code == 302, response.content.decode()[:500]
    return ImportBatch.objects.latest("pk")


def _commit(client, batch):
    plan = services.plan_batch(batch=batch, user=User.objects.get(username="clerk_justice"))
    return client.post(reverse("import_commit", args=[batch.pk]), {"fingerprint": plan.fingerprint}, follow=True)


def test_cells_sort_in_reading_order_k5_before_k10():
    assert sorted(["K10", "K5", "AA3", "L1", "K9"], key=services.cell_order) == ["K5", "K9", "K10", "L1", "AA3"]


def test_the_preview_lists_a_months_cells_row_by_row(client, login_as, template):
    """Eleven new figures in September, rows 5 to 15: the page lists K5 … K15, not K10 before K5."""
    login_as("clerk_justice")
    coordinates = [f"L{row}" for row in range(5, 16)]
    batch = _upload(client, edit(template, dict.fromkeys(coordinates, 1)))
    page = client.get(reverse("import_preview", args=[batch.pk])).content.decode()
    shown = re.findall(r'<tr class="st-new">\s*<td>.*?</td>\s*<td>(L\d+)</td>', page, re.S)
    assert shown == [c for c in coordinates if c in shown] and len(shown) >= 10


def test_after_commit_the_badges_say_what_the_banner_says(client, login_as, template):
    login_as("clerk_justice")
    batch = _upload(client, edit(template, {cell(template, FOUND, 8): 21, cell(template, RESOLVED, 8): 20}))
    page = _commit(client, batch).content.decode()
    assert "已写入：新增 2 项，修改 0 项（1 个月）" in page
    badges = dict(re.findall(r'<li class="st-(\w+)">\S+ <strong>(\d+)</strong></li>', page))
    assert badges["new"] == "2" and badges["changed"] == "0" and badges["refused"] == "0"
    # The cells below compare the file with the data now: all of them unchanged.
    assert '<tr class="st-new">' not in page.split('<details class="unchanged">')[0]


def test_the_months_just_imported_can_be_submitted_each_through_the_workflow(client, login_as, template):
    clerk = login_as("clerk_justice")
    data = edit(template, {cell(template, FOUND, 8): 21, cell(template, FOUND, 9): 22})
    batch = _upload(client, data)
    page = _commit(client, batch).content.decode()
    assert "写入的月份" in page and page.count('name="month" value="2023-0') >= 2
    assert "逐月上报全部 2 个月" in page
    reports = MonthlyReport.objects.filter(department__code="justice", form__code="justice_monthly")
    august = reports.get(month=AUGUST)
    # Empty boxes must be confirmed, as on the form: without the box ticked nothing is submitted.
    response = client.post(
        reverse("import_submit", args=[batch.pk]), {"month": "2023-08", "version-2023-08": august.version}, follow=True
    )
    assert "2023年8月未上报" in response.content.decode()
    assert reports.get(month=AUGUST).state == ReportState.DRAFT
    # Both months, ticked: two SUBMIT actions, one event each, by the clerk.
    september = reports.get(month=SEPTEMBER)
    response = client.post(
        reverse("import_submit", args=[batch.pk]),
        {
            "month": "all",
            "every": ["2023-08", "2023-09"],
            "version-2023-08": august.version,
            "version-2023-09": september.version,
            "confirm_blanks": "1",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "2023年8月已上报" in page and "2023年9月已上报" in page
    assert {r.month: r.state for r in reports.filter(month__in=[AUGUST, SEPTEMBER])} == {
        AUGUST: ReportState.SUBMITTED,
        SEPTEMBER: ReportState.SUBMITTED,
    }
    events = ReportEvent.objects.filter(report__in=reports.filter(month__in=[AUGUST, SEPTEMBER]), action="submit")
    assert events.count() == 2 and {e.user for e in events} == {clerk}
    assert 'value="2023-08" class="primary"' not in page  # submitted: nothing more to offer


def test_submit_refuses_a_month_the_file_did_not_write_and_a_stale_version(client, login_as, template):
    login_as("clerk_justice")
    batch = _upload(client, edit(template, {cell(template, FOUND, 8): 21}))
    _commit(client, batch)
    july = MonthlyReport.objects.get(department__code="justice", form__code="justice_monthly", month="2023-07-01")
    response = client.post(
        reverse("import_submit", args=[batch.pk]),
        {"month": "2023-07", "version-2023-07": july.version, "confirm_blanks": "1"},
        follow=True,
    )
    assert "不是这个文件写入的月份" in response.content.decode()
    assert MonthlyReport.objects.get(pk=july.pk).state == july.state
    august = MonthlyReport.objects.get(department__code="justice", form__code="justice_monthly", month=AUGUST)
    response = client.post(
        reverse("import_submit", args=[batch.pk]),
        {"month": "2023-08", "version-2023-08": august.version - 1, "confirm_blanks": "1"},
        follow=True,
    )
    assert "2023年8月未上报" in response.content.decode()
    assert MonthlyReport.objects.get(pk=august.pk).state == ReportState.DRAFT
    for hostile in ("2023-13", "\x00", "9999-01", "²"):
        response = client.post(reverse("import_submit", args=[batch.pk]), {"month": hostile}, follow=True)
        assert response.status_code == 200
    assert MonthlyReport.objects.get(pk=august.pk).state == ReportState.DRAFT


def test_a_reviewer_who_imported_is_not_offered_submit(client, login_as, template):
    """Submitting is the department's (the workflow's table): a reviewer's import offers no 上报."""
    login_as("reviewer")
    batch = _upload(client, edit(template, {cell(template, FOUND, 8): 21}))
    page = client.post(
        reverse("import_commit", args=[batch.pk]),
        {"fingerprint": services.plan_batch(batch=batch, user=User.objects.get(username="reviewer")).fingerprint},
        follow=True,
    ).content.decode()
    assert "写入的月份" in page and "逐月上报全部" not in page and 'class="primary">上报<' not in page
