"""Two people saving the same report at once: one wins, the other is told what changed; nothing is lost."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from metrics.models import DataValue
from reports.reporting import workflow
from reports.reporting.errors import StaleReport
from reports.reporting.models import MonthlyReport, ReportAction, ReportEvent
from reports.reporting.workflow import get_or_create_report

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

MONTH = datetime.date(2023, 8, 1)


def test_concurrent_saves_on_the_same_version_one_wins_one_is_refused(unit):
    report = get_or_create_report(department=unit["department"], form=unit["form"], month=MONTH)
    workflow.perform(ReportAction.SAVE, report=report, user=unit["clerk"], values={"t.received": Decimal(10)})
    assert report.version == 1
    barrier = threading.Barrier(2)
    outcomes = {}

    def save(name, user, values):
        try:
            barrier.wait()
            workflow.perform(
                ReportAction.SAVE, report=MonthlyReport.objects.get(pk=report.pk), user=user, values=values, version=1
            )
            outcomes[name] = "saved"
        except StaleReport as error:
            outcomes[name] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=("clerk", unit["clerk"], {"t.received": Decimal(11)})),
        threading.Thread(target=save, args=("admin", unit["admin"], {"t.received": Decimal(12)})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(v == "saved" for v in outcomes.values()) == [False, True]
    winner = next(name for name, v in outcomes.items() if v == "saved")
    loser = next(v for v in outcomes.values() if v != "saved")
    expected = Decimal(11) if winner == "clerk" else Decimal(12)
    assert DataValue.objects.get(indicator__code="t.received", month=MONTH).value == expected
    assert [c.new_value for c in loser.changes] == [expected]
    report.refresh_from_db()
    assert report.version == 2
    assert ReportEvent.objects.filter(report=report).count() == 2
    assert DataValue.history.filter(indicator__code="t.received").count() == 2
