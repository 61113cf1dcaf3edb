"""The workflow's and the imports' writes bump the data version (metrics.versions) when they commit."""

import datetime
from decimal import Decimal

import pytest

from metrics import versions
from reports.imports import historic
from reports.models import User
from reports.reporting import workflow
from reports.reporting.errors import ReportError
from reports.reporting.models import ReportAction
from reports.reporting.workflow import get_or_create_report

pytestmark = pytest.mark.django_db

MONTH = datetime.date(2023, 8, 1)
GOOD = {"t.received": Decimal(12), "t.concluded": Decimal(10), "t.money": Decimal("3.5"), "t.rate": Decimal("98.5")}


def data():
    return versions.current()[versions.DATA]


def test_save_submit_return_approve_each_bump_the_data_version(unit):
    report = get_or_create_report(department=unit["department"], form=unit["form"], month=MONTH)
    steps = [
        (ReportAction.SAVE, unit["clerk"], {"values": GOOD}),
        (ReportAction.SUBMIT, unit["clerk"], {}),
        (ReportAction.RETURN, unit["reviewer"], {"reason": "请核实"}),
        (ReportAction.SUBMIT, unit["clerk"], {}),
        (ReportAction.APPROVE, unit["reviewer"], {}),
    ]
    for action, user, extra in steps:
        before = data()
        workflow.perform(action, report=report, user=user, **extra)
        report.refresh_from_db()
        assert data() > before, action


def test_a_refused_action_leaves_the_data_version_alone(unit):
    report = get_or_create_report(department=unit["department"], form=unit["form"], month=MONTH)
    before = data()
    with pytest.raises(ReportError):
        workflow.perform(ReportAction.APPROVE, report=report, user=unit["reviewer"])
    with pytest.raises(ReportError):
        workflow.perform(ReportAction.SAVE, report=report, user=unit["clerk"], values={"t.received": Decimal(-1)})
    assert data() == before


def test_a_historic_import_bumps_the_data_version(demo):
    admin = User.objects.get(username="admin")
    before = data()
    historic.import_historic_csv(
        data=b"department,indicator,month,value,note\npolice,anti_fraud.cases,2023-08,31,\n", user=admin
    )
    assert data() > before
