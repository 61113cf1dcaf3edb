"""The monthly reports in the admin: read-only, since states change only through the workflow."""

from django.contrib import admin

from reports.reporting.models import MonthlyReport, ReportEvent


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_state", "to_state", "user", "at", "comment", "version"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    """Read-only: states change only through reports.reporting.workflow (review pages), so every change is logged."""

    list_display = ["department", "month", "state", "version", "first_submitted_at", "approved_at"]
    list_filter = ["state", "department"]
    date_hierarchy = "month"
    inlines = [ReportEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
