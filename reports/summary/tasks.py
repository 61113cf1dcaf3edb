"""Celery tasks of the summary exports: thin, take an id and call the service."""

from celery import shared_task
from celery.exceptions import MaxRetriesExceededError
from django.conf import settings

from reports.summary import services


@shared_task(
    bind=True,
    name="reports.run_summary_export",
    # Acknowledged only when done, and requeued if the worker process dies mid-export:
    # the next delivery takes the export over once its lease lapses (services._claim).
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
)
def run_summary_export(self, export_id):
    """Build one queued export (Word, PDF or Excel) and store its file or its failure."""
    services.run_export(export_id=export_id)
    if services.running_elsewhere(export_id):
        # Another delivery holds the lease (a duplicate, or a worker that died): look again
        # when it lapses; after max_retries the export is failed, never left running.
        try:
            raise self.retry(countdown=settings.SUMMARY_EXPORT_LEASE_SECONDS + 1)
        except MaxRetriesExceededError:
            services.fail_interrupted(export_id=export_id)


@shared_task(name="reports.sweep_abandoned_exports")
def sweep_abandoned_exports():
    """Periodic: exports whose worker vanished for good end as failed with a reason."""
    return services.sweep_abandoned_exports()
