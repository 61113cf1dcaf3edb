"""Bearer tokens for the JSON API."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(active=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for machine access to the JSON API, acting as its user (and with their permissions).

    Only a SHA-256 hash of the token is stored; the token itself is shown
    once, when it is created (reports.figures.tokens; in the admin, as a message).
    """

    name = models.CharField(_("名称"), max_length=80, help_text=_("用途，例如“大数据中心同步”。"))
    user = models.ForeignKey(
        "reports.User", verbose_name=_("代表用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(_("前缀"), max_length=12, editable=False, help_text=_("令牌的前几位，用于辨认。"))
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"
