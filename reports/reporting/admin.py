"""The monthly reports in the admin: read-only, since states change only through the workflow."""

from django.contrib import admin

from reports.reporting.models import MonthlyReport, ReportChase, ReportEvent, ValueComment
from zhengfa.admin_readonly import ReadOnlyAdminMixin


class ReportEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReportEvent
    extra = 0
    readonly_fields = ["action", "from_state", "to_state", "user", "at", "comment", "version"]


class ReportChaseInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReportChase
    extra = 0
    readonly_fields = ["user", "at"]


class ValueCommentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ValueComment
    extra = 0
    readonly_fields = ["indicator", "text", "follow_up", "user", "at"]


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: states change only through reports.reporting.workflow (review pages), so every change is logged."""

    list_display = ["department", "month", "state", "version", "first_submitted_at", "approved_at"]
    list_filter = ["state", "department"]
    date_hierarchy = "month"
    inlines = [ReportEventInline, ReportChaseInline, ValueCommentInline]
