"""Aggregation by kind, scope and status, checked against the report and a plain-Python reference."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics import periods, rollup
from metrics.aggregation import Scope, by_department, by_unit, monthly_series, summarize
from metrics.models import DataValue, Kind, Status
from metrics.periods import Period, add_months, first_of_month, parse_period
from tests.factories import AreaFactory, DataValueFactory, DepartmentFactory, IndicatorFactory, RatioFactory

pytestmark = pytest.mark.django_db

MONTHS = [datetime.date(2022, m, 1) for m in range(1, 13)] + [datetime.date(2023, m, 1) for m in range(1, 13)]


# --- the demo county reproduces the report -----------------------------------------------------


@pytest.mark.parametrize(
    "code,expected",
    [
        ("enforcement.conclusion_rate", "93.6"),
        ("anti_fraud.myanmar_reduction_rate", "88.1"),
        ("anti_fraud.app_registration_rate", "49.39"),
        ("traffic.hazard_fix_rate", "44.86"),
        ("mediation.enterprise_dispute_success_rate", "93.75"),
    ],
)
def test_demo_ratios_match_the_report(demo, code, expected):
    figure = summarize(parse_period("2023H1")).by_code()[code]
    places = Decimal(expected).as_tuple().exponent
    assert figure.value.quantize(Decimal(1).scaleb(places)) == Decimal(expected)


@pytest.mark.parametrize("code,yoy", [("anti_fraud.cases", "-11.81"), ("anti_fraud.losses", "-10.96")])
def test_demo_yoy_matches_the_report(demo, code, yoy):
    figure = summarize(parse_period("2023H1")).by_code()[code]
    assert figure.yoy_pct.quantize(Decimal("0.01")) == Decimal(yoy)


def test_demo_target_completion(demo):
    figure = summarize(parse_period("2023H1")).by_code()["stability.petition_backlog_resolved"]
    assert (figure.value, figure.target, figure.completion_pct) == (4, 10, 40)


def test_demo_blank_is_missing_not_zero(demo):
    figure = summarize(parse_period("2023H1")).by_code()["leadership.major_matter_filings"]
    assert figure.missing and figure.value is None and figure.yoy_pct is None


def test_only_approved_values_count_unless_asked(demo):
    indicator_code = "anti_fraud.cases"
    DataValue.objects.filter(indicator__code=indicator_code, month=datetime.date(2023, 6, 1)).update(
        status=Status.SUBMITTED
    )
    period = parse_period("2023H1")
    approved = summarize(period).by_code()[indicator_code].value
    with_submitted = summarize(period, include_submitted=True).by_code()[indicator_code].value
    assert with_submitted == 127
    assert approved < 127


def test_summary_query_count_is_constant(demo):
    """Ten queries for the whole catalogue, whatever its size: five for the figures, one for the 截至 month
    and its coverage, four for the assignments (none when the caller passes them)."""
    with CaptureQueriesContext(connection) as queries:
        summarize(parse_period("2023H1"))
    assert len(queries) <= 10


def test_query_count_does_not_grow_with_departments_and_indicators():
    area = AreaFactory()
    departments = [DepartmentFactory() for _ in range(3)]

    def count():
        with CaptureQueriesContext(connection) as queries:
            summarize(Period.half(2023, 1), indicators=list(area.indicators.all()))
        return len(queries)

    for d in departments:
        for kind in (Kind.FLOW, Kind.STOCK):
            DataValueFactory(indicator=IndicatorFactory(area=area, department=d, kind=kind), month=MONTHS[13])
    small = count()
    for _ in range(30):
        d = DepartmentFactory()
        for kind in (Kind.FLOW, Kind.STOCK):
            DataValueFactory(indicator=IndicatorFactory(area=area, department=d, kind=kind), month=MONTHS[14])
    assert count() == small


# --- property-based: aggregation equals a plain-Python reference --------------------------------

value_strategy = st.one_of(
    st.none(),
    st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False),
    st.just(Decimal(0)),
)
entry_strategy = st.tuples(
    st.integers(0, 3),  # indicator index: flow, stock, rate, flow (denominator)
    st.integers(0, 2),  # department index
    st.integers(0, len(MONTHS) - 1),
    value_strategy,
    st.sampled_from([Status.APPROVED, Status.SUBMITTED, Status.DRAFT]),
)
period_strategy = st.one_of(
    st.builds(Period.month, st.sampled_from([2022, 2023]), st.integers(1, 12)),
    st.builds(Period.quarter, st.sampled_from([2022, 2023]), st.integers(1, 4)),
    st.builds(Period.half, st.sampled_from([2022, 2023]), st.integers(1, 2)),
    st.builds(Period.year, st.sampled_from([2022, 2023])),
    st.tuples(st.integers(0, 23), st.integers(0, 23)).map(lambda ab: Period.range(MONTHS[min(ab)], MONTHS[max(ab)])),
)


@pytest.fixture
def small_catalogue(db):
    area = AreaFactory(code="prop")
    parent = DepartmentFactory(code="prop_a")
    departments = [parent, DepartmentFactory(code="prop_b"), DepartmentFactory(code="prop_c", parent=parent)]
    flow = IndicatorFactory(code="prop.flow", area=area, kind=Kind.FLOW)
    stock = IndicatorFactory(code="prop.stock", area=area, kind=Kind.STOCK)
    rate = IndicatorFactory(code="prop.rate", area=area, kind=Kind.RATE, unit="%", decimals=2)
    base = IndicatorFactory(code="prop.base", area=area, kind=Kind.FLOW)
    ratio = RatioFactory(code="prop.ratio", area=area, numerator=flow, denominator=base)
    return [flow, stock, rate, base], ratio, departments


def reference(kind, rows, period, department_ids):
    """The figure by hand: rows are (department_id, month, value) of counted, non-missing values."""
    rows = [r for r in rows if r[1] in period and (department_ids is None or r[0] in department_ids)]
    if not rows:
        return None
    if kind == Kind.FLOW:
        return sum(r[2] for r in rows)
    latest = {}
    for department, month, value in rows:
        if department not in latest or month > latest[department][0]:
            latest[department] = (month, value)
    values = [v for _m, v in latest.values()]
    return sum(values) if kind == Kind.STOCK else sum(values) / len(values)


def reference_through(period, rows, department_ids, today=None):
    """The 截至 month by hand: the last month over by `today` with any counted value in scope, or None."""
    last_over = add_months(first_of_month(today or periods.today()), -1)
    in_scope = [m for d, m, _v in rows if department_ids is None or d in department_ids]
    months = [m for m in in_scope if m in period and m <= last_over]
    return max(months, default=None)


def reference_year_ago(period, rows, department_ids, today=None):
    """The months 同比 compares by hand: the period's first month to its 截至 month, a year earlier."""
    through = reference_through(period, rows, department_ids, today)
    last = period.last if through is None else min(through, period.last)
    return Period.range(add_months(period.first, -12), add_months(last, -12))


SCOPES = ["county", "a", "a_tree", "b"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    entries=st.lists(entry_strategy, max_size=40),
    period=period_strategy,
    scope_choice=st.sampled_from(SCOPES),
    include_submitted=st.booleans(),
)
def test_aggregation_equals_reference(small_catalogue, entries, period, scope_choice, include_submitted):
    """Every figure, and the monthly series, equal a plain-Python reference (rollup and values paths)."""
    stored = store_entries(small_catalogue, entries)
    check_against_reference(small_catalogue, stored, period, scope_choice, include_submitted)


change_strategy = st.one_of(
    # a report's status changes: one department, a span of months, one UPDATE
    st.tuples(st.just("status"), st.integers(0, 2), st.integers(0, 23), st.integers(0, 3), st.sampled_from(Status)),
    # a value is entered, corrected or blanked (save())
    st.tuples(st.just("value"), entry_strategy),
    st.tuples(st.just("delete"), st.integers(0, 3), st.integers(0, 2), st.integers(0, len(MONTHS) - 1)),
    # a value moved to another month (a fix in the admin or a shell)
    st.tuples(
        st.just("move"), st.integers(0, 3), st.integers(0, 2), st.integers(0, 23), st.integers(0, len(MONTHS) - 1)
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    entries=st.lists(entry_strategy, max_size=40),
    changes=st.lists(change_strategy, max_size=8),
    period=period_strategy,
    scope_choice=st.sampled_from(SCOPES),
    include_submitted=st.booleans(),
)
def test_aggregation_equals_reference_after_changes(
    small_catalogue, entries, changes, period, scope_choice, include_submitted
):
    """Status changes, corrections, deletions and moves keep the rollup and every figure right."""
    stored = store_entries(small_catalogue, entries)
    for change in changes:
        apply_change(small_catalogue, stored, change)
    assert rollup.differences() == {}
    check_against_reference(small_catalogue, stored, period, scope_choice, include_submitted)


def store_entries(small_catalogue, entries):
    """Write the entries with one bulk_create; returns {(indicator, department, month index): (value, status)}."""
    indicators, _ratio, departments = small_catalogue
    DataValue.objects.filter(indicator__in=indicators).delete()
    stored = {}
    for i, d, m, value, status in entries:
        stored[(i, d, m)] = (value, status)
    DataValue.objects.bulk_create(
        DataValue(indicator=indicators[i], department=departments[d], month=MONTHS[m], value=v, status=s)
        for (i, d, m), (v, s) in stored.items()
    )
    return stored


def apply_change(small_catalogue, stored, change):
    indicators, _ratio, departments = small_catalogue
    kind = change[0]
    if kind == "status":
        _k, d, m, span, status = change
        months = range(m, min(m + span, len(MONTHS) - 1) + 1)
        DataValue.objects.filter(department=departments[d], month__in=[MONTHS[k] for k in months]).update(status=status)
        for key, (v, _s) in list(stored.items()):
            if key[1] == d and key[2] in months:
                stored[key] = (v, status)
    elif kind == "value":
        i, d, m, value, status = change[1]
        obj = DataValue.objects.filter(indicator=indicators[i], department=departments[d], month=MONTHS[m]).first()
        obj = obj or DataValue(indicator=indicators[i], department=departments[d], month=MONTHS[m])
        obj.value, obj.status = value, status
        obj.save()
        stored[(i, d, m)] = (value, status)
    elif kind == "delete":
        _k, i, d, m = change
        DataValue.objects.filter(indicator=indicators[i], department=departments[d], month=MONTHS[m]).delete()
        stored.pop((i, d, m), None)
    else:
        _k, i, d, m, to = change
        if (i, d, m) in stored and (i, d, to) not in stored:
            DataValue.objects.filter(indicator=indicators[i], department=departments[d], month=MONTHS[m]).update(
                month=MONTHS[to]
            )
            stored[(i, d, to)] = stored.pop((i, d, m))


def check_against_reference(small_catalogue, stored, period, scope_choice, include_submitted):
    indicators, ratio, departments = small_catalogue
    scope = {
        "county": Scope(),
        "a": Scope(departments[0]),
        "a_tree": Scope(departments[0], include_children=True),
        "b": Scope(departments[1]),
    }[scope_choice]
    department_ids = scope.department_ids()
    counted = {Status.APPROVED, Status.SUBMITTED} if include_submitted else {Status.APPROVED}

    def rows_of(index):
        return [
            (departments[d].pk, MONTHS[m], v)
            for (i, d, m), (v, s) in stored.items()
            if i == index and v is not None and s in counted
        ]

    figures = summarize(period, scope=scope, include_submitted=include_submitted, indicators=[*indicators, ratio])
    got = figures.by_code()
    # The 截至 month is the scope's, over every indicator (the test database also holds the demo county).
    every_row = DataValue.objects.filter(status__in=counted, value__isnull=False).values_list(
        "department_id", "month", "value"
    )
    compared = reference_year_ago(period, list(every_row), department_ids)
    assert (figures.previous_period.first, figures.previous_period.last) == (compared.first, compared.last)
    for index, indicator in enumerate(indicators):
        expected = reference(indicator.kind, rows_of(index), period, department_ids)
        assert_close(got[indicator.code].value, expected)
        previous = reference(indicator.kind, rows_of(index), compared, department_ids)
        assert_close(got[indicator.code].previous, previous)
    numerator = reference(Kind.FLOW, rows_of(0), period, department_ids)
    denominator = reference(Kind.FLOW, rows_of(3), period, department_ids)
    expected_ratio = None if numerator is None or not denominator else numerator / denominator * 100
    assert_close(got[ratio.code].value, expected_ratio)

    # The breakdown one level down: the county by top-level unit (a with its child c, and b); a's tree by
    # a's own values and c's.
    a, b, c = (d.pk for d in departments)
    parts = {"county": {a: [a, c], b: [b]}, "a": {a: [a]}, "a_tree": {a: [a], c: [c]}, "b": {b: [b]}}[scope_choice]
    breakdown = by_unit([*indicators, ratio], period, scope=scope, include_submitted=include_submitted)
    for index, indicator in enumerate(indicators):
        for part, members in parts.items():
            expected = reference(indicator.kind, rows_of(index), period, members)
            assert_close(_value_of(breakdown[indicator.code].get(part)), expected)
            previous = reference(indicator.kind, rows_of(index), period.year_ago(), members)
            assert_close(_previous_of(breakdown[indicator.code].get(part)), previous)
    for part, members in parts.items():
        numerator = reference(Kind.FLOW, rows_of(0), period, members)
        denominator = reference(Kind.FLOW, rows_of(3), period, members)
        expected_ratio = None if numerator is None or not denominator else numerator / denominator * 100
        assert_close(_value_of(breakdown[ratio.code].get(part)), expected_ratio)

    series = monthly_series(indicators, period.first, period.last, scope=scope, include_submitted=include_submitted)
    for index, indicator in enumerate(indicators):
        for month in MONTHS:
            if month in period:
                expected = reference(indicator.kind, rows_of(index), Period(month, month), department_ids)
                assert_close(series[indicator.code].get(month), expected)


def _value_of(figure):
    return None if figure is None else figure.value


def _previous_of(figure):
    return None if figure is None else figure.previous


def assert_close(got, expected):
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert abs(Decimal(got) - Decimal(expected)) < Decimal("0.0001"), (got, expected)


def test_stock_takes_each_departments_last_reported_month(small_catalogue):
    indicators, _ratio, departments = small_catalogue
    stock = indicators[1]
    DataValueFactory(indicator=stock, department=departments[0], month=datetime.date(2023, 3, 1), value=10)
    DataValueFactory(indicator=stock, department=departments[0], month=datetime.date(2023, 5, 1), value=12)
    DataValueFactory(indicator=stock, department=departments[1], month=datetime.date(2023, 2, 1), value=7)
    DataValueFactory(indicator=stock, department=departments[1], month=datetime.date(2023, 6, 1), value=None)
    figure = summarize(Period.half(2023, 1), indicators=[stock]).figures[0]
    assert figure.value == 19


def test_ratio_with_zero_denominator_is_not_infinite(small_catalogue):
    indicators, ratio, departments = small_catalogue
    DataValueFactory(indicator=indicators[0], department=departments[0], month=datetime.date(2023, 1, 1), value=3)
    DataValueFactory(indicator=indicators[3], department=departments[0], month=datetime.date(2023, 1, 1), value=0)
    figure = summarize(Period.month(2023, 1), indicators=[ratio]).figures[0]
    assert figure.value is None and figure.yoy_pct is None


def test_breakdown_and_monthly_series(demo):
    from metrics.models import Indicator

    cases = Indicator.objects.get(code="anti_fraud.cases")
    rate = Indicator.objects.get(code="enforcement.conclusion_rate")
    with CaptureQueriesContext(connection) as queries:
        breakdown = by_department([cases, rate], parse_period("2023H1"))
        series = monthly_series([cases, rate], datetime.date(2023, 1, 1), datetime.date(2023, 6, 1))
    assert len(queries) <= 6
    assert sum(f.value for f in breakdown["anti_fraud.cases"].values()) == 127
    assert sum(series["anti_fraud.cases"].values()) == 127
    assert len(series["enforcement.conclusion_rate"]) == 6


def test_units_with_different_last_months_each_take_their_own_late_values(small_catalogue):
    """Unit a last reported in May, unit b in June; each adds its own late departments' last values once."""
    indicators, _ratio, (a, b, c) = small_catalogue
    d = DepartmentFactory(code="prop_d", parent=b)
    stock = indicators[1]
    month = [datetime.date(2023, m, 1) for m in range(1, 7)]
    for department, months, value in ((a, month[:3], 10), (c, month[:5], 1), (b, month[:2], 100), (d, month, 1000)):
        for m in months:
            DataValueFactory(indicator=stock, department=department, month=m, value=value)
    breakdown = by_unit([stock], Period.half(2023, 1))[stock.code]
    assert {unit: f.value for unit, f in breakdown.items()} == {a.pk: 11, b.pk: 1100}
    assert summarize(Period.half(2023, 1), indicators=[stock]).figures[0].value == 1111


def test_a_department_moved_to_another_unit_takes_its_values_along(small_catalogue):
    """Re-parenting keeps top units down the subtree and refiles the units' rollup."""
    indicators, _ratio, (a, b, c) = small_catalogue
    grandchild = DepartmentFactory(code="prop_e", parent=c)
    assert (c.top_unit_id, grandchild.top_unit_id) == (a.pk, a.pk)
    flow = indicators[0]
    for department, value in ((a, 1), (b, 10), (c, 100), (grandchild, 1000)):
        DataValueFactory(indicator=flow, department=department, month=datetime.date(2023, 1, 1), value=value)
    period = Period.half(2023, 1)
    assert {u: f.value for u, f in by_unit([flow], period)[flow.code].items()} == {a.pk: 1101, b.pk: 10}
    c.parent = b
    c.save()
    grandchild.refresh_from_db()
    assert grandchild.top_unit_id == b.pk
    assert rollup.differences() == {}
    assert {u: f.value for u, f in by_unit([flow], period)[flow.code].items()} == {a.pk: 1, b.pk: 1110}
    c.parent = None
    c.save()
    assert rollup.differences() == {}
    assert {u: f.value for u, f in by_unit([flow], period)[flow.code].items()} == {a.pk: 1, b.pk: 10, c.pk: 1100}


def test_a_child_without_its_top_unit_is_refused(db):
    """bulk_create skips save(): the database refuses a child whose top unit was not given."""
    from django.db import IntegrityError, transaction

    from metrics.models import Department

    parent = DepartmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.bulk_create([Department(code="orphan", name="孤儿单位", parent=parent)])


# --- one indicator, four reporters ---------------------------------------------------------------


@pytest.mark.django_db
def test_an_indicator_reported_by_four_departments_sums_for_every_kind_and_scope():
    """Flow: sum over months and reporters; stock: each reporter's last month, summed; rate: their mean;
    ratio: of the sums.

    Checked in the county and in each reporter's scope against plain Python on the same rows.
    """
    from tests.factories import assign

    area = AreaFactory()
    reporters = [DepartmentFactory() for _ in range(4)]
    flow = assign(IndicatorFactory(area=area, department=None, kind=Kind.FLOW), *reporters)
    stock = assign(IndicatorFactory(area=area, department=None, kind=Kind.STOCK), *reporters)
    rate = assign(IndicatorFactory(area=area, department=None, kind=Kind.RATE, unit="%", decimals=2), *reporters)
    numerator = assign(IndicatorFactory(area=area, department=None), *reporters)
    ratio = RatioFactory(area=area, numerator=numerator, denominator=flow)
    months = [datetime.date(2023, m, 1) for m in range(1, 7)]
    rows = {}
    for n, department in enumerate(reporters):
        for m, month in enumerate(months):
            if n == 3 and m == 5:
                continue  # the fourth reporter's June is missing: its stock and rate are May's
            for k, indicator in enumerate((flow, stock, rate, numerator)):
                value = Decimal(10 * n + m + k + 1)
                rows[(indicator.pk, department.pk, month)] = value
                DataValueFactory(indicator=indicator, department=department, month=month, value=value)

    def flow_sum(indicator, departments):
        return sum(v for (i, d, _m), v in rows.items() if i == indicator.pk and d in departments)

    def last_sum(indicator, departments):
        total = Decimal(0)
        for d in departments:
            held = sorted((m, v) for (i, dd, m), v in rows.items() if i == indicator.pk and dd == d)
            total += held[-1][1]
        return total

    period = parse_period("2023H1")
    scopes = [(Scope(), [d.pk for d in reporters])] + [(Scope(department=d), [d.pk]) for d in reporters]
    for scope, ids in scopes:
        figures = summarize(period, scope=scope, indicators=[flow, stock, rate, numerator, ratio]).by_code()
        assert figures[flow.code].value == flow_sum(flow, ids), scope
        assert figures[stock.code].value == last_sum(stock, ids), scope
        assert figures[rate.code].value == last_sum(rate, ids) / len(ids), scope
        expected_ratio = flow_sum(numerator, ids) / flow_sum(flow, ids) * 100
        assert abs(figures[ratio.code].value - expected_ratio) < Decimal("0.01"), scope
