"""The heartbeat: beat queues it every HEALTH_BEAT_SECONDS, a worker runs it, and its TaskRun row
(written by signals.record_run like every scheduled task's) shows that both are alive."""

from celery import shared_task

HEARTBEAT = "reports.operations.heartbeat"


@shared_task(name=HEARTBEAT, ignore_result=True)
def heartbeat():
    """Nothing to do: finishing is the message (signals.record_run writes the time)."""
    return True
