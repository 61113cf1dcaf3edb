"""The demo lives on 3 August 2023 (DEMO_TODAY): its calendar, its bell and the pin itself."""

import datetime
import io
import os
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from metrics import periods
from reports.demo import DEMO_TODAY, JULY
from reports.notifications.models import Notification, NotificationKind
from reports.reporting.models import MonthlyReport, ReportState

pytestmark = pytest.mark.django_db


@pytest.fixture
def pinned(settings):
    settings.ZHENGFA_TODAY = DEMO_TODAY
    return DEMO_TODAY


def test_rundemo_pins_the_demo_day_for_its_server_and_its_children(settings, monkeypatch):
    from reports.management.commands.rundemo import pin_demo_today

    settings.ZHENGFA_TODAY = None
    monkeypatch.delenv("ZHENGFA_TODAY", raising=False)
    pin_demo_today()
    assert periods.today() == datetime.date(2023, 8, 3)
    assert os.environ["ZHENGFA_TODAY"] == "2023-08-03"
    # A day given in the environment is kept.
    settings.ZHENGFA_TODAY = datetime.date(2023, 9, 1)
    pin_demo_today()
    assert os.environ["ZHENGFA_TODAY"] == "2023-09-01" and periods.today() == datetime.date(2023, 9, 1)


def test_rundemo_refuses_production(settings):
    settings.ZHENGFA_ENV = "production"
    settings.ZHENGFA_TODAY = None
    with pytest.raises(CommandError, match="生产环境"):
        call_command("rundemo", stdout=io.StringIO())
    assert settings.ZHENGFA_TODAY is None


def test_load_demo_rang_the_bell_on_the_demo_day(demo):
    """The reminders of 3 August went to the clerks of every department that has not submitted July."""
    reminders = Notification.objects.filter(kind=NotificationKind.REMINDER, month=JULY)
    assert {n.recipient.username for n in reminders} >= {"clerk_transport", "clerk_justice", "clerk_guanyin"}
    assert not reminders.filter(recipient__username="clerk_police").exists()  # submitted on 2 August
    assert {timezone.localtime(n.created_at).date() for n in reminders} == {DEMO_TODAY}
    assert all("08月05日" in n.title for n in reminders)
    # The reviewer's bell holds July's submissions, dated when they were made, none after the demo's day.
    submitted = Notification.objects.filter(kind="submitted", recipient__username="reviewer")
    assert submitted.count() > 30
    assert max(timezone.localtime(n.created_at).date() for n in submitted) <= DEMO_TODAY
    # Nothing is overdue yet on 3 August, so the overdue task marked nothing.
    assert not MonthlyReport.objects.filter(overdue_at__isnull=False).exists()
    # A second load sends nothing twice.
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "演示日期：2023年8月3日（催报提醒与逾期检查已运行，新增通知 0 条）" in out.getvalue()
    assert Notification.objects.filter(kind=NotificationKind.REMINDER, month=JULY).count() == reminders.count()


def test_nothing_in_the_demo_happened_after_its_day(demo):
    latest = MonthlyReport.objects.exclude(submitted_at=None).order_by("-submitted_at").first()
    assert timezone.localtime(latest.submitted_at).date() <= DEMO_TODAY
    from reports.reporting.models import ReportEvent

    assert timezone.localtime(ReportEvent.objects.latest("at").at).date() <= DEMO_TODAY


def test_the_header_shows_the_demo_day_only_when_pinned(client, login_as, settings):
    login_as("clerk_police")
    settings.ZHENGFA_TODAY = None
    assert "演示日期" not in client.get(reverse("entry_list")).content.decode()
    settings.ZHENGFA_TODAY = DEMO_TODAY
    page = client.get(reverse("entry_list")).content.decode()
    assert re.search(r'class="demo-date"[^>]*>演示日期 2023年8月3日<', page)
    client.logout()
    assert "演示日期 2023年8月3日" in client.get(reverse("login")).content.decode()


def test_on_the_demo_day_the_clerk_is_due_july_before_its_deadline(client, login_as, pinned):
    login_as("clerk_transport")
    page = client.get(reverse("entry_list")).content.decode()
    first = page.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "2023年7月" in first and "2023年8月5日" in first and "逾期" not in first
    assert 'max="2023-08"' in page  # the month picker stops at the demo's month
    entry = client.get(reverse("report_entry", args=["transport", "transport_monthly", 2023, 7])).content.decode()
    assert "2023年6月" in entry and "2022年7月" in entry  # 上月 and 去年同月 are columns with figures
    assert "逾期" not in entry


def test_a_report_submitted_on_the_demo_day_is_on_time(client, login_as, pinned):
    from reports.reporting import checks, workflow
    from reports.reporting.models import ReportAction

    clerk = login_as("clerk_zfw")
    report = MonthlyReport.objects.get(department__code="zfw", form__code="zfw_monthly", month=JULY)
    blanks = [i.code for i in checks.blank_indicators(report)]
    workflow.perform(ReportAction.SUBMIT, report=report, user=clerk, confirmed_blanks=blanks)
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert timezone.localtime(report.first_submitted_at).date() == DEMO_TODAY
    assert not report.submitted_late and not report.is_late()


def test_late_submissions_of_the_demo_are_in_the_past(demo, pinned):
    """On 3 August no July report can be late yet; the 县委网信办's June report was (7 July)."""
    july = MonthlyReport.objects.filter(month=JULY).select_related("form")
    assert not any(r.is_late() for r in july)
    june = MonthlyReport.objects.get(department__code="cac", form__code="cac_monthly", month=datetime.date(2023, 6, 1))
    assert june.submitted_late and june.state == ReportState.APPROVED


def test_the_tables_quick_picks_read_as_in_august_2023(client, login_as, pinned):
    login_as("reviewer")
    page = client.get(reverse("summary_table")).content.decode()
    assert "本半年（2023年上半年）" in page and "上一个半年（2022年下半年）" in page


def test_completeness_on_the_demo_day_marks_nothing_overdue(client, login_as, pinned):
    login_as("reviewer")
    page = client.get(reverse("completeness")).content.decode()
    assert "2023-07" in page or "2023年7月" in page
    assert "is-overdue" not in page
