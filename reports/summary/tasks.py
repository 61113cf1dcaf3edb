"""Celery task of the summary exports: thin, takes an id and calls the service."""

from celery import shared_task

from . import services


@shared_task(name="reports.run_summary_export", acks_late=True)
def run_summary_export(export_id):
    """Build one queued export (Word, PDF or Excel) and store its file or its failure."""
    services.run_export(export_id=export_id)
