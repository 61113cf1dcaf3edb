"""The monthly report: one department's figures for one month, and its log of events."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrics import periods


class ReportState(models.TextChoices):
    """A monthly report's place in the workflow; changed only by reports.services."""

    NOT_STARTED = "not_started", _("未填报")
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已上报")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核")


# States in which the department can still change its figures.
EDITABLE_STATES = (ReportState.NOT_STARTED, ReportState.DRAFT, ReportState.RETURNED)
# States that count as "reported" for completeness (DHIS2's "actual reports").
REPORTED_STATES = (ReportState.SUBMITTED, ReportState.APPROVED)


class MonthlyReportQuerySet(models.QuerySet):
    def for_user(self, user):
        """The reports a user may read: a clerk only their department's."""
        if user.sees_all_departments:
            return self
        return self.filter(department_id=user.department_id)

    def in_months(self, first, last):
        return self.filter(month__gte=first, month__lte=last)


class MonthlyReport(models.Model):
    """One department's figures for one month: the unit of submission and review.

    A month with no row is 未填报 (not started). `version` grows with every
    change so that a save made on stale data is refused (see services).
    """

    department = models.ForeignKey(
        "metrics.Department", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="reports"
    )
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
            models.UniqueConstraint(fields=["department", "month"], name="monthlyreport_unique_department_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="monthlyreport_month_first_day"),
        ]
        indexes = [models.Index(fields=["state", "month"], name="monthlyreport_state_month_idx")]

    def __str__(self):
        return f"{self.department} {self.month:%Y年%m月}"

    @staticmethod
    def deadline_of(month):
        """The last day to submit `month`'s report: day REPORT_DEADLINE_DAY of the following month."""
        return periods.deadline(month, settings.REPORT_DEADLINE_DAY)

    @property
    def deadline(self):
        return self.deadline_of(self.month)

    @property
    def is_editable(self):
        return self.state in EDITABLE_STATES

    @property
    def is_locked(self):
        return self.state == ReportState.APPROVED

    def is_overdue(self, today=None):
        """Past the deadline and never submitted (an approved import without a submission is not)."""
        today = today or timezone.localdate()
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
