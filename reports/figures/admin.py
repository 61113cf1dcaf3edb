"""API tokens in the admin."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from reports.figures.models import ApiToken
from reports.figures.tokens import issue


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
