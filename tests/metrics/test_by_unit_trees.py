"""by_unit against a plain-Python reference over random department trees (grandchildren, late and
skipping departments, drafts, blanks), for the county and for every department's scope."""

import datetime
import random
from decimal import Decimal

import pytest

from metrics.aggregation import Scope, by_unit
from metrics.models import DataValue, Department, Kind, Status
from metrics.periods import Period, parse_period
from tests.factories import DepartmentFactory, IndicatorFactory

pytestmark = pytest.mark.django_db

MONTHS = [datetime.date(year, m, 1) for year in (2022, 2023) for m in range(1, 13)]
PERIODS = [Period.half(2023, 1), Period.half(2023, 2), parse_period("2023Q3"), parse_period("2023")]


def reference(kind, rows, period, members, statuses):
    """rows: (department id, month, value, status); a flow sums, a stock sums last values, a rate averages them."""
    counted = [r for r in rows if r[0] in members and r[1] in period and r[3] in statuses and r[2] is not None]
    if not counted:
        return None
    if kind == Kind.FLOW:
        return sum(r[2] for r in counted)
    last = {department: value for department, _m, value, _s in sorted(counted, key=lambda r: r[1])}
    return sum(last.values()) / len(last) if kind == Kind.RATE else sum(last.values())


def assert_close(figure, attribute, expected, context):
    got = None if figure is None else getattr(figure, attribute)
    if expected is None:
        assert got is None, context
    else:
        assert got is not None and abs(Decimal(got) - Decimal(expected)) < Decimal("0.0001"), (context, got, expected)


@pytest.mark.parametrize("seed", range(6))
def test_by_unit_equals_the_reference_on_random_trees(seed):
    rnd = random.Random(seed)
    tops = [DepartmentFactory(code=f"t{seed}_{n}") for n in range(3)]
    departments = list(tops)
    for n in range(7):
        departments.append(DepartmentFactory(code=f"c{seed}_{n}", parent=rnd.choice(departments)))
    indicators = [IndicatorFactory(kind=kind, department=tops[0]) for kind in (Kind.FLOW, Kind.STOCK, Kind.RATE)]
    rows, values = {i.pk: [] for i in indicators}, []
    for indicator in indicators:
        for department in departments:
            for month in MONTHS:
                if rnd.random() < 0.45:
                    value = rnd.choice([None, 1, 2, 7, 10])
                    status = rnd.choice([Status.APPROVED, Status.APPROVED, Status.SUBMITTED, Status.DRAFT])
                    values.append(
                        DataValue(indicator=indicator, department=department, month=month, value=value, status=status)
                    )
                    rows[indicator.pk].append((department.pk, month, value, status))
    DataValue.objects.bulk_create(values)
    parents = dict(Department.objects.values_list("pk", "parent_id"))

    def top(pk):
        while parents[pk] is not None:
            pk = parents[pk]
        return pk

    def subtree(pk):
        return {pk}.union(*(subtree(child) for child, parent in parents.items() if parent == pk))

    for period in PERIODS:
        for include_submitted in (False, True):
            statuses = {Status.APPROVED, Status.SUBMITTED} if include_submitted else {Status.APPROVED}
            scopes = [(Scope(), {t.pk: {d.pk for d in departments if top(d.pk) == t.pk} for t in tops})]
            for root in departments:
                children = [child for child, parent in parents.items() if parent == root.pk]
                parts = {root.pk: {root.pk}} | {child: subtree(child) for child in children}
                scopes.append((Scope(root, include_children=bool(children)), parts))
            for scope, parts in scopes:
                got = by_unit(indicators, period, scope=scope, include_submitted=include_submitted)
                for indicator in indicators:
                    assert set(got[indicator.code]) <= set(parts)
                    for part, members in parts.items():
                        figure = got[indicator.code].get(part)
                        context = (str(period), include_submitted, scope.label, indicator.kind, part)
                        expected = reference(indicator.kind, rows[indicator.pk], period, members, statuses)
                        assert_close(figure, "value", expected, context)
                        previous = reference(indicator.kind, rows[indicator.pk], period.year_ago(), members, statuses)
                        assert_close(figure, "previous", previous, context)
