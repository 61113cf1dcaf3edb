"""App configs of the project: the admin with the policy's door; django-axes under Chinese names."""

from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _

MODEL_NAMES = {
    "accessattempt": (_("登录失败计数"), _("登录失败计数")),
    "accessfailurelog": (_("登录失败日志"), _("登录失败日志")),
    "accesslog": (_("登录登出日志"), _("登录登出日志")),
    "accessattemptexpiration": (_("锁定到期时间"), _("锁定到期时间")),
}


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin, its site asking reports.permissions who may enter."""

    default_site = "zhengfa.admin.AdminSite"


class AxesConfig(AxesAppConfig):
    """django-axes, its models named in Chinese (it ships no zh-hans translation)."""

    verbose_name = _("登录安全")

    def ready(self):
        super().ready()
        for model in self.get_models():
            names = MODEL_NAMES.get(model._meta.model_name)
            if names:
                model._meta.verbose_name, model._meta.verbose_name_plural = names
