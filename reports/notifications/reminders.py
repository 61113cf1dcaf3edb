"""Deadline reminders and overdue notices for the monthly reports (run daily by Celery beat).

The month concerned on a given day is the previous one: its report is due on
day REPORT_DEADLINE_DAY of this month (MonthlyReport.deadline_of).

- `send_deadline_reminders(today=)`: from REPORT_REMINDER_DAYS days before the
  deadline up to the day before it, the clerks of every department whose
  report is not submitted (未填报, 草稿, 已退回) get one reminder.
- `mark_overdue_reports(today=)`: once the deadline has passed, every
  department that never submitted has its report row marked overdue
  (`MonthlyReport.overdue_at`): its clerks are told, and every reviewer gets
  one list of the overdue departments.

Both are idempotent: notifications are unique per (kind, department, month,
recipient), so running a task twice, or every day, sends nothing twice.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.periods import last_month_over
from reports.notifications.models import NotificationKind
from reports.notifications.services import notify
from reports.permissions import users_who_may_review, users_who_report_for
from reports.reporting import selectors, workflow
from reports.reporting.models import REPORTED_STATES, MonthlyReport


def _clerks(departments):
    clerks = {}
    for user in users_who_report_for(departments).order_by("pk"):
        clerks.setdefault(user.department_id, []).append(user)
    return clerks


def _reviewers():
    return list(users_who_may_review().order_by("pk"))


def _entry_url(department, month):
    """The department's entry form for the month (where the clerk acts on the reminder)."""
    return reverse("report_entry", kwargs={"department": department.code, "year": month.year, "month": month.month})


def _completeness_url(month):
    return f"{reverse('completeness')}?start={month:%Y-%m}&end={month:%Y-%m}"


@transaction.atomic
def send_deadline_reminders(*, today=None):
    """Remind clerks of departments not yet submitted, a few days before the deadline; the new notifications."""
    today = today or timezone.localdate()
    month = last_month_over(today)
    deadline = MonthlyReport.deadline_of(month)
    days_left = (deadline - today).days
    if not 1 <= days_left <= settings.REPORT_REMINDER_DAYS:
        return []
    departments = selectors.reporting_departments()
    reported = set(
        MonthlyReport.objects.filter(month=month, state__in=REPORTED_STATES).values_list("department_id", flat=True)
    )
    waiting = [d for d in departments if d.pk not in reported]
    clerks = _clerks(waiting)
    created = []
    for department in waiting:
        for clerk in clerks.get(department.pk, []):
            notification, new = notify(
                kind=NotificationKind.REMINDER,
                recipient=clerk,
                department=department,
                month=month,
                title=_("请在 %(deadline)s 前上报 %(month)s 月报")
                % {"deadline": f"{deadline:%m月%d日}", "month": f"{month:%Y年%m月}"},
                body=_(
                    "%(department)s %(month)s 的月报尚未上报，截止日期为 %(deadline)s（还有 %(days)d 天）。"
                    "请尽快填写并上报。"
                )
                % {
                    "department": department.name,
                    "month": f"{month:%Y年%m月}",
                    "deadline": f"{deadline:%Y年%m月%d日}",
                    "days": days_left,
                },
                url=_entry_url(department, month),
            )
            if new:
                created.append(notification)
    return created


@transaction.atomic
def mark_overdue_reports(*, today=None):
    """After the deadline: mark unsubmitted reports overdue, tell clerks and reviewers; the new notifications."""
    today = today or timezone.localdate()
    month = last_month_over(today)
    deadline = MonthlyReport.deadline_of(month)
    if today <= deadline:
        return []
    departments = selectors.reporting_departments()
    reports = {r.department_id: r for r in MonthlyReport.objects.filter(month=month, department__in=departments)}
    overdue = [d for d in departments if reports.get(d.pk) is None or reports[d.pk].first_submitted_at is None]
    if not overdue:
        return []
    workflow.mark_overdue(month=month, departments=overdue)

    created = []
    clerks = _clerks(overdue)
    month_text = f"{month:%Y年%m月}"
    for department in overdue:
        for clerk in clerks.get(department.pk, []):
            notification, new = notify(
                kind=NotificationKind.OVERDUE,
                recipient=clerk,
                department=department,
                month=month,
                title=_("%(month)s 月报已逾期") % {"month": month_text},
                body=_(
                    "%(department)s %(month)s 的月报在截止日期 %(deadline)s 前未上报，已记为逾期。请尽快填写并上报。"
                )
                % {"department": department.name, "month": month_text, "deadline": f"{deadline:%Y年%m月%d日}"},
                url=_entry_url(department, month),
            )
            if new:
                created.append(notification)
    names = "、".join(d.name for d in overdue)
    for reviewer in _reviewers():
        notification, new = notify(
            kind=NotificationKind.OVERDUE_SUMMARY,
            recipient=reviewer,
            month=month,
            title=_("%(month)s 月报逾期单位 %(n)d 个") % {"month": month_text, "n": len(overdue)},
            body=_("截至 %(deadline)s，以下单位未上报 %(month)s 月报：%(names)s。")
            % {"deadline": f"{deadline:%Y年%m月%d日}", "month": month_text, "names": names},
            url=_completeness_url(month),
        )
        if new:
            created.append(notification)
    return created


def parse_day(text):
    """A task's `today` argument (ISO date string, or None for today)."""
    return datetime.date.fromisoformat(text) if text else None
