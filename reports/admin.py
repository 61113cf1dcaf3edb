from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "department", "is_active"]
    list_filter = ["role", "department", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("报送角色"), {"fields": ("role", "department")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("报送角色"), {"fields": ("role", "department")}),)
