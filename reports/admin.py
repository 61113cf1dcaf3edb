from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from reports.models import User
from zhengfa.admin import ChinesePermissionsMixin, PasswordChangeForm


@admin.register(User)
class UserAdmin(ChinesePermissionsMixin, BaseUserAdmin):
    change_password_form = PasswordChangeForm
    list_display = ["username", "last_name", "first_name", "role", "department", "is_active"]
    list_filter = ["role", "department", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("报送角色"), {"fields": ("role", "department")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("报送角色"), {"fields": ("role", "department")}),)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ChinesePermissionsMixin, BaseGroupAdmin):
    """Django's group admin, its permissions named in Chinese."""


# Each concern registers its own models (read-only where the workflow owns them).
from reports.figures import admin as _figures_admin  # noqa: E402, F401
from reports.notifications import admin as _notifications_admin  # noqa: E402, F401
from reports.reporting import admin as _reporting_admin  # noqa: E402, F401
