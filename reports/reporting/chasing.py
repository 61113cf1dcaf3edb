"""催报: a reviewer reminds the clerks of late reports, one report or every late one of a month at once.

Each chase is recorded (ReportChase: who, when); after the commit the signal
`chased` is sent and the notifications (reports/notifications/receivers.py)
queue the task that tells the report's clerks in the bell and by e-mail. The
same report is chased at most once an hour: a second click is refused and
says when the last chase went out.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from metrics import periods
from reports.permissions import can_chase
from reports.reporting import selectors, workflow
from reports.reporting.errors import PermissionDenied
from reports.reporting.models import MonthlyReport, ReportChase

logger = logging.getLogger(__name__)

# The shortest time between two chases of the same report.
CHASE_INTERVAL = datetime.timedelta(hours=1)

# Sent after the commit of every recorded chase, with `chase_id`; the notifications listen.
chased = Signal()


@dataclass
class ChaseOutcome:
    """What a click did: the chases sent, and the reports refused with the last chase that blocked them."""

    sent: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # [(report, ReportChase)]


def late_reports(month, *, form_code="", department_code="", today=None):
    """The month's reports past their form's deadline and never submitted (unsaved 未填报 ones included),
    of one form and one department when given, in department and form order.

    MonthlyReport.is_overdue decides what is late; one query for the stored reports.
    """
    today = today or periods.today()
    lines = [
        line
        for line in selectors.reporting_lines()
        if (not form_code or line.form.code == form_code)
        and (not department_code or line.department.code == department_code)
    ]
    stored = {
        (r.department_id, r.form_id): r
        for r in MonthlyReport.objects.filter(month=month, department__in={line.department.pk for line in lines})
    }
    late = []
    for line in lines:
        report = stored.get(line.key) or MonthlyReport(department=line.department, form=line.form, month=month)
        report.department, report.form = line.department, line.form
        if report.is_overdue(today):
            late.append(report)
    return late


@transaction.atomic
def chase(*, user, reports, now=None, today=None):
    """Record a chase of each report still late and queue its clerks' notices; a ChaseOutcome.

    A report chased less than CHASE_INTERVAL ago is refused (nothing sent for it); one
    submitted in the meantime is left out; the others go out. Unsaved 未填报 reports get
    their row first.
    """
    if not can_chase(user):
        raise PermissionDenied(_("只有审核员可以催报。"))
    now = now or periods.now()
    today = today or periods.today()
    outcome = ChaseOutcome()
    for report in reports:
        if report.pk is None:
            report = workflow.get_or_create_report(department=report.department, form=report.form, month=report.month)
        # The row lock makes two clicks at once run one after the other: the second sees the first chase.
        locked = MonthlyReport.objects.select_for_update().select_related("form").get(pk=report.pk)
        if not locked.is_overdue(today):
            continue
        last = ReportChase.objects.filter(report=report).order_by("-at", "-pk").first()
        if last is not None and now - last.at < CHASE_INTERVAL:
            outcome.refused.append((report, last))
            continue
        record = ReportChase.objects.create(report=report, user=user, at=now)
        outcome.sent.append(record)
        transaction.on_commit(lambda pk=record.pk: _announce(pk))
    return outcome


def _announce(chase_id):
    # robust: a broker that is down must not turn a recorded chase into an error page.
    for _receiver, error in chased.send_robust(sender=ReportChase, chase_id=chase_id):
        if isinstance(error, Exception):
            logger.error("notices of chase %s not queued: %s", chase_id, error)
