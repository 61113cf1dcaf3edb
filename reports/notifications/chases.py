"""The notice of a reviewer's 催报: the late report's clerks are told in the bell and by e-mail.

Runs after the chase's commit, as a task (`tasks.notify_chase`), and is
idempotent: one notice per (chase, recipient).
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from reports.notifications.models import NotificationKind
from reports.notifications.services import notify
from reports.permissions import users_who_report_for
from reports.reporting.models import ReportChase


def notify_chase(*, chase_id):
    """Tell the clerks of the chased report's department; the notifications newly created."""
    chase = ReportChase.objects.select_related("report__department", "report__form", "user").filter(pk=chase_id).first()
    if chase is None:
        return []
    report = chase.report
    subject = {
        "department": report.department.name,
        "form": report.form.name,
        "month": f"{report.month:%Y年%m月}",
        "deadline": f"{report.deadline:%Y年%m月%d日}",
        "by": chase.user.display_name,
        "at": f"{timezone.localtime(chase.at):%Y-%m-%d %H:%M}",
    }
    title = _("催报：请尽快上报 %(month)s %(form)s") % subject
    body = (
        _(
            "审核员 %(by)s 于 %(at)s 催报：%(department)s %(month)s 的%(form)s截止日期为 %(deadline)s，"
            "至今尚未上报。请尽快填写并上报。"
        )
        % subject
    )
    created = []
    for clerk in users_who_report_for([report.department]).order_by("pk"):
        notification, new = notify(
            kind=NotificationKind.CHASED,
            recipient=clerk,
            department=report.department,
            month=report.month,
            title=title,
            body=body,
            url=report.get_absolute_url(),
            chase=chase,
        )
        if new:
            created.append(notification)
    return created
