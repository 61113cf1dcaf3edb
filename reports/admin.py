from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import MonthlyReport, ReportEvent, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "department", "is_active"]
    list_filter = ["role", "department", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("报送角色"), {"fields": ("role", "department")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("报送角色"), {"fields": ("role", "department")}),)


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_state", "to_state", "user", "at", "comment", "version"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    """Read-only: states change only through reports.services (review pages), so every change is logged."""

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
