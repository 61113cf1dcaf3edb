from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from metrics import versions

# The completeness figures count reports' states: a change of a report is a change of the data.
VERSIONED_TABLES = {"reports_monthlyreport": versions.DATA}


def _install_versions(sender, using, **kwargs):
    from django.db import connections

    versions.install(connections[using], VERSIONED_TABLES)


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("报送与审核")

    def ready(self):
        # The notifications listen to the workflow's signal.
        from reports.notifications import receivers  # noqa: F401

        # Task logs and the scheduled tasks' last runs (the health checks), in web and worker alike.
        from reports.operations import signals  # noqa: F401

        # Bumps metrics' data version on every change of a monthly report (metrics/versions.py).
        post_migrate.connect(_install_versions, sender=self, dispatch_uid="reports_install_versions")
