"""Periods in progress: figures cover the months up to the 截至 month, 同比 the same months a year earlier,
and each figure says how complete its 截至 month is; checked against the plain-Python reference."""

import datetime
from decimal import Decimal

import pytest

from metrics.aggregation import Scope, summarize
from metrics.models import DataValue, Kind, Status
from metrics.periods import Period, add_months, parse_period
from tests.factories import AreaFactory, DepartmentFactory, IndicatorFactory, RatioFactory, assign
from tests.metrics.test_aggregation import assert_close, reference

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2023, 8, 3)  # the demo's pinned today: July is over, August is not


@pytest.fixture
def tree(db):
    """A unit (parent) with two departments under it, each reporting a flow, a stock, a rate and a base."""
    area = AreaFactory(code="cov")
    parent = DepartmentFactory(code="cov_unit")
    a = DepartmentFactory(code="cov_a", parent=parent)
    b = DepartmentFactory(code="cov_b", parent=parent)
    flow = IndicatorFactory(code="cov.flow", area=area, kind=Kind.FLOW, department=None)
    stock = IndicatorFactory(code="cov.stock", area=area, kind=Kind.STOCK, department=None)
    rate = IndicatorFactory(code="cov.rate", area=area, kind=Kind.RATE, unit="%", decimals=2, department=None)
    base = IndicatorFactory(code="cov.base", area=area, kind=Kind.FLOW, department=None)
    ratio = RatioFactory(code="cov.ratio", area=area, numerator=flow, denominator=base)
    for indicator in (flow, stock, rate, base):
        assign(indicator, a, b)
    return {"parent": parent, "a": a, "b": b, "indicators": [flow, stock, rate, base], "ratio": ratio}


def fill(tree, department, first, last, status=Status.APPROVED):
    """Values for every indicator of the tree, each month from first to last, all different."""
    rows = []
    for n, indicator in enumerate(tree["indicators"]):
        for month in Period.range(first, last).months():
            value = Decimal(month.year % 100 * 100 + month.month * 7 + n * 13 + department.pk % 5)
            rows.append(DataValue(indicator=indicator, department=department, month=month, value=value, status=status))
    DataValue.objects.bulk_create(rows)


def rows_of(indicator, statuses=(Status.APPROVED,)):
    """(department id, month, value) of the indicator's counted values, for the reference."""
    return list(
        DataValue.objects.filter(indicator=indicator, status__in=statuses, value__isnull=False).values_list(
            "department_id", "month", "value"
        )
    )


def check(summary, tree, span, compared, department_ids, statuses=(Status.APPROVED,)):
    """Every figure of the summary equals the reference over `span`, its 同比 over `compared`."""
    flow, _stock, _rate, base = tree["indicators"]
    got = summary.by_code()
    for indicator in tree["indicators"]:
        rows = rows_of(indicator, statuses)
        assert_close(got[indicator.code].value, reference(indicator.kind, rows, span, department_ids))
        assert_close(got[indicator.code].previous, reference(indicator.kind, rows, compared, department_ids))
    for p, value in ((span, got["cov.ratio"].value), (compared, got["cov.ratio"].previous)):
        numerator = reference(Kind.FLOW, rows_of(flow, statuses), p, department_ids)
        denominator = reference(Kind.FLOW, rows_of(base, statuses), p, department_ids)
        assert_close(value, numerator / denominator * 100)
    assert (summary.previous_period.first, summary.previous_period.last) == (compared.first, compared.last)


def figures(tree, period, department=None, **kwargs):
    scope = Scope(department or tree["parent"], include_children=department is None)
    return summarize(parse_period(period), scope=scope, indicators=[*tree["indicators"], tree["ratio"]], **kwargs)


@pytest.mark.parametrize("months", range(1, 8))
def test_a_year_in_progress_covers_its_months_and_compares_the_same_months(tree, months):
    """2023 with n months in: 1—n月 against 2022's 1—n月, never against the whole of 2022."""
    for department in (tree["a"], tree["b"]):
        fill(tree, department, D(2022, 1, 1), D(2022, 12, 1))
        fill(tree, department, D(2023, 1, 1), D(2023, months, 1))
    today = add_months(D(2023, months, 1), 1) if months < 7 else TODAY
    summary = figures(tree, "2023", today=today)
    check(
        summary,
        tree,
        Period.range(D(2023, 1, 1), D(2023, months, 1)),
        Period.range(D(2022, 1, 1), D(2022, months, 1)),
        [tree["a"].pk, tree["b"].pk],
    )
    months_text = "1月" if months == 1 else f"1—{months}月"
    assert summary.label == f"2023年（{months_text}）"
    assert summary.previous_label == f"2022年（{months_text}）"
    assert all(f.fully_covered for f in summary.figures)


def test_a_half_year_with_one_month_in_compares_that_month(tree):
    """2023H2 with July in: July against July 2022, not against July–December 2022."""
    for department in (tree["a"], tree["b"]):
        fill(tree, department, D(2022, 1, 1), D(2023, 7, 1))
    summary = figures(tree, "2023H2", today=TODAY)
    ids = [tree["parent"].pk, tree["a"].pk, tree["b"].pk]
    check(summary, tree, Period.month(2023, 7), Period.month(2022, 7), ids)
    assert (summary.label, summary.previous_label) == ("2023年下半年（7月）", "2022年下半年（7月）")
    flow = summary.by_code()["cov.flow"]
    assert flow.yoy_pct is not None and abs(flow.yoy_pct) < 10  # like with like: no ↓100% or ↓80%


def test_a_month_not_over_does_not_count(tree):
    """On 2023-07-15 July is not over: early July values stay out, the figures reach June."""
    for department in (tree["a"], tree["b"]):
        fill(tree, department, D(2022, 1, 1), D(2023, 7, 1))
    summary = figures(tree, "2023", today=D(2023, 7, 15))
    check(summary, tree, Period.range(D(2023, 1, 1), D(2023, 6, 1)), Period.range(D(2022, 1, 1), D(2022, 6, 1)), None)
    assert summary.label == "2023年（1—6月）"


def test_a_range_across_a_year_boundary(tree):
    """2022-11..2023-03 reported through January: November–January against a year earlier."""
    for department in (tree["a"], tree["b"]):
        fill(tree, department, D(2021, 1, 1), D(2023, 1, 1))
    summary = figures(tree, "2022-11..2023-03", today=TODAY)
    check(
        summary,
        tree,
        Period.range(D(2022, 11, 1), D(2023, 1, 1)),
        Period.range(D(2021, 11, 1), D(2022, 1, 1)),
        [tree["a"].pk, tree["b"].pk],
    )
    assert summary.label == "2022年11月—2023年3月（2022年11月—2023年1月）"


def test_a_department_that_stopped_earlier(tree):
    """B stopped after May. The unit covers 1—7月: B's flows to May, B's stock its May value (its last
    reported month in the span) against July 2022, and July's figures say 1/2 departments are in. B alone
    covers 1—5月 against 2022's 1—5月."""
    fill(tree, tree["a"], D(2022, 1, 1), D(2023, 7, 1))
    fill(tree, tree["b"], D(2022, 1, 1), D(2023, 5, 1))
    unit = figures(tree, "2023", today=TODAY)
    ids = [tree["a"].pk, tree["b"].pk]
    check(unit, tree, Period.range(D(2023, 1, 1), D(2023, 7, 1)), Period.range(D(2022, 1, 1), D(2022, 7, 1)), ids)
    coverage = unit.by_code()["cov.stock"].coverage
    assert (coverage.month, coverage.expected, coverage.reported, coverage.complete) == (D(2023, 7, 1), 2, 1, False)
    assert not unit.by_code()["cov.ratio"].fully_covered
    alone = figures(tree, "2023", department=tree["b"], today=TODAY)
    check(
        alone,
        tree,
        Period.range(D(2023, 1, 1), D(2023, 5, 1)),
        Period.range(D(2022, 1, 1), D(2022, 5, 1)),
        [tree["b"].pk],
    )
    assert alone.label == "2023年（1—5月）"
    assert alone.by_code()["cov.flow"].coverage.complete


def test_submitted_months_count_only_when_asked(tree):
    """July submitted, not approved: approved figures reach June; with 含已上报 they reach July."""
    for department in (tree["a"], tree["b"]):
        fill(tree, department, D(2022, 1, 1), D(2023, 6, 1))
    fill(tree, tree["a"], D(2023, 7, 1), D(2023, 7, 1), status=Status.SUBMITTED)
    approved = figures(tree, "2023", today=TODAY)
    assert approved.label == "2023年（1—6月）"
    with_submitted = figures(tree, "2023", today=TODAY, include_submitted=True)
    statuses = (Status.APPROVED, Status.SUBMITTED)
    ids = [tree["a"].pk, tree["b"].pk]
    span, compared = Period.range(D(2023, 1, 1), D(2023, 7, 1)), Period.range(D(2022, 1, 1), D(2022, 7, 1))
    check(with_submitted, tree, span, compared, ids, statuses)
    coverage = with_submitted.by_code()["cov.flow"].coverage
    assert (coverage.expected, coverage.reported) == (2, 1)


def test_a_complete_period_reads_as_before(tree):
    """A half-year reported to its last month keeps its label and compares with last year's half-year."""
    for department in (tree["a"], tree["b"]):
        fill(tree, department, D(2022, 1, 1), D(2023, 6, 1))
    summary = figures(tree, "2023H1", today=TODAY)
    assert (summary.label, summary.previous_period.code) == ("2023年上半年", "2022H1")
