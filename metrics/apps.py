from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_rollup(sender, using, **kwargs):
    from django.db import connections

    from . import rollup, versions

    rollup.install(connections[using])
    versions.install(connections[using])


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("指标与数据")

    def ready(self):
        # The rollup's and the versions' triggers are (re)created after every migrate: see
        # metrics/rollup.py and metrics/versions.py.
        post_migrate.connect(_install_rollup, sender=self, dispatch_uid="metrics_install_rollup")
