"""The admin reads reports, their events and data values, and changes none of them: the workflow owns them."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from metrics.models import DataValue
from reports.models import User
from reports.reporting.models import MonthlyReport, ReportEvent

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2023, 6, 1)
OWNED_BY_THE_WORKFLOW = [DataValue, MonthlyReport]  # events show inline on the report, read-only


@pytest.fixture
def superuser(demo, client):
    user = User.objects.get(username="admin")
    user.is_superuser = user.is_staff = True
    user.save(update_fields=["is_superuser", "is_staff"])
    client.force_login(user)
    return user


def _snapshot():
    return (
        list(DataValue.objects.order_by("pk").values_list("value", "status", "note")),
        list(MonthlyReport.objects.order_by("pk").values_list("state", "version")),
        ReportEvent.objects.count(),
        DataValue.history.count(),
    )


@pytest.mark.parametrize("model", OWNED_BY_THE_WORKFLOW, ids=lambda m: m.__name__)
def test_no_admin_form_can_add_change_or_delete(superuser, client, model):
    model_admin = admin.site._registry[model]
    request = type("Request", (), {"user": superuser})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_posting_to_the_admin_changes_no_value_and_no_status(superuser, client):
    value = DataValue.objects.filter(month=JUNE, value__isnull=False).first()
    report = MonthlyReport.objects.get(department=value.department, month=JUNE)
    before = _snapshot()
    opts = DataValue._meta
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[value.pk])
    assert client.get(change).status_code == 200  # it can be read
    hostile = {"indicator": value.indicator_id, "department": value.department_id, "month": "2023-06-01"}
    assert client.post(change, {**hostile, "value": "777", "status": "approved"}).status_code == 403
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert client.post(add, {**hostile, "month": "2023-05-01", "value": "1"}).status_code == 403
    delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[value.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    record = value.history.order_by("history_id").first()
    revert = reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[value.pk, record.history_id])
    assert client.post(revert, {**hostile, "value": "777"}).status_code == 403
    ropts = MonthlyReport._meta
    report_change = reverse(f"admin:{ropts.app_label}_{ropts.model_name}_change", args=[report.pk])
    assert client.post(report_change, {"state": "draft", "version": "0"}).status_code == 403
    assert _snapshot() == before
