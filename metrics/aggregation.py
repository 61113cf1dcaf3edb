"""Aggregation: each indicator's figure for a period and a scope, with 同比 and targets.

The database does the grouping; Python only finishes what is already
aggregated (ratios, changes, completion). Every function issues a constant
number of queries, whatever the number of indicators, departments or months.

How a period's value is formed, by indicator kind:
- flow: the sum over the period's months and the scope's departments;
- stock: each department's last reported month in the period, summed;
- rate: each department's last reported month in the period, averaged;
- ratio: numerator / denominator × 100 of the two components' aggregated values.
A figure with no reported value is missing (None), never zero.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Avg, Count, F, OuterRef, Q, Subquery, Sum

from .assignments import load as load_assignments
from .models import Better, DataValue, Department, Indicator, Kind, MonthlyRollup, Status, Target, UnitRollup
from .periods import Period

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
        """'up', 'down', 'flat' or None when there is nothing to compare."""
        change = self.change
        if change is None:
            return None
        return "up" if change > 0 else "down" if change < 0 else "flat"

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
    """All figures of a period and scope, in catalogue order."""

    period: Period
    previous_period: Period
    scope: Scope
    include_submitted: bool
    figures: list[Figure] = field(default_factory=list)

    def by_code(self):
        return {f.indicator.code: f for f in self.figures}


def counted_statuses(include_submitted=False):
    return [Status.APPROVED, Status.SUBMITTED] if include_submitted else [Status.APPROVED]


def _base(indicator_ids, first, last, department_ids, statuses):
    # order_by(): DataValue's Meta.ordering would otherwise join indicators, departments and areas.
    values = DataValue.objects.order_by().filter(
        indicator_id__in=indicator_ids,
        month__gte=first,
        month__lte=last,
        status__in=statuses,
        value__isnull=False,
    )
    if department_ids is not None:
        values = values.filter(department_id__in=department_ids)
    return values


def period_totals(
    indicators, periods, *, department_ids=None, include_submitted=False, by_department=False, by_unit=False
):
    """{(period, indicator_id[, department or unit id]): (value, number of values)} for flows, stocks and rates.

    For the whole county, and for the county by top-level unit (`by_unit`): one
    query on the monthly rollup, and one per period for stocks and rates that
    reads the values of just those indicators (and units) whose departments did
    not all report up to the period's last month (usually none). Otherwise: one
    query on the values for the flows of all periods and one per period for
    stocks and rates.
    """
    if department_ids is None and not by_department:
        return _rollup_totals(indicators, periods, include_submitted, per_unit=by_unit)
    return _base_totals(
        indicators,
        periods,
        department_ids=department_ids,
        statuses=counted_statuses(include_submitted),
        by_department=by_department,
    )


def _rollup_columns(include_submitted):
    """(sum, count, continued) expressions over the rollup for the counted statuses."""
    if include_submitted:
        return (
            F("approved_sum") + F("submitted_sum"),
            F("approved_count") + F("submitted_count"),
            F("counted_continued"),
        )
    return F("approved_sum"), F("approved_count"), F("approved_continued")


def _level(kind, total, number):
    """A stock's or rate's figure from the sum and number of the departments' last values."""
    return total / number if kind == Kind.RATE else total


def _rollup_totals(indicators, periods, include_submitted, per_unit=False):
    """The county's totals, or each top-level unit's (`per_unit`), from the rollup (see metrics/rollup.py
    for when a stock is exact).

    Flows: one grouped query. Stocks and rates: one query for their monthly
    rollup rows, finished here, and one query on the values for departments
    whose last value in a period comes before its last reported month (late
    or skipping), read only where the rollup's continued counts show them.
    Keys are (indicator id,) or (indicator id, unit id).
    """
    kinds = {i.pk: i.kind for i in indicators if i.kind in (Kind.FLOW, Kind.STOCK, Kind.RATE)}
    totals = {}
    if not kinds or not periods:
        return totals
    model, group = (UnitRollup, ["indicator_id", "unit_id"]) if per_unit else (MonthlyRollup, ["indicator_id"])
    total, count, continued = _rollup_columns(include_submitted)
    first, last = min(p.first for p in periods), max(p.last for p in periods)
    flows = [pk for pk, kind in kinds.items() if kind == Kind.FLOW]
    levels = [pk for pk, kind in kinds.items() if kind in (Kind.STOCK, Kind.RATE)]

    if flows:
        rows = model.objects.filter(indicator_id__in=flows, month__gte=first, month__lte=last)
        totals.update(_flow_totals(rows, group, periods, lambda q: (Sum(total, filter=q), Sum(count, filter=q))))

    if levels:
        months = defaultdict(list)  # key: [(month, sum, count, continued)] of months with values
        cells = (
            model.objects.filter(indicator_id__in=levels, month__gte=first, month__lte=last)
            .annotate(t=total, n=count, c=continued)
            .filter(n__gt=0)
            .order_by(*group, "month")
            .values_list(*group, "month", "t", "n", "c")
        )
        for *key, month, value, number, continuing in cells:
            months[tuple(key)].append((month, value, number, continuing))
        late = {}  # period: {key: (sum, count, month) of the last month any department reported}
        for period in periods:
            late[period] = {}
            for key, rows in months.items():
                in_period = [r for r in rows if period.first <= r[0] <= period.last]
                if not in_period:
                    continue
                # The last month any department reported. When some earlier value does not continue to the
                # next month, a department may have its last value before it: those are read from the values.
                month, value, number, _c = in_period[-1]
                if any(r[2] != r[3] for r in in_period[:-1]):
                    late[period][key] = (value, number, month)
                else:
                    totals[(period, *key)] = (_level(kinds[key[0]], value, number), number)
        statuses = counted_statuses(include_submitted)
        for (period, *key), (value, number) in _last_values_before(late, statuses, per_unit).items():
            key = tuple(key)
            value, number = late[period][key][0] + value, late[period][key][1] + number
            totals[(period, *key)] = (_level(kinds[key[0]], value, number), number)
        for period, by_key in late.items():  # no department reported late: the last month alone
            for key, (value, number, _month) in by_key.items():
                if (period, *key) not in totals:
                    totals[(period, *key)] = (_level(kinds[key[0]], value, number), number)
    return totals


def _flow_totals(rows, group, periods, aggregates):
    """{(period, *group values): (sum, count)} of flows: one grouped query, a filtered sum and count per period.

    `rows` are rollup cells or values; `aggregates(filter)` gives the (sum, count) to take of them.
    """
    annotations = {}
    for n, period in enumerate(periods):
        in_period = Q(month__gte=period.first, month__lte=period.last)
        annotations[f"v{n}"], annotations[f"n{n}"] = aggregates(in_period)
    totals = {}
    for row in rows.values(*group).annotate(**annotations):
        key = tuple(row[g] for g in group)
        for n, period in enumerate(periods):
            if row[f"n{n}"]:
                totals[(period, *key)] = (row[f"v{n}"], row[f"n{n}"])
    return totals


def _base_totals(indicators, periods, *, department_ids, statuses, by_department):
    """Totals straight from the values table (a scope of departments, or per department)."""
    flows = [i.pk for i in indicators if i.kind == Kind.FLOW]
    levels = [i for i in indicators if i.kind in (Kind.STOCK, Kind.RATE)]
    group = ["indicator_id", "department_id"] if by_department else ["indicator_id"]
    totals = {}

    if flows and periods:
        first, last = min(p.first for p in periods), max(p.last for p in periods)
        # Only the periods' months (this year's and last year's, not the months between).
        in_periods = Q()
        for period in periods:
            in_periods |= Q(month__gte=period.first, month__lte=period.last)
        rows = _base(flows, first, last, department_ids, statuses).filter(in_periods)
        totals.update(_flow_totals(rows, group, periods, lambda q: (Sum("value", filter=q), Count("id", filter=q))))

    for period in periods if levels else ():
        totals.update(_level_totals(levels, period, department_ids, statuses, group))
    return totals


def _level_totals(levels, period, department_ids, statuses, group):
    """Stocks and rates of one period from the values table: each department's last reported month."""
    kinds = {i.pk: i.kind for i in levels}
    if connection.vendor == "postgresql":
        rows = _latest_rows_postgresql(list(kinds), period, department_ids, statuses, group)
    else:
        values = _base(list(kinds), period.first, period.last, department_ids, statuses)
        latest = (
            values.filter(indicator_id=OuterRef("indicator_id"), department_id=OuterRef("department_id"))
            .order_by("-month")
            .values("month")[:1]
        )
        rows = (
            values.filter(month=Subquery(latest))
            .values(*group)
            .annotate(total=Sum("value"), mean=Avg("value"), n=Count("id"))
        )
    totals = {}
    for row in rows:
        key = tuple(row[g] for g in group)
        value = row["mean"] if kinds[row["indicator_id"]] == Kind.RATE else row["total"]
        totals[(period, *key)] = (Decimal(value), row["n"])
    return totals


def _latest_rows_postgresql(indicator_ids, period, department_ids, statuses, group):
    """Each department's last value by DISTINCT ON, one backward pass of the unique index (PostgreSQL).

    About eight times faster at L than a correlated "latest month" subquery per value.
    """
    columns = ", ".join(group)
    in_scope = "AND department_id = ANY(%s)" if department_ids is not None else ""
    sql = f"""
        SELECT {columns}, SUM(value), AVG(value), COUNT(*) FROM (
            SELECT DISTINCT ON (indicator_id, department_id) indicator_id, department_id, value
            FROM metrics_datavalue
            WHERE indicator_id = ANY(%s) AND month >= %s AND month <= %s AND status = ANY(%s)
                AND value IS NOT NULL {in_scope}
            ORDER BY indicator_id, department_id, month DESC
        ) latest GROUP BY {columns}"""
    params = [indicator_ids, period.first, period.last, list(statuses)]
    if department_ids is not None:
        params.append(list(department_ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip([*group, "total", "mean", "n"], row, strict=True)) for row in cursor.fetchall()]


_LATE_SQL = """
SELECT %s, t.indicator_id, {unit_column}SUM(t.value), COUNT(t.value) FROM (
    SELECT i.id AS indicator_id, COALESCE(d.top_unit_id, d.id) AS unit_id, (
        SELECT v.value FROM metrics_datavalue v
        WHERE v.indicator_id = i.id AND v.department_id = d.id AND v.month >= %s AND v.month < %s
            AND v.status IN ({statuses}) AND v.value IS NOT NULL
        ORDER BY v.month DESC LIMIT 1
    ) AS value
    FROM metrics_indicator i CROSS JOIN metrics_department d
    WHERE i.id IN ({indicators}) AND NOT EXISTS (
        SELECT 1 FROM metrics_datavalue e
        WHERE e.indicator_id = i.id AND e.department_id = d.id AND e.month = %s
            AND e.indicator_id IN ({indicators}) AND e.status IN ({statuses}) AND e.value IS NOT NULL)
    {fence}
) t GROUP BY t.indicator_id{unit_group}"""
# PostgreSQL would otherwise inline t and run the probe once for SUM and again for COUNT.
_FENCE = {"postgresql": "OFFSET 0"}


def _last_values_before(late, statuses, per_unit=False):
    """{(period, *key): (sum, count)} of the last values of departments that did not report in the
    period's last reported month (`late`: {period: {key: (sum, count, that month)}}, keys being
    (indicator id,) or, `per_unit`, (indicator id, unit id)).

    One query (a UNION ALL of one SELECT per period and month): per indicator and department without a
    value in that month, one probe of the unique index for the latest earlier value, so the cost follows
    indicators × departments, not the values in the period. Always issued, so that the number of queries
    does not depend on the data (indicator 0 matches nothing).
    """
    parts, params, shapes = [], [], []  # shapes: the (period, month) of each SELECT
    marks = ", ".join(["%s"] * len(statuses))
    unit_column, unit_group = ("t.unit_id, ", ", t.unit_id") if per_unit else ("", "")
    for period, by_key in late.items():
        by_month = defaultdict(set)
        for key, (_value, _number, month) in by_key.items():
            by_month[month].add(key[0])
        for month, pks in sorted(by_month.items()) or [(period.last, {0})]:
            pks = sorted(pks)
            ids = ", ".join(["%s"] * len(pks))
            parts.append(
                _LATE_SQL.format(
                    statuses=marks,
                    indicators=ids,
                    fence=_FENCE.get(connection.vendor, ""),
                    unit_column=unit_column,
                    unit_group=unit_group,
                )
            )
            params += [len(shapes), period.first, month, *statuses, *pks, month, *pks, *statuses]
            shapes.append((period, month))
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    result = {}
    for part, *key, total, number in rows:
        period, month = shapes[part]
        key = tuple(key)
        # A unit whose own last month is another one is probed with its indicator, and left out here.
        if number and late[period].get(key, (None, None, None))[2] == month:
            result[(period, *key)] = (_decimal(total), number)
    return result


def _decimal(value):
    """A sum as Decimal (SQLite sums in floating point: back to the values' four places)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(Decimal("0.0001"))


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


def summarize(period, *, scope=COUNTY, include_submitted=False, indicators=None, assignments=None):
    """Every active indicator's figure for the period and scope, with last year's and the target.

    `indicators` limits the result (an Indicator queryset or list); by default all active ones.
    `assignments` (metrics.assignments.load()) saves its queries when the caller has it.
    """
    if indicators is None:
        indicators = Indicator.objects.active().select_related("area")
    indicators = list(indicators)
    previous = period.year_ago()
    fetched = _with_components(indicators)
    totals = period_totals(
        fetched, [period, previous], department_ids=scope.department_ids(), include_submitted=include_submitted
    )

    def value(indicator, p):
        if indicator.is_ratio:
            return ratio_of(value_by_id(indicator.numerator_id, p), value_by_id(indicator.denominator_id, p))
        return totals.get((p, indicator.pk), (None, 0))[0]

    def value_by_id(pk, p):
        return totals.get((p, pk), (None, 0))[0]

    targets = _targets(indicators, period, scope, assignments)
    figures = [
        Figure(
            indicator=i,
            value=value(i, period),
            previous=value(i, previous),
            target=targets.get(i.pk),
            sources=totals.get((period, i.pk), (None, 0))[1],
        )
        for i in indicators
    ]
    return Summary(period, previous, scope, include_submitted, figures)


def _targets(indicators, period, scope, assignments=None):
    """Annual targets of the period's year: the county's, shown for the county or for a scope holding every
    department that reports the indicator (whose figure is then the county's)."""
    rows = Target.objects.filter(indicator__in=indicators, year=period.last.year).values_list("indicator_id", "value")
    targets = dict(rows)
    if scope.is_county or not targets:
        return targets
    assignments = assignments or load_assignments()
    in_scope = set(scope.department_ids())
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
    totals = {key: (_level(kinds[key[1]], total, number), number) for key, (total, number) in sums.items()}
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
    kinds = {i.pk: i.kind for i in fetched}
    entered = [i.pk for i in fetched if not i.is_ratio]
    department_ids = scope.department_ids()
    if department_ids is None:
        total, count, _continued = _rollup_columns(include_submitted)
        rows = [
            {"indicator_id": row["indicator_id"], "month": row["month"], "total": row["t"], "mean": row["t"] / row["n"]}
            for row in MonthlyRollup.objects.filter(indicator_id__in=entered, month__gte=first, month__lte=last)
            .annotate(t=total, n=count)
            .filter(n__gt=0)
            .values("indicator_id", "month", "t", "n")
        ]
    else:
        rows = (
            _base(entered, first, last, department_ids, counted_statuses(include_submitted))
            .values("indicator_id", "month")
            .annotate(total=Sum("value"), mean=Avg("value"))
        )
    by_id = defaultdict(dict)
    for row in rows:
        by_id[row["indicator_id"]][row["month"]] = Decimal(
            row["mean"] if kinds[row["indicator_id"]] == Kind.RATE else row["total"]
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


def latest_month(*, include_submitted=False):
    """The latest month holding a counted value, or None when there is none."""
    _total, count, _continued = _rollup_columns(include_submitted)
    return (
        MonthlyRollup.objects.annotate(n=count)
        .filter(n__gt=0)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
