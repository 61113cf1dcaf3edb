from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, MonthlyReport, ReportEvent, User
from .tokens import issue


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created here; the secret is shown once, in a message, and only its hash is kept."""

    list_display = ["name", "user", "prefix", "active", "created_at", "last_used_at"]
    list_filter = ["active"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["name", "user", "active", "prefix", "created_at", "last_used_at"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        raw = None if change else issue(obj)
        super().save_model(request, obj, form, change)
        if raw:
            self.message_user(
                request,
                _(
                    "接口令牌已创建：%(token)s 。请立即复制保存，此后无法再次查看；"
                    "调用时发送请求头 Authorization: Bearer <令牌>。"
                )
                % {"token": raw},
                messages.WARNING,
            )


# Notifications and import batches register themselves (read-only) in their package.
from .notifications import admin as _notification_admin  # noqa: E402, F401
