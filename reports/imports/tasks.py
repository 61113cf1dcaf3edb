"""Celery tasks of the imports: thin, they call a service (scheduled by CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from reports.imports import services


@shared_task(name="reports.sweep_uncommitted_uploads")
def sweep_uncommitted_uploads():
    """Periodic: delete uploaded workbooks never committed within a day; returns how many."""
    return services.sweep_uncommitted_uploads()
