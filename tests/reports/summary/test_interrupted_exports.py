"""A worker killed during an export: the export is taken over and finished, or clearly failed
with a reason and a retry button; never left "生成中" for ever."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from reports.models import User
from reports.summary import services, tasks
from reports.summary.demo import DEMO_PERIOD
from reports.summary.models import ExportState, SummaryExport

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return User.objects.get(username="reviewer")


def _running(reviewer, *, started_seconds_ago, format="docx"):
    """An export a worker claimed `started_seconds_ago` and then (as far as anyone knows) died on."""
    export = SummaryExport.objects.create(period=DEMO_PERIOD, format=format, created_by=reviewer)
    started = timezone.now() - datetime.timedelta(seconds=started_seconds_ago)
    SummaryExport.objects.filter(pk=export.pk).update(state=ExportState.RUNNING, progress=40, started_at=started)
    return export


def test_the_export_task_is_acknowledged_late_and_requeued_when_its_worker_dies():
    task = tasks.run_summary_export
    assert task.acks_late and task.reject_on_worker_lost
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] >= 60
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reports.sweep_abandoned_exports" in schedule
    # The sweep waits longer than a redelivery (visibility timeout) plus a lease takes.
    assert (
        settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] + settings.SUMMARY_EXPORT_LEASE_SECONDS
    ) < settings.SUMMARY_EXPORT_ABANDONED_SECONDS


def test_a_redelivered_export_whose_worker_died_is_taken_over_and_finished(reviewer):
    """The dead worker left it running past its lease: the redelivery builds it again, to done."""
    export = _running(reviewer, started_seconds_ago=settings.SUMMARY_EXPORT_LEASE_SECONDS + 5)
    tasks.run_summary_export.apply(args=[export.pk])
    export.refresh_from_db()
    assert export.state == ExportState.DONE, export.error
    assert export.progress == 100 and export.file


def test_a_duplicate_delivery_leaves_a_live_export_alone(reviewer):
    """Within its lease a running export belongs to the worker building it: run_export does nothing."""
    export = _running(reviewer, started_seconds_ago=1)
    services.run_export(export_id=export.pk)
    export.refresh_from_db()
    assert (export.state, export.progress) == (ExportState.RUNNING, 40)
    assert services.running_elsewhere(export.pk)


def test_an_export_that_keeps_its_lease_ends_failed_after_the_retries(reviewer, settings):
    """A delivery that finds the export held retries later; the last retry fails it rather than leave it running."""
    settings.SUMMARY_EXPORT_LEASE_SECONDS = 3600
    export = _running(reviewer, started_seconds_ago=1)
    last = tasks.run_summary_export.max_retries
    tasks.run_summary_export.apply(args=[export.pk], retries=last)
    export.refresh_from_db()
    assert export.state == ExportState.FAILED
    assert "导出中断" in export.error and "重试" in export.error
    assert export.finished_at is not None


def test_the_sweep_fails_exports_abandoned_for_good_and_nothing_else(reviewer):
    abandoned = _running(reviewer, started_seconds_ago=settings.SUMMARY_EXPORT_ABANDONED_SECONDS + 60)
    live = _running(reviewer, started_seconds_ago=10)
    queued = SummaryExport.objects.create(period=DEMO_PERIOD, format="xlsx", created_by=reviewer)
    assert tasks.sweep_abandoned_exports.apply().get() == 1
    states = dict(SummaryExport.objects.values_list("pk", "state"))
    assert states[abandoned.pk] == ExportState.FAILED
    assert states[live.pk] == ExportState.RUNNING
    assert states[queued.pk] == ExportState.QUEUED


def test_an_interrupted_export_shows_its_reason_and_a_retry_button(reviewer, client):
    export = _running(reviewer, started_seconds_ago=settings.SUMMARY_EXPORT_ABANDONED_SECONDS + 60)
    services.sweep_abandoned_exports()
    client.force_login(reviewer)
    page = client.get(reverse("summary_preview", args=[DEMO_PERIOD])).content.decode()
    assert "导出中断" in page
    assert reverse("summary_retry", args=[export.pk]) in page
    response = client.post(reverse("summary_retry", args=[export.pk]))
    assert response.status_code == 302
    retried = SummaryExport.objects.get(retry_of=export)
    assert retried.state in (ExportState.QUEUED, ExportState.DONE)
