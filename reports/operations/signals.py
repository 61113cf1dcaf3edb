"""Celery signals, connected in every process (reports.apps): one JSON log line per task, and the
TaskRun row of every scheduled task, which the health checks read."""

import logging
import time

from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from reports.operations.models import TaskRun
from reports.operations.schedule import scheduled_tasks

log = logging.getLogger("zhengfa.tasks")
_started = {}


@task_prerun.connect(dispatch_uid="zhengfa_task_started")
def task_started(task_id=None, **kwargs):
    _started[task_id] = time.monotonic()


@task_postrun.connect(dispatch_uid="zhengfa_task_finished")
def task_finished(task_id=None, task=None, state=None, **kwargs):
    """Log the task (name, state, duration; never its arguments), and record a scheduled task's run."""
    started = _started.pop(task_id, None)
    duration = round((time.monotonic() - started) * 1000, 1) if started is not None else None
    log.info("task", extra={"task": task.name, "status": state, "duration_ms": duration})
    if task.name in scheduled_tasks(settings.CELERY_BEAT_SCHEDULE):
        try:
            TaskRun.objects.update_or_create(
                task=task.name, defaults={"finished_at": timezone.now(), "succeeded": state == "SUCCESS"}
            )
        except DatabaseError:
            # The database is down: the health check says so; the task's own outcome stands.
            log.warning("task run not recorded", extra={"task": task.name})
