"""Deadline reminders and overdue notices for the monthly reports (run daily by Celery beat).

The month concerned on a given day is the previous one: each form's report is
due on the form's deadline day of this month (MonthlyReport.deadline_of).

- `send_deadline_reminders(today=)`: from REPORT_REMINDER_DAYS days before a
  form's deadline up to the day before it, the clerks of every department with
  a report of it not submitted (未填报, 草稿, 已退回) get one reminder a month.
- `mark_overdue_reports(today=)`: once a form's deadline has passed, every
  report of it never submitted is marked overdue (`MonthlyReport.overdue_at`):
  its clerks are told, and every reviewer gets one list of the overdue
  departments.

Both are idempotent: notifications are unique per (kind, department, month,
recipient), so running a task twice, or every day, sends nothing twice.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from metrics import periods
from metrics.periods import last_month_over
from reports.notifications.models import NotificationKind
from reports.notifications.services import notify
from reports.permissions import users_who_may_review, users_who_report_for
from reports.reporting import selectors, workflow
from reports.reporting.models import REPORTED_STATES, MonthlyReport, entry_url


def _clerks(departments):
    clerks = {}
    for user in users_who_report_for(departments).order_by("pk"):
        clerks.setdefault(user.department_id, []).append(user)
    return clerks


def _reviewers():
    return list(users_who_may_review().order_by("pk"))


def _completeness_url(month):
    return f"{reverse('completeness')}?start={month:%Y-%m}&end={month:%Y-%m}"


def _reports_by_department(month, keep):
    """{department: [report]} of the month's reports (unsaved 未填报 ones where a line has none) that
    `keep(report)` accepts, in department and form order; one query for the reports."""
    lines = selectors.reporting_lines()
    stored = {
        (r.department_id, r.form_id): r
        for r in MonthlyReport.objects.filter(month=month, department__in={line.department.pk for line in lines})
    }
    kept = {}
    for line in lines:
        report = stored.get(line.key) or MonthlyReport(department=line.department, form=line.form, month=month)
        report.form = line.form  # the snapshot's form: no query for the deadline
        if keep(report):
            kept.setdefault(line.department, []).append(report)
    return kept


def _forms_text(reports):
    return "、".join(report.form.name for report in reports)


@transaction.atomic
def send_deadline_reminders(*, today=None):
    """Remind clerks of reports not yet submitted, a few days before each form's deadline; the new notifications.

    One reminder per department and month, naming its forms still to report.
    """
    today = today or periods.today()
    month = last_month_over(today)
    waiting = _reports_by_department(
        month,
        lambda report: (
            report.state not in REPORTED_STATES and 1 <= (report.deadline - today).days <= settings.REPORT_REMINDER_DAYS
        ),
    )
    clerks = _clerks(list(waiting))
    created = []
    for department, pending in waiting.items():
        first = min(pending, key=lambda report: report.deadline)
        form, deadline = first.form, first.deadline
        for clerk in clerks.get(department.pk, []):
            notification, new = notify(
                kind=NotificationKind.REMINDER,
                recipient=clerk,
                department=department,
                month=month,
                title=_("请在 %(deadline)s 前上报 %(month)s 月报")
                % {"deadline": f"{deadline:%m月%d日}", "month": f"{month:%Y年%m月}"},
                body=_(
                    "%(department)s %(month)s 的月报（%(forms)s）尚未上报，截止日期为 %(deadline)s"
                    "（还有 %(days)d 天）。请尽快填写并上报。"
                )
                % {
                    "department": department.name,
                    "month": f"{month:%Y年%m月}",
                    "forms": _forms_text(pending),
                    "deadline": f"{deadline:%Y年%m月%d日}",
                    "days": (deadline - today).days,
                },
                url=entry_url(department, form, month),
            )
            if new:
                created.append(notification)
    return created


@transaction.atomic
def mark_overdue_reports(*, today=None):
    """After each form's deadline: mark its unsubmitted reports overdue, tell clerks and reviewers;
    the new notifications (one per department and month for clerks, one list for each reviewer)."""
    today = today or periods.today()
    month = last_month_over(today)
    # MonthlyReport.is_overdue decides: past the form's deadline and never submitted (a report submitted
    # in time and returned afterwards is late to come back, not overdue).
    overdue = _reports_by_department(month, lambda report: report.is_overdue(today))
    if not overdue:
        return []
    workflow.mark_overdue(
        month=month, lines=[selectors.Line(r.department, r.form) for p in overdue.values() for r in p]
    )
    created = []
    clerks = _clerks(list(overdue))
    month_text = f"{month:%Y年%m月}"
    for department, pending in overdue.items():
        form, deadline = pending[0].form, pending[0].deadline
        for clerk in clerks.get(department.pk, []):
            notification, new = notify(
                kind=NotificationKind.OVERDUE,
                recipient=clerk,
                department=department,
                month=month,
                title=_("%(month)s 月报已逾期") % {"month": month_text},
                body=_(
                    "%(department)s %(month)s 的月报（%(forms)s）在截止日期 %(deadline)s 前未上报，已记为逾期。"
                    "请尽快填写并上报。"
                )
                % {
                    "department": department.name,
                    "month": month_text,
                    "forms": _forms_text(pending),
                    "deadline": f"{deadline:%Y年%m月%d日}",
                },
                url=entry_url(department, form, month),
            )
            if new:
                created.append(notification)
    names = "、".join(
        department.name if len(pending) == 1 else f"{department.name}（{_forms_text(pending)}）"
        for department, pending in overdue.items()
    )
    latest = max(report.deadline for pending in overdue.values() for report in pending)
    for reviewer in _reviewers():
        notification, new = notify(
            kind=NotificationKind.OVERDUE_SUMMARY,
            recipient=reviewer,
            month=month,
            title=_("%(month)s 月报逾期单位 %(n)d 个") % {"month": month_text, "n": len(overdue)},
            body=_("截至 %(deadline)s，以下单位未上报 %(month)s 月报：%(names)s。")
            % {"deadline": f"{latest:%Y年%m月%d日}", "month": month_text, "names": names},
            url=_completeness_url(month),
        )
        if new:
            created.append(notification)
    return created


def parse_day(text):
    """A task's `today` argument (ISO date string, or None for today)."""
    return datetime.date.fromisoformat(text) if text else None
