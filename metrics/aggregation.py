"""Aggregation: each indicator's figure for a period and a scope, with 同比 and targets.

The database does the grouping; Python only finishes what is already
aggregated (ratios, changes, completion). Every function issues a constant
number of queries, whatever the number of indicators, departments or months.

How a period's value is formed, by indicator kind:
- flow: the sum over the period's months and the scope's departments;
- stock: each department's last reported month in the period, summed;
- rate: each department's last reported month in the period, averaged;
- ratio: numerator / denominator × 100 of the two components' aggregated values.
A figure with no reported value is missing (None), never zero. The sums and
counts behind the figures come from metrics.totals.

A period still in progress covers its months up to its 截至 month (metrics.coverage):
summarize takes the figures over those months and 同比 over the same months a year
earlier (2023 through July against 2022-01..2022-07), and says per figure how many of
the departments due in that month are in (Figure.coverage).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from . import formatting, versions
from .assignments import load as load_assignments
from .coverage import Coverage, coverage_of, covered
from .derived import MonthlyRollup
from .models import Better, Department, Indicator, Kind, Target
from .periods import Covered, Period
from .totals import level_value, monthly_totals, period_totals, rollup_columns

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Scope:
    """Whose figures: the whole county, one department, or a department with everything under it."""

    department: Department | None = None
    include_children: bool = False

    @property
    def is_county(self):
        return self.department is None

    @property
    def code(self):
        return self.department.code if self.department else None

    @property
    def label(self):
        if self.department is None:
            return "全县"
        return f"{self.department.name}（含下级）" if self.include_children else self.department.name

    def department_ids(self):
        """The ids of the departments in scope, or None for the whole county (one query at most)."""
        if self.department is None:
            return None
        if not self.include_children:
            return [self.department.pk]
        children = defaultdict(list)
        for pk, parent in Department.objects.values_list("pk", "parent_id"):
            children[parent].append(pk)
        ids, todo = [], [self.department.pk]
        while todo:
            pk = todo.pop()
            ids.append(pk)
            todo.extend(children[pk])
        return ids


COUNTY = Scope()


@dataclass
class Figure:
    """One indicator's figure for a period and scope, with its comparison."""

    indicator: Indicator
    value: Decimal | None
    previous: Decimal | None = None
    target: Decimal | None = None
    sources: int = 0
    coverage: Coverage | None = None  # of the 截至 month; None when nobody is due or nothing is in

    @property
    def fully_covered(self):
        """Whether every department due in the 截至 month reported it (or nobody is due)."""
        return self.coverage is None or self.coverage.complete

    @property
    def missing(self):
        return self.value is None

    @property
    def change(self):
        """value − previous, in the indicator's unit (for percentages: 个百分点)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def yoy_pct(self):
        """同比 % = (value − previous) / previous × 100; None with no or a zero base, and for percentages."""
        if self.indicator.is_percentage or self.change is None or not self.previous:
            return None
        return self.change / self.previous * HUNDRED

    @property
    def direction(self):
        """'up', 'down', 'flat' (a change that rounds to 0.00 %) or None: metrics.formatting.direction."""
        return formatting.direction(self)

    @property
    def is_good(self):
        """Whether the change is good by the indicator's `better`; None when neither."""
        direction = self.direction
        if direction in (None, "flat") or self.indicator.better == Better.NONE:
            return None
        return (direction == "up") == (self.indicator.better == Better.UP)

    @property
    def completion_pct(self):
        if self.value is None or not self.target:
            return None
        return self.value / self.target * HUNDRED


@dataclass
class Summary:
    """All figures of a period and scope, in catalogue order.

    `covered` is what they cover (the period up to its 截至 month); `previous_period` the months
    actually compared for 同比, the same months a year earlier.
    """

    period: Period
    previous_period: Period
    scope: Scope
    include_submitted: bool
    covered: Covered
    figures: list[Figure] = field(default_factory=list)

    @property
    def label(self):
        """The period as its figures cover it: 2023年上半年, 2023年（1—7月）."""
        return self.covered.label

    @property
    def previous_label(self):
        """The 同比 months: 2022年上半年, 2022年（1—7月）."""
        return self.covered.year_ago().label

    def by_code(self):
        return {f.indicator.code: f for f in self.figures}


def ratio_of(numerator, denominator):
    """numerator / denominator × 100, or None when either is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator * HUNDRED


def _with_components(indicators):
    """The indicators plus the components their ratios need (components are fetched, not shown)."""
    ids = {i.pk for i in indicators}
    needed = [i.numerator_id for i in indicators if i.is_ratio] + [i.denominator_id for i in indicators if i.is_ratio]
    missing = [pk for pk in needed if pk not in ids]
    extra = list(Indicator.objects.filter(pk__in=missing)) if missing else []
    return list(indicators) + extra


def summarize(period, *, scope=COUNTY, include_submitted=False, indicators=None, assignments=None, today=None):
    """Every active indicator's figure for the period and scope, with last year's and the target.

    The figures cover the period up to its 截至 month (metrics.coverage.covered, by `today`,
    default metrics.periods.today()), 同比 the same months a year earlier.
    `indicators` limits the result (an Indicator queryset or list); by default all active ones.
    `assignments` (metrics.assignments.load()) saves its queries when the caller has it.
    """
    if indicators is None:
        indicators = Indicator.objects.active().select_related("area")
    indicators = list(indicators)
    department_ids = scope.department_ids()
    span, reported = covered(period, department_ids=department_ids, include_submitted=include_submitted, today=today)
    current, previous = span.span, span.year_ago().span
    fetched = _with_components(indicators)
    totals = period_totals(
        fetched, [current, previous], department_ids=department_ids, include_submitted=include_submitted
    )

    def value(indicator, p):
        if indicator.is_ratio:
            return ratio_of(value_by_id(indicator.numerator_id, p), value_by_id(indicator.denominator_id, p))
        return totals.get((p, indicator.pk), (None, 0))[0]

    def value_by_id(pk, p):
        return totals.get((p, pk), (None, 0))[0]

    assignments = assignments or load_assignments()
    in_scope = set(department_ids) if department_ids is not None else None

    def expected_ids(pk):
        due = assignments.entered_by(pk)
        return due if in_scope is None else due & in_scope

    targets = _targets(indicators, period, in_scope, assignments)
    figures = [
        Figure(
            indicator=i,
            value=value(i, current),
            previous=value(i, previous),
            target=targets.get(i.pk),
            sources=totals.get((current, i.pk), (None, 0))[1],
            coverage=coverage_of(i, reported, expected_ids, span.through) if span.through else None,
        )
        for i in indicators
    ]
    return Summary(period, previous, scope, include_submitted, span, figures)


def _targets(indicators, period, in_scope, assignments):
    """Annual targets of the period's year: the county's, shown for the county or for a scope holding every
    department that reports the indicator (whose figure is then the county's)."""
    rows = Target.objects.filter(indicator__in=indicators, year=period.last.year).values_list("indicator_id", "value")
    targets = dict(rows)
    if in_scope is None or not targets:
        return targets
    result = {}
    for indicator in indicators:
        reporters = assignments.reporter_ids(indicator) if indicator.pk in targets else set()
        if reporters and reporters <= in_scope:
            result[indicator.pk] = targets[indicator.pk]
    return result


def by_department(indicators, period, *, include_submitted=False, department_ids=None):
    """{indicator code: {department_id: Figure}} for each department that has values, with last year's.

    Ratios are computed per department from that department's components.
    """
    indicators = list(indicators)
    previous = period.year_ago()
    totals = period_totals(
        _with_components(indicators),
        [period, previous],
        department_ids=department_ids,
        include_submitted=include_submitted,
        by_department=True,
    )
    return _figures_by_part(indicators, totals, period, previous)


def by_unit(indicators, period, *, scope=COUNTY, include_submitted=False):
    """{indicator code: {department id: Figure}}: the scope's figures one level down the hierarchy.

    For the county, each top-level unit with everything under it (from the units'
    rollup: 50 rows a month where the values hold 500); for a department with
    children, the department's own values and each child's with everything
    under it; for a department alone, that department. A unit's stock sums its
    departments' last values, as the county's does. Ratios are computed per
    unit from its components.
    """
    indicators = list(indicators)
    previous = period.year_ago()
    fetched = _with_components(indicators)
    if scope.is_county:
        totals = period_totals(fetched, [period, previous], include_submitted=include_submitted, by_unit=True)
        return _figures_by_part(indicators, totals, period, previous)
    parents = dict(Department.objects.values_list("pk", "parent_id"))
    root = scope.department.pk

    def part_under(pk):
        """The child of the root that a department counts under, the root itself, or None outside it."""
        while pk is not None and pk != root and parents[pk] != root:
            pk = parents[pk]
        return pk

    # The scope's departments from the parents already read (Scope.department_ids would read them again).
    members = parents if scope.include_children else [root]
    part_of = {pk: part for pk in members if (part := part_under(pk)) is not None}
    by_dept = period_totals(
        fetched,
        [period, previous],
        department_ids=list(part_of),
        include_submitted=include_submitted,
        by_department=True,
    )
    kinds = {i.pk: i.kind for i in fetched}
    sums = defaultdict(lambda: [Decimal(0), 0])
    for (p, pk, department), (value, number) in by_dept.items():
        cell = sums[(p, pk, part_of[department])]
        cell[0] += value * number if kinds[pk] == Kind.RATE else value  # rates come as means
        cell[1] += number
    totals = {key: (level_value(kinds[key[1]], total, number), number) for key, (total, number) in sums.items()}
    return _figures_by_part(indicators, totals, period, previous)


def _figures_by_part(indicators, totals, period, previous):
    """{indicator code: {part id: Figure}} from totals keyed (period, indicator id, part id)."""
    parts = defaultdict(set)
    for _p, indicator_id, part in totals:
        parts[indicator_id].add(part)

    def value(pk, p, part):
        return totals.get((p, pk, part), (None, 0))[0]

    result = {}
    for i in indicators:
        figures = {}
        if i.is_ratio:
            for part in parts[i.numerator_id] | parts[i.denominator_id]:
                figures[part] = Figure(
                    i,
                    ratio_of(value(i.numerator_id, period, part), value(i.denominator_id, period, part)),
                    ratio_of(value(i.numerator_id, previous, part), value(i.denominator_id, previous, part)),
                )
        else:
            for part in parts[i.pk]:
                figures[part] = Figure(i, value(i.pk, period, part), value(i.pk, previous, part))
        result[i.code] = figures
    return result


def monthly_series(indicators, first, last, *, scope=COUNTY, include_submitted=False):
    """{indicator code: {month: value}} for each month from first to last (one query).

    Flows and stocks sum over departments, rates average, ratios divide the components' monthly values.
    Months with no value are absent.
    """
    indicators = list(indicators)
    fetched = _with_components(indicators)
    by_id = monthly_totals(
        {i.pk: i.kind for i in fetched if not i.is_ratio},
        first,
        last,
        department_ids=scope.department_ids(),
        include_submitted=include_submitted,
    )
    result = {}
    for i in indicators:
        if i.is_ratio:
            numerators, denominators = by_id[i.numerator_id], by_id[i.denominator_id]
            months = sorted(set(numerators) & set(denominators))
            series = {m: ratio_of(numerators[m], denominators[m]) for m in months}
            result[i.code] = {m: v for m, v in series.items() if v is not None}
        else:
            result[i.code] = dict(sorted(by_id[i.pk].items()))
    return result


def months_with_data(*, include_submitted=False):
    """Every month holding a counted value, oldest first (once per data version): what a period picker offers."""
    _total, count, _continued = rollup_columns(include_submitted)
    return versions.cached(
        "months_with_data",
        include_submitted,
        compute=lambda: list(
            MonthlyRollup.objects.annotate(n=count)
            .filter(n__gt=0)
            .order_by("month")
            .values_list("month", flat=True)
            .distinct()
        ),
    )


def latest_month(*, include_submitted=False):
    """The latest month holding a counted value, or None when there is none (once per data version)."""
    _total, count, _continued = rollup_columns(include_submitted)
    return versions.cached(
        "latest_month",
        include_submitted,
        compute=lambda: (
            MonthlyRollup.objects.annotate(n=count)
            .filter(n__gt=0)
            .order_by("-month")
            .values_list("month", flat=True)
            .first()
        ),
    )
