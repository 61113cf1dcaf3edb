"""The totals engine: sums and counts of the counted values per period, read from the rollups or the values.

metrics.aggregation turns these totals into figures; nothing else should need them.
Flows sum their months; stocks and rates take each department's last reported
month in the period (a stock sums those, a rate averages them). Every function
issues a constant number of queries, whatever the number of indicators,
departments or months: the county's totals come from the monthly rollups
(metrics/rollup.py), a scope of departments' from the values table.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Avg, Count, F, OuterRef, Q, Subquery, Sum

from .derived import MonthlyRollup, UnitRollup
from .models import DataValue, Kind, Status


def counted_statuses(include_submitted=False):
    """The value statuses that count: approved, and submitted too when asked."""
    return [Status.APPROVED, Status.SUBMITTED] if include_submitted else [Status.APPROVED]


def _values_in(indicator_ids, first, last, department_ids, statuses):
    """The counted values of the indicators from first to last (of the departments, when given)."""
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


def rollup_columns(include_submitted):
    """(sum, count, continued) expressions over a rollup's cells for the counted statuses."""
    if include_submitted:
        return (
            F("approved_sum") + F("submitted_sum"),
            F("approved_count") + F("submitted_count"),
            F("counted_continued"),
        )
    return F("approved_sum"), F("approved_count"), F("approved_continued")


def level_value(kind, total, number):
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
    total, count, continued = rollup_columns(include_submitted)
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
                    totals[(period, *key)] = (level_value(kinds[key[0]], value, number), number)
        statuses = counted_statuses(include_submitted)
        for (period, *key), (value, number) in _last_values_before(late, statuses, per_unit).items():
            key = tuple(key)
            value, number = late[period][key][0] + value, late[period][key][1] + number
            totals[(period, *key)] = (level_value(kinds[key[0]], value, number), number)
        for period, by_key in late.items():  # no department reported late: the last month alone
            for key, (value, number, _month) in by_key.items():
                if (period, *key) not in totals:
                    totals[(period, *key)] = (level_value(kinds[key[0]], value, number), number)
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
        rows = _values_in(flows, first, last, department_ids, statuses).filter(in_periods)
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
        values = _values_in(list(kinds), period.first, period.last, department_ids, statuses)
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


def monthly_totals(kinds, first, last, *, department_ids=None, include_submitted=False):
    """{indicator id: {month: value}} of flows, stocks and rates (`kinds`: {id: kind}), month by month.

    Sums over departments, rates averaged; one query on the monthly rollup for the
    county, on the values for a scope of departments. Months with no value are absent.
    """
    if department_ids is None:
        total, count, _continued = rollup_columns(include_submitted)
        rows = [
            {"indicator_id": row["indicator_id"], "month": row["month"], "total": row["t"], "mean": row["t"] / row["n"]}
            for row in MonthlyRollup.objects.filter(indicator_id__in=list(kinds), month__gte=first, month__lte=last)
            .annotate(t=total, n=count)
            .filter(n__gt=0)
            .values("indicator_id", "month", "t", "n")
        ]
    else:
        rows = (
            _values_in(list(kinds), first, last, department_ids, counted_statuses(include_submitted))
            .values("indicator_id", "month")
            .annotate(total=Sum("value"), mean=Avg("value"))
        )
    by_id = defaultdict(dict)
    for row in rows:
        by_id[row["indicator_id"]][row["month"]] = Decimal(
            row["mean"] if kinds[row["indicator_id"]] == Kind.RATE else row["total"]
        )
    return by_id
