"""Notification: one message to one user, shown under the bell and sent by e-mail once."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", _("截止提醒")
    OVERDUE = "overdue", _("逾期通知")
    OVERDUE_SUMMARY = "overdue_summary", _("逾期汇总")
    SUBMITTED = "submitted", _("月报已上报")
    RETURNED = "returned", _("月报被退回")
    APPROVED = "approved", _("月报已审核")
    REOPENED = "reopened", _("月报被重新打开")
    CHASED = "chased", _("催报")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_user(self, user):
        return self.filter(recipient=user)


class Notification(models.Model):
    """A message to one user about one department's (or every department's) month.

    The unique constraints are the idempotency guard of the tasks: a reminder
    task run twice, or a transition's task retried, finds the row already there
    and sends nothing again. Reminders are once per (kind, department, month,
    recipient); a transition's notice once per (event, recipient), since a
    report can be returned more than once; a 催报 once per (chase, recipient).
    """

    kind = models.CharField(_("类型"), max_length=20, choices=NotificationKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    department = models.ForeignKey(
        "metrics.Department",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    month = models.DateField(_("月份"))
    # The workflow event a notification tells of (submitted, returned, approved, reopened); none for reminders.
    event = models.ForeignKey(
        "reports.ReportEvent",
        verbose_name=_("月报记录"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # The reviewer's 催报 a notification tells of; one notice per (chase, recipient).
    chase = models.ForeignKey(
        "reports.ReportChase",
        verbose_name=_("催报记录"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        app_label = "reports"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "department", "month", "recipient"],
                condition=Q(department__isnull=False, event__isnull=True, chase__isnull=True),
                name="notification_once_per_department",
            ),
            # NULL departments never collide in a plain unique constraint; this one covers them.
            models.UniqueConstraint(
                fields=["kind", "month", "recipient"],
                condition=Q(department__isnull=True, event__isnull=True, chase__isnull=True),
                name="notification_once_per_county",
            ),
            models.UniqueConstraint(
                fields=["event", "recipient"], condition=Q(event__isnull=False), name="notification_once_per_event"
            ),
            models.UniqueConstraint(
                fields=["chase", "recipient"], condition=Q(chase__isnull=False), name="notification_once_per_chase"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return f"{self.recipient} · {self.title}"

    @property
    def is_read(self):
        return self.read_at is not None
