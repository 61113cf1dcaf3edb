"""People: users and their roles. What a role may do is reports.permissions' to say.

Each concern's models live in its folder and are registered below.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("填报员")
    REVIEWER = "reviewer", _("审核员")
    LEADER = "leader", _("领导")
    ADMIN = "admin", _("管理员")


class User(AbstractUser):
    """A user with one role; a clerk belongs to exactly one department."""

    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.CLERK)
    department = models.ForeignKey(
        "metrics.Department",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="clerk") | Q(department__isnull=False),
                name="user_clerk_has_department",
                violation_error_message=_("填报员必须属于一个单位。"),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def display_name(self):
        return self.last_name + self.first_name or self.username


# Each concern keeps its models in its own folder; imported here so that Django
# registers them with the reports app (tables stay reports_<model>).
from reports.figures.models import ApiToken  # noqa: E402, F401
from reports.imports.models import ImportBatch  # noqa: E402, F401
from reports.notifications.models import Notification  # noqa: E402, F401
from reports.operations.models import TaskRun  # noqa: E402, F401
from reports.reporting.models import MonthlyReport, ReportEvent  # noqa: E402, F401
from reports.summary.models import SummaryExport, SummaryTemplate, SummaryTemplateVersion  # noqa: E402, F401
