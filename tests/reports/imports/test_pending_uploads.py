"""Uploaded workbooks not committed: at most IMPORT_PENDING_PER_USER per user, and the beat sweep
deletes those older than a day; committed batches stay as the record."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from reports.imports import services, tasks
from reports.imports.models import ImportBatch
from reports.models import User
from tests.factories import department_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(demo):
    return User.objects.get(username="clerk_police")


@pytest.fixture
def workbook_bytes(clerk):
    return services.template_for(department=clerk.department, form=department_form(clerk.department), year=2023)


def _upload(user, data, name="police.xlsx"):
    batch, _plan = services.upload_workbook(user=user, filename=name, data=data)
    return batch


def test_a_user_keeps_at_most_the_quota_of_uncommitted_uploads_the_oldest_go(clerk, workbook_bytes, settings):
    settings.IMPORT_PENDING_PER_USER = 3
    other = User.objects.get(username="clerk_court")
    theirs = ImportBatch.objects.create(
        user=other, department=other.department, year=2023, filename="court.xlsx", content=b"x", sha256="0" * 64
    )
    done = _upload(clerk, workbook_bytes, "committed.xlsx")
    ImportBatch.objects.filter(pk=done.pk).update(committed_at=timezone.now())
    uploads = [_upload(clerk, workbook_bytes, f"{n}.xlsx") for n in range(5)]
    pending = ImportBatch.objects.filter(user=clerk, committed_at__isnull=True)
    assert sorted(pending.values_list("pk", flat=True)) == [b.pk for b in uploads[-3:]]
    assert ImportBatch.objects.filter(pk__in=[theirs.pk, done.pk]).count() == 2  # others' and committed stay


def test_the_sweep_deletes_uploads_never_committed_within_a_day_and_nothing_else(clerk, workbook_bytes):
    old, fresh, committed = (_upload(clerk, workbook_bytes, f"{n}.xlsx") for n in ("old", "fresh", "committed"))
    long_ago = timezone.now() - datetime.timedelta(hours=settings.IMPORT_PENDING_HOURS, minutes=1)
    ImportBatch.objects.filter(pk__in=[old.pk, committed.pk]).update(created_at=long_ago)
    ImportBatch.objects.filter(pk=committed.pk).update(committed_at=long_ago)
    assert tasks.sweep_uncommitted_uploads.delay().get() == 1
    assert set(ImportBatch.objects.values_list("pk", flat=True)) >= {fresh.pk, committed.pk}
    assert not ImportBatch.objects.filter(pk=old.pk).exists()


def test_the_sweep_is_on_the_beat_schedule():
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks.sweep_uncommitted_uploads.name in tasks_scheduled
