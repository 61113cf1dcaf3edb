"""How far a period's figures reach, and how complete their last month is.

A period's figures cover its months up to its 截至 month (`through`): the last month that is
over (metrics.periods.last_month_over of today) in which the scope has a counted value. A month
that only some departments reported counts as reported for them; its coverage, the departments
with a counted value against those the forms assign (metrics.assignments), says how many are in.
One query, whatever the number of indicators, departments or months.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from . import periods
from .derived import MonthlyRollup
from .models import DataValue
from .periods import Covered, last_month_over
from .totals import counted_statuses, rollup_columns


@dataclass(frozen=True)
class Coverage:
    """Of the departments that should report an indicator in the 截至 month, how many did."""

    month: object  # the first day of the 截至 month
    expected: int
    reported: int

    @property
    def complete(self):
        return self.reported >= self.expected


def covered(period, *, department_ids=None, include_submitted=False, today=None):
    """(Covered, {indicator id: departments with a counted value in its 截至 month}) for a period and scope.

    `department_ids` None means the whole county (read from the monthly rollup); otherwise the
    values of those departments. Months not yet over by `today` (metrics.periods.today()) never count.
    """
    last = min(period.last, last_month_over(today or periods.today()))
    if last < period.first:
        return Covered(period), {}
    if department_ids is None:
        _total, count, _continued = rollup_columns(include_submitted)
        rows = (
            MonthlyRollup.objects.filter(month__gte=period.first, month__lte=last)
            .annotate(n=count)
            .filter(n__gt=0)
            .values_list("indicator_id", "month", "n")
        )
    else:
        rows = (
            DataValue.objects.order_by()
            .filter(
                month__gte=period.first,
                month__lte=last,
                department_id__in=list(department_ids),
                status__in=counted_statuses(include_submitted),
                value__isnull=False,
            )
            .values("indicator_id", "month")
            .annotate(n=Count("department_id", distinct=True))
            .values_list("indicator_id", "month", "n")
        )
    by_month = defaultdict(dict)
    for indicator_id, month, number in rows:
        by_month[month][indicator_id] = number
    if not by_month:
        return Covered(period), {}
    through = max(by_month)
    return Covered(period, through), by_month[through]


def coverage_of(indicator, reported, expected_ids, month):
    """The Coverage of one indicator (a ratio: the less complete of its components), or None.

    `reported`: {indicator id: departments in}; `expected_ids(indicator id)`: the ids of the departments
    in scope that its forms assign. None for an indicator nobody is assigned.
    """
    parts = [indicator.numerator_id, indicator.denominator_id] if indicator.is_ratio else [indicator.pk]
    found = []
    for pk in parts:
        expected = len(expected_ids(pk))
        if expected:
            found.append(Coverage(month, expected, min(reported.get(pk, 0), expected)))
    if not found:
        return None
    return min(found, key=lambda c: c.reported / c.expected)
