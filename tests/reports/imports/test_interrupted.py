"""An import interrupted midway (a crash between two months' writes) leaves nothing half-applied:
no figure, no report state, no history, and the batch can still be committed afterwards."""

import io
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from metrics.models import DataValue
from reports.imports import historic, services, workbook
from reports.models import User
from reports.reporting import workflow
from reports.reporting.models import MonthlyReport
from tests.factories import department_form

pytestmark = pytest.mark.django_db(transaction=True)

AUGUST, SEPTEMBER = 8, 9
FIGURES = {("anti_fraud.cases", AUGUST): 31, ("anti_fraud.cases", SEPTEMBER): 29, ("anti_fraud.losses", AUGUST): 88.5}


def _filled_workbook(department):
    """police's 2023 workbook with August and September (not yet reported) filled in."""
    content = services.template_for(department=department, form=department_form(department), year=2023)
    book = load_workbook(io.BytesIO(content))
    sheet = book[workbook.SHEET_TITLE]
    rows = {sheet.cell(r, 1).value: r for r in range(workbook.FIRST_DATA_ROW, sheet.max_row + 1)}
    for (code, month), value in FIGURES.items():
        sheet.cell(rows[code], workbook.FIRST_MONTH_COLUMN + month - 1, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _snapshot(department):
    return (
        sorted(DataValue.objects.filter(department=department, month__year=2023).values_list("pk", "value", "status")),
        sorted(MonthlyReport.objects.filter(department=department, month__year=2023).values_list("month", "state")),
        DataValue.history.filter(department=department).count(),
    )


@pytest.fixture
def upload(demo):
    clerk = User.objects.get(username="clerk_police")
    data = _filled_workbook(clerk.department)
    batch, plan = services.upload_workbook(user=clerk, filename="police-2023.xlsx", data=data)
    assert plan.ok and len(plan.by_month()) >= 2, plan.counts
    return clerk, batch, plan


def _crash_on_second_month(message="worker lost between two months"):
    """Patch the workflow so that the second month an import writes fails; (patch, months written)."""
    real = workflow.perform
    calls = []

    def flaky(action, **kwargs):
        calls.append(kwargs["report"].month)
        if len(calls) == 2:
            raise RuntimeError(message)
        return real(action, **kwargs)

    return mock.patch.object(workflow, "perform", side_effect=flaky), calls


def test_a_crash_between_two_months_writes_nothing(upload):
    clerk, batch, plan = upload
    before = _snapshot(clerk.department)
    patch, calls = _crash_on_second_month()
    with patch, pytest.raises(RuntimeError):
        services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    assert len(calls) == 2, "the first month was written before the crash"
    assert _snapshot(clerk.department) == before
    batch.refresh_from_db()
    assert batch.committed_at is None

    # Nothing was half-applied, so the same preview commits cleanly afterwards.
    services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    value = DataValue.objects.get(department=clerk.department, month="2023-09-01", indicator__code="anti_fraud.cases")
    assert value.value == 29


def test_a_crash_during_the_commit_request_is_an_error_page_and_nothing_written(upload):
    clerk, batch, plan = upload
    before = _snapshot(clerk.department)
    client = Client(raise_request_exception=False)
    client.force_login(clerk)
    patch, _calls = _crash_on_second_month()
    with patch:
        response = client.post(reverse("import_commit", args=[batch.pk]), {"fingerprint": plan.fingerprint})
    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()
    assert _snapshot(clerk.department) == before


def test_a_historic_csv_interrupted_midway_writes_nothing(demo):
    admin = User.objects.get(username="admin")
    police = admin.__class__.objects.get(username="clerk_police").department
    data = (
        b"department,indicator,month,value,note\n"
        b"police,anti_fraud.cases,2023-08,31,\n"
        b"police,anti_fraud.cases,2023-09,29,\n"
        b"police,anti_fraud.cases,2023-10,27,\n"
    )
    before = _snapshot(police)
    patch, calls = _crash_on_second_month("database went away")
    with patch, pytest.raises(RuntimeError):
        historic.import_historic_csv(data=data, user=admin)
    assert len(calls) == 2
    assert _snapshot(police) == before
