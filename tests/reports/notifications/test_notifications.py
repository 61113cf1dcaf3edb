"""Deadline reminders, overdue marking, notifications under the bell and by e-mail."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from metrics.models import Department
from reports.demo import JULY_TOWNS_DRAFT, JULY_TOWNS_NOT_STARTED
from reports.models import User
from reports.notifications import reminders, services, tasks, transitions
from reports.notifications.models import Notification, NotificationKind
from reports.reporting import workflow
from reports.reporting.models import MonthlyReport, ReportAction, ReportState
from reports.reporting.workflow import get_or_create_report

pytestmark = pytest.mark.django_db

# The demo's July 2023: court, procuratorate, police, cac submitted; justice returned;
# zfw, petition, emergency drafts; education, transport, market not started. Due 2023-08-05.
JULY = datetime.date(2023, 7, 1)
AUGUST = datetime.date(2023, 8, 1)
NOT_SUBMITTED = {"justice", "zfw", "petition", "emergency", "education", "transport", "market"} | {
    *JULY_TOWNS_DRAFT,
    *JULY_TOWNS_NOT_STARTED,
}
NEVER_SUBMITTED = NOT_SUBMITTED - {"justice"}


@pytest.fixture
def emails(demo):
    """Give every demo user an address so that e-mails go out (locmem backend in tests)."""
    for user in User.objects.all():
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])


@pytest.fixture
def unreminded(demo):
    """Take back the reminders load_demo sent on the demo's day (3 August): these tests send them."""
    Notification.objects.filter(kind=NotificationKind.REMINDER).delete()


def reminded_departments(notifications):
    return {n.department.code for n in notifications}


def test_reminders_go_to_departments_not_submitted_a_few_days_before_the_deadline(
    demo, unreminded, emails, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_DEADLINE_DAY = 5
    settings.REPORT_REMINDER_DAYS = 3
    assert reminders.send_deadline_reminders(today=datetime.date(2023, 8, 1)) == []  # 4 days before: too early
    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders.send_deadline_reminders(today=datetime.date(2023, 8, 2))
    assert reminded_departments(sent) == NOT_SUBMITTED
    assert all(n.kind == NotificationKind.REMINDER and n.month == JULY for n in sent)
    assert {n.recipient.username for n in sent} == {f"clerk_{code}" for code in NOT_SUBMITTED}
    assert "08月05日" in sent[0].title
    assert len(mail.outbox) == len(sent)
    assert mail.outbox[0].to[0].endswith("@example.gov.cn") and "月报" in mail.outbox[0].subject
    # On the deadline day itself it is no longer "before" the deadline.
    assert reminders.send_deadline_reminders(today=datetime.date(2023, 8, 5)) == []


def test_running_the_reminder_twice_sends_nothing_twice(demo, unreminded, emails, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.send_deadline_reminders(today=datetime.date(2023, 8, 3))
    assert first and len(mail.outbox) == len(first)
    count, outbox = Notification.objects.count(), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert reminders.send_deadline_reminders(today=datetime.date(2023, 8, 3)) == []
        assert reminders.send_deadline_reminders(today=datetime.date(2023, 8, 4)) == []  # the next day, too
    assert callbacks == []
    assert (Notification.objects.count(), len(mail.outbox)) == (count, outbox)


def test_after_the_deadline_reports_are_marked_overdue_and_reviewers_told(
    demo, emails, django_capture_on_commit_callbacks
):
    assert reminders.mark_overdue_reports(today=datetime.date(2023, 8, 5)) == []  # the deadline day: still in time
    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders.mark_overdue_reports(today=datetime.date(2023, 8, 6))
    assert len(mail.outbox) == len(sent) == len(NEVER_SUBMITTED) + 2  # the clerks, the reviewer and admin
    overdue = MonthlyReport.objects.filter(month=JULY, overdue_at__isnull=False)
    assert {r.department.code for r in overdue} == NEVER_SUBMITTED
    # Departments with no report at all got a 未填报 row to carry the mark.
    assert overdue.get(department__code="education").state == ReportState.NOT_STARTED
    clerks = [n for n in sent if n.kind == NotificationKind.OVERDUE]
    assert reminded_departments(clerks) == NEVER_SUBMITTED
    summaries = [n for n in sent if n.kind == NotificationKind.OVERDUE_SUMMARY]
    assert {n.recipient.username for n in summaries} == {"reviewer", "admin"}
    assert all("县教育和体育局" in n.body and "县公安局" not in n.body for n in summaries)
    assert f"逾期单位 {len(NEVER_SUBMITTED)} 个" in summaries[0].title

    marked = dict(overdue.values_list("pk", "overdue_at"))
    outbox = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.mark_overdue_reports(today=datetime.date(2023, 8, 6)) == []
        assert reminders.mark_overdue_reports(today=datetime.date(2023, 8, 20)) == []
    assert dict(MonthlyReport.objects.filter(overdue_at__isnull=False).values_list("pk", "overdue_at")) == marked
    assert len(mail.outbox) == outbox


def test_the_tasks_take_a_date_and_call_the_services(demo, unreminded):
    """Tasks run in-process without a broker; they return how many notifications were new."""
    assert tasks.send_deadline_reminders.delay("2023-08-03").get() == len(NOT_SUBMITTED)
    assert tasks.send_deadline_reminders.delay("2023-08-03").get() == 0
    assert tasks.mark_overdue_reports.delay("2023-08-06").get() == len(NEVER_SUBMITTED) + 2
    assert tasks.mark_overdue_reports.delay("2023-08-06").get() == 0


def test_beat_schedules_the_reminder_tasks(settings):
    from zhengfa.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "reports.notifications.tasks.send_deadline_reminders",
        "reports.notifications.tasks.mark_overdue_reports",
    } <= scheduled
    app.loader.import_default_modules()
    assert scheduled <= set(app.tasks)


def test_notify_is_idempotent_and_a_failed_email_is_retried(
    demo, emails, monkeypatch, django_capture_on_commit_callbacks
):
    Notification.objects.all().delete()  # the demo's own notices would be e-mailed too
    clerk = User.objects.get(username="clerk_police")
    police = Department.objects.get(code="police")
    key = {"kind": NotificationKind.REMINDER, "recipient": clerk, "department": police, "month": JULY}

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(services, "send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        notification, created = services.notify(**key, title="提醒")
    assert created and Notification.objects.get(pk=notification.pk).emailed_at is None
    again, created = services.notify(**key, title="提醒")
    assert not created and again.pk == notification.pk
    monkeypatch.undo()
    assert services.send_pending_emails() == 1
    assert services.send_pending_emails() == 0
    assert len(mail.outbox) == 1


def test_county_wide_notifications_are_unique_too(demo):
    """A notification without a department (the reviewers' list) is also created once per month and recipient."""
    from django.db import IntegrityError, transaction

    reviewer = User.objects.get(username="reviewer")
    Notification.objects.create(kind=NotificationKind.OVERDUE_SUMMARY, recipient=reviewer, month=JULY, title="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(kind=NotificationKind.OVERDUE_SUMMARY, recipient=reviewer, month=JULY, title="b")


# --- the bell and the list ---------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_and_the_list_marks_read(client, login_as):
    clerk = login_as("clerk_education")
    reminders.send_deadline_reminders(today=datetime.date(2023, 8, 3))
    reminders.mark_overdue_reports(today=datetime.date(2023, 8, 6))
    assert Notification.objects.filter(recipient=clerk).count() == 2

    page = client.get(reverse("home")).content.decode()
    assert 'class="badge">2<' in page and "通知，2 条未读" in page

    page = client.get(reverse("notification_list")).content.decode()
    assert "2023年07月 月报已逾期" in page and "截止提醒" in page and "全部标为已读" in page

    newest = Notification.objects.filter(recipient=clerk).first()
    response = client.post(reverse("notification_mark_read"), {"id": newest.pk, "next": newest.url})
    assert response.status_code == 302 and response["Location"] == newest.url
    assert 'class="badge">1<' in client.get(reverse("home")).content.decode()

    client.post(reverse("notification_mark_read"))
    page = client.get(reverse("home")).content.decode()
    assert 'class="badge"' not in page and "通知，0 条未读" in page


def test_nobody_marks_or_reads_someone_elses_notifications(client, login_as):
    reminders.send_deadline_reminders(today=datetime.date(2023, 8, 3))
    theirs = Notification.objects.get(recipient__username="clerk_market")
    login_as("clerk_police")  # police submitted July: no reminder of their own
    client.post(reverse("notification_mark_read"), {"id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = client.get(reverse("notification_list")).content.decode()
    assert "暂无通知" in page and "县市场监督管理局" not in page.split("<main")[1]


def test_notifications_lead_to_the_page_to_act_on(demo):
    """A clerk's reminder opens the month's entry form; the reviewers' list opens the completeness grid."""
    reminders.send_deadline_reminders(today=datetime.date(2023, 8, 3))
    reminders.mark_overdue_reports(today=datetime.date(2023, 8, 6))
    reminder = Notification.objects.get(kind=NotificationKind.REMINDER, department__code="education")
    assert reminder.url == reverse(
        "report_entry", kwargs={"department": "education", "form": "education_monthly", "year": 2023, "month": 7}
    )
    summary = Notification.objects.get(kind=NotificationKind.OVERDUE_SUMMARY, recipient__username="reviewer")
    assert summary.url == reverse("completeness") + "?start=2023-07&end=2023-07"


def test_administrators_read_notifications_and_import_batches_in_the_admin(client, login_as):
    reminders.send_deadline_reminders(today=datetime.date(2023, 8, 3))
    login_as("admin")
    page = client.get(reverse("admin:reports_notification_changelist")).content.decode()
    assert "请在 08月05日 前上报 2023年07月 月报" in page
    assert client.get(reverse("admin:reports_importbatch_changelist")).status_code == 200
    assert client.get(reverse("admin:reports_notification_add")).status_code == 403


# --- notices of the workflow's transitions ------------------------------------------------


@pytest.fixture
def addressed(unit):
    """The workflow unit with an e-mail address for everyone in it (the demo's users have none)."""
    Notification.objects.all().delete()
    for key in ("clerk", "other_clerk", "reviewer", "leader", "admin"):
        unit[key].email = f"{unit[key].username}@example.gov.cn"
        unit[key].save(update_fields=["email"])
    return unit


def _act(unit, action, who, capture, **kwargs):
    report = get_or_create_report(department=unit["department"], form=unit["form"], month=AUGUST)
    with capture(execute=True):
        workflow.perform(action, report=report, user=unit[who], **kwargs)
    return report


GOOD = {"t.received": Decimal(12), "t.concluded": Decimal(10), "t.money": Decimal("3.5"), "t.rate": Decimal("98.5")}


@pytest.mark.parametrize(
    "steps,told,kind,text",
    [
        ([], {"t_reviewer", "t_admin"}, NotificationKind.SUBMITTED, "待审核"),
        (
            [(ReportAction.RETURN, "reviewer", {"reason": "执结数请核实"})],
            {"t_clerk"},
            NotificationKind.RETURNED,
            "执结数请核实",
        ),
        ([(ReportAction.APPROVE, "reviewer", {})], {"t_clerk"}, NotificationKind.APPROVED, "审核通过"),
        (
            [(ReportAction.APPROVE, "reviewer", {}), (ReportAction.REOPEN, "admin", {"reason": "更正受理数"})],
            {"t_clerk"},
            NotificationKind.REOPENED,
            "更正受理数",
        ),
    ],
)
def test_each_transition_tells_the_right_people_in_the_bell_and_by_email(
    addressed, django_capture_on_commit_callbacks, steps, told, kind, text
):
    unit = addressed
    _act(unit, ReportAction.SAVE, "clerk", django_capture_on_commit_callbacks, values=GOOD)
    _act(unit, ReportAction.SUBMIT, "clerk", django_capture_on_commit_callbacks)
    for action, who, kwargs in steps:
        mail.outbox.clear()
        Notification.objects.all().delete()
        _act(unit, action, who, django_capture_on_commit_callbacks, **kwargs)
    notices = list(Notification.objects.select_related("recipient", "event"))
    # The actor is never told of their own action (the admin reopened: the admin is not told).
    # Every active reviewer is told of a submission: the demo's too, who have no address.
    if kind == NotificationKind.SUBMITTED:
        told = told | set(
            User.objects.filter(role__in=["reviewer", "admin"], email="").values_list("username", flat=True)
        )
    assert {n.recipient.username for n in notices} == told
    assert {n.kind for n in notices} == {kind}
    assert all(text in n.title + n.body for n in notices)
    assert all(n.department == unit["department"] and n.month == AUGUST and n.event is not None for n in notices)
    assert all(n.url.endswith("/reports/testcourt/testcourt_monthly/2023/8/") for n in notices)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"{u}@example.gov.cn" for u in told if u.startswith("t_"))
    assert all(m.subject == notices[0].title for m in mail.outbox)


def test_a_report_returned_twice_tells_the_clerk_twice_and_a_retried_task_once(
    addressed, django_capture_on_commit_callbacks
):
    unit = addressed
    _act(unit, ReportAction.SAVE, "clerk", django_capture_on_commit_callbacks, values=GOOD)
    for reason in ("第一次退回", "第二次退回"):
        _act(unit, ReportAction.SUBMIT, "clerk", django_capture_on_commit_callbacks)
        report = _act(unit, ReportAction.RETURN, "reviewer", django_capture_on_commit_callbacks, reason=reason)
    returned = Notification.objects.filter(kind=NotificationKind.RETURNED, recipient=unit["clerk"])
    assert sorted(n.body[-5:] for n in returned) == ["第一次退回", "第二次退回"]
    last = report.events.order_by("-pk").first()
    assert transitions.notify_transition(event_id=last.pk) == []  # a retried task sends nothing again
    assert returned.count() == 2


def test_saves_and_withdrawals_tell_nobody(addressed, django_capture_on_commit_callbacks):
    unit = addressed
    _act(unit, ReportAction.SAVE, "clerk", django_capture_on_commit_callbacks, values=GOOD)
    assert not Notification.objects.exists()
    _act(unit, ReportAction.SUBMIT, "clerk", django_capture_on_commit_callbacks)
    Notification.objects.all().delete()
    _act(unit, ReportAction.WITHDRAW, "clerk", django_capture_on_commit_callbacks)
    assert not Notification.objects.exists()


def test_a_rolled_back_transition_tells_nobody(addressed, django_capture_on_commit_callbacks):
    unit = addressed
    _act(unit, ReportAction.SAVE, "clerk", django_capture_on_commit_callbacks, values=GOOD)
    report = get_or_create_report(department=unit["department"], form=unit["form"], month=AUGUST)
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        workflow.perform(ReportAction.SUBMIT, report=report, user=unit["clerk"])
        raise RuntimeError("the request failed after the submission")
    assert callbacks == [] and not Notification.objects.exists()
