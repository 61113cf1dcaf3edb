"""催报: a reviewer reminds late departments from the grid or the queue; recorded, shown, never twice an hour."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from metrics.validation import has_control_characters
from reports.demo import JULY_TOWNS_DRAFT, JULY_TOWNS_NOT_STARTED
from reports.models import User
from reports.notifications.models import Notification, NotificationKind
from reports.reporting import chasing, checks, workflow
from reports.reporting.models import MonthlyReport, ReportAction, ReportChase
from tests.metrics.test_periods import HOSTILE

pytestmark = pytest.mark.django_db

JULY = datetime.date(2023, 7, 1)
# The demo's July reports never submitted, overdue once the deadline (5 August) has passed.
LATE = {"zfw", "petition", "emergency", "education", "transport", "market", *JULY_TOWNS_DRAFT, *JULY_TOWNS_NOT_STARTED}


@pytest.fixture
def august(settings, demo):
    """Live on 10 August 2023, after July's deadline; every demo user has an e-mail address."""
    settings.ZHENGFA_TODAY = datetime.date(2023, 8, 10)
    for user in User.objects.all():
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])


def _chase(client, **data):
    return client.post(reverse("report_chase"), {"month": "2023-07", **data}, follow=True)


def test_late_reports_are_the_overdue_ones(august):
    assert {r.department.code for r in chasing.late_reports(JULY)} == LATE
    assert [r.department.code for r in chasing.late_reports(JULY, form_code="town_monthly")] == [
        r.department.code for r in chasing.late_reports(JULY) if r.form.code == "town_monthly"
    ]


def test_chasing_one_late_report_tells_its_clerks_in_the_bell_and_by_mail(
    client, login_as, august, django_capture_on_commit_callbacks
):
    reviewer = login_as("reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        response = _chase(client, department="education", form="education_monthly", next=reverse("completeness"))
    assert "已催报 1 份月报：县教育和体育局（县教育和体育局月报）" in response.content.decode()
    report = MonthlyReport.objects.get(department__code="education", month=JULY)  # its row was made
    chase = ReportChase.objects.get()
    assert (chase.report, chase.user) == (report, reviewer)
    notice = Notification.objects.get(kind=NotificationKind.CHASED)
    assert notice.recipient.username == "clerk_education" and notice.chase == chase
    assert "催报" in notice.title and "2023年07月" in notice.body and notice.url == report.get_absolute_url()
    assert [m.to for m in mail.outbox] == [["clerk_education@example.gov.cn"]]
    assert "县教育和体育局" in mail.outbox[0].body
    # The time in the county's local time, as everywhere else on the page.
    assert f"{timezone.localtime(chase.at):%Y-%m-%d %H:%M}" in notice.body


def test_a_second_chase_within_the_hour_is_refused_and_says_so(
    client, login_as, august, django_capture_on_commit_callbacks
):
    login_as("reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        _chase(client, department="market", form="market_monthly")
        page = _chase(client, department="market", form="market_monthly").content.decode()
    assert "1 份月报一小时内已催报过，本次未重复发送：县市场监督管理局" in page
    assert ReportChase.objects.count() == 1
    assert Notification.objects.filter(kind=NotificationKind.CHASED).count() == 1
    assert len(mail.outbox) == 1


def test_a_chase_an_hour_later_goes_out_and_the_grid_counts_both(client, login_as, august):
    reviewer = login_as("reviewer")
    first = chasing.chase(user=reviewer, reports=chasing.late_reports(JULY, department_code="transport")).sent[0]
    report = first.report
    ReportChase.objects.filter(pk=first.pk).update(at=first.at - datetime.timedelta(minutes=61))
    outcome = chasing.chase(user=reviewer, reports=chasing.late_reports(JULY, department_code="transport"))
    assert len(outcome.sent) == 1 and not outcome.refused
    page = client.get(reverse("completeness")).content.decode()
    assert "已催报 ×2" in page
    assert report.chases.count() == 2


def test_chasing_every_late_report_of_a_month_in_one_click(
    client, login_as, august, django_capture_on_commit_callbacks
):
    login_as("reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        page = _chase(client).content.decode()
    assert f"已催报 {len(LATE)} 份月报" in page
    chased = set(ReportChase.objects.values_list("report__department__code", flat=True))
    assert chased == LATE
    told = set(
        Notification.objects.filter(kind=NotificationKind.CHASED).values_list("recipient__department__code", flat=True)
    )
    assert told == LATE
    # The queue shows July's late reports with their marks.
    queue = client.get(reverse("review_queue")).content.decode()
    assert "2023年7月 逾期未报" in queue and queue.count("已催报 ×1") == len(LATE)


def test_a_report_on_time_is_not_chased(client, login_as, august):
    login_as("reviewer")
    page = _chase(client, department="police", form="police_monthly").content.decode()
    assert "2023年07月 没有逾期未报的月报，未发送催报。" in page
    assert not ReportChase.objects.exists()


@pytest.mark.parametrize("month", [*HOSTILE, "x" * 5000])
def test_hostile_months_are_refused_with_a_message(client, login_as, august, month):
    login_as("reviewer")
    response = client.post(reverse("report_chase"), {"month": month, "form": "\x00" * 3}, follow=True)
    assert response.status_code == 200
    assert not ReportChase.objects.exists()
    # A control character in an address is refused before any view (zhengfa.inputs): 400, in Chinese.
    queue = client.get(reverse("review_queue"), {"late": month})
    assert queue.status_code == (400 if has_control_characters(month) else 200)
    assert "月" in queue.content.decode() or "字符" in queue.content.decode()


@pytest.mark.parametrize("username", ["leader", "clerk_education"])
def test_only_reviewers_chase(client, login_as, august, username):
    login_as(username)
    assert _chase(client).status_code == 403
    assert not ReportChase.objects.exists()


def test_the_grid_footnote_speaks_to_county_staff(client, login_as, august):
    login_as("leader")
    page = client.get(reverse("completeness")).content.decode()
    assert "DHIS2" not in page and "口径" not in page
    assert "报送率 = 实报 ÷ 应报" in page
    assert "一键催报" not in page and "催报</button>" not in page  # leaders read, never chase


def test_a_report_submitted_since_the_page_was_shown_is_not_chased(august, demo):
    late = chasing.late_reports(JULY, department_code="zfw")
    clerk = User.objects.get(username="clerk_zfw")
    report = late[0]
    blanks = [i.code for i in checks.blank_indicators(report)]
    workflow.perform(ReportAction.SUBMIT, report=report, user=clerk, confirmed_blanks=blanks)
    outcome = chasing.chase(user=User.objects.get(username="reviewer"), reports=late)
    assert not outcome.sent and not outcome.refused
    assert not ReportChase.objects.exists()
