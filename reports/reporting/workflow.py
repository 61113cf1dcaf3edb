"""Every write of the reporting workflow: figures, and the report's state changes.

A monthly report moves through (reports.models.ReportState)::

    未填报 ─save→ 草稿 ─submit→ 已上报 ─approve→ 已审核
                    ↑              │                │
                    └── 已退回 ←return┘     ←reopen──┘

- `get_or_create_report(department=, month=)`: the row for a month (refuses future months).
- `save_report_values(report=, user=, values=, notes=, version=)`: store figures; 未填报 → 草稿.
- `submit_report(report=, user=, version=)`: 草稿/已退回 → 已上报 when every check passes.
- `return_report(report=, user=, reason=)`: 已上报 → 已退回, the reason shown to the clerk.
- `approve_report(report=, user=)`: 已上报 → 已审核, locked.
- `reopen_report(report=, user=, reason=)`: 已审核 → 已退回.

Each function is atomic, locks the report row, refuses with a typed error
(`PermissionDenied`, `TransitionError`, `InvalidValues`, `StaleReport`,
`InvalidMonth`, all `ReportError` with a Chinese `message`) and then changes
nothing; otherwise it bumps `report.version`, records a ReportEvent (who,
when, from, to, comment) and keeps metrics.DataValue.status in step with the
report's state (草稿/已退回/未填报 → draft, 已上报 → submitted, 已审核 →
approved). Value changes are kept by django-simple-history with the user.

Passing `version` (the version the user saw) makes a call on stale data
fail with StaleReport, whose `changes` list what others changed since.
Imports may pass version=None to skip that check.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.models import DataValue, Status
from metrics.periods import first_of_month
from metrics.services import write_values
from metrics.validation import check_value, spec_for, validate
from reports.permissions import can_edit_department, can_review
from reports.reporting import selectors
from reports.reporting.models import (
    EDITABLE_STATES,
    MonthlyReport,
    ReportAction,
    ReportEvent,
    ReportState,
)


class ReportError(Exception):
    """A refused workflow call; `message` is shown to the user as is."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class TransitionError(ReportError):
    """The report's state does not allow this action."""


class PermissionDenied(ReportError, DjangoPermissionDenied):
    """The user may not do this to this department's report (views answer 403)."""


class InvalidMonth(ReportError):
    """A month in the future, or not a first-of-month date."""


class InvalidValues(ReportError):
    """Figures that fail validation: `errors` {code: [message]}, `violations` cross-field rules."""

    def __init__(self, message, *, errors=None, violations=None):
        super().__init__(message)
        self.errors = errors or {}
        self.violations = violations or []


class StaleReport(ReportError):
    """Someone changed the report since `seen_version`; `changes` and `events` say what."""

    def __init__(self, message, *, report, seen_version, changes, events):
        super().__init__(message)
        self.report = report
        self.seen_version = seen_version
        self.changes = changes
        self.events = events


STATUS_FOR_STATE = {
    ReportState.NOT_STARTED: Status.DRAFT,
    ReportState.DRAFT: Status.DRAFT,
    ReportState.RETURNED: Status.DRAFT,
    ReportState.SUBMITTED: Status.SUBMITTED,
    ReportState.APPROVED: Status.APPROVED,
}


@dataclass
class SaveResult:
    """What a save did: codes changed, and the month's remaining rule violations and outlier warnings."""

    changed: list = field(default_factory=list)
    violations: list = field(default_factory=list)
    warnings: dict = field(default_factory=dict)


def check_month(month, *, today=None):
    today = today or timezone.localdate()
    if month.day != 1:
        raise InvalidMonth(_("月份必须是该月第一天。"))
    if month > first_of_month(today):
        raise InvalidMonth(_("%(month)s 尚未到来，不能填报未来月份。") % {"month": f"{month:%Y年%m月}"})


def get_or_create_report(*, department, month, today=None):
    """The department's report row for the month, created 未填报 if missing; future months refused."""
    check_month(month, today=today)
    try:
        with transaction.atomic():
            report, _created = MonthlyReport.objects.get_or_create(department=department, month=month)
    except IntegrityError:
        # Two requests created it at once: the other one won.
        report = MonthlyReport.objects.get(department=department, month=month)
    return report


def _lock(report):
    """Re-read the report row under a row lock, so concurrent calls run one after the other."""
    if report.pk is None:
        raise TransitionError(_("该月报尚未建立。"))
    return MonthlyReport.objects.select_for_update().select_related("department").get(pk=report.pk)


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
    changes = selectors.value_changes(locked.department, locked.month, since=since)
    events = selectors.events_since(locked, seen)
    raise StaleReport(
        _("保存失败：您打开本页后，该月报已被他人修改（版本 %(seen)d → %(now)d）。请核对下列变化后重新填写。")
        % {"seen": seen, "now": locked.version},
        report=locked,
        seen_version=seen,
        changes=changes,
        events=events,
    )


def _record(locked, *, user, action, to_state, comment=""):
    """Bump the version and log the change (who, when, from, to, comment)."""
    event = ReportEvent(
        report=locked,
        action=action,
        from_state=locked.state,
        to_state=to_state,
        user=user,
        at=timezone.now(),
        comment=comment,
        version=locked.version + 1,
    )
    locked.state = to_state
    locked.version += 1
    event.save()
    return event


def _sync_status(locked):
    """DataValue.status mirrors the report's state (aggregation filters on it)."""
    DataValue.objects.filter(department_id=locked.department_id, month=locked.month).exclude(
        status=STATUS_FOR_STATE[locked.state]
    ).update(status=STATUS_FOR_STATE[locked.state])


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


def _require_edit(user, locked):
    if not can_edit_department(user, locked.department_id):
        raise PermissionDenied(_("您只能填报本单位的月报。"))
    if locked.state == ReportState.APPROVED:
        raise TransitionError(_("本月报已审核锁定，不能修改；如需更正，请联系审核员重新打开。"))
    if locked.state not in EDITABLE_STATES:
        raise TransitionError(_("本月报已上报，正在审核中，不能修改；如需更正，请联系审核员退回。"))


def _require_review(user, locked, allowed_state, refusal):
    if not can_review(user):
        raise PermissionDenied(_("只有审核员可以审核月报。"))
    if locked.state != allowed_state:
        raise TransitionError(refusal % {"state": locked.get_state_display()})


@transaction.atomic
def save_report_values(*, report, user, values, notes=None, version=None, comment=""):
    """Store figures for the report's department and month; returns a SaveResult.

    `values` is {indicator code: Decimal or None} (None clears a figure: missing,
    not zero); `notes` is {code: text}. Only the codes given are touched, and
    only codes of indicators this department enters are accepted. Per-field
    problems (negative, fractions of a count, over 4 decimals, a rate over
    100) refuse the whole save with InvalidValues; cross-field rule
    violations and outliers are returned and only block submission.
    A 未填报 report becomes 草稿; 已退回 stays 已退回 until resubmitted.
    """
    locked = _lock(report)
    _require_edit(user, locked)
    _check_version(locked, version)
    check_month(locked.month)
    notes = notes or {}

    indicators = {i.code: i for i in selectors.department_indicators(locked.department)}
    unknown = sorted((set(values) | set(notes)) - set(indicators))
    if unknown:
        raise InvalidValues(
            _("以下指标不属于%(department)s，不能填报：%(codes)s。")
            % {"department": locked.department.name, "codes": "、".join(unknown)}
        )
    errors = {}
    for code, value in values.items():
        problems = check_value(value, spec_for(indicators[code]))
        if problems:
            errors[code] = problems
    too_long = [code for code, note in notes.items() if len(note or "") > 500]
    for code in too_long:
        errors.setdefault(code, []).append(_("备注不能超过 500 字。"))
    if errors:
        first = next(iter(errors))
        raise InvalidValues(
            _("有 %(n)d 项数据不符合要求，未保存。第一项：%(name)s：%(msg)s")
            % {"n": len(errors), "name": indicators[first].name, "msg": errors[first][0]},
            errors=errors,
        )

    status = STATUS_FOR_STATE[locked.state]
    changed = write_values(
        department=locked.department,
        month=locked.month,
        indicators=indicators,
        values=values,
        notes=notes,
        status=status,
        user=user,
        comment=comment,
    )

    if changed or locked.state == ReportState.NOT_STARTED:
        to_state = ReportState.DRAFT if locked.state == ReportState.NOT_STARTED else locked.state
        summary = comment or _("修改 %(n)d 项数据") % {"n": len(changed)}
        _record(locked, user=user, action=ReportAction.SAVE, to_state=to_state, comment=summary)
        locked.save(update_fields=["state", "version", "updated_at"])
        _sync_status(locked)
    _copy_back(report, locked)

    month_values = selectors.stored_values(locked.department, locked.month)
    rows = selectors.entry_rows(locked.department, locked.month, list(indicators.values()))
    check = validate(month_values, {}, selectors.active_rules())
    return SaveResult(changed=changed, violations=check.violations, warnings=selectors.outliers_for(rows, month_values))


@transaction.atomic
def submit_report(*, report, user, version=None, comment=""):
    """草稿/已退回 → 已上报, if the stored figures pass every check (InvalidValues otherwise).

    Late submission is allowed until approval; `first_submitted_at` keeps the
    first submission so a late report stays visible as late.
    """
    locked = _lock(report)
    _require_edit(user, locked)
    _check_version(locked, version)
    check_month(locked.month)
    if locked.state == ReportState.NOT_STARTED:
        raise TransitionError(_("本月报尚未填写，不能上报。"))
    indicators = selectors.department_indicators(locked.department)
    values = selectors.stored_values(locked.department, locked.month)
    if not any(values.get(i.code) is not None for i in indicators):
        raise InvalidValues(_("本月报没有填写任何数据，不能上报。"))
    check = validate(values, selectors.specs_for(indicators), selectors.active_rules())
    if not check.ok:
        names = {i.code: i.name for i in indicators}
        raise InvalidValues(
            _("不能上报：%(problems)s") % {"problems": "；".join(check.messages(names))},
            errors=check.errors,
            violations=check.violations,
        )
    now = timezone.now()
    _record(locked, user=user, action=ReportAction.SUBMIT, to_state=ReportState.SUBMITTED, comment=comment)
    locked.submitted_at, locked.submitted_by = now, user
    locked.first_submitted_at = locked.first_submitted_at or now
    locked.return_reason = ""
    locked.save()
    _sync_status(locked)
    _copy_back(report, locked)
    return report


@transaction.atomic
def return_report(*, report, user, reason, version=None):
    """已上报 → 已退回 with a reason (required) that the clerk sees on the form."""
    locked = _lock(report)
    _require_review(user, locked, ReportState.SUBMITTED, _("只有已上报的月报可以退回（当前：%(state)s）。"))
    _check_version(locked, version)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidValues(_("请填写退回原因，填报员将看到这段说明。"))
    _record(locked, user=user, action=ReportAction.RETURN, to_state=ReportState.RETURNED, comment=reason)
    locked.return_reason = reason
    locked.save()
    _sync_status(locked)
    _copy_back(report, locked)
    return report


@transaction.atomic
def approve_report(*, report, user, comment="", version=None):
    """已上报 → 已审核: the figures count in leaders' views and are locked."""
    locked = _lock(report)
    _require_review(user, locked, ReportState.SUBMITTED, _("只有已上报的月报可以审核通过（当前：%(state)s）。"))
    _check_version(locked, version)
    _record(locked, user=user, action=ReportAction.APPROVE, to_state=ReportState.APPROVED, comment=comment)
    locked.approved_at, locked.approved_by = timezone.now(), user
    locked.save()
    _sync_status(locked)
    _copy_back(report, locked)
    return report


@transaction.atomic
def reopen_report(*, report, user, reason, version=None):
    """已审核 → 已退回 with a reason (required), so the department can correct and resubmit."""
    locked = _lock(report)
    _require_review(user, locked, ReportState.APPROVED, _("只有已审核的月报可以重新打开（当前：%(state)s）。"))
    _check_version(locked, version)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidValues(_("请填写重新打开的原因，填报员将看到这段说明。"))
    _record(locked, user=user, action=ReportAction.REOPEN, to_state=ReportState.RETURNED, comment=reason)
    locked.return_reason = reason
    locked.approved_at, locked.approved_by = None, None
    locked.save()
    _sync_status(locked)
    _copy_back(report, locked)
    return report
