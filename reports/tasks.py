"""Celery tasks of the reports app (found by the worker's autodiscovery)."""

from reports.imports.tasks import sweep_uncommitted_uploads  # noqa: F401
from reports.notifications.tasks import (  # noqa: F401
    mark_overdue_reports,
    notify_transition,
    send_deadline_reminders,
    send_pending_emails,
)
from reports.operations.tasks import heartbeat  # noqa: F401
from reports.summary.tasks import run_summary_export  # noqa: F401
