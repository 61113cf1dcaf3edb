"""Review at a glance: what a reviewer should look at in a submitted report before approving it.

Reads only. The rules are asked where they live: outliers from
`selectors.outliers_for` (metrics.validation.find_outliers), cross-field rules
from metrics.validation.validate, blanks as checks.blank_indicators counts them
(an entered indicator of the report with no figure), changes as 同比 and 环比
from metrics.aggregation.Figure and metrics.formatting.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from metrics import assignments
from metrics.aggregation import Figure
from metrics.formatting import change_short, direction
from metrics.models import DataValue, Indicator
from metrics.periods import add_months
from metrics.validation import validate
from reports.reporting import selectors

# How many of the largest changes the summary names, against last month and against last year.
CHANGES_SHOWN = 5
# How many names a refusal of a bulk approval quotes per problem.
NAMES_QUOTED = 3


@dataclass(frozen=True)
class Change:
    """One figure against its base (last month or the same month last year)."""

    indicator: object
    value: Decimal
    base: Decimal
    text: str  # +12.50% / −3.00% / 上年同期为0 / +1.20个百分点


@dataclass
class ReviewSummary:
    """What one report holds that a reviewer should see first."""

    blanks: list = field(default_factory=list)  # [Indicator]
    explained: list = field(default_factory=list)  # [(EntryRow, warning)]: outliers with a note
    unexplained: list = field(default_factory=list)  # [(EntryRow, warning)]: outliers without one
    month_changes: list = field(default_factory=list)  # [Change], largest first
    year_changes: list = field(default_factory=list)
    violations: list = field(default_factory=list)  # [metrics.validation.RuleViolation]

    @property
    def ready(self):
        """Fit for approval without a second look: no blanks, no unexplained outlier, no broken rule."""
        return not (self.blanks or self.unexplained or self.violations)

    def problems(self):
        """Why the report is not ready, as short Chinese phrases (empty when it is)."""
        problems = []
        if self.blanks:
            problems.append(_("%(n)d 项未填（%(names)s）") % {"n": len(self.blanks), "names": _names(self.blanks)})
        if self.unexplained:
            indicators = [row.indicator for row, _warning in self.unexplained]
            problems.append(_("%(n)d 项异常未说明（%(names)s）") % {"n": len(indicators), "names": _names(indicators)})
        if self.violations:
            problems.append(_("%(n)d 条校验规则未通过") % {"n": len(self.violations)})
        return problems


def _names(indicators):
    names = "、".join(i.name for i in indicators[:NAMES_QUOTED])
    return names + (_("等") if len(indicators) > NAMES_QUOTED else "")


def _largest(rows, base_of):
    """The rows' changes against `base_of(row)`, largest first (percentages by 个百分点, others by %)."""
    changes = []
    for row in rows:
        base = base_of(row)
        figure = Figure(indicator=row.indicator, value=row.value, previous=base)
        if direction(figure) not in ("up", "down"):
            continue
        if row.indicator.is_percentage:
            size = abs(figure.change)
        else:
            # A rise from zero has no %; it comes first, as the most striking.
            size = abs(figure.yoy_pct) if base else Decimal("Infinity")
        changes.append((size, Change(row.indicator, row.value, base, change_short(figure))))
    changes.sort(key=lambda pair: pair[0], reverse=True)
    return [change for _size, change in changes[:CHANGES_SHOWN]]


def summarize(rows, rules):
    """The ReviewSummary of a report's EntryRows (selectors.entry_rows) under the cross-field `rules`."""
    values = {row.indicator.code: row.value for row in rows}
    warnings = selectors.outliers_for(rows, values)
    summary = ReviewSummary(
        blanks=[row.indicator for row in rows if row.value is None],
        violations=validate(values, {}, rules).violations,
        month_changes=_largest(rows, lambda row: row.previous),
        year_changes=_largest(rows, lambda row: row.last_year),
    )
    for row in rows:
        if warning := warnings.get(row.indicator.code):
            (summary.explained if row.note.strip() else summary.unexplained).append((row, warning))
    return summary


def review_summaries(reports):
    """{report pk: ReviewSummary} for these reports; a fixed number of queries however many they are."""
    reports = [r for r in reports if r.pk is not None]
    if not reports:
        return {}
    snapshot = assignments.load()
    keys = {r.pk: snapshot.entered_keys(r.department_id, r.form_id) for r in reports}
    wanted = {pk for held in keys.values() for pk in held}
    indicators = {i.pk: i for i in Indicator.objects.active().entered().filter(pk__in=wanted).select_related("area")}
    months = {r.month for r in reports}
    by_department = {}
    for value in DataValue.objects.filter(
        department_id__in={r.department_id for r in reports},
        month__gte=add_months(min(months), -12),
        month__lte=max(months),
        indicator_id__in=wanted,
    ).only("department_id", "indicator_id", "month", "value", "note"):
        by_department.setdefault(value.department_id, {})[(value.indicator_id, value.month)] = value
    rules = selectors.active_rules()
    summaries = {}
    for report in reports:
        held = keys[report.pk]
        mine = sorted(
            (indicators[pk] for pk in held if pk in indicators),
            key=lambda i: (i.area.order, i.area.code, held[i.pk], i.code),
        )
        rows = selectors.rows_from(by_department.get(report.department_id, {}), report.month, mine)
        summaries[report.pk] = summarize(rows, rules)
    return summaries
