from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("报送与审核")

    def ready(self):
        # The notifications listen to the workflow's signal.
        from reports.notifications import receivers  # noqa: F401
