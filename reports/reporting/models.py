"""The monthly report: one department's figures for one month, and its log of events."""

import contextlib
import contextvars

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrics import periods


class ReportState(models.TextChoices):
    """A monthly report's place in the workflow; changed only by reports.reporting.workflow.perform."""

    NOT_STARTED = "not_started", _("未填报")
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已上报")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核")


# States in which the department can still change its figures.
EDITABLE_STATES = (ReportState.NOT_STARTED, ReportState.DRAFT, ReportState.RETURNED)
# States that count as "reported" for completeness (DHIS2's "actual reports").
REPORTED_STATES = (ReportState.SUBMITTED, ReportState.APPROVED)


class StateChangeOutsideWorkflow(RuntimeError):
    """A report's state was about to change outside reports.reporting.workflow."""


# Set only by reports.reporting.workflow (and the demo's bulk history) while they write states.
_state_changes_allowed = contextvars.ContextVar("report_state_changes_allowed", default=False)


@contextlib.contextmanager
def allow_state_changes():
    """Let the enclosed code write report states: for the workflow and the demo's bulk history only."""
    token = _state_changes_allowed.set(True)
    try:
        yield
    finally:
        _state_changes_allowed.reset(token)


def _refuse_state_change(what):
    if not _state_changes_allowed.get():
        raise StateChangeOutsideWorkflow(
            f"{what}: a report's state changes only through reports.reporting.workflow.perform"
        )


def entry_url(department, form, month, name="report_entry"):
    """The address of a department's report of a form for a month (its entry page, or `name`'s page)."""
    return reverse(name, args=[department.code, form.code, month.year, month.month])


class MonthlyReportQuerySet(models.QuerySet):
    def for_user(self, user):
        """The reports a user may read (reports.permissions decides)."""
        from reports.permissions import reports_user_may_read  # here: the policy imports the models

        return reports_user_may_read(user, self)

    def in_months(self, first, last):
        return self.filter(month__gte=first, month__lte=last)

    def update(self, **kwargs):
        if "state" in kwargs:
            _refuse_state_change("MonthlyReport.objects.update(state=...)")
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if any(o.state != ReportState.NOT_STARTED for o in objs):
            _refuse_state_change("MonthlyReport.objects.bulk_create() with a state")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if "state" in fields:
            _refuse_state_change("MonthlyReport.objects.bulk_update(['state'])")
        return super().bulk_update(objs, fields, *args, **kwargs)


class MonthlyReport(models.Model):
    """One department's figures for one month: the unit of submission and review.

    A month with no row is 未填报 (not started). `version` grows with every
    change so that a save made on stale data is refused (see services).
    """

    department = models.ForeignKey(
        "metrics.Department", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="reports"
    )
    form = models.ForeignKey("metrics.Form", verbose_name=_("报表"), on_delete=models.PROTECT, related_name="reports")
    month = models.DateField(_("月份"))
    state = models.CharField(_("状态"), max_length=12, choices=ReportState.choices, default=ReportState.NOT_STARTED)
    version = models.PositiveIntegerField(_("版本"), default=0)
    return_reason = models.TextField(_("退回原因"), blank=True)
    first_submitted_at = models.DateTimeField(_("首次上报时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "reports.User", verbose_name=_("上报人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set by the daily overdue task (reports.notifications.reminders) once the deadline passed unsubmitted.
    overdue_at = models.DateTimeField(_("逾期标记时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "reports.User", verbose_name=_("审核人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "department__order"]
        verbose_name = _("月报")
        verbose_name_plural = _("月报")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "department", "month"], name="monthlyreport_unique_form_department_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="monthlyreport_month_first_day"),
        ]
        indexes = [models.Index(fields=["state", "month"], name="monthlyreport_state_month_idx")]

    def __str__(self):
        return f"{self.department} {self.form.name} {self.month:%Y年%m月}"

    def save(self, *args, **kwargs):
        stored = getattr(self, "_stored_state", ReportState.NOT_STARTED)
        # None: loaded with the state deferred, so there is nothing to compare with.
        if stored is not None and self.state != stored:
            _refuse_state_change(f"MonthlyReport.save() from {stored} to {self.state}")
        super().save(*args, **kwargs)
        self.mark_stored()

    def get_absolute_url(self):
        return entry_url(self.department, self.form, self.month)

    @classmethod
    def from_db(cls, db, field_names, values):
        report = super().from_db(db, field_names, values)
        report.mark_stored()
        return report

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self.mark_stored()

    def mark_stored(self):
        """Remember the state as stored, so that save() can tell a change of state."""
        self._stored_state = self.__dict__.get("state")

    @staticmethod
    def deadline_of(month, form):
        """The last day to submit `month`'s report of `form`: the form's deadline day of the following month."""
        return periods.deadline(month, form.deadline_day)

    @property
    def deadline(self):
        return self.deadline_of(self.month, self.form)

    @property
    def is_editable(self):
        return self.state in EDITABLE_STATES

    @property
    def is_locked(self):
        return self.state == ReportState.APPROVED

    def is_overdue(self, today=None):
        """Past the deadline and never submitted (an approved import without a submission is not)."""
        today = today or periods.today()
        return self.first_submitted_at is None and self.state not in REPORTED_STATES and today > self.deadline

    @property
    def submitted_late(self):
        """First submitted after the deadline (stays visible after approval)."""
        return self.first_submitted_at is not None and timezone.localdate(self.first_submitted_at) > self.deadline

    def is_late(self, today=None):
        return self.submitted_late or self.is_overdue(today)


class ReportAction(models.TextChoices):
    SAVE = "save", _("保存")
    SUBMIT = "submit", _("上报")
    RETURN = "return", _("退回")
    APPROVE = "approve", _("审核通过")
    REOPEN = "reopen", _("重新打开")
    WITHDRAW = "withdraw", _("撤回")
    IMPORT = "import", _("Excel 导入")
    HISTORIC = "historic", _("历史数据导入")


class ReportEvent(models.Model):
    """One change of a report (a save or a state change): who, when, from, to, comment, resulting version."""

    report = models.ForeignKey(MonthlyReport, verbose_name=_("月报"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=10, choices=ReportAction.choices)
    from_state = models.CharField(_("原状态"), max_length=12, choices=ReportState.choices)
    to_state = models.CharField(_("新状态"), max_length=12, choices=ReportState.choices)
    user = models.ForeignKey(
        "reports.User", verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    comment = models.TextField(_("说明"), blank=True)
    version = models.PositiveIntegerField(_("版本"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("月报记录")
        verbose_name_plural = _("月报记录")
        indexes = [models.Index(fields=["report", "version"], name="reportevent_report_version_idx")]

    def __str__(self):
        return f"{self.report} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class ReportChase(models.Model):
    """A reviewer's 催报 of one late report: who, when (its clerks are told by the notifications)."""

    report = models.ForeignKey(MonthlyReport, verbose_name=_("月报"), on_delete=models.CASCADE, related_name="chases")
    user = models.ForeignKey("reports.User", verbose_name=_("催报人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("催报时间"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")
        indexes = [models.Index(fields=["report", "at"], name="reportchase_report_at_idx")]

    def __str__(self):
        return f"{self.report} 催报 {self.at:%Y-%m-%d %H:%M}"


class ValueComment(models.Model):
    """A reviewer's comment on one value of a report, and whether the value is 待核实 (follow-up).

    Append-only: each comment is a row, so the history keeps every one; the latest row of a
    (report, indicator) is what the clerk sees beside the box and whether the value is uncertain.
    """

    report = models.ForeignKey(
        MonthlyReport, verbose_name=_("月报"), on_delete=models.CASCADE, related_name="value_comments"
    )
    indicator = models.ForeignKey(
        "metrics.Indicator", verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("审核意见"), blank=True)
    follow_up = models.BooleanField(_("待核实"), default=False)
    user = models.ForeignKey("reports.User", verbose_name=_("审核人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("数值审核意见")
        verbose_name_plural = _("数值审核意见")
        indexes = [models.Index(fields=["report", "indicator", "at"], name="valuecomment_report_idx")]

    def __str__(self):
        return f"{self.report} {self.indicator_id} {self.at:%Y-%m-%d %H:%M}"
