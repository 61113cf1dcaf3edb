"""Reads for the reporting workflow: a month's entry rows, value history, the review queue, completeness.

Every function runs a fixed number of queries, whatever the number of
indicators, departments or months.
"""

import datetime
from dataclasses import dataclass, field

from metrics import assignments
from metrics.models import DataValue, Indicator, Kind, ValidationRule
from metrics.periods import add_months, month_list
from metrics.validation import find_outliers, spec_for
from reports.reporting.models import (
    REPORTED_STATES,
    MonthlyReport,
    ReportChase,
    ReportEvent,
    ReportState,
    ValueComment,
)


def report_indicators(department, form, *, snapshot=None):
    """What a report of `form` for `department` holds: the indicators it reports through that form
    (area, then form order; metrics.assignments decides)."""
    return assignments.indicators_for(department, form, assignments=snapshot)


@dataclass(frozen=True)
class Line:
    """One department reporting one form: a row of the completeness grid, one report a month."""

    department: object
    form: object

    @property
    def key(self):
        return (self.department.pk, self.form.pk)


def reporting_lines(*, snapshot=None, department_ids=None):
    """Every (department, form) expected to report each month: the form is assigned to the department and
    holds something it reports through it. In department order, then form order."""
    snapshot = snapshot or assignments.load()
    lines = []
    for department in snapshot.reporting_departments():
        if department_ids is not None and department.pk not in department_ids:
            continue
        for form in snapshot.forms_of(department.pk):
            if snapshot.entered_keys(department.pk, form.pk):
                lines.append(Line(department, form))
    return lines


def department_ratios(indicators):
    """Ratios computed from two of these indicators (shown live on the entry form)."""
    codes = {i.pk for i in indicators}
    return [
        r
        for r in Indicator.objects.active()
        .filter(kind=Kind.RATIO)
        .select_related("numerator", "denominator", "area")
        .order_by("area__order", "order")
        if r.numerator_id in codes and r.denominator_id in codes
    ]


def active_rules():
    """The administrator's cross-field rules as plain metrics.validation.Rule objects."""
    return [r.as_rule() for r in ValidationRule.objects.active().select_related("left", "right", "minus")]


def find_report(department, form, month):
    """The department's report of the form for the month, or an unsaved 未填报 one (version 0) if none."""
    report = (
        MonthlyReport.objects.filter(department=department, form=form, month=month)
        .select_related("department", "form")
        .first()
    )
    return report or MonthlyReport(
        department=department, form=form, month=month, state=ReportState.NOT_STARTED, version=0
    )


@dataclass
class EntryRow:
    """One indicator on the entry form with the figures shown beside its box."""

    indicator: object
    value: object = None
    note: str = ""
    previous: object = None
    last_year: object = None
    history: list = field(default_factory=list)
    outlier: str = ""


def entry_rows(department, month, indicators):
    """[EntryRow] for the department's month of these indicators: current, previous month, same month last year.

    One query for the 13 months of values (the last 12 feed the outlier check).
    """
    first = add_months(month, -12)
    by_key = {
        (v.indicator_id, v.month): v
        for v in DataValue.objects.filter(department=department, month__gte=first, month__lte=month).only(
            "indicator_id", "month", "value", "note"
        )
    }
    return rows_from(by_key, month, indicators)


def rows_from(by_key, month, indicators):
    """[EntryRow] of `month` from {(indicator pk, month): DataValue} holding the 13 months up to it."""
    first = add_months(month, -12)
    past = [add_months(month, -k) for k in range(12, 0, -1)]
    rows = []
    for indicator in indicators:
        current = by_key.get((indicator.pk, month))
        previous = by_key.get((indicator.pk, add_months(month, -1)))
        last_year = by_key.get((indicator.pk, first))
        rows.append(
            EntryRow(
                indicator=indicator,
                value=current.value if current else None,
                note=current.note if current else "",
                previous=previous.value if previous else None,
                last_year=last_year.value if last_year else None,
                history=[by_key[(indicator.pk, m)].value if (indicator.pk, m) in by_key else None for m in past],
            )
        )
    return rows


def outliers_for(rows, values):
    """{code: warning} for the given values against each row's last 12 months (rates excluded)."""
    history = {r.indicator.code: r.history for r in rows if r.indicator.kind != Kind.RATE}
    return find_outliers({c: v for c, v in values.items() if c in history}, history)


def group_by_area(rows):
    groups = []
    for row in rows:
        if not groups or groups[-1][0] != row.indicator.area:
            groups.append((row.indicator.area, []))
        groups[-1][1].append(row)
    return groups


def specs_for(indicators):
    return {i.code: spec_for(i) for i in indicators}


def stored_values(department, month, indicators):
    """{code: Decimal or None} of the department's month as stored, for these indicators."""
    return dict(
        DataValue.objects.filter(department=department, month=month, indicator__in=indicators).values_list(
            "indicator__code", "value"
        )
    )


@dataclass
class ValueChange:
    indicator: str
    unit: str
    old_value: object
    new_value: object
    old_note: str
    new_note: str
    user: object
    at: datetime.datetime
    reason: str = ""
    code: str = ""


def value_changes(department, month, since=None, indicators=None):
    """Every change of the month's values (who, when, old, new, note), oldest first.

    Built from django-simple-history's records in one query; the first
    record of a value counts as a change from empty.
    """
    records = (
        DataValue.history.filter(department_id=department.pk, month=month)
        .filter(**({"indicator_id__in": [i.pk for i in indicators]} if indicators is not None else {}))
        .select_related("history_user", "indicator")
        .order_by("indicator_id", "history_date", "history_id")
    )
    changes = []
    last = {}
    for record in records:
        before = last.get(record.indicator_id)
        old_value, old_note = (before.value, before.note) if before else (None, "")
        last[record.indicator_id] = record
        if before is not None and (old_value, old_note) == (record.value, record.note):
            continue
        if since is not None and record.history_date <= since:
            continue
        changes.append(
            ValueChange(
                indicator=record.indicator.name,
                unit=record.indicator.unit,
                old_value=old_value,
                new_value=record.value,
                old_note=old_note,
                new_note=record.note,
                user=record.history_user,
                at=record.history_date,
                reason=record.history_change_reason or "",
                code=record.indicator.code,
            )
        )
    changes.sort(key=lambda c: c.at)
    return changes


def report_events(report):
    if report.pk is None:
        return []
    return list(report.events.select_related("user").order_by("at", "pk"))


def review_queue(*, states=(ReportState.SUBMITTED,)):
    """Reports waiting for review, oldest submission first, with counts of filled values of their form."""
    reports = list(
        MonthlyReport.objects.filter(state__in=states)
        .select_related("department", "form", "submitted_by")
        .order_by("submitted_at", "department__order", "form__order")
    )
    months, department_ids = {r.month for r in reports}, {r.department_id for r in reports}
    filled = {}
    for department_id, month, indicator_id in DataValue.objects.filter(
        month__in=months, value__isnull=False, department_id__in=department_ids
    ).values_list("department_id", "month", "indicator_id"):
        filled.setdefault((department_id, month), set()).add(indicator_id)
    snapshot = assignments.load()
    held = {}
    for report in reports:
        key = (report.department_id, report.form_id)
        if key not in held:
            held[key] = set(snapshot.entered_keys(*key))
        report.expected = len(held[key])
        report.filled = len(filled.get((report.department_id, report.month), set()) & held[key])
    return reports


def rate_pct(count, expected):
    """A reporting rate: `count` of `expected` reports in % to one decimal; None when none were expected."""
    return round(count * 100 / expected, 1) if expected else None


@dataclass
class MonthRate:
    month: datetime.date
    expected: int
    actual: int
    on_time: int

    @property
    def reporting_rate(self):
        return rate_pct(self.actual, self.expected)

    @property
    def on_time_rate(self):
        return rate_pct(self.on_time, self.expected)


def completeness(first, last, *, today, lines=None):
    """The (department, form) × months grid and per-month rates, as DHIS2 counts them.

    expected = lines expected to report (reporting_lines); actual = reports
    submitted or approved; on time = of those, first submitted by their form's
    deadline. Returns (lines, months, cells {(department_id, form_id, month):
    MonthlyReport}, [MonthRate]).
    """
    lines = lines if lines is not None else reporting_lines()
    months = month_list(first, last)
    reports = (
        MonthlyReport.objects.in_months(first, last)
        .filter(department__in={line.department.pk for line in lines})
        .select_related("department", "form")
    )
    cells = {(r.department_id, r.form_id, r.month): r for r in reports}
    rates = []
    for month in months:
        actual = on_time = 0
        for line in lines:
            report = cells.get((*line.key, month))
            if report is not None and report.state in REPORTED_STATES:
                actual += 1
                on_time += not report.submitted_late
        rates.append(MonthRate(month, len(lines), actual, on_time))
    return lines, months, cells, rates


def latest_report_month():
    report = MonthlyReport.objects.order_by("-month").only("month").first()
    return report.month if report else None


def events_since(report, version):
    """The report's events after the given version (someone else's saves and transitions)."""
    return list(ReportEvent.objects.filter(report=report, version__gt=version).select_related("user"))


def department_months(department, *, due, today, recent=12):
    """The clerk's list: every month of each of the department's forms that is due and not approved,
    and the reports of the last `recent` months; the overdue ones first (oldest first), then what can
    still be entered, then the rest, newest first.

    A form's months run from the month after the department's latest approved report of it (its first
    report when none is approved; `due` for a form it has never reported) to `due`; a month with no row
    is an unsaved 未填报 report. Whether a report is overdue is MonthlyReport.is_overdue's answer.
    Four queries for the forms, two for the reports, whatever the history.
    """
    forms = {line.form.pk: line.form for line in reporting_lines(department_ids={department.pk})}
    keys = list(
        MonthlyReport.objects.filter(department=department, form__in=forms).values_list("form_id", "month", "state")
    )
    approved = {(form_id, month) for form_id, month, state in keys if state == ReportState.APPROVED}
    # A gap before the latest approved report is history (an import of past years, say), not a month due:
    # a form's months start after its latest approved report, or at its first report when none is approved.
    starts = {}
    for form_id, month, _state in keys:
        starts[form_id] = min(month, starts.get(form_id, month))
    for form_id, month in approved:
        starts[form_id] = max(add_months(month, 1), starts[form_id])
    since = add_months(due, -(recent - 1))
    reports = {
        (r.form_id, r.month): r
        for r in MonthlyReport.objects.filter(department=department, form__in=forms)
        .exclude(state=ReportState.APPROVED, month__lt=since)
        .select_related("department", "form")
    }
    for form in forms.values():
        for month in month_list(min(starts.get(form.pk, due), due), due):
            if (form.pk, month) not in reports and (form.pk, month) not in approved:
                reports[(form.pk, month)] = MonthlyReport(
                    department=department, form=form, month=month, state=ReportState.NOT_STARTED, version=0
                )
    rows = list(reports.values())
    for row in rows:
        row.overdue = row.is_overdue(today)

    def order(row):
        form = (row.form.order, row.form.code)
        if row.overdue:
            return (0, row.month.toordinal(), form)
        return (1 if row.is_editable else 2, -row.month.toordinal(), form)

    return sorted(rows, key=order)


def chase_marks(first, last):
    """{report pk: (number of 催报, the last ReportChase)} of the reports of months first..last; one query."""
    marks = {}
    records = ReportChase.objects.filter(report__month__gte=first, report__month__lte=last)
    for record in records.select_related("user").order_by("at", "pk"):
        count, _last = marks.get(record.report_id, (0, None))
        marks[record.report_id] = (count + 1, record)
    return marks


def value_comments(report):
    """{indicator code: the latest ValueComment} of the report's values; one query."""
    if report.pk is None:
        return {}
    latest = {}
    for comment in ValueComment.objects.filter(report=report).select_related("indicator", "user").order_by("at", "pk"):
        latest[comment.indicator.code] = comment
    return latest


def comment_history(report):
    """Every comment on the report's values, oldest first."""
    if report.pk is None:
        return []
    return list(ValueComment.objects.filter(report=report).select_related("indicator", "user").order_by("at", "pk"))


def follow_up_values(first, last):
    """The values of months first..last now marked 待核实 (the latest comment of each says so), as
    ValueComments in month, department and indicator order; one query."""
    latest = {}
    comments = ValueComment.objects.filter(report__month__gte=first, report__month__lte=last)
    for comment in comments.select_related("indicator", "user", "report__department", "report__form").order_by(
        "at", "pk"
    ):
        latest[(comment.report_id, comment.indicator_id)] = comment
    marked = [c for c in latest.values() if c.follow_up]
    return sorted(
        marked, key=lambda c: (c.report.month, c.report.department.order, c.indicator.order, c.indicator.code)
    )
