"""A worker killed during an export: the export is taken over and finished, or clearly failed
with a reason and a retry button; never left "生成中" for ever."""

import datetime
import time
from unittest import mock

import pytest
from celery.exceptions import Retry
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


def test_a_delivery_that_finds_a_live_heartbeat_looks_again_later_and_never_fails_it(reviewer):
    """The export's heartbeat is alive: its worker is building it, however long that takes."""
    export = _running(reviewer, started_seconds_ago=1)
    with mock.patch.object(tasks.run_summary_export, "retry", side_effect=Retry()) as retry, pytest.raises(Retry):
        tasks.run_summary_export.run(export.pk)
    assert retry.call_args.kwargs["countdown"] > settings.SUMMARY_EXPORT_LEASE_SECONDS
    assert tasks.run_summary_export.max_retries is None
    export.refresh_from_db()
    assert (export.state, export.progress) == (ExportState.RUNNING, 40)


# Transactional: the heartbeat writes from its own thread (own connection), as in a worker.
@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_renews_the_lease_while_the_export_is_built(reviewer, settings):
    """A build step longer than the lease (the PDF conversion) keeps the lease: the heartbeat renews it."""
    settings.SUMMARY_EXPORT_HEARTBEAT_SECONDS = 0.05
    export = _running(reviewer, started_seconds_ago=settings.SUMMARY_EXPORT_LEASE_SECONDS + 5)
    assert not services.running_elsewhere(export.pk)  # lapsed: it may be taken over
    with services.Heartbeat(export.pk):
        deadline = time.monotonic() + 10
        while not services.running_elsewhere(export.pk) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert services.running_elsewhere(export.pk), "the heartbeat did not renew the lease"


def test_a_starting_worker_queues_the_running_exports_again(reviewer):
    export = _running(reviewer, started_seconds_ago=settings.SUMMARY_EXPORT_LEASE_SECONDS + 5)
    done = SummaryExport.objects.create(period=DEMO_PERIOD, format="xlsx", created_by=reviewer, state=ExportState.DONE)
    with mock.patch.object(tasks.run_summary_export, "apply_async") as queued:
        tasks.requeue_running_exports(sender=None)
    assert [call.kwargs["args"] for call in queued.call_args_list] == [[export.pk]]
    assert done.pk not in {call.kwargs["args"][0] for call in queued.call_args_list}


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
