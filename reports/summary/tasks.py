"""Celery tasks of the summary exports: thin, take an id and call the service."""

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import connection

from reports.summary import services


@shared_task(
    bind=True,
    name="reports.run_summary_export",
    # Acknowledged only when done, and requeued if the worker process dies mid-export:
    # the next delivery takes the export over once its lease lapses (services._claim).
    acks_late=True,
    reject_on_worker_lost=True,
    # While another delivery's heartbeat renews the lease, that worker is alive and building the
    # export: look again, however long it takes. A dead worker's lease lapses within seconds.
    max_retries=None,
)
def run_summary_export(self, export_id):
    """Build one queued export (Word, PDF or Excel) and store its file or its failure."""
    services.run_export(export_id=export_id)
    if services.running_elsewhere(export_id):
        raise self.retry(countdown=settings.SUMMARY_EXPORT_LEASE_SECONDS + 1)


@shared_task(name="reports.sweep_abandoned_exports")
def sweep_abandoned_exports():
    """Periodic: exports whose worker vanished for good end as failed with a reason."""
    return services.sweep_abandoned_exports()


@worker_ready.connect
def requeue_running_exports(sender=None, **kwargs):
    """A worker starting (perhaps after the whole worker was killed) queues again, on its own first
    queue, the exports left running: they need not wait for the broker's visibility timeout."""
    queues = [queue.name for queue in getattr(getattr(sender, "task_consumer", None), "queues", [])]
    try:
        services.requeue_running_exports(queue=queues[0] if queues else None)
    finally:
        connection.close()  # never hand this process's connection down to forked pool processes
