"""Notices of the workflow's transitions: who is told what when a report is submitted, returned, approved, reopened.

The workflow's table (reports.reporting.workflow.ACTIONS) says who is told
after each action; this module writes the message. It runs after the
transition's commit, as a task (`tasks.notify_transition`), and is idempotent:
one notice per (event, recipient), in the bell and by e-mail for users with an
address.
"""

from django.utils.translation import gettext as _

from reports.notifications.models import NotificationKind
from reports.notifications.services import notify
from reports.permissions import users_who_may_review, users_who_report_for
from reports.reporting.actions import ACTIONS, REVIEWERS
from reports.reporting.models import ReportAction, ReportEvent

KINDS = {
    ReportAction.SUBMIT: NotificationKind.SUBMITTED,
    ReportAction.RETURN: NotificationKind.RETURNED,
    ReportAction.APPROVE: NotificationKind.APPROVED,
    ReportAction.REOPEN: NotificationKind.REOPENED,
}


def recipients(audience, department):
    """Active users to tell: the committee's reviewers, or the department's clerks."""
    users = users_who_may_review() if audience == REVIEWERS else users_who_report_for([department])
    return list(users.order_by("pk"))


def _message(event):
    report = event.report
    subject = {"department": f"{report.department.name}（{report.form.name}）", "month": f"{report.month:%Y年%m月}"}
    by = event.user.display_name if event.user else _("系统")
    if event.action == ReportAction.SUBMIT:
        return (
            _("%(department)s %(month)s 月报已上报，待审核") % subject,
            _("%(by)s 于 %(at)s 上报了 %(department)s %(month)s 的月报，请审核。")
            % {**subject, "by": by, "at": f"{event.at:%Y-%m-%d %H:%M}"},
        )
    if event.action == ReportAction.RETURN:
        return (
            _("%(month)s 月报被退回，请修改后重新上报") % subject,
            _("审核员 %(by)s 退回了 %(department)s %(month)s 的月报。退回原因：%(reason)s")
            % {**subject, "by": by, "reason": event.comment},
        )
    if event.action == ReportAction.APPROVE:
        return (
            _("%(month)s 月报已审核通过") % subject,
            _("%(department)s %(month)s 的月报已由 %(by)s 审核通过，数据已锁定。") % {**subject, "by": by},
        )
    return (
        _("%(month)s 月报被重新打开，请更正后重新上报") % subject,
        _("审核员 %(by)s 重新打开了 %(department)s %(month)s 的月报。原因：%(reason)s")
        % {**subject, "by": by, "reason": event.comment},
    )


def notify_transition(*, event_id):
    """Tell whoever the workflow table names about this event; the notifications newly created."""
    event = ReportEvent.objects.select_related("report__department", "report__form", "user").filter(pk=event_id).first()
    if event is None or event.action not in KINDS:
        return []
    report = event.report
    title, body = _message(event)
    url = report.get_absolute_url()
    created = []
    for user in recipients(ACTIONS[event.action].notify, report.department):
        if user.pk == event.user_id:
            continue  # nobody is told of what they did themselves
        notification, new = notify(
            kind=KINDS[event.action],
            recipient=user,
            department=report.department,
            month=report.month,
            title=title,
            body=body,
            url=url,
            event=event,
        )
        if new:
            created.append(notification)
    return created
