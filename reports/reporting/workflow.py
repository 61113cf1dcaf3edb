"""The monthly report's one workflow: a table of actions, and the one function that carries any of them out.

A monthly report moves through (reports.reporting.models.ReportState)::

    未填报 ─save→ 草稿 ─submit→ 已上报 ─approve→ 已审核
                    ↑  ←withdraw─┘ │                │
                    └── 已退回 ←return┘     ←reopen──┘

`ACTIONS` (reports.reporting.actions) is the table: for each action the states it starts from, the state it
leads to, who may take it (a predicate of reports.permissions), whether it
needs a reason, and who is told afterwards. Everything else follows from it:

- `perform(action, report=, user=, ...)` carries out any action: it locks the
  report row, checks permission, state and the version the user saw, writes
  figures through metrics.services.write_values, records a ReportEvent (who,
  when, from, to, comment, resulting version), keeps metrics.DataValue.status
  in step with the state, and after commit sends `transitioned`, on which the
  notifications queue their task.
- `available_actions(report, user)` lists what this user may do now; pages show
  these buttons and nothing else.
- `refusal(action, state=, month=)` says why an action is not possible in a
  state (the imports use it to mark each month of a workbook).

Refusals are typed errors (`PermissionDenied`, `TransitionError`,
`InvalidValues`, `BlanksNotConfirmed`, `StaleReport`, `InvalidMonth`, all
`ReportError` with a Chinese `message`) raised before anything is written.
Nothing else may change a report's state: reports.reporting.models refuses a
save or update that does, unless it runs inside this module's
`allow_state_changes()`.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics import periods
from metrics.models import DataValue
from metrics.periods import first_of_month
from metrics.services import write_values
from metrics.validation import validate
from reports.reporting import checks, selectors
from reports.reporting.actions import ACTIONS, LOCKED, STATUS_FOR_STATE, UNDER_REVIEW, WRITES_VALUES
from reports.reporting.errors import (
    InvalidMonth,
    InvalidValues,
    PermissionDenied,
    StaleReport,
    TransitionError,
)
from reports.reporting.models import MonthlyReport, ReportAction, ReportEvent, ReportState, allow_state_changes

logger = logging.getLogger(__name__)


# Sent after the commit of every action that tells someone, with `event_id`; the notifications listen.
transitioned = Signal()


@dataclass
class Outcome:
    """What an action did: the event recorded (None for a save that changed nothing), codes changed,
    and the month's remaining rule violations and outlier warnings."""

    report: MonthlyReport
    event: ReportEvent | None = None
    changed: list = field(default_factory=list)
    violations: list = field(default_factory=list)
    warnings: dict = field(default_factory=dict)


# --- questions ----------------------------------------------------------------------


def future_month_refusal(month, *, today=None):
    """Why `month` cannot be reported yet, or ''."""
    today = today or periods.today()
    if month > first_of_month(today):
        return _("%(month)s 尚未到来，不能填报未来月份。") % {"month": f"{month:%Y年%m月}"}
    return ""


def refusal(action, *, state):
    """Why `action` cannot be taken on a report in `state`, or '' when it can (the month: future_month_refusal).

    Entering figures into a submitted or approved report gets the message that
    says what to do about it (ask for a return or a reopening).
    """
    spec = ACTIONS[action]
    if state in spec.from_states:
        return ""
    if action in WRITES_VALUES:
        if state == ReportState.APPROVED:
            return str(LOCKED)
        if state == ReportState.SUBMITTED:
            return str(UNDER_REVIEW)
    if action == ReportAction.SUBMIT and state == ReportState.NOT_STARTED:
        return _("本月报尚未填写，不能上报。")
    return str(spec.wrong_state) % {"state": ReportState(state).label}


def available_actions(report, user, *, page=None):
    """The actions `user` may take on `report` now (those with a button; on `page` when given)."""
    return [
        spec
        for spec in ACTIONS.values()
        if spec.page
        and (page is None or spec.page == page)
        and report.state in spec.from_states
        and (report.pk is not None or spec.name == ReportAction.SAVE)
        and spec.may(user, report)
    ]


# --- writes -------------------------------------------------------------------------


def check_month(month, *, today=None):
    """Refuse (InvalidMonth) a date that is not a first of month, a year periods do not accept, or a month to come."""
    if month.day != 1:
        raise InvalidMonth(_("月份必须是该月第一天。"))
    try:
        periods.check_year(month.year)  # a month no period can show is never reported
    except periods.PeriodError as error:
        raise InvalidMonth(str(error)) from error
    if reason := future_month_refusal(month, today=today):
        raise InvalidMonth(reason)


def get_or_create_report(*, department, form, month, today=None):
    """The department's report of `form` for the month, created 未填报 if missing; future months refused."""
    check_month(month, today=today)
    key = {"department": department, "form": form, "month": month}
    try:
        with transaction.atomic():
            report, _created = MonthlyReport.objects.get_or_create(**key)
    except IntegrityError:
        # Two requests created it at once: the other one won.
        report = MonthlyReport.objects.get(**key)
    return report


@transaction.atomic
def perform(
    action,
    *,
    report,
    user,
    version=None,
    values=None,
    notes=None,
    reason="",
    comment="",
    confirmed_blanks=None,
    today=None,
):
    """Carry out `action` on `report` for `user`; an Outcome, or a ReportError and nothing written.

    `version` is the version the user saw (None skips the check: imports and
    tasks). `values` {code: Decimal or None} and `notes` {code: text} are the
    figures a save or a historic import writes (only the codes given are
    touched; None clears a figure: missing, not zero). `reason` is required
    where the table says so. A submission with empty boxes needs
    `confirmed_blanks`, the codes the user confirmed as unavailable.
    """
    spec = ACTIONS[action]
    locked = _lock(report)
    if not spec.may(user, locked):
        raise PermissionDenied(str(spec.forbidden))
    if why := refusal(action, state=locked.state):
        raise TransitionError(why)
    _check_version(locked, version)
    reason = (reason or "").strip()
    if spec.needs_reason and not reason:
        raise InvalidValues(str(spec.needs_reason))
    checks.check_reason(reason)

    # What the report holds: read once, for the checks, the write, the status and the warnings.
    indicators = selectors.report_indicators(locked.department, locked.form)
    outcome = Outcome(report=report)
    if action in WRITES_VALUES:
        check_month(locked.month, today=today)
        outcome.changed = _write(
            locked, spec, indicators, user=user, values=values or {}, notes=notes or {}, comment=comment
        )
    elif action == ReportAction.SUBMIT:
        check_month(locked.month, today=today)
        checks.check_submission(locked, indicators, confirmed_blanks)

    to_state = spec.target(locked.state)
    if action not in (ReportAction.SAVE, ReportAction.IMPORT) or outcome.changed or to_state != locked.state:
        text = reason or comment
        if action in WRITES_VALUES:
            counted = _("修改 %(n)d 项数据") % {"n": len(outcome.changed)}
            text = f"{comment}（{counted}）" if comment else counted
        outcome.event = _record(locked, user=user, action=action, to_state=to_state, comment=text)
        _stamp(locked, action, user=user, reason=reason)
        with allow_state_changes():
            locked.save()
        _sync_status(locked, indicators)
        if spec.notify:
            event_id = outcome.event.pk
            transaction.on_commit(lambda: _announce(event_id))
    _copy_back(report, locked)

    if action == ReportAction.SAVE:
        rows = selectors.entry_rows(locked.department, locked.month, indicators)
        month_values = {r.indicator.code: r.value for r in rows}
        outcome.violations = validate(month_values, {}, selectors.active_rules()).violations
        outcome.warnings = selectors.outliers_for(rows, month_values)
    return outcome


def mark_overdue(*, month, lines, now=None):
    """Mark the month's reports of `lines` ((department, form) pairs) never submitted as overdue,
    creating 未填报 rows as needed; returns how many were marked.

    Not a change of state (an overdue report stays 未填报/草稿/已退回), so no event;
    idempotent: a report marked once keeps its first mark.
    """
    now = now or periods.now()
    departments = {line.department.pk for line in lines}
    existing = set(
        MonthlyReport.objects.filter(month=month, department__in=departments).values_list("department_id", "form_id")
    )
    missing = [
        MonthlyReport(department=line.department, form=line.form, month=month)
        for line in lines
        if line.key not in existing
    ]
    MonthlyReport.objects.bulk_create(missing, ignore_conflicts=True)
    wanted = {line.key for line in lines}
    due = [
        pk
        for pk, department_id, form_id in MonthlyReport.objects.filter(
            month=month, department__in=departments, first_submitted_at__isnull=True, overdue_at__isnull=True
        ).values_list("pk", "department_id", "form_id")
        if (department_id, form_id) in wanted
    ]
    return MonthlyReport.objects.filter(pk__in=due).update(overdue_at=now)


# --- the steps of perform -----------------------------------------------------------


def _lock(report):
    """Re-read the report row under a row lock, so concurrent calls run one after the other."""
    if report.pk is None:
        raise TransitionError(_("该月报尚未建立。"))
    return MonthlyReport.objects.select_for_update().select_related("department", "form").get(pk=report.pk)


def _check_version(locked, version):
    if version is None:
        return
    try:
        seen = int(version)
    except (TypeError, ValueError) as error:
        raise StaleReport(
            _("页面数据已失效（版本号无效），请刷新页面后重新填写。"),
            report=locked,
            seen_version=None,
            changes=[],
            events=[],
        ) from error
    if seen == locked.version:
        return
    seen_event = ReportEvent.objects.filter(report=locked, version__lte=seen).order_by("-version").first()
    since = seen_event.at if seen_event else None
    raise StaleReport(
        _("保存失败：您打开本页后，该月报已被他人修改（版本 %(seen)d → %(now)d）。请核对下列变化后重新填写。")
        % {"seen": seen, "now": locked.version},
        report=locked,
        seen_version=seen,
        changes=selectors.value_changes(
            locked.department,
            locked.month,
            since=since,
            indicators=selectors.report_indicators(locked.department, locked.form),
        ),
        events=selectors.events_since(locked, seen),
    )


def _write(locked, spec, indicators, *, user, values, notes, comment):
    """Check and store figures for the report's department and month (only the codes given); the codes changed."""
    checks.check_figures(locked, indicators, values=values, notes=notes)
    return write_values(
        department=locked.department,
        month=locked.month,
        indicators={i.code: i for i in indicators},
        values=values,
        notes=notes,
        status=STATUS_FOR_STATE[spec.target(locked.state)],
        user=user,
        comment=comment,
        store_missing=spec.name == ReportAction.HISTORIC,
    )


def _record(locked, *, user, action, to_state, comment=""):
    """Bump the version and log the change (who, when, from, to, comment)."""
    event = ReportEvent.objects.create(
        report=locked,
        action=action,
        from_state=locked.state,
        to_state=to_state,
        user=user,
        at=periods.now(),
        comment=comment,
        version=locked.version + 1,
    )
    locked.state = to_state
    locked.version += 1
    return event


def _stamp(locked, action, *, user, reason):
    """The report's own record of the action: who submitted or approved it, and when; the reason shown."""
    now = periods.now()
    if action == ReportAction.SUBMIT:
        locked.submitted_at, locked.submitted_by = now, user
        locked.first_submitted_at = locked.first_submitted_at or now
        locked.return_reason = ""
    elif action == ReportAction.WITHDRAW:
        # A first submission taken back was never delivered: the report is due (and may fall overdue) again.
        # A resubmission taken back leaves the first one, which a reviewer saw, to count for timeliness.
        if locked.first_submitted_at == locked.submitted_at:
            locked.first_submitted_at = None
        locked.submitted_at, locked.submitted_by = None, None
    elif action in (ReportAction.RETURN, ReportAction.REOPEN):
        locked.return_reason = reason
        locked.approved_at, locked.approved_by = None, None
    elif action == ReportAction.APPROVE:
        locked.approved_at, locked.approved_by = now, user
    elif action == ReportAction.HISTORIC:
        # Historic months count as reported on time: when exactly is not known, the deadline is the best guess.
        on_time = timezone.make_aware(datetime.datetime.combine(locked.deadline, datetime.time(9)))
        locked.first_submitted_at = locked.first_submitted_at or on_time
        locked.submitted_at = locked.submitted_at or on_time
        locked.submitted_by = locked.submitted_by or user
        locked.approved_at, locked.approved_by = now, user
        locked.return_reason = ""


def _sync_status(locked, indicators):
    """DataValue.status of the report's indicators mirrors its state (aggregation filters on it)."""
    status = STATUS_FOR_STATE[locked.state]
    DataValue.objects.filter(department_id=locked.department_id, month=locked.month, indicator__in=indicators).exclude(
        status=status
    ).update(status=status)


def _copy_back(report, locked):
    """Let the caller's instance see the new state and version."""
    for name in (
        "state",
        "version",
        "return_reason",
        "first_submitted_at",
        "submitted_at",
        "submitted_by_id",
        "approved_at",
        "approved_by_id",
        "updated_at",
    ):
        setattr(report, name, getattr(locked, name))
    report.mark_stored()


def _announce(event_id):
    # robust: a failing listener (a broker that is down) must not turn committed work into an error page.
    for _receiver, error in transitioned.send_robust(sender=ReportEvent, event_id=event_id):
        if isinstance(error, Exception):
            logger.error("notices of report event %s not queued: %s", event_id, error)
