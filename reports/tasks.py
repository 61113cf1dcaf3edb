"""Celery tasks of the reports app (found by the worker's autodiscovery)."""

from reports.notifications.tasks import mark_overdue_reports, send_deadline_reminders, send_pending_emails  # noqa: F401
from reports.summary.tasks import run_summary_export  # noqa: F401
