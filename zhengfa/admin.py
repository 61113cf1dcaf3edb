"""The admin site: who may enter is the permission policy's to say (reports.permissions.can_administer).

It reads as part of the product: Chinese throughout (the strings Django and django-axes leave in
English are translated in locale/, the permission names here) and the product's header and colours
(templates/admin/base_site.html, static/css/admin.css).
"""

from django.contrib import admin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from reports.permissions import can_administer

ACTIONS = {"add": _("可增加"), "change": _("可修改"), "delete": _("可删除"), "view": _("可查看")}


class AdminSite(admin.AdminSite):
    def has_permission(self, request):
        """Only those the policy lets administer the catalogue get in, not any staff user."""
        return can_administer(request.user)


def permission_label(permission):
    """报送与审核 | 用户 | 可修改, not Django's English name (“Can change user”), which is stored untranslated."""
    action = permission.codename.split("_", 1)[0]
    if action not in ACTIONS:
        return str(permission)
    content_type = permission.content_type
    model = content_type.model_class()
    if model is None:
        return str(permission)
    return f"{model._meta.app_config.verbose_name} | {model._meta.verbose_name} | {ACTIONS[action]}"


class ChinesePermissionsMixin:
    """A ModelAdmin mixin: permission choices named by permission_label."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions") and field is not None:
            field.label_from_instance = permission_label
        return field


class PasswordChangeForm(AdminPasswordChangeForm):
    """The admin's password form, its warning in Chinese (Django writes it in English, untranslatable)."""

    usable_password_help_text = _(
        "是否允许该用户用密码登录。"
        '<ul id="id_unusable_warning" class="messagelist"><li class="warning">'
        "禁用后，该用户现有的密码将失效。</li></ul>"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "usable_password" in self.fields:
            self.fields["usable_password"].help_text = self.usable_password_help_text
