"""TaskRun: when each scheduled task last finished, written by the worker (see signals.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskRun(models.Model):
    """The last run of one Celery task by name; the heartbeat task's row is beat's pulse."""

    task = models.CharField(_("任务"), max_length=200, unique=True)
    finished_at = models.DateTimeField(_("最近完成时间"))
    succeeded = models.BooleanField(_("是否成功"), default=True)

    class Meta:
        verbose_name = _("后台任务运行记录")
        verbose_name_plural = _("后台任务运行记录")

    def __str__(self):
        return self.task
