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


# --- every registered ModelAdmin, walked ----------------------------------------------------------

# What only the workflow writes: a figure, its status and history; a report's state; its events.
WORKFLOW_MODELS = {DataValue, MonthlyReport, ReportEvent}


def _cascades_into(model, seen=None):
    """The models a delete of `model` removes rows of (on_delete=CASCADE, followed transitively)."""
    seen = set() if seen is None else seen
    for relation in model._meta.related_objects:
        if relation.on_delete is not None and relation.on_delete.__name__ == "CASCADE":
            target = relation.related_model
            if target not in seen:
                seen.add(target)
                _cascades_into(target, seen)
    return seen


def _request(rf, user):
    request = rf.get("/admin/")
    request.user = user
    return request


def test_every_admin_form_leaves_values_and_states_read_only(superuser, rf):
    """Walks every registered ModelAdmin, its change form and its inlines: none can add, change or delete
    a figure, a status or an event, no action can, and no delete it offers cascades into them."""
    request = _request(rf, superuser)
    walked = set()
    for model, model_admin in admin.site._registry.items():
        obj = model._default_manager.first()
        admins = [model_admin, *model_admin.get_inline_instances(request, obj)]
        for each in admins:
            walked.add(each.model)
            if each.model in WORKFLOW_MODELS:
                assert not each.has_add_permission(request, obj), each
                assert not each.has_change_permission(request, obj), each
                assert not each.has_delete_permission(request, obj), each
        if model in WORKFLOW_MODELS:
            assert not model_admin.get_actions(request), f"{model.__name__} admin offers actions"
            continue
        # The change form of any other model edits that model's own fields only.
        form = model_admin.get_form(request, obj, change=obj is not None)
        assert {f.model for f in model._meta.concrete_fields if f.name in form.base_fields} <= {model}
        if model_admin.has_delete_permission(request, obj):
            reach = _cascades_into(model) & WORKFLOW_MODELS
            assert not reach, f"deleting a {model.__name__} in the admin would delete {reach}"
    assert {DataValue, MonthlyReport, ReportEvent} <= walked  # the walk saw them (the test can fail)


def test_posting_hostile_values_to_every_admin_page_changes_no_value_or_status(superuser, client):
    """Every registered ModelAdmin's add and change form, POSTed with a value, a status and a state:
    not one figure, status, report state, event or history record changes."""
    hostile = {"value": "777", "status": "approved", "state": "approved", "version": "99", "note": "admin"}
    before = _snapshot()
    for model, _model_admin in admin.site._registry.items():
        opts = model._meta
        obj = model._default_manager.first()
        urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_add")]
        if obj is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        for url in urls:
            response = client.post(url, hostile)
            assert response.status_code in (200, 302, 403), (url, response.status_code)
    assert _snapshot() == before
