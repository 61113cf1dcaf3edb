"""Reminders through a real Celery worker and Redis (run by .ci/run's worker step; skipped elsewhere).

The worker is another process: it sees only committed rows (transactional tests),
sends e-mail with the file-based backend into the directory the tests read, and
returns results through the Redis result backend.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

from reports.demo import JULY_TOWNS_DRAFT, JULY_TOWNS_NOT_STARTED
from reports.models import User
from reports.notifications import tasks
from reports.notifications.models import Notification, NotificationKind
from reports.permissions import users_who_may_review
from reports.reporting.models import MonthlyReport
from zhengfa.celery import app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TIMEOUT = 90


@pytest.fixture
def worker(worker_broker, demo):
    assert app.control.ping(timeout=5), f"no Celery worker answers on {worker_broker}"
    assert settings.CELERY_RESULT_BACKEND, "the worker step sets CELERY_RESULT_BACKEND (see .ci/worker)"
    # The test process itself mails to locmem (pytest-django); the worker uses the environment's backend.
    assert os.environ.get("EMAIL_BACKEND", "").endswith("filebased.EmailBackend"), "the worker mails to files"
    for user in User.objects.all():
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])


def sent_emails():
    """Messages the worker has written (the file-based backend separates them with a line of dashes)."""
    folder = Path(settings.EMAIL_FILE_PATH)
    if not folder.exists():
        return []
    return [
        line
        for path in sorted(folder.glob("*.log"))
        for line in path.read_text().splitlines()
        if line.startswith("To: ")
    ]


def test_reminders_and_overdue_notices_run_on_the_worker_and_never_twice(worker):
    """Each task sends its notifications and e-mails once; run again, on the worker, it sends nothing."""
    emails_before = len(sent_emails())
    # load_demo reminded on the demo's day (3 August); take those back, this test sends them on the worker.
    Notification.objects.filter(kind=NotificationKind.REMINDER).delete()

    # Not submitted in July: seven departments and five towns (three drafts, two not started).
    waiting = {"justice", "zfw", "petition", "emergency", "education", "transport", "market"}
    waiting |= {*JULY_TOWNS_DRAFT, *JULY_TOWNS_NOT_STARTED}
    assert tasks.send_deadline_reminders.delay("2023-08-03").get(timeout=TIMEOUT) == len(waiting)
    reminders = Notification.objects.filter(kind=NotificationKind.REMINDER)
    assert reminders.count() == len(waiting) and not reminders.filter(emailed_at__isnull=True).exists()
    assert len(sent_emails()) == emails_before + len(waiting)
    assert "To: clerk_education@example.gov.cn" in sent_emails()

    assert tasks.send_deadline_reminders.delay("2023-08-03").get(timeout=TIMEOUT) == 0
    assert reminders.count() == len(waiting) and len(sent_emails()) == emails_before + len(waiting)

    # Overdue: never submitted (justice submitted in time and was returned), told to their clerks and reviewers.
    overdue = waiting - {"justice"}
    reviewers = users_who_may_review().count()
    assert tasks.mark_overdue_reports.delay("2023-08-06").get(timeout=TIMEOUT) == len(overdue) + reviewers
    marked = set(MonthlyReport.objects.filter(overdue_at__isnull=False).values_list("department__code", flat=True))
    assert marked == overdue
    assert tasks.mark_overdue_reports.delay("2023-08-06").get(timeout=TIMEOUT) == 0
    sent = len(waiting) + len(overdue) + reviewers
    kinds = [NotificationKind.REMINDER, NotificationKind.OVERDUE, NotificationKind.OVERDUE_SUMMARY]
    assert Notification.objects.filter(kind__in=kinds).count() == sent
    assert len(sent_emails()) == emails_before + sent

    # Queued twice more the next day (beat and a manual run): nothing new.
    results = [tasks.send_deadline_reminders.delay("2023-08-04"), tasks.send_deadline_reminders.delay("2023-08-04")]
    assert [r.get(timeout=TIMEOUT) for r in results] == [0, 0]
    assert len(sent_emails()) == emails_before + sent


def test_the_worker_runs_the_tasks_beat_schedules(worker):
    """Every task in CELERY_BEAT_SCHEDULE is registered on the worker."""
    registered = {name for names in (app.control.inspect(timeout=5).registered() or {}).values() for name in names}
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= registered, scheduled - registered
