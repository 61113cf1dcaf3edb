"""Celery tasks of the reports app (found by the worker's autodiscovery)."""

from .notifications.tasks import mark_overdue_reports, send_deadline_reminders, send_pending_emails  # noqa: F401
from .summary.tasks import run_summary_export  # noqa: F401
