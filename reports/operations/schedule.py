"""The beat schedule seen from the health checks: which tasks it runs, and whether a run is late."""

import datetime

from celery.schedules import maybe_schedule
from django.utils.translation import gettext_lazy as _

from reports.operations.tasks import HEARTBEAT

# What each scheduled task does, for the reviewers' page (keyed by task name).
LABELS = {
    HEARTBEAT: _("心跳（确认定时器与后台进程在运行）"),
    "reports.notifications.tasks.send_deadline_reminders": _("截止前提醒未报单位"),
    "reports.notifications.tasks.mark_overdue_reports": _("标记逾期月报并通知审核员"),
    "reports.notifications.tasks.send_pending_emails": _("重发失败的通知邮件"),
    "reports.sweep_abandoned_exports": _("清理无人处理的导出任务"),
    "reports.sweep_uncommitted_uploads": _("删除一天前未确认写入的导入文件"),
}


def scheduled_tasks(beat_schedule):
    """{task name: celery schedule} of CELERY_BEAT_SCHEDULE (a task scheduled twice keeps its first)."""
    result = {}
    for entry in beat_schedule.values():
        result.setdefault(entry["task"], maybe_schedule(entry["schedule"]))
    return result


def is_late(schedule, last_run, grace):
    """Whether the run after `last_run` should have happened more than `grace` seconds ago (celery's clock)."""
    return schedule.remaining_estimate(last_run) < -datetime.timedelta(seconds=grace)
