"""Celery tasks of the reminders: thin, they take a date and call a service (see reminders.py).

Scheduled by CELERY_BEAT_SCHEDULE in settings; safe to run any number of times.
"""

from celery import shared_task
from django.db import OperationalError

from reports.notifications import chases, reminders, services, transitions

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 3}


@shared_task(**RETRY)
def send_deadline_reminders(today=None):
    """Remind departments that have not submitted; returns how many notifications were new."""
    return len(reminders.send_deadline_reminders(today=reminders.parse_day(today)))


@shared_task(**RETRY)
def mark_overdue_reports(today=None):
    """Mark unsubmitted reports overdue after the deadline, tell reviewers; how many notifications were new."""
    return len(reminders.mark_overdue_reports(today=reminders.parse_day(today)))


@shared_task(**RETRY)
def send_pending_emails():
    """Retry notification e-mails that failed; returns how many went out."""
    return services.send_pending_emails()


@shared_task(**RETRY)
def notify_transition(event_id):
    """Tell reviewers or clerks of a report's transition (queued by the workflow after commit)."""
    return len(transitions.notify_transition(event_id=event_id))


@shared_task(**RETRY)
def notify_chase(chase_id):
    """Tell a late report's clerks of a reviewer's 催报 (queued after the chase's commit)."""
    return len(chases.notify_chase(chase_id=chase_id))
