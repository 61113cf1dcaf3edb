"""The monthly rollup follows every write to the values table, whatever the writer."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from metrics import rollup
from metrics.aggregation import summarize
from metrics.derived import MonthlyRollup
from metrics.models import DataValue, Kind, Status
from metrics.periods import Period
from tests.factories import DataValueFactory, DepartmentFactory, IndicatorFactory

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = (datetime.date(2023, m, 1) for m in (1, 2, 3))


@pytest.fixture
def flow():
    return IndicatorFactory(kind=Kind.FLOW)


@pytest.fixture
def stock():
    return IndicatorFactory(kind=Kind.STOCK)


def cell(indicator, month):
    return MonthlyRollup.objects.filter(indicator=indicator, month=month).first()


def assert_in_step():
    assert rollup.differences() == {}


def test_insert_adds_to_the_month(flow):
    """A saved value is in its month's sum and count at once; a draft is not."""
    DataValueFactory(indicator=flow, month=JAN, value=5)
    DataValueFactory(indicator=flow, department=DepartmentFactory(), month=JAN, value=7)
    DataValueFactory(indicator=flow, department=DepartmentFactory(), month=JAN, value=100, status=Status.DRAFT)
    row = cell(flow, JAN)
    assert (row.approved_sum, row.approved_count, row.submitted_count) == (12, 2, 0)
    assert_in_step()


def test_update_of_value_and_status(flow):
    """Changing a value or a report's status moves it between the sums."""
    value = DataValueFactory(indicator=flow, month=JAN, value=5, status=Status.SUBMITTED)
    assert (cell(flow, JAN).submitted_sum, cell(flow, JAN).approved_sum) == (5, 0)
    value.value = Decimal("6.5")
    value.save()
    DataValue.objects.filter(pk=value.pk).update(status=Status.APPROVED)
    row = cell(flow, JAN)
    assert (row.approved_sum, row.approved_count, row.submitted_sum, row.submitted_count) == (Decimal("6.5"), 1, 0, 0)
    DataValue.objects.filter(pk=value.pk).update(status=Status.DRAFT)
    assert cell(flow, JAN).approved_count == 0
    assert_in_step()


def test_missing_value_is_not_counted(flow):
    """A blank (NULL) value adds nothing, not even to the count."""
    value = DataValueFactory(indicator=flow, month=JAN, value=None)
    assert cell(flow, JAN) is None
    value.value = 3
    value.save()
    assert cell(flow, JAN).approved_count == 1
    value.value = None
    value.save()
    assert cell(flow, JAN).approved_count == 0
    assert_in_step()


def test_delete_takes_out(flow):
    """Deleting values, one or a queryset, takes them out of the rollup."""
    a = DataValueFactory(indicator=flow, month=JAN, value=5)
    DataValueFactory(indicator=flow, department=DepartmentFactory(), month=JAN, value=7)
    a.delete()
    assert (cell(flow, JAN).approved_sum, cell(flow, JAN).approved_count) == (7, 1)
    DataValue.objects.filter(indicator=flow).delete()
    assert cell(flow, JAN).approved_count == 0
    assert_in_step()


def test_bulk_create_and_queryset_update(flow, stock):
    """bulk_create and QuerySet.update() send no signals but still reach the rollup."""
    departments = [DepartmentFactory() for _ in range(4)]
    DataValue.objects.bulk_create(
        DataValue(indicator=i, department=d, month=m, value=n + 1, status=Status.SUBMITTED)
        for i in (flow, stock)
        for n, d in enumerate(departments)
        for m in (JAN, FEB, MAR)
    )
    assert (cell(flow, FEB).submitted_sum, cell(flow, FEB).submitted_count) == (10, 4)
    assert cell(stock, JAN).counted_continued == 4 and cell(stock, MAR).counted_continued == 0
    DataValue.objects.filter(department=departments[0], month=FEB).update(status=Status.APPROVED)
    assert (cell(flow, FEB).approved_sum, cell(flow, FEB).submitted_sum) == (1, 9)
    assert_in_step()


def test_continued_counts_follow_gaps_and_moves(stock):
    """A department that skips a month breaks the chain; filling the gap or moving a value mends it."""
    d = DepartmentFactory()
    DataValueFactory(indicator=stock, department=d, month=JAN, value=1)
    march = DataValueFactory(indicator=stock, department=d, month=MAR, value=3)
    assert cell(stock, JAN).approved_continued == 0
    DataValue.objects.filter(pk=march.pk).update(month=FEB)
    assert cell(stock, JAN).approved_continued == 1
    DataValue.objects.filter(pk=march.pk).update(status=Status.SUBMITTED)
    assert (cell(stock, JAN).approved_continued, cell(stock, JAN).counted_continued) == (0, 1)
    assert_in_step()


def test_update_of_several_neighbouring_rows_in_one_statement(stock):
    """One UPDATE over adjacent months of a department counts each pair once."""
    d = DepartmentFactory()
    for month in (JAN, FEB, MAR):
        DataValueFactory(indicator=stock, department=d, month=month, status=Status.DRAFT)
    DataValue.objects.filter(indicator=stock).update(status=Status.APPROVED)
    assert cell(stock, JAN).approved_continued == 1 and cell(stock, FEB).approved_continued == 1
    DataValue.objects.filter(indicator=stock, month__gte=FEB).update(status=Status.SUBMITTED)
    assert cell(stock, JAN).approved_continued == 0 and cell(stock, JAN).counted_continued == 1
    assert_in_step()


def test_rolled_back_write_leaves_no_trace(flow):
    """The rollup changes in the writer's transaction: a rollback undoes both."""
    DataValueFactory(indicator=flow, month=JAN, value=5)
    with pytest.raises(RuntimeError), transaction.atomic():
        DataValue.objects.filter(indicator=flow).update(value=50)
        raise RuntimeError
    assert cell(flow, JAN).approved_sum == 5


def test_approval_shows_on_the_next_read(flow):
    """Figures stay live: an approval is in the very next summary."""
    DataValueFactory(indicator=flow, month=JAN, value=5, status=Status.SUBMITTED)
    assert summarize(Period.month(2023, 1), indicators=[flow]).figures[0].value is None
    DataValue.objects.filter(indicator=flow).update(status=Status.APPROVED)
    assert summarize(Period.month(2023, 1), indicators=[flow]).figures[0].value == 5


def test_county_summary_reads_the_rollup_not_the_values(flow, stock):
    """With every department reporting to the period's end, the county's figures come from the rollup."""
    for d in [DepartmentFactory() for _ in range(3)]:
        for month in (JAN, FEB, MAR):
            DataValueFactory(indicator=flow, department=d, month=month, value=2)
            DataValueFactory(indicator=stock, department=d, month=month, value=month.month)
    figures = summarize(Period.quarter(2023, 1), indicators=[flow, stock]).by_code()
    assert figures[flow.code].value == 18 and figures[stock.code].value == 9
    # Proof of where they come from: a rollup changed behind the triggers' back shows.
    MonthlyRollup.objects.filter(month=MAR).update(approved_sum=F("approved_sum") + 100)
    figures = summarize(Period.quarter(2023, 1), indicators=[flow, stock]).by_code()
    assert figures[flow.code].value == 118 and figures[stock.code].value == 109


def test_county_summary_query_count_does_not_depend_on_gaps(flow, stock):
    """Late departments change which indicators read the values, not the number of queries."""
    d = DepartmentFactory()
    for month in (JAN, FEB, MAR):
        DataValueFactory(indicator=stock, department=d, month=month, value=1)
        DataValueFactory(indicator=flow, department=d, month=month, value=1)

    def count():
        with CaptureQueriesContext(connection) as queries:
            summarize(Period.quarter(2023, 1), indicators=[flow, stock])
        return len(queries)

    exact = count()
    DataValueFactory(indicator=stock, department=DepartmentFactory(), month=JAN, value=4)
    assert count() == exact


def test_stock_with_a_late_department_falls_back_exactly(stock):
    """A department missing the last month makes the stock read its last month from the values."""
    early, late = DepartmentFactory(), DepartmentFactory()
    for month in (JAN, FEB, MAR):
        DataValueFactory(indicator=stock, department=early, month=month, value=10)
    DataValueFactory(indicator=stock, department=late, month=JAN, value=4)
    figure = summarize(Period.quarter(2023, 1), indicators=[stock]).figures[0]
    assert figure.value == 14 and figure.sources == 2


def test_rebuild_and_install_are_idempotent(flow):
    """rebuild() recomputes the same rollup; install() leaves present triggers alone."""
    DataValueFactory(indicator=flow, month=JAN, value=5)

    def kept():
        return set(MonthlyRollup.objects.filter(indicator=flow).values_list("month", "approved_sum", "approved_count"))

    before = kept()
    rollup.rebuild()
    assert kept() == before == {(JAN, 5, 1)}
    assert rollup.install(connection) is False
    assert_in_step()


def test_period_under_way_is_exact_from_the_rollup(stock):
    """A quarter reported up to its second month takes that month: no department is late."""
    for d in [DepartmentFactory() for _ in range(2)]:
        for month in (JAN, FEB):
            DataValueFactory(indicator=stock, department=d, month=month, value=month.month)
    MonthlyRollup.objects.filter(month=FEB).update(approved_sum=F("approved_sum") + 100)
    assert summarize(Period.quarter(2023, 1), indicators=[stock]).figures[0].value == 104
