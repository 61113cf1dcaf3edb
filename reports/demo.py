"""Demo users: one per role, and a clerk for each department."""

import datetime
import zlib
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from metrics.models import DataValue, Department, DepartmentKind, Kind
from metrics.periods import month_list
from reports.models import Role, User
from reports.notifications.models import Notification
from reports.reporting.models import MonthlyReport, ReportAction, ReportEvent, ReportState, allow_state_changes

DEMO_PASSWORD = "zhengfa2023"
# The demo county lives on this day (rundemo pins ZHENGFA_TODAY to it): its data end with July 2023,
# whose reports are due on 5 August, so clerks are being reminded and most towns have reported.
DEMO_TODAY = datetime.date(2023, 8, 3)


def demo_users():
    """(username, display name, role, department code or None) of every demo user."""
    users = [
        ("admin", "系统管理员", Role.ADMIN, None),
        ("reviewer", "审核员", Role.REVIEWER, None),
        ("leader", "县委政法委领导", Role.LEADER, None),
    ]
    for department in Department.objects.active():
        users.append((f"clerk_{department.code}", f"{department.name}填报员", Role.CLERK, department.code))
    return users


def load_demo_users(*, password=DEMO_PASSWORD):
    """Create the demo users that do not exist yet; returns the full list of demo usernames."""
    departments = {d.code: d for d in Department.objects.all()}
    existing = set(User.objects.values_list("username", flat=True))
    # One hash for all of them (the same demo password): 47 key derivations took most of the load.
    encoded = make_password(password)
    for username, name, role, department in demo_users():
        if username in existing:
            continue
        User.objects.create(
            username=username,
            password=encoded,
            first_name=name,
            role=role,
            department=departments.get(department),
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
    return [u[0] for u in demo_users()]


# --- monthly reports ------------------------------------------------------------

APPROVED_FIRST = datetime.date(2022, 1, 1)
APPROVED_LAST = datetime.date(2023, 6, 1)
JULY = datetime.date(2023, 7, 1)
# The demo county's July 2023 as it stands on DEMO_TODAY: who did what (department code → story, day in August).
JULY_PLAN = {
    "court": ("submitted", 3),
    "procuratorate": ("submitted", 2),
    "police": ("submitted", 2),
    "justice": ("returned", 1),  # returned the next morning
    "cac": ("submitted", 3),
    "zfw": ("draft", None),
    "petition": ("draft", None),
    "emergency": ("draft", None),
    "education": ("not_started", None),
    "transport": ("not_started", None),
    "market": ("not_started", None),
}
# Reports of the first half-year submitted after their deadline (迟报, still shown once approved):
# (department code, month) → day of the following month.
LATE_H1 = {("cac", datetime.date(2023, 6, 1)): 7}
# The towns' July (乡镇综治月报): most submitted in the first days of August (on time), these did not.
JULY_TOWNS_DRAFT = ("songlin", "hongyan", "daping")
JULY_TOWNS_NOT_STARTED = ("guanyin", "huilong")
JULY_RETURN_REASON = "受理法律援助案件数比以往多出三倍以上且未说明原因，请核实后在备注中说明再上报。"
JULY_OUTLIER = "legal_service.aid_cases"


def _local(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def load_demo_reports():
    """Approved reports 2022-01..2023-06 for every department, and July 2023's mix; idempotent.

    Returns the number of reports created.
    """
    from reports.reporting.selectors import reporting_lines

    lines = reporting_lines()
    reviewer = User.objects.get(username="reviewer")
    existing = set(MonthlyReport.objects.values_list("department_id", "form_id", "month"))
    reports = []
    for month in month_list(APPROVED_FIRST, APPROVED_LAST):
        for line in lines:
            if (*line.key, month) in existing:
                continue
            deadline = MonthlyReport.deadline_of(month, line.form)
            submitted_on = deadline - datetime.timedelta(days=2)
            if late := LATE_H1.get((line.department.code, month)):
                submitted_on = deadline.replace(day=late)
            submitted = _local(submitted_on, 10)
            approved = _local(max(deadline, submitted_on) + datetime.timedelta(days=1), 15)
            reports.append(
                MonthlyReport(
                    department=line.department,
                    form=line.form,
                    month=month,
                    state=ReportState.APPROVED,
                    version=2,
                    first_submitted_at=submitted,
                    submitted_at=submitted,
                    approved_at=approved,
                    approved_by=reviewer,
                )
            )
    # Two years of history in bulk, as a fixture loads it: the one writer of states besides the workflow.
    with allow_state_changes():
        MonthlyReport.objects.bulk_create(reports, batch_size=500)
    clerks = {u.department_id: u for u in User.objects.filter(role=Role.CLERK)}
    events = []
    for report in reports:
        clerk = clerks.get(report.department_id)
        events += [
            ReportEvent(
                report=report,
                action=ReportAction.SUBMIT,
                from_state=ReportState.DRAFT,
                to_state=ReportState.SUBMITTED,
                user=clerk,
                at=report.first_submitted_at,
                version=1,
            ),
            ReportEvent(
                report=report,
                action=ReportAction.APPROVE,
                from_state=ReportState.SUBMITTED,
                to_state=ReportState.APPROVED,
                user=reviewer,
                at=report.approved_at,
                version=2,
            ),
        ]
    ReportEvent.objects.bulk_create(events, batch_size=500)
    return len(reports) + _load_july(lines, existing, clerks, reviewer)


def _july_value(indicator, june, rule_codes):
    """July's figure: June's for stocks, rates and anything under a cross-field rule; a nudge otherwise."""
    if june is None:
        return None
    if indicator.kind != Kind.FLOW or indicator.code in rule_codes:
        return june
    factor = Decimal(85 + zlib.crc32(indicator.code.encode()) % 31) / 100
    return (june * factor).quantize(Decimal(1).scaleb(-indicator.decimals), ROUND_HALF_UP)


def july_story(department, position):
    """(story, day in August) of a department's July 2023; `position` numbers the towns for their days."""
    if department.code in JULY_PLAN:
        return JULY_PLAN[department.code]
    if department.kind != DepartmentKind.TOWN or department.code in JULY_TOWNS_NOT_STARTED:
        return ("not_started", None)
    if department.code in JULY_TOWNS_DRAFT:
        return ("draft", None)
    return ("submitted", 1 + position % 3)


def _load_july(lines, existing, clerks, reviewer):
    from reports.reporting import checks, workflow
    from reports.reporting.selectors import active_rules, report_indicators

    rule_codes = {code for rule in active_rules() for code in rule.codes}
    june = {(v.department_id, v.indicator_id): v.value for v in DataValue.objects.filter(month=APPROVED_LAST)}
    created = 0
    for position, line in enumerate(lines):
        department = line.department
        story, day = july_story(department, position)
        if (*line.key, JULY) in existing or story == "not_started":
            continue
        clerk = clerks[department.pk]
        report = workflow.get_or_create_report(department=department, form=line.form, month=JULY)
        indicators = report_indicators(department, line.form)
        if story == "draft":
            indicators = indicators[: max(1, len(indicators) * 2 // 3)]
        values = {i.code: _july_value(i, june.get((department.pk, i.pk)), rule_codes) for i in indicators}
        if story == "returned" and values.get(JULY_OUTLIER) is not None:
            values[JULY_OUTLIER] = values[JULY_OUTLIER] * 4
        workflow.perform(ReportAction.SAVE, report=report, user=clerk, values=values)
        created += 1
        if story == "draft":
            _backdate(report, 2, submitted=False)
            continue
        # The clerk confirms that June's blanks are not available in July either.
        blanks = [i.code for i in checks.blank_indicators(report)]
        workflow.perform(ReportAction.SUBMIT, report=report, user=clerk, confirmed_blanks=blanks)
        if story == "returned":
            workflow.perform(ReportAction.RETURN, report=report, user=reviewer, reason=JULY_RETURN_REASON)
        _backdate(report, day)
    return created


def ring_the_bell():
    """Run the reminder and overdue tasks once, as beat would have on DEMO_TODAY, and date the demo's notices
    as what they tell: July's transitions when they happened, the tasks' notices at 08:00 of DEMO_TODAY.

    Returns the new notices of the tasks. Idempotent, as the tasks are.
    """
    from reports.notifications import reminders

    new = reminders.send_deadline_reminders(today=DEMO_TODAY) + reminders.mark_overdue_reports(today=DEMO_TODAY)
    Notification.objects.filter(pk__in=[n.pk for n in new]).update(created_at=_local(DEMO_TODAY, 8))
    # The notices of July's transitions are made after the load's commit, so after _backdate moved their events.
    notices = list(Notification.objects.filter(event__report__month=JULY).select_related("event"))
    for notice in notices:
        notice.created_at = notice.event.at
    Notification.objects.bulk_update(notices, ["created_at"])
    return new


def _backdate(report, day, *, submitted=True):
    """Move the July story's timestamps to August 2023, as if it had happened then.

    The save came an hour before the submission; a return came the next morning.
    """
    at = _local(datetime.date(2023, 8, day), 9, 30)
    events = list(report.events.order_by("pk"))
    for offset, event in enumerate(events):
        event.at = at - datetime.timedelta(hours=1) if offset == 0 else at + datetime.timedelta(hours=(offset - 1) * 24)
    ReportEvent.objects.bulk_update(events, ["at"])
    if submitted:
        MonthlyReport.objects.filter(pk=report.pk).update(first_submitted_at=at, submitted_at=at)
    DataValue.history.filter(department_id=report.department_id, month=report.month).update(
        history_date=at - datetime.timedelta(hours=1)
    )
